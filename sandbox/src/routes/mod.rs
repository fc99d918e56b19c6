//! The route table and helpers shared by the handlers.

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::server::App;

mod auth;
mod beneficiaries;
mod catalogs;
mod claims;
mod dispensing;
mod preauth;
mod prescriptions;
mod products;
mod settlements;
mod subscriptions;

pub(crate) type Shared = axum::extract::State<Arc<App>>;

struct Table {
    router: Router<Arc<App>>,
    served: Vec<String>,
}

impl Table {
    fn add(mut self, method: &str, path: &'static str, route: MethodRouter<Arc<App>>) -> Self {
        self.router = self.router.route(path, route);
        self.served.push(format!("{method} {path}"));
        self
    }
}

/// The router (without state or middleware) and the `"METHOD /path"` keys
/// it serves.
pub(crate) fn build() -> (Router<Arc<App>>, Vec<String>) {
    use auth::*;
    use beneficiaries::*;
    use catalogs::*;
    use claims::*;
    use dispensing::*;
    use preauth::*;
    use prescriptions::*;
    use products::*;
    use settlements::*;
    use subscriptions::*;

    let t = Table {
        router: Router::new(),
        served: Vec::new(),
    };
    let t = t
        .add("POST", crate::server::TOKEN_PATH, post(token))
        // OTP
        .add("POST", "/otp/generate", post(otp_generate))
        .add("POST", "/otp/validate", post(otp_validate))
        // Beneficiary lookup and affiliations
        .add("GET", "/v1/sponsors", get(list_sponsors))
        .add(
            "GET",
            "/v1/sponsors/{sponsorSlug}/forms",
            get(sponsor_forms),
        )
        .add(
            "POST",
            "/v1/sponsors/{sponsorSlug}/search",
            post(search_beneficiary),
        )
        .add(
            "GET",
            "/v1/sponsors/{sponsorSlug}/beneficiaries/{beneficiaryId}/dependents",
            get(dependents),
        )
        .add("GET", "/v1/external-providers", get(external_providers))
        .add(
            "GET",
            "/arc/v1/sponsors/{sponsor}/configuration",
            get(sponsor_configuration),
        )
        .add(
            "GET",
            "/arc/v1/sponsors/{sponsor}/document-policy",
            get(document_policy),
        )
        .add(
            "GET",
            "/arc/v2/sponsors/{sponsor}/document-policy",
            get(document_policy),
        )
        // Pre-authorizations
        .add("GET", "/arc/v1/authorization-requests", get(list_requests))
        .add(
            "POST",
            "/arc/v1/authorization-requests",
            post(create_request),
        )
        .add(
            "GET",
            "/arc/v1/authorization-requests/{id}",
            get(get_request),
        )
        .add(
            "POST",
            "/arc/v1/authorization-requests/{id}/complete",
            post(complete_request),
        )
        .add(
            "POST",
            "/arc/v1/authorization-requests/{id}/files",
            post(attach_indication_multipart),
        )
        .add(
            "POST",
            "/arc/v1/authorization-requests/{id}/indications/base64",
            post(attach_indication_base64),
        )
        .add("GET", "/arc/v1/authorizations", get(list_authorizations))
        .add("POST", "/arc/v1/authorizations", post(create_authorization))
        .add(
            "POST",
            "/arc/v1/authorizations/externally-processed",
            post(create_external_authorization),
        )
        .add("GET", "/arc/v1/authorizations/{id}", get(get_authorization))
        .add(
            "PUT",
            "/arc/v1/authorizations/{id}",
            put(update_authorization),
        )
        .add(
            "POST",
            "/arc/v1/authorizations/{id}/claims",
            post(claim_authorization),
        )
        .add(
            "PUT",
            "/arc/v1/authorizations/{id}/payment-type",
            put(update_payment_type),
        )
        .add(
            "POST",
            "/arc/v1/authorizations/{id}/void",
            post(void_authorization),
        )
        .add("POST", "/arc/v2/biometric-readings", post(create_biometric))
        .add("GET", "/arc/v2/biometric-readings/{id}", get(get_biometric))
        // Claims
        .add(
            "POST",
            "/arc/v1/outpatient-care-claim",
            post(create_outpatient),
        )
        .add(
            "GET",
            "/arc/v1/outpatient-care-claim/monitors/{monitorId}",
            get(get_monitor),
        )
        .add(
            "GET",
            "/arc/v1/outpatient-care-claim/{id}",
            get(get_outpatient),
        )
        .add(
            "GET",
            "/arc/v1/outpatient-care-claim/{id}/authorization-files",
            get(outpatient_files),
        )
        .add(
            "POST",
            "/arc/v1/outpatient-care-claim/{id}/complete",
            post(complete_outpatient),
        )
        .add(
            "POST",
            "/arc/v1/outpatient-care-claim/{id}/void",
            post(void_outpatient),
        )
        .add(
            "POST",
            "/arc/v1/medical-procedure-claim",
            post(create_procedure),
        )
        .add(
            "GET",
            "/arc/v1/medical-procedure-claim/{id}",
            get(get_procedure),
        )
        .add(
            "POST",
            "/arc/v1/medical-procedure-claim/{id}/complete",
            post(complete_procedure),
        )
        .add(
            "POST",
            "/arc/v1/medical-procedure-claim/{id}/void",
            post(void_procedure),
        )
        // Products
        .add("GET", "/arc/v1/products", get(list_catalog_products))
        .add(
            "GET",
            "/arc/v1/providers/products",
            get(list_provider_products),
        )
        .add(
            "POST",
            "/arc/v1/providers/products",
            post(register_provider_product),
        )
        .add(
            "DELETE",
            "/arc/v1/providers/products/{productCode}",
            delete(remove_provider_product),
        )
        // Dispensing
        .add(
            "POST",
            "/dispensing/v1/dispensations",
            post(start_dispensation),
        )
        .add(
            "GET",
            "/dispensing/v1/dispensations/{id}",
            get(get_dispensation),
        )
        .add(
            "POST",
            "/dispensing/v1/dispensations/{id}/complete",
            post(complete_dispensation),
        )
        .add(
            "PUT",
            "/dispensing/v1/dispensations/{id}/products",
            put(update_dispensation_products),
        )
        .add(
            "GET",
            "/dispensing/v1/dispensations/{id}/verification-status",
            get(verification_status),
        )
        .add(
            "POST",
            "/dispensing/v1/dispensations/{id}/void",
            post(void_dispensation),
        )
        // Prescriptions and patients
        .add("GET", "/ehr/v1/prescriptions", get(list_prescriptions))
        .add(
            "POST",
            "/ehr/v1/prescriptions",
            post(create_prescription_v1),
        )
        .add(
            "POST",
            "/ehr/v1.1/prescriptions",
            post(create_prescription_v1_1),
        )
        .add(
            "POST",
            "/ehr/v2/prescriptions",
            post(create_prescription_v2),
        )
        .add("GET", "/ehr/v1/prescriptions/{id}", get(get_prescription))
        .add(
            "POST",
            "/ehr/v1/prescriptions/{id}/resend",
            post(resend_prescription),
        )
        .add("GET", "/ehr/v1/patients", get(search_patients))
        .add("POST", "/ehr/v1/patients", post(create_patient))
        // Catalogs
        .add("GET", "/medical-catalogs/v1/countries", get(countries))
        .add("GET", "/medical-catalogs/v2/countries", get(countries))
        .add(
            "GET",
            "/medical-catalogs/v1/countries/{countryCode}/states",
            get(states),
        )
        .add(
            "GET",
            "/medical-catalogs/v2/countries/{countryCode}/states",
            get(states),
        )
        .add(
            "GET",
            "/medical-catalogs/v1/countries/{countryCode}/states/{stateCode}/cities",
            get(cities),
        )
        .add(
            "GET",
            "/medical-catalogs/v2/countries/{countryCode}/states/{stateCode}/cities",
            get(cities),
        )
        .add(
            "GET",
            "/medical-catalogs/v1/countries/{countryCode}/subdivisions",
            get(subdivisions),
        )
        .add(
            "GET",
            "/medical-catalogs/v2/countries/{countryCode}/subdivisions",
            get(subdivisions),
        )
        .add(
            "GET",
            "/medical-catalogs/v1/countries/{countryCode}/medical-boards",
            get(medical_boards),
        )
        .add(
            "GET",
            "/medical-catalogs/v2/countries/{countryCode}/medical-boards",
            get(medical_boards),
        )
        .add(
            "GET",
            "/medical-catalogs/v1/medical-specialties",
            get(specialties),
        )
        .add(
            "GET",
            "/medical-catalogs/v2/medical-specialties",
            get(specialties),
        )
        .add("GET", "/medical-catalogs/v1/medications", get(medications))
        .add("GET", "/medical-catalogs/v2/medications", get(medications))
        .add("GET", "/medical-catalogs/v1/diagnoses", get(diagnoses))
        // Settlement batches
        .add("POST", "/v3/settlements", post(start_settlement))
        .add(
            "GET",
            "/v3/settlements/{settlement_id}/pending-authorizations",
            get(pending_authorizations),
        )
        .add(
            "POST",
            "/v3/settlements/{settlement_id}/authorizations",
            post(attach_authorizations),
        )
        .add(
            "POST",
            "/v3/settlements/{settlement_id}/documents",
            post(upload_document),
        )
        .add(
            "POST",
            "/v3/settlements/{settlement_id}/complete",
            post(complete_settlement),
        )
        // Webhooks
        .add(
            "POST",
            "/webhooks/v1/subscriptions",
            post(create_subscription),
        );

    let router = t
        .router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::server::MAX_BODY,
        ));
    (router, t.served)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "071-404", "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "071-405",
        "method not allowed on this endpoint",
    )
}

/// `page` and `size` query parameters (Spring style: pages count from 0).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Paging {
    pub page: Option<i64>,
    pub size: Option<i64>,
}

/// A Spring HATEOAS `PagedModel`: `content`, `links`, `page`.
pub(crate) fn paged(items: Vec<Value>, paging: &Paging, self_url: &str) -> Value {
    let size = paging.size.unwrap_or(20).clamp(1, 200);
    let number = paging.page.unwrap_or(0).max(0);
    let total = items.len() as i64;
    let total_pages = (total + size - 1) / size;
    let content: Vec<Value> = items
        .into_iter()
        .skip((number * size) as usize)
        .take(size as usize)
        .collect();
    let sep = if self_url.contains('?') { '&' } else { '?' };
    let link = |rel: &str, page: i64| json!({ "rel": rel, "href": format!("{self_url}{sep}page={page}&size={size}") });
    let mut links = vec![link("self", number)];
    if total_pages > 0 {
        links.push(link("first", 0));
        if number > 0 {
            links.push(link("prev", number - 1));
        }
        if number + 1 < total_pages {
            links.push(link("next", number + 1));
        }
        links.push(link("last", total_pages - 1));
    }
    json!({
        "content": content,
        "links": links,
        "page": { "size": size, "number": number, "total_elements": total, "total_pages": total_pages },
    })
}

/// A numeric id from a path segment: `1234`, or a prefixed `auth_1234`.
pub(crate) fn numeric_id(raw: &str) -> Option<i64> {
    raw.rsplit('_').next().and_then(|tail| tail.parse().ok())
}

/// 201 with a JSON body.
pub(crate) fn created(body: Value) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

/// 201 with a `Location` to the new resource (and its body, which clients
/// following the `Location` ignore).
pub(crate) fn created_at(location: &str, body: Value) -> Response {
    (
        StatusCode::CREATED,
        [(axum::http::header::LOCATION, location.to_owned())],
        axum::Json(body),
    )
        .into_response()
}

/// 200 with a JSON body.
pub(crate) fn ok(body: Value) -> Response {
    axum::Json(body).into_response()
}

/// Decodes standard or URL-safe Base64, padded or not; `None` when the text
/// is not Base64. Whitespace and a `data:...;base64,` prefix are skipped.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = match text.find(";base64,") {
        Some(at) if text.starts_with("data:") => &text[at + 8..],
        _ => text,
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut buf = 0u32;
    let mut bits = 0u32;
    let mut padding = false;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        if padding {
            return None;
        }
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A present, non-blank string field, or 422 naming it.
pub(crate) fn required<'a>(value: &'a Option<String>, field: &str) -> Result<&'a str, ApiError> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::unprocessable(
            field,
            format!("{field} is required"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("aGVsbG8").unwrap(), b"hello");
        assert_eq!(
            base64_decode("data:application/pdf;base64,aGk=").unwrap(),
            b"hi"
        );
        assert!(base64_decode("not base64!").is_none());
    }

    #[test]
    fn pages_like_spring() {
        let items = (0..45).map(|i| json!(i)).collect();
        let page = paged(
            items,
            &Paging {
                page: Some(2),
                size: Some(20),
            },
            "/x",
        );
        assert_eq!(page["content"].as_array().unwrap().len(), 5);
        assert_eq!(page["page"]["total_pages"], 3);
        assert_eq!(page["links"][0]["href"], "/x?page=2&size=20");
    }

    #[test]
    fn reads_prefixed_ids() {
        assert_eq!(numeric_id("1234"), Some(1234));
        assert_eq!(numeric_id("auth_1234"), Some(1234));
        assert_eq!(numeric_id("abc"), None);
    }
}

//! Sponsors, beneficiary lookup, sponsor rules and external providers.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use osigu::types;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::Shared;
use crate::input::numeric_id;
use crate::reply::{ApiError, ApiJson, ApiResult, Paging, accepted_at, ok, page};
use crate::state::random_uuid;
use crate::store::{Beneficiary, Db, Decision, Sponsor};

/// `GET /v1/sponsors`.
pub(crate) async fn list_sponsors(State(app): Shared) -> Response {
    let db = app.db();
    ok(Value::Array(
        db.sponsors.iter().map(Sponsor::json).collect(),
    ))
}

fn sponsor_or_404(db: &crate::store::Db, slug: &str) -> ApiResult<Sponsor> {
    db.sponsor(slug)
        .cloned()
        .ok_or_else(|| ApiError::not_found("sponsor", slug))
}

/// `GET /v1/sponsors/{sponsorSlug}/forms`: `AuthorizationFormResource`s.
pub(crate) async fn sponsor_forms(
    State(app): Shared,
    Path(slug): Path<String>,
) -> ApiResult<Response> {
    let db = app.db();
    let sponsor = sponsor_or_404(&db, &slug)?;
    let coverage = "PRESCRIPTION_DRUGS";
    Ok(ok(json!([
        {
            "form_slug": "national-id",
            "fallback_name": "National identity document",
            "sponsor_slug": sponsor.slug,
            "authorization_coverage": coverage,
            "reimbursement": false,
            "fields": [
                { "id": 1, "slug": "document_type", "type": "enum", "values": ["DPI", "PASSPORT"], "required": false },
                { "id": 2, "slug": "document_number", "type": "string", "required": true },
            ],
        },
        {
            "form_slug": "member-id",
            "fallback_name": "Member number",
            "sponsor_slug": sponsor.slug,
            "authorization_coverage": coverage,
            "reimbursement": false,
            "fields": [
                { "id": 3, "slug": "member_code", "type": "string", "required": true },
            ],
        },
    ])))
}

/// `POST /v1/sponsors/{sponsorSlug}/search`: finds a beneficiary of the
/// sponsor by `document_number` / `identity_document_id` or `member_code`.
/// An inactive coverage is still a 200, with `status: DISABLED` and
/// `coverage.active: false`.
pub(crate) async fn search_beneficiary(
    State(app): Shared,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<HashMap<String, Value>>,
) -> ApiResult<Response> {
    let db = app.db();
    sponsor_or_404(&db, &slug)?;
    let text = |key: &str| {
        body.get(key).and_then(|v| match v {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let document = text("document_number").or_else(|| text("identity_document_id"));
    let member = text("member_code").or_else(|| text("member_id"));
    if document.is_none() && member.is_none() {
        return Err(ApiError::unprocessable(
            "document_number",
            "fill in one of the sponsor's forms: document_number or member_code",
        ));
    }
    let found = db.beneficiaries.iter().find(|b| {
        b.sponsor_slug == slug
            && (document.as_deref() == Some(b.document_number)
                || member.as_deref() == Some(b.member_code))
    });
    match found {
        Some(b) => Ok(ok(b.json(&app.clock.date_in_days(if b.active {
            365
        } else {
            0
        })))),
        None => Err(ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "071-404",
            "no beneficiary matches the search",
        )
        .with_info(json!({ "sponsor_slug": slug }))),
    }
}

/// `GET /v1/sponsors/{sponsorSlug}/beneficiaries/{beneficiaryId}/dependents`.
pub(crate) async fn dependents(
    State(app): Shared,
    Path((slug, beneficiary)): Path<(String, String)>,
) -> ApiResult<Response> {
    let db = app.db();
    sponsor_or_404(&db, &slug)?;
    let holder = numeric_id(&beneficiary)
        .and_then(|id| db.beneficiary(id))
        .filter(|b| b.sponsor_slug == slug)
        .ok_or_else(|| ApiError::not_found("beneficiary", &beneficiary))?;
    let until = app.clock.date_in_days(365);
    Ok(ok(Value::Array(
        db.beneficiaries
            .iter()
            .filter(|b| b.holder_id == Some(holder.id))
            .map(|b| b.json(&until))
            .collect(),
    )))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProductTypeQuery {
    product_type: Option<String>,
}

/// `GET /arc/v1/sponsors/{sponsor}/configuration`.
pub(crate) async fn sponsor_configuration(
    State(app): Shared,
    Path(slug): Path<String>,
    Query(query): Query<ProductTypeQuery>,
) -> ApiResult<Response> {
    let db = app.db();
    let sponsor = sponsor_or_404(&db, &slug)?;
    let product_type = query
        .product_type
        .unwrap_or_else(|| "MEDICATION".to_owned());
    let otp_steps: Vec<&str> = if sponsor.otp_required {
        vec![
            "AUTHORIZATION_REQUEST_COMPLETION",
            "DISPENSATION_COMPLETION",
        ]
    } else {
        vec![]
    };
    Ok(ok(json!({
        "sponsor_slug": sponsor.slug,
        "product_type": product_type,
        "decision_mode": match sponsor.decision { Decision::Sync => "SYNC", Decision::Async => "ASYNC" },
        "synchronous": sponsor.decision == Decision::Sync,
        "otp_required": sponsor.otp_required,
        "otp_required_for": otp_steps,
        "biometric_required": false,
        "authorization_types": ["PRE_AUTHORIZATION", "DIRECT"],
        "required_fields": ["beneficiary_id", "diagnoses", "doctor_medical_license_number", "products"],
        "required_documents": sponsor.required_documents,
        "currency": sponsor.currency,
    })))
}

/// `GET /arc/v1|v2/sponsors/{sponsor}/document-policy`.
pub(crate) async fn document_policy(
    State(app): Shared,
    Path(slug): Path<String>,
    Query(query): Query<ProductTypeQuery>,
) -> ApiResult<Response> {
    let db = app.db();
    let sponsor = sponsor_or_404(&db, &slug)?;
    let mut documents: Vec<Value> = sponsor
        .required_documents
        .iter()
        .map(|kind| json!({ "file_type": kind, "required": true, "description": format!("A {} signed by the treating doctor", kind.to_lowercase().replace('_', " ")) }))
        .collect();
    documents.push(json!({ "file_type": "MEDICAL_INDICATION", "required": false, "description": "Any further medical indication" }));
    Ok(ok(json!({
        "sponsor_slug": sponsor.slug,
        "product_type": query.product_type.unwrap_or_else(|| "MEDICATION".to_owned()),
        "documents": documents,
    })))
}

#[derive(Debug, Deserialize)]
pub(crate) struct TextQuery {
    pub query: Option<String>,
}

/// `GET /v1/external-providers`.
pub(crate) async fn external_providers(Query(q): Query<TextQuery>) -> Response {
    let all = [
        ("farmacia-central", "Farmacia Central", "GT"),
        ("laboratorio-vida", "Laboratorio Vida", "GT"),
        ("clinica-santo-domingo", "Clínica Santo Domingo", "DO"),
    ];
    let needle = q.query.unwrap_or_default().to_lowercase();
    ok(Value::Array(
        all.iter()
            .filter(|(slug, name, _)| {
                needle.is_empty() || slug.contains(&needle) || name.to_lowercase().contains(&needle)
            })
            .map(|(slug, name, country)| {
                json!({ "provider_slug": slug, "name": name, "country_code": country })
            })
            .collect(),
    ))
}

/// Where an asynchronous beneficiary lookup's monitor is read (a route of
/// the sandbox's own: the spec leaves the monitor's path to `Location`).
pub(crate) const LOOKUP_MONITOR: &str = "/beneficiary-lookup/v1/monitors/{monitor_id}";

/// The beneficiaries of `sponsor` a lookup form's inputs name: form
/// `national-id` matches `document_number`, form `member-id` matches
/// `member_code`.
fn lookup_matches(
    db: &Db,
    sponsor: &str,
    body: &types::BeneficiaryLookupRequest,
) -> ApiResult<Vec<types::BeneficiaryLookupResult>> {
    let input = |slug: &str| {
        body.inputs
            .iter()
            .find(|i| i.slug == slug)
            .map(|i| i.value.trim().to_owned())
    };
    let wanted = match body.form_slug.as_str() {
        "national-id" => input("document_number").or_else(|| input("identity_document_id")),
        "member-id" => input("member_code"),
        _ => {
            return Err(ApiError::unprocessable(
                "form_slug",
                "the sponsor's forms are national-id and member-id",
            ));
        }
    }
    .ok_or_else(|| ApiError::unprocessable("inputs", "fill in the form's input"))?;
    Ok(db
        .beneficiaries
        .iter()
        .filter(|b| b.sponsor_slug == sponsor)
        .filter(|b| b.document_number == wanted || b.member_code == wanted)
        .map(Beneficiary::lookup_result)
        .collect())
}

/// `lookupBeneficiaries`: a page of the people found; the asynchronous
/// sponsor answers 202 with a `Location` to a monitor instead.
pub(crate) async fn lookup_beneficiaries(
    State(app): Shared,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<types::BeneficiaryLookupRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let sponsor = sponsor_or_404(&db, &slug)?;
    let found = lookup_matches(&db, sponsor.slug, &body)?;
    if sponsor.decision == Decision::Sync {
        let self_url = format!(
            "{}{}",
            app.base_url,
            super::path_of("lookupBeneficiaries", &[&slug])
        );
        return Ok(ok(page(found, &Paging::default(), &self_url)));
    }
    let id = random_uuid();
    let ready_at = Instant::now() + app.config.async_sponsor_delay_value();
    db.lookups.insert(id.clone(), (ready_at, found));
    let location = LOOKUP_MONITOR.replace("{monitor_id}", &id);
    Ok(accepted_at(&location))
}

/// The monitor of an asynchronous lookup: IN_PROGRESS until the sponsor's
/// delay has passed, then COMPLETED with the people found.
pub(crate) async fn lookup_monitor(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let db = app.db();
    let (ready_at, found) = db
        .lookups
        .get(&id)
        .ok_or_else(|| ApiError::not_found("lookup monitor", &id))?;
    let mut monitor = types::BeneficiaryLookupMonitor::default();
    if Instant::now() >= *ready_at {
        monitor.status = Some(types::MonitorStatus::Completed);
        monitor.content = found.clone();
    } else {
        monitor.status = Some(types::MonitorStatus::InProgress);
    }
    Ok(ok(monitor))
}

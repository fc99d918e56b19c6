//! Pre-authorization requests, authorizations and biometric readings.

use std::sync::Arc;

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use crate::input::{base64_decode, numeric_id, read_upload};
use crate::reply::{ApiError, ApiJson, ApiResult, OptJson, Paging, created, ok, page};
use crate::state::{App, MAX_UPLOAD, random_uuid};
use crate::store::{
    AuthRequest, Authorization, ClaimLine, Db, Decision, Diagnosis, Doctor, Indication, Kind, Line,
    RequestStatus, Sponsor, beneficiary_number,
};

/// An OTP verification token carried as
/// `external_verifications: [{"type": "OTP", "value": ...}]`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Verifications {
    #[serde(default)]
    pub external_verifications: Vec<Value>,
}

fn new_line(db: &mut Db, product: &crate::store::CatalogProduct, quantity: i32) -> Line {
    Line {
        id: db.next(),
        product_id: product.product_id,
        code: product.code.to_owned(),
        name: product.name.to_owned(),
        kind: product.kind,
        quantity,
        authorized_quantity: quantity,
        claimed_quantity: 0,
        unit_price: product.unit_price,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct DiagnosisIn {
    code: String,
    coding_system: Option<String>,
}

fn diagnoses(db: &mut Db, input: Vec<DiagnosisIn>, guide_code: Option<String>) -> Vec<Diagnosis> {
    input
        .into_iter()
        .map(|d| (d.code, d.coding_system))
        .chain(guide_code.map(|c| (c, None)))
        .map(|(code, system)| Diagnosis {
            id: db.next(),
            code,
            coding_system: system.unwrap_or_else(|| "ICD-10".to_owned()),
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub(crate) struct PendingProductIn {
    product_id: Option<i64>,
    provider_product_code: Option<String>,
    product_code: Option<String>,
    quantity: Option<i32>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreateRequestIn {
    beneficiary_id: Value,
    sponsor_slug: String,
    doctor_name: Option<String>,
    doctor_medical_license_number: Option<String>,
    doctor_country_code: Option<String>,
    doctor_specialty_name: Option<String>,
    #[serde(default)]
    diagnoses: Vec<DiagnosisIn>,
    diagnosis_code: Option<String>,
    #[serde(default)]
    products: Vec<PendingProductIn>,
}

fn request_json(request: &AuthRequest, db: &Db) -> Value {
    json!({
        "id": request.id,
        "beneficiary_id": request.beneficiary_id,
        "sponsor_slug": request.sponsor_slug,
        "doctor_name": request.doctor.name,
        "doctor_medical_license_number": request.doctor.license,
        "doctor_country_code": request.doctor.country_code,
        "doctor_specialty_name": request.doctor.specialty,
        "diagnoses": request.diagnoses.iter().map(Diagnosis::json).collect::<Vec<_>>(),
        "authorizations": request.authorization_ids.iter()
            .filter_map(|id| db.authorizations.get(id))
            .map(Authorization::json)
            .collect::<Vec<_>>(),
        "status": request.status.as_str(),
        "products": request.lines.iter().map(|l| l.json("REQUESTED")).collect::<Vec<_>>(),
        "indications": request.indications.iter().map(Indication::json).collect::<Vec<_>>(),
        "created_by": "sandbox-client",
        "updated_by": "sandbox-client",
        "created_at": request.created_at,
        "updated_at": request.updated_at,
    })
}

/// `POST /arc/v1/authorization-requests`.
pub(crate) async fn create_request(
    State(app): Shared,
    ApiJson(body): ApiJson<CreateRequestIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let (sponsor, beneficiary) =
        db.sponsor_and_beneficiary(&body.sponsor_slug, &body.beneficiary_id)?;
    let mut lines = Vec::new();
    for p in &body.products {
        let code = p
            .provider_product_code
            .as_deref()
            .or(p.product_code.as_deref());
        let product = db.resolve_product(code, p.product_id)?;
        let quantity = p.quantity.unwrap_or(1);
        if quantity <= 0 {
            return Err(ApiError::unprocessable(
                "products.quantity",
                "quantity must be positive",
            ));
        }
        lines.push(new_line(&mut db, &product, quantity));
    }
    let diagnoses = diagnoses(&mut db, body.diagnoses, body.diagnosis_code);
    let now = app.clock.now();
    let request = AuthRequest {
        id: db.next(),
        sponsor_slug: sponsor.slug.to_owned(),
        beneficiary_id: beneficiary.id,
        doctor: Doctor::from_parts(
            body.doctor_name,
            body.doctor_medical_license_number,
            body.doctor_country_code,
            body.doctor_specialty_name,
        ),
        diagnoses,
        lines,
        indications: Vec::new(),
        status: RequestStatus::Open,
        authorization_ids: Vec::new(),
        created_at: now.clone(),
        updated_at: now,
    };
    let body = request_json(&request, &db);
    let location = super::path_of("getAuthorizationRequest", &[&request.id.to_string()]);
    db.auth_requests.insert(request.id, request);
    Ok(crate::reply::created_at(&location, body))
}

/// `GET /arc/v1/authorization-requests`.
pub(crate) async fn list_requests(
    State(app): Shared,
    Query(paging): Query<Paging>,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let db = app.db();
    let items = db
        .auth_requests
        .values()
        .rev()
        .map(|r| request_json(r, &db))
        .collect();
    ok(page(
        items,
        &paging,
        &format!("{}{}", app.base_url, uri.path()),
    ))
}

fn request_id(raw: &str) -> ApiResult<i64> {
    numeric_id(raw).ok_or_else(|| ApiError::not_found("authorization request", raw))
}

/// `GET /arc/v1/authorization-requests/{id}`.
pub(crate) async fn get_request(State(app): Shared, Path(id): Path<String>) -> ApiResult<Response> {
    let db = app.db();
    let request = db
        .auth_requests
        .get(&request_id(&id)?)
        .ok_or_else(|| ApiError::not_found("authorization request", &id))?;
    Ok(ok(request_json(request, &db)))
}

/// Creates the authorization a sponsor decides for these lines: approved
/// at once by a synchronous sponsor, `SENT_TO_SPONSOR` (and a resolver
/// scheduled) by the asynchronous one.
#[allow(clippy::too_many_arguments)]
fn issue(
    app: &Arc<App>,
    db: &mut Db,
    sponsor: &Sponsor,
    request_id: Option<i64>,
    beneficiary_id: i64,
    doctor: Doctor,
    lines: Vec<Line>,
    documents_ok: bool,
) -> i64 {
    let id = db.next();
    let now = app.clock.now();
    let kind = lines.first().map_or(Kind::Medication, |l| l.kind);
    let approved = sponsor.decision == Decision::Sync;
    db.authorizations.insert(
        id,
        Authorization {
            id,
            code: approved.then(|| format!("AUTH-SBX-{id:06}")),
            request_id,
            sponsor_slug: sponsor.slug.to_owned(),
            beneficiary_id,
            doctor,
            status: if approved {
                "APPROVED"
            } else {
                "SENT_TO_SPONSOR"
            }
            .to_owned(),
            kind,
            lines,
            payment_type: "DIRECT_PAYMENT".to_owned(),
            sponsor_authorization_code: approved.then(|| format!("SPX-{id}")),
            documents_ok,
            provider_slugs: vec!["sandbox-provider".to_owned()],
            activation_at: now.clone(),
            expiration_at: app.clock.in_days(30),
            created_at: now.clone(),
            updated_at: now,
        },
    );
    if !approved {
        let app = app.clone();
        let delay = app.config.async_sponsor_delay_value();
        let task_app = app.clone();
        app.spawn(async move {
            tokio::time::sleep(delay).await;
            resolve_async(&task_app, id);
        });
    }
    id
}

/// The asynchronous sponsor's decision: approve, complete the request and
/// announce `authorization.created`.
fn resolve_async(app: &Arc<App>, id: i64) {
    let data = {
        let mut db = app.db();
        let now = app.clock.now();
        let Some(authorization) = db.authorizations.get_mut(&id) else {
            return;
        };
        if authorization.status != "SENT_TO_SPONSOR" {
            return;
        }
        authorization.status = "APPROVED".to_owned();
        authorization.code = Some(format!("AUTH-SBX-{id:06}"));
        authorization.sponsor_authorization_code = Some(format!("SPX-{id}"));
        authorization.activation_at = now.clone();
        authorization.updated_at = now.clone();
        let data = authorization.event_json();
        if let Some(request_id) = authorization.request_id
            && let Some(request) = db.auth_requests.get_mut(&request_id)
        {
            request.status = RequestStatus::Completed;
            request.updated_at = now;
        }
        data
    };
    crate::webhooks::emit(app, "authorization.created", data);
}

/// `POST /arc/v1/authorization-requests/{id}/complete`; the optional body
/// carries `external_verifications` for OTP sponsors.
pub(crate) async fn complete_request(
    State(app): Shared,
    Path(id): Path<String>,
    OptJson(body): OptJson<Verifications>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let rid = request_id(&id)?;
    let request = db
        .auth_requests
        .get(&rid)
        .cloned()
        .ok_or_else(|| ApiError::not_found("authorization request", &id))?;
    if request.status != RequestStatus::Open {
        return Err(ApiError::conflict(format!(
            "authorization request {rid} is already {}",
            request.status.as_str()
        )));
    }
    let sponsor = db
        .sponsor(&request.sponsor_slug)
        .cloned()
        .ok_or_else(|| ApiError::not_found("sponsor", &request.sponsor_slug))?;
    if request.lines.is_empty() {
        return Err(ApiError::unprocessable(
            "products",
            "the request has no products to authorize",
        ));
    }
    let missing: Vec<&str> = sponsor
        .required_documents
        .iter()
        .copied()
        .filter(|kind| {
            !request
                .indications
                .iter()
                .any(|i| i.file_type.eq_ignore_ascii_case(kind))
        })
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "071-422-missing-indication",
            format!(
                "sponsor {} needs these indications first: {}",
                sponsor.slug,
                missing.join(", ")
            ),
        )
        .with_info(json!({ "missing_file_types": missing })));
    }
    if sponsor.otp_required {
        db.consume_otp(
            &body.external_verifications,
            request.beneficiary_id,
            sponsor.slug,
        )?;
    }
    let authorization_id = issue(
        &app,
        &mut db,
        &sponsor,
        Some(rid),
        request.beneficiary_id,
        request.doctor.clone(),
        request.lines.clone(),
        true,
    );
    let now = app.clock.now();
    let stored = db.auth_requests.get_mut(&rid).expect("request exists");
    stored.authorization_ids.push(authorization_id);
    stored.status = match sponsor.decision {
        Decision::Sync => RequestStatus::Completed,
        Decision::Async => RequestStatus::PendingSponsor,
    };
    stored.updated_at = now;
    let stored = stored.clone();
    Ok(ok(request_json(&stored, &db)))
}

fn open_request_for_upload(db: &Db, id: &str) -> ApiResult<i64> {
    let rid = request_id(id)?;
    let request = db
        .auth_requests
        .get(&rid)
        .ok_or_else(|| ApiError::not_found("authorization request", id))?;
    if request.status != RequestStatus::Open {
        return Err(ApiError::conflict(format!(
            "authorization request {rid} no longer accepts indications"
        )));
    }
    Ok(rid)
}

fn store_indication(app: &App, rid: i64, file_name: String, file_type: String) -> Response {
    let mut db = app.db();
    let indication = Indication {
        id: format!("ind_{:06}", db.next()),
        file_name,
        file_type,
        created_at: app.clock.now(),
    };
    let body = indication.json();
    if let Some(request) = db.auth_requests.get_mut(&rid) {
        request.indications.push(indication);
    }
    created(body)
}

/// The query of a file upload: what the document is and what it is for.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FileQuery {
    document_type_slug: Option<String>,
    #[allow(dead_code)]
    coverage: Option<String>,
    #[allow(dead_code)]
    product_type: Option<String>,
    #[allow(dead_code)]
    authorization_id: Option<String>,
}

/// `POST /arc/v1/authorization-requests/{id}/files?document_type_slug=…`
/// (multipart: `file`; a `file_type` part is accepted when the query
/// names no document type).
pub(crate) async fn attach_indication_multipart(
    State(app): Shared,
    Path(id): Path<String>,
    Query(query): Query<FileQuery>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let rid = open_request_for_upload(&app.db(), &id)?;
    let upload = read_upload(multipart).await?;
    let (Some(file_name), Some(size)) = (upload.file_name, upload.file_size) else {
        return Err(ApiError::unprocessable("file", "the file part is required"));
    };
    if size == 0 {
        return Err(ApiError::unprocessable("file", "the file is empty"));
    }
    let file_type = query
        .document_type_slug
        .or_else(|| upload.texts.get("file_type").cloned())
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            ApiError::unprocessable("document_type_slug", "document_type_slug is required")
        })?;
    Ok(store_indication(&app, rid, file_name, file_type))
}

#[derive(Debug, Deserialize)]
pub(crate) struct Base64In {
    content: String,
    file_type: String,
    file_name: Option<String>,
}

/// `POST /arc/v1/authorization-requests/{id}/indications/base64`.
pub(crate) async fn attach_indication_base64(
    State(app): Shared,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Base64In>,
) -> ApiResult<Response> {
    let rid = open_request_for_upload(&app.db(), &id)?;
    let bytes = base64_decode(&body.content)
        .ok_or_else(|| ApiError::unprocessable("content", "content is not valid Base64"))?;
    if bytes.len() > MAX_UPLOAD {
        return Err(ApiError::too_large(MAX_UPLOAD));
    }
    if bytes.is_empty() {
        return Err(ApiError::unprocessable("content", "the file is empty"));
    }
    if body.file_type.trim().is_empty() {
        return Err(ApiError::unprocessable(
            "file_type",
            "file_type is required",
        ));
    }
    let file_name = body
        .file_name
        .unwrap_or_else(|| format!("{}.pdf", body.file_type.to_lowercase()));
    Ok(store_indication(&app, rid, file_name, body.file_type))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ClaimProductIn {
    #[allow(dead_code)]
    authorization_product_id: Option<i64>,
    product_id: Option<String>,
    quantity: i32,
    #[allow(dead_code)]
    price: f64,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreateAuthorizationIn {
    beneficiary_id: Value,
    sponsor_slug: String,
    diagnoses: Vec<DiagnosisIn>,
    doctor_name: String,
    doctor_medical_license_number: String,
    doctor_country_code: String,
    doctor_specialty_name: String,
    #[serde(default)]
    products: Vec<ClaimProductIn>,
    #[serde(default)]
    external_verifications: Vec<Value>,
}

/// `POST /arc/v1/authorizations`: a request and its decision in one call.
pub(crate) async fn create_authorization(
    State(app): Shared,
    ApiJson(body): ApiJson<CreateAuthorizationIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let (sponsor, beneficiary) =
        db.sponsor_and_beneficiary(&body.sponsor_slug, &body.beneficiary_id)?;
    if body.diagnoses.is_empty() {
        return Err(ApiError::unprocessable(
            "diagnoses",
            "at least one diagnosis is required",
        ));
    }
    let mut lines = Vec::new();
    for p in &body.products {
        let reference = p.product_id.as_deref().unwrap_or_default();
        let product = match reference.parse::<i64>() {
            Ok(id) => db.resolve_product(None, Some(id))?,
            Err(_) => db.resolve_product(Some(reference), None)?,
        };
        lines.push(new_line(&mut db, &product, p.quantity.max(1)));
    }
    if lines.is_empty() {
        return Err(ApiError::unprocessable(
            "products",
            "at least one product is required",
        ));
    }
    if sponsor.otp_required {
        db.consume_otp(&body.external_verifications, beneficiary.id, sponsor.slug)?;
    }
    let _ = diagnoses(&mut db, body.diagnoses, None);
    let doctor = Doctor {
        name: body.doctor_name,
        license: body.doctor_medical_license_number,
        country_code: body.doctor_country_code,
        specialty: body.doctor_specialty_name,
    };
    let id = issue(
        &app,
        &mut db,
        &sponsor,
        None,
        beneficiary.id,
        doctor,
        lines,
        true,
    );
    Ok(created(db.authorizations[&id].json()))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProductIn {
    product_id: i64,
    provider_product_code: Option<String>,
    authorized_quantity: Option<i32>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ExternalAuthorizationIn {
    beneficiary_id: Value,
    diagnoses: Vec<DiagnosisIn>,
    doctor_name: String,
    doctor_medical_license_number: String,
    doctor_country_code: String,
    doctor_specialty_name: Option<String>,
    payment_type: Option<String>,
    products: Vec<ProductIn>,
    #[serde(default)]
    provider_slugs: Vec<String>,
    sponsor_authorization_code: Option<String>,
}

/// `POST /arc/v1/authorizations/externally-processed`: records an
/// authorization the sponsor already approved elsewhere.
pub(crate) async fn create_external_authorization(
    State(app): Shared,
    ApiJson(body): ApiJson<ExternalAuthorizationIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let beneficiary = beneficiary_number(&body.beneficiary_id)
        .and_then(|id| db.beneficiary(id))
        .cloned()
        .ok_or_else(|| ApiError::unprocessable("beneficiary_id", "unknown beneficiary"))?;
    if body.diagnoses.is_empty() || body.products.is_empty() {
        return Err(ApiError::unprocessable(
            "products",
            "diagnoses and products must not be empty",
        ));
    }
    let mut lines = Vec::new();
    for p in &body.products {
        let product = db.resolve_product(p.provider_product_code.as_deref(), Some(p.product_id))?;
        lines.push(new_line(
            &mut db,
            &product,
            p.authorized_quantity.unwrap_or(1).max(1),
        ));
    }
    let payment_type = checked_payment_type(body.payment_type)?;
    let id = db.next();
    let now = app.clock.now();
    let authorization = Authorization {
        id,
        code: Some(format!("AUTH-SBX-{id:06}")),
        request_id: None,
        sponsor_slug: beneficiary.sponsor_slug.to_owned(),
        beneficiary_id: beneficiary.id,
        doctor: Doctor::from_parts(
            Some(body.doctor_name),
            Some(body.doctor_medical_license_number),
            Some(body.doctor_country_code),
            body.doctor_specialty_name,
        ),
        status: "APPROVED".to_owned(),
        kind: lines[0].kind,
        lines,
        payment_type: payment_type.unwrap_or_else(|| "DIRECT_PAYMENT".to_owned()),
        sponsor_authorization_code: body
            .sponsor_authorization_code
            .or_else(|| Some(format!("EXT-{id}"))),
        documents_ok: true,
        provider_slugs: if body.provider_slugs.is_empty() {
            vec!["sandbox-provider".to_owned()]
        } else {
            body.provider_slugs
        },
        activation_at: now.clone(),
        expiration_at: app.clock.in_days(30),
        created_at: now.clone(),
        updated_at: now,
    };
    let json = authorization.json();
    db.authorizations.insert(id, authorization);
    Ok(created(json))
}

fn checked_payment_type(value: Option<String>) -> ApiResult<Option<String>> {
    match value.as_deref() {
        None => Ok(None),
        Some("DIRECT_PAYMENT" | "REIMBURSEMENT") => Ok(value),
        Some(other) => Err(ApiError::unprocessable(
            "payment_type",
            format!("payment_type {other} is not DIRECT_PAYMENT or REIMBURSEMENT"),
        )),
    }
}

/// `GET /arc/v1/authorizations` (abridged provider view, paged).
pub(crate) async fn list_authorizations(
    State(app): Shared,
    Query(paging): Query<Paging>,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let db = app.db();
    let items = db
        .authorizations
        .values()
        .rev()
        .map(|a| a.abridged_json(db.beneficiary(a.beneficiary_id)))
        .collect();
    ok(page(
        items,
        &paging,
        &format!("{}{}", app.base_url, uri.path()),
    ))
}

/// `GET /arc/v1/authorizations/{id}`.
pub(crate) async fn get_authorization(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let db = app.db();
    let id = db.authorization_id(&id)?;
    Ok(ok(db.authorizations[&id].json()))
}

fn ensure_changeable(authorization: &Authorization) -> ApiResult<()> {
    if matches!(
        authorization.status.as_str(),
        "VOIDED" | "CLAIMED" | "PARTIALLY_CLAIMED" | "SENT_TO_SPONSOR"
    ) {
        return Err(ApiError::conflict(format!(
            "authorization {} is {} and cannot change",
            authorization.id, authorization.status
        )));
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
pub(crate) struct UpdateAuthorizationIn {
    #[allow(dead_code)]
    external_user_id: String,
    provider_slugs: Vec<String>,
    payment_type: Option<String>,
    #[serde(default)]
    products: Vec<ProductIn>,
}

/// `PUT /arc/v1/authorizations/{id}`.
pub(crate) async fn update_authorization(
    State(app): Shared,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateAuthorizationIn>,
) -> ApiResult<Response> {
    let payment_type = checked_payment_type(body.payment_type)?;
    let data = {
        let mut db = app.db();
        let id = db.authorization_id(&id)?;
        let now = app.clock.now();
        let authorization = db.authorizations.get_mut(&id).expect("exists");
        ensure_changeable(authorization)?;
        for p in &body.products {
            let line = authorization
                .lines
                .iter_mut()
                .find(|l| l.product_id == p.product_id)
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "products.product_id",
                        format!("product {} is not part of this authorization", p.product_id),
                    )
                })?;
            if let Some(q) = p.authorized_quantity {
                line.authorized_quantity = q.max(0);
            }
        }
        if !body.provider_slugs.is_empty() {
            authorization.provider_slugs = body.provider_slugs;
        }
        if let Some(payment_type) = payment_type {
            authorization.payment_type = payment_type;
        }
        authorization.updated_at = now;
        (authorization.json(), authorization.event_json())
    };
    crate::webhooks::emit(&app, "authorization.updated", data.1);
    Ok(ok(data.0))
}

#[derive(Debug, Deserialize)]
pub(crate) struct PaymentTypeIn {
    payment_type: Option<String>,
    #[allow(dead_code)]
    sponsor_notes: Option<String>,
}

/// `PUT /arc/v1/authorizations/{id}/payment-type`.
pub(crate) async fn update_payment_type(
    State(app): Shared,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PaymentTypeIn>,
) -> ApiResult<Response> {
    let payment_type = checked_payment_type(body.payment_type)?
        .ok_or_else(|| ApiError::unprocessable("payment_type", "payment_type is required"))?;
    let data = {
        let mut db = app.db();
        let id = db.authorization_id(&id)?;
        let now = app.clock.now();
        let authorization = db.authorizations.get_mut(&id).expect("exists");
        ensure_changeable(authorization)?;
        authorization.payment_type = payment_type;
        authorization.updated_at = now;
        (authorization.json(), authorization.event_json())
    };
    crate::webhooks::emit(&app, "authorization.updated", data.1);
    Ok(ok(data.0))
}

/// `POST /arc/v1/authorizations/{id}/void`.
pub(crate) async fn void_authorization(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let data = {
        let mut db = app.db();
        let id = db.authorization_id(&id)?;
        let busy = db.dispensations.values().any(|d| {
            d.redeems == crate::store::Redeems::Authorization(id)
                && matches!(
                    d.status,
                    crate::store::DispStatus::Started
                        | crate::store::DispStatus::PendingVerification
                )
        });
        let now = app.clock.now();
        let authorization = db.authorizations.get_mut(&id).expect("exists");
        if matches!(
            authorization.status.as_str(),
            "VOIDED" | "CLAIMED" | "PARTIALLY_CLAIMED"
        ) || busy
        {
            return Err(ApiError::conflict(format!(
                "authorization {id} is {}{} and cannot be voided",
                authorization.status,
                if busy {
                    " with a dispensation in progress"
                } else {
                    ""
                }
            )));
        }
        authorization.status = "VOIDED".to_owned();
        authorization.updated_at = now;
        (authorization.json(), authorization.event_json())
    };
    crate::webhooks::emit(&app, "authorization.voided", data.1);
    Ok(ok(data.0))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ClaimLineIn {
    authorization_product_id: i64,
    price: f64,
    quantity: i32,
}

#[derive(Debug, Deserialize)]
pub(crate) struct AuthorizationClaimIn {
    products: Vec<ClaimLineIn>,
}

/// `POST /arc/v1/authorizations/{id}/claims`.
pub(crate) async fn claim_authorization(
    State(app): Shared,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AuthorizationClaimIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let id = db.authorization_id(&id)?;
    let mut authorization = db.authorizations[&id].clone();
    if !matches!(
        authorization.status.as_str(),
        "APPROVED" | "PARTIALLY_CLAIMED"
    ) {
        return Err(ApiError::conflict(format!(
            "authorization {id} is {} and cannot be claimed",
            authorization.status
        )));
    }
    if body.products.is_empty() {
        return Err(ApiError::unprocessable(
            "products",
            "at least one product line is required",
        ));
    }
    let mut claim_lines = Vec::new();
    for p in &body.products {
        let line = authorization
            .lines
            .iter_mut()
            .find(|l| l.id == p.authorization_product_id)
            .ok_or_else(|| {
                ApiError::unprocessable(
                    "products.authorization_product_id",
                    format!(
                        "line {} is not part of authorization {id}",
                        p.authorization_product_id
                    ),
                )
            })?;
        if p.quantity <= 0 || p.quantity > line.authorized_quantity - line.claimed_quantity {
            return Err(ApiError::unprocessable(
                "products.quantity",
                format!(
                    "line {} has {} left to claim",
                    line.id,
                    line.authorized_quantity - line.claimed_quantity
                ),
            ));
        }
        if p.price < 0.0 {
            return Err(ApiError::unprocessable(
                "products.price",
                "price must not be negative",
            ));
        }
        line.claimed_quantity += p.quantity;
        claim_lines.push(ClaimLine {
            id: 0,
            product_id: line.product_id,
            code: line.code.clone(),
            name: line.name.clone(),
            kind: line.kind,
            quantity: p.quantity,
            unit_price: p.price,
        });
    }
    for line in &mut claim_lines {
        line.id = db.next();
    }
    authorization.mark_claimed();
    let now = app.clock.now();
    authorization.updated_at = now.clone();
    let claim = db.new_claim(&authorization, claim_lines, "COMPLETED", &now);
    db.authorizations.insert(id, authorization);
    let json = claim.json();
    db.claims.insert(claim.id, claim);
    Ok(created(json))
}

#[derive(Debug, Deserialize)]
pub(crate) struct BiometricIn {
    beneficiary_id: Value,
    reading: String,
    sponsor_slug: String,
    #[serde(rename = "type")]
    kind: String,
}

/// `POST /arc/v2/biometric-readings`.
pub(crate) async fn create_biometric(
    State(app): Shared,
    ApiJson(body): ApiJson<BiometricIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    db.sponsor_and_beneficiary(&body.sponsor_slug, &body.beneficiary_id)?;
    if !matches!(
        body.kind.as_str(),
        "FACE_RECOGNITION" | "FINGERPRINT_READING" | "FACE_RECOGNITION_OR_FINGERPRINT_READING"
    ) {
        return Err(ApiError::unprocessable("type", "unknown biometric type"));
    }
    let bytes = base64_decode(&body.reading)
        .ok_or_else(|| ApiError::unprocessable("reading", "reading is not valid Base64"))?;
    if bytes.len() > MAX_UPLOAD {
        return Err(ApiError::too_large(MAX_UPLOAD));
    }
    let matched = !bytes.is_empty();
    let reading = json!({
        "id": random_uuid(),
        "type": body.kind,
        "verification_status": if matched { "VERIFICATION_SUCCESS" } else { "VERIFICATION_FAILURE" },
        "confidence": if matched { 0.97 } else { 0.0 },
        "failure_description": if matched { Value::Null } else { json!("the reading is empty") },
        "expires_at": crate::clock::rfc3339(app.clock.unix() + 600),
    });
    db.biometrics.insert(
        reading["id"].as_str().unwrap_or_default().to_owned(),
        reading.clone(),
    );
    Ok(created(reading))
}

/// `GET /arc/v2/biometric-readings/{id}`.
pub(crate) async fn get_biometric(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let db = app.db();
    db.biometrics
        .get(&id)
        .cloned()
        .map(ok)
        .ok_or_else(|| ApiError::not_found("biometric reading", &id))
}

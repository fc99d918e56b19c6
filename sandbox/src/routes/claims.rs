//! Outpatient-care claims (with their monitors) and medical-procedure
//! claims.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::Shared;
use crate::input::numeric_id;
use crate::reply::{ApiError, ApiJson, ApiResult, OptJson, created, ok};
use crate::state::random_uuid;
use crate::store::{Claim, ClaimLine, Db, Decision, Doctor, Monitor, ProcedureClaim};

#[derive(Debug, Deserialize)]
pub(crate) struct LineItemIn {
    product_code: String,
    quantity: Option<i32>,
    unit_price: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct OutpatientIn {
    beneficiary_id: Value,
    sponsor_slug: String,
    doctor_name: String,
    doctor_medical_license_number: String,
    doctor_country_code: String,
    doctor_specialty_name: Option<String>,
    authorization_id: Option<String>,
    #[serde(default)]
    line_items: Vec<LineItemIn>,
}

/// `POST /arc/v1/outpatient-care-claim`: opens a claim (status OPEN).
pub(crate) async fn create_outpatient(
    State(app): Shared,
    ApiJson(body): ApiJson<OutpatientIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let (sponsor, beneficiary) =
        db.sponsor_and_beneficiary(&body.sponsor_slug, &body.beneficiary_id)?;
    let authorization = match body.authorization_id.as_deref() {
        Some(raw) => {
            let id = db.find_authorization(raw).ok_or_else(|| {
                ApiError::unprocessable("authorization_id", format!("unknown authorization {raw}"))
            })?;
            let a = db.authorizations[&id].clone();
            if a.beneficiary_id != beneficiary.id {
                return Err(ApiError::unprocessable(
                    "authorization_id",
                    "the authorization belongs to another beneficiary",
                ));
            }
            Some(a)
        }
        None => None,
    };
    let mut lines = Vec::new();
    for item in &body.line_items {
        let product = db.resolve_product(Some(&item.product_code), None)?;
        lines.push(ClaimLine {
            id: db.next(),
            product_id: product.product_id,
            code: product.code.to_owned(),
            name: product.name.to_owned(),
            kind: product.kind,
            quantity: item.quantity.unwrap_or(1).max(1),
            unit_price: item.unit_price.unwrap_or(product.unit_price),
        });
    }
    let files = authorization
        .as_ref()
        .and_then(|a| a.request_id)
        .and_then(|r| db.auth_requests.get(&r))
        .map(|r| r.indications.clone())
        .unwrap_or_default();
    let now = app.clock.now();
    let claim = Claim {
        id: db.next(),
        authorization_id: authorization.as_ref().map(|a| a.id),
        authorization_code: authorization.and_then(|a| a.code),
        beneficiary_id: beneficiary.id,
        sponsor_slug: sponsor.slug.to_owned(),
        doctor: Doctor::from_parts(
            Some(body.doctor_name),
            Some(body.doctor_medical_license_number),
            Some(body.doctor_country_code),
            body.doctor_specialty_name,
        ),
        status: "OPEN".to_owned(),
        lines,
        currency: sponsor.currency.to_owned(),
        document_number: None,
        document_date: None,
        document_serial: None,
        files,
        settled: false,
        created_at: now.clone(),
        updated_at: now.clone(),
    };
    let answer = json!({ "claim_id": claim.id.to_string(), "status": "OPEN", "created_at": now });
    db.claims.insert(claim.id, claim);
    Ok(created(answer))
}

fn claim_id(db: &Db, raw: &str) -> ApiResult<i64> {
    numeric_id(raw)
        .filter(|id| db.claims.contains_key(id))
        .ok_or_else(|| ApiError::not_found("claim", raw))
}

/// `GET /arc/v1/outpatient-care-claim/{id}`.
pub(crate) async fn get_outpatient(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let db = app.db();
    let id = claim_id(&db, &id)?;
    Ok(ok(db.claims[&id].json()))
}

/// `GET /arc/v1/outpatient-care-claim/{id}/authorization-files`.
pub(crate) async fn outpatient_files(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let db = app.db();
    let id = claim_id(&db, &id)?;
    Ok(ok(Value::Array(
        db.claims[&id]
            .files
            .iter()
            .map(crate::store::file_json)
            .collect(),
    )))
}

#[derive(Debug, Deserialize)]
pub(crate) struct CompleteOutpatientIn {
    doctor_name: String,
    doctor_medical_license_number: String,
    doctor_country_code: String,
    doctor_specialty_name: String,
    document_number: Option<String>,
    document_date: Option<String>,
    document_serial: Option<String>,
    biometric_reading_id: Option<String>,
}

fn monitor_json(monitor: &Monitor, claim: Option<&Claim>) -> Value {
    let mut body = json!({
        "monitor_resource": {
            "id": monitor.id,
            "status": monitor.status(),
            "location": format!("/arc/v1/outpatient-care-claim/monitors/{}", monitor.id),
            "error_details": [],
            "claim_id": monitor.claim_id.to_string(),
            "created_at": monitor.created_at,
            "updated_at": monitor.updated_at,
        },
    });
    if monitor.status() == "COMPLETED"
        && let Some(claim) = claim
    {
        let mut resource = claim.json();
        resource["claim_id"] = json!(claim.id);
        resource["amount"] = json!(claim.amount());
        resource["copayment"] = json!(0.0);
        resource["coinsurance"] = json!(0.0);
        body["outpatient_care_claim_resource"] = resource;
    }
    body
}

/// `POST /arc/v1/outpatient-care-claim/{id}/complete`: always 202 with a
/// monitor. The asynchronous sponsor's monitor starts PENDING and the
/// answer carries `Location`; synchronous sponsors finish in the call.
pub(crate) async fn complete_outpatient(
    State(app): Shared,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CompleteOutpatientIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let cid = claim_id(&db, &id)?;
    let claim = db.claims[&cid].clone();
    if claim.status != "OPEN" {
        return Err(ApiError::conflict(format!(
            "claim {cid} is {} and cannot be completed",
            claim.status
        )));
    }
    if let Some(reading) = &body.biometric_reading_id
        && !db.biometrics.contains_key(reading)
    {
        return Err(ApiError::unprocessable(
            "biometric_reading_id",
            format!("unknown biometric reading {reading}"),
        ));
    }
    let asynchronous = db
        .sponsor(&claim.sponsor_slug)
        .is_some_and(|s| s.decision == Decision::Async);
    let now = app.clock.now();
    let monitor = Monitor {
        id: random_uuid(),
        claim_id: cid,
        step: if asynchronous { 0 } else { 2 },
        ready_at: Instant::now() + app.config.async_sponsor_delay_value(),
        created_at: now.clone(),
        updated_at: now.clone(),
    };
    let stored = db.claims.get_mut(&cid).expect("claim exists");
    stored.doctor = Doctor {
        name: body.doctor_name,
        license: body.doctor_medical_license_number,
        country_code: body.doctor_country_code,
        specialty: body.doctor_specialty_name,
    };
    stored.document_number = body.document_number;
    stored.document_date = body.document_date;
    stored.document_serial = body.document_serial;
    stored.status = if asynchronous {
        "IN_PROGRESS"
    } else {
        "COMPLETED"
    }
    .to_owned();
    stored.updated_at = now;
    let claim = stored.clone();
    let answer = monitor_json(&monitor, Some(&claim));
    let location = format!("/arc/v1/outpatient-care-claim/monitors/{}", monitor.id);
    db.monitors.insert(monitor.id.clone(), monitor);
    let mut response = (StatusCode::ACCEPTED, axum::Json(answer)).into_response();
    if asynchronous {
        response.headers_mut().insert(
            header::LOCATION,
            HeaderValue::from_str(&location).expect("a monitor path is a valid header"),
        );
    }
    Ok(response)
}

/// `GET /arc/v1/outpatient-care-claim/monitors/{monitorId}`: each poll
/// moves the monitor one step (PENDING → IN_PROGRESS → COMPLETED), and it
/// is COMPLETED anyway once the async sponsor delay has passed.
pub(crate) async fn get_monitor(State(app): Shared, Path(id): Path<String>) -> ApiResult<Response> {
    let mut db = app.db();
    let now = app.clock.now();
    let monitor = db
        .monitors
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("claim monitor", &id))?;
    if monitor.step < 2 {
        monitor.step = if Instant::now() >= monitor.ready_at {
            2
        } else {
            monitor.step + 1
        };
        monitor.updated_at = now.clone();
    }
    let monitor = monitor.clone();
    if monitor.step == 2
        && let Some(claim) = db.claims.get_mut(&monitor.claim_id)
        && claim.status == "IN_PROGRESS"
    {
        claim.status = "COMPLETED".to_owned();
        claim.updated_at = now;
    }
    Ok(ok(monitor_json(&monitor, db.claims.get(&monitor.claim_id))))
}

/// `POST /arc/v1/outpatient-care-claim/{id}/void`: only an OPEN claim.
pub(crate) async fn void_outpatient(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let cid = claim_id(&db, &id)?;
    let now = app.clock.now();
    let claim = db.claims.get_mut(&cid).expect("claim exists");
    if claim.status != "OPEN" {
        return Err(ApiError::conflict(format!(
            "claim {cid} is {} and cannot be voided",
            claim.status
        )));
    }
    claim.status = "VOIDED".to_owned();
    claim.updated_at = now;
    Ok(ok(claim.json()))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProcedureProductIn {
    product_id: i64,
    provider_product_code: Option<String>,
    authorized_quantity: Option<i32>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProcedureIn {
    beneficiary_id: Value,
    sponsor_slug: String,
    authorization_code: Option<String>,
    additional_notes: Option<String>,
    #[serde(default)]
    products: Vec<ProcedureProductIn>,
}

/// `POST /arc/v1/medical-procedure-claim` (status IN_PROGRESS).
pub(crate) async fn create_procedure(
    State(app): Shared,
    ApiJson(body): ApiJson<ProcedureIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let (sponsor, beneficiary) =
        db.sponsor_and_beneficiary(&body.sponsor_slug, &body.beneficiary_id)?;
    if let Some(code) = &body.authorization_code
        && db.find_authorization(code).is_none()
    {
        return Err(ApiError::unprocessable(
            "authorization_code",
            format!("unknown authorization {code}"),
        ));
    }
    let mut amount = 0.0;
    let mut products = Vec::new();
    for p in &body.products {
        let product = db.resolve_product(p.provider_product_code.as_deref(), Some(p.product_id))?;
        let quantity = p.authorized_quantity.unwrap_or(1).max(1);
        amount += product.unit_price * f64::from(quantity);
        products.push(json!({
            "product_id": product.product_id,
            "provider_product_code": product.code,
            "authorized_quantity": quantity,
            "status": "APPROVED",
        }));
    }
    let claim = ProcedureClaim {
        id: db.next(),
        sponsor_slug: sponsor.slug.to_owned(),
        beneficiary_id: beneficiary.id,
        authorization_code: body.authorization_code,
        products,
        status: "IN_PROGRESS",
        amount: (amount * 100.0).round() / 100.0,
        additional_notes: body.additional_notes,
    };
    let json = claim.json();
    db.procedure_claims.insert(claim.id, claim);
    Ok(created(json))
}

fn procedure<'a>(db: &'a mut Db, raw: &str) -> ApiResult<&'a mut ProcedureClaim> {
    numeric_id(raw)
        .and_then(|id| db.procedure_claims.get_mut(&id))
        .ok_or_else(|| ApiError::not_found("medical-procedure claim", raw))
}

/// `GET /arc/v1/medical-procedure-claim/{id}`.
pub(crate) async fn get_procedure(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut db = app.db();
    Ok(ok(procedure(&mut db, &id)?.json()))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CompleteProcedureIn {
    additional_notes: Option<String>,
    biometric_reading_id: Option<String>,
}

/// `POST /arc/v1/medical-procedure-claim/{id}/complete`.
pub(crate) async fn complete_procedure(
    State(app): Shared,
    Path(id): Path<String>,
    OptJson(body): OptJson<CompleteProcedureIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    if let Some(reading) = &body.biometric_reading_id
        && !db.biometrics.contains_key(reading)
    {
        return Err(ApiError::unprocessable(
            "biometric_reading_id",
            format!("unknown biometric reading {reading}"),
        ));
    }
    let claim = procedure(&mut db, &id)?;
    if claim.status != "IN_PROGRESS" {
        return Err(ApiError::conflict(format!(
            "claim {id} is {} and cannot be completed",
            claim.status
        )));
    }
    claim.status = "COMPLETED";
    if body.additional_notes.is_some() {
        claim.additional_notes = body.additional_notes;
    }
    Ok(ok(claim.json()))
}

/// `POST /arc/v1/medical-procedure-claim/{id}/void`.
pub(crate) async fn void_procedure(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let claim = procedure(&mut db, &id)?;
    if claim.status != "IN_PROGRESS" {
        return Err(ApiError::conflict(format!(
            "claim {id} is {} and cannot be voided",
            claim.status
        )));
    }
    claim.status = "VOIDED";
    Ok(ok(claim.json()))
}

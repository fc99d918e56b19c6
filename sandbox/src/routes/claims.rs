//! Outpatient-care claims (with their monitors) and medical-procedure
//! claims.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use osigu::types;
use serde::Deserialize;
use tokio::time::Instant;

use crate::input::numeric_id;
use crate::reply::path_of;
use crate::reply::{ApiError, ApiJson, ApiResult, OptJson, created, ok, refuse_if, set_location};
use crate::state::Shared;
use crate::store::{Claim, Db, Decision, Doctor, Indication, Monitor, ProcedureClaim};
use crate::typed::typed;

/// A line the guides' outpatient claim carries.
#[derive(Debug, Deserialize)]
pub(crate) struct LineItemIn {
    product_code: String,
    quantity: Option<i32>,
    unit_price: Option<f64>,
}

/// `OutpatientCareClaimRequest`, plus the guides' `authorization_id` and
/// `line_items`.
#[derive(Debug, Deserialize)]
pub(crate) struct OutpatientIn {
    #[serde(flatten)]
    claim: types::OutpatientCareClaimRequest,
    authorization_id: Option<String>,
    #[serde(default)]
    line_items: Vec<LineItemIn>,
}

/// `createOutpatientCareClaim`: opens a claim (status OPEN).
pub(crate) async fn create_outpatient(
    State(app): Shared,
    ApiJson(body): ApiJson<OutpatientIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let claim = body.claim;
    let (sponsor, beneficiary) =
        db.sponsor_and_beneficiary(&claim.sponsor_slug, claim.beneficiary_id)?;
    let authorization = match body.authorization_id.as_deref() {
        Some(raw) => {
            let id = db.find_authorization(raw).ok_or_else(|| {
                ApiError::unprocessable("authorization_id", format!("unknown authorization {raw}"))
            })?;
            let a = db.authorizations[&id].clone();
            refuse_if!(a.beneficiary_id != beneficiary.id; "authorization_id", "the authorization belongs to another beneficiary");
            Some(a)
        }
        None => None,
    };
    let mut lines = Vec::new();
    for item in &body.line_items {
        let product = db.resolve_product(Some(&item.product_code), None)?;
        let quantity = item.quantity.unwrap_or(1).max(1);
        let mut line = db.new_line(&product, quantity);
        line.unit_price = item.unit_price.unwrap_or(product.unit_price);
        lines.push(line);
    }
    let files: Vec<Indication> = authorization
        .as_ref()
        .and_then(|a| a.request_id)
        .and_then(|r| db.auth_requests.get(&r))
        .map(|r| r.indications.clone())
        .unwrap_or_default();
    let now = app.clock.now();
    let stored = Claim {
        id: db.next(),
        authorization_id: authorization.as_ref().map(|a| a.id),
        authorization_code: authorization.and_then(|a| a.code),
        beneficiary_id: beneficiary.id,
        sponsor_slug: sponsor.slug.to_owned(),
        doctor: Doctor::from_parts(
            Some(claim.doctor_name),
            Some(claim.doctor_medical_license_number),
            Some(claim.doctor_country_code),
            claim.doctor_specialty_name,
        ),
        status: "OPEN".to_owned(),
        lines,
        currency: sponsor.currency.to_owned(),
        document_number: None,
        document_date: None,
        document_serial: None,
        files,
        settled: false,
        updated_at: now,
    };
    let answer = typed!(types::OutpatientCareClaimCreatedResponse;
        claim_id = stored.id.to_string(), status = "OPEN", created_at = now);
    db.claims.insert(stored.id, stored);
    Ok(created(answer))
}

fn claim_id(db: &Db, raw: &str) -> ApiResult<i64> {
    numeric_id(raw)
        .filter(|id| db.claims.contains_key(id))
        .ok_or_else(|| ApiError::not_found("claim", raw))
}

/// `getOutpatientCareClaim`.
pub(crate) async fn get_outpatient(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let db = app.db();
    let id = claim_id(&db, &id)?;
    Ok(ok(db.claims[&id].resource()))
}

/// `getClaimAuthorizationFiles`.
pub(crate) async fn outpatient_files(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let db = app.db();
    let id = claim_id(&db, &id)?;
    let files: Vec<_> = db.claims[&id]
        .files
        .iter()
        .map(Indication::claim_file)
        .collect();
    Ok(ok(files))
}

/// Where a claim monitor is read.
fn monitor_path(monitor: &Monitor) -> String {
    path_of("getOutpatientCareClaimMonitor", &[&monitor.id.to_string()])
}

/// `completeOutpatientCareClaim`: always 202 with a monitor. The
/// asynchronous sponsor's monitor starts PENDING and the answer carries
/// `Location`; synchronous sponsors finish in the call.
pub(crate) async fn complete_outpatient(
    State(app): Shared,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<types::CompleteProviderOutpatientCareClaimRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let cid = claim_id(&db, &id)?;
    let status = db.claims[&cid].status.clone();
    if status != "OPEN" {
        return Err(ApiError::conflict(format!(
            "claim {cid} is {status} and cannot be completed"
        )));
    }
    known_reading(&db, body.biometric_reading_id)?;
    let sponsor = db.claims[&cid].sponsor_slug.clone();
    let asynchronous = db
        .sponsor(&sponsor)
        .is_some_and(|s| s.decision == Decision::Async);
    let monitor = Monitor {
        id: crate::state::random_uuid(),
        claim_id: cid,
        step: if asynchronous { 0 } else { 2 },
        ready_at: Instant::now() + app.config.async_sponsor_delay_value(),
    };
    let stored = db
        .claims
        .get_mut(&cid)
        .ok_or_else(|| ApiError::not_found("claim", &id))?;
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
    stored.updated_at = app.clock.now();
    let location = monitor_path(&monitor);
    let answer = monitor.resource(location.clone(), Some(stored));
    db.monitors.insert(monitor.id.to_string(), monitor);
    let mut response = (StatusCode::ACCEPTED, axum::Json(answer)).into_response();
    if asynchronous {
        set_location(&mut response, &location);
    }
    Ok(response)
}

/// 422 when a biometric reading is named but unknown.
fn known_reading(db: &Db, reading: Option<uuid::Uuid>) -> ApiResult<()> {
    match reading {
        Some(id) if !db.biometrics.contains_key(&id.to_string()) => Err(ApiError::unprocessable(
            "biometric_reading_id",
            format!("unknown biometric reading {id}"),
        )),
        _ => Ok(()),
    }
}

/// `getOutpatientCareClaimMonitor`: each poll moves the monitor one step
/// (PENDING → IN_PROGRESS → COMPLETED), and it is COMPLETED anyway once the
/// async sponsor delay has passed.
pub(crate) async fn get_monitor(State(app): Shared, Path(id): Path<String>) -> ApiResult<Response> {
    let mut db = app.db();
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
    }
    let monitor = monitor.clone();
    let now = app.clock.now();
    if monitor.step == 2
        && let Some(claim) = db.claims.get_mut(&monitor.claim_id)
        && claim.status == "IN_PROGRESS"
    {
        claim.status = "COMPLETED".to_owned();
        claim.updated_at = now;
    }
    let answer = monitor.resource(monitor_path(&monitor), db.claims.get(&monitor.claim_id));
    Ok(ok(answer))
}

/// `voidOutpatientCareClaim`: only an OPEN claim.
pub(crate) async fn void_outpatient(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let cid = claim_id(&db, &id)?;
    let now = app.clock.now();
    let claim = db
        .claims
        .get_mut(&cid)
        .ok_or_else(|| ApiError::not_found("claim", &id))?;
    if claim.status != "OPEN" {
        return Err(ApiError::conflict(format!(
            "claim {cid} is {} and cannot be voided",
            claim.status
        )));
    }
    claim.status = "VOIDED".to_owned();
    claim.updated_at = now;
    Ok(ok(claim.resource()))
}

/// `createMedicalProcedureClaim` (status IN_PROGRESS).
pub(crate) async fn create_procedure(
    State(app): Shared,
    ApiJson(body): ApiJson<types::MedicalProcedureClaimRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    db.sponsor_and_beneficiary(&body.sponsor_slug, body.beneficiary_id)?;
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
        let line = types::Product::builder(product.product_id)
            .provider_product_code(product.code)
            .authorized_quantity(quantity)
            .status(types::AuthorizationStatus::Approved);
        products.push(
            types::Product::try_from(line)
                .map_err(|e| ApiError::internal(format!("a claim line did not build: {e}")))?,
        );
    }
    let claim = ProcedureClaim {
        id: db.next(),
        products,
        status: "IN_PROGRESS",
        amount: (amount * 100.0).round() / 100.0,
        additional_notes: body.additional_notes,
    };
    let answer = claim.resource();
    db.procedure_claims.insert(claim.id, claim);
    Ok(created(answer))
}

/// The procedure claim, if it is still IN_PROGRESS (else 409 naming
/// `doing`).
fn open_procedure<'a>(db: &'a mut Db, raw: &str, doing: &str) -> ApiResult<&'a mut ProcedureClaim> {
    let claim = numeric_id(raw)
        .and_then(|id| db.procedure_claims.get_mut(&id))
        .ok_or_else(|| ApiError::not_found("medical-procedure claim", raw))?;
    if claim.status != "IN_PROGRESS" {
        return Err(ApiError::conflict(format!(
            "claim {raw} is {} and cannot be {doing}",
            claim.status
        )));
    }
    Ok(claim)
}

/// `getMedicalProcedureClaim`.
pub(crate) async fn get_procedure(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let db = app.db();
    numeric_id(&id)
        .and_then(|n| db.procedure_claims.get(&n))
        .map(|c| ok(c.resource()))
        .ok_or_else(|| ApiError::not_found("medical-procedure claim", &id))
}

/// `completeMedicalProcedureClaim`.
pub(crate) async fn complete_procedure(
    State(app): Shared,
    Path(id): Path<String>,
    OptJson(body): OptJson<types::CompleteMedicalProcedureClaimRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    known_reading(&db, body.biometric_reading_id)?;
    let claim = open_procedure(&mut db, &id, "completed")?;
    claim.status = "COMPLETED";
    if body.additional_notes.is_some() {
        claim.additional_notes = body.additional_notes;
    }
    Ok(ok(claim.resource()))
}

/// `voidMedicalProcedureClaim`.
pub(crate) async fn void_procedure(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let claim = open_procedure(&mut db, &id, "voided")?;
    claim.status = "VOIDED";
    Ok(ok(claim.resource()))
}

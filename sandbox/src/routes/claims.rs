//! Outpatient-care claims (with their monitors) and medical-procedure
//! claims.

use tokio::time::Instant;

use super::prelude::*;
use crate::input::numeric_id;
use crate::store::{Decision, Monitor, cents, claim_file};
use types::MedicalProcedureClaimStatus::{Completed, Voided};
use types::MonitorStatus::{Completed as Done, InProgress, Pending};

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
    let mut authorization = None;
    if let Some(raw) = body.authorization_id.as_deref() {
        let message = format!("unknown authorization {raw}");
        let id = db.find_authorization(raw);
        let id = id.ok_or_else(|| ApiError::unprocessable("authorization_id", message))?;
        let a = db.authorizations[&id].clone();
        refuse_if!(a.beneficiary_id != beneficiary.id; "authorization_id", "the authorization belongs to another beneficiary");
        authorization = Some(a);
    }
    let mut lines = Vec::new();
    for item in &body.line_items {
        let quantity = item.quantity.unwrap_or(1).max(1);
        let mut line = db.line(Some(&item.product_code), None, quantity)?;
        line.unit_price = item.unit_price.unwrap_or(line.unit_price);
        lines.push(line);
    }
    let now = app.clock.now();
    let (sponsor, beneficiary) = (sponsor.slug, beneficiary.id);
    let stored = db.new_claim(
        sponsor,
        beneficiary,
        authorization.as_ref(),
        lines,
        "OPEN",
        now,
    );
    let answer = typed!(types::OutpatientCareClaimCreatedResponse;
        claim_id = stored.id().to_string(), status = "OPEN", created_at = now);
    db.claims.insert(stored.id(), stored);
    Ok(created(answer))
}

fn claim_id(db: &Db, raw: &str) -> ApiResult<i64> {
    numeric_id(raw)
        .filter(|id| db.claims.contains_key(id))
        .or_404("claim", raw)
}

/// `getOutpatientCareClaim`.
pub(crate) async fn get_outpatient(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    let db = app.db();
    let id = claim_id(&db, &id)?;
    Ok(ok(&db.claims[&id].resource))
}

/// `getClaimAuthorizationFiles`: the documents of the request the claim's
/// authorization was decided from.
pub(crate) async fn outpatient_files(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    let db = app.db();
    let id = claim_id(&db, &id)?;
    let authorization = db.claims[&id]
        .authorization_id
        .and_then(|a| db.authorizations.get(&a));
    let request = authorization.and_then(|a| db.auth_requests.get(&a.request_id?));
    let files = request.into_iter().flat_map(|r| r.indications.iter());
    Ok(ok_list(files.map(claim_file)))
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
    Path(id): Id,
    ApiJson(body): ApiJson<types::CompleteProviderOutpatientCareClaimRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let cid = claim_id(&db, &id)?;
    let status = db.claims[&cid].status();
    conflict_if!(status != "OPEN"; "claim {cid} is {status} and cannot be completed");
    known_reading(&db, body.biometric_reading_id)?;
    let sponsor = db.claims[&cid].resource.sponsor_slug.as_deref();
    let sponsor = sponsor.and_then(|slug| db.sponsor(slug));
    let asynchronous = sponsor.is_some_and(|s| s.decision == Decision::Async);
    let monitor = Monitor {
        id: crate::state::random_uuid(),
        claim_id: cid,
        status: if asynchronous { Pending } else { Done },
        ready_at: Instant::now() + app.config.async_sponsor_delay_value(),
    };
    let stored = db.claims.get_mut(&cid).or_404("claim", &id)?;
    stored.resource.document_number = body.document_number;
    stored.resource.document_date = body.document_date;
    stored.resource.document_serial = body.document_serial;
    let status = if asynchronous {
        "IN_PROGRESS"
    } else {
        "COMPLETED"
    };
    stored.set_status(status, app.clock.now());
    let location = monitor_path(&monitor);
    let answer = monitor.resource(location.clone(), Some(stored));
    db.monitors.insert(monitor.id.to_string(), monitor);
    let response = (StatusCode::ACCEPTED, axum::Json(answer)).into_response();
    if !asynchronous {
        return Ok(response);
    }
    Ok(located(response, &location))
}

/// 422 when a biometric reading is named but unknown.
fn known_reading(db: &Db, reading: Option<uuid::Uuid>) -> ApiResult<()> {
    if let Some(id) = reading {
        let unknown = !db.biometrics.contains_key(&id.to_string());
        refuse_if!(unknown; "biometric_reading_id", format!("unknown biometric reading {id}"));
    }
    Ok(())
}

/// `getOutpatientCareClaimMonitor`: each poll moves the monitor one step
/// (PENDING → IN_PROGRESS → COMPLETED), and it is COMPLETED anyway once the
/// async sponsor delay has passed.
pub(crate) async fn get_monitor(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    let mut db = app.db();
    let monitor = db.monitors.get_mut(&id).or_404("claim monitor", &id)?;
    let ready = Instant::now() >= monitor.ready_at;
    monitor.status = match monitor.status {
        Pending if !ready => InProgress,
        _ => Done,
    };
    let monitor = monitor.clone();
    let now = app.clock.now();
    if monitor.done()
        && let Some(claim) = db.claims.get_mut(&monitor.claim_id)
        && claim.status() == "IN_PROGRESS"
    {
        claim.set_status("COMPLETED", now);
    }
    let answer = monitor.resource(monitor_path(&monitor), db.claims.get(&monitor.claim_id));
    Ok(ok(answer))
}

/// `voidOutpatientCareClaim`: only an OPEN claim.
pub(crate) async fn void_outpatient(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    let mut db = app.db();
    let cid = claim_id(&db, &id)?;
    let now = app.clock.now();
    let claim = db.claims.get_mut(&cid).or_404("claim", &id)?;
    let status = claim.status();
    conflict_if!(status != "OPEN"; "claim {cid} is {status} and cannot be voided");
    claim.set_status("VOIDED", now);
    Ok(ok(&claim.resource))
}

/// `createMedicalProcedureClaim` (status IN_PROGRESS).
pub(crate) async fn create_procedure(
    State(app): Shared,
    ApiJson(body): ApiJson<types::MedicalProcedureClaimRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    db.sponsor_and_beneficiary(&body.sponsor_slug, body.beneficiary_id)?;
    if let Some(code) = &body.authorization_code {
        let unknown = db.find_authorization(code).is_none();
        refuse_if!(unknown; "authorization_code", format!("unknown authorization {code}"));
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
        let line = types::Product::try_from(line);
        let failed = |e| ApiError::internal(format!("a claim line did not build: {e}"));
        products.push(line.map_err(failed)?);
    }
    let id = db.next();
    let claim = typed!(types::MedicalProcedureClaimResource;
        claim_id = id, status = "IN_PROGRESS", amount = cents(amount), copayment = 0.0,
        coinsurance = 0.0, sponsor_transaction_id = format!("SPX-MP-{id}");
        products = products, additional_notes = body.additional_notes);
    db.procedure_claims.insert(id, claim.clone());
    Ok(created(claim))
}

/// The procedure claim, or 404.
fn procedure<'a>(
    db: &'a mut Db,
    raw: &str,
) -> ApiResult<&'a mut types::MedicalProcedureClaimResource> {
    let claim = numeric_id(raw).and_then(|id| db.procedure_claims.get_mut(&id));
    claim.or_404("medical-procedure claim", raw)
}

/// The procedure claim, if it is still IN_PROGRESS (else 409 naming
/// `doing`), moved to `status`.
fn settle_procedure<'a>(
    db: &'a mut Db,
    raw: &str,
    doing: &str,
    status: types::MedicalProcedureClaimStatus,
) -> ApiResult<&'a mut types::MedicalProcedureClaimResource> {
    let claim = procedure(db, raw)?;
    let current = claim.status.as_ref().map_or("", |s| s.as_str());
    conflict_if!(current != "IN_PROGRESS"; "claim {raw} is {current} and cannot be {doing}");
    claim.status = Some(status);
    Ok(claim)
}

/// `getMedicalProcedureClaim`.
pub(crate) async fn get_procedure(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    Ok(ok(procedure(&mut app.db(), &id)?))
}

/// `completeMedicalProcedureClaim`.
pub(crate) async fn complete_procedure(
    State(app): Shared,
    Path(id): Id,
    OptJson(body): OptJson<types::CompleteMedicalProcedureClaimRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    known_reading(&db, body.biometric_reading_id)?;
    let claim = settle_procedure(&mut db, &id, "completed", Completed)?;
    if body.additional_notes.is_some() {
        claim.additional_notes = body.additional_notes;
    }
    Ok(ok(claim))
}

/// `voidMedicalProcedureClaim`.
pub(crate) async fn void_procedure(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    Ok(ok(settle_procedure(&mut app.db(), &id, "voided", Voided)?))
}

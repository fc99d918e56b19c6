//! Authorizations (direct, externally processed, decided from a request),
//! their changes and claims, and biometric readings.

use std::sync::Arc;

use super::prelude::*;
use crate::input::base64_file;
use crate::state::{App, random_uuid};
use crate::store::{Authorization, Decision, Doctor, Redeems, Sponsor, otp_of};

/// Stores the authorization as the sponsor decides it: approved at once
/// by a synchronous sponsor, left `SENT_TO_SPONSOR` (and a decision
/// scheduled) by the asynchronous one. Returns its id.
pub(crate) fn issue(
    app: &Arc<App>,
    db: &mut Db,
    sponsor: &Sponsor,
    mut authorization: Authorization,
) -> i64 {
    let id = authorization.id;
    if sponsor.decision == Decision::Sync {
        // A synchronous sponsor approves as the authorization is created.
        authorization.approve(authorization.created_at);
    } else {
        let delay = app.config.async_sponsor_delay_value();
        let task_app = app.clone();
        app.spawn(async move {
            tokio::time::sleep(delay).await;
            decide_later(&task_app, id);
        });
    }
    db.authorizations.insert(id, authorization);
    id
}

/// The asynchronous sponsor's decision: approve, complete the request and
/// announce `authorization.created`.
fn decide_later(app: &Arc<App>, id: i64) {
    let data = {
        let mut db = app.db();
        let now = app.clock.now();
        let Some(authorization) = db.authorizations.get_mut(&id) else {
            return;
        };
        if authorization.status != "SENT_TO_SPONSOR" {
            return;
        }
        authorization.approve(now);
        let data = authorization.event_data();
        if let Some(request_id) = authorization.request_id
            && let Some(request) = db.auth_requests.get_mut(&request_id)
        {
            request.status = "COMPLETED";
            request.updated_at = now;
        }
        data
    };
    crate::webhooks::emit(app, "authorization.created", data);
}

/// `CreateAuthorizationRequest`, plus the `external_verifications` an OTP
/// sponsor needs.
#[derive(Debug, Deserialize)]
pub(crate) struct CreateIn {
    #[serde(flatten)]
    body: types::CreateAuthorizationRequest,
    #[serde(default)]
    external_verifications: Vec<types::ExternalVerification>,
}

/// `createAuthorization`: a request and its decision in one call.
pub(crate) async fn create_authorization(
    State(app): Shared,
    ApiJson(CreateIn {
        body,
        external_verifications,
    }): ApiJson<CreateIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let (sponsor, beneficiary) =
        db.sponsor_and_beneficiary(&body.sponsor_slug, body.beneficiary_id)?;
    refuse_if!(body.diagnoses.is_empty(); "diagnoses", "at least one diagnosis is required");
    let mut lines = Vec::new();
    for p in &body.products {
        let reference = p.product_id.as_deref().unwrap_or_default();
        lines.push(db.referenced_line(reference, p.quantity.max(1))?);
    }
    refuse_if!(lines.is_empty(); "products", "at least one product is required");
    if sponsor.otp_required {
        let token = otp_of(&external_verifications);
        db.consume_otp(token, beneficiary.id, sponsor.slug)?;
    }
    let doctor = Doctor::from_parts(
        body.doctor_name,
        body.doctor_medical_license_number,
        body.doctor_country_code,
        body.doctor_specialty_name,
    );
    let slug = sponsor.slug.to_owned();
    let authorization =
        Authorization::new(db.next(), slug, beneficiary.id, doctor, lines, &app.clock);
    let id = issue(&app, &mut db, sponsor, authorization);
    Ok(created(db.authorizations[&id].resource()))
}

/// `createExternallyProcessedAuthorization`: records an authorization the
/// sponsor already approved elsewhere.
pub(crate) async fn create_external_authorization(
    State(app): Shared,
    ApiJson(body): ApiJson<types::CreateExternallyProcessedAuthorizationRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let beneficiary = db
        .beneficiary(body.beneficiary_id)
        .ok_or_else(|| ApiError::unprocessable("beneficiary_id", "unknown beneficiary"))?;
    refuse_if!(body.diagnoses.is_empty() || body.products.is_empty(); "products", "diagnoses and products must not be empty");
    let mut lines = Vec::new();
    for p in &body.products {
        let quantity = p.authorized_quantity.unwrap_or(1).max(1);
        let code = p.provider_product_code.as_deref();
        lines.push(db.line(code, Some(p.product_id), quantity)?);
    }
    let id = db.next();
    let doctor = Doctor::from_parts(
        body.doctor_name,
        body.doctor_medical_license_number,
        body.doctor_country_code,
        body.doctor_specialty_name,
    );
    let slug = beneficiary.sponsor_slug.to_owned();
    let mut authorization = Authorization::new(id, slug, beneficiary.id, doctor, lines, &app.clock);
    authorization.approve(authorization.created_at);
    check_payment_type(body.payment_type)?;
    let reference = body.sponsor_authorization_code;
    authorization.sponsor_authorization_code = reference.or_else(|| Some(format!("EXT-{id}")));
    let answer = authorization.resource();
    db.authorizations.insert(id, authorization);
    Ok(created(answer))
}

/// `listAuthorizations` (abridged provider view, paged).
pub(crate) async fn list_authorizations(State(app): Shared, paged: Paged) -> Response {
    let db = app.db();
    let abridged = |a: &Authorization| a.abridged(db.beneficiary(a.beneficiary_id));
    let items = db.authorizations.values().rev().map(abridged);
    paged.reply(&app.base_url, items.collect())
}

/// `getAuthorization` (by id or by code).
pub(crate) async fn get_authorization(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    let db = app.db();
    let id = db.authorization_id(&id)?;
    Ok(ok(db.authorizations[&id].resource()))
}

/// Applies `change` to an authorization, announces `authorization.updated`
/// (or `authorization.voided` when it voids) and answers the result. 409
/// once it is voided or claimed; an update must also wait for the
/// sponsor's decision, and a void for any dispensation in progress.
fn change(
    app: &Arc<App>,
    raw: &str,
    void: bool,
    change: impl FnOnce(&mut Authorization) -> ApiResult<()>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let id = db.authorization_id(raw)?;
    let redeeming = Redeems::Authorization(id);
    let mut dispensations = db.dispensations.values();
    let busy = void && dispensations.any(|d| d.redeems == redeeming && d.in_progress());
    let authorization = db
        .authorizations
        .get_mut(&id)
        .or_404("authorization", raw)?;
    let status = authorization.status.as_str();
    let settled = matches!(status, "VOIDED" | "CLAIMED" | "PARTIALLY_CLAIMED");
    let undecided = !void && status == "SENT_TO_SPONSOR";
    let why = if busy {
        " with a dispensation in progress"
    } else {
        ""
    };
    let verb = if void { "be voided" } else { "change" };
    conflict_if!(busy || settled || undecided; "authorization {id} is {status}{why} and cannot {verb}");
    change(authorization)?;
    authorization.updated_at = app.clock.now();
    let (answer, event) = (authorization.resource(), authorization.event_data());
    drop(db);
    let event_type = if void {
        "authorization.voided"
    } else {
        "authorization.updated"
    };
    crate::webhooks::emit(app, event_type, event);
    Ok(ok(answer))
}

/// 422 for a payment type the sandbox does not know. A known one is
/// accepted and not kept: no answer the sandbox gives shows it.
fn check_payment_type(value: Option<types::PaymentType>) -> ApiResult<()> {
    use types::PaymentType::{DirectPayment, Reimbursement};
    match value {
        None | Some(DirectPayment | Reimbursement) => Ok(()),
        Some(other) => Err(ApiError::unprocessable(
            "payment_type",
            format!("payment_type {other} is not DIRECT_PAYMENT or REIMBURSEMENT"),
        )),
    }
}

/// `updateAuthorization`: authorized quantities. Provider slugs and the
/// payment type are accepted but not kept, as no answer shows them.
pub(crate) async fn update_authorization(
    State(app): Shared,
    Path(id): Id,
    ApiJson(body): ApiJson<types::UpdateAuthorizationRequest>,
) -> ApiResult<Response> {
    check_payment_type(body.payment_type)?;
    change(&app, &id, false, |authorization| {
        for p in &body.products {
            let line = authorization
                .lines
                .iter_mut()
                .find(|l| l.product.product_id == p.product_id);
            let line = line.ok_or_else(|| {
                let message = format!("product {} is not part of this authorization", p.product_id);
                ApiError::unprocessable("products.product_id", message)
            })?;
            if let Some(q) = p.authorized_quantity {
                line.authorized_quantity = q.max(0);
            }
        }
        Ok(())
    })
}

/// `updateAuthorizationPaymentType`: a known payment type changes nothing
/// shown, but still counts as a change (`authorization.updated`).
pub(crate) async fn update_payment_type(
    State(app): Shared,
    Path(id): Id,
    ApiJson(body): ApiJson<types::AuthorizationPaymentTypeRequest>,
) -> ApiResult<Response> {
    refuse_if!(body.payment_type.is_none(); "payment_type", "payment_type is required");
    check_payment_type(body.payment_type)?;
    change(&app, &id, false, |_| Ok(()))
}

/// `voidAuthorization`: not once claimed, nor while a dispensation of it is
/// in progress.
pub(crate) async fn void_authorization(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    change(&app, &id, true, |authorization| {
        authorization.status = "VOIDED".to_owned();
        Ok(())
    })
}

/// `claimAuthorization`: claims (part of) an approved authorization's lines.
pub(crate) async fn claim_authorization(
    State(app): Shared,
    Path(id): Id,
    ApiJson(body): ApiJson<types::AuthorizationClaimRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let id = db.authorization_id(&id)?;
    let mut authorization = db.authorizations[&id].clone();
    let status = authorization.status.as_str();
    let claimable = matches!(status, "APPROVED" | "PARTIALLY_CLAIMED");
    conflict_if!(!claimable; "authorization {id} is {status} and cannot be claimed");
    refuse_if!(body.products.is_empty(); "products", "at least one product line is required");
    let mut claimed = Vec::new();
    for p in &body.products {
        let wanted = p.authorization_product_id;
        let line = authorization.lines.iter_mut().find(|l| l.id == wanted);
        let line = line.ok_or_else(|| {
            let message = format!("line {wanted} is not part of authorization {id}");
            ApiError::unprocessable("products.authorization_product_id", message)
        })?;
        let left = line.left();
        refuse_if!(p.quantity <= 0 || p.quantity > left; "products.quantity", format!("line {} has {left} left to claim", line.id));
        refuse_if!(p.price < 0.0; "products.price", "price must not be negative");
        line.claimed_quantity += p.quantity;
        let mut claim_line = line.clone();
        (claim_line.quantity, claim_line.claimed_quantity) = (p.quantity, p.quantity);
        claim_line.unit_price = p.price;
        claimed.push(claim_line);
    }
    for line in &mut claimed {
        line.id = db.next();
    }
    let claim = db.file_claim(authorization, claimed, app.clock.now());
    Ok(created(&claim.resource))
}

/// `createBiometricReading`: a non-empty Base64 reading matches.
pub(crate) async fn create_biometric(
    State(app): Shared,
    ApiJson(body): ApiJson<types::CreateBiometricReadingRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    db.sponsor_and_beneficiary(&body.sponsor_slug, body.beneficiary_id)?;
    refuse_if!(matches!(body.type_, types::BiometricType::Unknown(_)); "type", "unknown biometric type");
    let bytes = base64_file(&body.reading, "reading")?;
    let matched = !bytes.is_empty();
    let id = random_uuid();
    use types::BiometricVerificationStatus::{VerificationFailure, VerificationSuccess};
    let reading = typed!(types::ProviderBiometricReadingResource;
        id = id, type_ = body.type_, confidence = if matched { 0.97 } else { 0.0 },
        verification_status = if matched { VerificationSuccess } else { VerificationFailure },
        expires_at = crate::clock::at(app.clock.unix() + 600);
        failure_description = (!matched).then(|| "the reading is empty".to_owned()));
    db.biometrics.insert(id.to_string(), reading.clone());
    Ok(created(reading))
}

/// `getBiometricReading`.
pub(crate) async fn get_biometric(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    let db = app.db();
    let reading = db.biometrics.get(&id);
    reading.map(ok).or_404("biometric reading", &id)
}

//! Dispensations: start (from a code or a code's document), swap
//! products, verify, complete, void.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use osigu::types;
use serde::Deserialize;

use crate::input::{Id, numeric_id};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::reply::{ApiError, ApiJson, ApiResult, created, located, ok, path_of, refuse_if};
use crate::state::{App, Shared};
use crate::store::{Db, DispProduct, DispStatus, Dispensation, Line, Redeems, otp_of};
use crate::typed::typed;

/// One product a request hands over, whichever request type named it.
struct Wanted {
    id: String,
    price: f64,
    quantity: i32,
    product_code: Option<String>,
    substitute_code: Option<String>,
    substitute_quantity: Option<i32>,
}

impl From<&types::ProductDispensationRequest> for Wanted {
    fn from(p: &types::ProductDispensationRequest) -> Self {
        Self {
            id: p.id.clone(),
            price: p.price,
            quantity: p.quantity,
            product_code: p.product_code.clone(),
            substitute_code: p.substitute_product_code.clone(),
            substitute_quantity: p.substitute_quantity,
        }
    }
}

impl From<&types::DocumentDispensationProduct> for Wanted {
    fn from(p: &types::DocumentDispensationProduct) -> Self {
        Self {
            id: p.id.to_string(),
            price: p.price.unwrap_or_default(),
            quantity: p.quantity,
            product_code: p.product_code.clone(),
            substitute_code: None,
            substitute_quantity: None,
        }
    }
}

/// `StartDispensationRequest`, plus the guides' `code` to redeem.
#[derive(Debug, Deserialize)]
pub(crate) struct StartIn {
    #[serde(flatten)]
    body: types::StartDispensationRequest,
    code: Option<String>,
}

/// A redeemable line: (line id, product code, remaining quantity, price).
type Redeemable = (i64, String, i32, f64);

/// What `reference` names: an authorization or prescription by code or id,
/// or one of their product lines.
fn target_of(db: &Db, reference: &str) -> Option<Redeems> {
    let found = db.find_authorization(reference).map(Redeems::Authorization);
    if let Some(found) =
        found.or_else(|| db.find_prescription(reference).map(Redeems::Prescription))
    {
        return Some(found);
    }
    let number = numeric_id(reference)?;
    if let Some(a) = db
        .authorizations
        .values()
        .find(|a| a.lines.iter().any(|l| l.id == number))
    {
        return Some(Redeems::Authorization(a.id));
    }
    db.prescriptions
        .values()
        .find(|p| p.lines.iter().any(|l| l.id == number))
        .map(|p| Redeems::Prescription(p.id))
}

fn redeemable_lines(db: &Db, target: Redeems) -> Vec<Redeemable> {
    let lines = match target {
        Redeems::Authorization(id) => db.authorizations.get(&id).map(|a| &a.lines),
        Redeems::Prescription(id) => db.prescriptions.get(&id).map(|p| &p.lines),
    };
    lines
        .into_iter()
        .flatten()
        .map(|l| {
            let left = l.authorized_quantity - l.claimed_quantity;
            (l.id, l.code.clone(), left, l.unit_price)
        })
        .collect()
}

/// Maps requested products onto the target's lines (by line id, product
/// code, or position), checking quantities and substitutes.
fn map_products(db: &Db, target: Redeems, input: &[Wanted]) -> ApiResult<Vec<DispProduct>> {
    let lines = redeemable_lines(db, target);
    if input.is_empty() {
        return Ok(lines
            .into_iter()
            .filter(|l| l.2 > 0)
            .map(|(_, code, quantity, unit_price)| DispProduct {
                code,
                quantity,
                unit_price,
            })
            .collect());
    }
    let mut out = Vec::new();
    for (index, p) in input.iter().enumerate() {
        let line = numeric_id(&p.id)
            .and_then(|n| lines.iter().find(|l| l.0 == n))
            .or_else(|| {
                p.product_code
                    .as_deref()
                    .and_then(|c| lines.iter().find(|l| l.1.eq_ignore_ascii_case(c)))
            })
            .or_else(|| lines.get(index))
            .ok_or_else(|| {
                ApiError::unprocessable(
                    "products.id",
                    format!("product {} is not part of what this code covers", p.id),
                )
            })?;
        refuse_if!(p.quantity <= 0 || p.quantity > line.2; "products.quantity", format!("at most {} of {} can be dispensed", line.2, line.1));
        refuse_if!(p.price < 0.0; "products.price", "price must not be negative");
        let code = match &p.substitute_code {
            Some(sub) => db
                .product_by_code(sub)
                .map(|c| c.code.to_owned())
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "products.substitute_product_code",
                        format!("{sub} is not in the catalogue"),
                    )
                })?,
            None => line.1.clone(),
        };
        out.push(DispProduct {
            code,
            quantity: p.substitute_quantity.unwrap_or(p.quantity),
            unit_price: p.price,
        });
    }
    Ok(out)
}

/// `startDispensation`.
pub(crate) async fn start_dispensation(
    State(app): Shared,
    ApiJson(StartIn { body, code }): ApiJson<StartIn>,
) -> ApiResult<Response> {
    let wanted: Vec<Wanted> = body.products.iter().map(Wanted::from).collect();
    let references: Vec<&str> = code
        .as_deref()
        .into_iter()
        .chain(body.products.iter().map(|p| p.id.as_str()))
        .collect();
    let token = otp_of(&body.external_verifications);
    let id = start(&app, &references, &wanted, token)?;
    Ok(created(app.db().dispensations[&id].view()))
}

/// `createDocumentDispensation`: a dispensation of the code in the path,
/// its lines named by the document's `approved_products[].id`; 201 with a
/// `Location` to it.
pub(crate) async fn document_dispensation(
    State(app): Shared,
    Path(code): Id,
    ApiJson(body): ApiJson<types::DocumentDispensationRequest>,
) -> ApiResult<Response> {
    refuse_if!(body.products.is_empty(); "products", "at least one product is required");
    let wanted: Vec<Wanted> = body.products.iter().map(Wanted::from).collect();
    let id = start(&app, &[code.as_str()], &wanted, None)?;
    let location = path_of("getDispensation", &[&id]);
    Ok(located(StatusCode::CREATED.into_response(), &location))
}

/// `getDispensingDocument`: what an authorization or prescription code
/// still entitles its holder to.
pub(crate) async fn dispensing_document(State(app): Shared, Path(code): Id) -> ApiResult<Response> {
    let db = app.db();
    let target = target_of(&db, &code)
        .ok_or_else(|| ApiError::not_found("authorization or prescription", &code))?;
    let entitled = redeemable_lines(&db, target)
        .into_iter()
        .filter(|line| line.2 > 0);
    let entitled = entitled.map(|(id, code, quantity, _)| {
        let name = db.product_by_code(&code).map(|p| p.name.to_owned());
        typed!(types::ApprovedProduct; id = id, code = code, quantity = quantity; name = name)
    });
    Ok(ok(
        typed!(types::DispensingDocumentResource;; approved_products = entitled.collect()),
    ))
}

/// Starts a dispensation of the first of `references` that names an
/// authorization or prescription, and announces `dispensing.started`;
/// returns its id.
fn start(
    app: &Arc<App>,
    references: &[&str],
    wanted: &[Wanted],
    token: Option<&str>,
) -> ApiResult<String> {
    let mut db = app.db();
    let Some(first) = references.first() else {
        return Err(ApiError::unprocessable(
            "code",
            "give the code to redeem (code, or products[].id)",
        ));
    };
    let target = references
        .iter()
        .find_map(|r| target_of(&db, r))
        .ok_or_else(|| ApiError::not_found("authorization or prescription", first))?;
    let (code, beneficiary_id, sponsor_slug, otp_required) = match target {
        Redeems::Authorization(id) => {
            let a = &db.authorizations[&id];
            if !matches!(a.status.as_str(), "APPROVED" | "PARTIALLY_CLAIMED") {
                return Err(ApiError::conflict(format!(
                    "authorization {id} is {} and cannot be dispensed",
                    a.status
                )));
            }
            let otp = db.sponsor(&a.sponsor_slug).is_some_and(|s| s.otp_required);
            let code = a.code.clone().unwrap_or_default();
            (
                code,
                Some(a.beneficiary_id),
                Some(a.sponsor_slug.clone()),
                otp,
            )
        }
        Redeems::Prescription(id) => {
            let p = &db.prescriptions[&id];
            if p.status != "ISSUED" {
                return Err(ApiError::conflict(format!(
                    "prescription {id} is {} and cannot be dispensed",
                    p.status
                )));
            }
            (p.code.clone(), None, None, false)
        }
    };
    if db
        .dispensations
        .values()
        .any(|d| d.redeems == target && d.status.in_progress())
    {
        return Err(ApiError::conflict(format!(
            "{code} already has a dispensation in progress"
        )));
    }
    let products = map_products(&db, target, wanted)?;
    let verified = otp_required && token.is_some();
    if verified {
        let sponsor = sponsor_slug.as_deref().unwrap_or_default();
        db.consume_otp(token, beneficiary_id.unwrap_or_default(), sponsor)?;
    }
    let dispensation = Dispensation {
        id: format!("dsp_{:06}", db.next()),
        redeems: target,
        beneficiary_id,
        sponsor_slug,
        products,
        status: DispStatus::Started,
        otp_required,
        verified,
        claim_id: None,
    };
    let id = dispensation.id.clone();
    let event = serde_json::to_value(dispensation.view()).unwrap_or_default();
    db.dispensations.insert(id.clone(), dispensation);
    drop(db);
    crate::webhooks::emit(app, "dispensing.started", event);
    Ok(id)
}

fn dispensation<'a>(db: &'a mut Db, id: &str) -> ApiResult<&'a mut Dispensation> {
    db.dispensations
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found("dispensation", id))
}

/// `getDispensation`.
pub(crate) async fn get_dispensation(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    Ok(ok(dispensation(&mut app.db(), &id)?.view()))
}

/// `getDispensationVerificationStatus`.
pub(crate) async fn verification_status(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    let mut db = app.db();
    let d = dispensation(&mut db, &id)?;
    Ok(ok(typed!(types::DispensationVerificationStatusResponse;;
        verification_required = d.awaits_otp().then(|| "OTP".into()))))
}

/// `updateDispensationProducts`: only while STARTED.
pub(crate) async fn update_dispensation_products(
    State(app): Shared,
    Path(id): Id,
    ApiJson(body): ApiJson<types::UpdateDispensationRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let d = dispensation(&mut db, &id)?;
    if d.status != DispStatus::Started {
        return Err(ApiError::conflict(format!(
            "dispensation {id} is {}; products can change only while STARTED",
            d.status.as_str()
        )));
    }
    let target = d.redeems;
    refuse_if!(body.products.is_empty(); "products", "at least one product is required");
    let wanted: Vec<Wanted> = body.products.iter().map(Wanted::from).collect();
    let products = map_products(&db, target, &wanted)?;
    let d = dispensation(&mut db, &id)?;
    d.products = products;
    Ok(ok(d.view()))
}

/// `completeDispensation`. An OTP sponsor needs `external_verifications`;
/// without a valid token the dispensation moves to PENDING_VERIFICATION
/// and the answer is 422. A completed authorization dispensation files a
/// claim for what was handed over.
pub(crate) async fn complete_dispensation(
    State(app): Shared,
    Path(id): Id,
    ApiJson(body): ApiJson<types::CompleteDispensationRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let d = dispensation(&mut db, &id)?.clone();
    if matches!(d.status, DispStatus::Dispensed | DispStatus::Voided) {
        return Err(ApiError::conflict(format!(
            "dispensation {id} is already {}",
            d.status.as_str()
        )));
    }
    refuse_if!(body.document_number.trim().is_empty(); "document_number", "document_number is required");
    if d.awaits_otp() {
        let beneficiary = d.beneficiary_id.unwrap_or_default();
        let sponsor = d.sponsor_slug.as_deref().unwrap_or_default();
        if let Err(error) =
            db.consume_otp(otp_of(&body.external_verifications), beneficiary, sponsor)
        {
            dispensation(&mut db, &id)?.status = DispStatus::PendingVerification;
            return Err(error);
        }
    }
    let now = app.clock.now();
    let claim_id = match d.redeems {
        Redeems::Authorization(aid) => {
            let mut authorization = db.authorizations[&aid].clone();
            let mut lines = Vec::new();
            for p in &d.products {
                // A substitute counts against the first unclaimed line.
                let open = |l: &Line| l.claimed_quantity < l.authorized_quantity;
                let position = authorization
                    .lines
                    .iter()
                    .position(|l| l.code == p.code && open(l))
                    .or_else(|| authorization.lines.iter().position(open));
                if let Some(line) = position.map(|i| &mut authorization.lines[i]) {
                    line.claimed_quantity =
                        (line.claimed_quantity + p.quantity).min(line.authorized_quantity);
                }
                let mut line = match db.product_by_code(&p.code).cloned() {
                    Some(product) => db.new_line(&product, p.quantity),
                    None => return Err(ApiError::unregistered_product(&p.code)),
                };
                line.unit_price = p.unit_price;
                line.claimed_quantity = p.quantity;
                lines.push(line);
            }
            authorization.mark_claimed();
            authorization.updated_at = now;
            let mut claim = db.new_claim(&authorization, lines, "COMPLETED", now);
            claim.document_number = Some(body.document_number.clone());
            claim.document_date = Some(body.document_date);
            claim.document_serial = body.document_serial.clone();
            let claim_id = claim.id;
            db.claims.insert(claim.id, claim);
            db.authorizations.insert(aid, authorization);
            Some(claim_id)
        }
        Redeems::Prescription(pid) => {
            if let Some(p) = db.prescriptions.get_mut(&pid) {
                p.status = "DISPENSED";
            }
            None
        }
    };
    let stored = dispensation(&mut db, &id)?;
    stored.status = DispStatus::Dispensed;
    stored.verified = stored.verified || stored.otp_required;
    stored.claim_id = claim_id;
    let view = stored.view();
    let event = serde_json::to_value(&view).unwrap_or_default();
    drop(db);
    crate::webhooks::emit(&app, "dispensing.completed", event);
    Ok(ok(view))
}

/// `voidDispensation`.
pub(crate) async fn void_dispensation(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    let view = {
        let mut db = app.db();
        let d = dispensation(&mut db, &id)?;
        if !d.status.in_progress() {
            return Err(ApiError::conflict(format!(
                "dispensation {id} is {} and cannot be voided",
                d.status.as_str()
            )));
        }
        d.status = DispStatus::Voided;
        d.view()
    };
    let event = serde_json::to_value(&view).unwrap_or_default();
    crate::webhooks::emit(&app, "dispensing.cancelled", event);
    Ok(ok(view))
}

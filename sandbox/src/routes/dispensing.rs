//! Dispensations: start (from a code or a code's document), swap
//! products, verify, complete, void.

use std::sync::Arc;

use super::prelude::*;
use crate::input::numeric_id;
use crate::state::App;
use crate::store::{DispProduct, Dispensation, Line, Redeems, otp_of};
use types::DispensationLifecycleStatus::{Dispensed, PendingVerification, Started, Voided};
use types::ProductDispensationRequest as Wanted;

/// A document's product as the product a dispensation request hands over
/// (its taxes play no part).
fn handed_over(p: &types::DocumentDispensationProduct) -> ApiResult<Wanted> {
    let price = p.price.unwrap_or_default();
    let mut product = Wanted::builder(p.id, price, p.quantity, 0.0);
    if let Some(code) = &p.product_code {
        product = product.product_code(code);
    }
    let built = product.try_into();
    built.map_err(|e| ApiError::internal(format!("a document product did not build: {e}")))
}

/// `StartDispensationRequest`, plus the guides' `code` to redeem.
#[derive(Debug, Deserialize)]
pub(crate) struct StartIn {
    #[serde(flatten)]
    body: types::StartDispensationRequest,
    code: Option<String>,
}

/// What `reference` names: an authorization or prescription by code or id,
/// or one of their product lines.
fn target_of(db: &Db, reference: &str) -> Option<Redeems> {
    let line = numeric_id(reference);
    let holds = |lines: &[Line]| lines.iter().any(|l| Some(l.id) == line);
    db.find_authorization(reference)
        .map(Redeems::Authorization)
        .or_else(|| db.find_prescription(reference).map(Redeems::Prescription))
        .or_else(|| {
            let found = db.authorizations.values().find(|a| holds(&a.lines));
            found.map(|a| Redeems::Authorization(a.id))
        })
        .or_else(|| {
            let found = db.prescriptions.values().find(|p| holds(&p.lines));
            found.map(|p| Redeems::Prescription(p.id))
        })
}

/// The lines a dispensation of `target` redeems.
fn lines_of(db: &Db, target: Redeems) -> &[Line] {
    let lines = match target {
        Redeems::Authorization(id) => db.authorizations.get(&id).map(|a| &a.lines),
        Redeems::Prescription(id) => db.prescriptions.get(&id).map(|p| &p.lines),
    };
    lines.map_or(&[], Vec::as_slice)
}

/// Maps requested products onto the target's lines (by line id, product
/// code, or position), checking quantities and substitutes (a substitute's
/// quantity, too, at most what the line has left); no products hand over
/// everything still unclaimed.
fn map_products(db: &Db, target: Redeems, input: &[Wanted]) -> ApiResult<Vec<DispProduct>> {
    let lines = lines_of(db, target);
    let product = |product, quantity, unit_price| DispProduct {
        product,
        quantity,
        unit_price,
    };
    if input.is_empty() {
        let open = lines.iter().filter(|l| l.left() > 0);
        return Ok(open
            .map(|l| product(l.product, l.left(), l.unit_price))
            .collect());
    }
    let by_code = |c: &str| {
        lines
            .iter()
            .find(|l| l.product.code.eq_ignore_ascii_case(c))
    };
    let mut out = Vec::new();
    for (index, p) in input.iter().enumerate() {
        let line = numeric_id(&p.id)
            .and_then(|n| lines.iter().find(|l| l.id == n))
            .or_else(|| p.product_code.as_deref().and_then(by_code))
            .or_else(|| lines.get(index))
            .ok_or_else(|| {
                let message = format!("product {} is not part of what this code covers", p.id);
                ApiError::unprocessable("products.id", message)
            })?;
        let left = line.left();
        refuse_if!(p.quantity <= 0 || p.quantity > left; "products.quantity", format!("at most {left} of {} can be dispensed", line.product.code));
        refuse_if!(p.price < 0.0; "products.price", "price must not be negative");
        let handed = match &p.substitute_product_code {
            Some(sub) => db.product_by_code(sub).ok_or_else(|| {
                let message = format!("{sub} is not in the catalogue");
                ApiError::unprocessable("products.substitute_product_code", message)
            })?,
            None => line.product,
        };
        // A substitute is handed over in its own units, bounded as the
        // line's are (it is what the claim counts).
        if let Some(units) = p.substitute_quantity {
            refuse_if!(units <= 0 || units > left; "products.substitute_quantity", format!("at most {left} units can stand in for {}", line.product.code));
        }
        let quantity = p.substitute_quantity.unwrap_or(p.quantity);
        out.push(product(handed, quantity, p.price));
    }
    Ok(out)
}

/// `startDispensation`.
pub(crate) async fn start_dispensation(
    State(app): Shared,
    ApiJson(StartIn { body, code }): ApiJson<StartIn>,
) -> ApiResult<Response> {
    let references: Vec<&str> = code
        .as_deref()
        .into_iter()
        .chain(body.products.iter().map(|p| p.id.as_str()))
        .collect();
    let token = otp_of(&body.external_verifications);
    let id = start(&app, &references, &body.products, token)?;
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
    let wanted: Vec<Wanted> = body
        .products
        .iter()
        .map(handed_over)
        .collect::<ApiResult<_>>()?;
    let id = start(&app, &[code.as_str()], &wanted, None)?;
    let location = path_of("getDispensation", &[&id]);
    Ok(located(StatusCode::CREATED.into_response(), &location))
}

/// `getDispensingDocument`: what an authorization or prescription code
/// still entitles its holder to.
pub(crate) async fn dispensing_document(State(app): Shared, Path(code): Id) -> ApiResult<Response> {
    let db = app.db();
    let target = target_of(&db, &code).or_404("authorization or prescription", &code)?;
    let entitled = lines_of(&db, target).iter().filter(|l| l.left() > 0);
    let entitled = entitled.map(|l| {
        typed!(types::ApprovedProduct;
            id = l.id, code = l.product.code, quantity = l.left(), name = l.product.name)
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
        let message = "give the code to redeem (code, or products[].id)";
        return Err(ApiError::unprocessable("code", message));
    };
    let target = references
        .iter()
        .find_map(|r| target_of(&db, r))
        .or_404("authorization or prescription", first)?;
    let (code, otp_for) = match target {
        Redeems::Authorization(id) => {
            let a = &db.authorizations[&id];
            let status = a.status.as_str();
            let dispensable = matches!(status, "APPROVED" | "PARTIALLY_CLAIMED");
            conflict_if!(!dispensable; "authorization {id} is {status} and cannot be dispensed");
            let otp = db.sponsor(&a.sponsor_slug).is_some_and(|s| s.otp_required);
            let otp_for = otp.then(|| (a.beneficiary_id, a.sponsor_slug.clone()));
            (a.code.clone().unwrap_or_default(), otp_for)
        }
        Redeems::Prescription(id) => {
            let p = &db.prescriptions[&id];
            let status = p.status;
            let issued = status == "ISSUED";
            conflict_if!(!issued; "prescription {id} is {status} and cannot be dispensed");
            (p.code.clone(), None)
        }
    };
    let mut holders = db.dispensations.values();
    let busy = holders.any(|d| d.redeems == target && d.in_progress());
    conflict_if!(busy; "{code} already has a dispensation in progress");
    let products = map_products(&db, target, wanted)?;
    if let Some((beneficiary, sponsor)) = otp_for.as_ref().filter(|_| token.is_some()) {
        db.consume_otp(token, *beneficiary, sponsor)?;
    }
    let dispensation = Dispensation {
        id: format!("dsp_{:06}", db.next()),
        redeems: target,
        otp_owed: otp_for.filter(|_| token.is_none()),
        products,
        status: Started,
        claim_id: None,
    };
    let id = dispensation.id.clone();
    let event = dispensation.view();
    db.dispensations.insert(id.clone(), dispensation);
    drop(db);
    crate::webhooks::emit(app, "dispensing.started", event);
    Ok(id)
}

fn dispensation<'a>(db: &'a mut Db, id: &str) -> ApiResult<&'a mut Dispensation> {
    db.dispensations.get_mut(id).or_404("dispensation", id)
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
        verification_required = d.otp_owed.is_some().then(|| "OTP".into()))))
}

/// `updateDispensationProducts`: only while STARTED.
pub(crate) async fn update_dispensation_products(
    State(app): Shared,
    Path(id): Id,
    ApiJson(body): ApiJson<types::UpdateDispensationRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let d = dispensation(&mut db, &id)?;
    let status = &d.status;
    let only = "products can change only while STARTED";
    conflict_if!(*status != Started; "dispensation {id} is {status}; {only}");
    let target = d.redeems;
    refuse_if!(body.products.is_empty(); "products", "at least one product is required");
    let products = map_products(&db, target, &body.products)?;
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
    conflict_if!(!d.in_progress(); "dispensation {id} is already {}", d.status);
    refuse_if!(body.document_number.trim().is_empty(); "document_number", "document_number is required");
    if let Some((beneficiary, sponsor)) = &d.otp_owed {
        let token = otp_of(&body.external_verifications);
        if let Err(error) = db.consume_otp(token, *beneficiary, sponsor) {
            dispensation(&mut db, &id)?.status = PendingVerification;
            return Err(error);
        }
    }
    let claim_id = match d.redeems {
        Redeems::Authorization(aid) => {
            let mut authorization = db.authorizations[&aid].clone();
            let mut lines = Vec::new();
            for p in &d.products {
                // A substitute counts against the first unclaimed line.
                let open = |l: &Line| l.left() > 0;
                let position = authorization
                    .lines
                    .iter()
                    .position(|l| l.product.code == p.product.code && open(l))
                    .or_else(|| authorization.lines.iter().position(open));
                if let Some(line) = position.map(|i| &mut authorization.lines[i]) {
                    line.claimed_quantity =
                        (line.claimed_quantity + p.quantity).min(line.authorized_quantity);
                }
                let mut line = db.new_line(p.product, p.quantity);
                line.unit_price = p.unit_price;
                line.claimed_quantity = p.quantity;
                lines.push(line);
            }
            let claim = db.file_claim(authorization, lines, app.clock.now());
            claim.resource.document_number = Some(body.document_number.clone());
            claim.resource.document_date = Some(body.document_date);
            claim.resource.document_serial = body.document_serial.clone();
            Some(claim.id())
        }
        Redeems::Prescription(pid) => {
            if let Some(p) = db.prescriptions.get_mut(&pid) {
                p.status = "DISPENSED";
            }
            None
        }
    };
    let stored = dispensation(&mut db, &id)?;
    stored.status = Dispensed;
    stored.otp_owed = None;
    stored.claim_id = claim_id;
    let view = stored.view();
    drop(db);
    crate::webhooks::emit(&app, "dispensing.completed", &view);
    Ok(ok(view))
}

/// `voidDispensation`.
pub(crate) async fn void_dispensation(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    let view = {
        let mut db = app.db();
        let d = dispensation(&mut db, &id)?;
        let status = d.status.as_str();
        conflict_if!(!d.in_progress(); "dispensation {id} is {status} and cannot be voided");
        d.status = Voided;
        d.view()
    };
    crate::webhooks::emit(&app, "dispensing.cancelled", &view);
    Ok(ok(view))
}

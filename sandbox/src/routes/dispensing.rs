//! Dispensations: start, swap products, verify, complete, void.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use osigu::types;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use crate::input::numeric_id;
use crate::reply::{ApiError, ApiJson, ApiResult, created, created_location, ok};
use crate::state::App;
use crate::store::{ClaimLine, Db, DispProduct, DispStatus, Dispensation, Redeems};

#[derive(Debug, Deserialize)]
pub(crate) struct DispProductIn {
    id: String,
    price: f64,
    quantity: i32,
    #[allow(dead_code)]
    taxes: f64,
    product_code: Option<String>,
    substitute_product_code: Option<String>,
    substitute_quantity: Option<i32>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct StartIn {
    code: Option<String>,
    #[serde(default)]
    products: Vec<DispProductIn>,
    #[serde(default)]
    external_verifications: Vec<Value>,
}

/// A redeemable line: (line id, product code, remaining quantity, price).
type Redeemable = (i64, String, i32, f64);

fn find_prescription(db: &Db, raw: &str) -> Option<i64> {
    db.prescriptions
        .values()
        .find(|p| p.code == raw)
        .map(|p| p.id)
        .or_else(|| numeric_id(raw).filter(|id| db.prescriptions.contains_key(id)))
}

/// What `reference` names: an authorization or prescription by code or id,
/// or one of their product lines.
fn target_of(db: &Db, reference: &str) -> Option<Redeems> {
    if let Some(id) = db
        .authorizations
        .values()
        .find(|a| a.code.as_deref() == Some(reference))
        .map(|a| a.id)
    {
        return Some(Redeems::Authorization(id));
    }
    if let Some(id) = find_prescription(db, reference) {
        return Some(Redeems::Prescription(id));
    }
    let number = numeric_id(reference)?;
    if db.authorizations.contains_key(&number) {
        return Some(Redeems::Authorization(number));
    }
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
    match target {
        Redeems::Authorization(id) => db.authorizations[&id]
            .lines
            .iter()
            .map(|l| {
                (
                    l.id,
                    l.code.clone(),
                    l.authorized_quantity - l.claimed_quantity,
                    l.unit_price,
                )
            })
            .collect(),
        Redeems::Prescription(id) => db.prescriptions[&id]
            .lines
            .iter()
            .map(|l| {
                let price = db.product_by_code(&l.code).map_or(0.0, |p| p.unit_price);
                (l.id, l.code.clone(), l.quantity, price)
            })
            .collect(),
    }
}

/// Maps requested products onto the target's lines (by line id, product
/// code, or position), checking quantities and substitutes.
fn map_products(db: &Db, target: Redeems, input: &[DispProductIn]) -> ApiResult<Vec<DispProduct>> {
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
        let quantity = p.substitute_quantity.unwrap_or(p.quantity);
        if p.quantity <= 0 || p.quantity > line.2 {
            return Err(ApiError::unprocessable(
                "products.quantity",
                format!("at most {} of {} can be dispensed", line.2, line.1),
            ));
        }
        if p.price < 0.0 {
            return Err(ApiError::unprocessable(
                "products.price",
                "price must not be negative",
            ));
        }
        let code = match &p.substitute_product_code {
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
            quantity,
            unit_price: p.price,
        });
    }
    Ok(out)
}

/// `startDispensation`.
pub(crate) async fn start_dispensation(
    State(app): Shared,
    ApiJson(body): ApiJson<StartIn>,
) -> ApiResult<Response> {
    let (_, json) = start(&app, body)?;
    Ok(created(json))
}

/// `createDocumentDispensation`: a dispensation of the code in the path,
/// its lines named by the document's `approved_products[].id`; 201 with a
/// `Location` to it.
pub(crate) async fn document_dispensation(
    State(app): Shared,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<types::DocumentDispensationRequest>,
) -> ApiResult<Response> {
    if body.products.is_empty() {
        return Err(ApiError::unprocessable(
            "products",
            "at least one product is required",
        ));
    }
    let products = body
        .products
        .iter()
        .map(|p| DispProductIn {
            id: p.id.to_string(),
            price: p.price.unwrap_or_default(),
            quantity: p.quantity,
            taxes: p.taxes.unwrap_or_default(),
            product_code: p.product_code.clone(),
            substitute_product_code: None,
            substitute_quantity: None,
        })
        .collect();
    {
        let db = app.db();
        if target_of(&db, &code).is_none() {
            return Err(ApiError::not_found("authorization or prescription", &code));
        }
    }
    let start_in = StartIn {
        code: Some(code),
        products,
        external_verifications: Vec::new(),
    };
    let (id, _) = start(&app, start_in)?;
    Ok(created_location(&super::path_of("getDispensation", &[&id])))
}

/// `getDispensingDocument`: what an authorization or prescription code
/// still entitles its holder to.
pub(crate) async fn dispensing_document(
    State(app): Shared,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let db = app.db();
    let target = target_of(&db, &code)
        .ok_or_else(|| ApiError::not_found("authorization or prescription", &code))?;
    let mut document = types::DispensingDocumentResource::default();
    document.approved_products = redeemable_lines(&db, target)
        .into_iter()
        .filter(|line| line.2 > 0)
        .map(|(id, code, quantity, _)| {
            let mut product = types::ApprovedProduct::default();
            product.name = db.product_by_code(&code).map(|p| p.name.to_owned());
            product.id = Some(id);
            product.code = Some(code);
            product.quantity = Some(quantity);
            product
        })
        .collect();
    Ok(ok(document))
}

/// Starts a dispensation and announces `dispensing.started`; returns its
/// id and rendering.
fn start(app: &Arc<App>, body: StartIn) -> ApiResult<(String, Value)> {
    let (id, json) = {
        let mut db = app.db();
        let references: Vec<&str> = body
            .code
            .as_deref()
            .into_iter()
            .chain(body.products.iter().map(|p| p.id.as_str()))
            .collect();
        if references.is_empty() {
            return Err(ApiError::unprocessable(
                "code",
                "give the code to redeem (code, or products[].id)",
            ));
        }
        let target = references
            .iter()
            .find_map(|r| target_of(&db, r))
            .ok_or_else(|| ApiError::not_found("authorization or prescription", references[0]))?;
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
                (
                    a.code.clone().unwrap_or_default(),
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
        if db.dispensations.values().any(|d| {
            d.redeems == target
                && matches!(
                    d.status,
                    DispStatus::Started | DispStatus::PendingVerification
                )
        }) {
            return Err(ApiError::conflict(format!(
                "{code} already has a dispensation in progress"
            )));
        }
        let products = map_products(&db, target, &body.products)?;
        let verified = if otp_required && !body.external_verifications.is_empty() {
            db.consume_otp(
                &body.external_verifications,
                beneficiary_id.unwrap_or_default(),
                sponsor_slug.as_deref().unwrap_or_default(),
            )?;
            true
        } else {
            false
        };
        let now = app.clock.now();
        let dispensation = Dispensation {
            id: format!("dsp_{:06}", db.next()),
            redeems: target,
            code,
            beneficiary_id,
            sponsor_slug,
            products,
            status: DispStatus::Started,
            otp_required,
            verified,
            claim_id: None,
            created_at: now.clone(),
            updated_at: now,
        };
        let json = dispensation.json();
        let id = dispensation.id.clone();
        db.dispensations.insert(id.clone(), dispensation);
        (id, json)
    };
    crate::webhooks::emit(app, "dispensing.started", json.clone());
    Ok((id, json))
}

fn dispensation<'a>(db: &'a mut Db, id: &str) -> ApiResult<&'a mut Dispensation> {
    db.dispensations
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found("dispensation", id))
}

/// `GET /dispensing/v1/dispensations/{id}`.
pub(crate) async fn get_dispensation(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut db = app.db();
    Ok(ok(dispensation(&mut db, &id)?.json()))
}

/// `GET /dispensing/v1/dispensations/{id}/verification-status`.
pub(crate) async fn verification_status(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let d = dispensation(&mut db, &id)?;
    let state = match (d.otp_required, d.verified) {
        (false, _) => "NOT_REQUIRED",
        (true, true) => "VERIFIED",
        (true, false) => "PENDING",
    };
    Ok(ok(json!({
        "verification_required": d.verification_required(),
        "verification_status": state,
        "dispensation_status": d.status.as_str(),
    })))
}

#[derive(Debug, Deserialize)]
pub(crate) struct UpdateIn {
    products: Vec<DispProductIn>,
}

/// `PUT /dispensing/v1/dispensations/{id}/products`: only while STARTED.
pub(crate) async fn update_dispensation_products(
    State(app): Shared,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateIn>,
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
    if body.products.is_empty() {
        return Err(ApiError::unprocessable(
            "products",
            "at least one product is required",
        ));
    }
    let products = map_products(&db, target, &body.products)?;
    let now = app.clock.now();
    let d = dispensation(&mut db, &id)?;
    d.products = products;
    d.updated_at = now;
    Ok(ok(d.json()))
}

#[derive(Debug, Deserialize)]
pub(crate) struct CompleteIn {
    #[allow(dead_code)]
    amount: f64,
    document_date: String,
    document_number: String,
    document_serial: Option<String>,
    #[serde(default)]
    external_verifications: Vec<Value>,
}

/// `POST /dispensing/v1/dispensations/{id}/complete`. An OTP sponsor needs
/// `external_verifications`; without a valid token the dispensation moves to
/// PENDING_VERIFICATION and the answer is 422.
pub(crate) async fn complete_dispensation(
    State(app): Shared,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CompleteIn>,
) -> ApiResult<Response> {
    let (json, event) = {
        let mut db = app.db();
        let d = dispensation(&mut db, &id)?.clone();
        if matches!(d.status, DispStatus::Dispensed | DispStatus::Voided) {
            return Err(ApiError::conflict(format!(
                "dispensation {id} is already {}",
                d.status.as_str()
            )));
        }
        if body.document_number.trim().is_empty() {
            return Err(ApiError::unprocessable(
                "document_number",
                "document_number is required",
            ));
        }
        if d.otp_required && !d.verified {
            let checked = db.consume_otp(
                &body.external_verifications,
                d.beneficiary_id.unwrap_or_default(),
                d.sponsor_slug.as_deref().unwrap_or_default(),
            );
            if let Err(error) = checked {
                let stored = dispensation(&mut db, &id)?;
                stored.status = DispStatus::PendingVerification;
                stored.updated_at = app.clock.now();
                return Err(error);
            }
        }
        let now = app.clock.now();
        let mut claim_id = None;
        match d.redeems {
            Redeems::Authorization(aid) => {
                let mut authorization = db.authorizations[&aid].clone();
                let mut lines = Vec::new();
                for p in &d.products {
                    let product = db.product_by_code(&p.code).cloned();
                    // A substitute counts against the first unclaimed line.
                    let position = authorization
                        .lines
                        .iter()
                        .position(|l| {
                            l.code == p.code && l.claimed_quantity < l.authorized_quantity
                        })
                        .or_else(|| {
                            authorization
                                .lines
                                .iter()
                                .position(|l| l.claimed_quantity < l.authorized_quantity)
                        });
                    let line = position.map(|i| &mut authorization.lines[i]);
                    if let Some(line) = line {
                        line.claimed_quantity =
                            (line.claimed_quantity + p.quantity).min(line.authorized_quantity);
                    }
                    lines.push(ClaimLine {
                        id: 0,
                        product_id: product.as_ref().map_or(0, |c| c.product_id),
                        code: p.code.clone(),
                        name: product
                            .as_ref()
                            .map_or(p.code.clone(), |c| c.name.to_owned()),
                        kind: product.map_or(crate::store::Kind::Medication, |c| c.kind),
                        quantity: p.quantity,
                        unit_price: p.unit_price,
                    });
                }
                for line in &mut lines {
                    line.id = db.next();
                }
                authorization.mark_claimed();
                authorization.updated_at = now.clone();
                let mut claim = db.new_claim(&authorization, lines, "COMPLETED", &now);
                claim.document_number = Some(body.document_number.clone());
                claim.document_date = Some(body.document_date.clone());
                claim.document_serial = body.document_serial.clone();
                claim_id = Some(claim.id);
                db.claims.insert(claim.id, claim);
                db.authorizations.insert(aid, authorization);
            }
            Redeems::Prescription(pid) => {
                if let Some(p) = db.prescriptions.get_mut(&pid) {
                    p.status = "DISPENSED";
                }
            }
        }
        let stored = dispensation(&mut db, &id)?;
        stored.status = DispStatus::Dispensed;
        stored.verified = stored.verified || stored.otp_required;
        stored.claim_id = claim_id;
        stored.updated_at = now;
        let json = stored.json();
        (json.clone(), json)
    };
    crate::webhooks::emit(&app, "dispensing.completed", event);
    Ok(ok(json))
}

/// `POST /dispensing/v1/dispensations/{id}/void`.
pub(crate) async fn void_dispensation(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let json = {
        let mut db = app.db();
        let now = app.clock.now();
        let d = dispensation(&mut db, &id)?;
        if matches!(d.status, DispStatus::Dispensed | DispStatus::Voided) {
            return Err(ApiError::conflict(format!(
                "dispensation {id} is {} and cannot be voided",
                d.status.as_str()
            )));
        }
        d.status = DispStatus::Voided;
        d.updated_at = now;
        d.json()
    };
    crate::webhooks::emit(&app, "dispensing.cancelled", json.clone());
    Ok(ok(json))
}

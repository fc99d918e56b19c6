//! Settlement batches (v3): open, list pending claims, attach, upload
//! documents, complete.

use axum::extract::multipart::{Multipart, MultipartRejection};

use super::prelude::*;
use crate::input::read_upload;
use crate::store::{Claim, Settlement};

/// `startSettlementBatch`: 200 with an OPEN batch; 406 for an unknown
/// sponsor.
pub(crate) async fn start_settlement(
    State(app): Shared,
    ApiJson(body): ApiJson<types::StartSettlementBatchRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    if db.sponsor(&body.sponsor_slug).is_none() {
        let message = "the sponsor does not take settlement batches from this provider";
        let error = ApiError::new(StatusCode::NOT_ACCEPTABLE, "071-406", message);
        return Err(error.with_info("sponsor_slug", body.sponsor_slug));
    }
    let id = format!("stl_{:06}", db.next());
    let resource = typed!(types::SettlementBatchResource;
        settlement_id = id.clone(), sponsor_slug = body.sponsor_slug, status = "OPEN",
        created_at = app.clock.now());
    let answer = ok(&resource);
    let settlement = Settlement {
        resource,
        ..Settlement::default()
    };
    db.settlements.insert(id, settlement);
    Ok(answer)
}

/// The batch, if it is still OPEN.
fn open_batch<'a>(db: &'a mut Db, id: &str) -> ApiResult<&'a mut Settlement> {
    let batch = db.settlements.get_mut(id).or_404("settlement batch", id)?;
    let status = batch.resource.status.as_ref().map_or("", |s| s.as_str());
    conflict_if!(status != "OPEN"; "settlement batch {id} is already {status}");
    Ok(batch)
}

/// Completed, unsettled claims of the sponsor that no batch holds yet.
fn pending<'a>(db: &'a Db, sponsor_slug: &'a str) -> impl Iterator<Item = (i64, &'a Claim)> {
    let batched = |a: &i64| {
        db.settlements
            .values()
            .any(|s| s.authorization_ids.contains(a))
    };
    let settleable = move |c: &&Claim| {
        let of_sponsor = c.resource.sponsor_slug.as_deref() == Some(sponsor_slug);
        of_sponsor && c.status() == "COMPLETED" && !c.settled
    };
    let claims = db.claims.values().filter(settleable);
    let claims = claims.filter_map(|c| c.authorization_id.map(|a| (a, c)));
    claims.filter(move |(a, _)| !batched(a))
}

/// `listSettlementPendingAuthorizations` (paged).
pub(crate) async fn pending_authorizations(
    State(app): Shared,
    Path(id): Id,
    paged: Paged,
) -> ApiResult<Response> {
    let db = app.db();
    let batch = db.settlements.get(&id).or_404("settlement batch", &id)?;
    let items = pending(&db, batch.sponsor_slug()).map(|(authorization, claim)| {
        typed!(types::SettlementPendingAuthorization;
            authorization_id = authorization.to_string(), claim_id = claim.id().to_string(),
            dispensation_date = claim.updated_at.date_naive().to_string(),
            total_amount = claim.amount())
    });
    Ok(paged.reply(&app.base_url, items.collect()))
}

/// `attachSettlementAuthorizations`.
pub(crate) async fn attach_authorizations(
    State(app): Shared,
    Path(id): Id,
    ApiJson(body): ApiJson<types::AttachSettlementAuthorizationsRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let sponsor = open_batch(&mut db, &id)?.sponsor_slug().to_owned();
    refuse_if!(body.authorization_ids.is_empty(); "authorization_ids", "name at least one authorization");
    let pending: Vec<i64> = pending(&db, &sponsor).map(|(a, _)| a).collect();
    let mut ids = Vec::new();
    for raw in &body.authorization_ids {
        let found = db.find_authorization(raw).filter(|a| pending.contains(a));
        let message = || format!("{raw} has no completed, unsettled claim for sponsor {sponsor}");
        ids.push(found.ok_or_else(|| ApiError::unprocessable("authorization_ids", message()))?);
    }
    let batch = open_batch(&mut db, &id)?;
    for a in ids {
        if !batch.authorization_ids.contains(&a) {
            batch.authorization_ids.push(a);
        }
    }
    Ok(ok(&batch.resource))
}

/// `uploadSettlementDocument` (multipart: `file`, `document_type`).
pub(crate) async fn upload_document(
    State(app): Shared,
    Path(id): Id,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    open_batch(&mut app.db(), &id)?;
    let upload = read_upload(multipart).await?;
    let file_name = upload.nonempty_file()?;
    let document_type = upload.texts.get("document_type");
    let document_type = document_type
        .map(|t| t.trim().to_uppercase())
        .unwrap_or_default();
    let known = matches!(
        document_type.as_str(),
        "INVOICE" | "CREDIT_NOTE" | "SUPPORTING_DOCUMENT"
    );
    let message = "document_type must be INVOICE, CREDIT_NOTE or SUPPORTING_DOCUMENT";
    refuse_if!(!known; "document_type", message);
    let mut db = app.db();
    let document = typed!(types::SettlementDocumentResource;
        id = format!("doc_{:06}", db.next()), file_name = file_name, created_at = app.clock.now(),
        document_type = document_type.clone());
    open_batch(&mut db, &id)?.documents.push(document_type);
    Ok(created(document))
}

/// `completeSettlementBatch`: 400 with field errors when the batch has no
/// authorizations or no invoice; otherwise SUBMITTED.
pub(crate) async fn complete_settlement(
    State(app): Shared,
    Path(id): Id,
    OptJson(_body): OptJson<types::CompleteSettlementBatchRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let batch = open_batch(&mut db, &id)?.clone();
    let mut errors = Vec::new();
    if batch.authorization_ids.is_empty() {
        errors.push(("authorization_ids", "attach at least one authorization"));
    }
    if !batch.documents.iter().any(|d| d == "INVOICE") {
        errors.push(("documents", "upload an INVOICE document"));
    }
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let batched = |claim: &Claim| {
        claim
            .authorization_id
            .is_some_and(|a| batch.authorization_ids.contains(&a))
    };
    for claim in db.claims.values_mut().filter(|c| batched(c)) {
        claim.settled = true;
    }
    let batch = open_batch(&mut db, &id)?;
    batch.resource.status = Some(types::SettlementBatchStatus::Submitted);
    Ok(ok(&batch.resource))
}

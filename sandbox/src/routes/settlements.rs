//! Settlement batches (v3): open, list pending claims, attach, upload
//! documents, complete.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use crate::input::read_upload;
use crate::reply::{ApiError, ApiJson, ApiResult, OptJson, Paging, created, ok, page};
use crate::store::{Db, Settlement, SettlementDoc};

#[derive(Debug, Deserialize)]
pub(crate) struct StartIn {
    sponsor_slug: String,
    period: Option<String>,
}

/// `POST /v3/settlements`: 200 with an OPEN batch; 406 for an unknown
/// sponsor.
pub(crate) async fn start_settlement(
    State(app): Shared,
    ApiJson(body): ApiJson<StartIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    if db.sponsor(&body.sponsor_slug).is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_ACCEPTABLE,
            "071-406",
            format!(
                "sponsor {} does not take settlement batches from this provider",
                body.sponsor_slug
            ),
        )
        .with_info(json!({ "sponsor_slug": body.sponsor_slug })));
    }
    let settlement = Settlement {
        id: format!("stl_{:06}", db.next()),
        sponsor_slug: body.sponsor_slug,
        period: body.period,
        status: "OPEN",
        authorization_ids: Vec::new(),
        documents: Vec::new(),
        created_at: app.clock.now(),
    };
    let json = settlement.json();
    db.settlements.insert(settlement.id.clone(), settlement);
    Ok(ok(json))
}

fn settlement<'a>(db: &'a mut Db, id: &str) -> ApiResult<&'a mut Settlement> {
    db.settlements
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found("settlement batch", id))
}

/// Completed, unsettled claims of the sponsor that no batch holds yet:
/// (authorization id, claim json).
fn pending(db: &Db, sponsor_slug: &str) -> Vec<(i64, Value)> {
    let attached: Vec<&String> = db
        .settlements
        .values()
        .flat_map(|s| s.authorization_ids.iter())
        .collect();
    db.claims
        .values()
        .filter(|c| c.sponsor_slug == sponsor_slug && c.status == "COMPLETED" && !c.settled)
        .filter_map(|c| c.authorization_id.map(|a| (a, c)))
        .filter(|(a, _)| !attached.iter().any(|s| **s == a.to_string()))
        .map(|(a, c)| {
            (
                a,
                json!({
                    "authorization_id": a.to_string(),
                    "claim_id": c.id.to_string(),
                    "dispensation_date": c.updated_at.get(..10).unwrap_or_default(),
                    "total_amount": c.amount(),
                    "authorization_code": c.authorization_code,
                }),
            )
        })
        .collect()
}

/// `GET /v3/settlements/{settlement_id}/pending-authorizations` (paged).
pub(crate) async fn pending_authorizations(
    State(app): Shared,
    Path(id): Path<String>,
    Query(paging): Query<Paging>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let mut db = app.db();
    let sponsor = settlement(&mut db, &id)?.sponsor_slug.clone();
    let items = pending(&db, &sponsor).into_iter().map(|(_, v)| v).collect();
    Ok(ok(page(
        items,
        &paging,
        &format!("{}{}", app.base_url, uri.path()),
    )))
}

#[derive(Debug, Deserialize)]
pub(crate) struct AttachIn {
    authorization_ids: Vec<String>,
}

/// `POST /v3/settlements/{settlement_id}/authorizations`.
pub(crate) async fn attach_authorizations(
    State(app): Shared,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AttachIn>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let batch = settlement(&mut db, &id)?.clone();
    if batch.status != "OPEN" {
        return Err(ApiError::conflict(format!(
            "settlement batch {id} is {}",
            batch.status
        )));
    }
    if body.authorization_ids.is_empty() {
        return Err(ApiError::unprocessable(
            "authorization_ids",
            "name at least one authorization",
        ));
    }
    let pending: Vec<i64> = pending(&db, &batch.sponsor_slug)
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    let mut ids = Vec::new();
    for raw in &body.authorization_ids {
        let found = db.find_authorization(raw).filter(|a| pending.contains(a));
        match found {
            Some(a) => ids.push(a.to_string()),
            None => {
                return Err(ApiError::unprocessable(
                    "authorization_ids",
                    format!(
                        "{raw} has no completed, unsettled claim for sponsor {}",
                        batch.sponsor_slug
                    ),
                ));
            }
        }
    }
    let batch = settlement(&mut db, &id)?;
    for a in ids {
        if !batch.authorization_ids.contains(&a) {
            batch.authorization_ids.push(a);
        }
    }
    Ok(ok(batch.json()))
}

/// `POST /v3/settlements/{settlement_id}/documents` (multipart: `file`,
/// `document_type`).
pub(crate) async fn upload_document(
    State(app): Shared,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    {
        let mut db = app.db();
        let batch = settlement(&mut db, &id)?;
        if batch.status != "OPEN" {
            return Err(ApiError::conflict(format!(
                "settlement batch {id} is {}",
                batch.status
            )));
        }
    }
    let upload = read_upload(multipart).await?;
    let (Some(file_name), Some(size)) = (upload.file_name, upload.file_size) else {
        return Err(ApiError::unprocessable("file", "the file part is required"));
    };
    if size == 0 {
        return Err(ApiError::unprocessable("file", "the file is empty"));
    }
    let document_type = upload
        .texts
        .get("document_type")
        .map(|t| t.trim().to_uppercase())
        .unwrap_or_default();
    if !matches!(
        document_type.as_str(),
        "INVOICE" | "CREDIT_NOTE" | "SUPPORTING_DOCUMENT"
    ) {
        return Err(ApiError::unprocessable(
            "document_type",
            "document_type must be INVOICE, CREDIT_NOTE or SUPPORTING_DOCUMENT",
        ));
    }
    let mut db = app.db();
    let doc = SettlementDoc {
        id: format!("doc_{:06}", db.next()),
        document_type,
        file_name,
        created_at: app.clock.now(),
    };
    let json = json!({
        "id": doc.id, "document_type": doc.document_type, "file_name": doc.file_name, "created_at": doc.created_at,
    });
    settlement(&mut db, &id)?.documents.push(doc);
    Ok(created(json))
}

/// `POST /v3/settlements/{settlement_id}/complete`: 400 with field errors
/// when the batch has no authorizations or no invoice; otherwise SUBMITTED.
pub(crate) async fn complete_settlement(
    State(app): Shared,
    Path(id): Path<String>,
    OptJson(_body): OptJson<serde_json::Map<String, Value>>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let batch = settlement(&mut db, &id)?.clone();
    if batch.status != "OPEN" {
        return Err(ApiError::conflict(format!(
            "settlement batch {id} is already {}",
            batch.status
        )));
    }
    let mut errors = Vec::new();
    if batch.authorization_ids.is_empty() {
        errors.push((
            "authorization_ids".to_owned(),
            "attach at least one authorization".to_owned(),
        ));
    }
    if !batch.documents.iter().any(|d| d.document_type == "INVOICE") {
        errors.push((
            "documents".to_owned(),
            "upload an INVOICE document".to_owned(),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    for claim in db.claims.values_mut() {
        if claim
            .authorization_id
            .is_some_and(|a| batch.authorization_ids.contains(&a.to_string()))
        {
            claim.settled = true;
        }
    }
    let batch = settlement(&mut db, &id)?;
    batch.status = "SUBMITTED";
    Ok(ok(batch.json()))
}

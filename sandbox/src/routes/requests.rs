//! Pre-authorization requests: create, attach documents, complete, read.

use axum::extract::multipart::{Multipart, MultipartRejection};

use super::authorizations::issue;
use super::prelude::*;
use crate::input::{base64_file, numeric_id, read_upload};
use crate::state::App;
use crate::store::otp_of;
use crate::store::{AuthRequest, Authorization, Decision, Doctor, RequestView};

/// The request as answered, with the authorizations it led to.
fn view(db: &Db, request: &AuthRequest) -> RequestView {
    let all = db.authorizations.values();
    let decided = all.filter(|a| a.request_id == Some(request.id));
    request.view(decided.map(Authorization::resource).collect())
}

/// `createAuthorizationRequest`: an OPEN request; 201 with a `Location` to
/// it.
pub(crate) async fn create_request(
    State(app): Shared,
    ApiJson(body): ApiJson<types::CreatePendingAuthorizationRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let (sponsor, beneficiary) =
        db.sponsor_and_beneficiary(&body.sponsor_slug, body.beneficiary_id)?;
    let mut lines = Vec::new();
    for p in &body.products {
        let product = db.resolve_product(p.provider_product_code.as_deref(), p.product_id)?;
        let quantity = p.quantity.unwrap_or(1);
        refuse_if!(quantity <= 0; "products.quantity", "quantity must be positive");
        lines.push(db.new_line(product, quantity));
    }
    let diagnoses = body
        .diagnoses
        .iter()
        .map(|d| db.diagnosis(&d.code, &d.coding_system))
        .collect();
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
        status: "OPEN",
        created_at: now,
        updated_at: now,
    };
    let answer = view(&db, &request);
    let location = path_of("getAuthorizationRequest", &[&request.id.to_string()]);
    db.auth_requests.insert(request.id, request);
    Ok(located(created(answer), &location))
}

/// `listAuthorizationRequests` (paged, newest first).
pub(crate) async fn list_requests(State(app): Shared, paged: Paged) -> Response {
    let db = app.db();
    let items = db.auth_requests.values().rev().map(|r| view(&db, r));
    paged.reply(&app.base_url, items.collect())
}

fn request_id(db: &Db, raw: &str) -> ApiResult<i64> {
    numeric_id(raw)
        .filter(|id| db.auth_requests.contains_key(id))
        .or_404("authorization request", raw)
}

/// `getAuthorizationRequest`.
pub(crate) async fn get_request(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    let db = app.db();
    let id = request_id(&db, &id)?;
    Ok(ok(view(&db, &db.auth_requests[&id])))
}

/// `completeAuthorizationRequest`: the sponsor decides. It needs every
/// document the sponsor demands, and an OTP sponsor needs
/// `external_verifications`.
pub(crate) async fn complete_request(
    State(app): Shared,
    Path(id): Id,
    OptJson(body): OptJson<types::AuthorizationRequestCompletion>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let rid = request_id(&db, &id)?;
    let request = db.auth_requests[&rid].clone();
    let status = request.status;
    conflict_if!(status != "OPEN"; "authorization request {rid} is already {status}");
    let sponsor = db.sponsor_or_404(&request.sponsor_slug)?;
    refuse_if!(request.lines.is_empty(); "products", "the request has no products to authorize");
    let file_types = request.indications.iter();
    let file_types: Vec<&str> = file_types.filter_map(|i| i.file_type.as_deref()).collect();
    let attached = |kind: &&str| file_types.iter().any(|t| t.eq_ignore_ascii_case(kind));
    let required = sponsor.required_documents.iter().copied();
    let missing: Vec<&str> = required.filter(|kind| !attached(kind)).collect();
    if !missing.is_empty() {
        let listed = missing.join(", ");
        let message = format!("the sponsor needs these documents first: {listed}");
        let code = "071-422-missing-indication";
        let error = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
        return Err(error.with_info("missing_file_types", missing));
    }
    if sponsor.otp_required {
        let token = otp_of(&body.external_verifications);
        db.consume_otp(token, request.beneficiary_id, sponsor.slug)?;
    }
    let (beneficiary, doctor, lines) = (request.beneficiary_id, request.doctor, request.lines);
    let slug = sponsor.slug.to_owned();
    let mut authorization =
        Authorization::new(db.next(), slug, beneficiary, doctor, lines, &app.clock);
    authorization.request_id = Some(rid);
    issue(&app, &mut db, sponsor, authorization);
    let stored = db
        .auth_requests
        .get_mut(&rid)
        .or_404("authorization request", &id)?;
    stored.status = match sponsor.decision {
        Decision::Sync => "COMPLETED",
        Decision::Async => "PENDING_SPONSOR",
    };
    stored.updated_at = app.clock.now();
    Ok(ok(view(&db, &db.auth_requests[&rid])))
}

/// The request, if it still takes documents.
fn open_for_upload(db: &Db, id: &str) -> ApiResult<i64> {
    let rid = request_id(db, id)?;
    let open = db.auth_requests[&rid].status == "OPEN";
    conflict_if!(!open; "authorization request {rid} no longer accepts documents");
    Ok(rid)
}

/// Attaches a document, if the request still takes documents: it may have
/// been completed while the file was arriving.
fn store_indication(
    app: &App,
    id: &str,
    file_name: String,
    file_type: String,
) -> ApiResult<Response> {
    let mut db = app.db();
    let rid = open_for_upload(&db, id)?;
    let indication = typed!(types::IndicationResource;
        id = format!("ind_{:06}", db.next()), file_name = file_name, file_type = file_type,
        created_at = app.clock.now());
    if let Some(request) = db.auth_requests.get_mut(&rid) {
        request.indications.push(indication.clone());
    }
    Ok(created(indication))
}

/// The query of a file upload: what the document is and what it is for.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FileQuery {
    document_type_slug: Option<String>,
    coverage: Option<String>,
    product_type: Option<String>,
    authorization_id: Option<String>,
}

/// `uploadAuthorizationRequestFile` (multipart part `file`; the kind of
/// document from the query's `document_type_slug`, or from a `file_type`
/// part when the query names none). `coverage`, `product_type` and
/// `authorization_id` are accepted and, when given, must not be blank.
pub(crate) async fn attach_indication_multipart(
    State(app): Shared,
    Path(id): Id,
    ApiQuery(query): ApiQuery<FileQuery>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    for (name, value) in [
        ("coverage", &query.coverage),
        ("product_type", &query.product_type),
        ("authorization_id", &query.authorization_id),
    ] {
        refuse_if!(value.as_deref().is_some_and(|v| v.trim().is_empty()); name, format!("{name} is blank"));
    }
    open_for_upload(&app.db(), &id)?;
    let upload = read_upload(multipart).await?;
    let file_name = upload.nonempty_file()?;
    let named = query
        .document_type_slug
        .or_else(|| upload.texts.get("file_type").cloned());
    let file_type = named.unwrap_or_default();
    refuse_if!(file_type.trim().is_empty(); "document_type_slug", "document_type_slug is required");
    store_indication(&app, &id, file_name, file_type)
}

/// `attachAuthorizationRequestIndicationBase64`.
pub(crate) async fn attach_indication_base64(
    State(app): Shared,
    Path(id): Id,
    ApiJson(body): ApiJson<types::AttachIndicationBase64Request>,
) -> ApiResult<Response> {
    open_for_upload(&app.db(), &id)?;
    let bytes = base64_file(&body.content, "content")?;
    refuse_if!(bytes.is_empty(); "content", "the file is empty");
    refuse_if!(body.file_type.trim().is_empty(); "file_type", "file_type is required");
    let file_name = body
        .file_name
        .unwrap_or_else(|| format!("{}.pdf", body.file_type.to_lowercase()));
    store_indication(&app, &id, file_name, body.file_type)
}

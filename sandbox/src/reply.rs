//! How the sandbox answers: Osigu's error envelopes, the JSON extractors
//! that produce them, pages, and `Location`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use osigu::types;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::typed::typed;

/// An error answer in one of Osigu's three envelopes, each a generated
/// type (boxed, so results that carry it stay small).
#[derive(Debug)]
pub(crate) struct ApiError(Box<Error>);

#[derive(Debug)]
struct Error {
    status: StatusCode,
    body: Body,
    /// `Retry-After`, in seconds.
    retry_after: Option<u64>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Body {
    /// `ErrorResponse`: `{error_code, message, additional_information}`.
    Envelope(types::ErrorResponse),
    /// `ValidationErrorResponse`: `{code, message, errors[]}` with 422 (OTP
    /// and verification failures).
    Validation(types::ValidationErrorResponse),
    /// `FieldErrorsResponse`: `{errors: [{path, message}]}` with 400
    /// (settlement completion).
    Fields(types::FieldErrorsResponse),
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// An `Option` read as "found, or 404 naming what was not".
pub(crate) trait OrNotFound<T> {
    /// The value, or a 404 for `what` `id`.
    fn or_404(self, what: &str, id: &str) -> ApiResult<T>;
}

impl<T> OrNotFound<T> for Option<T> {
    fn or_404(self, what: &str, id: &str) -> ApiResult<T> {
        self.ok_or_else(|| ApiError::not_found(what, id))
    }
}

/// `refuse_if!(condition; field, message)` answers 422 naming `field` when
/// `condition` holds.
macro_rules! refuse_if {
    ($condition:expr; $field:expr, $message:expr) => {
        if $condition {
            return Err(crate::reply::ApiError::unprocessable($field, $message));
        }
    };
}

pub(crate) use refuse_if;

/// `conflict_if!(condition; "format", args...)` answers 409 with the
/// formatted message when `condition` holds.
macro_rules! conflict_if {
    ($condition:expr; $($message:tt)+) => {
        if $condition {
            return Err(crate::reply::ApiError::conflict(format!($($message)+)));
        }
    };
}

pub(crate) use conflict_if;

impl ApiError {
    fn answer(status: StatusCode, body: Body) -> Self {
        Self(Box::new(Error {
            status,
            body,
            retry_after: None,
        }))
    }

    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        let body = typed!(types::ErrorResponse; error_code = code, message = message.into());
        Self::answer(status, Body::Envelope(body))
    }

    /// Adds one entry to `additional_information`.
    pub(crate) fn with_info(mut self, key: &str, value: impl Into<Value>) -> Self {
        if let Body::Envelope(body) = &mut self.0.body {
            let info = &mut body.additional_information;
            info.insert(key.to_owned(), value.into());
        }
        self
    }

    /// The `{errors: [{path, message}]}` envelope with status 400.
    pub(crate) fn fields(errors: Vec<(&str, &str)>) -> Self {
        let error = |(path, message)| typed!(types::FieldError; path = path, message = message);
        let errors = errors.into_iter().map(error);
        let body = typed!(types::FieldErrorsResponse;; errors = errors.collect());
        Self::answer(StatusCode::BAD_REQUEST, Body::Fields(body))
    }

    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        let message = format!("{what} {id} was not found");
        Self::new(StatusCode::NOT_FOUND, "071-404", message).with_info("resource", what)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "071-409", message)
    }

    pub(crate) fn unprocessable(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "071-422", message).with_info("field", field)
    }

    pub(crate) fn unregistered_product(code: &str) -> Self {
        let message = format!("product {code} is not registered for this provider");
        let error = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "071-104", message);
        error.with_info("product_code", code)
    }

    pub(crate) fn too_large(limit: usize) -> Self {
        let message = format!("the file exceeds the {} MB limit", limit / (1024 * 1024));
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "071-413-file-too-large",
            message,
        )
    }

    pub(crate) fn unauthorized(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "071-401", message)
    }

    pub(crate) fn rate_limited(retry_after: u64) -> Self {
        let message = "rate limit exceeded; retry later";
        let mut error = Self::new(StatusCode::TOO_MANY_REQUESTS, "071-429", message)
            .with_info("retry_after_seconds", retry_after);
        error.0.retry_after = Some(retry_after);
        error
    }

    /// The `{code, message, errors[]}` envelope with one field error.
    pub(crate) fn validation(
        code: &str,
        message: impl Into<String>,
        field: &str,
        detail: impl Into<String>,
    ) -> Self {
        let mut error = serde_json::Map::new();
        error.insert("field".to_owned(), field.into());
        error.insert("message".to_owned(), detail.into().into());
        let body = typed!(types::ValidationErrorResponse;
            code = code, message = message.into(); errors = vec![error]);
        Self::answer(StatusCode::UNPROCESSABLE_ENTITY, Body::Validation(body))
    }

    /// A 500 for a sandbox fault (never for anything a request carried).
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "071-500", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Error {
            status,
            body,
            retry_after,
        } = *self.0;
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(seconds) = retry_after {
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A JSON body read whatever its content type, answering Osigu's envelope
/// when it does not parse: 400 for malformed JSON, 422 for JSON of the
/// wrong shape.
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Like [`ApiJson`], but an empty body reads as `T::default()` (for calls
/// the spec documents without a body that also accept optional fields).
pub(crate) struct OptJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptJson(T::default()));
        }
        parse_json(&bytes).map(OptJson)
    }
}

/// The raw body, or Osigu's envelope if it cannot be read.
async fn read_body<S: Send + Sync>(req: Request, state: &S) -> ApiResult<Bytes> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        let message = format!("cannot read the body: {}", rejection.body_text());
        ApiError::new(rejection.status(), "071-400", message)
    })
}

/// The field a decoding error is about, and what is wrong with it: "is
/// required" when it is missing (serde names a missing field only in its
/// message), else `otherwise`.
fn described<E: std::fmt::Display>(
    e: &serde_path_to_error::Error<E>,
    otherwise: &'static str,
) -> (String, &'static str) {
    let path = e.path().to_string();
    let text = e.inner().to_string();
    let missing = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    let field = match missing {
        Some(name) if path == "." => name.to_owned(),
        Some(name) => format!("{path}.{name}"),
        None => path,
    };
    (field, missing.map_or(otherwise, |_| "is required"))
}

/// Decodes a body; a shape error is a 422 naming the field at fault (and
/// never quoting the value sent).
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let mut decoder = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut decoder).map_err(|e| {
        if !e.inner().is_data() {
            let message = "the body is not valid JSON";
            return ApiError::new(StatusCode::BAD_REQUEST, "071-400", message);
        }
        let (field, what) = described(&e, "has the wrong type");
        ApiError::unprocessable(&field, format!("{field} {what}"))
    })
}

/// A query string read into `T`, answering Osigu's envelope when it does
/// not fit: 400 naming the parameter, never quoting its value (a search
/// can carry a document number).
pub(crate) struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(ApiQuery)
    }
}

fn parse_query<T: DeserializeOwned>(query: &str) -> ApiResult<T> {
    let pairs = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(pairs).map_err(|e| {
        let (field, what) = described(&e, "is malformed");
        let message = format!("query parameter {field} {what}");
        ApiError::new(StatusCode::BAD_REQUEST, "071-400", message).with_info("field", field)
    })
}

/// A list call's `page` and `size` query parameters (Spring style: pages
/// count from 0), and the path its links lead back to: the request's, with
/// every other query parameter (its filters) kept, so `next` lists the
/// same things.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Paged {
    page: Option<i64>,
    size: Option<i64>,
    /// The path (and any filter query) of the links.
    #[serde(skip)]
    pub path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Paged {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiQuery(paged) = ApiQuery::<Self>::from_request_parts(parts, state).await?;
        // The filters are encoded again: a value can hold `&`, `#` or
        // spaces, and must come back in the links as it was sent.
        let query = form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes());
        let mut filters = form_urlencoded::Serializer::new(String::new());
        filters.extend_pairs(query.filter(|(name, _)| !matches!(&**name, "page" | "size")));
        let (path, filters) = (parts.uri.path(), filters.finish());
        let path = if filters.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{filters}")
        };
        Ok(Self { path, ..paged })
    }
}

/// One page in the shape of the spec's `PagedModel*` schemas: the
/// generated item type, with the generated link and page-metadata types.
#[derive(Debug, Serialize)]
struct Page<T> {
    content: Vec<T>,
    links: Vec<types::Link>,
    page: types::PageMetadata,
}

impl Paged {
    /// The first page of the list at `path`.
    pub(crate) fn first(path: String) -> Self {
        Self {
            path,
            ..Self::default()
        }
    }

    /// 200 with the page asked for (20 items by default), with `self`,
    /// `first`, `prev`, `next` and `last` links under `base_url`.
    pub(crate) fn reply<T: Serialize>(&self, base_url: &str, items: Vec<T>) -> Response {
        ok(self.page(base_url, items))
    }

    fn page<T>(&self, base_url: &str, items: Vec<T>) -> Page<T> {
        let size = self.size.unwrap_or(20).clamp(1, 200);
        let number = self.page.unwrap_or(0).max(0);
        let total = items.len() as i64;
        let total_pages = (total + size - 1) / size;
        // A page number from the query can be any i64: skip saturates.
        let skip = usize::try_from(number.saturating_mul(size)).unwrap_or(usize::MAX);
        let content: Vec<T> = items.into_iter().skip(skip).take(size as usize).collect();
        let sep = if self.path.contains('?') { '&' } else { '?' };
        let href = |page: i64| format!("{base_url}{}{sep}page={page}&size={size}", self.path);
        let link = |rel: &str, page: i64| typed!(types::Link; rel = rel, href = href(page));
        let mut links = vec![link("self", number)];
        if total_pages > 0 {
            links.push(link("first", 0));
            if number > 0 {
                links.push(link("prev", number - 1));
            }
            if number < total_pages - 1 {
                links.push(link("next", number + 1));
            }
            links.push(link("last", total_pages - 1));
        }
        let page = typed!(types::PageMetadata;
            size = size, number = number, total_elements = total, total_pages = total_pages);
        Page {
            content,
            links,
            page,
        }
    }
}

/// 200 with a JSON body.
pub(crate) fn ok(body: impl Serialize) -> Response {
    axum::Json(body).into_response()
}

/// 200 with a JSON list of `items`.
pub(crate) fn ok_list<T: Serialize>(items: impl IntoIterator<Item = T>) -> Response {
    ok(items.into_iter().collect::<Vec<_>>())
}

/// 201 with a JSON body.
pub(crate) fn created(body: impl Serialize) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

/// `response` with a `Location`; a path the sandbox built is always a
/// valid header.
pub(crate) fn located(mut response: Response, location: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The path of an operation with its placeholders filled in order, for a
/// `Location` or a link.
pub(crate) fn path_of(operation_id: &str, values: &[&str]) -> String {
    let template = osigu::operations::find(operation_id).map_or("", |op| op.template);
    let mut out = String::with_capacity(template.len());
    let mut values = values.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push_str(values.next().copied().unwrap_or_default());
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_like_spring() {
        let items: Vec<i32> = (0..45).collect();
        let paged = Paged {
            page: Some(2),
            size: Some(20),
            path: "/x".to_owned(),
        };
        let page = serde_json::to_value(paged.page("http://h", items)).unwrap();
        assert_eq!(page["content"].as_array().unwrap().len(), 5);
        assert_eq!(page["page"]["total_pages"], 3);
        assert_eq!(page["links"][0]["href"], "http://h/x?page=2&size=20");
        assert_eq!(page["links"][0]["rel"], "self");
    }

    #[test]
    fn a_page_past_the_end_is_empty_however_far() {
        for number in [3, i64::MAX / 20 + 1, i64::MAX] {
            let paged = Paged {
                page: Some(number),
                size: Some(20),
                path: "/x".to_owned(),
            };
            let page = serde_json::to_value(paged.page("http://h", vec![1, 2, 3])).unwrap();
            assert_eq!(page["content"].as_array().map(Vec::len), Some(0));
            assert_eq!(page["page"]["number"], number);
            let rels: Vec<&str> = page["links"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["rel"].as_str().unwrap())
                .collect();
            assert_eq!(rels, ["self", "first", "prev", "last"], "page {number}");
        }
    }

    #[test]
    fn fills_path_templates() {
        assert_eq!(
            path_of("getAuthorizationRequest", &["42"]),
            osigu::operations::find("getAuthorizationRequest")
                .unwrap()
                .template
                .replace("{id}", "42")
        );
    }
}

//! Osigu's error envelopes and the JSON extractor that produces them.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// An error answer in one of Osigu's three envelopes (boxed, so results
/// that carry it stay small).
#[derive(Debug)]
pub(crate) struct ApiError(Box<Body>);

#[derive(Debug)]
pub(crate) enum Body {
    /// `{error_code, message, additional_information}`.
    Envelope {
        status: StatusCode,
        code: String,
        message: String,
        info: Value,
        retry_after: Option<u64>,
    },
    /// `{code, message, errors[]}` (OTP and verification failures).
    Validation {
        status: StatusCode,
        code: String,
        message: String,
        errors: Vec<Value>,
    },
    /// `{errors: [{path, message}]}` (settlement completion).
    Fields {
        status: StatusCode,
        errors: Vec<(String, String)>,
    },
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self(Box::new(Body::Envelope {
            status,
            code: code.to_owned(),
            message: message.into(),
            info: json!({}),
            retry_after: None,
        }))
    }

    pub(crate) fn with_info(mut self, extra: Value) -> Self {
        if let Body::Envelope { info, .. } = &mut *self.0 {
            *info = extra;
        }
        self
    }

    /// The `{errors: [{path, message}]}` envelope with status 400.
    pub(crate) fn fields(errors: Vec<(String, String)>) -> Self {
        Self(Box::new(Body::Fields {
            status: StatusCode::BAD_REQUEST,
            errors,
        }))
    }

    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "071-404",
            format!("{what} {id} was not found"),
        )
        .with_info(json!({ "resource": what, "id": id }))
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "071-409", message)
    }

    pub(crate) fn unprocessable(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "071-422", message)
            .with_info(json!({ "field": field }))
    }

    pub(crate) fn unregistered_product(code: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "071-104",
            format!("product {code} is not registered for this provider"),
        )
        .with_info(json!({ "product_code": code }))
    }

    pub(crate) fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "071-413-file-too-large",
            format!("the file exceeds the {} MB limit", limit / (1024 * 1024)),
        )
    }

    pub(crate) fn unauthorized(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "071-401", message)
    }

    pub(crate) fn rate_limited(retry_after: u64) -> Self {
        Self(Box::new(Body::Envelope {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "071-429".to_owned(),
            message: "rate limit exceeded; retry later".to_owned(),
            info: json!({ "retry_after_seconds": retry_after }),
            retry_after: Some(retry_after),
        }))
    }

    /// The `{code, message, errors[]}` envelope with one field error.
    pub(crate) fn validation(
        code: &str,
        message: impl Into<String>,
        field: &str,
        detail: impl Into<String>,
    ) -> Self {
        Self(Box::new(Body::Validation {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: code.to_owned(),
            message: message.into(),
            errors: vec![json!({ "field": field, "message": detail.into() })],
        }))
    }

    pub(crate) fn status(&self) -> StatusCode {
        match &*self.0 {
            Body::Envelope { status, .. }
            | Body::Validation { status, .. }
            | Body::Fields { status, .. } => *status,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (body, retry_after) = match *self.0 {
            Body::Envelope {
                code,
                message,
                info,
                retry_after,
                ..
            } => (
                json!({ "error_code": code, "message": message, "additional_information": info }),
                retry_after,
            ),
            Body::Validation {
                code,
                message,
                errors,
                ..
            } => (
                json!({ "code": code, "message": message, "errors": errors }),
                None,
            ),
            Body::Fields { errors, .. } => (
                json!({ "errors": errors.into_iter()
                    .map(|(path, message)| json!({ "path": path, "message": message }))
                    .collect::<Vec<_>>() }),
                None,
            ),
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
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
        ApiError::new(
            rejection.status(),
            "071-400",
            format!("cannot read the body: {}", rejection.body_text()),
        )
    })
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        if e.is_data() {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "071-422",
                format!("the body does not match the expected shape: {e}"),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "071-400",
                format!("the body is not valid JSON: {e}"),
            )
        }
    })
}

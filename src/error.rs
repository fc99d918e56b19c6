//! One error type for every way a call can fail.
//!
//! Every call returns [`Error`]: generated `send()`s and the hand-written
//! helpers alike go through the request engine, which reads and parses
//! error bodies itself. `From<progenitor_client::Error>` remains for code
//! that holds progenitor's error from elsewhere.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

/// Everything that can go wrong talking to Osigu.
///
/// No variant's `Display` or `Debug` contains a token, client secret or OTP
/// code: requests are never echoed, and transport errors are stored without
/// their URL (a path can carry a beneficiary id).
///
/// ```
/// # async fn demo(osigu: &osigu::Osigu) -> Result<(), osigu::Error> {
/// match osigu.list_sponsors().send().await {
///     Ok(sponsors) => println!("{} sponsors", sponsors.len()),
///     Err(osigu::Error::Api(api)) if api.status == 404 => println!("none"),
///     Err(e) if e.is_retryable() => { /* try again later */ }
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Error {
    /// A setting is missing or malformed; `setting` names it.
    Config {
        /// The builder method or environment variable at fault.
        setting: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The credentials were refused: by the token endpoint, or by the API
    /// even with a freshly issued token.
    Auth(Box<ApiError>),
    /// The API answered with an error status.
    Api(Box<ApiError>),
    /// The token endpoint failed for a reason other than the credentials
    /// (a 5xx answer).
    TokenEndpoint(Box<ApiError>),
    /// The API kept answering 429 until the retry budget ran out.
    RateLimited {
        /// How long the server asked to wait, if it said.
        retry_after: Option<Duration>,
        /// The 429 response.
        error: Box<ApiError>,
    },
    /// No answer within the configured timeout.
    Timeout {
        /// Whether the token request or the API call timed out.
        during: Stage,
    },
    /// The connection could not be made or broke.
    Transport {
        /// Whether the token request or the API call failed.
        during: Stage,
        /// The underlying error, without its URL.
        source: Arc<reqwest::Error>,
    },
    /// A success response whose body does not match the expected type.
    /// The reason names where in the body it failed and what was expected,
    /// never the value found there (it could be a document number).
    Decode {
        /// The HTTP status, when there was a response.
        status: Option<u16>,
        /// The request id Osigu echoed, for support.
        request_id: Option<String>,
        /// What did not match.
        reason: String,
    },
    /// A response body larger than the client reads; nothing of it was
    /// decoded. See [`OsiguBuilder::max_response_size`](crate::OsiguBuilder::max_response_size).
    ResponseTooLarge {
        /// Which response it was.
        during: Stage,
        /// The most the client reads, in bytes.
        limit: u64,
    },
    /// A create whose reply was lost or timed out (or whose retry was
    /// refused as a conflict): Osigu may or may not have made the
    /// resource, and the SDK will not send it again, because a second
    /// create would make a second resource.
    ///
    /// Find out before acting: list or search what the call creates (for a
    /// dispensation, the authorization's dispensations; for a
    /// pre-authorization request, [`Client::list_authorization_requests`](crate::Client::list_authorization_requests);
    /// for a patient, [`Client::search_patients`](crate::Client::search_patients)),
    /// and quote `request_id` to Osigu's support if it is still unclear.
    /// Not retryable.
    OutcomeUnknown {
        /// The operationId of the create.
        operation: &'static str,
        /// The `x-request-id` this SDK sent with the request.
        request_id: String,
    },
    /// A state transition whose first attempt was applied but whose answer
    /// was lost: the retry was refused because the resource is already in
    /// the target state, and the call's own answer cannot be recovered.
    /// The change is in effect; read the resource for its state. Not
    /// retryable.
    AlreadyApplied {
        /// The operationId of the transition.
        operation: &'static str,
        /// The `x-request-id` this SDK sent with the first attempt.
        request_id: String,
    },
    /// A create succeeded, but reading the new resource back from the
    /// `Location` Osigu answered with failed: the resource exists. **Do not
    /// create it again**; read it from `location` (or list what the call
    /// creates) when the cause has passed. Not retryable.
    CreatedButNotRead {
        /// The path the answer's `Location` gave, to read the resource from.
        location: String,
        /// Why the read failed.
        last_error: Box<Error>,
    },
    /// Osigu accepted an asynchronous job (202) but it had not finished
    /// when polling stopped: the deadline passed, or a poll failed. The job
    /// goes on; **do not send the request again** (that would submit it
    /// twice). Resume with [`Osigu::wait_for_claim_monitor`](crate::Osigu::wait_for_claim_monitor)
    /// on `monitor`. Not retryable.
    JobNotFinished {
        /// The monitor's location (or id) to resume polling.
        monitor: String,
        /// The poll failure that stopped the wait, if that is what stopped it.
        last_error: Option<Box<Error>>,
    },
    /// A file is larger than Osigu accepts; nothing was sent.
    UploadTooLarge {
        /// The file's size.
        bytes: u64,
        /// The largest size accepted.
        limit: u64,
    },
    /// An asynchronous job Osigu tracks with a monitor ended in error.
    JobFailed {
        /// The monitor's error code.
        error_code: Option<String>,
        /// The monitor's error summary.
        message: Option<String>,
    },
    /// A paged list misbehaved (e.g. it never ends); `reason` says how.
    Pagination {
        /// What went wrong.
        reason: String,
    },
    /// The request could not be built, e.g. a required parameter is unset.
    InvalidRequest {
        /// Why.
        reason: String,
    },
    /// A store shared by a fleet of processes (Redis, with the `redis`
    /// feature) could not be used, and its policy is to fail rather than
    /// to go on without it (e.g. a rate limiter set to fail closed, or a
    /// shared webhook deduplicator). Nothing was sent. Retryable.
    SharedStore {
        /// What failed, without the store's address or any secret.
        reason: String,
    },
}

/// Which request of a call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Getting an access token from `/v1/oauth/token`.
    Token,
    /// The API call itself.
    Call,
    /// Waiting for an asynchronous job to finish.
    Monitor,
}

/// An error response from Osigu, in whichever of its documented envelopes
/// it came.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// Osigu's error code, e.g. `"071-102"` (or the `code` of a validation error).
    pub error_code: Option<String>,
    /// The human-readable message.
    pub message: Option<String>,
    /// Extra detail, as sent (`additional_information`).
    pub additional_information: Option<Value>,
    /// Per-field problems of a validation error.
    pub field_errors: Vec<FieldError>,
    /// The request id Osigu echoed in a response header, for support.
    pub request_id: Option<String>,
}

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path in the request, e.g. `products[0].quantity`.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

impl Error {
    /// Whether the same call may succeed if made again later: rate limits,
    /// timeouts, connection failures and 5xx answers. Whether it is *safe*
    /// to repeat depends on the operation; see [`RetryPolicy`](crate::RetryPolicy).
    ///
    /// ```
    /// let e = osigu::Error::Timeout { during: osigu::Stage::Call };
    /// assert!(e.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::OutcomeUnknown { .. }
            | Self::AlreadyApplied { .. }
            | Self::JobNotFinished { .. } => false,
            Self::RateLimited { .. }
            | Self::Timeout { .. }
            | Self::Transport { .. }
            | Self::SharedStore { .. } => true,
            Self::Api(e) | Self::TokenEndpoint(e) => matches!(e.status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// The API error behind this error, if the server answered.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Auth(e)
            | Self::Api(e)
            | Self::TokenEndpoint(e)
            | Self::RateLimited { error: e, .. } => Some(e),
            _ => None,
        }
    }

    pub(crate) fn config(setting: &'static str, reason: impl Into<String>) -> Self {
        Self::Config {
            setting,
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        Self::InvalidRequest {
            reason: reason.into(),
        }
    }

    pub(crate) fn transport(during: Stage, error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout { during }
        } else {
            Self::Transport {
                during,
                source: Arc::new(error.without_url()),
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config { setting, reason } => write!(f, "invalid setting {setting}: {reason}"),
            Self::Auth(e) => write!(f, "credentials refused: {e}"),
            Self::Api(e) => write!(f, "Osigu answered {e}"),
            Self::TokenEndpoint(e) => write!(f, "the token endpoint answered {e}"),
            Self::RateLimited { retry_after, error } => {
                write!(f, "rate limited by Osigu ({error})")?;
                if let Some(wait) = retry_after {
                    write!(f, "; retry after {}s", wait.as_secs())?;
                }
                Ok(())
            }
            Self::Timeout { during } => write!(f, "{during} timed out"),
            Self::Transport { during, source } => {
                write!(f, "{during} failed: {source}")?;
                // The root cause (a refused certificate, a refused
                // connection) is what the reader needs; reqwest keeps it
                // in the source chain.
                let mut cause = std::error::Error::source(source.as_ref());
                while let Some(inner) = cause {
                    write!(f, ": {inner}")?;
                    cause = inner.source();
                }
                Ok(())
            }
            Self::Decode {
                status,
                request_id,
                reason,
            } => {
                match status {
                    Some(status) => write!(f, "unexpected HTTP {status} body: {reason}")?,
                    None => write!(f, "unexpected response body: {reason}")?,
                }
                if let Some(id) = request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            Self::ResponseTooLarge { during, limit } => write!(
                f,
                "{during}: the response body exceeds the {} limit",
                size_text(*limit)
            ),
            Self::OutcomeUnknown {
                operation,
                request_id,
            } => write!(
                f,
                "{operation}: the reply was lost, so whether Osigu applied it is unknown; \
                 it was not sent again (request id {request_id}); list or search to find out"
            ),
            Self::AlreadyApplied {
                operation,
                request_id,
            } => write!(
                f,
                "{operation}: already applied by an earlier attempt whose reply was lost \
                 (request id {request_id}); read the resource for its state"
            ),
            Self::CreatedButNotRead {
                location,
                last_error,
            } => write!(
                f,
                "created, but reading it back from {location} failed ({last_error}); \
                 do not create it again"
            ),
            Self::JobNotFinished {
                monitor,
                last_error,
            } => {
                write!(
                    f,
                    "the job was accepted but had not finished (monitor {monitor}); \
                     resume waiting on the monitor, do not send the request again"
                )?;
                if let Some(error) = last_error {
                    write!(f, "; the last poll failed: {error}")?;
                }
                Ok(())
            }
            Self::InvalidRequest { reason } => write!(f, "invalid request: {reason}"),
            Self::SharedStore { reason } => write!(f, "shared store unavailable: {reason}"),
            Self::UploadTooLarge { bytes, limit } => write!(
                f,
                "the file is {:.1} MB; Osigu accepts at most {:.0} MB",
                *bytes as f64 / 1_048_576.0,
                *limit as f64 / 1_048_576.0
            ),
            Self::JobFailed {
                error_code,
                message,
            } => {
                write!(f, "the asynchronous job failed")?;
                if let Some(code) = error_code {
                    write!(f, " [{code}]")?;
                }
                if let Some(message) = message {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            Self::Pagination { reason } => write!(f, "paged list: {reason}"),
        }
    }
}

/// `65536` → `64 KiB`, `16777216` → `16 MiB`.
fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport { source, .. } => Some(source.as_ref()),
            Self::JobNotFinished {
                last_error: Some(error),
                ..
            } => Some(error.as_ref()),
            Self::CreatedButNotRead { last_error, .. } => Some(last_error.as_ref()),
            _ => None,
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Token => "the token request",
            Self::Call => "the API call",
            Self::Monitor => "waiting for the asynchronous job",
        })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = &self.error_code {
            write!(f, " [{code}]")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        for field in &self.field_errors {
            write!(f, "; {}: {}", field.path, field.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// `additional_information` can echo what was sent; keep it out of logs.
impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("error_code", &self.error_code)
            .field("message", &self.message)
            .field(
                "additional_information",
                &self.additional_information.as_ref().map(|_| "[redacted]"),
            )
            .field("field_errors", &self.field_errors)
            .field("request_id", &self.request_id)
            .finish()
    }
}

/// Response headers that carry a request id, most specific first.
const REQUEST_ID_HEADERS: [&str; 3] = ["x-request-id", "x-correlation-id", "request-id"];

impl ApiError {
    /// Reads an error response: any of Osigu's three envelopes
    /// (`{error_code, message, additional_information}`,
    /// `{code, message, errors[]}` and `{errors: [{path, message}]}`),
    /// or a body that is none of them, which leaves only the status.
    ///
    /// ```
    /// let body = br#"{"error_code":"071-102","message":"Product already registered"}"#;
    /// let e = osigu::ApiError::parse(409, &http::HeaderMap::new(), body);
    /// assert_eq!(e.error_code.as_deref(), Some("071-102"));
    /// assert_eq!(e.to_string(), "HTTP 409 [071-102]: Product already registered");
    /// ```
    pub fn parse(status: u16, headers: &http::HeaderMap, body: &[u8]) -> Self {
        let mut error = ApiError {
            status,
            request_id: Self::request_id(headers),
            ..Default::default()
        };
        let Ok(Value::Object(envelope)) = serde_json::from_slice::<Value>(body) else {
            return error;
        };
        let text = |key: &str| match envelope.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        error.error_code = text("error_code").or_else(|| text("code"));
        error.message = text("message").or_else(|| text("error_description"));
        error.additional_information = envelope
            .get("additional_information")
            .filter(|v| !v.is_null())
            .cloned();
        if let Some(Value::Array(errors)) = envelope.get("errors") {
            error.field_errors = errors.iter().filter_map(field_error).collect();
        }
        error
    }
}

impl ApiError {
    /// The request id a response carries, from the first header of
    /// `x-request-id`, `x-correlation-id` and `request-id` it has.
    pub(crate) fn request_id(headers: &http::HeaderMap) -> Option<String> {
        REQUEST_ID_HEADERS.iter().find_map(|name| {
            headers
                .get(*name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
    }
}

fn field_error(item: &Value) -> Option<FieldError> {
    match item {
        Value::Object(o) => {
            let get = |keys: &[&str]| {
                keys.iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str))
                    .map(str::to_owned)
            };
            Some(FieldError {
                path: get(&["path", "field", "pointer"]).unwrap_or_default(),
                message: get(&["message", "defaultMessage", "detail"]).unwrap_or_default(),
            })
        }
        Value::String(message) => Some(FieldError {
            path: String::new(),
            message: message.clone(),
        }),
        _ => None,
    }
}

impl<E> From<progenitor_client::Error<E>> for Error {
    fn from(error: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as P;
        match error {
            P::InvalidRequest(reason) => Self::InvalidRequest { reason },
            P::CommunicationError(e) => Self::transport(Stage::Call, e),
            P::ResponseBodyError(e) => Self::transport(Stage::Call, e),
            P::InvalidUpgrade(e) => Self::transport(Stage::Call, e),
            P::InvalidResponsePayload(_, e) => Self::Decode {
                status: None,
                request_id: None,
                reason: crate::engine::decode_reason(&e, None),
            },
            P::UnexpectedResponse(response) => Self::Api(Box::new(ApiError::parse(
                response.status().as_u16(),
                response.headers(),
                &[],
            ))),
            P::ErrorResponse(response) => Self::Api(Box::new(ApiError::parse(
                response.status().as_u16(),
                response.headers(),
                &[],
            ))),
            P::Custom(reason) => Self::InvalidRequest { reason },
        }
    }
}

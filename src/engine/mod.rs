//! The one path every call takes, generated or hand-written: pace, token,
//! send, decide, and either hand back the answer or turn it into a typed
//! [`Error`].
//!
//! Generated `send()`s build their request with progenitor's code and then
//! call [`json`], [`empty`] or [`stream`] here (the codegen rewrites them
//! to), so no error ever travels inside a fake response and every success
//! status is success. What to do after each attempt is decided by
//! [`retry::decide`](crate::retry), a pure function of the operation's
//! write class and what happened; this module only carries it out.

mod body;
mod multipart;
mod reconcile;

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::header::{ACCEPT, AUTHORIZATION};
use http::{HeaderValue, StatusCode};
use progenitor_client::{ByteStream, ResponseValue};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;

use crate::auth::TokenCache;
use crate::error::{ApiError, Error, Stage};
use crate::operations::{Bucket, Operation, WriteClass};
use crate::rate_limit::{LocalRateLimiter, RateLimiter};
use crate::retry::{Attempt, Decision, Outcome, RetryPolicy, decide, retry_after};

pub(crate) use body::{decode, decode_reason, read_limited};
pub(crate) use multipart::{Form, multipart};

/// The hand-written layer inside every [`Client`](crate::Client): token
/// cache, retry policy, rate limiter. Shared by all clones; built by
/// [`Osigu::builder`](crate::Osigu::builder).
#[derive(Clone)]
pub struct Hooks(pub(crate) Arc<Core>);

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("retry", &self.0.retry)
            .finish_non_exhaustive()
    }
}

/// Where each request waits its turn.
pub(crate) enum Pacing {
    /// The in-process limiter, called without boxing a future.
    Local(Arc<LocalRateLimiter>),
    /// A limiter the application supplied (e.g. one shared by a fleet).
    Shared(Arc<dyn RateLimiter>),
}

impl Pacing {
    /// Waits for a slot of `bucket`; says whether the call may have
    /// waited (a disabled local limit never does, and costs nothing).
    pub(crate) async fn acquire(&self, bucket: Bucket) -> Result<bool, Error> {
        match self {
            Self::Local(local) => Ok(local.wait(bucket).await),
            Self::Shared(shared) => shared.acquire(bucket).await.map(|()| true),
        }
    }

    pub(crate) async fn penalize(&self, bucket: Bucket, retry_after: Duration) {
        match self {
            Self::Local(local) => local.pause(bucket, retry_after),
            Self::Shared(shared) => shared.penalize(bucket, retry_after).await,
        }
    }
}

pub(crate) struct Core {
    pub(crate) http: reqwest::Client,
    pub(crate) tokens: TokenCache,
    pub(crate) pacing: Arc<Pacing>,
    pub(crate) retry: RetryPolicy,
    /// The largest success body read, in bytes.
    pub(crate) max_body: u64,
    /// Operations whose deprecation was already logged.
    warned: Mutex<HashSet<&'static str>>,
}

/// The largest error body read; a longer one is cut here.
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// A future that builds the next attempt's request.
pub(crate) type Rebuild = Box<
    dyn FnMut() -> Pin<Box<dyn Future<Output = Result<reqwest::Request, Error>> + Send>> + Send,
>;

/// Where each attempt's request comes from.
// The common variant is moved once per call; boxing it to even out the
// sizes would cost an allocation on every call instead.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Outgoing {
    /// A request with a buffered (or no) body, copied for each retry; one
    /// with a streamed body is sent once.
    Request(reqwest::Request),
    /// A request built anew for every attempt, e.g. an upload that reopens
    /// its file.
    Rebuild(Rebuild),
}

impl Outgoing {
    /// The request for this attempt, and whether another can follow.
    async fn next(&mut self) -> Result<(reqwest::Request, bool), Error> {
        match self {
            Self::Request(request) => match request.try_clone() {
                Some(copy) => Ok((copy, true)),
                None => {
                    let placeholder =
                        reqwest::Request::new(http::Method::GET, request.url().clone());
                    Ok((std::mem::replace(request, placeholder), false))
                }
            },
            Self::Rebuild(build) => Ok((build().await?, true)),
        }
    }
}

/// A fresh id for the `x-request-id` header: support can find the call,
/// and [`Error::OutcomeUnknown`] names it.
///
/// Written into a stack buffer and copied into the header once: no
/// `format!` and no second copy on every call. The `String` form is made
/// only when an error names it.
fn request_id() -> HeaderValue {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = *b"osigu-rs-0000000000000000";
    let bits = fastrand::u64(..);
    for (i, digit) in id[9..].iter_mut().enumerate() {
        *digit = HEX[((bits >> (60 - 4 * i)) & 0xf) as usize];
    }
    HeaderValue::from_bytes(&id).unwrap_or(HeaderValue::from_static("osigu-rs"))
}

impl Core {
    pub(crate) fn new(
        http: reqwest::Client,
        tokens: TokenCache,
        pacing: Arc<Pacing>,
        retry: RetryPolicy,
        max_body: u64,
    ) -> Self {
        Self {
            http,
            tokens,
            pacing,
            retry,
            max_body,
            warned: Mutex::new(HashSet::new()),
        }
    }

    /// Sends `outgoing` for `op` with pacing, a token and retries, inside a
    /// span naming the operation by its path template (never the concrete
    /// path, which can hold a beneficiary id). Returns a success answer, or
    /// the typed error the attempts came to.
    pub(crate) async fn execute(
        &self,
        outgoing: Outgoing,
        op: &'static Operation,
    ) -> Result<reqwest::Response, Error> {
        let span = tracing::info_span!(
            "osigu.call",
            operation = op.operation_id,
            method = op.method,
            path = op.template,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self
            .attempts(outgoing, op, started)
            .instrument(span.clone())
            .await;
        let latency_ms = started.elapsed().as_millis() as u64;
        span.record("latency_ms", latency_ms);
        tracing::debug!(parent: &span, latency_ms, ok = result.is_ok(), "call done");
        result
    }

    async fn attempts(
        &self,
        mut outgoing: Outgoing,
        op: &'static Operation,
        started: Instant,
    ) -> Result<reqwest::Response, Error> {
        let span = tracing::Span::current();
        let request_id_header = request_id();
        let request_id = || request_id_header.to_str().unwrap_or_default().to_owned();
        let mut number = 0;
        let mut maybe_applied = false;
        let mut refreshed = false;
        loop {
            number += 1;
            span.record("attempt", number);
            // The token first (a failure then costs no rate-limit slot),
            // then the wait for a slot, then the token again if it lapsed
            // while the call queued.
            let mut token = self.tokens.token().await;
            if token.is_ok() {
                let waited = self.pacing.acquire(op.bucket).await?;
                if waited && token.as_ref().is_ok_and(|c| Instant::now() >= c.until) {
                    token = self.tokens.token().await;
                }
            }
            let credential = match token {
                Ok(credential) => credential,
                Err(failure) => {
                    let attempt = Attempt {
                        class: op.class,
                        outcome: Outcome::NoToken {
                            retryable: failure.error.is_retryable(),
                            hint: failure.retry_in,
                        },
                        number,
                        elapsed: started.elapsed(),
                        replayable: true,
                        maybe_applied,
                        refreshed,
                    };
                    if let Decision::Retry { wait } = decide(&attempt, &self.retry) {
                        tracing::warn!(attempt = number, wait_ms = wait.as_millis() as u64, reason = %failure.error, "no token yet; retrying");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(failure.error);
                }
            };
            let (mut request, replayable) = outgoing.next().await?;
            let url = (op.class == WriteClass::Transition).then(|| request.url().clone());
            let headers = request.headers_mut();
            headers.insert(AUTHORIZATION, credential.bearer.clone());
            headers.insert("x-request-id", request_id_header.clone());
            let sent = self.http.execute(request).await;
            let (outcome, response, transport) = match sent {
                Ok(response) => {
                    let status = response.status();
                    span.record("status", status.as_u16());
                    self.note_deprecation(op, response.headers());
                    if status.is_success() || status.is_redirection() || status.is_informational() {
                        (Outcome::Success, Some(response), None)
                    } else {
                        let retry_after = retry_after(response.headers());
                        let (response, already) = already_done(response, op).await;
                        let outcome = Outcome::Status {
                            status: status.as_u16(),
                            retry_after,
                            already,
                        };
                        (outcome, Some(response), None)
                    }
                }
                Err(error) if error.is_connect() => (Outcome::Connect, None, Some(error)),
                Err(error) => (Outcome::MaybeSent, None, Some(error)),
            };
            if let Outcome::Status {
                status,
                retry_after,
                ..
            } = outcome
            {
                if status == 401 && !refreshed {
                    // Revoked early, whatever happens next (even if this
                    // request cannot be sent again): never reuse it. A 401
                    // with the token fetched for this very retry is about
                    // the credentials, not the token, and keeps it.
                    self.tokens.reject(&credential).await;
                }
                if status == 429 {
                    let pause = retry_after.unwrap_or(Duration::from_secs(1));
                    self.pacing.penalize(op.bucket, pause).await;
                }
            }
            let attempt = Attempt {
                class: op.class,
                outcome,
                number,
                elapsed: started.elapsed(),
                replayable,
                maybe_applied,
                refreshed,
            };
            match decide(&attempt, &self.retry) {
                Decision::Done => {
                    let response = response.ok_or_else(|| Error::invalid("no answer"))?;
                    if outcome == Outcome::Success {
                        return Ok(response);
                    }
                    return Err(error_from(response, op, refreshed).await);
                }
                Decision::Retry { wait } => {
                    let status = response.as_ref().map(|r| r.status().as_u16());
                    if outcome == Outcome::MaybeSent || status.is_some_and(|s| s >= 500) {
                        maybe_applied = true;
                    }
                    tracing::warn!(
                        attempt = number,
                        status,
                        wait_ms = wait.as_millis() as u64,
                        reason = transport.map(|e| e.without_url().to_string()),
                        "retrying"
                    );
                    drop(response);
                    tokio::time::sleep(wait).await;
                }
                Decision::Refresh => {
                    refreshed = true;
                    number -= 1;
                    tracing::info!("401 with a cached token; fetching a new one");
                }
                Decision::Reconcile => {
                    let (Some(response), Some(url)) = (response, url) else {
                        return Err(Error::invalid("nothing to reconcile"));
                    };
                    return self.reconcile(op, url, response, request_id()).await;
                }
                Decision::OutcomeUnknown => {
                    let request_id = request_id();
                    tracing::warn!(
                        operation = op.operation_id,
                        request_id,
                        "the outcome of a write is unknown; it was not sent again"
                    );
                    return Err(Error::OutcomeUnknown {
                        operation: op.operation_id,
                        request_id,
                    });
                }
                Decision::Fail => {
                    return Err(match (response, transport) {
                        (Some(response), _) => error_from(response, op, refreshed).await,
                        (None, Some(error)) => Error::transport(Stage::Call, error),
                        (None, None) => Error::invalid("no answer"),
                    });
                }
            }
        }
    }

    fn note_deprecation(&self, op: &Operation, headers: &http::HeaderMap) {
        let deprecation = headers.get("deprecation").and_then(|v| v.to_str().ok());
        let sunset = headers.get("sunset").and_then(|v| v.to_str().ok());
        if deprecation.is_none() && sunset.is_none() {
            return;
        }
        let first = self
            .warned
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(op.operation_id);
        if first {
            tracing::warn!(
                operation = op.operation_id,
                deprecation,
                sunset,
                "Osigu marks this operation as deprecated"
            );
        }
    }

    /// Sends `request` and decodes a JSON success body into `T`.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        outgoing: Outgoing,
        op: &'static Operation,
    ) -> Result<ResponseValue<T>, Error> {
        let response = self.execute(outgoing, op).await?;
        self.decode_json(response).await
    }

    /// Decodes a JSON success body into `T`.
    pub(crate) async fn decode_json<T: DeserializeOwned>(
        &self,
        mut response: reqwest::Response,
    ) -> Result<ResponseValue<T>, Error> {
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let bytes = read_limited(response, self.max_body, Stage::Call).await?;
        let value = decode(&bytes, status.as_u16(), &headers)?;
        Ok(ResponseValue::new(value, status, headers))
    }
}

/// Whether an error answer carries one of the operation's "already done"
/// codes. Only operations that have such codes pay for reading the body,
/// which is kept for whoever reads the answer next.
async fn already_done(response: reqwest::Response, op: &Operation) -> (reqwest::Response, bool) {
    if op.already.is_empty() || !response.status().is_client_error() {
        return (response, false);
    }
    let status = response.status();
    let headers = response.headers().clone();
    let body = body::read_prefix(response, MAX_ERROR_BODY).await;
    let code = ApiError::parse(status.as_u16(), &headers, &body).error_code;
    let already = code.is_some_and(|c| op.already.contains(&c.as_str()));
    let mut rebuilt = http::Response::new(reqwest::Body::from(body));
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    (reqwest::Response::from(rebuilt), already)
}

/// Reads an error answer into its typed [`Error`].
async fn error_from(response: reqwest::Response, op: &Operation, refreshed: bool) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    let body = body::read_prefix(response, MAX_ERROR_BODY).await;
    let api = Box::new(ApiError::parse(status.as_u16(), &headers, &body));
    if status.is_server_error() && !matches!(op.class, WriteClass::Read | WriteClass::Idempotent) {
        tracing::warn!(
            status = status.as_u16(),
            "a write failed on the server; Osigu documents 5xx as not applied"
        );
    }
    match status {
        StatusCode::UNAUTHORIZED if refreshed => Error::Auth(api),
        StatusCode::TOO_MANY_REQUESTS => Error::RateLimited {
            retry_after: retry_after(&headers),
            error: api,
        },
        _ => Error::Api(api),
    }
}

/// A generated call, sent: the success answer undecoded, or the typed
/// error the attempts came to.
pub(crate) async fn respond(
    hooks: &Hooks,
    request: reqwest::Request,
    op: &'static Operation,
) -> Result<reqwest::Response, Error> {
    hooks.0.execute(Outgoing::Request(request), op).await
}

/// A success answer whose body is JSON, decoded (read up to the client's
/// `max_response_size`).
pub(crate) async fn json<T: DeserializeOwned>(
    hooks: &Hooks,
    response: reqwest::Response,
) -> Result<ResponseValue<T>, Error> {
    hooks.0.decode_json(response).await
}

/// A success answer with no body the spec describes.
pub(crate) async fn empty(
    _hooks: &Hooks,
    mut response: reqwest::Response,
) -> Result<ResponseValue<()>, Error> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    // Read what there is (bounded) so the connection can be reused.
    let _ = body::read_prefix(response, MAX_ERROR_BODY).await;
    Ok(ResponseValue::new((), status, headers))
}

/// A success answer whose body is a byte stream, handed over unread. (No
/// operation of today's spec has one; the codegen emits calls to it when a
/// release adds one.)
#[allow(dead_code)]
pub(crate) async fn stream(
    _hooks: &Hooks,
    response: reqwest::Response,
) -> Result<ResponseValue<ByteStream>, Error> {
    Ok(ResponseValue::stream(response))
}

/// A generated request that failed to build; reqwest's error would name
/// the URL, which can hold a document number.
pub(crate) fn built(request: reqwest::Result<reqwest::Request>) -> Result<reqwest::Request, Error> {
    request.map_err(|e| Error::invalid(e.without_url().to_string()))
}

/// A builder value that did not convert to its parameter's type.
pub(crate) fn invalid(reason: String) -> Error {
    Error::InvalidRequest { reason }
}

/// JSON is the only success body Osigu sends.
pub(crate) fn accept_json(builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    builder.header(ACCEPT, "application/json")
}

#[cfg(test)]
mod tests {
    use super::request_id;

    #[test]
    fn request_ids_are_the_prefix_and_sixteen_hex_digits_and_differ() {
        let ids: Vec<String> = (0..64)
            .map(|_| request_id().to_str().unwrap().to_owned())
            .collect();
        for id in &ids {
            let digits = id
                .strip_prefix("osigu-rs-")
                .unwrap_or_else(|| panic!("{id}"));
            assert_eq!(digits.len(), 16, "{id}");
            assert!(
                digits
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                "{id}"
            );
        }
        let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
        assert!(distinct.len() > 60, "{distinct:?}");
    }
}

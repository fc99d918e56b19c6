//! The one path every call takes: the generated builders hand their
//! request to progenitor's `exec` hook, and this module does the rest:
//! token, rate limit, send, retry, and turning an error answer into a typed
//! [`Error`].
//!
//! progenitor's `exec` can only return a `reqwest::Response` or a
//! `reqwest::Error`, and neither can carry our error. So when a call ends in
//! an error answer (or no token could be had), the hook reads the body,
//! parses it, and returns a response carrying the parsed [`Error`] in its
//! extensions; `impl From<progenitor_client::Error<_>> for Error` takes it
//! back out. Nothing is lost, and nothing is parsed twice.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::header::AUTHORIZATION;
use http::{Method, StatusCode};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use tokio::time::Instant;
use tracing::Instrument;

use crate::auth::TokenCache;
use crate::error::{ApiError, Attached, Error};
use crate::operations::{Operation, operation};
use crate::rate_limit::{Category, Limiters};
use crate::retry::{Failure, RetryPolicy, retry_after, retryable};

/// The hand-written layer inside every [`Client`](crate::Client): token
/// cache, retry policy, rate limiters. Shared by all clones; built by
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

pub(crate) struct Core {
    pub(crate) http: reqwest::Client,
    pub(crate) tokens: TokenCache,
    pub(crate) limiters: Arc<Limiters>,
    pub(crate) retry: RetryPolicy,
    /// Operations whose deprecation was already logged.
    warned: Mutex<HashSet<&'static str>>,
}

/// Error bodies are small; a larger one is cut here rather than buffered.
const MAX_ERROR_BODY: usize = 64 * 1024;

impl ClientHooks<Hooks> for crate::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner()
            .0
            .execute(request, Category::General, operation(info.operation_id))
            .await
    }
}

impl Core {
    pub(crate) fn new(
        http: reqwest::Client,
        tokens: TokenCache,
        limiters: Arc<Limiters>,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            http,
            tokens,
            limiters,
            retry,
            warned: Mutex::new(HashSet::new()),
        }
    }

    /// Sends `request` with auth, pacing and retries, inside a span naming
    /// the operation by its path template (never the concrete path, which
    /// can hold a beneficiary id).
    pub(crate) async fn execute(
        &self,
        request: reqwest::Request,
        category: Category,
        op: Operation,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::info_span!(
            "osigu.call",
            operation = op.id,
            method = op.method,
            path = op.template,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self
            .attempts(request, category, op, started)
            .instrument(span.clone())
            .await;
        let latency_ms = started.elapsed().as_millis() as u64;
        span.record("latency_ms", latency_ms);
        tracing::debug!(parent: &span, latency_ms, ok = result.is_ok(), "call done");
        result
    }

    async fn attempts(
        &self,
        request: reqwest::Request,
        category: Category,
        op: Operation,
        started: Instant,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::Span::current();
        let method = request.method().clone();
        let mut template = Some(request);
        let mut attempt = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let token = match self.tokens.token().await {
                Ok(token) => token,
                Err(error) => return Ok(attached(StatusCode::UNAUTHORIZED, error)),
            };
            // A streamed body cannot be sent twice: its first attempt is its last.
            let Some(mut outgoing) = template
                .as_ref()
                .and_then(reqwest::Request::try_clone)
                .or_else(|| template.take())
            else {
                return Ok(attached(
                    StatusCode::BAD_REQUEST,
                    Error::InvalidRequest {
                        reason: "the request body cannot be sent again".into(),
                    },
                ));
            };
            let repeatable = template.is_some();
            let headers = outgoing.headers_mut();
            // progenitor sends the spec's version as `api-version`; Osigu
            // documents no such header, and ours is a placeholder.
            headers.remove("api-version");
            headers.insert(AUTHORIZATION, token.bearer.clone());

            self.limiters.acquire(category).await;
            let response = match self.http.execute(outgoing).await {
                Ok(response) => response,
                Err(error) => {
                    let failure = if error.is_connect() {
                        Failure::Connect
                    } else {
                        Failure::MaybeSent
                    };
                    if repeatable
                        && retryable(&method, &failure)
                        && let Some(wait) = self.next_wait(attempt, started, None)
                    {
                        tracing::warn!(attempt, wait_ms = wait.as_millis() as u64, reason = %error.without_url(), "retrying after a transport failure");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(error);
                }
            };
            let status = response.status();
            span.record("status", status.as_u16());
            self.note_deprecation(op, response.headers());

            if status == StatusCode::UNAUTHORIZED && !refreshed && repeatable {
                // The token may have been revoked early: one new token, one
                // more try, outside the retry budget. A second 401 is final.
                refreshed = true;
                attempt -= 1;
                tracing::info!("401 with a cached token; fetching a new one");
                self.tokens.reject(&token).await;
                continue;
            }
            if status.is_success() || status.is_redirection() || status.is_informational() {
                tracing::debug!(status = status.as_u16(), attempt, "call finished");
                return Ok(response);
            }
            if repeatable && retryable(&method, &Failure::Status(status)) {
                let hint = (status == StatusCode::TOO_MANY_REQUESTS)
                    .then(|| retry_after(response.headers()))
                    .flatten();
                if let Some(wait) = self.next_wait(attempt, started, hint) {
                    tracing::warn!(
                        status = status.as_u16(),
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            tracing::debug!(status = status.as_u16(), attempt, "call failed");
            return Ok(finish(response, &method, refreshed).await);
        }
    }

    /// The wait before another attempt, or `None` if the budget is spent.
    fn next_wait(
        &self,
        attempt: u32,
        started: Instant,
        hint: Option<Duration>,
    ) -> Option<Duration> {
        if attempt >= self.retry.max_attempts {
            return None;
        }
        let wait = hint.unwrap_or_else(|| self.retry.backoff(attempt));
        (started.elapsed() + wait <= self.retry.max_elapsed).then_some(wait)
    }

    fn note_deprecation(&self, op: Operation, headers: &http::HeaderMap) {
        let deprecation = headers.get("deprecation").and_then(|v| v.to_str().ok());
        let sunset = headers.get("sunset").and_then(|v| v.to_str().ok());
        if deprecation.is_none() && sunset.is_none() {
            return;
        }
        let first = self
            .warned
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(op.id);
        if first {
            tracing::warn!(
                operation = op.id,
                deprecation,
                sunset,
                "Osigu marks this operation as deprecated"
            );
        }
    }
}

/// Reads an error answer and returns it with its parsed [`Error`] attached.
async fn finish(
    mut response: reqwest::Response,
    method: &Method,
    refreshed: bool,
) -> reqwest::Response {
    let status = response.status();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk[..chunk.len().min(MAX_ERROR_BODY - body.len())]);
        if body.len() >= MAX_ERROR_BODY {
            break;
        }
    }
    let api = Box::new(ApiError::parse(status.as_u16(), &headers, &body));
    let error = match status {
        StatusCode::UNAUTHORIZED if refreshed => Error::Auth(api),
        StatusCode::TOO_MANY_REQUESTS => Error::RateLimited {
            retry_after: retry_after(&headers),
            error: api,
        },
        _ => Error::Api(api),
    };
    if status.is_server_error() && !matches!(*method, Method::GET | Method::HEAD) {
        tracing::warn!(
            status = status.as_u16(),
            "a non-idempotent call failed on the server and was not resent; it may or may not have been applied"
        );
    }
    let mut rebuilt = http::Response::new(reqwest::Body::from(body));
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    rebuilt.extensions_mut().insert(Attached(error));
    reqwest::Response::from(rebuilt)
}

/// A response that never came from the server, carrying `error`.
fn attached(status: StatusCode, error: Error) -> reqwest::Response {
    let mut response = http::Response::new(reqwest::Body::from(Vec::new()));
    *response.status_mut() = status;
    response.extensions_mut().insert(Attached(error));
    reqwest::Response::from(response)
}

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
use http::{HeaderName, HeaderValue, StatusCode};
use progenitor_client::{ByteStream, ResponseValue};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;

use crate::auth::{Credential, TokenCache, TokenFailure};
use crate::error::{ApiError, Error, Stage};
use crate::operations::{Bucket, Operation, WriteClass};
use crate::rate_limit::{LocalRateLimiter, RateLimiter, Reservation};
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

/// Builds a generated call's request from the builder's checked values.
pub(crate) type Build<'a> = &'a (dyn Fn() -> Result<reqwest::Request, Error> + Sync);

/// Where each attempt's request comes from.
pub(crate) enum Outgoing<'a> {
    /// A request with a buffered (or no) body, copied for each retry; one
    /// with a streamed body is sent once. Boxed: every call's future holds
    /// an `Outgoing`, and generated calls use the small `Build`.
    Request(Box<reqwest::Request>),
    /// A generated call: built for each attempt from the values its
    /// builder checked, so the first attempt copies nothing.
    Build(Build<'a>),
    /// A request built anew for every attempt, e.g. an upload that reopens
    /// its file.
    Rebuild(Rebuild),
}

impl Outgoing<'_> {
    /// A hand-built request, copied for each retry.
    pub(crate) fn request(request: reqwest::Request) -> Self {
        Self::Request(Box::new(request))
    }

    /// The request for this attempt, and whether another can follow.
    async fn next(&mut self) -> Result<(reqwest::Request, bool), Error> {
        match self {
            Self::Request(request) => match request.try_clone() {
                Some(copy) => Ok((copy, true)),
                None => {
                    let placeholder =
                        reqwest::Request::new(http::Method::GET, request.url().clone());
                    Ok((std::mem::replace(&mut **request, placeholder), false))
                }
            },
            Self::Build(build) => Ok((build()?, true)),
            Self::Rebuild(build) => Ok((build().await?, true)),
        }
    }
}

/// Header names the engine writes or reads on every call, parsed once.
static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
static DEPRECATION: HeaderName = HeaderName::from_static("deprecation");
static SUNSET: HeaderName = HeaderName::from_static("sunset");

/// A call's id, sent as its `x-request-id` on every attempt: support can
/// find the call, and [`Error::OutcomeUnknown`] names it.
///
/// Kept as bytes on the stack (no `format!`); each attempt copies them
/// into its header once, and the `String` form is made only when an error
/// names the id.
#[derive(Clone, Copy)]
struct RequestId([u8; 25]);

impl RequestId {
    fn fresh() -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut id = *b"osigu-rs-0000000000000000";
        let bits = fastrand::u64(..);
        for (i, digit) in id[9..].iter_mut().enumerate() {
            *digit = HEX[((bits >> (60 - 4 * i)) & 0xf) as usize];
        }
        Self(id)
    }

    fn header(&self) -> HeaderValue {
        HeaderValue::from_bytes(&self.0).unwrap_or(HeaderValue::from_static("osigu-rs"))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

/// Where a call's attempts stand.
#[derive(Default)]
struct Tries {
    /// Requests made so far, this one included.
    number: u32,
    /// Whether an earlier attempt may have been applied.
    maybe_applied: bool,
    /// Whether this call already fetched a new token after a 401.
    refreshed: bool,
}

impl Tries {
    /// This attempt as the retry decision sees it.
    fn attempt(
        &self,
        op: &Operation,
        outcome: Outcome,
        started: Instant,
        replayable: bool,
    ) -> Attempt {
        Attempt {
            class: op.class,
            outcome,
            number: self.number,
            elapsed: started.elapsed(),
            replayable,
            maybe_applied: self.maybe_applied,
            refreshed: self.refreshed,
        }
    }
}

/// One attempt that did not end in a success answer.
struct Sent<'a> {
    result: reqwest::Result<reqwest::Response>,
    replayable: bool,
    /// The request's URL, kept for a transition (reconciling reads it).
    url: Option<reqwest::Url>,
    credential: &'a Credential,
    request_id: RequestId,
}

/// Why an attempt has no token to send.
enum Missing {
    Token(TokenFailure),
    Pacing(Error),
}

/// What stands between a call and its credential when the common case
/// does not hold.
enum Later<'a> {
    /// No valid token is cached.
    Token,
    /// A token, and a local slot reserved for later.
    Slot(Arc<Credential>, Reservation<'a>),
    /// A token, and a shared limiter to ask.
    Pacing(Arc<Credential>),
}

/// What follows an attempt.
enum Next {
    /// Send again.
    Again,
    /// Return this to the caller.
    Finish(Result<reqwest::Response, Error>),
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
        outgoing: Outgoing<'_>,
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
            .attempts(outgoing, op, started, span.clone())
            .instrument(span.clone())
            .await;
        if !span.is_disabled() {
            let latency_ms = started.elapsed().as_millis() as u64;
            span.record("latency_ms", latency_ms);
            tracing::debug!(parent: &span, latency_ms, ok = result.is_ok(), "call done");
        }
        result
    }

    /// The attempts of one call. Only the common case lives here (a token
    /// at hand, a request sent, a success answer); everything else is in
    /// [`Core::credential_later`] and [`Core::after_attempt`], boxed, so
    /// that the future every call carries and the code every call runs
    /// stay small.
    async fn attempts(
        &self,
        mut outgoing: Outgoing<'_>,
        op: &'static Operation,
        started: Instant,
        span: tracing::Span,
    ) -> Result<reqwest::Response, Error> {
        let request_id = RequestId::fresh();
        let mut tries = Tries::default();
        loop {
            tries.number += 1;
            span.record("attempt", tries.number);
            let credential = match self.credential_now(op) {
                Ok(credential) => credential,
                Err(later) => {
                    match Box::pin(self.credential_later(later, op, &tries, started)).await? {
                        Some(credential) => credential,
                        // No token yet, and the wait before asking again is over.
                        None => continue,
                    }
                }
            };
            // The request lives only in this block, so the call's future
            // does not keep room for it while the answer is awaited.
            let (pending, replayable, url) = {
                let (mut request, replayable) = outgoing.next().await?;
                let url = (op.class == WriteClass::Transition).then(|| request.url().clone());
                let headers = request.headers_mut();
                headers.insert(AUTHORIZATION, credential.bearer.clone());
                headers.insert(X_REQUEST_ID.clone(), request_id.header());
                (self.http.execute(request), replayable, url)
            };
            let result = match pending.await {
                Ok(response) => {
                    let status = response.status();
                    span.record("status", status.as_u16());
                    self.note_deprecation(op, response.headers());
                    if status.is_success() || status.is_redirection() || status.is_informational() {
                        // Every success status is success (`decide` says
                        // Done for it in every class).
                        return Ok(response);
                    }
                    Ok(response)
                }
                failed => failed,
            };
            let attempt = Sent {
                result,
                replayable,
                url,
                credential: &credential,
                request_id,
            };
            match Box::pin(self.after_attempt(attempt, op, &mut tries, started)).await {
                Next::Again => continue,
                Next::Finish(result) => return result,
            }
        }
    }

    /// The common case, without awaiting anything: a cached token and a
    /// rate-limit slot free now (or no limit). Anything else is handed to
    /// [`Core::credential_later`] as it stands.
    fn credential_now(&self, op: &Operation) -> Result<Arc<Credential>, Later<'_>> {
        let Some(credential) = self.tokens.cached() else {
            return Err(Later::Token);
        };
        match &*self.pacing {
            // A slot taken now: the token just read cannot have lapsed.
            Pacing::Local(local) => match local.try_now(op.bucket) {
                Ok(_) => Ok(credential),
                Err(reservation) => Err(Later::Slot(credential, reservation)),
            },
            Pacing::Shared(_) => Err(Later::Pacing(credential)),
        }
    }

    /// The rest of the way to a credential, boxed by the caller: fetch a
    /// token, wait for a slot, or both. `Ok(None)`: there is no token yet
    /// and the wait before asking again is over.
    async fn credential_later(
        &self,
        later: Later<'_>,
        op: &Operation,
        tries: &Tries,
        started: Instant,
    ) -> Result<Option<Arc<Credential>>, Error> {
        let credential = async {
            let credential = match later {
                Later::Token => return self.credential(op).await,
                Later::Slot(credential, reservation) => {
                    reservation.ready().await;
                    credential
                }
                Later::Pacing(credential) => {
                    let acquired = self.pacing.acquire(op.bucket).await;
                    acquired.map_err(Missing::Pacing)?;
                    credential
                }
            };
            self.unless_lapsed(credential).await
        };
        match credential.await {
            Ok(credential) => Ok(Some(credential)),
            // A limiter that failed (a shared one) ends the call.
            Err(Missing::Pacing(error)) => Err(error),
            Err(Missing::Token(failure)) => self
                .no_token(failure, op, tries, started)
                .await
                .map(|()| None),
        }
    }

    /// `credential`, or a new token if it lapsed while the call queued.
    async fn unless_lapsed(&self, credential: Arc<Credential>) -> Result<Arc<Credential>, Missing> {
        if Instant::now() >= credential.until {
            return self.tokens.token().await.map_err(Missing::Token);
        }
        Ok(credential)
    }

    /// A token, then the wait for a rate-limit slot (a token failure then
    /// costs no slot), then the token again if it lapsed while the call
    /// queued.
    async fn credential(&self, op: &Operation) -> Result<Arc<Credential>, Missing> {
        let credential = self.tokens.token().await.map_err(Missing::Token)?;
        let waited = self
            .pacing
            .acquire(op.bucket)
            .await
            .map_err(Missing::Pacing)?;
        if waited {
            return self.unless_lapsed(credential).await;
        }
        Ok(credential)
    }

    /// No token: wait and try again (`Ok`), or the error to return.
    async fn no_token(
        &self,
        failure: TokenFailure,
        op: &Operation,
        tries: &Tries,
        started: Instant,
    ) -> Result<(), Error> {
        let outcome = Outcome::NoToken {
            retryable: failure.error.is_retryable(),
            hint: failure.retry_in,
        };
        let attempt = tries.attempt(op, outcome, started, true);
        if let Decision::Retry { wait } = decide(&attempt, &self.retry) {
            tracing::warn!(attempt = tries.number, wait_ms = wait.as_millis() as u64, reason = %failure.error, "no token yet; retrying");
            tokio::time::sleep(wait).await;
            return Ok(());
        }
        Err(failure.error)
    }

    /// Everything after an attempt that did not end in a success answer:
    /// the retry decision, and carrying it out.
    async fn after_attempt(
        &self,
        sent: Sent<'_>,
        op: &'static Operation,
        tries: &mut Tries,
        started: Instant,
    ) -> Next {
        let (outcome, response, transport) = match sent.result {
            Ok(response) => {
                let status = response.status();
                let retry_after = retry_after(response.headers());
                let (response, already) = already_done(response, op).await;
                let outcome = Outcome::Status {
                    status: status.as_u16(),
                    retry_after,
                    already,
                };
                (outcome, Some(response), None)
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
            if status == 401 && !tries.refreshed {
                // Revoked early, whatever happens next (even if this
                // request cannot be sent again): never reuse it. A 401
                // with the token fetched for this very retry is about
                // the credentials, not the token, and keeps it.
                self.tokens.reject(sent.credential).await;
            }
            if status == 429 {
                let pause = retry_after.unwrap_or(Duration::from_secs(1));
                self.pacing.penalize(op.bucket, pause).await;
            }
        }
        let attempt = tries.attempt(op, outcome, started, sent.replayable);
        Next::Finish(match decide(&attempt, &self.retry) {
            // Only failures come here: a success answer returned earlier.
            Decision::Done => Err(match response {
                Some(response) => error_from(response, op, tries.refreshed).await,
                None => Error::invalid("no answer"),
            }),
            Decision::Retry { wait } => {
                let status = response.as_ref().map(|r| r.status().as_u16());
                if outcome == Outcome::MaybeSent || status.is_some_and(|s| s >= 500) {
                    tries.maybe_applied = true;
                }
                tracing::warn!(
                    attempt = tries.number,
                    status,
                    wait_ms = wait.as_millis() as u64,
                    reason = transport.map(|e| e.without_url().to_string()),
                    "retrying"
                );
                drop(response);
                tokio::time::sleep(wait).await;
                return Next::Again;
            }
            Decision::Refresh => {
                tries.refreshed = true;
                tries.number -= 1;
                tracing::info!("401 with a cached token; fetching a new one");
                return Next::Again;
            }
            Decision::Reconcile => match (response, sent.url) {
                (Some(response), Some(url)) => {
                    Box::pin(self.reconcile(op, url, response, sent.request_id.text())).await
                }
                _ => Err(Error::invalid("nothing to reconcile")),
            },
            Decision::OutcomeUnknown => {
                let request_id = sent.request_id.text();
                tracing::warn!(
                    operation = op.operation_id,
                    request_id,
                    "the outcome of a write is unknown; it was not sent again"
                );
                Err(Error::OutcomeUnknown {
                    operation: op.operation_id,
                    request_id,
                })
            }
            Decision::Fail => Err(match (response, transport) {
                (Some(response), _) => error_from(response, op, tries.refreshed).await,
                (None, Some(error)) => Error::transport(Stage::Call, error),
                (None, None) => Error::invalid("no answer"),
            }),
        })
    }

    fn note_deprecation(&self, op: &Operation, headers: &http::HeaderMap) {
        let deprecation = headers.get(&DEPRECATION).and_then(|v| v.to_str().ok());
        let sunset = headers.get(&SUNSET).and_then(|v| v.to_str().ok());
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
        outgoing: Outgoing<'_>,
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
/// error the attempts came to. `build` makes the request for each attempt.
///
/// An `async fn` on purpose: handing back `execute`'s future instead, as
/// [`json`] does, made a generated GET's future 4,000 bytes instead of
/// 1,432 (`tests/future_size.rs` keeps watch).
pub(crate) async fn respond(
    hooks: &Hooks,
    build: Build<'_>,
    op: &'static Operation,
) -> Result<reqwest::Response, Error> {
    hooks.0.execute(Outgoing::Build(build), op).await
}

/// A success answer whose body is JSON, decoded (read up to the client's
/// `max_response_size`).
///
/// Not an `async fn`: it hands back the decoding future itself, one layer
/// fewer for every call to poll and drop (and 152 bytes off its future).
pub(crate) fn json<'a, T: DeserializeOwned + 'a>(
    hooks: &'a Hooks,
    response: reqwest::Response,
) -> impl Future<Output = Result<ResponseValue<T>, Error>> + Send + 'a {
    hooks.0.decode_json(response)
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

/// A request that failed to build, generated or hand-built; reqwest's
/// error would name the URL, which can hold a document number.
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
    use super::RequestId;

    #[test]
    fn request_ids_are_the_prefix_and_sixteen_hex_digits_and_differ() {
        let ids: Vec<String> = (0..64)
            .map(|_| {
                let id = RequestId::fresh();
                assert_eq!(id.header().to_str().unwrap(), id.text());
                id.text()
            })
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

//! OAuth2 client-credentials tokens: fetched once, shared by every clone of
//! the client, refreshed in the background before they expire, and never
//! printed.
//!
//! The token lives in the cache's own slot and is timed on tokio's clock
//! (so refresh logic runs under a paused clock in tests). Wall-clock expiry
//! times, which a [`TokenStore`] shares between processes, are converted
//! through one anchor taken when the client is built, so both clocks agree
//! on when a token lapses. A [`TokenStore`]
//! sees every token fetched, so a fleet of processes can share one and stay
//! inside the token endpoint's limit of 10 requests a minute.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwapOption;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::engine::Pacing;
use crate::error::{ApiError, Error, Stage};
use crate::operations::Bucket;

/// An access token and when it expires.
///
/// `Debug` never shows the token.
#[derive(Clone)]
pub struct AccessToken {
    value: SecretString,
    expires_at: SystemTime,
}

impl AccessToken {
    /// A token valid until `expires_at`.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// let token = osigu::AccessToken::new("abc", SystemTime::now() + Duration::from_secs(60));
    /// assert_eq!(token.secret(), "abc");
    /// assert!(!format!("{token:?}").contains("abc"));
    /// ```
    pub fn new(value: impl Into<String>, expires_at: SystemTime) -> Self {
        Self {
            value: SecretString::from(value.into()),
            expires_at,
        }
    }

    /// The token itself. Keep it out of logs.
    pub fn secret(&self) -> &str {
        self.value.expose_secret()
    }

    /// When Osigu stops accepting it.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A future returned by a [`TokenStore`].
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where tokens are shared beyond one client, e.g. a Redis key read by every
/// process of a fleet, so that together they stay inside the token
/// endpoint's limit. The client consults the store before asking Osigu for a
/// token, saves every token it gets, and discards one Osigu rejected.
///
/// ```
/// use osigu::{AccessToken, StoreFuture, TokenStore};
/// use std::sync::Mutex;
///
/// #[derive(Default)]
/// struct Shared(Mutex<Option<AccessToken>>);
///
/// impl TokenStore for Shared {
///     fn load(&self) -> StoreFuture<'_, Option<AccessToken>> {
///         let token = self.0.lock().unwrap().clone();
///         Box::pin(async move { token })
///     }
///     fn save(&self, token: &AccessToken) -> StoreFuture<'_, ()> {
///         *self.0.lock().unwrap() = Some(token.clone());
///         Box::pin(async {})
///     }
///     fn discard(&self, token: &AccessToken) -> StoreFuture<'_, ()> {
///         let mut slot = self.0.lock().unwrap();
///         if slot.as_ref().is_some_and(|t| t.secret() == token.secret()) {
///             *slot = None;
///         }
///         Box::pin(async {})
///     }
/// }
/// ```
pub trait TokenStore: Send + Sync + 'static {
    /// A token another client saved, if any.
    fn load(&self) -> StoreFuture<'_, Option<AccessToken>>;
    /// Keeps a token Osigu just issued.
    fn save(&self, token: &AccessToken) -> StoreFuture<'_, ()>;
    /// Forgets `token`, which Osigu rejected, if it is still the one kept.
    fn discard(&self, token: &AccessToken) -> StoreFuture<'_, ()>;

    /// Asks for the right to fetch the next token, so that a fleet sharing
    /// this store sends one token request, not one per process. The
    /// default, [`Lease::Unshared`], fetches at once.
    ///
    /// A store that answers [`Lease::Granted`] gets a
    /// [`release_lease`](Self::release_lease) once the fetch has ended,
    /// well or badly; it should also let the lease lapse on its own (a
    /// holder can crash), after longer than a token request may take.
    fn lease(&self) -> StoreFuture<'_, Lease> {
        Box::pin(async { Lease::Unshared })
    }

    /// Gives back a lease [`lease`](Self::lease) granted. The default does
    /// nothing.
    fn release_lease(&self) -> StoreFuture<'_, ()> {
        Box::pin(async {})
    }

    /// A token-endpoint failure another member of the fleet recorded and
    /// that still holds. The default shares none.
    fn load_failure(&self) -> StoreFuture<'_, Option<SharedFailure>> {
        Box::pin(async { None })
    }

    /// Records a failure every member should honour for its duration: a
    /// refusal of the credentials, or a 429's `Retry-After`. The default
    /// does nothing.
    fn save_failure(&self, failure: SharedFailure) -> StoreFuture<'_, ()> {
        let _ = failure;
        Box::pin(async {})
    }
}

/// The answer to [`TokenStore::lease`].
///
/// ```
/// assert_ne!(osigu::Lease::Granted, osigu::Lease::Busy);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lease {
    /// No coordination: the store is not shared, or cannot be reached.
    /// The caller fetches a token itself.
    Unshared,
    /// This caller fetches the token, saves it, then releases the lease.
    Granted,
    /// Someone else is fetching: wait for the token to appear in the store.
    Busy,
}

/// A token-endpoint failure shared by every member of a fleet, with how
/// long it still holds (clamped by the client to at most five minutes).
///
/// ```
/// use std::time::Duration;
/// let failure = osigu::SharedFailure::RetryAfter(Duration::from_secs(5));
/// assert_eq!(failure.remaining(), Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SharedFailure {
    /// The token endpoint refused the credentials.
    Refused(Duration),
    /// The token endpoint answered 429: nobody asks again before this.
    RetryAfter(Duration),
}

impl SharedFailure {
    /// How long the failure still holds.
    pub fn remaining(self) -> Duration {
        match self {
            Self::Refused(d) | Self::RetryAfter(d) => d,
        }
    }

    fn into_error(self) -> Error {
        let (status, message) = match self {
            Self::Refused(_) => (
                401,
                "the token endpoint refused these credentials (a refusal shared by the fleet)",
            ),
            Self::RetryAfter(_) => (
                429,
                "the token endpoint is rate limited (a Retry-After shared by the fleet)",
            ),
        };
        let api = Box::new(ApiError {
            status,
            message: Some(message.into()),
            ..ApiError::default()
        });
        match self {
            Self::Refused(_) => Error::Auth(api),
            Self::RetryAfter(wait) => Error::RateLimited {
                retry_after: Some(wait),
                error: api,
            },
        }
    }
}

/// The default store: nothing shared beyond this client and its clones.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    slot: Mutex<Option<AccessToken>>,
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> StoreFuture<'_, Option<AccessToken>> {
        let token = lock(&self.slot).clone();
        Box::pin(async move { token })
    }

    fn save(&self, token: &AccessToken) -> StoreFuture<'_, ()> {
        *lock(&self.slot) = Some(token.clone());
        Box::pin(async {})
    }

    fn discard(&self, token: &AccessToken) -> StoreFuture<'_, ()> {
        let mut slot = lock(&self.slot);
        if slot.as_ref().is_some_and(|t| t.secret() == token.secret()) {
            *slot = None;
        }
        Box::pin(async {})
    }
}

/// A poisoned lock only means a panic elsewhere; the value is still whole.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where and as whom to ask for tokens.
pub(crate) struct TokenSource {
    pub http: reqwest::Client,
    pub url: reqwest::Url,
    pub client_id: String,
    pub client_secret: SecretString,
}

/// How long a refused credential is remembered: calls fail at once instead
/// of each asking the token endpoint again.
const REFUSAL_MEMORY: Duration = Duration::from_secs(30);

/// The longest a token is trusted for, whatever `expires_in` says: a day.
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The largest token response read; a real one is a few hundred bytes.
const MAX_TOKEN_BODY: u64 = 64 * 1024;

/// The longest a failing token endpoint is left alone between attempts.
const MAX_HOLD_DOWN: Duration = Duration::from_secs(30);

/// The longest a failure read from a shared store is honoured.
const MAX_SHARED_FAILURE: Duration = Duration::from_secs(300);

/// How often a caller waiting on another member's token looks for it.
const LEASE_POLL: Duration = Duration::from_millis(100);

/// The longest a caller waits on another member's fetch before fetching
/// itself (a store's lease should lapse well before this).
const MAX_LEASE_WAIT: Duration = Duration::from_secs(45);

/// A token with its `Authorization` header value, built once rather than
/// on every call.
pub(crate) struct Credential {
    pub token: AccessToken,
    pub bearer: http::HeaderValue,
    /// On tokio's clock: from here on, the token is not sent.
    pub until: Instant,
}

impl Credential {
    fn new(token: AccessToken, until: Instant) -> Option<Arc<Self>> {
        let mut bearer = http::HeaderValue::from_str(&format!("Bearer {}", token.secret())).ok()?;
        // Keeps it out of HTTP/2 header compression tables and Debug output.
        bearer.set_sensitive(true);
        Some(Arc::new(Self {
            token,
            bearer,
            until,
        }))
    }
}

/// No token could be had: why, and how long the token endpoint should be
/// left alone before asking again.
pub(crate) struct TokenFailure {
    pub error: Error,
    pub retry_in: Option<Duration>,
}

/// What a call needs of the token in use.
struct Usable {
    credential: Arc<Credential>,
    refresh_at: Instant,
}

#[derive(Clone)]
struct Cached {
    credential: Arc<Credential>,
    /// From here on, a background refresh is started.
    refresh_at: Instant,
    /// From here on, the token is not used.
    expires_at: Instant,
}

/// A failed token request, shared by every caller until `until`: those
/// who waited on it get its error instead of each asking again.
#[derive(Clone)]
struct Failed {
    until: Instant,
    error: Error,
    /// Failures in a row, for the next hold-down.
    streak: u32,
}

/// Shared by every clone of a client.
pub(crate) struct TokenCache {
    shared: Arc<Shared>,
}

struct Shared {
    source: TokenSource,
    store: Arc<dyn TokenStore>,
    pacing: Arc<Pacing>,
    /// The token in use, read by every call without a lock: a swap of an
    /// `Arc`, written only when a token arrives or is rejected.
    current: ArcSwapOption<Cached>,
    /// Held while a token request is out: single flight.
    fetching: tokio::sync::Mutex<()>,
    refreshing: AtomicBool,
    failed: Mutex<Option<Failed>>,
    clock: Clock,
}

/// The same moment on the wall clock and on tokio's clock.
#[derive(Clone, Copy)]
struct Clock {
    wall: SystemTime,
    tokio: Instant,
}

impl Clock {
    fn now() -> Self {
        Self {
            wall: SystemTime::now(),
            tokio: Instant::now(),
        }
    }

    /// Wall-clock time, as tokio's clock has moved since the anchor.
    fn wall_now(&self) -> SystemTime {
        self.wall
            .checked_add(self.tokio.elapsed())
            .unwrap_or(self.wall)
    }
}

/// Clears the refresh flag however the refresh ends, a panic included, so
/// one bad answer cannot switch background refresh off for good.
struct Refreshing<'a>(&'a AtomicBool);

impl Drop for Refreshing<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl TokenCache {
    pub(crate) fn new(
        source: TokenSource,
        store: Arc<dyn TokenStore>,
        pacing: Arc<Pacing>,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                source,
                store,
                pacing,
                current: ArcSwapOption::empty(),
                fetching: tokio::sync::Mutex::new(()),
                refreshing: AtomicBool::new(false),
                failed: Mutex::new(None),
                clock: Clock::now(),
            }),
        }
    }

    /// A valid token. In steady state this returns at once: a token near
    /// its end is refreshed in the background while it is still used.
    pub(crate) async fn token(&self) -> Result<Arc<Credential>, TokenFailure> {
        match self.cached() {
            Some(credential) => Ok(credential),
            // Boxed: the wait for a token is rare, and its future would
            // otherwise make every call's future larger.
            None => Box::pin(self.fetch_or_wait()).await,
        }
    }

    /// The cached token while it is valid, starting a background refresh
    /// when it is due; never waits.
    pub(crate) fn cached(&self) -> Option<Arc<Credential>> {
        let now = Instant::now();
        let cached = self.usable(now)?;
        if now >= cached.refresh_at {
            self.refresh_in_background();
        }
        Some(cached.credential)
    }

    /// One fetch for every caller without a valid token.
    async fn fetch_or_wait(&self) -> Result<Arc<Credential>, TokenFailure> {
        let shared = &self.shared;
        let _flight = shared.fetching.lock().await;
        let now = Instant::now();
        // Whoever held the lock before us may have fetched one, or failed
        // to: either way its answer is ours.
        if let Some(cached) = self.usable(now) {
            return Ok(cached.credential);
        }
        if let Some(failure) = shared.held_down(now) {
            return Err(failure);
        }
        shared.fetch().await
    }

    /// Drops `credential` after the API rejected it, unless a newer one
    /// already replaced it.
    pub(crate) async fn reject(&self, credential: &Credential) {
        // Only the rejected token is dropped: a newer one stays.
        self.shared.current.rcu(|current| match current {
            Some(c) if c.credential.token.secret() == credential.token.secret() => None,
            other => other.clone(),
        });
        self.shared.store.discard(&credential.token).await;
    }

    fn usable(&self, now: Instant) -> Option<Usable> {
        let current = self.shared.current.load();
        current
            .as_ref()
            .filter(|c| now < c.expires_at)
            .map(|c| Usable {
                credential: Arc::clone(&c.credential),
                refresh_at: c.refresh_at,
            })
    }

    fn refresh_in_background(&self) {
        if self.shared.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let shared = Arc::clone(&self.shared);
        tokio::spawn(async move {
            let _flag = Refreshing(&shared.refreshing);
            let _flight = shared.fetching.lock().await;
            let now = Instant::now();
            let due = shared
                .current
                .load()
                .as_ref()
                .is_none_or(|c| now >= c.refresh_at);
            if !due || shared.held_down(now).is_some() {
                return;
            }
            let retry_in = match shared.obtain(true).await {
                Ok(Some(_)) => return,
                // Another member of the fleet is fetching: look for its
                // token again shortly, with the current one still in use.
                Ok(None) => LEASE_POLL.max(Duration::from_millis(fastrand::u64(500..1500))),
                Err(failure) => {
                    tracing::warn!(error = %failure.error, "background token refresh failed; the current token stays in use");
                    // Try again a little later, not on every call.
                    failure
                        .retry_in
                        .unwrap_or(MAX_HOLD_DOWN)
                        .max(Duration::from_secs(1))
                }
            };
            let later = Instant::now() + retry_in;
            shared.current.rcu(|current| {
                current.as_ref().map(|c| {
                    Arc::new(Cached {
                        refresh_at: later,
                        ..Cached::clone(c)
                    })
                })
            });
        });
    }
}

impl Shared {
    /// The failure callers must share, while its hold-down lasts.
    fn held_down(&self, now: Instant) -> Option<TokenFailure> {
        let failed = lock(&self.failed);
        let failed = failed.as_ref().filter(|f| now < f.until)?;
        Some(TokenFailure {
            error: failed.error.clone(),
            retry_in: Some(failed.until - now),
        })
    }

    /// Called with `fetching` held: a token from the store, or a new one.
    async fn fetch(&self) -> Result<Arc<Credential>, TokenFailure> {
        match self.obtain(false).await? {
            Some(credential) => Ok(credential),
            // Only a background refresh is ever told to come back later.
            None => self.fetch_from_osigu().await,
        }
    }

    /// The one place a token is obtained, called with `fetching` held: a
    /// failure the fleet shares, else a token from the store, else one
    /// fetched by whoever holds the store's lease. A cold caller waits for
    /// the lease holder's token; a background refresh (`background`) only
    /// takes a stored token that is not itself due for refresh, and answers
    /// `None` when another member is already fetching.
    async fn obtain(&self, background: bool) -> Result<Option<Arc<Credential>>, TokenFailure> {
        let started = Instant::now();
        loop {
            if let Some(failure) = self.store.load_failure().await {
                return Err(self.adopt_failure(failure));
            }
            if let Some(credential) = self.adopt_stored(background).await {
                return Ok(Some(credential));
            }
            let lease = self.store.lease().await;
            match lease {
                Lease::Busy if background => return Ok(None),
                Lease::Busy if started.elapsed() < MAX_LEASE_WAIT => {
                    let jitter = Duration::from_millis(fastrand::u64(0..150));
                    tokio::time::sleep(LEASE_POLL + jitter).await;
                    continue;
                }
                _ => {}
            }
            // Granted, unshared, or waited too long for a holder that
            // never delivered: fetch. With the lease, look once more: the
            // previous holder may have saved its token just now.
            let result = match lease {
                Lease::Granted => match self.adopt_stored(background).await {
                    Some(credential) => Ok(credential),
                    None => self.fetch_from_osigu().await,
                },
                _ => self.fetch_from_osigu().await,
            };
            if let Err(failure) = &result {
                self.share_failure(&failure.error).await;
            }
            if lease == Lease::Granted {
                self.store.release_lease().await;
            }
            return result.map(Some);
        }
    }

    /// The stored token, made current, if it is usable (and, for a
    /// background refresh, a newer token than the current one: another
    /// member already refreshed).
    async fn adopt_stored(&self, background: bool) -> Option<Arc<Credential>> {
        let token = self.store.load().await?;
        let now = Instant::now();
        let cached = timed(token, &self.clock, now)?;
        if background {
            let current = self.current.load();
            // A store keeps the longest-lived token it was given, so a
            // different one is the newer.
            let newer = current
                .as_ref()
                .is_none_or(|c| c.credential.token.secret() != cached.credential.token.secret());
            if !newer {
                return None;
            }
        }
        let credential = Arc::clone(&cached.credential);
        self.current.store(Some(Arc::new(cached)));
        Some(credential)
    }

    /// Tells the fleet about a refusal or a 429 from the token endpoint.
    async fn share_failure(&self, error: &Error) {
        let failure = match error {
            Error::Auth(_) => SharedFailure::Refused(REFUSAL_MEMORY),
            Error::RateLimited { retry_after, .. } => SharedFailure::RetryAfter(
                retry_after
                    .unwrap_or(Duration::from_secs(1))
                    .min(MAX_SHARED_FAILURE),
            ),
            _ => return,
        };
        self.store.save_failure(failure).await;
    }

    /// Holds a failure another member recorded, as if it were our own.
    fn adopt_failure(&self, failure: SharedFailure) -> TokenFailure {
        let hold = failure
            .remaining()
            .clamp(Duration::from_millis(1), MAX_SHARED_FAILURE);
        self.record_failure(failure.into_error(), |_, _| hold)
    }

    async fn fetch_from_osigu(&self) -> Result<Arc<Credential>, TokenFailure> {
        match self.request_token().await {
            Ok(credential) => {
                *lock(&self.failed) = None;
                Ok(credential)
            }
            Err(error) => Err(self.remember(error)),
        }
    }

    /// Keeps `error` for the callers that come while it holds: a refusal
    /// for 30 s, a 429 for its `Retry-After`, anything else for a backoff
    /// that doubles with each failure in a row (1 s up to 30 s).
    fn remember(&self, error: Error) -> TokenFailure {
        self.record_failure(error, |error, streak| match error {
            Error::Auth(_) => REFUSAL_MEMORY,
            Error::RateLimited { retry_after, .. } => retry_after.unwrap_or(Duration::from_secs(1)),
            _ => Duration::from_secs(1 << streak.saturating_sub(1).min(5)).min(MAX_HOLD_DOWN),
        })
    }

    /// Records `error` as the failure every caller gets for as long as
    /// `hold` says, given the error and how many failures in a row it ends.
    fn record_failure(
        &self,
        error: Error,
        hold: impl FnOnce(&Error, u32) -> Duration,
    ) -> TokenFailure {
        let mut failed = lock(&self.failed);
        let streak = failed.as_ref().map_or(0, |f| f.streak).saturating_add(1);
        let hold = hold(&error, streak);
        let now = Instant::now();
        *failed = Some(Failed {
            until: now.checked_add(hold).unwrap_or(now),
            error: error.clone(),
            streak,
        });
        TokenFailure {
            error,
            retry_in: Some(hold),
        }
    }

    async fn request_token(&self) -> Result<Arc<Credential>, Error> {
        self.pacing.acquire(Bucket::Token).await?;
        let source = &self.source;
        let mut url = source.url.clone();
        // Osigu's older token docs read grant_type from the query string,
        // the current ones from the form body; both are sent.
        url.query_pairs_mut()
            .append_pair("grant_type", "client_credentials");
        tracing::debug!("requesting an access token");
        let response = source
            .http
            .post(url)
            .basic_auth(
                &source.client_id,
                Some(source.client_secret.expose_secret()),
            )
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| Error::transport(Stage::Token, e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = crate::engine::read_limited(response, MAX_TOKEN_BODY, Stage::Token).await?;
        if !status.is_success() {
            let api = Box::new(ApiError::parse(status.as_u16(), &headers, &body));
            return Err(match status.as_u16() {
                429 => {
                    let retry_after = crate::retry::retry_after(&headers);
                    self.pacing
                        .penalize(Bucket::Token, retry_after.unwrap_or(Duration::from_secs(1)))
                        .await;
                    Error::RateLimited {
                        retry_after,
                        error: api,
                    }
                }
                400..=499 => Error::Auth(api),
                _ => Error::TokenEndpoint(api),
            });
        }
        let token = parse_token(&body, status.as_u16(), self.clock.wall_now())?;
        let cached =
            timed(token.clone(), &self.clock, Instant::now()).ok_or_else(|| Error::Decode {
                status: Some(status.as_u16()),
                request_id: ApiError::request_id(&headers),
                reason:
                    "the token endpoint issued a token that is expired or not a valid header value"
                        .into(),
            })?;
        let credential = Arc::clone(&cached.credential);
        self.current.store(Some(Arc::new(cached)));
        self.store.save(&token).await;
        Ok(credential)
    }
}

/// The token endpoint's answer. `expires_in` defaults to the documented
/// 3600 seconds and is trusted up to a day; `token_type`, `scope` and
/// extensions are not needed.
fn parse_token(body: &[u8], status: u16, now: SystemTime) -> Result<AccessToken, Error> {
    #[derive(serde::Deserialize)]
    struct Issued {
        access_token: String,
        expires_in: Option<u64>,
    }
    // serde's message could quote the token; say what is wrong without it.
    let issued: Issued = serde_json::from_slice(body).map_err(|_| Error::Decode {
        status: Some(status),
        request_id: None,
        reason: "the token response has no string access_token and numeric expires_in".into(),
    })?;
    let lifetime = Duration::from_secs(issued.expires_in.unwrap_or(3600)).min(MAX_TOKEN_LIFETIME);
    let expires_at = now.checked_add(lifetime).unwrap_or(now);
    Ok(AccessToken::new(issued.access_token, expires_at))
}

/// When to refresh and when to stop using a token with `remaining` life:
/// refresh with a tenth of its life (at least a minute) to spare, and stop
/// 30 seconds early so a call never leaves with a token about to lapse.
/// A token said to last longer than a day is trusted for a day. `None` if
/// it is as good as expired.
fn timed(token: AccessToken, clock: &Clock, now: Instant) -> Option<Cached> {
    // Before the anchor means long expired; too far ahead to represent
    // on tokio's clock means "a day", like every long-lived token.
    let since_anchor = token.expires_at.duration_since(clock.wall).ok()?;
    let remaining = match clock.tokio.checked_add(since_anchor) {
        Some(at) => at.checked_duration_since(now)?,
        None => MAX_TOKEN_LIFETIME,
    }
    .min(MAX_TOKEN_LIFETIME);
    let skew = Duration::from_secs(30).min(remaining / 4);
    let usable = remaining.checked_sub(skew)?;
    if usable.is_zero() {
        return None;
    }
    let margin = (remaining / 10)
        .max(Duration::from_secs(60))
        .min(usable / 2);
    Some(Cached {
        credential: Credential::new(token, now + usable)?,
        refresh_at: now + usable - margin,
        expires_at: now + usable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_token_is_refreshed_six_minutes_early_and_dropped_thirty_seconds_early() {
        let clock = Clock::now();
        let now = clock.tokio;
        let token = AccessToken::new("t", clock.wall + Duration::from_secs(3600));
        let cached = timed(token, &clock, now).unwrap();
        assert_eq!(cached.expires_at - now, Duration::from_secs(3570));
        assert_eq!(cached.refresh_at - now, Duration::from_secs(3570 - 360));
    }

    #[test]
    fn a_token_said_to_last_forever_is_trusted_for_a_day() {
        let clock = Clock::now();
        let issued = parse_token(
            br#"{"access_token": "t", "expires_in": 18446744073709551615}"#,
            200,
            clock.wall,
        )
        .unwrap();
        let cached = timed(issued, &clock, clock.tokio).unwrap();
        assert!(cached.expires_at - clock.tokio <= MAX_TOKEN_LIFETIME);
        let far = AccessToken::new(
            "t",
            SystemTime::UNIX_EPOCH + Duration::from_secs(u64::MAX / 2),
        );
        let cached = timed(far, &clock, clock.tokio).unwrap();
        assert!(cached.expires_at - clock.tokio <= MAX_TOKEN_LIFETIME);
    }

    #[test]
    fn an_expired_token_is_not_used() {
        let clock = Clock::now();
        let token = AccessToken::new("t", clock.wall - Duration::from_secs(1));
        assert!(timed(token, &clock, clock.tokio).is_none());
    }

    #[test]
    fn a_token_response_without_a_token_is_a_decode_error_that_does_not_quote_it() {
        let error = parse_token(
            br#"{"access_token": 42, "note": "secret-ish"}"#,
            200,
            SystemTime::now(),
        )
        .unwrap_err();
        assert!(matches!(
            error,
            Error::Decode {
                status: Some(200),
                ..
            }
        ));
        assert!(!error.to_string().contains("42"));
    }
}

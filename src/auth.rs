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

use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::error::{ApiError, Error, Stage};
use crate::rate_limit::{Category, Limiters};

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
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
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

/// A token with its `Authorization` header value, built once rather than
/// on every call.
pub(crate) struct Credential {
    pub token: AccessToken,
    pub bearer: http::HeaderValue,
}

impl Credential {
    fn new(token: AccessToken) -> Option<Arc<Self>> {
        let mut bearer = http::HeaderValue::from_str(&format!("Bearer {}", token.secret())).ok()?;
        // Keeps it out of HTTP/2 header compression tables and Debug output.
        bearer.set_sensitive(true);
        Some(Arc::new(Self { token, bearer }))
    }
}

#[derive(Clone)]
struct Cached {
    credential: Arc<Credential>,
    /// From here on, a background refresh is started.
    refresh_at: Instant,
    /// From here on, the token is not used.
    expires_at: Instant,
}

/// Shared by every clone of a client.
pub(crate) struct TokenCache {
    shared: Arc<Shared>,
}

struct Shared {
    source: TokenSource,
    store: Arc<dyn TokenStore>,
    limiters: Arc<Limiters>,
    current: Mutex<Option<Cached>>,
    /// Held while a token request is out: single flight.
    fetching: tokio::sync::Mutex<()>,
    refreshing: AtomicBool,
    refused: Mutex<Option<(Instant, Error)>>,
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
        self.wall + self.tokio.elapsed()
    }

    /// `at` on tokio's clock; `None` if before the anchor.
    fn on_tokio(&self, at: SystemTime) -> Option<Instant> {
        Some(self.tokio + at.duration_since(self.wall).ok()?)
    }
}

impl TokenCache {
    pub(crate) fn new(
        source: TokenSource,
        store: Arc<dyn TokenStore>,
        limiters: Arc<Limiters>,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                source,
                store,
                limiters,
                current: Mutex::new(None),
                fetching: tokio::sync::Mutex::new(()),
                refreshing: AtomicBool::new(false),
                refused: Mutex::new(None),
                clock: Clock::now(),
            }),
        }
    }

    /// A valid token. In steady state this returns at once: a token near
    /// its end is refreshed in the background while it is still used.
    pub(crate) async fn token(&self) -> Result<Arc<Credential>, Error> {
        let now = Instant::now();
        if let Some(cached) = self.usable(now) {
            if now >= cached.refresh_at {
                self.refresh_in_background();
            }
            return Ok(cached.credential);
        }
        let shared = &self.shared;
        let _flight = shared.fetching.lock().await;
        // Whoever held the lock before us may have fetched one.
        if let Some(cached) = self.usable(Instant::now()) {
            return Ok(cached.credential);
        }
        shared.fetch().await
    }

    /// Drops `token` after the API rejected it, unless a newer one already
    /// replaced it.
    pub(crate) async fn reject(&self, credential: &Credential) {
        {
            let mut current = lock(&self.shared.current);
            if current
                .as_ref()
                .is_some_and(|c| c.credential.token.secret() == credential.token.secret())
            {
                *current = None;
            }
        }
        self.shared.store.discard(&credential.token).await;
    }

    fn usable(&self, now: Instant) -> Option<Cached> {
        lock(&self.shared.current)
            .as_ref()
            .filter(|c| now < c.expires_at)
            .cloned()
    }

    fn refresh_in_background(&self) {
        if self.shared.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let shared = Arc::clone(&self.shared);
        tokio::spawn(async move {
            {
                let _flight = shared.fetching.lock().await;
                let due = lock(&shared.current)
                    .as_ref()
                    .is_none_or(|c| Instant::now() >= c.refresh_at);
                if due && let Err(error) = shared.fetch_from_osigu().await {
                    tracing::warn!(%error, "background token refresh failed; the current token stays in use");
                    // Try again a little later, not on every call.
                    if let Some(c) = lock(&shared.current).as_mut() {
                        c.refresh_at = Instant::now() + Duration::from_secs(15);
                    }
                }
            }
            shared.refreshing.store(false, Ordering::Release);
        });
    }
}

impl Shared {
    /// Called with `fetching` held: a token from the store, or a new one.
    async fn fetch(&self) -> Result<Arc<Credential>, Error> {
        if let Some(token) = self.store.load().await
            && let Some(cached) = timed(token, &self.clock, Instant::now())
        {
            *lock(&self.current) = Some(cached.clone());
            return Ok(cached.credential);
        }
        self.fetch_from_osigu().await
    }

    async fn fetch_from_osigu(&self) -> Result<Arc<Credential>, Error> {
        if let Some((until, error)) = lock(&self.refused).clone()
            && Instant::now() < until
        {
            return Err(error);
        }
        self.limiters.acquire(Category::Token).await;
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
        let body = response
            .bytes()
            .await
            .map_err(|e| Error::transport(Stage::Token, e))?;
        if !status.is_success() {
            let api = Box::new(ApiError::parse(status.as_u16(), &headers, &body));
            if status.is_client_error() {
                let error = Error::Auth(api);
                *lock(&self.refused) = Some((Instant::now() + REFUSAL_MEMORY, error.clone()));
                return Err(error);
            }
            return Err(Error::TokenEndpoint(api));
        }
        let token = parse_token(&body, status.as_u16(), self.clock.wall_now())?;
        let cached =
            timed(token.clone(), &self.clock, Instant::now()).ok_or_else(|| Error::Decode {
                status: Some(status.as_u16()),
                reason:
                    "the token endpoint issued a token that is expired or not a valid header value"
                        .into(),
            })?;
        let credential = Arc::clone(&cached.credential);
        *lock(&self.current) = Some(cached);
        self.store.save(&token).await;
        Ok(credential)
    }
}

/// The token endpoint's answer. `expires_in` defaults to the documented
/// 3600 seconds; `token_type`, `scope` and extensions are not needed.
fn parse_token(body: &[u8], status: u16, now: SystemTime) -> Result<AccessToken, Error> {
    #[derive(serde::Deserialize)]
    struct Issued {
        access_token: String,
        expires_in: Option<u64>,
    }
    // serde's message could quote the token; say what is wrong without it.
    let issued: Issued = serde_json::from_slice(body).map_err(|_| Error::Decode {
        status: Some(status),
        reason: "the token response has no string access_token and numeric expires_in".into(),
    })?;
    let lifetime = Duration::from_secs(issued.expires_in.unwrap_or(3600));
    Ok(AccessToken::new(issued.access_token, now + lifetime))
}

/// When to refresh and when to stop using a token with `remaining` life:
/// refresh with a tenth of its life (at least a minute) to spare, and stop
/// 30 seconds early so a call never leaves with a token about to lapse.
/// `None` if it is as good as expired.
fn timed(token: AccessToken, clock: &Clock, now: Instant) -> Option<Cached> {
    let remaining = clock
        .on_tokio(token.expires_at)?
        .checked_duration_since(now)?;
    let skew = Duration::from_secs(30).min(remaining / 4);
    let usable = remaining.checked_sub(skew)?;
    if usable.is_zero() {
        return None;
    }
    let margin = (remaining / 10)
        .max(Duration::from_secs(60))
        .min(usable / 2);
    Some(Cached {
        credential: Credential::new(token)?,
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

//! [`Osigu`], the client users hold, and its builder.

use std::fmt;
use std::net::IpAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::auth::{MemoryTokenStore, TokenCache, TokenSource, TokenStore};
use crate::engine::{Core, Hooks, Pacing};
use crate::error::Error;
use crate::rate_limit::{LocalRateLimiter, RateLimiter, RateLimits};
use crate::retry::RetryPolicy;
use crate::routing::Market;
use crate::transport::http_client;

/// Which Osigu deployment to talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// `https://sandbox.osigu.com`, with sandbox credentials.
    Sandbox,
    /// `https://api.osigu.com`.
    Production,
    /// Any other base URL, e.g. a local [sandbox](https://docs.rs/osigu-sandbox).
    /// It must be `https://`, except on a loopback address.
    Custom(String),
}

impl Environment {
    /// The base URL API paths are appended to.
    ///
    /// ```
    /// assert_eq!(osigu::Environment::Production.base_url(), "https://api.osigu.com");
    /// ```
    pub fn base_url(&self) -> &str {
        match self {
            Self::Sandbox => "https://sandbox.osigu.com",
            Self::Production => "https://api.osigu.com",
            Self::Custom(url) => url.trim_end_matches('/'),
        }
    }

    /// `sandbox`, `production`, or a base URL, as in `OSIGU_ENVIRONMENT`.
    ///
    /// ```
    /// use osigu::Environment;
    /// assert_eq!(Environment::parse("sandbox"), Environment::Sandbox);
    /// assert_eq!(Environment::parse("http://127.0.0.1:8080"), Environment::Custom("http://127.0.0.1:8080".into()));
    /// ```
    pub fn parse(value: &str) -> Self {
        match value.trim().to_ascii_lowercase().as_str() {
            "sandbox" => Self::Sandbox,
            "production" | "prod" => Self::Production,
            _ => Self::Custom(value.trim().to_owned()),
        }
    }
}

/// The Osigu client: every generated operation (through `Deref` to
/// [`Client`](crate::Client)), with tokens, retries, rate limits and tracing
/// handled. Clone it freely: clones share one connection pool, one token and
/// one set of rate limits.
///
/// ```no_run
/// # async fn demo() -> Result<(), osigu::Error> {
/// let osigu = osigu::Osigu::builder()
///     .environment(osigu::Environment::Sandbox)
///     .credentials("my-client-id", "my-client-secret")
///     .build()?;
/// let sponsors = osigu.list_sponsors().send().await?;
/// println!("{} sponsors", sponsors.len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Osigu {
    client: crate::Client,
    market: Market,
}

impl Osigu {
    /// Starts configuring a client.
    pub fn builder() -> OsiguBuilder {
        OsiguBuilder::default()
    }

    /// A client configured from `OSIGU_CLIENT_ID`, `OSIGU_CLIENT_SECRET` and
    /// `OSIGU_ENVIRONMENT` (`sandbox`, the default; `production`; or a base
    /// URL).
    ///
    /// ```
    /// // With no OSIGU_CLIENT_ID set, the error names it.
    /// # if std::env::var_os("OSIGU_CLIENT_ID").is_none() {
    /// let error = osigu::Osigu::from_env().unwrap_err();
    /// assert!(error.to_string().contains("OSIGU_CLIENT_ID"));
    /// # }
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        Self::builder()
            .with_env_vars(|name| std::env::var(name))?
            .build()
    }

    /// The generated client, for code that wants it by name.
    pub fn client(&self) -> &crate::Client {
        &self.client
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        use progenitor_client::ClientInfo;
        self.client.baseurl()
    }

    /// The market whose rules pick API versions; see [`Market`].
    pub fn market(&self) -> Market {
        self.market
    }

    /// This client, sharing its token, pool and limits, with another
    /// market's version rules.
    ///
    /// ```
    /// let osigu = osigu::Osigu::builder().credentials("id", "secret").build()?;
    /// assert_eq!(osigu.with_market(osigu::Market::Spain).market(), osigu::Market::Spain);
    /// # Ok::<(), osigu::Error>(())
    /// ```
    pub fn with_market(&self, market: Market) -> Self {
        Self {
            client: self.client.clone(),
            market,
        }
    }

    pub(crate) fn core(&self) -> &Core {
        use progenitor_client::ClientInfo;
        &self.client.inner().0
    }
}

impl Deref for Osigu {
    type Target = crate::Client;

    fn deref(&self) -> &crate::Client {
        &self.client
    }
}

impl fmt::Debug for Osigu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Osigu")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

/// Settings for an [`Osigu`] client. Only the credentials are required.
///
/// ```
/// use std::time::Duration;
/// let osigu = osigu::Osigu::builder()
///     .environment(osigu::Environment::Custom("http://127.0.0.1:8080".into()))
///     .credentials("id", "secret")
///     .request_timeout(Duration::from_secs(10))
///     .retry(osigu::RetryPolicy::none())
///     .rate_limits(osigu::RateLimits::off())
///     .build()?;
/// assert_eq!(osigu.base_url(), "http://127.0.0.1:8080");
///
/// let refused = osigu::Osigu::builder()
///     .environment(osigu::Environment::Custom("http://api.example.com".into()))
///     .credentials("id", "secret")
///     .build()
///     .unwrap_err();
/// assert!(refused.to_string().contains("environment"));
/// # Ok::<(), osigu::Error>(())
/// ```
#[derive(Default)]
pub struct OsiguBuilder {
    environment: Option<Environment>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    token_url: Option<String>,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    rate_limits: Option<RateLimits>,
    rate_limiter: Option<Arc<dyn RateLimiter>>,
    token_store: Option<Arc<dyn TokenStore>>,
    http: Option<reqwest::Client>,
    max_response_size: Option<u64>,
    market: Market,
}

/// The largest success body read by default: 16 MiB. Osigu's answers are
/// JSON pages of a few kilobytes; a body this large is a fault.
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 16 * 1024 * 1024;

/// The longest timeout accepted: a day.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

impl fmt::Debug for OsiguBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OsiguBuilder")
            .field("environment", &self.environment)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("token_url", &self.token_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .field("rate_limits", &self.rate_limits)
            .field("shared_rate_limiter", &self.rate_limiter.is_some())
            .field("max_response_size", &self.max_response_size)
            .finish_non_exhaustive()
    }
}

impl OsiguBuilder {
    /// Sandbox (the default), production, or a custom base URL.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// The OAuth client id and secret Osigu issued for this environment.
    pub fn credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(SecretString::from(client_secret.into()));
        self
    }

    /// The token endpoint, if not `<base URL>/v1/oauth/token`.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long one request may take, body included (default 30 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// How failed calls are retried; see [`RetryPolicy`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Client-side pacing; see [`RateLimits`]. Ignored when a
    /// [`rate_limiter`](Self::rate_limiter) is set.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = Some(limits);
        self
    }

    /// Paces requests with this limiter instead of one built from
    /// [`rate_limits`](Self::rate_limits): for instance one shared by every
    /// process on the same `client_id`.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// The largest success body the client reads, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_SIZE`]); a larger one fails with
    /// [`Error::ResponseTooLarge`] before it is decoded.
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.max_response_size = Some(bytes);
        self
    }

    /// The market whose rules pick versioned endpoints (default
    /// [`Market::Default`]); see [`Osigu::create_prescription_routed`].
    pub fn market(mut self, market: Market) -> Self {
        self.market = market;
        self
    }

    /// Where tokens are shared; in memory by default.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// Shares this client's token and rate limits with every process on
    /// the fleet's Redis: [`token_store`](Self::token_store) and
    /// [`rate_limiter`](Self::rate_limiter) set from `fleet` (feature
    /// `redis`). The fleet's client id must be this client's.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), osigu::Error> {
    /// let fleet = osigu::fleet::RedisFleet::builder("redis://127.0.0.1:6379")
    ///     .client(&osigu::Environment::Sandbox, "id", "secret")
    ///     .build()?;
    /// let osigu = osigu::Osigu::builder()
    ///     .credentials("id", "secret")
    ///     .redis_fleet(&fleet)
    ///     .build()?;
    /// # let _ = osigu; Ok(()) }
    /// ```
    #[cfg(feature = "redis")]
    pub fn redis_fleet(self, fleet: &crate::fleet::RedisFleet) -> Self {
        self.token_store(fleet.token_store())
            .rate_limiter(fleet.rate_limiter())
    }

    /// Sends through this reqwest client instead of one built from the
    /// timeout settings (which are then ignored): for a proxy, extra root
    /// certificates, or custom timeouts. Build it with rustls; if it has no
    /// crypto provider of its own, install one first (this crate installs
    /// ring when it builds its own client).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Fills unset credentials and environment from variables read by `var`.
    fn with_env_vars(
        mut self,
        var: impl Fn(&str) -> Result<String, std::env::VarError>,
    ) -> Result<Self, Error> {
        let read = |name: &'static str| match var(name) {
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(Error::config(name, "is not valid UTF-8"))
            }
        };
        let id = read("OSIGU_CLIENT_ID")?
            .ok_or_else(|| Error::config("OSIGU_CLIENT_ID", "is not set"))?;
        let secret = read("OSIGU_CLIENT_SECRET")?
            .ok_or_else(|| Error::config("OSIGU_CLIENT_SECRET", "is not set"))?;
        self = self.credentials(id, secret);
        if let Some(environment) = read("OSIGU_ENVIRONMENT")? {
            if environment.trim().is_empty() {
                return Err(Error::config(
                    "OSIGU_ENVIRONMENT",
                    "is empty; use sandbox, production or a base URL",
                ));
            }
            self.environment = Some(Environment::parse(&environment));
        }
        Ok(self)
    }

    /// Checks every setting and builds the client. Fails with
    /// [`Error::Config`] naming the setting at fault.
    pub fn build(self) -> Result<Osigu, Error> {
        let environment = self.environment.unwrap_or(Environment::Sandbox);
        let base = checked_url("environment", environment.base_url())?;
        let client_id = self
            .client_id
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| Error::config("credentials", "the client id is missing or empty"))?;
        let client_secret = self
            .client_secret
            .filter(|s| !secrecy::ExposeSecret::expose_secret(s).is_empty())
            .ok_or_else(|| Error::config("credentials", "the client secret is missing or empty"))?;
        let token_url = match &self.token_url {
            Some(url) => checked_url("token_url", url)?,
            None => checked_url(
                "environment",
                &format!("{}/v1/oauth/token", environment.base_url()),
            )?,
        };
        for (setting, value) in [
            ("connect_timeout", self.connect_timeout),
            ("request_timeout", self.request_timeout),
        ] {
            if value.is_some_and(|d| d.is_zero() || d > MAX_TIMEOUT) {
                return Err(Error::config(
                    setting,
                    "must be longer than zero and at most a day",
                ));
            }
        }
        let retry = self.retry.unwrap_or_default();
        if let Some((setting, reason)) = retry.invalid() {
            return Err(Error::config(setting, reason));
        }
        let limits = self.rate_limits.unwrap_or_default();
        if let Some((setting, reason)) = limits.invalid() {
            return Err(Error::config(setting, reason));
        }
        let max_body = self.max_response_size.unwrap_or(DEFAULT_MAX_RESPONSE_SIZE);
        if max_body == 0 {
            return Err(Error::config(
                "max_response_size",
                "must be at least one byte",
            ));
        }
        let http = match self.http {
            Some(client) => client,
            None => http_client(
                self.connect_timeout.unwrap_or(Duration::from_secs(10)),
                self.request_timeout.unwrap_or(Duration::from_secs(30)),
            )
            .map_err(|e| {
                Error::config("environment", format!("cannot build the HTTP client: {e}"))
            })?,
        };
        let pacing = Arc::new(match self.rate_limiter {
            Some(shared) => Pacing::Shared(shared),
            None => Pacing::Local(Arc::new(LocalRateLimiter::new(limits))),
        });
        let tokens = TokenCache::new(
            TokenSource {
                http: http.clone(),
                url: token_url,
                client_id,
                client_secret,
            },
            self.token_store
                .unwrap_or_else(|| Arc::new(MemoryTokenStore::default())),
            Arc::clone(&pacing),
        );
        let hooks = Hooks(Arc::new(Core::new(
            http.clone(),
            tokens,
            pacing,
            retry,
            max_body,
        )));
        Ok(Osigu {
            client: crate::Client::new_with_client(
                base.as_str().trim_end_matches('/'),
                http,
                hooks,
            ),
            market: self.market,
        })
    }
}

/// A URL calls may go to: `https://`, or `http://` on a loopback address.
fn checked_url(setting: &'static str, url: &str) -> Result<reqwest::Url, Error> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::config(setting, format!("{url:?} is not a URL: {e}")))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err(Error::config(
            setting,
            format!("{url:?} is plain http; https is required except on a loopback address"),
        )),
        other => Err(Error::config(
            setting,
            format!("{url:?} has scheme {other:?}; use https"),
        )),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(
        vars: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> Result<String, std::env::VarError> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
                .ok_or(std::env::VarError::NotPresent)
        }
    }

    fn setting(result: Result<OsiguBuilder, Error>) -> &'static str {
        match result.and_then(OsiguBuilder::build) {
            Err(Error::Config { setting, .. }) => setting,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn each_missing_or_malformed_variable_is_named() {
        assert_eq!(
            setting(OsiguBuilder::default().with_env_vars(env(&[]))),
            "OSIGU_CLIENT_ID"
        );
        assert_eq!(
            setting(OsiguBuilder::default().with_env_vars(env(&[("OSIGU_CLIENT_ID", "id")]))),
            "OSIGU_CLIENT_SECRET"
        );
        assert_eq!(
            setting(OsiguBuilder::default().with_env_vars(env(&[
                ("OSIGU_CLIENT_ID", "id"),
                ("OSIGU_CLIENT_SECRET", "s"),
                ("OSIGU_ENVIRONMENT", " "),
            ]))),
            "OSIGU_ENVIRONMENT"
        );
        assert_eq!(
            setting(OsiguBuilder::default().with_env_vars(env(&[
                ("OSIGU_CLIENT_ID", "id"),
                ("OSIGU_CLIENT_SECRET", "s"),
                ("OSIGU_ENVIRONMENT", "ftp://files.example.com"),
            ]))),
            "environment"
        );
    }

    #[test]
    fn the_environment_variable_picks_the_deployment() {
        let osigu = OsiguBuilder::default()
            .with_env_vars(env(&[
                ("OSIGU_CLIENT_ID", "id"),
                ("OSIGU_CLIENT_SECRET", "s"),
                ("OSIGU_ENVIRONMENT", "production"),
            ]))
            .and_then(OsiguBuilder::build)
            .unwrap();
        assert_eq!(osigu.base_url(), "https://api.osigu.com");
    }

    #[test]
    fn plain_http_is_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:9",
            "http://localhost:8080",
            "http://[::1]:1",
            "https://x.example",
        ] {
            assert!(checked_url("environment", ok).is_ok(), "{ok}");
        }
        for bad in ["http://10.0.0.1", "http://sandbox.osigu.com", "not a url"] {
            assert!(checked_url("environment", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let builder = Osigu::builder().credentials("id", "very-secret-value");
        assert!(!format!("{builder:?}").contains("very-secret-value"));
        let osigu = builder.build().unwrap();
        assert!(!format!("{osigu:?}").contains("very-secret-value"));
    }
}

//! Fleet scale (feature `redis`): many processes on one `client_id` share
//! its token, its rate limits and webhook deduplication through Redis.
//!
//! Osigu's limits are per `client_id` (50 calls a minute, 10 token requests
//! a minute, 20 uploads a minute). Each process of a fleet paces itself
//! only if it knows what the others do, so a [`RedisFleet`] hands out
//! three stores that keep that knowledge in one Redis:
//!
//! - [`RedisTokenStore`]: one token fetch per token lifetime for the whole
//!   fleet, the token sealed with a key derived from the client secret;
//! - [`RedisRateLimiter`]: a sliding-window log decided on Redis's clock,
//!   never more than N requests in any rolling window across the fleet;
//! - [`RedisDeduplicator`]: webhook redeliveries told apart across
//!   receivers behind a load balancer.
//!
//! Nothing connects until first use, so [`RedisFleetBuilder::build`] and
//! [`OsiguBuilder::build`](crate::OsiguBuilder::build) stay synchronous and
//! a Redis that is down at start does not stop a client from being built.
//! Every Redis operation has a short timeout (250 ms by default); after a
//! failure a circuit breaker keeps the fleet stores local for a cool-down
//! and a `tracing` warning says so. See `docs/fleet.md` for the keys, the
//! algorithms and the failure modes.
//!
//! ```no_run
//! use osigu::fleet::{FailurePolicy, RedisFleet};
//! # fn demo() -> Result<(), osigu::Error> {
//! let environment = osigu::Environment::Production;
//! let fleet = RedisFleet::builder("rediss://cache.internal:6380/0")
//!     .client(&environment, "my-client-id", "my-client-secret")
//!     .on_failure(FailurePolicy::FallbackLocal { fleet_size: 20 })
//!     .build()?;
//! let osigu = osigu::Osigu::builder()
//!     .environment(environment)
//!     .credentials("my-client-id", "my-client-secret")
//!     .redis_fleet(&fleet)
//!     .build()?;
//! # let _ = osigu; Ok(()) }
//! ```

mod dedup;
mod limiter;
mod token;

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use secrecy::SecretString;
use sha2::Digest;

pub use dedup::{RedisDeduplicator, SharedClaim, SharedDelivery};
pub use limiter::RedisRateLimiter;
pub use token::RedisTokenStore;

use crate::error::Error;
use crate::osigu::Environment;
use crate::rate_limit::{LocalRateLimiter, Rate, RateLimits};

/// What the rate limiter does while Redis cannot be reached (down, slow,
/// or the circuit breaker open).
///
/// ```
/// let policy = osigu::fleet::FailurePolicy::default();
/// assert_eq!(policy, osigu::fleet::FailurePolicy::FallbackLocal { fleet_size: 1 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailurePolicy {
    /// Each process limits itself to N / `fleet_size` per window (at least
    /// one): set `fleet_size` to how many processes share the `client_id`.
    /// The default, with `fleet_size` 1 (each process paces itself alone,
    /// as without Redis).
    FallbackLocal {
        /// How many processes share the `client_id` (1 to 10,000).
        fleet_size: u32,
    },
    /// Send without pacing: the fleet may collect 429s, which are retried.
    FailOpen,
    /// Send nothing: calls fail with [`Error::SharedStore`].
    FailClosed,
}

impl Default for FailurePolicy {
    fn default() -> Self {
        Self::FallbackLocal { fleet_size: 1 }
    }
}

/// Settings for a [`RedisFleet`]; see [`RedisFleet::builder`].
///
/// ```
/// let refused = osigu::fleet::RedisFleet::builder("redis://127.0.0.1:6379")
///     .client(&osigu::Environment::Sandbox, "id", "secret")
///     .op_timeout(std::time::Duration::ZERO)
///     .build()
///     .unwrap_err();
/// assert!(refused.to_string().contains("fleet.op_timeout"));
/// ```
pub struct RedisFleetBuilder {
    url: SecretString,
    client: Option<(String, String, SecretString)>,
    key_prefix: String,
    op_timeout: Duration,
    breaker_cooldown: Duration,
    on_failure: FailurePolicy,
    limits: RateLimits,
    jitter: Option<Duration>,
    cold_start_guard: bool,
    token_lease: Duration,
    allow_plaintext: bool,
}

impl fmt::Debug for RedisFleetBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisFleetBuilder")
            .field("url", &"[redacted]")
            .field("client_id", &self.client.as_ref().map(|c| &c.1))
            .field("key_prefix", &self.key_prefix)
            .field("op_timeout", &self.op_timeout)
            .field("on_failure", &self.on_failure)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The longest Redis operation timeout accepted.
const MAX_OP_TIMEOUT: Duration = Duration::from_secs(10);

impl RedisFleetBuilder {
    /// Which Osigu client the fleet shares: required. The keys are derived
    /// from the environment's base URL and the client id (hashed, so
    /// neither appears in Redis); the token is sealed with a key derived
    /// from the secret, which never reaches Redis.
    pub fn client(
        mut self,
        environment: &Environment,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.client = Some((
            environment.base_url().to_owned(),
            client_id.into(),
            SecretString::from(client_secret.into()),
        ));
        self
    }

    /// The first part of every key (default `osigu`).
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// How long one Redis operation may take, connecting included, before
    /// the fleet stores go on without it (default 250 ms, at most 10 s).
    pub fn op_timeout(mut self, timeout: Duration) -> Self {
        self.op_timeout = timeout;
        self
    }

    /// How long Redis is left alone after a failure before the next call
    /// tries it again (default 5 s, at most 10 minutes).
    pub fn breaker_cooldown(mut self, cooldown: Duration) -> Self {
        self.breaker_cooldown = cooldown;
        self
    }

    /// What the rate limiter does without Redis; see [`FailurePolicy`].
    pub fn on_failure(mut self, policy: FailurePolicy) -> Self {
        self.on_failure = policy;
        self
    }

    /// The fleet's limits (default Osigu's: 50, 10 and 20 a minute). Every
    /// process must use the same.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Extra spacing added to every window, for the difference in network
    /// delay between being admitted by Redis and arriving at Osigu
    /// (default a sixtieth of the window, between 10 ms and 1 s; at most
    /// half the window).
    pub fn jitter_allowance(mut self, jitter: Duration) -> Self {
        self.jitter = Some(jitter);
        self
    }

    /// Whether a rate-limit log found missing (Redis restarted, flushed or
    /// evicted it) is treated as a full window, so a restart never lets
    /// a second window's worth through (default off). It costs one window
    /// of waiting (a minute, with Osigu's limits) on the first use of a
    /// fresh Redis and after each loss; without it, a loss can let up to
    /// one extra window through, whose 429s are retried and pause the
    /// fleet.
    pub fn cold_start_guard(mut self, on: bool) -> Self {
        self.cold_start_guard = on;
        self
    }

    /// How long the right to fetch a token is held before it lapses on its
    /// own (default 40 s: longer than a token request may take).
    pub fn token_lease(mut self, ttl: Duration) -> Self {
        self.token_lease = ttl;
        self
    }

    /// Accepts a plain `redis://` link to a host that is not loopback. The
    /// token is sealed either way, but the traffic is not.
    pub fn allow_plaintext(mut self) -> Self {
        self.allow_plaintext = true;
        self
    }

    /// Checks every setting; connects to nothing. Fails with
    /// [`Error::Config`] naming the setting at fault.
    pub fn build(self) -> Result<RedisFleet, Error> {
        let (base_url, client_id, secret) = self.client.ok_or_else(|| {
            Error::config(
                "fleet.client",
                "is required: which client_id the fleet shares",
            )
        })?;
        if client_id.trim().is_empty() || secrecy::ExposeSecret::expose_secret(&secret).is_empty() {
            return Err(Error::config(
                "fleet.client",
                "the client id or secret is empty",
            ));
        }
        let url = secrecy::ExposeSecret::expose_secret(&self.url);
        let client = checked_redis_url(url, self.allow_plaintext)?;
        if self.key_prefix.is_empty()
            || self.key_prefix.len() > 64
            || self.key_prefix.contains(['{', '}'])
        {
            return Err(Error::config(
                "fleet.key_prefix",
                "must be 1 to 64 characters without braces",
            ));
        }
        if self.op_timeout.is_zero() || self.op_timeout > MAX_OP_TIMEOUT {
            return Err(Error::config(
                "fleet.op_timeout",
                "must be longer than zero and at most 10 s",
            ));
        }
        if self.breaker_cooldown.is_zero() || self.breaker_cooldown > Duration::from_secs(600) {
            return Err(Error::config(
                "fleet.breaker_cooldown",
                "must be longer than zero and at most 10 minutes",
            ));
        }
        if let FailurePolicy::FallbackLocal { fleet_size } = self.on_failure
            && !(1..=10_000).contains(&fleet_size)
        {
            return Err(Error::config(
                "fleet.on_failure",
                "fleet_size must be between 1 and 10,000",
            ));
        }
        if let Some((setting, reason)) = self.limits.invalid() {
            let setting = match setting {
                "rate_limits.general" => "fleet.rate_limits.general",
                "rate_limits.token" => "fleet.rate_limits.token",
                _ => "fleet.rate_limits.uploads",
            };
            return Err(Error::config(setting, reason));
        }
        let shortest = [self.limits.general, self.limits.token, self.limits.uploads]
            .into_iter()
            .flatten()
            .map(|r| r.per)
            .min();
        if let (Some(jitter), Some(shortest)) = (self.jitter, shortest)
            && jitter > shortest / 2
        {
            return Err(Error::config(
                "fleet.jitter_allowance",
                "must be at most half of the shortest window",
            ));
        }
        if self.token_lease < Duration::from_secs(1) || self.token_lease > Duration::from_secs(600)
        {
            return Err(Error::config(
                "fleet.token_lease",
                "must be between 1 s and 10 minutes",
            ));
        }
        let fingerprint = {
            let mut hash = sha2::Sha256::new();
            hash.update(base_url.as_bytes());
            hash.update(b"\n");
            hash.update(client_id.as_bytes());
            to_hex(&hash.finalize()[..8])
        };
        let fallback = match self.on_failure {
            FailurePolicy::FallbackLocal { fleet_size } => {
                let share = |rate: Option<Rate>| {
                    rate.map(|r| Rate {
                        requests: (r.requests / fleet_size).max(1),
                        per: r.per,
                    })
                };
                LocalRateLimiter::new(RateLimits {
                    general: share(self.limits.general),
                    token: share(self.limits.token),
                    uploads: share(self.limits.uploads),
                })
            }
            _ => LocalRateLimiter::new(RateLimits::off()),
        };
        Ok(RedisFleet {
            inner: Arc::new(Inner {
                client,
                conn: tokio::sync::OnceCell::new(),
                keys: format!("{}:{{{fingerprint}}}", self.key_prefix),
                fingerprint,
                secret,
                op_timeout: self.op_timeout,
                breaker: Breaker {
                    cooldown: self.breaker_cooldown,
                    open_until: Mutex::new(None),
                    warned: AtomicBool::new(false),
                },
                on_failure: self.on_failure,
                limits: self.limits,
                jitter: self.jitter,
                cold_start_guard: self.cold_start_guard,
                token_lease: self.token_lease,
                fallback,
                instance: format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)),
                counter: AtomicU64::new(0),
            }),
        })
    }
}

/// One Redis shared by the processes of a fleet, and the stores built on
/// it. Cheap to clone; clones share one connection.
///
/// ```no_run
/// # fn demo() -> Result<(), osigu::Error> {
/// let fleet = osigu::fleet::RedisFleet::builder("redis://127.0.0.1:6379/0")
///     .client(&osigu::Environment::Sandbox, "id", "secret")
///     .build()?;
/// let _tokens = fleet.token_store();
/// let _limiter = fleet.rate_limiter();
/// let _webhooks = fleet.deduplicator();
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisFleet {
    inner: Arc<Inner>,
}

impl fmt::Debug for RedisFleet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisFleet")
            .field("keys", &self.inner.keys)
            .field("on_failure", &self.inner.on_failure)
            .finish_non_exhaustive()
    }
}

impl RedisFleet {
    /// Starts configuring a fleet on the Redis at `url` (`redis://`,
    /// `rediss://` with the `redis-tls` feature, or `redis+unix://`). A
    /// plain `redis://` link must point at a loopback address unless
    /// [`allow_plaintext`](RedisFleetBuilder::allow_plaintext) is set. The
    /// link may carry a password; it is never printed.
    pub fn builder(url: impl Into<String>) -> RedisFleetBuilder {
        RedisFleetBuilder {
            url: SecretString::from(url.into()),
            client: None,
            key_prefix: "osigu".into(),
            op_timeout: Duration::from_millis(250),
            breaker_cooldown: Duration::from_secs(5),
            on_failure: FailurePolicy::default(),
            limits: RateLimits::default(),
            jitter: None,
            cold_start_guard: false,
            token_lease: Duration::from_secs(40),
            allow_plaintext: false,
        }
    }

    /// The token store to pass to
    /// [`OsiguBuilder::token_store`](crate::OsiguBuilder::token_store).
    pub fn token_store(&self) -> Arc<RedisTokenStore> {
        Arc::new(RedisTokenStore::new(Arc::clone(&self.inner)))
    }

    /// The rate limiter to pass to
    /// [`OsiguBuilder::rate_limiter`](crate::OsiguBuilder::rate_limiter).
    pub fn rate_limiter(&self) -> Arc<RedisRateLimiter> {
        Arc::new(RedisRateLimiter::new(Arc::clone(&self.inner)))
    }

    /// A webhook deduplicator shared by every receiver on this Redis.
    pub fn deduplicator(&self) -> RedisDeduplicator {
        RedisDeduplicator::new(Arc::clone(&self.inner))
    }

    /// The prefix every key of this fleet starts with, e.g.
    /// `osigu:{3f2a…}`; the part in braces is a hash of the base URL and
    /// the client id, and keeps every key in one cluster slot.
    pub fn key_space(&self) -> &str {
        &self.inner.keys
    }
}

/// Shared by every store of one fleet.
pub(crate) struct Inner {
    client: redis::Client,
    conn: tokio::sync::OnceCell<ConnectionManager>,
    /// `prefix:{fingerprint}`.
    keys: String,
    fingerprint: String,
    secret: SecretString,
    op_timeout: Duration,
    breaker: Breaker,
    on_failure: FailurePolicy,
    limits: RateLimits,
    jitter: Option<Duration>,
    cold_start_guard: bool,
    token_lease: Duration,
    fallback: LocalRateLimiter,
    /// Random, per process: the owner part of reservation and lease ids.
    instance: String,
    counter: AtomicU64,
}

impl Inner {
    fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.keys)
    }

    /// A value no other caller in the fleet uses.
    fn unique(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{}:{n}", self.instance)
    }

    /// Runs one Redis operation within the timeout, connecting first if
    /// need be. `Err` says why, in words safe to log: never a key's value,
    /// the link, or Redis's own message (it may quote arguments).
    pub(crate) async fn run<T, F, Fut>(&self, f: F) -> Result<T, String>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if self.breaker.is_open() {
            return Err("Redis failed recently; waiting for the cool-down".into());
        }
        let attempt = async {
            let conn = self
                .conn
                .get_or_try_init(|| {
                    let config = ConnectionManagerConfig::new()
                        .set_connection_timeout(Some(self.op_timeout))
                        .set_response_timeout(Some(self.op_timeout))
                        .set_number_of_retries(2)
                        .set_max_delay(Duration::from_secs(2));
                    self.client.get_connection_manager_with_config(config)
                })
                .await?
                .clone();
            f(conn).await
        };
        let outcome = match tokio::time::timeout(self.op_timeout, attempt).await {
            Ok(Ok(value)) => {
                self.breaker.close();
                return Ok(value);
            }
            // Redis answered, with an error about this key (e.g. a value
            // of the wrong type): Redis itself is fine.
            Ok(Err(e))
                if !(e.is_io_error()
                    || e.is_timeout()
                    || e.is_connection_dropped()
                    || e.is_connection_refusal()) =>
            {
                return Err(format!("Redis refused the operation ({:?})", e.kind()));
            }
            Ok(Err(e)) => format!("Redis error ({:?})", e.kind()),
            Err(_) => format!("no Redis answer within {:?}", self.op_timeout),
        };
        self.breaker.trip(&outcome);
        Err(outcome)
    }
}

/// After a failure, Redis is skipped for a cool-down; the next call after
/// it probes again.
struct Breaker {
    cooldown: Duration,
    open_until: Mutex<Option<std::time::Instant>>,
    warned: AtomicBool,
}

impl Breaker {
    fn is_open(&self) -> bool {
        crate::auth::lock(&self.open_until).is_some_and(|until| std::time::Instant::now() < until)
    }

    fn trip(&self, why: &str) {
        *crate::auth::lock(&self.open_until) = Some(std::time::Instant::now() + self.cooldown);
        if !self.warned.swap(true, Ordering::AcqRel) {
            tracing::warn!(
                reason = why,
                cooldown = ?self.cooldown,
                "Redis unavailable: the fleet stores go on without it (rate limits per the failure policy, tokens fetched locally)"
            );
        }
    }

    fn close(&self) {
        if self.warned.swap(false, Ordering::AcqRel) {
            *crate::auth::lock(&self.open_until) = None;
            tracing::info!("Redis reachable again: the fleet stores use it");
        }
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn checked_redis_url(url: &str, allow_plaintext: bool) -> Result<redis::Client, Error> {
    // Parse errors may quote the link (and its password): say only what
    // kind of problem it is.
    let parsed = url::Url::parse(url)
        .map_err(|_| Error::config("fleet.url", "is not a URL (redis://host:port/db)"))?;
    match parsed.scheme() {
        "rediss" => {
            if !cfg!(feature = "redis-tls") {
                return Err(Error::config(
                    "fleet.url",
                    "rediss:// needs the redis-tls feature",
                ));
            }
        }
        "redis+unix" | "unix" => {}
        "redis" => {
            let loopback = match parsed.host() {
                // A redis:// host is opaque to the URL parser: an address
                // arrives as a name.
                Some(url::Host::Domain(name)) => {
                    name.eq_ignore_ascii_case("localhost")
                        || name
                            .trim_start_matches('[')
                            .trim_end_matches(']')
                            .parse::<IpAddr>()
                            .is_ok_and(|ip| ip.is_loopback())
                }
                Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                None => false,
            };
            if !loopback && !allow_plaintext {
                return Err(Error::config(
                    "fleet.url",
                    "plain redis:// is only accepted on a loopback address; use rediss:// or allow_plaintext()",
                ));
            }
        }
        _ => {
            return Err(Error::config(
                "fleet.url",
                "the scheme must be redis, rediss or redis+unix",
            ));
        }
    }
    redis::Client::open(url).map_err(|e| {
        Error::config(
            "fleet.url",
            format!("is not a Redis link redis accepts ({:?})", e.kind()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> RedisFleetBuilder {
        RedisFleet::builder("redis://127.0.0.1:1/").client(&Environment::Sandbox, "id", "secret")
    }

    fn setting(result: Result<RedisFleet, Error>) -> &'static str {
        match result {
            Err(Error::Config { setting, .. }) => setting,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn settings_are_checked_by_name() {
        assert!(builder().build().is_ok());
        assert_eq!(
            setting(RedisFleet::builder("redis://127.0.0.1/").build()),
            "fleet.client"
        );
        assert_eq!(
            setting(builder().key_prefix("a{b}").build()),
            "fleet.key_prefix"
        );
        assert_eq!(
            setting(builder().op_timeout(Duration::from_secs(11)).build()),
            "fleet.op_timeout"
        );
        assert_eq!(
            setting(
                builder()
                    .on_failure(FailurePolicy::FallbackLocal { fleet_size: 0 })
                    .build()
            ),
            "fleet.on_failure"
        );
        assert_eq!(
            setting(builder().jitter_allowance(Duration::from_secs(40)).build()),
            "fleet.jitter_allowance"
        );
        assert_eq!(
            setting(
                builder()
                    .rate_limits(RateLimits {
                        token: Some(Rate {
                            requests: 0,
                            per: Duration::from_secs(1)
                        }),
                        ..RateLimits::default()
                    })
                    .build()
            ),
            "fleet.rate_limits.token"
        );
        assert_eq!(
            setting(builder().token_lease(Duration::ZERO).build()),
            "fleet.token_lease"
        );
    }

    #[test]
    fn plain_links_beyond_loopback_are_refused_and_never_quoted() {
        let refused = RedisFleet::builder("redis://:hunter2@cache.example.com:6379/")
            .client(&Environment::Sandbox, "id", "secret")
            .build()
            .unwrap_err();
        assert!(refused.to_string().contains("fleet.url"));
        assert!(!refused.to_string().contains("hunter2"));
        assert!(
            RedisFleet::builder("redis://:hunter2@cache.example.com:6379/")
                .client(&Environment::Sandbox, "id", "secret")
                .allow_plaintext()
                .build()
                .is_ok()
        );
        let garbage = RedisFleet::builder("not a url hunter2")
            .client(&Environment::Sandbox, "id", "secret")
            .build()
            .unwrap_err();
        assert!(!garbage.to_string().contains("hunter2"));
        let fleet = builder().build().unwrap();
        let shown = format!("{fleet:?} {:?}", builder());
        assert!(!shown.contains("secret") && !shown.contains("127.0.0.1"));
    }

    #[test]
    fn keys_hide_the_client_id_and_differ_by_environment() {
        let a = builder().build().unwrap();
        let b = RedisFleet::builder("redis://127.0.0.1:1/")
            .client(&Environment::Production, "id", "secret")
            .build()
            .unwrap();
        assert!(a.key_space().starts_with("osigu:{"));
        assert_ne!(a.key_space(), b.key_space());
        assert!(!a.key_space().contains("id}"));
    }
}

//! [`SandboxConfig`] and [`RateLimit`].

use std::time::Duration;

/// A request budget: at most `requests` in any sliding window of `window`.
///
/// ```
/// use std::time::Duration;
/// let limit = osigu_sandbox::RateLimit::new(3, Duration::from_secs(1));
/// assert_eq!(limit.requests, 3);
/// assert_eq!(osigu_sandbox::RateLimit::per_minute(50).window, Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// How many requests the window admits.
    pub requests: u32,
    /// The length of the sliding window.
    pub window: Duration,
}

impl RateLimit {
    /// `requests` per `window`.
    pub fn new(requests: u32, window: Duration) -> Self {
        Self { requests, window }
    }

    /// `requests` per minute.
    pub fn per_minute(requests: u32) -> Self {
        Self::new(requests, Duration::from_secs(60))
    }
}

/// Settings for [`Sandbox::start_with`](crate::Sandbox::start_with).
///
/// Every setter consumes and returns the config, so settings chain; each
/// has a matching `*_value` getter. Durations are clamped to
/// [`MAX_DURATION`](Self::MAX_DURATION).
///
/// ```
/// use std::time::Duration;
/// use osigu_sandbox::SandboxConfig;
/// let config = SandboxConfig::default()
///     .credentials("id", "secret")
///     .token_lifetime(Duration::from_secs(60))
///     .otp_code("654321");
/// assert_eq!(config.otp_code_value(), "654321");
/// assert_eq!(config.rate_limit_value().unwrap().requests, 50);
/// assert_eq!(config.token_rate_limit_value().unwrap().requests, 10);
/// ```
///
/// `Debug` leaves the client secret, the OTP code and the webhook secret
/// out:
///
/// ```
/// let text = format!("{:?}", osigu_sandbox::SandboxConfig::default());
/// assert!(text.contains("sandbox-client"));
/// assert!(!text.contains("sandbox-secret") && !text.contains("123456"));
/// ```
#[derive(Clone)]
pub struct SandboxConfig {
    client_id: String,
    client_secret: String,
    token_lifetime: Duration,
    rate_limit: Option<RateLimit>,
    token_rate_limit: Option<RateLimit>,
    async_sponsor_delay: Duration,
    otp_code: String,
    otp_lifetime: Duration,
    webhook_secret: String,
    port: u16,
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("client_id", &self.client_id)
            .field("token_lifetime", &self.token_lifetime)
            .field("rate_limit", &self.rate_limit)
            .field("token_rate_limit", &self.token_rate_limit)
            .field("async_sponsor_delay", &self.async_sponsor_delay)
            .field("otp_lifetime", &self.otp_lifetime)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Default for SandboxConfig {
    /// Client `sandbox-client` / `sandbox-secret`, one-hour tokens, 50
    /// requests and 10 token requests per minute per client, a 2 s async
    /// sponsor, OTP code `123456` valid for 5 minutes, any free port.
    fn default() -> Self {
        Self {
            client_id: "sandbox-client".to_owned(),
            client_secret: "sandbox-secret".to_owned(),
            token_lifetime: Duration::from_secs(3600),
            rate_limit: Some(RateLimit::per_minute(50)),
            token_rate_limit: Some(RateLimit::per_minute(10)),
            async_sponsor_delay: Duration::from_secs(2),
            otp_code: "123456".to_owned(),
            otp_lifetime: Duration::from_secs(300),
            webhook_secret: "whsec_sandbox_signing_secret".to_owned(),
            port: 0,
        }
    }
}

/// A duration as a setting keeps it: at most [`SandboxConfig::MAX_DURATION`]
/// (a user's `Duration::MAX`, meant as "never", would overflow the clock a
/// handler adds it to).
fn clamped(duration: Duration) -> Duration {
    duration.min(SandboxConfig::MAX_DURATION)
}

/// A rate limit with its window [`clamped`].
fn clamped_window(limit: Option<RateLimit>) -> Option<RateLimit> {
    limit.map(|l| RateLimit::new(l.requests, clamped(l.window)))
}

/// Settings read back by value: each a consuming setter, with the docs
/// given, and its `*_value` getter; `=> f` keeps `f(value)` instead.
macro_rules! settings {
    ($($(#[$doc:meta])* $name:ident, $getter:ident: $ty:ty $(=> $keep:ident)?;)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = value;
            $(self.$name = $keep(self.$name);)?
            self
        }

        #[doc = concat!("See [`", stringify!($name), "`](Self::", stringify!($name), ").")]
        pub fn $getter(&self) -> $ty {
            self.$name
        }
    )*};
}

impl SandboxConfig {
    /// The longest duration a setting keeps: 365 days. A longer one,
    /// `Duration::MAX` included, is clamped to it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use osigu_sandbox::SandboxConfig;
    /// let config = SandboxConfig::default().token_lifetime(Duration::MAX);
    /// assert_eq!(config.token_lifetime_value(), SandboxConfig::MAX_DURATION);
    /// ```
    pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

    /// The only client id and secret the token endpoint accepts.
    pub fn credentials(mut self, client_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self.client_secret = secret.into();
        self
    }

    /// See [`credentials`](Self::credentials).
    pub fn client_id_value(&self) -> &str {
        &self.client_id
    }

    /// See [`credentials`](Self::credentials).
    pub fn client_secret_value(&self) -> &str {
        &self.client_secret
    }

    settings! {
        /// How long an issued access token stays valid (`expires_in`).
        token_lifetime, token_lifetime_value: Duration => clamped;
        /// The per-client budget for API calls; `None` turns it off.
        rate_limit, rate_limit_value: Option<RateLimit> => clamped_window;
        /// The per-client budget for the token endpoint; `None` turns it off.
        token_rate_limit, token_rate_limit_value: Option<RateLimit> => clamped_window;
        /// How long the asynchronous sponsor (`async-insurer`) takes to decide
        /// a pre-authorization and an outpatient claim.
        async_sponsor_delay, async_sponsor_delay_value: Duration => clamped;
        /// How long a generated one-time code can be validated (`expires_in`).
        otp_lifetime, otp_lifetime_value: Duration => clamped;
        /// The port to bind on 127.0.0.1; 0 (the default) picks a free one.
        port, port_value: u16;
    }

    /// The one-time code every seeded beneficiary "receives".
    pub fn otp_code(mut self, code: impl Into<String>) -> Self {
        self.otp_code = code.into();
        self
    }

    /// See [`otp_code`](Self::otp_code).
    pub fn otp_code_value(&self) -> &str {
        &self.otp_code
    }

    /// The signing secret of webhook deliveries. Osigu hands this secret
    /// out at onboarding rather than through the API, so every subscription
    /// shares it.
    pub fn webhook_secret(mut self, secret: impl Into<String>) -> Self {
        self.webhook_secret = secret.into();
        self
    }

    /// The signing secret of webhook deliveries.
    ///
    /// ```
    /// let config = osigu_sandbox::SandboxConfig::default();
    /// assert_eq!(config.webhook_secret_value(), "whsec_sandbox_signing_secret");
    /// ```
    pub fn webhook_secret_value(&self) -> &str {
        &self.webhook_secret
    }
}

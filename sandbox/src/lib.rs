//! An in-memory stand-in for the Osigu health-payments API, served over
//! plain HTTP on the loopback interface.
//!
//! The sandbox reads requests into, and answers with, the `osigu` SDK's
//! generated types, and registers its handlers on the path templates of
//! the SDK's operation table ([`osigu::operations::ALL`]), so it speaks
//! exactly the paths and shapes the SDK is generated from. It keeps every
//! resource in memory and starts from a small seeded world (three
//! sponsors, five beneficiaries, a `MED-SBX-*` catalogue, one doctor).
//!
//! [`Sandbox::client`] hands back an [`osigu::Osigu`] already pointed at the
//! sandbox with its credentials:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = osigu_sandbox::Sandbox::start().await?;
//! let osigu = sandbox.client()?;
//! let sponsors = osigu.list_sponsors().send().await?.into_inner();
//! assert!(sponsors.iter().any(|s| s.sponsor_slug.as_deref() == Some("demo-insurer")));
//! assert_eq!(sandbox.counters().requests_to("GET /v1/sponsors"), 1);
//! // The server stops when `sandbox` is dropped.
//! # Ok(()) }
//! ```
//!
//! # Seeded world
//!
//! | Sponsor | Decides | OTP | Beneficiaries (id: search values) |
//! |---|---|---|---|
//! | `demo-insurer` | at once | no | 1001 (doc `1000000001`, holder of 1002), 1002 (doc `1000000002`), 1003 (doc `1000000003`, coverage `DISABLED`) |
//! | `otp-insurer` | at once | yes | 2001 (doc `2000000001`) |
//! | `async-insurer` | after [`SandboxConfig::async_sponsor_delay`] | no | 3001 (doc `3000000001`) |
//!
//! A beneficiary is found by `searchBeneficiary` with
//! `{"document_number": "..."}` (or `identity_document_id`, or
//! `member_code`), or by `lookupBeneficiaries` with the form `national-id`
//! (input `document_number`) or `member-id` (input `member_code`); the
//! asynchronous sponsor answers a lookup with 202 and a `Location` to a
//! monitor to poll. The catalogue holds medications
//! `MED-SBX-001` to `MED-SBX-006` and the non-medication products
//! `LAB-SBX-001`, `IMG-SBX-001` and `PROC-SBX-001`; `MED-SBX-001`,
//! `MED-SBX-002`, `LAB-SBX-001` and `PROC-SBX-001` start out registered as
//! provider products. The seeded doctor is [`SEED_DOCTOR_LICENSE`]; the
//! seeded ePrescription patient is [`SEED_PATIENT_ID`].
//!
//! Every other beneficiary's `status` is `ENABLED`. The one-time code the
//! sandbox accepts is **`123456`** (see [`SandboxConfig::otp_code`]); it
//! sends no SMS, so a test reads it from there. The webhook signing secret
//! is [`SandboxConfig::webhook_secret_value`].
//!
//! # Conventions the reference leaves open
//!
//! * An OTP verification token travels in the body of the protected call as
//!   `"external_verifications": [{"type": "OTP", "value": "<token>"}]`.
//!   Completing a dispensation or a pre-authorization request for a sponsor
//!   that requires OTP without one answers 422 with the
//!   `{code, message, errors[]}` envelope.
//! * `startDispensation` takes the code to redeem either as
//!   an extra `code` field (the guide's shape) or through `products[].id`,
//!   which may name an authorization code, an authorization product line id,
//!   a prescription code or a prescription product line id.
//! * Webhook subscriptions are answered with an extra `id` and `secret`;
//!   deliveries carry `X-Osigu-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
//!   "<t>.<body>">`, made by the SDK's own `osigu::webhooks::sign`.
//! * A few answers carry fields beside their generated type, flattened in:
//!   a beneficiary its `coverage` (`active`, `plan_code`,
//!   `effective_until`), a pre-authorization request its `status`,
//!   `products` and `indications`, a completed dispensation its `claim_id`.
//!   `createAuthorization` also reads `external_verifications`, and
//!   `createOutpatientCareClaim` an `authorization_id` and `line_items`.
//! * A body that does not match its generated type is answered 422 with
//!   `additional_information.field` naming the field (never the value).

#![warn(missing_docs)]

mod clock;
mod config;
mod counters;
mod faults;
mod input;
mod reply;
mod routes;
mod server;
mod state;
mod store;
mod typed;
mod webhooks;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

pub use config::{RateLimit, SandboxConfig};
pub use counters::Counters;
pub use faults::{Fault, Faults};
/// The header a webhook delivery carries its signature in.
pub use osigu::webhooks::SIGNATURE_HEADER;

/// Licence number of the seeded doctor, accepted wherever a request names
/// `doctor_medical_license_number`.
pub const SEED_DOCTOR_LICENSE: &str = "GT-MED-4521";

/// `patient_id` of the ePrescription patient the sandbox starts with.
pub const SEED_PATIENT_ID: &str = "pat_000001";

/// A running sandbox server.
///
/// It listens on `127.0.0.1` until the value is dropped; dropping it also
/// stops pending sponsor decisions and webhook deliveries.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use osigu_sandbox::{Sandbox, SandboxConfig};
/// let sb = Sandbox::start_with(SandboxConfig::default().credentials("my-id", "my-secret")).await?;
/// assert_eq!(sb.client_id(), "my-id");
/// assert_eq!(sb.client_secret(), "my-secret");
/// # Ok(()) }
/// ```
pub struct Sandbox {
    app: Arc<state::App>,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl Sandbox {
    /// Starts a sandbox with the default [`SandboxConfig`] on a free port.
    ///
    /// Must be called inside a Tokio runtime with the time and I/O drivers
    /// enabled.
    pub async fn start() -> io::Result<Self> {
        Self::start_with(SandboxConfig::default()).await
    }

    /// Starts a sandbox with the given settings.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// use osigu_sandbox::{RateLimit, Sandbox, SandboxConfig};
    /// let config = SandboxConfig::default()
    ///     .rate_limit(Some(RateLimit::per_minute(5)))
    ///     .token_rate_limit(None)
    ///     .async_sponsor_delay(Duration::from_millis(50));
    /// let sb = Sandbox::start_with(config).await?;
    /// assert_eq!(sb.config().async_sponsor_delay_value(), Duration::from_millis(50));
    /// # Ok(()) }
    /// ```
    pub async fn start_with(config: SandboxConfig) -> io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port_value())).await?;
        let addr = listener.local_addr()?;
        let app = Arc::new(state::App::new(config, format!("http://{addr}")));
        let server = tokio::spawn(server::serve(listener, app.clone()));
        Ok(Self { app, addr, server })
    }

    /// The base URL to give a client, `http://127.0.0.1:<port>`, without a
    /// trailing slash.
    pub fn base_url(&self) -> &str {
        &self.app.base_url
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The client id the token endpoint accepts.
    pub fn client_id(&self) -> &str {
        self.app.config.client_id_value()
    }

    /// The client secret the token endpoint accepts.
    pub fn client_secret(&self) -> &str {
        self.app.config.client_secret_value()
    }

    /// The settings this sandbox runs with.
    pub fn config(&self) -> &SandboxConfig {
        &self.app.config
    }

    /// Issues a bearer token for the configured client directly, without a
    /// call to the token endpoint (so it counts against no limit).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let sb = osigu_sandbox::Sandbox::start().await?;
    /// let token = sb.mint_token();
    /// assert_eq!(token.len(), 64);
    /// # Ok(()) }
    /// ```
    pub fn mint_token(&self) -> String {
        self.app.mint_token()
    }

    /// A snapshot of the request counters.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let sb = osigu_sandbox::Sandbox::start().await?;
    /// let counters = sb.counters();
    /// assert_eq!(counters.token_requests, 0);
    /// assert_eq!(counters.requests_to("GET /v1/sponsors"), 0);
    /// # Ok(()) }
    /// ```
    pub fn counters(&self) -> Counters {
        self.app.counters.lock().expect("counters lock").clone()
    }

    /// Sets every counter back to zero.
    pub fn reset_counters(&self) {
        *self.app.counters.lock().expect("counters lock") = Counters::default();
    }

    /// The fault-injection switchboard for this sandbox.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use osigu_sandbox::Fault;
    /// let sb = osigu_sandbox::Sandbox::start().await?;
    /// sb.faults().set("GET /v1/sponsors", Fault::new().error_rate(1.0, 503));
    /// sb.faults().clear_all();
    /// # Ok(()) }
    /// ```
    pub fn faults(&self) -> Faults {
        Faults::new(self.app.faults.clone())
    }

    /// Every webhook event the sandbox has emitted so far, as the JSON
    /// envelopes it delivers (whether or not any subscription matched).
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.app.events.lock().expect("events lock").clone()
    }

    /// A client of this sandbox: an [`osigu::Osigu`] on
    /// [`Environment::Custom`](osigu::Environment::Custom) with the base URL
    /// and the credentials the sandbox accepts, and the SDK's default
    /// retries and rate limits.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = osigu_sandbox::Sandbox::start().await?;
    /// let osigu = sandbox.client()?;
    /// assert_eq!(osigu.base_url(), sandbox.base_url());
    /// # Ok(()) }
    /// ```
    pub fn client(&self) -> Result<osigu::Osigu, osigu::Error> {
        self.client_builder().build()
    }

    /// An [`osigu::OsiguBuilder`] already set to this sandbox's base URL and
    /// credentials, for a test that also wants its own retry policy or
    /// rate limits.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = osigu_sandbox::Sandbox::start().await?;
    /// let osigu = sandbox
    ///     .client_builder()
    ///     .retry(osigu::RetryPolicy::none())
    ///     .build()?;
    /// # let _ = osigu;
    /// # Ok(()) }
    /// ```
    pub fn client_builder(&self) -> osigu::OsiguBuilder {
        osigu::Osigu::builder()
            .environment(osigu::Environment::Custom(self.app.base_url.clone()))
            .credentials(self.client_id(), self.client_secret())
    }

    /// The routes the sandbox serves, as `"METHOD /path/{template}"` keys:
    /// every operation of [`osigu::operations::ALL`] it has a handler for,
    /// then the token endpoint and the beneficiary-lookup monitor.
    ///
    /// ```
    /// let routes = osigu_sandbox::Sandbox::served_routes();
    /// assert!(routes.iter().any(|r| r == "POST /v1/oauth/token"));
    /// assert!(routes.iter().any(|r| r == "GET /arc/v1/authorizations/{id}"));
    /// ```
    pub fn served_routes() -> Vec<String> {
        routes::served_routes()
    }

    /// The routes served beyond the operation table (the token endpoint
    /// and the beneficiary-lookup monitor), as `"METHOD /path"` keys.
    pub fn extra_routes() -> Vec<String> {
        routes::extra_routes()
    }

    /// The operationIds of [`osigu::operations::ALL`] the sandbox has no
    /// handler for, computed from the table; empty when it serves them all.
    ///
    /// ```
    /// assert_eq!(osigu_sandbox::Sandbox::unserved_operations(), Vec::<&str>::new());
    /// ```
    pub fn unserved_operations() -> Vec<&'static str> {
        routes::unserved_operations()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.server.abort();
        self.app.shutdown();
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url())
            .field("client_id", &self.client_id())
            .finish_non_exhaustive()
    }
}

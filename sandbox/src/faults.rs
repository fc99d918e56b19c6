//! Fault injection: [`Fault`] and the [`Faults`] handle.

use std::sync::Arc;
use std::time::Duration;

use crate::server::App;

/// What to do to requests for one route.
///
/// Latency applies first; then the connection is dropped with probability
/// `drop_rate`; otherwise the request fails with probability `error_rate`,
/// answering `error_status` with an Osigu error envelope (and, for 429, a
/// `Retry-After: 1`).
///
/// ```
/// use std::time::Duration;
/// use osigu_sandbox::Fault;
/// let fault = Fault::new().error_rate(0.5, 503).latency(Duration::from_millis(20));
/// assert_eq!(fault.error_status_value(), 503);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    error_rate: f64,
    error_status: u16,
    latency: Duration,
    drop_rate: f64,
}

impl Default for Fault {
    fn default() -> Self {
        Self::new()
    }
}

impl Fault {
    /// A fault that does nothing yet.
    pub fn new() -> Self {
        Self {
            error_rate: 0.0,
            error_status: 500,
            latency: Duration::ZERO,
            drop_rate: 0.0,
        }
    }

    /// Fails this share of requests (0.0 to 1.0) with `status`.
    pub fn error_rate(mut self, rate: f64, status: u16) -> Self {
        self.error_rate = rate.clamp(0.0, 1.0);
        self.error_status = status;
        self
    }

    /// Delays every request by `latency` before anything else happens.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Closes the connection without an answer for this share of requests
    /// (0.0 to 1.0).
    pub fn drop_rate(mut self, rate: f64) -> Self {
        self.drop_rate = rate.clamp(0.0, 1.0);
        self
    }

    /// See [`error_rate`](Self::error_rate).
    pub fn error_rate_value(&self) -> f64 {
        self.error_rate
    }

    /// See [`error_rate`](Self::error_rate).
    pub fn error_status_value(&self) -> u16 {
        self.error_status
    }

    /// See [`latency`](Self::latency).
    pub fn latency_value(&self) -> Duration {
        self.latency
    }

    /// See [`drop_rate`](Self::drop_rate).
    pub fn drop_rate_value(&self) -> f64 {
        self.drop_rate
    }

    pub(crate) fn roll(rate: f64) -> bool {
        rate >= 1.0 || (rate > 0.0 && fastrand::f64() < rate)
    }
}

/// Sets and clears per-route faults; from
/// [`Sandbox::faults`](crate::Sandbox::faults).
///
/// Routes are named as in [`Counters`](crate::Counters):
/// `"METHOD /path/{template}"`, or `"*"` for every route. A route's own
/// fault wins over `"*"`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use osigu_sandbox::{Fault, Sandbox};
/// let sb = Sandbox::start().await?;
/// sb.faults().set("*", Fault::new().drop_rate(0.1));
/// sb.faults().set("POST /otp/validate", Fault::new().error_rate(1.0, 502));
/// assert_eq!(sb.faults().get("POST /otp/validate").unwrap().error_status_value(), 502);
/// sb.faults().clear("POST /otp/validate");
/// assert!(sb.faults().get("POST /otp/validate").is_none());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Faults {
    app: Arc<App>,
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.app.faults.lock().expect("faults lock").iter())
            .finish()
    }
}

impl Faults {
    pub(crate) fn new(app: Arc<App>) -> Self {
        Self { app }
    }

    /// Installs `fault` for `route`, replacing any earlier one.
    pub fn set(&self, route: &str, fault: Fault) {
        self.app
            .faults
            .lock()
            .expect("faults lock")
            .insert(route.to_owned(), fault);
    }

    /// The fault installed for exactly `route`, if any.
    pub fn get(&self, route: &str) -> Option<Fault> {
        self.app
            .faults
            .lock()
            .expect("faults lock")
            .get(route)
            .cloned()
    }

    /// Removes the fault for `route`.
    pub fn clear(&self, route: &str) {
        self.app.faults.lock().expect("faults lock").remove(route);
    }

    /// Removes every fault.
    pub fn clear_all(&self) {
        self.app.faults.lock().expect("faults lock").clear();
    }
}

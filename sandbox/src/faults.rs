//! Fault injection: [`Fault`] and the [`Faults`] handle.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do to requests for one route.
///
/// Before the request is handled: latency applies first; then every
/// [`every`](Self::every)-th request fails; then the connection is dropped
/// with probability `drop_rate`; otherwise the request fails with
/// probability `error_rate`, answering `error_status` with an Osigu error
/// envelope (and, for 429, a `Retry-After: 1`). None of these reach the
/// handler, so nothing is applied.
///
/// After the request is handled and its change applied (a 2xx): the connection is
/// dropped before the answer with probability
/// [`drop_after_apply`](Self::drop_after_apply), or the answer is replaced
/// by an error status with probability
/// [`error_after_apply`](Self::error_after_apply). These are the faults
/// that leave a client unsure whether its write happened.
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
    every: Vec<(u64, u16)>,
    drop_after_apply: f64,
    error_after_apply: f64,
    error_after_status: u16,
}

/// Getters reading a field back, each documented as "See [`setter`]".
macro_rules! getters {
    ($($getter:ident: $ty:ty = $field:ident, see $setter:ident;)*) => {$(
        #[doc = concat!("See [`", stringify!($setter), "`](Self::", stringify!($setter), ").")]
        pub fn $getter(&self) -> $ty {
            self.$field
        }
    )*};
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
            every: Vec::new(),
            drop_after_apply: 0.0,
            error_after_apply: 0.0,
            error_after_status: 500,
        }
    }

    /// Fails every `n`-th request this fault sees (the `n`-th, `2n`-th…)
    /// with `status`, before it is handled. Several can be set; where two
    /// fall on the same request, the first set wins. On `"*"` it counts
    /// API requests only, not token requests.
    ///
    /// ```
    /// let fault = osigu_sandbox::Fault::new().every(4, 503).every(6, 429);
    /// assert_eq!(fault.every_value(), [(4, 503), (6, 429)]);
    /// ```
    pub fn every(mut self, n: u64, status: u16) -> Self {
        if n > 0 {
            self.every.push((n, status));
        }
        self
    }

    /// Handles this share of requests (0.0 to 1.0), applying their change,
    /// and then closes the connection without the answer.
    pub fn drop_after_apply(mut self, rate: f64) -> Self {
        self.drop_after_apply = rate.clamp(0.0, 1.0);
        self
    }

    /// Handles this share of requests (0.0 to 1.0), applying their change,
    /// and then answers `status` instead of the real answer.
    pub fn error_after_apply(mut self, rate: f64, status: u16) -> Self {
        self.error_after_apply = rate.clamp(0.0, 1.0);
        self.error_after_status = status;
        self
    }

    /// See [`every`](Self::every).
    pub fn every_value(&self) -> &[(u64, u16)] {
        &self.every
    }

    /// See [`error_after_apply`](Self::error_after_apply).
    pub fn error_after_apply_value(&self) -> (f64, u16) {
        (self.error_after_apply, self.error_after_status)
    }

    /// The status the `seen`-th request (counting from 1) fails with, by
    /// [`every`](Self::every).
    pub(crate) fn nth(&self, seen: u64) -> Option<u16> {
        self.every
            .iter()
            .find(|(n, _)| seen.is_multiple_of(*n))
            .map(|(_, status)| *status)
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

    getters! {
        drop_after_apply_value: f64 = drop_after_apply, see drop_after_apply;
        error_rate_value: f64 = error_rate, see error_rate;
        error_status_value: u16 = error_status, see error_rate;
        latency_value: Duration = latency, see latency;
        drop_rate_value: f64 = drop_rate, see drop_rate;
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
    installed: Arc<Installed>,
}

/// The faults installed per route, and how many requests each has seen
/// (for [`Fault::every`]).
#[derive(Default)]
pub(crate) struct Installed {
    by_route: Mutex<HashMap<String, Fault>>,
    hits: Mutex<HashMap<String, u64>>,
}

impl Installed {
    /// The fault for a request to `route`, with the key it is installed
    /// under: the route's own, else `"*"` (whose counted faults are about
    /// API requests, not token requests).
    pub(crate) fn matching(&self, route: &str, is_token: bool) -> Option<(String, Fault)> {
        let faults = self.by_route.lock().expect("faults lock");
        if let Some(fault) = faults.get(route) {
            return Some((route.to_owned(), fault.clone()));
        }
        let any = faults.get("*").filter(|f| !is_token || f.every.is_empty());
        any.map(|f| ("*".to_owned(), f.clone()))
    }

    /// Counts a request the fault installed under `key` sees; returns how
    /// many it has seen.
    pub(crate) fn hit(&self, key: &str) -> u64 {
        let mut hits = self.hits.lock().expect("fault hits lock");
        let seen = hits.entry(key.to_owned()).or_default();
        *seen += 1;
        *seen
    }

    fn by_route(&self) -> std::sync::MutexGuard<'_, HashMap<String, Fault>> {
        self.by_route.lock().expect("faults lock")
    }
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.installed.by_route().iter())
            .finish()
    }
}

impl Faults {
    pub(crate) fn new(installed: Arc<Installed>) -> Self {
        Self { installed }
    }

    /// Installs `fault` for `route`, replacing any earlier one.
    pub fn set(&self, route: &str, fault: Fault) {
        self.installed.by_route().insert(route.to_owned(), fault);
    }

    /// The fault installed for exactly `route`, if any.
    pub fn get(&self, route: &str) -> Option<Fault> {
        self.installed.by_route().get(route).cloned()
    }

    /// Removes the fault for `route`.
    pub fn clear(&self, route: &str) {
        self.installed.by_route().remove(route);
    }

    /// Removes every fault.
    pub fn clear_all(&self) {
        self.installed.by_route().clear();
    }
}

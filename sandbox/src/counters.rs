//! [`Counters`]: what the sandbox has been asked and what it answered.

use std::collections::BTreeMap;

/// A snapshot of the sandbox's request counters, from
/// [`Sandbox::counters`](crate::Sandbox::counters).
///
/// Routes are keyed `"METHOD /path/{template}"`, in the path spelling of
/// `openapi.json`, e.g. `"GET /arc/v1/authorizations/{id}"`; requests that
/// matched no route are counted under `"METHOD <unmatched>"`.
///
/// ```
/// let counters = osigu_sandbox::Counters::default();
/// assert_eq!(counters.total_requests(), 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Calls to `POST /v1/oauth/token`, whatever their outcome.
    pub token_requests: u64,
    /// Responses with status 429 (API and token endpoint alike).
    pub rate_limited: u64,
    /// Requests per route, including the token endpoint.
    pub requests: BTreeMap<String, u64>,
    /// Webhook deliveries the receiver acknowledged with a 2xx.
    pub webhook_deliveries: u64,
    /// Webhook deliveries that failed (transport error or non-2xx).
    pub webhook_failures: u64,
    /// Requests per route whose handler succeeded (2xx): what was applied,
    /// whether or not the client got the answer.
    pub applied: BTreeMap<String, u64>,
    /// Answers a fault withheld or replaced after the request was applied
    /// (`Fault::drop_after_apply`, `Fault::error_after_apply`).
    pub lost_replies: u64,
}

impl Counters {
    /// Requests seen for one route key, e.g. `"POST /otp/generate"`.
    pub fn requests_to(&self, route: &str) -> u64 {
        self.requests.get(route).copied().unwrap_or(0)
    }

    /// Requests to one route key that were applied (their handler
    /// answered 2xx).
    pub fn applied_to(&self, route: &str) -> u64 {
        self.applied.get(route).copied().unwrap_or(0)
    }

    /// Requests seen across all routes.
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }
}

//! When a failed call is tried again, and how long to wait first.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method, StatusCode};

/// How failed calls are retried.
///
/// The exact policy:
/// - **429 Too Many Requests** is retried for every method, after the
///   `Retry-After` the server sent (seconds or an HTTP date), or the backoff
///   if it sent none: the server refused the request before doing anything.
/// - **Connection failures** (nothing was sent) are retried for every method.
/// - **500, 502, 503, 504 and timeouts** are retried only for GET, HEAD,
///   PUT, DELETE and OPTIONS. A POST or PATCH (create, complete, void,
///   register…) may already have been applied by the server, so it is never
///   sent again after one of these; the caller gets the error and decides.
/// - **401** gets one token refresh and one retry (see [`Osigu`](crate::Osigu)),
///   outside this budget.
/// - Other answers are final.
///
/// A retry waits an exponential backoff with full jitter, between
/// `initial_backoff` and `max_backoff`. No retry starts once `max_attempts`
/// requests were made or when its wait would end after `max_elapsed` from
/// the first attempt.
///
/// ```
/// use std::time::Duration;
/// let policy = osigu::RetryPolicy { max_attempts: 5, ..Default::default() };
/// assert_eq!(policy.max_elapsed, Duration::from_secs(30));
/// assert_eq!(osigu::RetryPolicy::none().max_attempts, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests made at most, the first included (1 means no retries).
    pub max_attempts: u32,
    /// No retry may start later than this after the first attempt.
    pub max_elapsed: Duration,
    /// The first backoff's upper bound.
    pub initial_backoff: Duration,
    /// No backoff exceeds this.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            max_elapsed: Duration::from_secs(30),
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub const fn none() -> Self {
        Self {
            max_attempts: 1,
            max_elapsed: Duration::ZERO,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
        }
    }

    /// The wait before attempt `attempt + 1`: a random duration up to
    /// `initial_backoff · 2^(attempt-1)`, capped at `max_backoff`.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// What went wrong with one attempt, as far as retrying is concerned.
pub(crate) enum Failure {
    /// An answer with this status.
    Status(StatusCode),
    /// No connection was made, so nothing reached the server.
    Connect,
    /// The request may have reached the server: a timeout or a broken
    /// connection.
    MaybeSent,
}

/// Whether `failure` of a `method` request may be retried at all.
pub(crate) fn retryable(method: &Method, failure: &Failure) -> bool {
    let idempotent = matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    );
    match failure {
        Failure::Status(StatusCode::TOO_MANY_REQUESTS) | Failure::Connect => true,
        Failure::Status(s) => {
            idempotent
                && matches!(
                    *s,
                    StatusCode::INTERNAL_SERVER_ERROR
                        | StatusCode::BAD_GATEWAY
                        | StatusCode::SERVICE_UNAVAILABLE
                        | StatusCode::GATEWAY_TIMEOUT
                )
        }
        Failure::MaybeSent => idempotent,
    }
}

/// `Retry-After` as a wait from now: delta-seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate_parse(value)?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the only form RFC 9110
/// requires senders to use.
fn httpdate_parse(value: &str) -> Option<SystemTime> {
    let parsed = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let seconds = u64::try_from(parsed.timestamp()).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_are_not_resent_after_they_may_have_arrived() {
        assert!(!retryable(&Method::POST, &Failure::MaybeSent));
        assert!(!retryable(
            &Method::POST,
            &Failure::Status(StatusCode::SERVICE_UNAVAILABLE)
        ));
        assert!(retryable(&Method::POST, &Failure::Connect));
        assert!(retryable(
            &Method::POST,
            &Failure::Status(StatusCode::TOO_MANY_REQUESTS)
        ));
        assert!(retryable(&Method::GET, &Failure::MaybeSent));
        assert!(retryable(
            &Method::GET,
            &Failure::Status(StatusCode::BAD_GATEWAY)
        ));
        assert!(!retryable(
            &Method::GET,
            &Failure::Status(StatusCode::NOT_IMPLEMENTED)
        ));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(
            http::header::RETRY_AFTER,
            "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn backoff_stays_under_its_ceiling() {
        let policy = RetryPolicy::default();
        for attempt in 1..30 {
            assert!(policy.backoff(attempt) <= policy.max_backoff);
        }
        assert!(policy.backoff(1) <= policy.initial_backoff);
    }
}

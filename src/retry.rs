//! When a failed attempt is tried again: the decision is one pure
//! function, [`decide`], of what happened and what the operation's
//! [`WriteClass`] allows. The engine only carries it out.

use std::time::{Duration, SystemTime};

use http::HeaderMap;

use crate::operations::WriteClass;

/// How failed calls are retried.
///
/// What is retried depends on the operation's
/// [`WriteClass`](crate::operations::WriteClass) (see
/// [`operations`](crate::operations)):
/// - **429** is retried for every class after the server's `Retry-After`
///   (seconds or an HTTP date), or the backoff if it sent none: the server
///   refused the request before doing anything.
/// - **500, 502, 503 and 504** are retried for every class with backoff:
///   Osigu documents them as safe to retry.
/// - **A connection that could not be made** is retried for every class:
///   nothing was sent.
/// - **A timeout or a lost reply** (the request may have been applied) is
///   retried for reads, idempotent writes and state transitions; a create
///   is never sent again and fails with
///   [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown).
/// - **409 after such a retry** is reconciled for a transition (the
///   resource is read; if it is in the target state the call succeeds) and
///   is [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown) for a create.
/// - **401** gets one new token and one more try, outside this budget.
/// - Everything else is final.
///
/// A retry waits an exponential backoff with full jitter, between
/// `initial_backoff` and `max_backoff` (or the server's `Retry-After`, if
/// longer). No retry starts once `max_attempts` requests were made, or
/// when its wait would end after `max_elapsed` from the first attempt.
///
/// ```
/// use std::time::Duration;
/// let policy = osigu::RetryPolicy { max_attempts: 5, ..Default::default() };
/// assert_eq!(policy.max_elapsed, Duration::from_secs(30));
/// assert_eq!(osigu::RetryPolicy::none().max_attempts, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests made at most, the first included (1 means no retries; at
    /// most [`RetryPolicy::MAX_ATTEMPTS`]).
    pub max_attempts: u32,
    /// No retry may start later than this after the first attempt (at most
    /// [`RetryPolicy::MAX_DURATION`]).
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
    /// The most attempts a policy may allow.
    pub const MAX_ATTEMPTS: u32 = 100;
    /// The longest duration any field may hold: one day.
    pub const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

    /// Never retry.
    pub const fn none() -> Self {
        Self {
            max_attempts: 1,
            max_elapsed: Duration::ZERO,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
        }
    }

    /// The setting at fault, if any field is out of range.
    pub(crate) fn invalid(&self) -> Option<(&'static str, String)> {
        if self.max_attempts == 0 || self.max_attempts > Self::MAX_ATTEMPTS {
            return Some((
                "retry.max_attempts",
                format!("must be between 1 and {}", Self::MAX_ATTEMPTS),
            ));
        }
        for (setting, value) in [
            ("retry.max_elapsed", self.max_elapsed),
            ("retry.initial_backoff", self.initial_backoff),
            ("retry.max_backoff", self.max_backoff),
        ] {
            if value > Self::MAX_DURATION {
                return Some((setting, "must be at most one day".to_owned()));
            }
        }
        None
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

/// What one attempt came to, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A 2xx (or 1xx/3xx) answer. The engine returns these at once
    /// without asking; the variant keeps the decision table whole, and its
    /// tests pin that every class is `Done` with it.
    #[cfg_attr(not(test), allow(dead_code))]
    Success,
    /// An error status, with the `Retry-After` the server sent, if any, and
    /// whether its error code means "already done".
    Status {
        status: u16,
        retry_after: Option<Duration>,
        already: bool,
    },
    /// No connection was made: nothing reached the server.
    Connect,
    /// A timeout or a connection lost before the answer: the request may
    /// have been applied.
    MaybeSent,
    /// No token could be had, so nothing was sent. `retryable` says whether
    /// waiting may help; `hint` how long the token endpoint asked to wait.
    NoToken {
        retryable: bool,
        hint: Option<Duration>,
    },
}

/// Where a call stands when an attempt ends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt {
    pub class: WriteClass,
    pub outcome: Outcome,
    /// Requests made so far, this one included.
    pub number: u32,
    /// Since the first attempt started.
    pub elapsed: Duration,
    /// Whether the request can be sent again (a streamed body cannot).
    pub replayable: bool,
    /// Whether an earlier attempt may have been applied (it timed out,
    /// lost its reply or got a 5xx), so a refusal now may be our own doing.
    pub maybe_applied: bool,
    /// Whether this call already fetched a new token after a 401.
    pub refreshed: bool,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Hand the answer to the caller (success or a final error answer).
    Done,
    /// Send again after `wait`.
    Retry { wait: Duration },
    /// Discard the token, fetch a new one and send again at once; this
    /// retry is outside the budget.
    Refresh,
    /// A repeat of a transition was refused: read the resource to see
    /// whether our earlier attempt applied it.
    Reconcile,
    /// A create may or may not have been applied, and must not be sent
    /// again: the caller has to find out.
    OutcomeUnknown,
    /// Give up with the failure as it is.
    Fail,
}

fn is_transient(status: u16) -> bool {
    matches!(status, 500 | 502 | 503 | 504)
}

/// The retry decision. Pure: the same situation always gets the same
/// answer, and every rule of [`RetryPolicy`] is here.
pub(crate) fn decide(attempt: &Attempt, policy: &RetryPolicy) -> Decision {
    let within_budget = |wait: Duration| {
        attempt.number < policy.max_attempts
            && attempt.elapsed.saturating_add(wait) <= policy.max_elapsed
    };
    let retry = |wait: Duration| {
        if within_budget(wait) {
            Decision::Retry { wait }
        } else {
            Decision::Fail
        }
    };
    let backoff = policy.backoff(attempt.number);
    match attempt.outcome {
        Outcome::Success => Decision::Done,
        Outcome::NoToken { retryable, hint } => {
            if retryable {
                retry(hint.unwrap_or_default().max(backoff))
            } else {
                Decision::Fail
            }
        }
        Outcome::Connect if attempt.replayable => retry(backoff),
        Outcome::Connect => Decision::Fail,
        Outcome::MaybeSent => match attempt.class {
            WriteClass::Create => Decision::OutcomeUnknown,
            _ if attempt.replayable && within_budget(backoff) => Decision::Retry { wait: backoff },
            WriteClass::Transition => Decision::OutcomeUnknown,
            _ => Decision::Fail,
        },
        Outcome::Status { status: 401, .. } if !attempt.refreshed && attempt.replayable => {
            Decision::Refresh
        }
        Outcome::Status {
            status: 429,
            retry_after,
            ..
        } if attempt.replayable => retry(retry_after.unwrap_or(backoff)),
        Outcome::Status { status, .. } if is_transient(status) && attempt.replayable => {
            retry(backoff)
        }
        Outcome::Status {
            status, already, ..
        } if (status == 409 || already) && attempt.maybe_applied => match attempt.class {
            WriteClass::Transition => Decision::Reconcile,
            WriteClass::Create => Decision::OutcomeUnknown,
            _ => Decision::Done,
        },
        Outcome::Status { .. } => Decision::Done,
    }
}

/// The longest `Retry-After` honoured: an hour. A longer one is read as an
/// hour, which no default budget waits for, so the call fails at once.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

/// `Retry-After` as a wait from now, delta-seconds or an HTTP date, at
/// most [`MAX_RETRY_AFTER`].
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let wait = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else {
        let at = httpdate_parse(value)?;
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the only form RFC 9110
/// requires senders to use.
fn httpdate_parse(value: &str) -> Option<SystemTime> {
    let parsed = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let seconds = u64::try_from(parsed.timestamp()).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use WriteClass::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            max_elapsed: Duration::from_secs(30),
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
        }
    }

    fn attempt(class: WriteClass, outcome: Outcome) -> Attempt {
        Attempt {
            class,
            outcome,
            number: 1,
            elapsed: Duration::ZERO,
            replayable: true,
            maybe_applied: false,
            refreshed: false,
        }
    }

    fn status(status: u16) -> Outcome {
        Outcome::Status {
            status,
            retry_after: None,
            already: false,
        }
    }

    const RETRY: Decision = Decision::Retry {
        wait: Duration::ZERO,
    };

    #[test]
    fn the_decision_table() {
        use Decision::*;
        let mut cases: Vec<(Attempt, Decision)> = Vec::new();
        for class in [Read, Idempotent, Transition, Create] {
            cases.push((attempt(class, Outcome::Success), Done));
            cases.push((attempt(class, status(503)), RETRY));
            cases.push((attempt(class, status(500)), RETRY));
            cases.push((attempt(class, status(501)), Done));
            cases.push((attempt(class, status(429)), RETRY));
            cases.push((attempt(class, status(404)), Done));
            cases.push((attempt(class, status(401)), Refresh));
            cases.push((attempt(class, Outcome::Connect), RETRY));
            // A genuine conflict on a first attempt is the caller's.
            cases.push((attempt(class, status(409)), Done));
        }
        for class in [Read, Idempotent, Transition] {
            cases.push((attempt(class, Outcome::MaybeSent), RETRY));
        }
        cases.push((attempt(Create, Outcome::MaybeSent), OutcomeUnknown));
        let repeat = |class, outcome| Attempt {
            maybe_applied: true,
            number: 2,
            ..attempt(class, outcome)
        };
        cases.push((repeat(Transition, status(409)), Reconcile));
        cases.push((
            repeat(
                Transition,
                Outcome::Status {
                    status: 422,
                    retry_after: None,
                    already: true,
                },
            ),
            Reconcile,
        ));
        cases.push((repeat(Create, status(409)), OutcomeUnknown));
        cases.push((repeat(Idempotent, status(409)), Done));
        cases.push((repeat(Read, status(409)), Done));
        // A streamed body is sent once.
        let once = |class, outcome| Attempt {
            replayable: false,
            ..attempt(class, outcome)
        };
        cases.push((once(Create, status(503)), Done));
        cases.push((once(Create, status(401)), Done));
        cases.push((once(Transition, Outcome::MaybeSent), OutcomeUnknown));
        cases.push((once(Read, Outcome::MaybeSent), Fail));
        cases.push((once(Create, Outcome::Connect), Fail));
        // A second 401 is final.
        cases.push((
            Attempt {
                refreshed: true,
                ..attempt(Read, status(401))
            },
            Done,
        ));
        // The budget: attempts, then elapsed time.
        let spent = |outcome| Attempt {
            number: 3,
            ..attempt(Transition, outcome)
        };
        cases.push((spent(status(503)), Fail));
        cases.push((spent(Outcome::MaybeSent), OutcomeUnknown));
        cases.push((
            Attempt {
                number: 3,
                ..attempt(Read, Outcome::MaybeSent)
            },
            Fail,
        ));
        let late = Attempt {
            elapsed: Duration::from_secs(29),
            ..attempt(
                Read,
                Outcome::Status {
                    status: 429,
                    retry_after: Some(Duration::from_secs(2)),
                    already: false,
                },
            )
        };
        cases.push((late, Fail));
        // No token: wait for what the token endpoint asked, if it may help.
        let hint = Duration::from_secs(2);
        cases.push((
            attempt(
                Create,
                Outcome::NoToken {
                    retryable: true,
                    hint: Some(hint),
                },
            ),
            Retry { wait: hint },
        ));
        cases.push((
            attempt(
                Read,
                Outcome::NoToken {
                    retryable: false,
                    hint: None,
                },
            ),
            Fail,
        ));
        for (case, expected) in cases {
            assert_eq!(decide(&case, &policy()), expected, "{case:?}");
        }
    }

    #[test]
    fn extreme_durations_never_overflow() {
        let huge = Attempt {
            elapsed: Duration::MAX,
            ..attempt(
                Read,
                Outcome::Status {
                    status: 429,
                    retry_after: Some(Duration::MAX),
                    already: false,
                },
            )
        };
        assert_eq!(decide(&huge, &policy()), Decision::Fail);
        let generous = RetryPolicy {
            max_elapsed: Duration::MAX,
            initial_backoff: Duration::MAX,
            max_backoff: Duration::MAX,
            ..policy()
        };
        assert!(generous.backoff(u32::MAX) <= Duration::MAX);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_clamps() {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(
            http::header::RETRY_AFTER,
            "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(
            http::header::RETRY_AFTER,
            "18446744073709551615".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(MAX_RETRY_AFTER));
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

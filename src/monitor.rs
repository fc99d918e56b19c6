//! Asynchronous jobs: a call answers 202 with a `Location` header and a
//! monitor, and the result comes from polling the monitor until it is done.

use std::time::Duration;

use tokio::time::Instant;

use crate::generated::builder;
use crate::{Client, Error, Osigu, types};

/// How a monitor is polled: waits grow from `first_wait` by `factor` up to
/// `max_wait`, and polling gives up at `deadline` after the start.
///
/// ```
/// let poll = osigu::Polling { deadline: std::time::Duration::from_secs(600), ..Default::default() };
/// assert_eq!(poll.first_wait, std::time::Duration::from_millis(500));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Polling {
    /// The wait before the first poll.
    pub first_wait: Duration,
    /// Each wait is the previous one times this.
    pub factor: f64,
    /// No wait is longer than this.
    pub max_wait: Duration,
    /// Give up this long after polling started.
    pub deadline: Duration,
}

impl Polling {
    /// The setting at fault, if polling could not run as set.
    fn invalid(&self) -> Option<(&'static str, &'static str)> {
        const DAY: Duration = Duration::from_secs(24 * 60 * 60);
        if !self.factor.is_finite() || !(1.0..=10.0).contains(&self.factor) {
            Some(("polling.factor", "must be a number from 1.0 to 10.0"))
        } else if self.first_wait.is_zero() || self.first_wait > DAY {
            Some((
                "polling.first_wait",
                "must be longer than zero and at most a day",
            ))
        } else if self.max_wait < self.first_wait || self.max_wait > DAY {
            Some((
                "polling.max_wait",
                "must be at least first_wait and at most a day",
            ))
        } else if self.deadline > DAY {
            Some(("polling.deadline", "must be at most a day"))
        } else {
            None
        }
    }

    /// The waits of a polling run starting now.
    pub(crate) fn schedule(&self) -> Schedule {
        Schedule {
            polling: *self,
            started: Instant::now(),
            wait: self.first_wait,
        }
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        match self.invalid() {
            Some((setting, reason)) => Err(Error::config(setting, reason)),
            None => Ok(()),
        }
    }
}

/// The waits of one polling run, from [`Polling::schedule`].
pub(crate) struct Schedule {
    polling: Polling,
    started: Instant,
    wait: Duration,
}

impl Schedule {
    /// Sleeps before the next poll and lengthens the following wait;
    /// `false`, without sleeping, when that poll would come after the
    /// deadline.
    pub(crate) async fn next(&mut self) -> bool {
        if self.started.elapsed().saturating_add(self.wait) > self.polling.deadline {
            return false;
        }
        tokio::time::sleep(self.wait).await;
        self.wait = self
            .wait
            .mul_f64(self.polling.factor)
            .min(self.polling.max_wait);
        true
    }
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            first_wait: Duration::from_millis(500),
            factor: 1.5,
            max_wait: Duration::from_secs(10),
            deadline: Duration::from_secs(120),
        }
    }
}

/// The monitor id in a `Location` such as
/// `https://api.osigu.com/arc/v1/outpatient-care-claim/monitors/8f3c…`.
fn monitor_id(location: &str) -> Option<&str> {
    let path = location.split(['?', '#']).next()?;
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|id| !id.is_empty())
}

impl builder::CompleteOutpatientCareClaim<'_> {
    /// Completes the outpatient-care claim and waits for Osigu to finish
    /// processing it, returning the final monitor (with the claim).
    ///
    /// Once Osigu accepted the completion (202), nothing here sends it
    /// again: if the job has not finished by the deadline, or a poll
    /// fails, the error is [`Error::JobNotFinished`] with the monitor to
    /// resume on with [`Osigu::wait_for_claim_monitor`].
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu, body: osigu::types::CompleteProviderOutpatientCareClaimRequest) -> Result<(), osigu::Error> {
    /// let done = osigu
    ///     .complete_outpatient_care_claim()
    ///     .id("clm_1")
    ///     .body(body)
    ///     .send_and_wait(osigu::Polling::default())
    ///     .await?;
    /// println!("claim {:?}", done.outpatient_care_claim_resource.and_then(|c| c.claim_id));
    /// # Ok(()) }
    /// ```
    pub async fn send_and_wait(
        self,
        polling: Polling,
    ) -> Result<types::OutpatientCareClaimMonitorResponse, Error> {
        polling.check()?;
        let client = self.sdk_client();
        let accepted = self.send().await?;
        let location = accepted
            .headers()
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let monitor = accepted.into_inner();
        let location = location.or_else(|| {
            monitor
                .monitor_resource
                .as_ref()
                .and_then(|m| m.location.clone())
        });
        match location {
            Some(location) => wait_for_claim_monitor(client, &location, polling).await,
            None => Err(Error::Decode {
                status: Some(202),
                request_id: None,
                reason: "the answer names no monitor (no Location header or monitor location)"
                    .into(),
            }),
        }
    }
}

impl Osigu {
    /// Polls the outpatient-care claim monitor at `location` (its URL or its
    /// id) until it is COMPLETED, ends in ERROR, or the deadline passes;
    /// the way to resume after [`Error::JobNotFinished`].
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu, body: osigu::types::CompleteProviderOutpatientCareClaimRequest) -> Result<(), osigu::Error> {
    /// let polling = osigu::Polling::default();
    /// let completing = osigu.complete_outpatient_care_claim().id("clm_1").body(body);
    /// let done = match completing.send_and_wait(polling).await {
    ///     Err(osigu::Error::JobNotFinished { monitor, .. }) => {
    ///         osigu.wait_for_claim_monitor(&monitor, polling).await?
    ///     }
    ///     other => other?,
    /// };
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_claim_monitor(
        &self,
        location: &str,
        polling: Polling,
    ) -> Result<types::OutpatientCareClaimMonitorResponse, Error> {
        polling.check()?;
        wait_for_claim_monitor(self.client(), location, polling).await
    }
}

async fn wait_for_claim_monitor(
    client: &Client,
    location: &str,
    polling: Polling,
) -> Result<types::OutpatientCareClaimMonitorResponse, Error> {
    let id = monitor_id(location)
        .ok_or_else(|| Error::invalid("the monitor location names no monitor id"))?;
    let not_finished = |last_error: Option<Error>| Error::JobNotFinished {
        monitor: location.to_owned(),
        last_error: last_error.map(Box::new),
    };
    let mut schedule = polling.schedule();
    loop {
        if !schedule.next().await {
            return Err(not_finished(None));
        }
        let monitor = match client
            .get_outpatient_care_claim_monitor()
            .monitor_id(id)
            .send()
            .await
        {
            Ok(monitor) => monitor.into_inner(),
            Err(error) => return Err(not_finished(Some(error))),
        };
        let status = monitor
            .monitor_resource
            .as_ref()
            .and_then(|m| m.status.clone());
        match status {
            Some(types::MonitorStatus::Completed) => return Ok(monitor),
            Some(types::MonitorStatus::Error) => {
                let resource = monitor.monitor_resource.unwrap_or_default();
                return Err(Error::JobFailed {
                    error_code: resource.error_code,
                    message: resource.error,
                });
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitor_ids_come_from_urls_or_bare_ids() {
        assert_eq!(
            monitor_id("https://x/arc/v1/outpatient-care-claim/monitors/abc-1?x=1"),
            Some("abc-1")
        );
        assert_eq!(monitor_id("abc-2"), Some("abc-2"));
        assert_eq!(monitor_id(""), None);
    }
}

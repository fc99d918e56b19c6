//! Asynchronous jobs: a call answers 202 with a `Location` header and a
//! monitor, and the result comes from polling the monitor until it is done.

use std::time::Duration;

use tokio::time::Instant;

use crate::error::Stage;
use crate::{Error, Osigu, types};

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

impl Osigu {
    /// Completes an outpatient-care claim and waits for Osigu to finish
    /// processing it, returning the final monitor (with the claim).
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu, body: osigu::types::CompleteProviderOutpatientCareClaimRequest) -> Result<(), osigu::Error> {
    /// let done = osigu.complete_outpatient_care_claim_and_wait("clm_1", body, osigu::Polling::default()).await?;
    /// println!("claim {:?}", done.outpatient_care_claim_resource.and_then(|c| c.claim_id));
    /// # Ok(()) }
    /// ```
    pub async fn complete_outpatient_care_claim_and_wait(
        &self,
        claim_id: &str,
        body: types::CompleteProviderOutpatientCareClaimRequest,
        polling: Polling,
    ) -> Result<types::OutpatientCareClaimMonitorResponse, Error> {
        let accepted = self
            .complete_outpatient_care_claim()
            .id(claim_id)
            .body(body)
            .send()
            .await?;
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
            Some(location) => self.wait_for_claim_monitor(&location, polling).await,
            None => Err(Error::Decode {
                status: Some(202),
                reason: "the answer names no monitor (no Location header or monitor location)"
                    .into(),
            }),
        }
    }

    /// Polls the outpatient-care claim monitor at `location` (its URL or its
    /// id) until it is COMPLETED, ends in ERROR, or the deadline passes.
    pub async fn wait_for_claim_monitor(
        &self,
        location: &str,
        polling: Polling,
    ) -> Result<types::OutpatientCareClaimMonitorResponse, Error> {
        let id = monitor_id(location).ok_or_else(|| Error::InvalidRequest {
            reason: format!("no monitor id in {location:?}"),
        })?;
        let started = Instant::now();
        let mut wait = polling.first_wait;
        loop {
            if started.elapsed() + wait > polling.deadline {
                return Err(Error::Timeout {
                    during: Stage::Monitor,
                });
            }
            tokio::time::sleep(wait).await;
            let monitor = self
                .get_outpatient_care_claim_monitor()
                .monitor_id(id)
                .send()
                .await?
                .into_inner();
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
            wait = wait.mul_f64(polling.factor).min(polling.max_wait);
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

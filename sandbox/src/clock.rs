//! Sandbox time: wall-clock timestamps derived from Tokio's clock, so a
//! paused or advanced test clock moves them too.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, Utc};
use tokio::time::Instant;

/// A point in sandbox time, as the generated types carry timestamps.
pub(crate) type Time = DateTime<Utc>;

#[derive(Debug)]
pub(crate) struct Clock {
    started: Instant,
    started_unix: Duration,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Self {
            started: Instant::now(),
            started_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default(),
        }
    }

    /// Seconds since the Unix epoch, as the sandbox sees it.
    pub(crate) fn unix(&self) -> u64 {
        (self.started_unix + self.started.elapsed()).as_secs()
    }

    /// Now, to the second.
    pub(crate) fn now(&self) -> Time {
        at(self.unix())
    }

    /// `days` from now.
    pub(crate) fn in_days(&self, days: u64) -> Time {
        at(self.unix() + days * 86_400)
    }

    /// The date `days` from today.
    pub(crate) fn date_in_days(&self, days: u64) -> NaiveDate {
        self.in_days(days).date_naive()
    }
}

/// Unix seconds as a timestamp (the epoch if out of range).
pub(crate) fn at(unix: u64) -> Time {
    DateTime::from_timestamp(i64::try_from(unix).unwrap_or_default(), 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_known_instants() {
        let text = |unix| super::at(unix).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        assert_eq!(text(0), "1970-01-01T00:00:00Z");
        assert_eq!(text(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(text(1_782_397_331), "2026-06-25T14:22:11Z");
    }
}

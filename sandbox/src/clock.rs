//! Sandbox time: wall-clock timestamps derived from Tokio's clock, so a
//! paused or advanced test clock moves them too.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

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

    /// Now, as an RFC 3339 UTC timestamp.
    pub(crate) fn now(&self) -> String {
        rfc3339(self.unix())
    }

    /// `days` from now, as an RFC 3339 UTC timestamp.
    pub(crate) fn in_days(&self, days: u64) -> String {
        rfc3339(self.unix() + days * 86_400)
    }

    /// Today's date plus `days`, as `YYYY-MM-DD`.
    pub(crate) fn date_in_days(&self, days: u64) -> String {
        rfc3339(self.unix() + days * 86_400)[..10].to_owned()
    }
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn rfc3339(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let rem = unix % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_known_instants() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339(1_782_397_331), "2026-06-25T14:22:11Z");
    }
}

//! Client-side pacing, so a bulk job waits its turn instead of collecting
//! 429s from Osigu.
//!
//! Each category keeps the send times of its last `limit` requests, and a
//! request may go only when it would be at most the `limit`-th in any window
//! of `per`. Send times are reserved in order (a caller that must wait holds
//! its slot), so concurrent callers neither stampede nor starve. Time is
//! tokio's, so tests run on a paused clock.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A request budget: at most `requests` in any window of `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests allowed per window.
    pub requests: u32,
    /// The window.
    pub per: Duration,
}

impl Rate {
    /// `requests` per minute.
    ///
    /// ```
    /// let rate = osigu::Rate::per_minute(50);
    /// assert_eq!(rate.per, std::time::Duration::from_secs(60));
    /// ```
    pub const fn per_minute(requests: u32) -> Self {
        Self {
            requests,
            per: Duration::from_secs(60),
        }
    }
}

/// Client-side limits by category; `None` turns a category's pacing off.
///
/// The defaults are Osigu's documented limits: 50 calls a minute in
/// general, 10 token requests a minute, and 20 uploads a minute.
///
/// ```
/// let limits = osigu::RateLimits { general: Some(osigu::Rate::per_minute(120)), ..Default::default() };
/// assert_eq!(limits.token, Some(osigu::Rate::per_minute(10)));
/// assert_eq!(osigu::RateLimits::off().general, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Every API call that is not an upload.
    pub general: Option<Rate>,
    /// Requests to the token endpoint.
    pub token: Option<Rate>,
    /// Multipart and Base64 uploads.
    pub uploads: Option<Rate>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            general: Some(Rate::per_minute(50)),
            token: Some(Rate::per_minute(10)),
            uploads: Some(Rate::per_minute(20)),
        }
    }
}

impl RateLimits {
    /// No client-side pacing at all.
    pub const fn off() -> Self {
        Self {
            general: None,
            token: None,
            uploads: None,
        }
    }
}

/// Which budget a request draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    General,
    Token,
    Uploads,
}

#[derive(Debug)]
pub(crate) struct Limiters {
    general: Option<Window>,
    token: Option<Window>,
    uploads: Option<Window>,
}

impl Limiters {
    pub(crate) fn new(limits: RateLimits) -> Self {
        Self {
            general: limits.general.map(Window::new),
            token: limits.token.map(Window::new),
            uploads: limits.uploads.map(Window::new),
        }
    }

    /// Waits until a request of `category` may be sent.
    pub(crate) async fn acquire(&self, category: Category) {
        let window = match category {
            Category::General => &self.general,
            Category::Token => &self.token,
            Category::Uploads => &self.uploads,
        };
        if let Some(window) = window {
            window.acquire().await;
        }
    }
}

#[derive(Debug)]
struct Window {
    rate: Rate,
    /// Reserved send times, oldest first, never decreasing.
    sent: Mutex<VecDeque<Instant>>,
}

impl Window {
    fn new(rate: Rate) -> Self {
        Self {
            rate,
            sent: Mutex::new(VecDeque::new()),
        }
    }

    async fn acquire(&self) {
        let at = self.reserve(Instant::now());
        tokio::time::sleep_until(at).await;
    }

    fn reserve(&self, now: Instant) -> Instant {
        let limit = self.rate.requests.max(1) as usize;
        // A poisoned lock only means another caller panicked mid-update;
        // the queue itself is always consistent.
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        while sent.front().is_some_and(|t| *t + self.rate.per <= now) {
            sent.pop_front();
        }
        let mut at = sent.back().copied().unwrap_or(now).max(now);
        if sent.len() >= limit {
            at = at.max(sent[sent.len() - limit] + self.rate.per);
        }
        sent.push_back(at);
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_window_ever_holds_more_than_the_limit() {
        let window = Window::new(Rate {
            requests: 3,
            per: Duration::from_secs(10),
        });
        let start = Instant::now();
        let times: Vec<Duration> = (0..10).map(|_| window.reserve(start) - start).collect();
        let secs: Vec<u64> = times.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [0, 0, 0, 10, 10, 10, 20, 20, 20, 30]);
    }
}

//! Client-side pacing, so a bulk job waits its turn instead of collecting
//! 429s from Osigu.
//!
//! [`RateLimiter`] is the seam: the engine asks it before every request
//! and tells it about every 429 that got through anyway.
//! [`LocalRateLimiter`], the default, paces one process; a fleet of
//! processes on one `client_id` shares one limiter (see the crate docs).
//!
//! The local limiter keeps the send times of each bucket's last `limit`
//! requests, and a request may go only when it would be at most the
//! `limit`-th in any window of `per`: a sliding-window log, exact for "at
//! most N in any rolling window". Send times are reserved in order (a
//! caller that must wait holds its place), so concurrent callers neither
//! stampede nor starve, and a caller that gives up (its future dropped)
//! gives its place back. Time is tokio's, so tests run on a paused clock.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;
use crate::operations::Bucket;

/// A request budget: at most `requests` in any window of `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests allowed per window.
    pub requests: u32,
    /// The window (at most [`Rate::MAX_WINDOW`]).
    pub per: Duration,
}

impl Rate {
    /// The longest window a rate may have: one day.
    pub const MAX_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

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

/// Client-side limits by bucket; `None` turns a bucket's pacing off.
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

    /// The rate of `bucket`.
    pub fn rate(&self, bucket: Bucket) -> Option<Rate> {
        match bucket {
            Bucket::General => self.general,
            Bucket::Token => self.token,
            Bucket::Uploads => self.uploads,
        }
    }

    /// The setting at fault, if a rate cannot be honoured.
    pub(crate) fn invalid(&self) -> Option<(&'static str, &'static str)> {
        [
            ("rate_limits.general", self.general),
            ("rate_limits.token", self.token),
            ("rate_limits.uploads", self.uploads),
        ]
        .into_iter()
        .find_map(|(setting, rate)| {
            let rate = rate?;
            if rate.requests == 0 || rate.per.is_zero() {
                Some((
                    setting,
                    "needs at least one request per non-zero window; use None to turn it off",
                ))
            } else if rate.per > Rate::MAX_WINDOW {
                Some((setting, "the window must be at most one day"))
            } else {
                None
            }
        })
    }
}

/// A future returned by a [`RateLimiter`].
pub type LimiterFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Decides when each request may be sent, for one client or for a fleet
/// that shares a `client_id`.
///
/// ```
/// use std::time::Duration;
/// use osigu::{LimiterFuture, RateLimiter, operations::Bucket};
///
/// /// Lets everything through at once (what `RateLimits::off()` does).
/// struct Unlimited;
///
/// impl RateLimiter for Unlimited {
///     fn acquire(&self, _: Bucket) -> LimiterFuture<'_, Result<(), osigu::Error>> {
///         Box::pin(async { Ok(()) })
///     }
///     fn penalize(&self, _: Bucket, _: Duration) -> LimiterFuture<'_, ()> {
///         Box::pin(async {})
///     }
/// }
/// let osigu = osigu::Osigu::builder()
///     .credentials("id", "secret")
///     .rate_limiter(std::sync::Arc::new(Unlimited))
///     .build()?;
/// # Ok::<(), osigu::Error>(())
/// ```
pub trait RateLimiter: Send + Sync + 'static {
    /// Resolves when one request of `bucket` may be sent. Dropping the
    /// future before it resolves must give its place back. An error ends
    /// the call without sending (e.g. a shared limiter that is unreachable
    /// and set to fail closed).
    fn acquire(&self, bucket: Bucket) -> LimiterFuture<'_, Result<(), Error>>;

    /// Osigu answered 429 anyway: hold `bucket` back for `retry_after`.
    fn penalize(&self, bucket: Bucket, retry_after: Duration) -> LimiterFuture<'_, ()>;
}

/// The default limiter: paces this client and its clones, in this process.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use osigu::{LocalRateLimiter, Rate, RateLimits, operations::Bucket};
/// let limiter = LocalRateLimiter::new(RateLimits { general: Some(Rate::per_minute(2)), ..RateLimits::off() });
/// limiter.wait(Bucket::General).await;
/// limiter.wait(Bucket::General).await; // two go at once; a third would wait a minute
/// assert!(!limiter.wait(Bucket::Uploads).await); // off: never waits
/// # }
/// ```
#[derive(Debug)]
pub struct LocalRateLimiter {
    general: Option<Window>,
    token: Option<Window>,
    uploads: Option<Window>,
}

impl LocalRateLimiter {
    /// A limiter with these rates. A rate with no requests or an empty
    /// window paces nothing; [`OsiguBuilder::build`](crate::OsiguBuilder::build)
    /// refuses such rates with [`Error::Config`].
    pub fn new(limits: RateLimits) -> Self {
        let window = |rate: Option<Rate>| {
            rate.filter(|r| r.requests > 0 && !r.per.is_zero())
                .map(|r| Window::new(r.requests as usize, r.per.min(Rate::MAX_WINDOW)))
        };
        Self {
            general: window(limits.general),
            token: window(limits.token),
            uploads: window(limits.uploads),
        }
    }

    fn window(&self, bucket: Bucket) -> Option<&Window> {
        match bucket {
            Bucket::General => self.general.as_ref(),
            Bucket::Token => self.token.as_ref(),
            Bucket::Uploads => self.uploads.as_ref(),
        }
    }

    /// Waits until a request of `bucket` may be sent, and says whether the
    /// bucket is limited at all: one that is off returns `false` at once,
    /// without touching any lock.
    pub async fn wait(&self, bucket: Bucket) -> bool {
        match self.try_now(bucket) {
            Ok(limited) => limited,
            Err(reservation) => {
                reservation.ready().await;
                true
            }
        }
    }

    /// Takes a slot of `bucket` without awaiting when one is free now:
    /// `Ok(false)` for a bucket that is off, `Ok(true)` for a slot taken
    /// now, and otherwise the slot reserved for later, to be awaited. The
    /// engine's common case then builds no future for the limiter.
    pub(crate) fn try_now(&self, bucket: Bucket) -> Result<bool, Reservation<'_>> {
        let Some(window) = self.window(bucket) else {
            return Ok(false);
        };
        let now = Instant::now();
        let (at, id) = window.reserve(now);
        if at <= now {
            return Ok(true);
        }
        let held = Held { window, id };
        Err(Reservation { held, at })
    }

    /// Holds `bucket` back: nothing new goes before `retry_after` from now.
    pub fn pause(&self, bucket: Bucket, retry_after: Duration) {
        if let Some(window) = self.window(bucket) {
            window.pause(Instant::now(), retry_after);
        }
    }
}

impl RateLimiter for LocalRateLimiter {
    fn acquire(&self, bucket: Bucket) -> LimiterFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            self.wait(bucket).await;
            Ok(())
        })
    }

    fn penalize(&self, bucket: Bucket, retry_after: Duration) -> LimiterFuture<'_, ()> {
        self.pause(bucket, retry_after);
        Box::pin(async {})
    }
}

#[derive(Debug)]
struct Window {
    limit: usize,
    per: Duration,
    state: Mutex<WindowState>,
}

#[derive(Debug, Default)]
struct WindowState {
    /// Reserved send times with their reservation ids, oldest first,
    /// never decreasing.
    sent: VecDeque<(Instant, u64)>,
    next_id: u64,
    /// Nothing new goes before this (a 429's `Retry-After`).
    paused_until: Option<Instant>,
}

/// Gives a reservation back if its caller stops waiting.
struct Held<'a> {
    window: &'a Window,
    id: u64,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.window.cancel(self.id);
    }
}

/// A slot reserved at a later time. Dropped before [`Reservation::ready`]
/// resolves, it gives the slot back.
pub(crate) struct Reservation<'a> {
    held: Held<'a>,
    at: Instant,
}

impl Reservation<'_> {
    /// Resolves when the slot's time comes.
    pub(crate) async fn ready(self) {
        tokio::time::sleep_until(self.at).await;
        // The slot's time came: it is spent, whatever the caller does now.
        std::mem::forget(self.held);
    }
}

impl Window {
    fn new(limit: usize, per: Duration) -> Self {
        Self {
            limit: limit.max(1),
            per,
            state: Mutex::new(WindowState::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WindowState> {
        // A poisoned lock only means another caller panicked mid-update;
        // the queue itself is always consistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn reserve(&self, now: Instant) -> (Instant, u64) {
        let mut state = self.lock();
        let per = self.per;
        while state
            .sent
            .front()
            .is_some_and(|(t, _)| t.checked_add(per).is_none_or(|end| end <= now))
        {
            state.sent.pop_front();
        }
        let mut at = state.sent.back().map_or(now, |(t, _)| *t).max(now);
        if state.sent.len() >= self.limit {
            let nth = state.sent[state.sent.len() - self.limit].0;
            at = at.max(nth.checked_add(per).unwrap_or(at));
        }
        if let Some(paused) = state.paused_until {
            at = at.max(paused);
        }
        let id = state.next_id;
        state.next_id = state.next_id.wrapping_add(1);
        state.sent.push_back((at, id));
        (at, id)
    }

    fn cancel(&self, id: u64) {
        let mut state = self.lock();
        if let Some(index) = state.sent.iter().rposition(|(_, i)| *i == id) {
            state.sent.remove(index);
        }
    }

    fn pause(&self, now: Instant, retry_after: Duration) {
        let until = now
            .checked_add(retry_after.min(crate::retry::MAX_RETRY_AFTER))
            .unwrap_or(now);
        let mut state = self.lock();
        state.paused_until = Some(state.paused_until.map_or(until, |p| p.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_window_ever_holds_more_than_the_limit() {
        let window = Window::new(3, Duration::from_secs(10));
        let start = Instant::now();
        let secs: Vec<u64> = (0..10)
            .map(|_| (window.reserve(start).0 - start).as_secs())
            .collect();
        assert_eq!(secs, [0, 0, 0, 10, 10, 10, 20, 20, 20, 30]);
    }

    #[test]
    fn a_cancelled_reservation_frees_its_place() {
        let window = Window::new(1, Duration::from_secs(60));
        let start = Instant::now();
        assert_eq!(window.reserve(start).0, start);
        let (later, id) = window.reserve(start);
        assert_eq!(later - start, Duration::from_secs(60));
        window.cancel(id);
        assert_eq!(window.reserve(start).0 - start, Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn a_free_slot_is_taken_without_a_future_and_a_dropped_reservation_gives_it_back() {
        let limiter = LocalRateLimiter::new(RateLimits {
            general: Some(Rate::per_minute(1)),
            ..RateLimits::off()
        });
        assert!(matches!(limiter.try_now(Bucket::Uploads), Ok(false)));
        assert!(matches!(limiter.try_now(Bucket::General), Ok(true)));
        // The next slot is a minute away; giving it up frees it.
        let Err(reservation) = limiter.try_now(Bucket::General) else {
            panic!("a second slot within the minute");
        };
        drop(reservation);
        let Err(reservation) = limiter.try_now(Bucket::General) else {
            panic!("a second slot within the minute");
        };
        let start = Instant::now();
        reservation.ready().await;
        assert_eq!(Instant::now() - start, Duration::from_secs(60));
        // The slot that was waited for is spent: the next is a minute on.
        let Err(next) = limiter.try_now(Bucket::General) else {
            panic!("a third slot within the minute");
        };
        assert_eq!(next.at - start, Duration::from_secs(120));
    }

    #[test]
    fn a_pause_holds_back_new_reservations() {
        let window = Window::new(100, Duration::from_secs(60));
        let start = Instant::now();
        window.pause(start, Duration::from_secs(5));
        assert_eq!(window.reserve(start).0 - start, Duration::from_secs(5));
        // An absurd pause is clamped, never an overflow.
        window.pause(start, Duration::MAX);
        assert!(window.reserve(start).0 - start <= crate::retry::MAX_RETRY_AFTER);
    }

    #[test]
    fn unrepresentable_windows_are_refused() {
        let limits = RateLimits {
            general: Some(Rate {
                requests: 1,
                per: Duration::MAX,
            }),
            ..RateLimits::default()
        };
        assert_eq!(
            limits.invalid().map(|(s, _)| s),
            Some("rate_limits.general")
        );
        // Even unchecked, the limiter clamps rather than overflows.
        let limiter = LocalRateLimiter::new(limits);
        let window = limiter.window(Bucket::General).unwrap();
        let start = Instant::now();
        window.reserve(start);
        window.reserve(start);
    }
}

//! Remembering which `event_id`s this process has already seen.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long an id is remembered by default: 72 hours, the span over which
/// Osigu keeps retrying a delivery.
///
/// ```
/// assert_eq!(osigu::webhooks::DEFAULT_DEDUP_TTL.as_secs(), 72 * 3600);
/// ```
pub const DEFAULT_DEDUP_TTL: Duration = Duration::from_secs(72 * 60 * 60);

/// How many ids [`Deduplicator::default`] remembers.
///
/// ```
/// assert_eq!(osigu::webhooks::Deduplicator::default().capacity(), osigu::webhooks::DEFAULT_DEDUP_CAPACITY);
/// ```
pub const DEFAULT_DEDUP_CAPACITY: usize = 10_000;

/// Drops redeliveries: Osigu delivers each event at least once, so the same
/// `event_id` can arrive again (after a timeout, or when your `2xx` was
/// lost).
///
/// Memory is bounded twice: at most `capacity` ids are kept (the oldest is
/// forgotten first), and an id is forgotten `ttl` after it was first seen.
/// Methods take `&self`; share one instance between request handlers, e.g.
/// in an `Arc` or your framework's state.
///
/// **It is per process.** A receiver running as several instances behind a
/// load balancer can get a redelivery on an instance that never saw the
/// first, and a restart forgets everything. There, use this only as a
/// cheap first filter and make the real check shared and durable: a unique
/// constraint on `event_id` in the database the handler writes to, or an
/// atomic set-if-absent with expiry in a shared cache. Either way keep the
/// handler's effects idempotent.
///
/// Mark an event only once you are going to handle it, and
/// [`forget`](Self::forget) it if handling fails and you answer non-`2xx`,
/// so Osigu's retry is not dropped as a duplicate.
///
/// ```
/// use osigu::webhooks::Deduplicator;
///
/// let seen = Deduplicator::new(50_000);
/// assert!(seen.first_time("evt_01HXY2Z4A5B6C7D8E9F0G1H2J3"));
/// assert!(!seen.first_time("evt_01HXY2Z4A5B6C7D8E9F0G1H2J3")); // a redelivery
///
/// // Handling failed: let the retry through.
/// seen.forget("evt_01HXY2Z4A5B6C7D8E9F0G1H2J3");
/// assert!(seen.first_time("evt_01HXY2Z4A5B6C7D8E9F0G1H2J3"));
/// ```
#[derive(Debug)]
pub struct Deduplicator {
    capacity: usize,
    ttl: Option<Duration>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Each remembered id, with when it was first seen and its slot number.
    seen: HashMap<Arc<str>, (Instant, u64)>,
    /// Ids in the order they were first seen. An entry whose slot no longer
    /// matches `seen` (the id was forgotten, or seen again after expiring)
    /// is stale and skipped.
    order: VecDeque<(Arc<str>, u64)>,
    next_slot: u64,
}

impl Default for Deduplicator {
    /// Remembers [`DEFAULT_DEDUP_CAPACITY`] ids for [`DEFAULT_DEDUP_TTL`].
    fn default() -> Self {
        Self::new(DEFAULT_DEDUP_CAPACITY)
    }
}

impl Deduplicator {
    /// Remembers up to `capacity` ids, each for [`DEFAULT_DEDUP_TTL`]. A
    /// capacity of `0` remembers nothing: every id is new.
    ///
    /// Size it to what arrives within the retry window, or accept that a
    /// very late redelivery of an evicted id gets through.
    ///
    /// ```
    /// let seen = osigu::webhooks::Deduplicator::new(1_000);
    /// assert_eq!(seen.capacity(), 1_000);
    /// assert_eq!(seen.ttl(), Some(osigu::webhooks::DEFAULT_DEDUP_TTL));
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            ttl: Some(DEFAULT_DEDUP_TTL),
            state: Mutex::new(State::default()),
        }
    }

    /// Forgets each id `ttl` after it was first seen.
    ///
    /// ```
    /// use std::time::Duration;
    /// let seen = osigu::webhooks::Deduplicator::new(1_000).with_ttl(Duration::from_secs(3600));
    /// assert_eq!(seen.ttl(), Some(Duration::from_secs(3600)));
    /// ```
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Keeps ids until capacity pushes them out, however old.
    ///
    /// ```
    /// let seen = osigu::webhooks::Deduplicator::new(1_000).without_ttl();
    /// assert_eq!(seen.ttl(), None);
    /// ```
    #[must_use]
    pub fn without_ttl(mut self) -> Self {
        self.ttl = None;
        self
    }

    /// The most ids remembered at once.
    ///
    /// ```
    /// assert_eq!(osigu::webhooks::Deduplicator::new(7).capacity(), 7);
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How long an id is remembered, if limited.
    ///
    /// ```
    /// assert!(osigu::webhooks::Deduplicator::default().ttl().is_some());
    /// ```
    pub fn ttl(&self) -> Option<Duration> {
        self.ttl
    }

    /// `true` the first time `event_id` is seen (and remembers it), `false`
    /// while it is remembered. Uses the monotonic clock.
    ///
    /// ```
    /// let seen = osigu::webhooks::Deduplicator::default();
    /// if seen.first_time("evt_1") {
    ///     // handle the event
    /// }
    /// assert!(!seen.first_time("evt_1"));
    /// ```
    pub fn first_time(&self, event_id: &str) -> bool {
        self.first_time_at(event_id, Instant::now())
    }

    /// [`first_time`](Self::first_time) with the current instant given, for
    /// tests and for callers that already read the clock. `now` should not
    /// go backwards between calls.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use osigu::webhooks::Deduplicator;
    ///
    /// let seen = Deduplicator::new(100).with_ttl(Duration::from_secs(60));
    /// let t0 = Instant::now();
    /// assert!(seen.first_time_at("evt_1", t0));
    /// assert!(!seen.first_time_at("evt_1", t0 + Duration::from_secs(59)));
    /// assert!(seen.first_time_at("evt_1", t0 + Duration::from_secs(60))); // expired
    /// ```
    pub fn first_time_at(&self, event_id: &str, now: Instant) -> bool {
        let mut state = self.lock();
        self.expire(&mut state, now);
        if let Some(&(first_seen, _)) = state.seen.get(event_id) {
            if !self.expired(first_seen, now) {
                return false;
            }
            state.seen.remove(event_id);
        }
        if self.capacity == 0 {
            return true;
        }
        while state.seen.len() >= self.capacity {
            Self::evict_oldest(&mut state);
        }
        let slot = state.next_slot;
        state.next_slot += 1;
        let id: Arc<str> = Arc::from(event_id);
        state.seen.insert(Arc::clone(&id), (now, slot));
        state.order.push_back((id, slot));
        // Forgotten ids leave stale entries in `order`; keep them bounded.
        if state.order.len() > self.capacity.saturating_mul(2).max(64) {
            let State { seen, order, .. } = &mut *state;
            order.retain(|(id, slot)| seen.get(id).is_some_and(|&(_, s)| s == *slot));
        }
        true
    }

    /// Forgets `event_id`, so its next delivery counts as the first; `true`
    /// if it was remembered. Call it when handling an event failed and you
    /// answer non-`2xx`, so Osigu's retry is handled.
    ///
    /// ```
    /// let seen = osigu::webhooks::Deduplicator::default();
    /// assert!(seen.first_time("evt_1"));
    /// assert!(seen.forget("evt_1"));
    /// assert!(!seen.forget("evt_1"));
    /// assert!(seen.first_time("evt_1"));
    /// ```
    pub fn forget(&self, event_id: &str) -> bool {
        self.lock().seen.remove(event_id).is_some()
    }

    /// How many ids are remembered now (expired ones included until the
    /// next call to [`first_time`](Self::first_time) sweeps them).
    ///
    /// ```
    /// let seen = osigu::webhooks::Deduplicator::default();
    /// seen.first_time("evt_1");
    /// assert_eq!(seen.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.lock().seen.len()
    }

    /// Whether no id is remembered.
    ///
    /// ```
    /// assert!(osigu::webhooks::Deduplicator::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every id.
    ///
    /// ```
    /// let seen = osigu::webhooks::Deduplicator::default();
    /// seen.first_time("evt_1");
    /// seen.clear();
    /// assert!(seen.is_empty());
    /// ```
    pub fn clear(&self) {
        let mut state = self.lock();
        state.seen.clear();
        state.order.clear();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every
        // mutation is a single map or queue operation.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn expired(&self, first_seen: Instant, now: Instant) -> bool {
        self.ttl
            .is_some_and(|ttl| now.saturating_duration_since(first_seen) >= ttl)
    }

    /// Drops expired ids from the old end of the queue.
    fn expire(&self, state: &mut State, now: Instant) {
        if self.ttl.is_none() {
            return;
        }
        while let Some((id, slot)) = state.order.front() {
            match state.seen.get(id) {
                Some(&(first_seen, s)) if s == *slot => {
                    if !self.expired(first_seen, now) {
                        break;
                    }
                    let (id, _) = state.order.pop_front().expect("front exists");
                    state.seen.remove(&id);
                }
                _ => {
                    state.order.pop_front();
                }
            }
        }
    }

    /// Drops the oldest remembered id.
    fn evict_oldest(state: &mut State) {
        while let Some((id, slot)) = state.order.pop_front() {
            if state.seen.get(&id).is_some_and(|&(_, s)| s == slot) {
                state.seen.remove(&id);
                return;
            }
        }
        // `order` always holds every live id, so this is unreachable; make
        // sure the caller's loop ends regardless.
        state.seen.clear();
    }
}

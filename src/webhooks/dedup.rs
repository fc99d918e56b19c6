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
/// It tells an event being handled from one handled: [`begin`](Self::begin)
/// answers [`Delivery::New`] with a [`Claim`] the first time, and the
/// claim decides what a redelivery meets. While the claim lives, a
/// redelivery is [`Delivery::InFlight`]: answer it non-`2xx` (409 or 503)
/// so Osigu delivers it again later, because the first handler may still
/// fail. Once you call [`Claim::handled`], redeliveries are
/// [`Delivery::Handled`]: acknowledge them with `2xx`. A claim dropped
/// without `handled()` (the handler failed, returned early or panicked)
/// forgets the event, so Osigu's retry is handled.
///
/// ```
/// use osigu::webhooks::{Deduplicator, Delivery};
///
/// let seen = Deduplicator::new(50_000);
/// let Delivery::New(claim) = seen.begin("evt_5MZP0R7WQ2D8KX4TN6BY3VCA9H") else { unreachable!() };
/// // A redelivery while the first is being handled: not acknowledged.
/// assert!(matches!(seen.begin("evt_5MZP0R7WQ2D8KX4TN6BY3VCA9H"), Delivery::InFlight));
/// claim.handled();
/// assert!(matches!(seen.begin("evt_5MZP0R7WQ2D8KX4TN6BY3VCA9H"), Delivery::Handled));
///
/// // Handling failed: the claim is dropped, and the retry gets through.
/// let Delivery::New(claim) = seen.begin("evt_2") else { unreachable!() };
/// drop(claim);
/// assert!(matches!(seen.begin("evt_2"), Delivery::New(_)));
/// ```
#[derive(Debug)]
pub struct Deduplicator {
    capacity: usize,
    ttl: Option<Duration>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Each remembered id, with when it was first seen, its slot number,
    /// and whether it was handled (else it is in flight).
    seen: HashMap<Arc<str>, (Instant, u64, bool)>,
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

    /// What a delivery of `event_id` is: new (and now claimed), being
    /// handled, or handled. Uses the monotonic clock.
    ///
    /// ```
    /// use osigu::webhooks::{Deduplicator, Delivery};
    /// let seen = Deduplicator::default();
    /// match seen.begin("evt_1") {
    ///     Delivery::New(claim) => {
    ///         // handle the event, then:
    ///         claim.handled();
    ///     }
    ///     Delivery::InFlight => { /* answer 409 so Osigu retries later */ }
    ///     Delivery::Handled => { /* answer 200 */ }
    /// }
    /// assert!(matches!(seen.begin("evt_1"), Delivery::Handled));
    /// ```
    pub fn begin(&self, event_id: &str) -> Delivery<'_> {
        self.begin_at(event_id, Instant::now())
    }

    /// [`begin`](Self::begin) with the current instant given, for tests
    /// and for callers that already read the clock. `now` should not go
    /// backwards between calls; an id is forgotten `ttl` after it was first
    /// seen.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use osigu::webhooks::{Deduplicator, Delivery};
    ///
    /// let seen = Deduplicator::new(100).with_ttl(Duration::from_secs(60));
    /// let t0 = Instant::now();
    /// if let Delivery::New(claim) = seen.begin_at("evt_1", t0) { claim.handled() }
    /// assert!(matches!(seen.begin_at("evt_1", t0 + Duration::from_secs(59)), Delivery::Handled));
    /// assert!(matches!(seen.begin_at("evt_1", t0 + Duration::from_secs(60)), Delivery::New(_))); // expired
    /// ```
    pub fn begin_at(&self, event_id: &str, now: Instant) -> Delivery<'_> {
        let mut state = self.lock();
        self.expire(&mut state, now);
        if let Some(&(first_seen, _, handled)) = state.seen.get(event_id) {
            if !self.expired(first_seen, now) {
                return if handled {
                    Delivery::Handled
                } else {
                    Delivery::InFlight
                };
            }
            state.seen.remove(event_id);
        }
        let id: Arc<str> = Arc::from(event_id);
        if self.capacity == 0 {
            return Delivery::New(Claim {
                dedup: self,
                id,
                slot: None,
            });
        }
        while state.seen.len() >= self.capacity {
            Self::evict_oldest(&mut state);
        }
        let slot = state.next_slot;
        state.next_slot += 1;
        state.seen.insert(Arc::clone(&id), (now, slot, false));
        state.order.push_back((Arc::clone(&id), slot));
        // Forgotten ids leave stale entries in `order`; keep them bounded.
        if state.order.len() > self.capacity.saturating_mul(2).max(64) {
            let State { seen, order, .. } = &mut *state;
            order.retain(|(id, slot)| seen.get(id).is_some_and(|&(_, s, _)| s == *slot));
        }
        Delivery::New(Claim {
            dedup: self,
            id,
            slot: Some(slot),
        })
    }

    /// Marks the claimed id handled, if it is still the one remembered.
    fn finish(&self, id: &str, slot: u64, handled: bool) {
        let mut state = self.lock();
        match state.seen.get_mut(id) {
            Some(entry) if entry.1 == slot => {
                if handled {
                    entry.2 = true;
                } else {
                    state.seen.remove(id);
                }
            }
            _ => {}
        }
    }

    /// Forgets `event_id`, so its next delivery counts as the first; `true`
    /// if it was remembered: for an event whose effects you undid later.
    ///
    /// ```
    /// use osigu::webhooks::{Deduplicator, Delivery};
    /// let seen = Deduplicator::default();
    /// if let Delivery::New(claim) = seen.begin("evt_1") { claim.handled() }
    /// assert!(seen.forget("evt_1"));
    /// assert!(!seen.forget("evt_1"));
    /// assert!(matches!(seen.begin("evt_1"), Delivery::New(_)));
    /// ```
    pub fn forget(&self, event_id: &str) -> bool {
        self.lock().seen.remove(event_id).is_some()
    }

    /// How many ids are remembered now, in flight or handled (expired ones
    /// included until the next call to [`begin`](Self::begin) sweeps them).
    ///
    /// ```
    /// let seen = osigu::webhooks::Deduplicator::default();
    /// let claim = seen.begin("evt_1");
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
    /// if let osigu::webhooks::Delivery::New(claim) = seen.begin("evt_1") { claim.handled() }
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
                Some(&(first_seen, s, _)) if s == *slot => {
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
            if state.seen.get(&id).is_some_and(|&(_, s, _)| s == slot) {
                state.seen.remove(&id);
                return;
            }
        }
        // `order` always holds every live id, so this is unreachable; make
        // sure the caller's loop ends regardless.
        state.seen.clear();
    }
}

/// What [`Deduplicator::begin`] found.
#[derive(Debug)]
#[must_use = "a new delivery's claim decides what its redeliveries meet"]
pub enum Delivery<'a> {
    /// Not seen before (or forgotten): handle it, then call
    /// [`Claim::handled`].
    New(Claim<'a>),
    /// Another delivery of it is being handled now: answer non-`2xx` so
    /// Osigu delivers it again later.
    InFlight,
    /// Handled before: acknowledge it with `2xx`.
    Handled,
}

/// The right to handle one event; see [`Deduplicator`]. Dropped without
/// [`handled`](Self::handled), it forgets the event.
#[must_use = "drop it only if handling failed"]
pub struct Claim<'a> {
    dedup: &'a Deduplicator,
    id: Arc<str>,
    /// `None` when the deduplicator remembers nothing (capacity 0).
    slot: Option<u64>,
}

impl Claim<'_> {
    /// The event was handled: its redeliveries are acknowledged from now on.
    pub fn handled(mut self) {
        if let Some(slot) = self.slot.take() {
            self.dedup.finish(&self.id, slot, true);
        }
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.dedup.finish(&self.id, slot, false);
        }
    }
}

impl std::fmt::Debug for Claim<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claim").field("event_id", &self.id).finish()
    }
}

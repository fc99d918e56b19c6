//! [`RedisDeduplicator`]: webhook redeliveries told apart across every
//! receiver behind a load balancer.

use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use sha2::Digest;

use super::Inner;
use super::token::RELEASE_SCRIPT;
use crate::error::Error;

/// Claims an event: 1 new (claimed with ARGV[1] for ARGV[2] ms), 2
/// handled, 3 in flight elsewhere.
const BEGIN: &str = r#"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == 'handled' then return 2 end
return 3
"#;

/// Marks a claimed event handled for ARGV[2] ms, if the claim ARGV[1] is
/// still the one held.
const HANDLED: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], 'handled', 'PX', ARGV[2])
  return 1
end
return 0
"#;

static BEGIN_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(BEGIN));
static HANDLED_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(HANDLED));

/// The shared counterpart of [`Deduplicator`](crate::webhooks::Deduplicator),
/// with the same three answers: [`begin`](Self::begin) claims a new event
/// for this receiver; while the claim lives, a redelivery anywhere in the
/// fleet is [`SharedDelivery::InFlight`] (answer 409 or 503 so Osigu tries
/// later); after [`SharedClaim::handled`] it is
/// [`SharedDelivery::Handled`] (answer `2xx`). A claim dropped without
/// `handled()` releases the event, and a claim whose receiver died lapses
/// after the claim time-to-live (default 5 minutes).
///
/// A handled id is kept for [`DEFAULT_DEDUP_TTL`](crate::webhooks::DEFAULT_DEDUP_TTL)
/// by default. Keys hold a SHA-256 of the event id. If Redis cannot be
/// reached, `begin` fails with [`Error::SharedStore`]: answer 503 and Osigu
/// delivers again later.
///
/// ```no_run
/// # async fn demo() -> Result<(), osigu::Error> {
/// use osigu::fleet::{RedisFleet, SharedDelivery};
/// let fleet = RedisFleet::builder("redis://127.0.0.1:6379")
///     .client(&osigu::Environment::Sandbox, "id", "secret")
///     .build()?;
/// let seen = fleet.deduplicator();
/// match seen.begin("evt_1").await? {
///     SharedDelivery::New(claim) => {
///         // handle the event, then:
///         claim.handled().await?;
///     }
///     SharedDelivery::InFlight => { /* answer 409 */ }
///     SharedDelivery::Handled => { /* answer 200 */ }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisDeduplicator {
    inner: Arc<Inner>,
    ttl: Duration,
    claim_ttl: Duration,
}

impl fmt::Debug for RedisDeduplicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisDeduplicator")
            .field("ttl", &self.ttl)
            .field("claim_ttl", &self.claim_ttl)
            .finish_non_exhaustive()
    }
}

/// What [`RedisDeduplicator::begin`] found.
#[derive(Debug)]
#[must_use = "a new delivery's claim decides what its redeliveries meet"]
pub enum SharedDelivery {
    /// Not seen anywhere before: handle it, then call
    /// [`SharedClaim::handled`].
    New(SharedClaim),
    /// Being handled by some receiver now: answer non-`2xx`.
    InFlight,
    /// Handled before: acknowledge it with `2xx`.
    Handled,
}

/// The right to handle one event across the fleet. Dropped without
/// [`handled`](Self::handled), it releases the event (in the background).
#[must_use = "drop it only if handling failed"]
pub struct SharedClaim {
    dedup: Option<RedisDeduplicator>,
    key: String,
    claim: String,
}

impl fmt::Debug for SharedClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedClaim").finish_non_exhaustive()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl RedisDeduplicator {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Self {
            inner,
            ttl: crate::webhooks::DEFAULT_DEDUP_TTL,
            claim_ttl: Duration::from_secs(300),
        }
    }

    /// Remembers a handled id for `ttl` (clamped to 1 s up to 30 days).
    ///
    /// ```no_run
    /// # fn demo(fleet: osigu::fleet::RedisFleet) {
    /// let seen = fleet.deduplicator().with_ttl(std::time::Duration::from_secs(3600));
    /// # }
    /// ```
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl.clamp(Duration::from_secs(1), Duration::from_secs(30 * 24 * 3600));
        self
    }

    /// How long a claim holds if its receiver neither finishes nor drops it
    /// (it crashed): clamped to 1 s up to an hour; default 5 minutes.
    ///
    /// ```no_run
    /// # fn demo(fleet: osigu::fleet::RedisFleet) {
    /// let seen = fleet.deduplicator().with_claim_ttl(std::time::Duration::from_secs(60));
    /// # }
    /// ```
    #[must_use]
    pub fn with_claim_ttl(mut self, ttl: Duration) -> Self {
        self.claim_ttl = ttl.clamp(Duration::from_secs(1), Duration::from_secs(3600));
        self
    }

    /// What a delivery of `event_id` is, fleet-wide: new (and now claimed
    /// by this receiver), being handled, or handled.
    pub async fn begin(&self, event_id: &str) -> Result<SharedDelivery, Error> {
        let key = self.inner.key(&format!(
            "wh:{}",
            super::to_hex(&sha2::Sha256::digest(event_id.as_bytes()))
        ));
        let claim = format!("claim:{}", self.inner.unique());
        let (k, c, ttl) = (key.clone(), claim.clone(), millis(self.claim_ttl));
        let answer = self
            .inner
            .run(|mut conn| async move {
                BEGIN_SCRIPT
                    .key(&k)
                    .arg(&c)
                    .arg(ttl)
                    .invoke_async::<i64>(&mut conn)
                    .await
            })
            .await
            .map_err(|reason| Error::SharedStore {
                reason: format!("webhook deduplication: {reason}"),
            })?;
        Ok(match answer {
            1 => SharedDelivery::New(SharedClaim {
                dedup: Some(self.clone()),
                key,
                claim,
            }),
            2 => SharedDelivery::Handled,
            _ => SharedDelivery::InFlight,
        })
    }
}

impl SharedClaim {
    /// The event was handled: its redeliveries are acknowledged from now
    /// on, by every receiver. Fails with [`Error::SharedStore`] if Redis
    /// cannot record it (the claim then lapses after its time-to-live).
    pub async fn handled(mut self) -> Result<(), Error> {
        let Some(dedup) = self.dedup.take() else {
            return Ok(());
        };
        let (key, claim, ttl) = (
            std::mem::take(&mut self.key),
            std::mem::take(&mut self.claim),
            millis(dedup.ttl),
        );
        dedup
            .inner
            .run(|mut conn| async move {
                HANDLED_SCRIPT
                    .key(&key)
                    .arg(&claim)
                    .arg(ttl)
                    .invoke_async::<i64>(&mut conn)
                    .await
            })
            .await
            .map(|_| ())
            .map_err(|reason| Error::SharedStore {
                reason: format!("webhook deduplication: {reason}"),
            })
    }
}

impl Drop for SharedClaim {
    fn drop(&mut self) {
        let Some(dedup) = self.dedup.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let key = std::mem::take(&mut self.key);
        let claim = std::mem::take(&mut self.claim);
        runtime.spawn(async move {
            let _ = dedup
                .inner
                .run(|mut conn| async move {
                    RELEASE_SCRIPT
                        .key(&key)
                        .arg(&claim)
                        .invoke_async::<i64>(&mut conn)
                        .await
                })
                .await;
        });
    }
}

//! [`RedisRateLimiter`]: the sliding-window log of
//! [`LocalRateLimiter`](crate::LocalRateLimiter), kept in Redis and
//! decided on Redis's clock.

use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use super::{FailurePolicy, Inner};
use crate::error::Error;
use crate::operations::Bucket;
use crate::rate_limit::{LimiterFuture, RateLimiter};

/// Reserves the next send time of one bucket, in one round trip.
///
/// KEYS: the bucket's log (a sorted set of reservations scored by their
/// send time in ms), its pause key, its epoch key.
/// ARGV: the limit N, the window W + J in ms, this reservation's member,
/// whether the cold-start guard is on.
///
/// Reserved times never decrease and each is at least W + J after the
/// one N places before it, so no span of W + J holds more than N. The
/// answer is how many ms to wait before sending.
const ACQUIRE: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
if ARGV[4] == '1' and redis.call('EXISTS', KEYS[3]) == 0 then
  -- The log may have been lost (restart, flush, eviction): count it as a
  -- full window sent just now rather than let a second window through.
  redis.call('SET', KEYS[3], now)
  redis.call('DEL', KEYS[1])
  for i = 1, limit do
    redis.call('ZADD', KEYS[1], now, 'guard:' .. i)
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local slot = now
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then
  slot = math.max(slot, tonumber(last[2]))
end
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local nth = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  if nth[2] then
    slot = math.max(slot, tonumber(nth[2]) + window)
  end
end
local paused = tonumber(redis.call('GET', KEYS[2]) or '')
if paused then
  slot = math.max(slot, paused)
end
redis.call('ZADD', KEYS[1], slot, ARGV[3])
redis.call('PEXPIRE', KEYS[1], slot - now + window + 1000)
return slot - now
"#;

/// Holds a bucket back: KEYS[1] is its pause key, ARGV[1] the pause in ms.
/// The pause only ever grows.
const PAUSE: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '') or 0
if current < now + ms then
  redis.call('SET', KEYS[1], now + ms, 'PX', ms)
end
return 1
"#;

static ACQUIRE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(ACQUIRE));
static PAUSE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(PAUSE));

/// A [`RateLimiter`] shared by every process on one Redis: at most N
/// requests of a bucket in any rolling window (plus the jitter allowance)
/// across the fleet, FIFO, with one round trip per request. A 429 that
/// gets through anyway pauses the bucket for the whole fleet.
///
/// Without Redis it follows the fleet's [`FailurePolicy`]. Get one from
/// [`RedisFleet::rate_limiter`](super::RedisFleet::rate_limiter).
///
/// ```no_run
/// # async fn demo() -> Result<(), osigu::Error> {
/// use osigu::{RateLimiter, operations::Bucket};
/// let fleet = osigu::fleet::RedisFleet::builder("redis://127.0.0.1:6379")
///     .client(&osigu::Environment::Sandbox, "id", "secret")
///     .build()?;
/// let limiter = fleet.rate_limiter();
/// limiter.acquire(Bucket::General).await?; // now one request may go
/// # Ok(()) }
/// ```
pub struct RedisRateLimiter {
    inner: Arc<Inner>,
}

impl fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRateLimiter")
            .field("keys", &self.inner.keys)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

/// Gives a reservation back if its caller stops waiting.
struct Held {
    inner: Arc<Inner>,
    key: String,
    member: String,
}

impl Drop for Held {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let inner = Arc::clone(&self.inner);
        let key = std::mem::take(&mut self.key);
        let member = std::mem::take(&mut self.member);
        runtime.spawn(async move {
            let _ = inner
                .run(|mut conn| async move {
                    redis::cmd("ZREM")
                        .arg(&key)
                        .arg(&member)
                        .query_async::<i64>(&mut conn)
                        .await
                })
                .await;
        });
    }
}

impl RedisRateLimiter {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    /// The jitter allowance for a window `per`.
    fn jitter(&self, per: Duration) -> Duration {
        self.inner
            .jitter
            .unwrap_or_else(|| (per / 60).clamp(Duration::from_millis(10), Duration::from_secs(1)))
    }

    async fn reserve(&self, bucket: Bucket) -> Result<(), Error> {
        let Some(rate) = self.inner.limits.rate(bucket) else {
            return Ok(());
        };
        let inner = &self.inner;
        let name = bucket.as_str();
        let log = inner.key(&format!("rl:{name}"));
        let window = rate.per.saturating_add(self.jitter(rate.per));
        let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
        let member = inner.unique();
        let answer = inner
            .run(|mut conn| {
                let mut invocation = ACQUIRE_SCRIPT.key(&log);
                invocation
                    .key(inner.key(&format!("rl:{name}:pause")))
                    .key(inner.key(&format!("rl:{name}:epoch")))
                    .arg(rate.requests)
                    .arg(window_ms)
                    .arg(&member)
                    .arg(if inner.cold_start_guard { "1" } else { "0" });
                async move { invocation.invoke_async::<i64>(&mut conn).await }
            })
            .await;
        match answer {
            Ok(wait_ms) => {
                // A corrupt pause key could ask for anything: never wait
                // longer than a window plus the longest Retry-After.
                let most = window.saturating_add(crate::retry::MAX_RETRY_AFTER);
                let wait = Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0)).min(most);
                if !wait.is_zero() {
                    let held = Held {
                        inner: Arc::clone(inner),
                        key: log,
                        member,
                    };
                    tokio::time::sleep(wait).await;
                    // The slot's time came: it is spent.
                    std::mem::forget(held);
                }
                Ok(())
            }
            Err(reason) => match inner.on_failure {
                FailurePolicy::FallbackLocal { .. } => {
                    inner.fallback.wait(bucket).await;
                    Ok(())
                }
                FailurePolicy::FailOpen => Ok(()),
                FailurePolicy::FailClosed => Err(Error::SharedStore {
                    reason: format!("rate limiter: {reason}"),
                }),
            },
        }
    }

    async fn pause(&self, bucket: Bucket, retry_after: Duration) {
        let inner = &self.inner;
        let retry_after =
            retry_after.clamp(Duration::from_millis(1), crate::retry::MAX_RETRY_AFTER);
        // The local fallback honours it too, should Redis fail next.
        inner.fallback.pause(bucket, retry_after);
        if inner.limits.rate(bucket).is_none() {
            return;
        }
        let key = inner.key(&format!("rl:{}:pause", bucket.as_str()));
        let ms = u64::try_from(retry_after.as_millis()).unwrap_or(u64::MAX);
        let _ = inner
            .run(|mut conn| async move {
                PAUSE_SCRIPT
                    .key(&key)
                    .arg(ms)
                    .invoke_async::<i64>(&mut conn)
                    .await
            })
            .await;
    }
}

impl RateLimiter for RedisRateLimiter {
    fn acquire(&self, bucket: Bucket) -> LimiterFuture<'_, Result<(), Error>> {
        Box::pin(self.reserve(bucket))
    }

    fn penalize(&self, bucket: Bucket, retry_after: Duration) -> LimiterFuture<'_, ()> {
        Box::pin(self.pause(bucket, retry_after))
    }
}

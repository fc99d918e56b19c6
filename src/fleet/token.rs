//! [`RedisTokenStore`]: one token for the whole fleet, sealed at rest.

use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime};

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{hkdf, hmac};
use secrecy::ExposeSecret;

use super::Inner;
use crate::auth::{AccessToken, Lease, SharedFailure, StoreFuture, TokenStore};

/// The sealed-token format: this tag, a 16-byte fingerprint of the token
/// (HMAC, for compare-and-delete), a 12-byte nonce, the ciphertext and its
/// 16-byte tag.
const FORMAT: &[u8; 2] = b"t1";
const FINGERPRINT: usize = 16;

/// The value and remaining life of a key, in one round trip.
const LOAD: &str = r#"
local value = redis.call('GET', KEYS[1])
if not value then return false end
return {value, redis.call('PTTL', KEYS[1])}
"#;

/// Saves a token unless the one stored outlives it: ARGV[1] the sealed
/// token, ARGV[2] its time-to-live in ms.
const SAVE: &str = r#"
if redis.call('PTTL', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"#;

/// Deletes the token only if its fingerprint (bytes 3 to 18) is ARGV[1].
const DISCARD: &str = r#"
local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 3, 18) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// Deletes a key only if it still holds ARGV[1] (a lease or a claim).
pub(super) const RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

static LOAD_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(LOAD));
static SAVE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(SAVE));
static DISCARD_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(DISCARD));
pub(super) static RELEASE_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(RELEASE));

/// A [`TokenStore`] shared by every process on one Redis: the first
/// process that needs a token takes a lease (`SET NX PX`) and fetches it,
/// the others wait for it to appear; the background refresh goes the same
/// way, so the fleet makes one token request per token lifetime.
///
/// - The key's time-to-live is set from the token's remaining life, less
///   a margin (a quarter of it, at most 30 s), so Redis never serves a
///   lapsed token, and a reader takes the remaining life from Redis, not
///   from another host's clock.
/// - A saved token replaces the stored one only if it lives longer.
/// - Discarding a token Osigu rejected deletes it only if it is still the
///   one stored (a Lua compare-and-delete), so a stale process cannot evict
///   a fresh token.
/// - The token is sealed with ChaCha20-Poly1305 under a key derived by
///   HKDF-SHA256 from the client secret; neither the secret nor the token
///   reaches Redis in clear. A value that does not open (a rotated
///   secret, a corrupt value) counts as no token.
/// - A refusal of the credentials and a token-endpoint `Retry-After` are
///   recorded for the whole fleet.
///
/// If Redis cannot be reached the client keeps its own token and fetches
/// one itself when it must. Get one from
/// [`RedisFleet::token_store`](super::RedisFleet::token_store).
///
/// ```no_run
/// # fn demo() -> Result<(), osigu::Error> {
/// let fleet = osigu::fleet::RedisFleet::builder("redis://127.0.0.1:6379")
///     .client(&osigu::Environment::Sandbox, "id", "secret")
///     .build()?;
/// let osigu = osigu::Osigu::builder()
///     .credentials("id", "secret")
///     .token_store(fleet.token_store())
///     .build()?;
/// # let _ = osigu; Ok(()) }
/// ```
pub struct RedisTokenStore {
    inner: Arc<Inner>,
    seal: LessSafeKey,
    mark: hmac::Key,
    random: SystemRandom,
    /// This store's lease value, random per store.
    lease_id: String,
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("keys", &self.inner.keys)
            .finish_non_exhaustive()
    }
}

/// The length ring's HKDF must produce for an HMAC-SHA256 key.
struct MarkLen;

impl hkdf::KeyType for MarkLen {
    fn len(&self) -> usize {
        32
    }
}

impl RedisTokenStore {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        let salt = hkdf::Salt::new(
            hkdf::HKDF_SHA256,
            format!("osigu token cache v1 {}", inner.fingerprint).as_bytes(),
        );
        let prk = salt.extract(inner.secret.expose_secret().as_bytes());
        let seal = prk
            .expand(&[b"seal"], &aead::CHACHA20_POLY1305)
            .map(UnboundKey::from)
            .map(LessSafeKey::new)
            .expect("32 bytes is within HKDF-SHA256's output limit");
        let mut mark = [0u8; 32];
        prk.expand(&[b"fingerprint"], MarkLen)
            .and_then(|okm| okm.fill(&mut mark))
            .expect("32 bytes is within HKDF-SHA256's output limit");
        let lease_id = inner.unique();
        Self {
            seal,
            mark: hmac::Key::new(hmac::HMAC_SHA256, &mark),
            random: SystemRandom::new(),
            lease_id,
            inner,
        }
    }

    fn token_key(&self) -> String {
        self.inner.key("token")
    }

    fn fingerprint(&self, token: &str) -> [u8; FINGERPRINT] {
        let tag = hmac::sign(&self.mark, token.as_bytes());
        let mut out = [0u8; FINGERPRINT];
        out.copy_from_slice(&tag.as_ref()[..FINGERPRINT]);
        out
    }

    fn seal(&self, token: &str) -> Option<Vec<u8>> {
        let mut nonce = [0u8; aead::NONCE_LEN];
        self.random.fill(&mut nonce).ok()?;
        let key = self.token_key();
        let mut sealed = Vec::with_capacity(2 + FINGERPRINT + nonce.len() + token.len() + 16);
        sealed.extend_from_slice(FORMAT);
        sealed.extend_from_slice(&self.fingerprint(token));
        sealed.extend_from_slice(&nonce);
        let mut body = token.as_bytes().to_vec();
        self.seal
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(key.as_bytes()),
                &mut body,
            )
            .ok()?;
        sealed.extend_from_slice(&body);
        Some(sealed)
    }

    /// The token in `sealed`, or `None` if it does not open.
    fn open(&self, sealed: &[u8]) -> Option<String> {
        let rest = sealed.strip_prefix(FORMAT.as_slice())?;
        if rest.len() < FINGERPRINT + aead::NONCE_LEN {
            return None;
        }
        let (mark, rest) = rest.split_at(FINGERPRINT);
        let (nonce, body) = rest.split_at(aead::NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let key = self.token_key();
        let mut body = body.to_vec();
        let opened = self
            .seal
            .open_in_place(nonce, Aad::from(key.as_bytes()), &mut body)
            .ok()?;
        let token = String::from_utf8(opened.to_vec()).ok()?;
        (self.fingerprint(&token).as_slice() == mark).then_some(token)
    }

    /// The value at `key` and how long it has left, in one round trip;
    /// `None` when it is absent, unreadable, or has no time left.
    async fn load_with_ttl(&self, key: String) -> Option<(Vec<u8>, Duration)> {
        let (value, ttl_ms) = self
            .inner
            .run(|mut conn| async move {
                LOAD_SCRIPT
                    .key(&key)
                    .invoke_async::<Option<(Vec<u8>, i64)>>(&mut conn)
                    .await
            })
            .await
            .ok()??;
        let ttl = Duration::from_millis(u64::try_from(ttl_ms).ok()?);
        (!ttl.is_zero()).then_some((value, ttl))
    }

    async fn load_token(&self) -> Option<AccessToken> {
        let (sealed, ttl) = self.load_with_ttl(self.token_key()).await?;
        let ttl = ttl.min(crate::auth::MAX_TOKEN_LIFETIME);
        let token = self.open(&sealed)?;
        Some(AccessToken::new(token, SystemTime::now() + ttl))
    }

    async fn save_token(&self, token: &AccessToken) {
        let remaining = token
            .expires_at()
            .duration_since(SystemTime::now())
            .unwrap_or_default()
            .min(crate::auth::MAX_TOKEN_LIFETIME);
        let ttl = remaining.saturating_sub((remaining / 4).min(Duration::from_secs(30)));
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        if ttl_ms < 1000 {
            return;
        }
        let Some(sealed) = self.seal(token.secret()) else {
            return;
        };
        let key = self.token_key();
        let _ = self
            .inner
            .run(|mut conn| async move {
                SAVE_SCRIPT
                    .key(&key)
                    .arg(sealed)
                    .arg(ttl_ms)
                    .invoke_async::<i64>(&mut conn)
                    .await
            })
            .await;
    }

    async fn discard_token(&self, token: &AccessToken) {
        let key = self.token_key();
        let mark = self.fingerprint(token.secret()).to_vec();
        let _ = self
            .inner
            .run(|mut conn| async move {
                DISCARD_SCRIPT
                    .key(&key)
                    .arg(mark)
                    .invoke_async::<i64>(&mut conn)
                    .await
            })
            .await;
    }

    async fn take_lease(&self) -> Lease {
        let key = self.inner.key("token:lease");
        let id = self.lease_id.clone();
        let ttl_ms = u64::try_from(self.inner.token_lease.as_millis()).unwrap_or(u64::MAX);
        let taken = self
            .inner
            .run(|mut conn| async move {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(&id)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms)
                    .query_async::<Option<String>>(&mut conn)
                    .await
            })
            .await;
        match taken {
            Ok(Some(_)) => Lease::Granted,
            Ok(None) => Lease::Busy,
            // Without Redis there is no one to wait for.
            Err(_) => Lease::Unshared,
        }
    }

    async fn give_back(&self) {
        let key = self.inner.key("token:lease");
        let id = self.lease_id.clone();
        let _ = self
            .inner
            .run(|mut conn| async move {
                RELEASE_SCRIPT
                    .key(&key)
                    .arg(&id)
                    .invoke_async::<i64>(&mut conn)
                    .await
            })
            .await;
    }

    async fn read_failure(&self) -> Option<SharedFailure> {
        let (kind, remaining) = self.load_with_ttl(self.inner.key("token:failure")).await?;
        match kind.as_slice() {
            b"refused" => Some(SharedFailure::Refused(remaining)),
            b"retry-after" => Some(SharedFailure::RetryAfter(remaining)),
            _ => None,
        }
    }

    async fn write_failure(&self, failure: SharedFailure) {
        let key = self.inner.key("token:failure");
        let kind = match failure {
            SharedFailure::Refused(_) => "refused",
            SharedFailure::RetryAfter(_) => "retry-after",
        };
        let ms = u64::try_from(
            failure
                .remaining()
                .clamp(Duration::from_millis(1), Duration::from_secs(300))
                .as_millis(),
        )
        .unwrap_or(1);
        let _ = self
            .inner
            .run(|mut conn| async move {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(kind)
                    .arg("PX")
                    .arg(ms)
                    .query_async::<()>(&mut conn)
                    .await
            })
            .await;
    }
}

impl TokenStore for RedisTokenStore {
    fn load(&self) -> StoreFuture<'_, Option<AccessToken>> {
        Box::pin(self.load_token())
    }

    fn save(&self, token: &AccessToken) -> StoreFuture<'_, ()> {
        let token = token.clone();
        Box::pin(async move { self.save_token(&token).await })
    }

    fn discard(&self, token: &AccessToken) -> StoreFuture<'_, ()> {
        let token = token.clone();
        Box::pin(async move { self.discard_token(&token).await })
    }

    fn lease(&self) -> StoreFuture<'_, Lease> {
        Box::pin(self.take_lease())
    }

    fn release_lease(&self) -> StoreFuture<'_, ()> {
        Box::pin(self.give_back())
    }

    fn load_failure(&self) -> StoreFuture<'_, Option<SharedFailure>> {
        Box::pin(self.read_failure())
    }

    fn save_failure(&self, failure: SharedFailure) -> StoreFuture<'_, ()> {
        Box::pin(self.write_failure(failure))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::RedisFleet;

    fn store(secret: &str) -> Arc<RedisTokenStore> {
        RedisFleet::builder("redis://127.0.0.1:1/")
            .client(&crate::Environment::Sandbox, "id", secret)
            .build()
            .unwrap()
            .token_store()
    }

    #[test]
    fn a_sealed_token_opens_only_with_the_same_secret_and_hides_the_token() {
        let a = store("secret-a");
        let sealed = a.seal("the-token-value").unwrap();
        assert!(!sealed.windows(15).any(|w| w == b"the-token-value"));
        assert_eq!(a.open(&sealed).as_deref(), Some("the-token-value"));
        assert_eq!(store("secret-b").open(&sealed), None);
        // Corrupt or truncated values count as no token, never a panic.
        for cut in 0..sealed.len() {
            assert_eq!(a.open(&sealed[..cut]), None);
        }
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(a.open(&flipped), None);
        // Two seals of one token differ (fresh nonce) but share the fingerprint.
        let again = a.seal("the-token-value").unwrap();
        assert_ne!(sealed, again);
        assert_eq!(sealed[2..18], again[2..18]);
    }
}

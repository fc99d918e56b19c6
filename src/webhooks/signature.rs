//! The `X-Osigu-Signature` header: parsing it, checking its timestamp, and
//! checking its HMAC-SHA256 against the raw body.

use std::error::Error as StdError;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

use super::events::{Event, ParseError, parse};

type HmacSha256 = Hmac<Sha256>;

/// The name of the HTTP header that carries the signature.
///
/// HTTP header names are case-insensitive; frameworks built on the `http`
/// crate find it under this spelling or its lower-case form alike.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-osigu-signature", "t=1,v1=00".parse().unwrap());
/// assert!(headers.get(osigu::webhooks::SIGNATURE_HEADER).is_some());
/// ```
pub const SIGNATURE_HEADER: &str = "X-Osigu-Signature";

/// How far the signed timestamp may be from the receiver's clock, in either
/// direction: five minutes, as Osigu specifies for replay protection.
///
/// ```
/// assert_eq!(osigu::webhooks::DEFAULT_TOLERANCE.as_secs(), 300);
/// ```
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Length of a hex-encoded HMAC-SHA256 tag.
const HEX_TAG_LEN: usize = 64;

/// The signing secret of a webhook subscription, as Osigu issued it.
///
/// The HMAC key is the secret's bytes exactly as given (a string secret is
/// used as its UTF-8 bytes, with no base64 or hex decoding), which is what
/// Osigu's own receiver examples do. The bytes are zeroed when the value is
/// dropped, and `Debug` prints `[redacted]`.
///
/// ```
/// use osigu::webhooks::WebhookSecret;
///
/// let secret = WebhookSecret::new("whsec_example");
/// assert_eq!(format!("{secret:?}"), "WebhookSecret([redacted])");
/// // Also from a String, a Vec<u8> or a byte slice:
/// let _ = WebhookSecret::from(String::from("whsec_example"));
/// let _ = WebhookSecret::from(b"raw key bytes".as_slice());
/// ```
#[derive(Clone)]
pub struct WebhookSecret(SecretSlice<u8>);

impl WebhookSecret {
    /// Wraps a secret.
    ///
    /// ```
    /// let secret = osigu::webhooks::WebhookSecret::new(b"bytes work too");
    /// # let _ = secret;
    /// ```
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Self(SecretSlice::from(secret.as_ref().to_vec()))
    }

    /// Reads the secret from an environment variable, e.g.
    /// `OSIGU_WEBHOOK_SECRET`. `None` when it is unset, empty or not UTF-8.
    ///
    /// ```
    /// let secret = osigu::webhooks::WebhookSecret::from_env("OSIGU_WEBHOOK_SECRET");
    /// # let _ = secret;
    /// ```
    pub fn from_env(variable: &str) -> Option<Self> {
        let value = std::env::var(variable).ok()?;
        (!value.is_empty()).then(|| Self::from(value))
    }

    fn bytes(&self) -> &[u8] {
        self.0.expose_secret()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

impl From<String> for WebhookSecret {
    fn from(secret: String) -> Self {
        Self(SecretSlice::from(secret.into_bytes()))
    }
}

impl From<&str> for WebhookSecret {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

impl From<Vec<u8>> for WebhookSecret {
    fn from(secret: Vec<u8>) -> Self {
        Self(SecretSlice::from(secret))
    }
}

impl From<&[u8]> for WebhookSecret {
    fn from(secret: &[u8]) -> Self {
        Self::new(secret)
    }
}

/// Why a delivery's signature was refused.
///
/// Answer any of these with `401` (or `400` for a malformed header): Osigu
/// retries non-2xx answers, which is what you want if, say, your clock was
/// off. No variant's `Display` or `Debug` contains the secret, the expected
/// signature, or any value taken from the header.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use osigu::webhooks::{self, SignatureError, WebhookSecret};
///
/// let secret = WebhookSecret::new("whsec_example");
/// let now = UNIX_EPOCH + Duration::from_secs(1_751_385_600);
/// let err = webhooks::verify(&secret, "t=1751385600", b"{}", now).unwrap_err();
/// assert_eq!(err, SignatureError::MissingSignature);
/// assert!(err.is_malformed_header());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// The header is absent or blank (pass `""` when the request has none).
    MissingHeader,
    /// The header has no `t=` element.
    MissingTimestamp,
    /// The `t=` element is not a whole number of Unix seconds (only ASCII
    /// digits are accepted), or the header has more than one `t=`.
    InvalidTimestamp,
    /// The header has no `v1=` element.
    MissingSignature,
    /// A `v1=` element is not 64 hexadecimal characters (an HMAC-SHA256
    /// tag).
    InvalidSignature,
    /// The signed timestamp is older than the tolerance allows: a replay,
    /// or a delivery that sat in a queue too long.
    TimestampTooOld {
        /// How far behind the receiver's clock the timestamp is.
        skew: Duration,
        /// The tolerance in force.
        tolerance: Duration,
    },
    /// The signed timestamp is further in the future than the tolerance
    /// allows; usually a receiver clock running behind.
    TimestampInFuture {
        /// How far ahead of the receiver's clock the timestamp is.
        skew: Duration,
        /// The tolerance in force.
        tolerance: Duration,
    },
    /// The header is well-formed but no `v1=` value is the HMAC of this
    /// body under this secret: a wrong secret, a body altered (or
    /// re-serialised) after signing, or a forgery.
    NoMatchingSignature,
    /// The configured secret is empty. Verification refuses to run rather
    /// than accept anything signed with an empty key, which is what an
    /// unset environment variable would otherwise allow.
    EmptySecret,
}

impl SignatureError {
    /// Whether the header itself is malformed (missing, or a part
    /// unreadable), as opposed to well-formed but wrong, stale or early.
    /// Useful to choose between answering `400` and `401`.
    ///
    /// ```
    /// use osigu::webhooks::SignatureError;
    /// assert!(SignatureError::MissingHeader.is_malformed_header());
    /// assert!(!SignatureError::NoMatchingSignature.is_malformed_header());
    /// ```
    pub fn is_malformed_header(&self) -> bool {
        matches!(
            self,
            Self::MissingHeader
                | Self::MissingTimestamp
                | Self::InvalidTimestamp
                | Self::MissingSignature
                | Self::InvalidSignature
        )
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader => write!(f, "the {SIGNATURE_HEADER} header is missing or empty"),
            Self::MissingTimestamp => {
                write!(f, "the {SIGNATURE_HEADER} header has no t= timestamp")
            }
            Self::InvalidTimestamp => write!(
                f,
                "the t= timestamp of the {SIGNATURE_HEADER} header is not a single whole number of Unix seconds"
            ),
            Self::MissingSignature => {
                write!(f, "the {SIGNATURE_HEADER} header has no v1= signature")
            }
            Self::InvalidSignature => write!(
                f,
                "a v1= value of the {SIGNATURE_HEADER} header is not 64 hexadecimal characters"
            ),
            Self::TimestampTooOld { skew, tolerance } => write!(
                f,
                "the signature timestamp is {skew:?} old, beyond the {tolerance:?} tolerance"
            ),
            Self::TimestampInFuture { skew, tolerance } => write!(
                f,
                "the signature timestamp is {skew:?} in the future, beyond the {tolerance:?} tolerance"
            ),
            Self::NoMatchingSignature => {
                f.write_str("no v1= signature matches the body under the configured secret")
            }
            Self::EmptySecret => f.write_str("the webhook signing secret is empty"),
        }
    }
}

impl StdError for SignatureError {}

/// Either step of [`verify_and_parse`] failing.
///
/// ```
/// use std::time::SystemTime;
/// use osigu::webhooks::{self, SignatureError, WebhookError, WebhookSecret};
///
/// let secret = WebhookSecret::new("whsec_example");
/// match webhooks::verify_and_parse(&secret, "", b"{}", SystemTime::now()) {
///     Err(WebhookError::Signature(SignatureError::MissingHeader)) => {}
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signature was refused; the body was not parsed.
    Signature(SignatureError),
    /// The signature is valid but the body is not an event envelope.
    Parse(ParseError),
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Signature(e) => write!(f, "webhook signature refused: {e}"),
            Self::Parse(e) => write!(f, "webhook body refused: {e}"),
        }
    }
}

impl StdError for WebhookError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Signature(e) => Some(e),
            Self::Parse(e) => Some(e),
        }
    }
}

impl From<SignatureError> for WebhookError {
    fn from(e: SignatureError) -> Self {
        Self::Signature(e)
    }
}

impl From<ParseError> for WebhookError {
    fn from(e: ParseError) -> Self {
        Self::Parse(e)
    }
}

/// Checks webhook deliveries against one signing secret, with a
/// configurable timestamp tolerance.
///
/// Build one at start-up and share it (it is `Clone`, `Send` and `Sync`).
/// During a secret rotation Osigu sends one `v1=` per active secret, so a
/// receiver holding either the old or the new secret keeps accepting
/// deliveries; swap the secret here when you are told to.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use osigu::webhooks::{Verifier, WebhookSecret};
///
/// let verifier = Verifier::new(WebhookSecret::new("whsec_example"))
///     .with_tolerance(Duration::from_secs(120));
/// assert_eq!(verifier.tolerance(), Duration::from_secs(120));
///
/// // A signature made now, for this body:
/// let body = br#"{"event_id":"evt_1"}"#;
/// let now = SystemTime::now();
/// let header = osigu::webhooks::sign(&WebhookSecret::new("whsec_example"), now, body);
/// assert!(verifier.verify(&header, body, now).is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    secret: WebhookSecret,
    tolerance: Duration,
}

impl Verifier {
    /// A verifier with the default five-minute tolerance.
    ///
    /// ```
    /// let verifier = osigu::webhooks::Verifier::new("whsec_example");
    /// assert_eq!(verifier.tolerance(), osigu::webhooks::DEFAULT_TOLERANCE);
    /// ```
    pub fn new(secret: impl Into<WebhookSecret>) -> Self {
        Self {
            secret: secret.into(),
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// Accepts timestamps up to `tolerance` away from the receiver's clock
    /// in either direction (the bound itself included). Widening it beyond
    /// five minutes weakens replay protection.
    ///
    /// ```
    /// use std::time::Duration;
    /// let verifier = osigu::webhooks::Verifier::new("whsec_example")
    ///     .with_tolerance(Duration::from_secs(60));
    /// assert_eq!(verifier.tolerance().as_secs(), 60);
    /// ```
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The tolerance in force.
    ///
    /// ```
    /// let verifier = osigu::webhooks::Verifier::new("whsec_example");
    /// assert_eq!(verifier.tolerance().as_secs(), 300);
    /// ```
    pub fn tolerance(&self) -> Duration {
        self.tolerance
    }

    /// Checks `signature_header` (the value of [`SIGNATURE_HEADER`], `""`
    /// when absent) against the exact bytes of the request body, taking
    /// `now` as the current time.
    ///
    /// The header is a comma-separated list of `key=value` elements;
    /// whitespace around elements is ignored, and so are elements other
    /// than `t` and `v1` (room for future signature schemes). Every `v1=`
    /// value must be well-formed; the delivery is accepted when any of them
    /// matches. Tags are compared in constant time.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use osigu::webhooks::{SignatureError, Verifier, WebhookSecret};
    ///
    /// let verifier = Verifier::new("whsec_example");
    /// let signed_at = UNIX_EPOCH + Duration::from_secs(1_751_385_600);
    /// let header = osigu::webhooks::sign(&WebhookSecret::new("whsec_example"), signed_at, b"{}");
    ///
    /// assert!(verifier.verify(&header, b"{}", signed_at + Duration::from_secs(30)).is_ok());
    /// assert_eq!(
    ///     verifier.verify(&header, b"{ }", signed_at),
    ///     Err(SignatureError::NoMatchingSignature),
    /// );
    /// ```
    pub fn verify(
        &self,
        signature_header: &str,
        raw_body: &[u8],
        now: SystemTime,
    ) -> Result<(), SignatureError> {
        verify_with(
            &self.secret,
            self.tolerance,
            signature_header,
            raw_body,
            now,
        )
    }

    /// [`verify`](Self::verify) against the system clock.
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use osigu::webhooks::{Verifier, WebhookSecret};
    ///
    /// let secret = WebhookSecret::new("whsec_example");
    /// let header = osigu::webhooks::sign(&secret, SystemTime::now(), b"{}");
    /// assert!(Verifier::new(secret).verify_now(&header, b"{}").is_ok());
    /// ```
    pub fn verify_now(
        &self,
        signature_header: &str,
        raw_body: &[u8],
    ) -> Result<(), SignatureError> {
        self.verify(signature_header, raw_body, SystemTime::now())
    }

    /// Verifies the signature, then parses the body with [`parse`]. The body
    /// is not looked at unless the signature is valid.
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use osigu::webhooks::{EventData, Verifier, WebhookSecret};
    ///
    /// let secret = WebhookSecret::new("whsec_example");
    /// let body = br#"{"event_id":"evt_1","event_type":"settlement.paid",
    ///     "created_at":"2026-03-14T14:22:11Z","data":{"settlement_id":"stl_1"}}"#;
    /// let now = SystemTime::now();
    /// let header = osigu::webhooks::sign(&secret, now, body);
    ///
    /// let event = Verifier::new(secret).verify_and_parse(&header, body, now)?;
    /// assert!(matches!(event.data, EventData::SettlementPaid(_)));
    /// # Ok::<(), osigu::webhooks::WebhookError>(())
    /// ```
    pub fn verify_and_parse(
        &self,
        signature_header: &str,
        raw_body: &[u8],
        now: SystemTime,
    ) -> Result<Event, WebhookError> {
        self.verify(signature_header, raw_body, now)?;
        Ok(parse(raw_body)?)
    }
}

/// Checks a delivery's signature with the default five-minute tolerance,
/// taking `now` as the current time. See [`Verifier::verify`] for the rules
/// and [`Verifier`] to change the tolerance.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use osigu::webhooks::{self, SignatureError, WebhookSecret};
///
/// let secret = WebhookSecret::new("whsec_example");
/// let signed_at = UNIX_EPOCH + Duration::from_secs(1_751_385_600);
/// let header = webhooks::sign(&secret, signed_at, b"{}");
///
/// assert_eq!(webhooks::verify(&secret, &header, b"{}", signed_at), Ok(()));
/// let late = signed_at + Duration::from_secs(301);
/// assert!(matches!(
///     webhooks::verify(&secret, &header, b"{}", late),
///     Err(SignatureError::TimestampTooOld { .. }),
/// ));
/// ```
pub fn verify(
    secret: &WebhookSecret,
    signature_header: &str,
    raw_body: &[u8],
    now: SystemTime,
) -> Result<(), SignatureError> {
    verify_with(secret, DEFAULT_TOLERANCE, signature_header, raw_body, now)
}

fn verify_with(
    secret: &WebhookSecret,
    tolerance: Duration,
    signature_header: &str,
    raw_body: &[u8],
    now: SystemTime,
) -> Result<(), SignatureError> {
    if secret.bytes().is_empty() {
        return Err(SignatureError::EmptySecret);
    }
    let header = ParsedHeader::parse(signature_header)?;
    check_timestamp(header.timestamp, now, tolerance)?;

    let mac = keyed_mac(secret, header.timestamp_text, raw_body);
    let mut matched = false;
    for tag in &header.tags {
        // Every candidate is checked, so the time taken does not say
        // which one matched.
        matched |= mac.clone().verify_slice(tag).is_ok();
    }
    if matched {
        Ok(())
    } else {
        Err(SignatureError::NoMatchingSignature)
    }
}

/// [`verify`] against the system clock.
///
/// ```
/// use std::time::SystemTime;
/// use osigu::webhooks::{self, WebhookSecret};
///
/// let secret = WebhookSecret::new("whsec_example");
/// let header = webhooks::sign(&secret, SystemTime::now(), b"{}");
/// assert!(webhooks::verify_now(&secret, &header, b"{}").is_ok());
/// ```
pub fn verify_now(
    secret: &WebhookSecret,
    signature_header: &str,
    raw_body: &[u8],
) -> Result<(), SignatureError> {
    verify(secret, signature_header, raw_body, SystemTime::now())
}

/// Verifies a delivery with the default tolerance, then parses it into an
/// [`Event`]. The body is parsed only when the signature is valid.
///
/// ```
/// use std::time::SystemTime;
/// use osigu::webhooks::{self, EventData, WebhookSecret};
///
/// let secret = WebhookSecret::new("whsec_example");
/// let body = br#"{"event_id":"evt_1","event_type":"something.new",
///     "created_at":"2026-03-14T14:22:11Z","data":{}}"#;
/// let now = SystemTime::now();
/// let header = webhooks::sign(&secret, now, body);
///
/// let event = webhooks::verify_and_parse(&secret, &header, body, now)?;
/// assert!(matches!(event.data, EventData::Unknown { .. }));
/// # Ok::<(), webhooks::WebhookError>(())
/// ```
pub fn verify_and_parse(
    secret: &WebhookSecret,
    signature_header: &str,
    raw_body: &[u8],
    now: SystemTime,
) -> Result<Event, WebhookError> {
    verify(secret, signature_header, raw_body, now)?;
    Ok(parse(raw_body)?)
}

/// Produces an `X-Osigu-Signature` value (`t=<seconds>,v1=<hex>`) for
/// `body` signed at `at` (whole seconds), the way Osigu signs deliveries.
///
/// Meant for tests of your receiver and for replaying a stored delivery
/// against a local endpoint; Osigu never needs it.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use osigu::webhooks::{sign, WebhookSecret};
///
/// let at = UNIX_EPOCH + Duration::from_secs(1_751_385_600);
/// let header = sign(&WebhookSecret::new("whsec_example"), at, b"{}");
/// assert!(header.starts_with("t=1751385600,v1="));
/// assert_eq!(header.len(), "t=1751385600,v1=".len() + 64);
/// ```
pub fn sign(secret: &WebhookSecret, at: SystemTime, body: &[u8]) -> String {
    let seconds = at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .to_string();
    let tag = keyed_mac(secret, &seconds, body).finalize().into_bytes();
    let mut hex_tag = [0u8; HEX_TAG_LEN];
    hex::encode_to_slice(tag, &mut hex_tag).expect("a SHA-256 tag is 32 bytes");
    let hex_tag = std::str::from_utf8(&hex_tag).expect("hex is ASCII");
    format!("t={seconds},v1={hex_tag}")
}

/// The MAC state after absorbing `"<t>.<body>"`.
fn keyed_mac(secret: &WebhookSecret, timestamp_text: &str, body: &[u8]) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(secret.bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp_text.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

struct ParsedHeader<'a> {
    /// The `t=` value exactly as sent: it is what Osigu signed.
    timestamp_text: &'a str,
    timestamp: u64,
    tags: Vec<[u8; HEX_TAG_LEN / 2]>,
}

impl<'a> ParsedHeader<'a> {
    fn parse(header: &'a str) -> Result<Self, SignatureError> {
        let header = header.trim();
        if header.is_empty() {
            return Err(SignatureError::MissingHeader);
        }
        let mut timestamp: Option<&str> = None;
        let mut timestamp_seen_twice = false;
        let mut tags = Vec::new();
        let mut tag_malformed = false;
        for element in header.split(',') {
            let Some((key, value)) = element.split_once('=') else {
                continue;
            };
            match key.trim() {
                "t" => {
                    timestamp_seen_twice |= timestamp.is_some();
                    timestamp = Some(value.trim());
                }
                "v1" => {
                    let mut tag = [0u8; HEX_TAG_LEN / 2];
                    let value = value.trim();
                    if value.len() == HEX_TAG_LEN && hex::decode_to_slice(value, &mut tag).is_ok() {
                        tags.push(tag);
                    } else {
                        tag_malformed = true;
                    }
                }
                _ => {}
            }
        }
        let timestamp_text = timestamp.ok_or(SignatureError::MissingTimestamp)?;
        if timestamp_seen_twice
            || timestamp_text.is_empty()
            || !timestamp_text.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(SignatureError::InvalidTimestamp);
        }
        let timestamp = timestamp_text
            .parse::<u64>()
            .map_err(|_| SignatureError::InvalidTimestamp)?;
        if tag_malformed {
            return Err(SignatureError::InvalidSignature);
        }
        if tags.is_empty() {
            return Err(SignatureError::MissingSignature);
        }
        Ok(Self {
            timestamp_text,
            timestamp,
            tags,
        })
    }
}

fn check_timestamp(
    signed_at: u64,
    now: SystemTime,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let signed_at = Duration::from_secs(signed_at);
    let now = now.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    if now >= signed_at {
        let skew = now - signed_at;
        if skew > tolerance {
            return Err(SignatureError::TimestampTooOld { skew, tolerance });
        }
    } else {
        let skew = signed_at - now;
        if skew > tolerance {
            return Err(SignatureError::TimestampInFuture { skew, tolerance });
        }
    }
    Ok(())
}

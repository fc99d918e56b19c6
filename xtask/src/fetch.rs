//! Downloads a spec over HTTPS, with a deadline and errors that say what to
//! do next.

use std::fmt;
use std::time::Duration;

/// Why a download failed.
#[derive(Debug)]
pub enum FetchError {
    /// The URL does not parse or is not http(s).
    InvalidUrl { url: String, reason: String },
    /// No connection could be made: offline, DNS failure, refused.
    Unreachable { url: String, reason: String },
    /// The server did not answer in time.
    TimedOut { url: String, after: Duration },
    /// The server answered with a status other than 2xx.
    Status { url: String, status: u16 },
    /// The connection broke while the body was read.
    Body { url: String, reason: String },
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUrl { url, reason } => {
                write!(f, "--url {url:?} is not a valid URL: {reason}")
            }
            Self::Unreachable { url, reason } => write!(
                f,
                "cannot reach {url}: {reason}. Are you offline? Download the file another way and pass --file PATH"
            ),
            Self::TimedOut { url, after } => write!(
                f,
                "{url} did not answer within {}s (--timeout). Try again, or pass --file PATH",
                after.as_secs_f32()
            ),
            Self::Status { url, status } => write!(f, "{url} answered HTTP {status}, not the spec"),
            Self::Body { url, reason } => write!(f, "the download from {url} broke off: {reason}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// GETs `url` and returns its body as text. The whole exchange (connect,
/// headers and body) must finish within `timeout`.
pub async fn fetch(url: &str, timeout: Duration) -> Result<String, FetchError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| FetchError::InvalidUrl {
        url: url.to_owned(),
        reason: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError::InvalidUrl {
            url: url.to_owned(),
            reason: format!("scheme {:?} is not http or https", parsed.scheme()),
        });
    }
    // reqwest is built without a bundled crypto provider; the SDK installs
    // ring the same way. An error only means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("osigu-xtask/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| FetchError::Unreachable {
            url: url.to_owned(),
            reason: format!("cannot build an HTTP client: {e}"),
        })?;
    let classify = |e: reqwest::Error| {
        if e.is_timeout() {
            FetchError::TimedOut {
                url: url.to_owned(),
                after: timeout,
            }
        } else if e.is_connect() || e.is_request() {
            FetchError::Unreachable {
                url: url.to_owned(),
                reason: root_cause(&e),
            }
        } else {
            FetchError::Body {
                url: url.to_owned(),
                reason: root_cause(&e),
            }
        }
    };
    let response = client.get(parsed).send().await.map_err(classify)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status {
            url: url.to_owned(),
            status: status.as_u16(),
        });
    }
    response.text().await.map_err(classify)
}

/// reqwest's own message is "error sending request"; the cause says why.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

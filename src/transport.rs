//! The HTTP client under every osigu client: rustls with the ring crypto
//! provider (no OpenSSL, no aws-lc), explicit timeouts, and a user agent
//! naming this crate.

use std::sync::Once;
use std::time::Duration;

/// The reqwest client under every [`Osigu`](crate::Osigu): rustls with ring,
/// the given timeouts, and a user agent naming this crate and its version.
///
/// reqwest is built without a bundled TLS crypto provider, so ring is
/// installed as the process default first (once; a provider the
/// application installed itself is left in place).
pub(crate) fn http_client(
    connect_timeout: Duration,
    request_timeout: Duration,
) -> Result<reqwest::Client, reqwest::Error> {
    ensure_crypto_provider();
    reqwest::Client::builder()
        .user_agent(concat!("osigu-rust/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(connect_timeout)
        .timeout(request_timeout)
        .build()
}

fn ensure_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Err means another provider is already the default: keep it.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

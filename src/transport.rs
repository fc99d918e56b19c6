//! The HTTP client under every osigu client: rustls with the ring crypto
//! provider (no OpenSSL, no aws-lc), explicit timeouts, and a user agent
//! naming this crate.

use std::sync::Once;
use std::time::Duration;

use crate::Client;

/// Builds a [`Client`] for `base_url` (e.g. `https://sandbox.osigu.com`).
///
/// Use this rather than the generated `Client::new`: reqwest is built here
/// without a bundled TLS crypto provider, and this function installs ring as
/// the process default first (once; a provider the application installed
/// itself is left in place).
///
/// ```
/// let client = osigu::client("https://sandbox.osigu.com")?;
/// # use osigu::generated::ClientInfo;
/// assert_eq!(client.baseurl(), "https://sandbox.osigu.com");
/// # Ok::<(), reqwest::Error>(())
/// ```
pub fn client(base_url: &str) -> Result<Client, reqwest::Error> {
    ensure_crypto_provider();
    let http = reqwest::Client::builder()
        .user_agent(concat!("osigu-rust/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()?;
    Ok(Client::new_with_client(base_url, http))
}

fn ensure_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Err means another provider is already the default: keep it.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

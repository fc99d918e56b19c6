//! An error's message names its root cause, not just "error sending
//! request": a refused certificate, a refused connection. And never a URL.

use std::sync::Arc;

use osigu::{Environment, Error, Osigu, RetryPolicy, Stage};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// An HTTPS server on loopback whose certificate nobody trusts.
async fn untrusted_https() -> u16 {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let cert = CertificateDer::from_pem_file(dir.join("untrusted-cert.pem")).unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join("untrusted-key.pem")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            // The client refuses the certificate, so the handshake fails.
            tokio::spawn(async move { acceptor.accept(stream).await.map(|_| ()) });
        }
    });
    port
}

#[tokio::test]
async fn an_untrusted_certificate_is_named_in_the_error() {
    let port = untrusted_https().await;
    let osigu = Osigu::builder()
        .environment(Environment::Custom(format!("https://localhost:{port}")))
        .credentials("id", "secret")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = osigu.list_sponsors().send().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                during: Stage::Token,
                ..
            }
        ),
        "{error:?}"
    );
    let shown = error.to_string();
    // The exact reason depends on the platform's verifier; that the
    // certificate was refused must be there.
    assert!(
        shown.contains("invalid peer certificate"),
        "the root cause is missing: {shown}"
    );
    assert!(!shown.contains("localhost:"), "the URL leaked: {shown}");
}

#[tokio::test]
async fn a_refused_connection_is_named_in_the_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let osigu = Osigu::builder()
        .environment(Environment::Custom(format!("http://127.0.0.1:{port}")))
        .credentials("id", "secret")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let shown = osigu.list_sponsors().send().await.unwrap_err().to_string();
    assert!(shown.contains("Connection refused"), "{shown}");
    assert!(
        !shown.contains(&port.to_string()),
        "the URL leaked: {shown}"
    );
}

//! Secret hygiene over whole flows: a TRACE capture of the quickstart and
//! the OTP-gated dispensation against the sandbox, with injected faults,
//! plus `Debug` and `Display` of every public config and error type, holds
//! no client secret, token, OTP code or beneficiary document number.
//!
//! Alone in its binary for the reason given in tests/secret_hygiene.rs.

// Each example declares `mod support;` as the standalone program it is, so
// including two of them here loads that file more than once.
#![allow(clippy::duplicate_mod)]

mod common;
#[path = "../examples/dispense_with_otp.rs"]
#[allow(dead_code)]
mod dispense_with_otp;
#[path = "../examples/quickstart.rs"]
#[allow(dead_code)]
mod quickstart;
#[path = "../examples/support/mod.rs"]
mod support;

use std::sync::{Arc, Mutex};

use common::Captured;
use osigu::{AccessToken, MemoryTokenStore, StoreFuture, TokenStore};
use osigu_sandbox::{Fault, Sandbox};

/// Remembers every token issued, so the test knows what must not appear.
#[derive(Default)]
struct Recording {
    inner: MemoryTokenStore,
    seen: Mutex<Vec<String>>,
}

impl TokenStore for Recording {
    fn load(&self) -> StoreFuture<'_, Option<AccessToken>> {
        self.inner.load()
    }
    fn save(&self, token: &AccessToken) -> StoreFuture<'_, ()> {
        self.seen.lock().unwrap().push(token.secret().to_owned());
        self.inner.save(token)
    }
    fn discard(&self, token: &AccessToken) -> StoreFuture<'_, ()> {
        self.inner.discard(token)
    }
}

#[tokio::test]
async fn full_flows_with_faults_leak_nothing_at_trace_level() {
    let (captured, _guard) = Captured::trace();

    let sandbox = Sandbox::start().await.unwrap();
    let store = Arc::new(Recording::default());
    let osigu = sandbox
        .client_builder()
        .token_store(store.clone())
        .retry(osigu::RetryPolicy {
            initial_backoff: std::time::Duration::from_millis(1),
            ..Default::default()
        })
        .build()
        .unwrap();

    // Faults first: a failing read is retried and reported.
    sandbox
        .faults()
        .set("GET /v1/sponsors", Fault::new().error_rate(1.0, 503));
    let failed = osigu.list_sponsors().send().await.unwrap_err();
    sandbox.faults().clear_all();
    quickstart::run(&osigu).await.unwrap();
    let code = sandbox.config().otp_code_value().to_owned();
    dispense_with_otp::run(&osigu, &code).await.unwrap();
    let refused = dispense_with_otp::run(&osigu, "000000")
        .await
        .err()
        .unwrap();

    // What an application would log of our types.
    let builder = osigu::Osigu::builder().credentials("pharmacy-pos", sandbox.client_secret());
    tracing::error!(?builder, ?osigu, %failed, ?failed, %refused, ?refused, "application log");
    let proof = osigu::OtpVerification::new("otp-proof-value");
    let token = AccessToken::new(
        store.seen.lock().unwrap()[0].clone(),
        std::time::SystemTime::now(),
    );
    let secret = osigu::webhooks::WebhookSecret::from(sandbox.config().webhook_secret_value());
    tracing::error!(?proof, ?token, ?secret, "values");
    drop(_guard);

    let log = captured.text();
    assert!(log.contains("completeDispensation"), "the capture is real");
    assert!(log.contains("retrying"));
    let tokens = store.seen.lock().unwrap().clone();
    assert!(!tokens.is_empty());
    let basic = "c2FuZGJveC1jbGllbnQ6c2FuZGJveC1zZWNyZXQ="; // sandbox-client:sandbox-secret
    let mut forbidden = vec![
        sandbox.client_secret().to_owned(),
        basic.to_owned(),
        code,
        "otp-proof-value".to_owned(),
        sandbox.config().webhook_secret_value().to_owned(),
        // The beneficiary's document number, searched by the quickstart.
        "1000000001".to_owned(),
    ];
    forbidden.extend(tokens);
    for secret in forbidden {
        assert!(!log.contains(&secret), "the log holds {secret:?}");
    }
}

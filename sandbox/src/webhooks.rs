//! Webhook events: the envelope, the signature, and delivery.

use std::sync::Arc;

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::server::{App, random_hex};

/// The header that carries a delivery's signature.
pub const SIGNATURE_HEADER: &str = "X-Osigu-Signature";

/// The `X-Osigu-Signature` value for `body` sent at Unix time `timestamp`:
/// `t=<timestamp>,v1=<lowercase hex HMAC-SHA256 of "<timestamp>.<body>">`
/// keyed with the subscription's secret.
///
/// ```
/// let header = osigu_sandbox::sign_payload("whsec_test", 1_700_000_000, br#"{"a":1}"#);
/// assert!(header.starts_with("t=1700000000,v1="));
/// assert_eq!(header.len(), "t=1700000000,v1=".len() + 64);
/// ```
pub fn sign_payload(secret: &str, timestamp: u64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

/// Records an event and posts it to every subscription whose patterns
/// match, each delivery on its own background task.
pub(crate) fn emit(app: &Arc<App>, event_type: &str, data: Value) {
    let envelope = json!({
        "event_id": format!("evt_{}", random_hex(12)),
        "event_type": event_type,
        "created_at": app.clock.now(),
        "version": "1",
        "api_version": "2026-01-01",
        "environment": "sandbox",
        "data": data,
        "provider": { "provider_slug": "sandbox-provider" },
    });
    app.events
        .lock()
        .expect("events lock")
        .push(envelope.clone());
    let targets: Vec<(String, String)> = app
        .db()
        .subscriptions
        .iter()
        .filter(|s| s.matches(event_type))
        .map(|s| (s.url.clone(), s.secret.clone()))
        .collect();
    if targets.is_empty() {
        return;
    }
    let body = serde_json::to_vec(&envelope).expect("a JSON value serialises");
    for (url, secret) in targets {
        let task_app = app.clone();
        let body = body.clone();
        app.spawn(async move {
            let signature = sign_payload(&secret, task_app.clock.unix(), &body);
            let sent = task_app
                .http
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(SIGNATURE_HEADER, signature)
                .body(body)
                .send()
                .await;
            let delivered = sent.is_ok_and(|r| r.status().is_success());
            task_app.count(|c| {
                if delivered {
                    c.webhook_deliveries += 1;
                } else {
                    c.webhook_failures += 1;
                }
            });
        });
    }
}

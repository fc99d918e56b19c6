//! A small axum server that receives Osigu's webhooks, verifies each
//! signature and drops duplicates, here following an asynchronous
//! sponsor's decision on a pre-authorization.
//!
//! Against a real environment the receiver must be reachable from Osigu
//! and `OSIGU_WEBHOOK_SECRET` must hold the secret issued at onboarding;
//! this example then only prints how it would listen.

mod support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, StatusCode};
use osigu::webhooks::{Deduplicator, Delivery, Event, SIGNATURE_HEADER, Verifier};
use osigu::{Osigu, Upload, types};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[tokio::main]
async fn main() -> Result<()> {
    let connection = support::connect().await?;
    if connection.sandbox.is_none() {
        println!(
            "Osigu must reach the receiver over the internet; run this example without OSIGU_CLIENT_ID to see it work against the embedded sandbox."
        );
        return Ok(());
    }
    let secret = connection.webhook_secret();
    let events = run(&connection.osigu, &secret, Duration::from_secs(30)).await?;
    println!("\nDone: {} verified event(s).", events.len());
    Ok(())
}

/// Answers one delivery: 200 once verified and handed on (or already
/// handled), 409 while another copy is being handled (Osigu retries), 401
/// for a bad signature.
fn receive(
    headers: &HeaderMap,
    raw: &[u8],
    verifier: &Verifier,
    seen: &Deduplicator,
    events: &tokio::sync::mpsc::UnboundedSender<Event>,
) -> StatusCode {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Ok(event) = verifier.verify_and_parse(signature, raw, SystemTime::now()) else {
        return StatusCode::UNAUTHORIZED;
    };
    match seen.begin(&event.id) {
        Delivery::New(claim) => {
            let _ = events.send(event);
            claim.handled();
            StatusCode::OK
        }
        Delivery::Handled => StatusCode::OK,
        Delivery::InFlight => StatusCode::CONFLICT,
    }
}

pub async fn run(osigu: &Osigu, secret: &str, wait: Duration) -> Result<Vec<String>> {
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let verifier = Arc::new(Verifier::new(secret));
    let seen = Arc::new(Deduplicator::default());
    let handler = move |headers: HeaderMap, raw: axum::body::Bytes| {
        let status = receive(&headers, &raw, &verifier, &seen, &events);
        async move { status }
    };
    let app = axum::Router::new().route("/osigu/webhooks", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/osigu/webhooks", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("1. Receiving webhooks at {url}");

    let subscription = types::CreateWebhookSubscriptionRequest::builder(["authorization.*"], &url);
    let subscription = osigu
        .create_webhook_subscription()
        .body(subscription)
        .send()
        .await?;
    println!("2. Subscribed to {}", subscription.event_types.join(", "));

    println!("3. Pre-authorization with async-insurer, which decides later");
    let request = types::CreatePendingAuthorizationRequest::builder(3001, "async-insurer")
        .doctor_medical_license_number(osigu_sandbox::SEED_DOCTOR_LICENSE)
        .diagnoses([types::DiagnosisRequest::builder("J02.9", "ICD-10")])
        .products([types::PendingAuthorizationProductRequest::builder()
            .provider_product_code("MED-SBX-001")
            .quantity(2)]);
    let request = osigu
        .create_authorization_request()
        .body(request)
        .send_and_read()
        .await?;
    let request_id = request.id.ok_or("the request has no id")?;
    let indication = Upload::from_bytes("indication.pdf", b"%PDF-1.4\n".to_vec())?;
    osigu
        .upload_authorization_request_file()
        .id(request_id)
        .document_type_slug("PRESCRIPTION")
        .file(indication)
        .send()
        .await?;
    let pending = osigu
        .complete_authorization_request()
        .id(request_id)
        .send()
        .await?;
    let status = pending
        .authorizations
        .first()
        .and_then(|a| a.status.clone());
    println!("   sent to the sponsor: authorization {status:?}");

    let event = tokio::time::timeout(wait, received.recv())
        .await
        .map_err(|_| format!("no verified webhook within {wait:?}"))?
        .ok_or("the receiver stopped")?;
    println!("4. Verified webhook {} ({})", event.event_type, event.id);
    let decided = osigu
        .get_authorization_request()
        .id(request_id)
        .send()
        .await?;
    let code = decided.authorizations.first().and_then(|a| a.code.clone());
    println!(
        "5. The sponsor decided: authorization {}",
        code.ok_or("no authorization code")?
    );
    Ok(vec![event.event_type])
}

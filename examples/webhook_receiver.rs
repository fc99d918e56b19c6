//! A small axum server that receives Osigu's webhooks, verifies each
//! signature and drops duplicates, here following an asynchronous
//! sponsor's decision on a pre-authorization.
//!
//! Against a real environment the receiver must be reachable from Osigu
//! and `OSIGU_WEBHOOK_SECRET` must hold the secret issued at onboarding;
//! this example then only prints how it would listen.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let connection = support::connect().await.map_err(|e| e.to_string())?;
    if connection.sandbox.is_none() {
        println!(
            "Osigu must reach the receiver over the internet; run this example without OSIGU_CLIENT_ID to see it work against the embedded sandbox."
        );
        return Ok(());
    }
    let secret = connection.webhook_secret();
    let events = support::flows::webhook_receiver(
        &connection.osigu,
        &secret,
        std::time::Duration::from_secs(30),
        &mut |line| println!("{line}"),
    )
    .await?;
    println!("\nDone: {} verified event(s).", events.len());
    Ok(())
}

//! Per-call cost under concurrency: many callers on a 2-worker multi-thread
//! runtime, the SDK against raw reqwest (sending the same request and
//! deserialising into the same generated type), in 60 interleaved rounds of
//! the same run against one local axum server (on its own thread). Reports
//! throughput, the median of the per-round wall-time ratios (with the middle
//! half of the rounds) and the ratio over all rounds.
//!
//! `cargo bench --bench concurrent` (add `-- --quick` for fewer calls,
//! `-- --aa` for raw reqwest in the SDK's place, to check the harness).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::routing::{get, post};
use serde_json::json;

const CALLERS: usize = 64;

fn serve() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let sponsors = json!([
                { "sponsor_slug": "demo-insurer", "name": "Demo Insurer", "country_code": "GT" },
                { "sponsor_slug": "otp-insurer", "name": "OTP Insurer", "country_code": "GT" },
                { "sponsor_slug": "async-insurer", "name": "Async Insurer", "country_code": "DO" }
            ]);
            let app = axum::Router::new()
                .route(
                    "/v1/oauth/token",
                    post(|| async {
                        Json(json!({ "access_token": "bench-token", "token_type": "bearer", "expires_in": 86400 }))
                    }),
                )
                .route("/v1/sponsors", get(move || async move { Json(sponsors) }));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(format!("http://{}", listener.local_addr().unwrap()))
                .unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

/// Runs `CALLERS` tasks of `calls` calls each; returns the wall time.
async fn round<F, Fut>(calls: usize, call: F) -> Duration
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let call = Arc::new(call);
    let started = Instant::now();
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let call = Arc::clone(&call);
            tokio::spawn(async move {
                for _ in 0..calls {
                    call().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    started.elapsed()
}

fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// The request the SDK sends, header for header, so the server does the
/// same work for both sides (see benches/overhead.rs), decoded into the
/// same generated type.
async fn same_request(raw: &reqwest::Client, url: String) {
    let response = raw
        .get(url)
        .bearer_auth("bench-token")
        .header("accept", "application/json")
        .header(
            "user-agent",
            concat!("osigu-rust/", env!("CARGO_PKG_VERSION")),
        )
        .header("x-request-id", "osigu-rs-0123456789abcdef")
        .send()
        .await
        .unwrap();
    let s: Vec<osigu::types::SponsorResource> = response.json().await.unwrap();
    std::hint::black_box(s);
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // `--aa`: raw reqwest in the SDK's place; its ratio should read 1.00.
    let aa = std::env::args().any(|a| a == "--aa");
    let calls = if quick { 40 } else { 60 };
    let rounds = if quick { 4 } else { 60 };
    let base = serve();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let osigu = osigu::Osigu::builder()
            .environment(osigu::Environment::Custom(base.clone()))
            .credentials("bench", "bench-secret")
            .rate_limits(osigu::RateLimits::off())
            .build()
            .unwrap();
        let raw = raw_client();
        let url = format!("{base}/v1/sponsors");
        let sdk_call = {
            let (osigu, raw, url) = (osigu.clone(), raw.clone(), url.clone());
            move || {
                let (osigu, raw, url) = (osigu.clone(), raw.clone(), url.clone());
                async move {
                    if aa {
                        return same_request(&raw, url).await;
                    }
                    let s = osigu.list_sponsors().send().await.unwrap();
                    std::hint::black_box(s);
                }
            }
        };
        let raw_call = {
            // A client of its own, as the SDK has (and the A/A side).
            let raw = raw_client();
            move || {
                let (raw, url) = (raw.clone(), url.clone());
                async move { same_request(&raw, url).await }
            }
        };
        // Warm both: connections (one per caller), the SDK's token.
        round(5, sdk_call.clone()).await;
        round(5, raw_call.clone()).await;

        let subject = if aa { "raw reqwest (A/A)" } else { "osigu" };
        println!(
            "concurrent calls: {CALLERS} callers × {calls} GET /v1/sponsors per round, {rounds} rounds, 2 worker threads"
        );
        let total = (CALLERS * calls) as f64;
        let (mut sdk_all, mut raw_all) = (Duration::ZERO, Duration::ZERO);
        let mut ratios = Vec::with_capacity(rounds);
        for number in 1..=rounds {
            // Alternate which side goes first, so neither always meets a
            // warmer machine.
            let (sdk, raw) = if number % 2 == 1 {
                let sdk = round(calls, sdk_call.clone()).await;
                (sdk, round(calls, raw_call.clone()).await)
            } else {
                let raw = round(calls, raw_call.clone()).await;
                (round(calls, sdk_call.clone()).await, raw)
            };
            sdk_all += sdk;
            raw_all += raw;
            ratios.push(sdk.as_secs_f64() / raw.as_secs_f64());
        }
        let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.3}")).collect();
        println!("per-round wall-time ratios: {}", shown.join(" "));
        let ratio = common::spread(ratios);
        println!(
            "| {subject} calls/s | raw reqwest calls/s | wall-time ratio, median of rounds (target ≤ 1.05) | middle half | ratio over all rounds |"
        );
        println!("| --- | --- | --- | --- | --- |");
        println!(
            "| {:.0} | {:.0} | {:.3} | {:.3}–{:.3} | {:.3} |",
            total * rounds as f64 / sdk_all.as_secs_f64(),
            total * rounds as f64 / raw_all.as_secs_f64(),
            ratio.median,
            ratio.low,
            ratio.high,
            sdk_all.as_secs_f64() / raw_all.as_secs_f64()
        );
    });
}

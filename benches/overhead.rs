//! Per-call overhead of the SDK against raw reqwest, calling the same local
//! server with the same JSON: 10,000 sequential calls each, interleaved in
//! rounds so both sides see the same machine. Reports medians and their
//! ratio for a GET and for a POST with a typical body.
//!
//! `cargo bench --bench overhead` (add `-- --quick` for 1,000 calls).

use std::time::{Duration, Instant};

use axum::Json;
use axum::routing::{get, post};
use serde_json::{Value, json};

fn sponsors() -> Value {
    json!([
        { "sponsor_slug": "demo-insurer", "name": "Demo Insurer", "country_code": "GT" },
        { "sponsor_slug": "otp-insurer", "name": "OTP Insurer", "country_code": "GT" },
        { "sponsor_slug": "async-insurer", "name": "Async Insurer", "country_code": "DO" }
    ])
}

fn dispensation() -> Value {
    json!({
        "dispensation_id": "dsp_01", "status": "STARTED", "code_type": "AUTHORIZATION",
        "products": [
            { "product_code": "MED-SBX-001", "quantity": 2, "price": 12.5 },
            { "product_code": "MED-SBX-002", "quantity": 1, "price": 40.0 }
        ]
    })
}

fn start_body() -> Value {
    json!({
        "pin": "1234",
        "currency_code": "GTQ",
        "products": [
            { "id": "1", "product_code": "MED-SBX-001", "quantity": 2, "price": 12.5, "taxes": 1.5 },
            { "id": "2", "product_code": "MED-SBX-002", "quantity": 1, "price": 40.0, "taxes": 4.8 }
        ]
    })
}

async fn serve() -> String {
    let app = axum::Router::new()
        .route(
            "/v1/oauth/token",
            post(|| async {
                Json(json!({ "access_token": "bench-token", "token_type": "bearer", "expires_in": 86400 }))
            }),
        )
        .route("/v1/sponsors", get(|| async { Json(sponsors()) }))
        .route(
            "/dispensing/v1/dispensations",
            post(|Json(_): Json<Value>| async { (axum::http::StatusCode::CREATED, Json(dispensation())) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let calls: usize = if quick { 1_000 } else { 10_000 };
    let rounds = 10;
    let base = serve().await;

    let _ = rustls::crypto::ring::default_provider().install_default();
    let osigu = osigu::Osigu::builder()
        .environment(osigu::Environment::Custom(base.clone()))
        .credentials("bench", "bench-secret")
        .rate_limits(osigu::RateLimits::off())
        .build()
        .unwrap();
    let raw = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let body: osigu::types::StartDispensationRequest =
        serde_json::from_value(start_body()).unwrap();

    // Warm both: connections, the SDK's token.
    for _ in 0..100 {
        osigu.list_sponsors().send().await.unwrap();
        raw.get(format!("{base}/v1/sponsors")).send().await.unwrap();
    }

    let mut results = Vec::new();
    for (name, is_post) in [
        ("GET /v1/sponsors", false),
        ("POST /dispensing/v1/dispensations", true),
    ] {
        let (mut sdk, mut baseline) = (Vec::with_capacity(calls), Vec::with_capacity(calls));
        for _ in 0..rounds {
            for _ in 0..calls / rounds {
                let started = Instant::now();
                if is_post {
                    let d = osigu
                        .start_dispensation()
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap();
                    std::hint::black_box(d);
                } else {
                    let s = osigu.list_sponsors().send().await.unwrap();
                    std::hint::black_box(s);
                }
                sdk.push(started.elapsed());
            }
            for _ in 0..calls / rounds {
                let started = Instant::now();
                if is_post {
                    // An owned body per call on both sides, as an
                    // application builds one per sale (the SDK's `body()`
                    // takes it by value).
                    let body = body.clone();
                    let response = raw
                        .post(format!("{base}/dispensing/v1/dispensations"))
                        .bearer_auth("bench-token")
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    let d: osigu::types::DispensationResource = response.json().await.unwrap();
                    std::hint::black_box(d);
                } else {
                    let response = raw
                        .get(format!("{base}/v1/sponsors"))
                        .bearer_auth("bench-token")
                        .send()
                        .await
                        .unwrap();
                    let s: Vec<osigu::types::SponsorResource> = response.json().await.unwrap();
                    std::hint::black_box(s);
                }
                baseline.push(started.elapsed());
            }
        }
        let (sdk, baseline) = (median(sdk), median(baseline));
        results.push((name, sdk, baseline));
    }

    println!("per-call overhead, {calls} sequential calls per side, median latency");
    println!("| call | osigu | raw reqwest | ratio (target ≤ 1.05) |");
    println!("| --- | --- | --- | --- |");
    for (name, sdk, baseline) in results {
        println!(
            "| {name} | {:.1} µs | {:.1} µs | {:.3} |",
            micros(sdk),
            micros(baseline),
            micros(sdk) / micros(baseline)
        );
    }
}

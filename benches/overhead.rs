//! Per-call overhead of the SDK against raw reqwest, calling the same local
//! server with the same JSON: 20,000 sequential calls per side, interleaved
//! in 50 rounds (each starting with another side) so every side sees the
//! same machine. For a GET and for a POST with a typical body, reports the
//! median latencies and the median of the per-round ratios.
//!
//! The server runs in this process, so whatever it must parse is charged to
//! the caller: the bound is checked against raw reqwest sending the very
//! request the SDK sends (its `user-agent` and `x-request-id` included),
//! and a minimal raw request is reported beside it.
//!
//! `cargo bench --bench overhead` (add `-- --quick` for 2,000 calls,
//! `-- --aa` to check the harness, `-- --only sdk|raw` for a profiler).

mod common;

use std::time::{Duration, Instant};

use axum::Json;
use axum::routing::{get, post};
use serde_json::{Value, json};

use common::spread;

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

/// One call of the SDK: the GET or the POST.
async fn sdk_call(osigu: &osigu::Osigu, body: &osigu::types::StartDispensationRequest, post: bool) {
    if post {
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
}

/// What the raw reqwest side sends.
#[derive(Clone, Copy, PartialEq)]
enum Wire {
    /// The request the SDK sends, header for header (`accept`, its
    /// `user-agent`, an `x-request-id`), so the in-process server does the
    /// same work for both sides and the ratio is the client's cost alone.
    Same,
    /// Only what reqwest sends by default plus the token: fewer bytes for
    /// the server to parse, shown for reference.
    Minimal,
}

/// The same call with raw reqwest, decoded into the same generated type.
async fn raw_call(
    raw: &reqwest::Client,
    base: &str,
    body: &osigu::types::StartDispensationRequest,
    post: bool,
    wire: Wire,
) {
    let mut request = if post {
        // An owned body per call on both sides, as an application builds
        // one per sale (the SDK's `body()` takes it by value).
        let body = body.clone();
        raw.post(format!("{base}/dispensing/v1/dispensations"))
            .json(&body)
    } else {
        raw.get(format!("{base}/v1/sponsors"))
    };
    request = request.bearer_auth("bench-token");
    if wire == Wire::Same {
        request = request
            .header("accept", "application/json")
            .header(
                "user-agent",
                concat!("osigu-rust/", env!("CARGO_PKG_VERSION")),
            )
            .header("x-request-id", "osigu-rs-0123456789abcdef");
    }
    let response = request.send().await.unwrap();
    if post {
        let d: osigu::types::DispensationResource = response.json().await.unwrap();
        std::hint::black_box(d);
    } else {
        let s: Vec<osigu::types::SponsorResource> = response.json().await.unwrap();
        std::hint::black_box(s);
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    // `--only sdk|raw`: one side alone (GET then POST, no timing), for a
    // profiler such as `valgrind --tool=callgrind` to count what a call
    // costs on each side.
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    // `--aa`: raw reqwest in the SDK's place (sending the same request as
    // the baseline), to check that the harness favours no side: its
    // ratio should read 1.00.
    let aa = args.iter().any(|a| a == "--aa");
    let calls: usize = if quick { 2_000 } else { 20_000 };
    let rounds = 50;
    let base = serve().await;

    let _ = rustls::crypto::ring::default_provider().install_default();
    let osigu = osigu::Osigu::builder()
        .environment(osigu::Environment::Custom(base.clone()))
        .credentials("bench", "bench-secret")
        .rate_limits(osigu::RateLimits::off())
        .build()
        .unwrap();
    let raw_client = || {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    };
    // One client (one connection) per side, as the SDK has its own.
    let (raw, minimal, twin) = (raw_client(), raw_client(), raw_client());
    let body: osigu::types::StartDispensationRequest =
        serde_json::from_value(start_body()).unwrap();

    // Warm every side: connections, the SDK's token.
    for _ in 0..100 {
        sdk_call(&osigu, &body, false).await;
        raw_call(&raw, &base, &body, false, Wire::Same).await;
        raw_call(&minimal, &base, &body, false, Wire::Minimal).await;
        raw_call(&twin, &base, &body, false, Wire::Same).await;
    }

    if let Some(side) = only {
        for post in [false, true] {
            for _ in 0..calls {
                match side.as_str() {
                    "sdk" => sdk_call(&osigu, &body, post).await,
                    "raw" => raw_call(&raw, &base, &body, post, Wire::Same).await,
                    other => panic!("--only sdk or --only raw, not {other}"),
                }
            }
        }
        println!("{side}: {calls} GET and {calls} POST calls");
        return;
    }

    let mut results = Vec::new();
    for (name, post) in [
        ("GET /v1/sponsors", false),
        ("POST /dispensing/v1/dispensations", true),
    ] {
        let mut samples: [Vec<Duration>; 3] = std::array::from_fn(|_| Vec::with_capacity(calls));
        // Per round, each side's median against the same request's: a
        // burst of noise from the machine spoils the rounds it falls in,
        // not the whole figure.
        let mut per_round: [Vec<f64>; 2] = Default::default();
        for round in 0..rounds {
            let mut segment: [Vec<Duration>; 3] = Default::default();
            // Each round starts with another side: the first calls after a
            // switch run measurably slower (an A/A run of raw reqwest
            // against itself read 1.01–1.03 when one side always went
            // first).
            for k in 0..3 {
                let side = (round + k) % 3;
                for _ in 0..calls / rounds {
                    let started = Instant::now();
                    match side {
                        0 if aa => raw_call(&twin, &base, &body, post, Wire::Same).await,
                        0 => sdk_call(&osigu, &body, post).await,
                        1 => raw_call(&raw, &base, &body, post, Wire::Same).await,
                        _ => raw_call(&minimal, &base, &body, post, Wire::Minimal).await,
                    }
                    segment[side].push(started.elapsed());
                }
            }
            for (all, these) in samples.iter_mut().zip(&segment) {
                all.extend_from_slice(these);
            }
            let [sdk, same, minimal] = segment.map(|s| micros(median(s)));
            per_round[0].push(sdk / same);
            per_round[1].push(sdk / minimal);
        }
        let [sdk, same, minimal] = samples.map(median);
        let [vs_same, vs_minimal] = per_round.map(spread);
        results.push((name, sdk, same, minimal, vs_same, vs_minimal));
    }

    let subject = if aa { "raw reqwest (A/A)" } else { "osigu" };
    println!("per-call overhead, {calls} sequential calls per side in {rounds} rounds");
    println!(
        "ratio: the median over rounds of each round's median latency against raw reqwest's \
         (middle half of the rounds in brackets); latencies: medians over all calls"
    );
    println!(
        "| call | {subject} | raw reqwest, same request | ratio (target ≤ 1.05) | raw reqwest, minimal request | ratio |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, sdk, same, minimal, vs_same, vs_minimal) in results {
        println!(
            "| {name} | {:.1} µs | {:.1} µs | {:.3} [{:.3}–{:.3}] | {:.1} µs | {:.3} [{:.3}–{:.3}] |",
            micros(sdk),
            micros(same),
            vs_same.median,
            vs_same.low,
            vs_same.high,
            micros(minimal),
            vs_minimal.median,
            vs_minimal.low,
            vs_minimal.high,
        );
    }
}

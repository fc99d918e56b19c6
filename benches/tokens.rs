//! Token single flight and refresh in steady state, against a local token
//! endpoint that takes 200 ms to answer.
//!
//! 1. 1,000 concurrent calls on a cold cache: how many token requests.
//! 2. Sequential calls for 6 s with tokens that live 4 s (so refreshed
//!    several times): how many calls waited on a refresh, compared with the
//!    latency of a call that needs no token work.
//!
//! `cargo bench --bench tokens`

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::routing::{get, post};
use serde_json::json;

async fn serve(lifetime_secs: u64, tokens: Arc<AtomicUsize>) -> String {
    let app = axum::Router::new()
        .route(
            "/v1/oauth/token",
            post(move || {
                let tokens = Arc::clone(&tokens);
                async move {
                    let n = tokens.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    Json(json!({ "access_token": format!("tok-{n}"), "token_type": "bearer", "expires_in": lifetime_secs }))
                }
            }),
        )
        .route("/v1/sponsors", get(|| async { Json(json!([{ "sponsor_slug": "demo-insurer" }])) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn client(base: &str) -> osigu::Osigu {
    osigu::Osigu::builder()
        .environment(osigu::Environment::Custom(base.to_owned()))
        .credentials("bench", "bench-secret")
        .rate_limits(osigu::RateLimits::off())
        .build()
        .unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // 1. Cold cache, 1,000 concurrent calls.
    let tokens = Arc::new(AtomicUsize::new(0));
    let base = serve(3600, Arc::clone(&tokens)).await;
    let osigu = client(&base);
    let started = Instant::now();
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let osigu = osigu.clone();
            tokio::spawn(async move { osigu.list_sponsors().send().await.is_ok() })
        })
        .collect();
    let mut ok = 0;
    for call in calls {
        ok += usize::from(call.await.unwrap());
    }
    println!(
        "cold cache: {ok}/1000 calls succeeded, {} token request(s) (target 1), {:.0} ms in all",
        tokens.load(Ordering::SeqCst),
        started.elapsed().as_secs_f64() * 1e3
    );

    // 2. Steady state through several refreshes.
    let tokens = Arc::new(AtomicUsize::new(0));
    let base = serve(4, Arc::clone(&tokens)).await;
    let osigu = client(&base);
    osigu.list_sponsors().send().await.unwrap(); // the first token
    let mut latencies = Vec::new();
    let until = Instant::now() + Duration::from_secs(6);
    while Instant::now() < until {
        let started = Instant::now();
        osigu.list_sponsors().send().await.unwrap();
        latencies.push(started.elapsed());
    }
    latencies.sort();
    let median = latencies[latencies.len() / 2];
    // A call that waited on the 200 ms token request would take over 150 ms.
    let blocked = latencies
        .iter()
        .filter(|l| **l > Duration::from_millis(150))
        .count();
    println!(
        "steady state: {} calls over 6 s, {} background refreshes, median {:.1} µs, p99.9 {:.1} µs, max {:.1} µs, {} call(s) blocked on a refresh (target 0)",
        latencies.len(),
        tokens.load(Ordering::SeqCst).saturating_sub(1),
        median.as_secs_f64() * 1e6,
        latencies[latencies.len() * 999 / 1000].as_secs_f64() * 1e6,
        latencies.last().unwrap().as_secs_f64() * 1e6,
        blocked
    );
}

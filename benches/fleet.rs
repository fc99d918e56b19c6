//! Fleet scale: several OS processes, several clients each, one
//! `client_id`, one sandbox with shrunk windows (50 calls and 10 token
//! requests per 3 s, 36 s tokens), in real time.
//!
//! - `fleet`: the Redis token store and rate limiter. Targets: 0 429s,
//!   utilisation at least 0.95, token requests at most refresh cycles + 1.
//! - `fleet-control`: the same load with in-memory stores; it must show
//!   the problem (429s).
//! - `fleet-fault`: the Redis stores, with Redis killed a third of the way
//!   in and restarted empty at two thirds. Target: no call lost.
//!
//! First it prints the cost of one limiter acquire and one token load,
//! Redis against in-process, as ratios measured in the same run.
//!
//! `cargo bench --features redis --bench fleet`
//!
//! The bench re-runs its own executable as each worker process
//! (`OSIGU_FLEET_WORKER` set); a worker prints one `worker:` line.

#[path = "../tests/common/redis_server.rs"]
#[allow(dead_code)]
mod redis_server;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use osigu::fleet::{FailurePolicy, RedisFleet};
use osigu::operations::Bucket;
use osigu::{AccessToken, Osigu, Rate, RateLimiter, RateLimits, RetryPolicy, TokenStore};
use osigu_sandbox::{RateLimit, Sandbox, SandboxConfig};
use redis_server::RedisServer;

const PROCESSES: usize = 3;
const CLIENTS: usize = 4;
/// Per client: 12 clients × 25 = 300 calls, six full windows of 50.
const CALLS: usize = 25;
const LIMIT: u32 = 50;
const WINDOW: Duration = Duration::from_secs(3);
const TOKEN_LIFETIME: Duration = Duration::from_secs(36);

fn limits() -> RateLimits {
    RateLimits {
        general: Some(Rate {
            requests: LIMIT,
            per: WINDOW,
        }),
        token: Some(Rate {
            requests: 10,
            per: WINDOW,
        }),
        uploads: None,
    }
}

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}

fn main() {
    if let Ok(job) = std::env::var("OSIGU_FLEET_WORKER") {
        return worker(&job);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(parent());
}

struct Outcome {
    calls: u64,
    lost: u64,
    span: Duration,
    rate_limited: u64,
    token_requests: u64,
}

async fn parent() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let redis = RedisServer::start();
    costs(&redis).await;

    let config = SandboxConfig::default()
        .rate_limit(Some(RateLimit::new(LIMIT, WINDOW)))
        .token_rate_limit(Some(RateLimit::new(10, WINDOW)))
        .token_lifetime(TOKEN_LIFETIME);

    let sandbox = Sandbox::start_with(config.clone()).await.unwrap();
    let fleet = run(&sandbox, "redis", &redis.url(), |_| async {}).await;
    drop(sandbox);

    let sandbox = Sandbox::start_with(config.clone()).await.unwrap();
    let control = run(&sandbox, "memory", &redis.url(), |_| async {}).await;
    drop(sandbox);

    let sandbox = Sandbox::start_with(config).await.unwrap();
    let _: () = redis::cmd("FLUSHALL").query(&mut redis.conn()).unwrap();
    let url = redis.url();
    let redis = std::sync::Mutex::new(redis);
    let fault = run(&sandbox, "redis", &url, |expected: Duration| {
        let redis = &redis;
        async move {
            tokio::time::sleep(expected / 3).await;
            redis.lock().unwrap().kill();
            tokio::time::sleep(expected / 3).await;
            redis.lock().unwrap().restart();
        }
    })
    .await;

    let windows = fleet.span.as_millis() / WINDOW.as_millis() + 1;
    let allowed = windows as f64 * f64::from(LIMIT);
    let utilisation = fleet.calls as f64 / allowed;
    let refresh_cycles = fleet.span.as_millis().div_ceil(TOKEN_LIFETIME.as_millis());
    println!(
        "fleet: processes={PROCESSES} clients={} calls={} 429s={} utilisation={utilisation:.2} token_requests={} refresh_cycles={refresh_cycles}",
        PROCESSES * CLIENTS,
        fleet.calls,
        fleet.rate_limited,
        fleet.token_requests
    );
    println!(
        "fleet-control: processes={PROCESSES} clients={} calls={} 429s={} token_requests={}",
        PROCESSES * CLIENTS,
        control.calls,
        control.rate_limited,
        control.token_requests
    );
    println!(
        "fleet-fault: processes={PROCESSES} clients={} calls={} 429s={} lost={}",
        PROCESSES * CLIENTS,
        fault.calls,
        fault.rate_limited,
        fault.lost
    );
}

/// Runs the workers against `sandbox`, with `chaos` alongside (given the
/// expected run time), and sums what they report.
async fn run<F, Fut>(sandbox: &Sandbox, mode: &str, redis: &str, chaos: F) -> Outcome
where
    F: FnOnce(Duration) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let exe = std::env::current_exe().unwrap();
    let job = format!("{mode} {} {redis}", sandbox.base_url());
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(&exe)
                .env("OSIGU_FLEET_WORKER", &job)
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap()
        })
        .collect();
    let windows = (PROCESSES * CLIENTS * CALLS) as u32 / LIMIT;
    let expected = WINDOW * windows;
    let waiting = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|child| {
                let out = child.wait_with_output().unwrap();
                String::from_utf8_lossy(&out.stdout).into_owned()
            })
            .collect::<Vec<_>>()
    });
    let (reports, ()) = tokio::join!(waiting, chaos(expected));
    let (mut calls, mut lost, mut first, mut last) = (0, 0, u128::MAX, 0);
    for report in reports.unwrap() {
        let line = report
            .lines()
            .find(|l| l.starts_with("worker:"))
            .unwrap_or_else(|| panic!("a worker reported nothing: {report:?}"));
        let field = |name: &str| -> u128 {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("no {name} in {line:?}"))
        };
        calls += field("ok") as u64;
        lost += field("lost") as u64;
        first = first.min(field("first_ms"));
        last = last.max(field("last_ms"));
    }
    let counters = sandbox.counters();
    Outcome {
        calls,
        lost,
        span: Duration::from_millis(u64::try_from(last.saturating_sub(first)).unwrap_or(0)),
        rate_limited: counters.rate_limited,
        token_requests: counters.token_requests,
    }
}

/// One worker process: `CLIENTS` clients, `CALLS` calls each.
fn worker(job: &str) {
    let mut parts = job.split(' ');
    let (mode, base, redis) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let environment = osigu::Environment::Custom(base);
        let (id, secret) = ("sandbox-client", "sandbox-secret");
        let retry = RetryPolicy {
            max_attempts: 10,
            max_elapsed: Duration::from_secs(60),
            ..RetryPolicy::default()
        };
        let fleet = (mode == "redis").then(|| {
            RedisFleet::builder(&redis)
                .client(&environment, id, secret)
                .rate_limits(limits())
                .jitter_allowance(Duration::from_millis(50))
                .on_failure(FailurePolicy::FallbackLocal {
                    fleet_size: PROCESSES as u32,
                })
                .build()
                .unwrap()
        });
        let clients: Vec<Osigu> = (0..CLIENTS)
            .map(|_| {
                let builder = Osigu::builder()
                    .environment(environment.clone())
                    .credentials(id, secret)
                    .retry(retry)
                    .rate_limits(limits());
                match &fleet {
                    Some(fleet) => builder.redis_fleet(fleet),
                    None => builder,
                }
                .build()
                .unwrap()
            })
            .collect();
        let first = unix_ms();
        let loops = clients.iter().map(|osigu| async move {
            let (mut ok, mut lost) = (0u64, 0u64);
            for _ in 0..CALLS {
                match osigu.list_sponsors().send().await {
                    Ok(_) => ok += 1,
                    Err(_) => lost += 1,
                }
            }
            (ok, lost)
        });
        let results = futures_util::future::join_all(loops).await;
        let last = unix_ms();
        let ok: u64 = results.iter().map(|r| r.0).sum();
        let lost: u64 = results.iter().map(|r| r.1).sum();
        println!("worker: ok={ok} lost={lost} first_ms={first} last_ms={last}");
    });
}

/// The per-call cost of the Redis stores against the in-process ones.
async fn costs(redis: &RedisServer) {
    const ROUNDS: u32 = 2000;
    let generous = RateLimits {
        general: Some(Rate {
            requests: 1_000_000,
            per: Duration::from_secs(1),
        }),
        ..RateLimits::off()
    };
    let fleet = RedisFleet::builder(redis.url())
        .client(&osigu::Environment::Sandbox, "bench-client", "bench-secret")
        .rate_limits(generous)
        .build()
        .unwrap();
    let local = osigu::LocalRateLimiter::new(generous);
    let shared = fleet.rate_limiter();
    let time = |elapsed: Duration| elapsed.as_secs_f64() * 1e6 / f64::from(ROUNDS);

    let started = Instant::now();
    for _ in 0..ROUNDS {
        local.acquire(Bucket::General).await.unwrap();
    }
    let local_us = time(started.elapsed());
    shared.acquire(Bucket::General).await.unwrap();
    let started = Instant::now();
    for _ in 0..ROUNDS {
        shared.acquire(Bucket::General).await.unwrap();
    }
    let redis_us = time(started.elapsed());
    println!(
        "cost: acquire local={local_us:.2}us redis={redis_us:.1}us ratio={:.0}x",
        redis_us / local_us
    );

    let token = AccessToken::new("bench-token", SystemTime::now() + Duration::from_secs(3600));
    let memory = osigu::MemoryTokenStore::default();
    memory.save(&token).await;
    let store: Arc<osigu::fleet::RedisTokenStore> = fleet.token_store();
    store.save(&token).await;
    let started = Instant::now();
    for _ in 0..ROUNDS {
        memory.load().await.unwrap();
    }
    let memory_us = time(started.elapsed());
    let started = Instant::now();
    for _ in 0..ROUNDS {
        store.load().await.unwrap();
    }
    let store_us = time(started.elapsed());
    println!(
        "cost: token load memory={memory_us:.2}us redis={store_us:.1}us ratio={:.0}x",
        store_us / memory_us
    );
}

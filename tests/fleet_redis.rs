//! The fleet stores against a real `redis-server` each test starts itself
//! (feature `redis`; without `redis-server` these tests fail, saying what
//! to install). Every `Osigu` gets its own `RedisFleet`, so each stands
//! for a separate process: nothing is shared but Redis.
#![cfg(feature = "redis")]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use common::redis_server::RedisServer;
use osigu::fleet::{FailurePolicy, RedisFleet, RedisFleetBuilder, SharedDelivery};
use osigu::operations::Bucket;
use osigu::{AccessToken, Osigu, Rate, RateLimiter, RateLimits, RetryPolicy, TokenStore};
use osigu_sandbox::{RateLimit, Sandbox, SandboxConfig};

fn fleet_builder(redis: &str, sandbox: &Sandbox) -> RedisFleetBuilder {
    RedisFleet::builder(redis).client(
        &osigu::Environment::Custom(sandbox.base_url().to_owned()),
        sandbox.client_id(),
        sandbox.client_secret(),
    )
}

fn member(fleet: &RedisFleet, sandbox: &Sandbox, retry: RetryPolicy) -> Osigu {
    Osigu::builder()
        .environment(osigu::Environment::Custom(sandbox.base_url().to_owned()))
        .credentials(sandbox.client_id(), sandbox.client_secret())
        .retry(retry)
        .redis_fleet(fleet)
        .build()
        .unwrap()
}

fn per_second(requests: u32) -> RateLimits {
    RateLimits {
        general: Some(Rate {
            requests,
            per: Duration::from_secs(1),
        }),
        token: Some(Rate::per_minute(10)),
        uploads: Some(Rate::per_minute(20)),
    }
}

fn keys(redis: &RedisServer) -> Vec<String> {
    redis::cmd("KEYS")
        .arg("*")
        .query(&mut redis.conn())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_fleet_makes_one_token_request() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let members: Vec<Osigu> = (0..12)
        .map(|_| {
            let fleet = fleet_builder(&redis.url(), &sandbox).build().unwrap();
            member(&fleet, &sandbox, RetryPolicy::none())
        })
        .collect();
    let calls = members.iter().map(|osigu| osigu.list_sponsors().send());
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    let counters = sandbox.counters();
    assert_eq!(counters.token_requests, 1, "one token for the whole fleet");
    assert_eq!(counters.rate_limited, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_refresh_goes_through_the_store() {
    let redis = RedisServer::start();
    // An 8 s token is refreshed a little over 2 s after a member sees it.
    let sandbox = Sandbox::start_with(
        SandboxConfig::default()
            .token_lifetime(Duration::from_secs(8))
            .rate_limit(None),
    )
    .await
    .unwrap();
    let members: Vec<Osigu> = (0..6)
        .map(|_| {
            // The API calls are not what is measured here: no pacing.
            let fleet = fleet_builder(&redis.url(), &sandbox)
                .rate_limits(RateLimits {
                    general: None,
                    ..RateLimits::default()
                })
                .build()
                .unwrap();
            member(&fleet, &sandbox, RetryPolicy::none())
        })
        .collect();
    let started = Instant::now();
    let run = Duration::from_secs(7);
    let loops = members.iter().map(|osigu| async move {
        while started.elapsed() < run {
            osigu.list_sponsors().send().await.unwrap();
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    });
    futures_util::future::join_all(loops).await;
    let fetched = sandbox.counters().token_requests;
    // Alone, six members would each refresh about every 2.25 to 3 s: 18
    // or more. Shared, the fleet refreshes once per cycle.
    assert!((2..=5).contains(&fetched), "token requests: {fetched}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_never_exceeds_its_rate_and_the_control_does() {
    let redis = RedisServer::start();
    let limit = RateLimit::new(10, Duration::from_secs(1));
    let sandbox = Sandbox::start_with(SandboxConfig::default().rate_limit(Some(limit)))
        .await
        .unwrap();
    // 4 "processes" with 2 clients each, 5 calls per client: 40 calls
    // against 10 a second.
    let mut members = Vec::new();
    for _ in 0..4 {
        let fleet = fleet_builder(&redis.url(), &sandbox)
            .rate_limits(per_second(10))
            .jitter_allowance(Duration::from_millis(50))
            .build()
            .unwrap();
        members.push(member(&fleet, &sandbox, RetryPolicy::none()));
        members.push(member(&fleet, &sandbox, RetryPolicy::none()));
    }
    let calls = members.iter().map(|osigu| async move {
        for _ in 0..5 {
            osigu.list_sponsors().send().await.unwrap();
        }
    });
    futures_util::future::join_all(calls).await;
    let counters = sandbox.counters();
    assert_eq!(
        counters.rate_limited, 0,
        "the sandbox's own sliding log saw more than 10 in a second"
    );
    assert_eq!(counters.requests_to("GET /v1/sponsors"), 40);

    // The same load with each client pacing itself alone collects 429s.
    sandbox.reset_counters();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let alone: Vec<Osigu> = (0..8)
        .map(|_| {
            Osigu::builder()
                .environment(osigu::Environment::Custom(sandbox.base_url().to_owned()))
                .credentials(sandbox.client_id(), sandbox.client_secret())
                .retry(RetryPolicy::none())
                .rate_limits(per_second(10))
                .build()
                .unwrap()
        })
        .collect();
    let calls = alone.iter().map(|osigu| async move {
        for _ in 0..5 {
            let _ = osigu.list_sponsors().send().await;
        }
    });
    futures_util::future::join_all(calls).await;
    assert!(
        sandbox.counters().rate_limited > 0,
        "the control must show the problem"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_pauses_every_member() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let build = || {
        fleet_builder(&redis.url(), &sandbox)
            .cold_start_guard(false)
            .build()
            .unwrap()
            .rate_limiter()
    };
    let (one, other) = (build(), build());
    one.acquire(Bucket::General).await.unwrap();
    one.penalize(Bucket::General, Duration::from_millis(800))
        .await;
    let started = Instant::now();
    other.acquire(Bucket::General).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "the other member waited {:?}",
        started.elapsed()
    );
    // Other buckets are not held back.
    let started = Instant::now();
    other.acquire(Bucket::Uploads).await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_run_and_restarted_empty_loses_no_call() {
    let mut redis = RedisServer::start();
    let sandbox = Sandbox::start_with(
        SandboxConfig::default().rate_limit(Some(RateLimit::new(10, Duration::from_secs(1)))),
    )
    .await
    .unwrap();
    let members: Vec<Osigu> = (0..3)
        .map(|_| {
            let fleet = fleet_builder(&redis.url(), &sandbox)
                .rate_limits(per_second(10))
                .jitter_allowance(Duration::from_millis(50))
                .op_timeout(Duration::from_millis(100))
                .breaker_cooldown(Duration::from_millis(300))
                .on_failure(FailurePolicy::FallbackLocal { fleet_size: 3 })
                .build()
                .unwrap();
            member(&fleet, &sandbox, RetryPolicy::default())
        })
        .collect();
    let started = Instant::now();
    let run = Duration::from_secs(5);
    let loops = members.iter().map(|osigu| async move {
        let (mut ok, mut lost) = (0u32, 0u32);
        while started.elapsed() < run {
            match osigu.list_sponsors().send().await {
                Ok(_) => ok += 1,
                Err(_) => lost += 1,
            }
        }
        (ok, lost)
    });
    let chaos = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(keys(&redis).iter().any(|k| k.ends_with(":rl:general")));
        redis.kill();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        redis.restart();
        assert!(keys(&redis).is_empty(), "the restarted Redis starts empty");
    };
    let (results, ()) = tokio::join!(futures_util::future::join_all(loops), chaos);
    let lost: u32 = results.iter().map(|r| r.1).sum();
    let ok: u32 = results.iter().map(|r| r.0).sum();
    assert_eq!(lost, 0, "calls lost to the outage");
    assert!(ok >= 15, "only {ok} calls in 5 s");
    // After the restart the members went back to Redis: the scripts were
    // reloaded and the log exists again.
    let after = keys(&redis);
    assert!(
        after.iter().any(|k| k.ends_with(":rl:general")),
        "keys after restart: {after:?}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_slow_redis_is_given_up_within_the_timeout_with_a_warning() {
    let (captured, _guard) = common::Captured::trace();
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let limiter = fleet_builder(&redis.url(), &sandbox)
        .op_timeout(Duration::from_millis(100))
        .cold_start_guard(false)
        .build()
        .unwrap()
        .rate_limiter();
    limiter.acquire(Bucket::General).await.unwrap();
    // Redis stops answering for 1.5 s.
    let _: () = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(1500)
        .arg("ALL")
        .query(&mut redis.conn())
        .unwrap();
    let started = Instant::now();
    for _ in 0..3 {
        limiter.acquire(Bucket::General).await.unwrap();
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(900),
        "three acquires took {took:?}"
    );
    assert!(
        captured.text().contains("Redis unavailable"),
        "{}",
        captured.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_down_at_start_does_not_stop_the_client_and_is_used_once_up() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let sandbox = Sandbox::start().await.unwrap();
    let fleet = fleet_builder(&format!("redis://127.0.0.1:{port}/"), &sandbox)
        .op_timeout(Duration::from_millis(100))
        .breaker_cooldown(Duration::from_millis(200))
        .cold_start_guard(false)
        .build()
        .unwrap();
    let osigu = member(&fleet, &sandbox, RetryPolicy::none());
    osigu.list_sponsors().send().await.unwrap();
    let redis = RedisServer::try_on(port).expect("redis-server on the chosen port");
    tokio::time::sleep(Duration::from_millis(300)).await;
    osigu.list_sponsors().send().await.unwrap();
    assert!(keys(&redis).iter().any(|k| k.ends_with(":rl:general")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neither_the_secret_nor_the_token_crosses_to_redis_in_clear() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let monitor = redis.monitor();
    let fleet = fleet_builder(&redis.url(), &sandbox).build().unwrap();
    let osigu = member(&fleet, &sandbox, RetryPolicy::none());
    osigu.list_sponsors().send().await.unwrap();
    let second = member(
        &fleet_builder(&redis.url(), &sandbox).build().unwrap(),
        &sandbox,
        RetryPolicy::none(),
    );
    second.list_sponsors().send().await.unwrap();
    let token = fleet
        .token_store()
        .load()
        .await
        .expect("the token is in Redis");
    let seen = monitor.finish();
    let contains = |needle: &str| seen.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(contains("SET"), "MONITOR saw the traffic");
    assert!(!contains(token.secret()), "the token crossed in clear");
    assert!(!contains(sandbox.client_secret()), "the secret crossed");
    assert!(!contains(sandbox.client_id()), "the client id crossed");
    assert_eq!(sandbox.counters().token_requests, 1);
    let shown = format!(
        "{fleet:?} {:?} {:?}",
        fleet.token_store(),
        fleet.rate_limiter()
    );
    assert!(!shown.contains(token.secret()) && !shown.contains(sandbox.client_secret()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_member_cannot_evict_a_fresh_token() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let store = fleet_builder(&redis.url(), &sandbox)
        .build()
        .unwrap()
        .token_store();
    let other = fleet_builder(&redis.url(), &sandbox)
        .build()
        .unwrap()
        .token_store();
    let hour = SystemTime::now() + Duration::from_secs(3600);
    let old = AccessToken::new("old-token", hour);
    let fresh = AccessToken::new("fresh-token", hour + Duration::from_secs(600));
    store.save(&old).await;
    other.save(&fresh).await;
    // A shorter-lived token does not replace a longer-lived one.
    store.save(&old).await;
    store.discard(&old).await;
    let kept = other.load().await.expect("the fresh token survives");
    assert_eq!(kept.secret(), "fresh-token");
    // Its expiry comes from the key's TTL, a little short of the token's.
    let left = kept.expires_at().duration_since(SystemTime::now()).unwrap();
    assert!(
        left < Duration::from_secs(4200) && left > Duration::from_secs(4100),
        "{left:?}"
    );
    other.discard(&fresh).await;
    assert!(store.load().await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_remembered_by_the_whole_fleet() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let members: Vec<Osigu> = (0..5)
        .map(|_| {
            let fleet = RedisFleet::builder(redis.url())
                .client(
                    &osigu::Environment::Custom(sandbox.base_url().to_owned()),
                    sandbox.client_id(),
                    "wrong-secret",
                )
                .build()
                .unwrap();
            Osigu::builder()
                .environment(osigu::Environment::Custom(sandbox.base_url().to_owned()))
                .credentials(sandbox.client_id(), "wrong-secret")
                .retry(RetryPolicy::none())
                .redis_fleet(&fleet)
                .build()
                .unwrap()
        })
        .collect();
    let calls = members.iter().map(|osigu| osigu.list_sponsors().send());
    for result in futures_util::future::join_all(calls).await {
        assert!(matches!(result, Err(osigu::Error::Auth(_))), "{result:?}");
    }
    // And again: still nobody asks.
    for osigu in &members {
        assert!(matches!(
            osigu.list_sponsors().send().await,
            Err(osigu::Error::Auth(_))
        ));
    }
    assert_eq!(sandbox.counters().token_requests, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_values_in_redis_are_treated_as_absent() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let fleet = fleet_builder(&redis.url(), &sandbox)
        .breaker_cooldown(Duration::from_millis(50))
        .build()
        .unwrap();
    let space = fleet.key_space().to_owned();
    let mut conn = redis.conn();
    let set = |conn: &mut redis::Connection, key: String, value: &[u8]| {
        let _: () = redis::cmd("SET").arg(key).arg(value).query(conn).unwrap();
    };
    set(
        &mut conn,
        format!("{space}:token"),
        b"t1garbage-that-does-not-open",
    );
    set(&mut conn, format!("{space}:token:failure"), b"no-such-kind");
    set(
        &mut conn,
        format!("{space}:rl:general"),
        b"not a sorted set",
    );
    set(&mut conn, format!("{space}:rl:uploads:pause"), b"soon");
    let osigu = member(&fleet, &sandbox, RetryPolicy::none());
    osigu.list_sponsors().send().await.unwrap();
    assert_eq!(sandbox.counters().token_requests, 1);
    let limiter = fleet.rate_limiter();
    limiter.acquire(Bucket::Uploads).await.unwrap();
    limiter.acquire(Bucket::General).await.unwrap();
    // The fresh token replaced the corrupt value.
    assert!(fleet.token_store().load().await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_deliveries_are_told_apart_across_receivers() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let a = fleet_builder(&redis.url(), &sandbox)
        .build()
        .unwrap()
        .deduplicator();
    let b = fleet_builder(&redis.url(), &sandbox)
        .build()
        .unwrap()
        .deduplicator();
    let SharedDelivery::New(claim) = a.begin("evt_1").await.unwrap() else {
        panic!("the first delivery is new");
    };
    assert!(matches!(
        b.begin("evt_1").await.unwrap(),
        SharedDelivery::InFlight
    ));
    claim.handled().await.unwrap();
    assert!(matches!(
        b.begin("evt_1").await.unwrap(),
        SharedDelivery::Handled
    ));

    // A claim dropped without handled() releases the event.
    let SharedDelivery::New(claim) = a.begin("evt_2").await.unwrap() else {
        panic!("new");
    };
    drop(claim);
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match b.begin("evt_2").await.unwrap() {
            SharedDelivery::New(claim) => {
                claim.handled().await.unwrap();
                break;
            }
            SharedDelivery::InFlight if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            other => panic!("the dropped claim was not released: {other:?}"),
        }
    }
    // Without Redis, begin fails (answer 503) rather than guess.
    drop(redis);
    assert!(matches!(
        a.begin("evt_3").await,
        Err(osigu::Error::SharedStore { .. })
    ));
}

/// The reservations' scores are Redis-side send times: check the window
/// on them directly, while the callers still wait for their slots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reservations_never_put_more_than_n_in_any_window_and_give_back_their_place() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let window = Duration::from_millis(1000);
    let jitter = Duration::from_millis(50);
    let limiters: Vec<_> = (0..4)
        .map(|_| {
            let fleet = fleet_builder(&redis.url(), &sandbox)
                .rate_limits(RateLimits {
                    general: Some(Rate {
                        requests: 5,
                        per: window,
                    }),
                    ..RateLimits::default()
                })
                .jitter_allowance(jitter)
                .build()
                .unwrap();
            (fleet.key_space().to_owned(), fleet.rate_limiter())
        })
        .collect();
    let log = format!("{}:rl:general", limiters[0].0);
    let mut waiting = Vec::new();
    for (_, limiter) in &limiters {
        for _ in 0..6 {
            let limiter = Arc::clone(limiter);
            waiting.push(tokio::spawn(async move {
                limiter.acquire(Bucket::General).await
            }));
        }
    }
    let mut conn = redis.conn();
    let deadline = Instant::now() + Duration::from_secs(2);
    let scores: Vec<(String, u64)> = loop {
        let scores: Vec<(String, u64)> = redis::cmd("ZRANGE")
            .arg(&log)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES")
            .query(&mut conn)
            .unwrap();
        if scores.len() == 24 || Instant::now() > deadline {
            break scores;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(scores.len(), 24, "every caller holds a reservation");
    let times: Vec<u64> = scores.iter().map(|s| s.1).collect();
    let span = u64::try_from((window + jitter).as_millis()).unwrap();
    for (i, start) in times.iter().enumerate() {
        let inside = times[i..].iter().take_while(|t| **t < start + span).count();
        assert!(
            inside <= 5,
            "{inside} reservations within {span} ms from {start}: {times:?}"
        );
    }
    assert!(
        times.last().unwrap() - times[0] >= 4 * span,
        "24 at 5 per window span 4 windows"
    );
    // Callers that give up give their place back.
    for task in &waiting {
        task.abort();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let left: u64 = redis::cmd("ZCARD").arg(&log).query(&mut conn).unwrap();
    assert!(
        left <= 10,
        "{left} reservations left after the callers gave up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cold_start_guard_counts_a_lost_log_as_a_full_window() {
    let mut redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let limiter = fleet_builder(&redis.url(), &sandbox)
        .rate_limits(per_second(3))
        .cold_start_guard(true)
        .op_timeout(Duration::from_millis(200))
        .breaker_cooldown(Duration::from_millis(50))
        .build()
        .unwrap()
        .rate_limiter();
    // First use of a fresh Redis: a full window is assumed.
    let started = Instant::now();
    limiter.acquire(Bucket::General).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    redis.restart();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The first attempt may meet the dropped connection and go local;
    // once Redis answers again, the lost log counts as full.
    let mut waited = Duration::ZERO;
    for _ in 0..5 {
        let started = Instant::now();
        limiter.acquire(Bucket::General).await.unwrap();
        waited = started.elapsed();
        if waited >= Duration::from_millis(900) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        waited >= Duration::from_millis(900),
        "after the restart: {waited:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_open_or_closed_is_the_callers_choice() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let sandbox = Sandbox::start().await.unwrap();
    let limiter = |policy| {
        fleet_builder(&format!("redis://127.0.0.1:{port}/"), &sandbox)
            .rate_limits(per_second(1))
            .op_timeout(Duration::from_millis(100))
            .on_failure(policy)
            .build()
            .unwrap()
            .rate_limiter()
    };
    let closed = limiter(FailurePolicy::FailClosed);
    let refused = closed.acquire(Bucket::General).await.unwrap_err();
    assert!(
        matches!(refused, osigu::Error::SharedStore { .. }),
        "{refused:?}"
    );
    assert!(refused.is_retryable());
    let open = limiter(FailurePolicy::FailOpen);
    let started = Instant::now();
    for _ in 0..5 {
        open.acquire(Bucket::General).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "fail open does not pace"
    );
    // The local fallback paces at N / fleet size: 1 a second here.
    let local = limiter(FailurePolicy::FallbackLocal { fleet_size: 1 });
    local.acquire(Bucket::General).await.unwrap();
    let started = Instant::now();
    local.acquire(Bucket::General).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_endpoint_retry_after_is_honoured_by_the_whole_fleet() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    // One member met a 429 from the token endpoint and recorded it.
    fleet_builder(&redis.url(), &sandbox)
        .build()
        .unwrap()
        .token_store()
        .save_failure(osigu::SharedFailure::RetryAfter(Duration::from_secs(5)))
        .await;
    let other = fleet_builder(&redis.url(), &sandbox).build().unwrap();
    let osigu = member(&other, &sandbox, RetryPolicy::none());
    let error = osigu.list_sponsors().send().await.unwrap_err();
    match error {
        osigu::Error::RateLimited { retry_after, .. } => {
            let wait = retry_after.expect("a shared Retry-After");
            assert!(
                wait <= Duration::from_secs(5) && wait > Duration::from_secs(3),
                "{wait:?}"
            );
        }
        other => panic!("expected the shared 429, got {other:?}"),
    }
    assert_eq!(
        sandbox.counters().token_requests,
        0,
        "nobody asked the token endpoint"
    );
}

//! The client core against a local mock of Osigu (wiremock): tokens,
//! retries, rate limits, error envelopes and what reaches the logs.
//!
//! Tests that wait (Retry-After, token expiry, pacing) run on tokio's paused
//! clock. They use a reqwest client with no timeouts and no idle-pool timer:
//! under a paused clock tokio jumps to the next timer whenever it is idle,
//! so a pending socket read would otherwise "time out" at once.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::untimed_http;
use osigu::{Environment, Error, Osigu, RateLimits, RetryPolicy, Stage};
use tokio::time::Instant;
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const CLIENT_ID: &str = "pharmacy-pos";
const CLIENT_SECRET: &str = "s3cr3t-client-value";

fn token_body(token: &str, expires_in: u64) -> serde_json::Value {
    serde_json::json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": expires_in,
        "scope": "arc:read arc:write"
    })
}

/// A token endpoint that answers `token` to the right credentials only.
async fn token_endpoint(server: &MockServer, token: &str, expires_in: u64) {
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .and(header("authorization", basic_auth().as_str()))
        .and(query_param("grant_type", "client_credentials"))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(token, expires_in)))
        .mount(server)
        .await;
}

fn basic_auth() -> String {
    // base64("pharmacy-pos:s3cr3t-client-value")
    "Basic cGhhcm1hY3ktcG9zOnMzY3IzdC1jbGllbnQtdmFsdWU=".to_owned()
}

fn sponsors_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!([
        { "sponsor_slug": "demo-insurer", "name": "Demo Insurer", "country_code": "GT" }
    ]))
}

/// Fast retries, no pacing: what most tests want.
fn builder(server: &MockServer) -> osigu::OsiguBuilder {
    Osigu::builder()
        .environment(Environment::Custom(server.uri()))
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .rate_limits(RateLimits::off())
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
            ..Default::default()
        })
}

async fn requests_to(server: &MockServer, route: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == route)
        .collect()
}

fn bearer(request: &Request) -> String {
    request
        .headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_calls_on_a_cold_cache_make_one_token_request() {
    let server = MockServer::start().await;
    // A slow token endpoint, so every call arrives while the first fetch is out.
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(token_body("tok-A", 3600))
                .set_delay(Duration::from_millis(200)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .and(header("authorization", "Bearer tok-A"))
        .respond_with(sponsors_ok())
        .expect(200)
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();

    let calls: Vec<_> = (0..200)
        .map(|_| {
            let osigu = osigu.clone();
            tokio::spawn(async move { osigu.list_sponsors().send().await.map(|r| r.len()) })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), 1);
    }
    // `expect` is checked when the server drops: exactly one token request.
}

#[tokio::test(start_paused = true)]
async fn a_token_is_refreshed_in_the_background_before_it_expires_and_never_used_after() {
    let server = MockServer::start().await;
    // Three tokens in turn, each valid for 60 s.
    for token in ["tok-1", "tok-2", "tok-3"] {
        Mock::given(method("POST"))
            .and(path("/v1/oauth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(token_body(token, 60)))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(sponsors_ok())
        .mount(&server)
        .await;
    let store = Arc::new(SignallingStore::default());
    let osigu = builder(&server)
        .http_client(untimed_http())
        .token_store(store.clone())
        .build()
        .unwrap();

    // A 60 s token is used for 45 s (30 s or a quarter of its life is kept
    // as margin) and refreshed from 22.5 s on.
    osigu.list_sponsors().send().await.unwrap();
    store.saved.notified().await;
    tokio::time::advance(Duration::from_secs(30)).await;
    // Steady state: this call does not wait; it uses tok-1 while tok-2 is
    // fetched in the background, which the store sees when it lands.
    osigu.list_sponsors().send().await.unwrap();
    store.saved.notified().await;
    osigu.list_sponsors().send().await.unwrap();
    // Long past tok-2's end: the next call must not use it.
    tokio::time::advance(Duration::from_secs(120)).await;
    osigu.list_sponsors().send().await.unwrap();

    let used: Vec<String> = requests_to(&server, "/v1/sponsors")
        .await
        .iter()
        .map(bearer)
        .collect();
    assert_eq!(
        used,
        [
            "Bearer tok-1",
            "Bearer tok-1",
            "Bearer tok-2",
            "Bearer tok-3"
        ]
    );
}

/// The in-memory store, announcing each token saved.
#[derive(Default)]
struct SignallingStore {
    inner: osigu::MemoryTokenStore,
    saved: tokio::sync::Notify,
}

impl osigu::TokenStore for SignallingStore {
    fn load(&self) -> osigu::StoreFuture<'_, Option<osigu::AccessToken>> {
        self.inner.load()
    }
    fn save(&self, token: &osigu::AccessToken) -> osigu::StoreFuture<'_, ()> {
        let saving = self.inner.save(token);
        Box::pin(async move {
            saving.await;
            self.saved.notify_one();
        })
    }
    fn discard(&self, token: &osigu::AccessToken) -> osigu::StoreFuture<'_, ()> {
        self.inner.discard(token)
    }
}

#[tokio::test]
async fn a_401_leads_to_one_refresh_and_one_retry() {
    let server = MockServer::start().await;
    for token in ["revoked", "fresh"] {
        Mock::given(method("POST"))
            .and(path("/v1/oauth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(token_body(token, 3600)))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .and(header("authorization", "Bearer revoked"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .and(header("authorization", "Bearer fresh"))
        .respond_with(sponsors_ok())
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    assert_eq!(osigu.list_sponsors().send().await.unwrap().len(), 1);
    assert_eq!(requests_to(&server, "/v1/oauth/token").await.len(), 2);
    assert_eq!(requests_to(&server, "/v1/sponsors").await.len(), 2);
}

#[tokio::test]
async fn a_401_with_a_fresh_token_is_an_auth_error_not_a_loop() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error_code": "001-401", "message": "Token rejected"
        })))
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let error = osigu.list_sponsors().send().await.unwrap_err();
    let Error::Auth(api) = &error else {
        panic!("expected an auth error, got {error:?}")
    };
    assert_eq!(api.status, 401);
    assert_eq!(api.error_code.as_deref(), Some("001-401"));
    assert!(!error.is_retryable());
    assert_eq!(requests_to(&server, "/v1/sponsors").await.len(), 2);
    assert_eq!(requests_to(&server, "/v1/oauth/token").await.len(), 2);
}

#[tokio::test]
async fn bad_credentials_fail_fast_without_a_retry_storm() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_client", "message": "Bad client credentials"
        })))
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    for _ in 0..20 {
        let error = osigu.list_sponsors().send().await.unwrap_err();
        assert!(
            matches!(&error, Error::Auth(api) if api.status == 401),
            "{error:?}"
        );
    }
    // The refusal is remembered: one token request for twenty calls, and
    // the API itself was never called.
    assert_eq!(requests_to(&server, "/v1/oauth/token").await.len(), 1);
    assert!(requests_to(&server, "/v1/sponsors").await.is_empty());
}

#[tokio::test]
async fn the_token_endpoint_being_down_is_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let error = osigu.list_sponsors().send().await.unwrap_err();
    assert!(
        matches!(&error, Error::TokenEndpoint(api) if api.status == 503),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn a_429_honours_retry_after() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "2"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(sponsors_ok())
        .mount(&server)
        .await;
    let osigu = builder(&server)
        .http_client(untimed_http())
        .build()
        .unwrap();
    let start = Instant::now();
    assert_eq!(osigu.list_sponsors().send().await.unwrap().len(), 1);
    let waited = start.elapsed();
    assert!(waited >= Duration::from_secs(2), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    assert_eq!(requests_to(&server, "/v1/sponsors").await.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_429_that_outlasts_the_budget_is_a_rate_limit_error() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .mount(&server)
        .await;
    let osigu = builder(&server)
        .http_client(untimed_http())
        .build()
        .unwrap();
    let error = osigu.list_sponsors().send().await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(120)),
        "{error:?}"
    );
    // Waiting 120 s would break the 30 s budget, so it was not retried.
    assert_eq!(requests_to(&server, "/v1/sponsors").await.len(), 1);
}

#[tokio::test]
async fn a_503_then_a_200_succeeds() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(sponsors_ok())
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    assert_eq!(osigu.list_sponsors().send().await.unwrap().len(), 1);
    assert_eq!(requests_to(&server, "/v1/sponsors").await.len(), 2);
}

#[tokio::test]
async fn every_attempt_of_a_generated_call_is_the_same_request_built_anew() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("POST"))
        .and(path("/dispensing/v1/dispensations"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/dispensing/v1/dispensations"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "dispensation_id": "dsp-1", "status": "STARTED"
        })))
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let body: osigu::types::StartDispensationRequest = serde_json::from_value(serde_json::json!({
        "pin": "1234", "currency_code": "GTQ",
        "products": [{ "id": "1", "product_code": "MED-SBX-001", "quantity": 2, "price": 12.5, "taxes": 1.5 }]
    }))
    .unwrap();
    osigu.start_dispensation().body(body).send().await.unwrap();

    let sent = requests_to(&server, "/dispensing/v1/dispensations").await;
    assert_eq!(sent.len(), 3);
    let first = &sent[0];
    let id = first.headers.get("x-request-id").unwrap().to_str().unwrap();
    assert!(id.starts_with("osigu-rs-") && id.len() == 25, "{id}");
    assert!(!first.body.is_empty());
    for (n, attempt) in sent.iter().enumerate() {
        assert_eq!(attempt.body, first.body, "attempt {n} sent another body");
        assert_eq!(attempt.url, first.url, "attempt {n}");
        for name in ["x-request-id", "authorization", "content-type", "accept"] {
            assert_eq!(
                attempt.headers.get(name),
                first.headers.get(name),
                "attempt {n}: {name}"
            );
        }
    }
    assert_eq!(bearer(first), "Bearer tok");
    assert_eq!(first.headers.get("accept").unwrap(), "application/json");
}

#[tokio::test]
async fn retries_stop_at_max_attempts_and_can_be_turned_off() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let error = osigu.list_sponsors().send().await.unwrap_err();
    assert!(
        matches!(&error, Error::Api(api) if api.status == 502),
        "{error:?}"
    );
    assert_eq!(requests_to(&server, "/v1/sponsors").await.len(), 3);

    server.reset().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let once = builder(&server).retry(RetryPolicy::none()).build().unwrap();
    once.list_sponsors().send().await.unwrap_err();
    assert_eq!(requests_to(&server, "/v1/sponsors").await.len(), 1);
}

#[tokio::test]
async fn a_create_that_timed_out_is_not_resent_and_its_outcome_is_unknown() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    // The server takes the request and answers too late. This test waits a
    // real 300 ms deadline per attempt: a paused clock would fire the
    // deadline before the request even reached the server.
    let slow = ResponseTemplate::new(200)
        .set_body_json(serde_json::json!({}))
        .set_delay(Duration::from_secs(5));
    for (verb, route) in [
        ("POST", "/dispensing/v1/dispensations"),
        ("POST", "/dispensing/v1/dispensations/dsp-1/void"),
        ("GET", "/dispensing/v1/dispensations/dsp-1"),
    ] {
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(slow.clone())
            .mount(&server)
            .await;
    }
    let osigu = builder(&server)
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let body: osigu::types::StartDispensationRequest =
        serde_json::from_value(serde_json::json!({ "products": [] })).unwrap();
    let error = osigu
        .start_dispensation()
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::OutcomeUnknown {
                operation: "startDispensation",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    let sent = requests_to(&server, "/dispensing/v1/dispensations").await;
    assert_eq!(
        sent.len(),
        1,
        "a create that may have been applied was sent again"
    );
    // The error names the id the request carried, so it can be traced.
    let Error::OutcomeUnknown { request_id, .. } = &error else {
        unreachable!()
    };
    assert_eq!(
        sent[0].headers.get("x-request-id").unwrap(),
        request_id.as_str()
    );

    // A transition is safe to repeat (a repeat after success answers 409):
    // it is retried, and when every attempt timed out its outcome is unknown.
    let error = osigu
        .void_dispensation()
        .id("dsp-1")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::OutcomeUnknown { .. }), "{error:?}");
    assert_eq!(
        requests_to(&server, "/dispensing/v1/dispensations/dsp-1/void")
            .await
            .len(),
        3
    );

    // A read is retried, then reports the timeout itself.
    let error = osigu
        .get_dispensation()
        .id("dsp-1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                during: Stage::Call
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        requests_to(&server, "/dispensing/v1/dispensations/dsp-1")
            .await
            .len(),
        3
    );
}

async fn error_for(template: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(template)
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    osigu.list_sponsors().send().await.unwrap_err()
}

#[tokio::test]
async fn the_error_code_envelope_maps_to_its_fields() {
    let error = error_for(
        ResponseTemplate::new(409)
            .insert_header("x-request-id", "req-77")
            .set_body_json(serde_json::json!({
                "error_code": "071-102",
                "message": "Product already registered",
                "additional_information": { "product_code": "MED-1" }
            })),
    )
    .await;
    let api = error.api_error().expect("an API error");
    assert!(matches!(error, Error::Api(_)));
    assert_eq!(api.status, 409);
    assert_eq!(api.error_code.as_deref(), Some("071-102"));
    assert_eq!(api.message.as_deref(), Some("Product already registered"));
    assert_eq!(
        api.additional_information,
        Some(serde_json::json!({ "product_code": "MED-1" }))
    );
    assert_eq!(api.request_id.as_deref(), Some("req-77"));
    assert_eq!(
        error.to_string(),
        "Osigu answered HTTP 409 [071-102]: Product already registered (request id req-77)"
    );
}

#[tokio::test]
async fn the_validation_envelope_maps_to_its_fields() {
    let error = error_for(ResponseTemplate::new(422).set_body_json(serde_json::json!({
        "code": "VALIDATION_ERROR",
        "message": "Request payload invalid",
        "errors": [{ "field": "beneficiary_id", "message": "must not be blank" }]
    })))
    .await;
    let api = error.api_error().unwrap();
    assert_eq!(api.status, 422);
    assert_eq!(api.error_code.as_deref(), Some("VALIDATION_ERROR"));
    assert_eq!(api.message.as_deref(), Some("Request payload invalid"));
    assert_eq!(api.field_errors.len(), 1);
    assert_eq!(api.field_errors[0].path, "beneficiary_id");
    assert_eq!(api.field_errors[0].message, "must not be blank");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn the_field_errors_envelope_maps_to_its_fields() {
    let error = error_for(ResponseTemplate::new(400).set_body_json(serde_json::json!({
        "errors": [
            { "path": "products[0].quantity", "message": "must be positive" },
            { "path": "sponsor_slug", "message": "unknown sponsor" }
        ]
    })))
    .await;
    let api = error.api_error().unwrap();
    assert_eq!(api.error_code, None);
    let paths: Vec<&str> = api.field_errors.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["products[0].quantity", "sponsor_slug"]);
    assert!(
        error
            .to_string()
            .contains("products[0].quantity: must be positive")
    );
}

#[tokio::test]
async fn a_success_body_of_the_wrong_shape_is_a_decode_error() {
    let error =
        error_for(ResponseTemplate::new(200).set_body_string("{\"not\": \"a list\"}")).await;
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
}

#[tokio::test(start_paused = true)]
async fn the_rate_limiter_keeps_120_calls_under_50_a_minute() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 86_400).await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(sponsors_ok())
        .mount(&server)
        .await;
    let osigu = builder(&server)
        .http_client(untimed_http())
        .rate_limits(RateLimits::default())
        .build()
        .unwrap();
    let start = Instant::now();
    let mut sent = Vec::new();
    for _ in 0..120 {
        osigu.list_sponsors().send().await.unwrap();
        // No timer runs while a request is out, so virtual time stands
        // still from send to answer: this is the send time.
        sent.push(start.elapsed());
    }
    for (i, at) in sent.iter().enumerate().skip(50) {
        assert!(
            *at >= sent[i - 50] + Duration::from_secs(60),
            "call {i} at {at:?} makes 51 calls within a minute"
        );
    }
    // Paced, not stalled: the 101st call goes at two minutes, no later.
    assert_eq!(sent[100], Duration::from_secs(120));
    assert_eq!(requests_to(&server, "/v1/sponsors").await.len(), 120);
}

#[tokio::test(start_paused = true)]
async fn token_requests_never_exceed_ten_a_minute() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    // Every call is refused, so every call drops its token and asks for a
    // new one (the first asks twice).
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let osigu = builder(&server)
        .http_client(untimed_http())
        .rate_limits(RateLimits {
            general: None,
            ..RateLimits::default()
        })
        .build()
        .unwrap();
    let start = Instant::now();
    for _ in 0..30 {
        osigu.list_sponsors().send().await.unwrap_err();
    }
    // 31 token requests at 10 a minute: the 31st goes out at three minutes.
    assert_eq!(requests_to(&server, "/v1/oauth/token").await.len(), 31);
    assert_eq!(start.elapsed(), Duration::from_secs(180));
}

//! Regression tests for the request engine: one per defect a review
//! reproduced (numbered as in issue 12), and one per suspected weakness.
//! Each was written before its fix and failed against the engine it fixes.
//!
//! Waits run on tokio's paused clock with a reqwest client that has no
//! timers of its own (see `common::untimed_http`).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::untimed_http;
use osigu::{Environment, Error, Osigu, Polling, Rate, RateLimits, RetryPolicy, Upload, types};
use serde_json::json;
use tokio::time::Instant;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CLIENT_ID: &str = "pharmacy-pos";
const CLIENT_SECRET: &str = "s3cr3t-client-value";

fn token_body(token: &str, expires_in: u64) -> serde_json::Value {
    json!({ "access_token": token, "token_type": "bearer", "expires_in": expires_in })
}

async fn token_endpoint(server: &MockServer, token: &str, expires_in: u64) {
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(token, expires_in)))
        .mount(server)
        .await;
}

/// Answers each request with the next token of `tokens` (the last repeats).
struct Tokens(Vec<serde_json::Value>, AtomicUsize);

impl Respond for Tokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.1.fetch_add(1, Ordering::SeqCst).min(self.0.len() - 1);
        ResponseTemplate::new(200).set_body_json(self.0[n].clone())
    }
}

fn builder(server: &MockServer) -> osigu::OsiguBuilder {
    Osigu::builder()
        .environment(Environment::Custom(server.uri()))
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .rate_limits(RateLimits::off())
        .http_client(untimed_http())
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
            ..Default::default()
        })
}

async fn hits(server: &MockServer, route: &str) -> Vec<Request> {
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

fn sponsors_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!([{ "sponsor_slug": "demo-insurer" }]))
}

fn claim_body() -> types::CompleteProviderOutpatientCareClaimRequest {
    serde_json::from_value(json!({
        "doctor_medical_license_number": "GT-1", "doctor_country_code": "GT",
        "doctor_specialty_name": "General", "doctor_name": "Dra. M"
    }))
    .unwrap()
}

async fn accepted_claim(server: &MockServer, monitor: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/arc/v1/outpatient-care-claim/77/complete"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("location", "/arc/v1/outpatient-care-claim/monitors/3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10")
                .set_body_json(json!({ "monitor_resource": { "id": "3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10", "status": "PENDING" } })),
        )
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/arc/v1/outpatient-care-claim/monitors/3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10",
        ))
        .respond_with(monitor)
        .mount(server)
        .await;
}

fn polling() -> Polling {
    Polling {
        first_wait: Duration::from_secs(1),
        factor: 1.0,
        max_wait: Duration::from_secs(1),
        deadline: Duration::from_secs(5),
    }
}

/// Defect 1: after a 202, a monitor that never finishes must not read as
/// "try again": the job was accepted, and sending the completion again
/// would complete it twice. The error carries the monitor.
#[tokio::test(start_paused = true)]
async fn defect_01_a_monitor_timeout_after_a_202_is_not_retryable_and_names_the_monitor() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    accepted_claim(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(json!({ "monitor_resource": { "id": "3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10", "status": "PENDING" } })),
    )
    .await;
    let osigu = builder(&server).build().unwrap();
    let error = osigu
        .complete_outpatient_care_claim()
        .id("77")
        .body(claim_body())
        .send_and_wait(polling())
        .await
        .unwrap_err();
    assert!(!error.is_retryable(), "{error:?}");
    assert!(
        format!("{error:?}").contains("3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10"),
        "{error:?}"
    );
    assert_eq!(
        hits(&server, "/arc/v1/outpatient-care-claim/77/complete")
            .await
            .len(),
        1
    );
}

/// Defect 1, second half: a poll that fails is no reason to complete again.
#[tokio::test(start_paused = true)]
async fn defect_01_a_failed_poll_after_a_202_is_not_retryable_and_names_the_monitor() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    accepted_claim(&server, ResponseTemplate::new(500)).await;
    let osigu = builder(&server).build().unwrap();
    let error = osigu
        .complete_outpatient_care_claim()
        .id("77")
        .body(claim_body())
        .send_and_wait(polling())
        .await
        .unwrap_err();
    assert!(!error.is_retryable(), "{error:?}");
    assert!(
        format!("{error:?}").contains("3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10"),
        "{error:?}"
    );
}

/// Defect 2: any 2xx is success, with its body.
#[tokio::test]
async fn defect_02_a_2xx_other_than_the_documented_one_is_success() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("POST"))
        .and(path("/arc/v1/providers/products"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "product_code": "MED-1", "registered_at": "2026-11-22T10:00:00Z" }),
        ))
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let body = types::RegisterProviderProductRequest::builder("MED-1");
    let registered = osigu
        .register_provider_product()
        .body(body)
        .send()
        .await
        .expect("a 200 where the spec lists 201 is still success");
    assert_eq!(registered.product_code.as_deref(), Some("MED-1"));
}

/// Defect 3: a 401 on an upload discards the revoked token, so the next
/// upload (or the retry) gets a new one.
#[tokio::test]
async fn defect_03_a_401_on_an_upload_discards_the_revoked_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(Tokens(
            vec![token_body("revoked", 3600), token_body("fresh", 3600)],
            AtomicUsize::new(0),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/arc/v1/authorization-requests/9/files"))
        .and(header("authorization", "Bearer revoked"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/arc/v1/authorization-requests/9/files"))
        .and(header("authorization", "Bearer fresh"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "file_name": "a.pdf", "file_type": "PRESCRIPTION" })),
        )
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let upload = Upload::from_bytes("a.pdf", b"%PDF-1.4".to_vec()).unwrap();
        let sent = osigu
            .upload_authorization_request_file()
            .id("9")
            .document_type_slug("PRESCRIPTION")
            .file(upload)
            .send()
            .await;
        outcomes.push(sent.map(|_| ()));
    }
    assert!(outcomes.iter().any(Result::is_ok), "{outcomes:?}");
    assert!(outcomes.last().unwrap().is_ok(), "{outcomes:?}");
    assert_eq!(hits(&server, "/v1/oauth/token").await.len(), 2);
}

/// Defect 4: an absurd `Retry-After` is clamped, never an overflow panic.
#[tokio::test(start_paused = true)]
async fn defect_04_a_huge_retry_after_does_not_panic() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(
            ResponseTemplate::new(429).insert_header("retry-after", "18446744073709551615"),
        )
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let error = osigu.list_sponsors().send().await.unwrap_err();
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
}

/// Defect 5: a token with an absurd `expires_in` is clamped; neither the
/// call nor the background refresh panics, and refresh keeps working.
#[tokio::test(start_paused = true)]
async fn defect_05_a_huge_expires_in_does_not_panic_or_stop_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(Tokens(
            vec![
                token_body("first", 600),
                token_body("huge", u64::MAX),
                token_body("after", 600),
            ],
            AtomicUsize::new(0),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(sponsors_ok())
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    osigu.list_sponsors().send().await.unwrap();
    // Into the refresh window of the first token: a background refresh
    // fetches "huge" while this call still uses "first".
    tokio::time::advance(Duration::from_secs(520)).await;
    osigu.list_sponsors().send().await.unwrap();
    // Past the first token's life: the refreshed one is in use.
    tokio::time::advance(Duration::from_secs(80)).await;
    osigu.list_sponsors().send().await.unwrap();
    let last = hits(&server, "/v1/sponsors").await;
    assert_eq!(bearer(last.last().unwrap()), "Bearer huge");
}

/// Defect 6: a transport error from a generated call never shows the URL
/// or its query (which can hold a document number).
#[tokio::test]
async fn defect_06_a_transport_error_from_a_generated_call_hides_the_url() {
    // Tokens come from a mock; the API is a port nothing listens on.
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let osigu = Osigu::builder()
        .environment(Environment::Custom(format!("http://127.0.0.1:{port}")))
        .token_url(format!("{}/v1/oauth/token", server.uri()))
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = osigu
        .search_patients()
        .document_number("1000000001")
        .send()
        .await
        .unwrap_err();
    for shown in [format!("{error}"), format!("{error:?}")] {
        assert!(!shown.contains("1000000001"), "{shown}");
        assert!(!shown.contains("/ehr/v1/patients"), "{shown}");
    }
}

/// Defect 7: a decode error names no value from the body, and says the
/// status and the request id.
#[tokio::test]
async fn defect_07_a_decode_error_quotes_no_value_and_keeps_status_and_request_id() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("GET"))
        .and(path("/ehr/v1/patients"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-77")
                .set_body_json(json!([{ "document_number": 1000000001_i64 }])),
        )
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let error = osigu.search_patients().send().await.unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("1000000001"), "{shown}");
    assert!(shown.contains("200"), "{shown}");
    assert!(shown.contains("req-77"), "{shown}");
}

/// Defect 8: generated types and their builders redact sensitive fields.
#[test]
fn defect_08_generated_debug_redacts_otp_codes() {
    let builder = types::ValidateOtpRequest::builder("918273", "otp-1");
    assert!(!format!("{builder:?}").contains("918273"), "{builder:?}");
    let request = types::ValidateOtpRequest::try_from(builder).unwrap();
    assert!(!format!("{request:?}").contains("918273"), "{request:?}");
    let patient: types::PatientResource = serde_json::from_value(json!({
        "document_number": "1000000001", "first_name": "Ana", "last_name": "Pérez"
    }))
    .unwrap();
    let shown = format!("{patient:?}");
    for value in ["1000000001", "Ana", "Pérez"] {
        assert!(!shown.contains(value), "{shown}");
    }
}

/// Defect 9: a request that waited in the rate limiter takes its token
/// after the wait, not before.
#[tokio::test(start_paused = true)]
async fn defect_09_a_call_that_queued_past_its_tokens_life_takes_a_new_one() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(Tokens(
            vec![token_body("early", 100), token_body("later", 3600)],
            AtomicUsize::new(0),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(sponsors_ok())
        .mount(&server)
        .await;
    let osigu = builder(&server)
        .rate_limits(RateLimits {
            general: Some(Rate::per_minute(1)),
            ..RateLimits::off()
        })
        .build()
        .unwrap();
    let calls: Vec<_> = (0..3)
        .map(|_| {
            let osigu = osigu.clone();
            tokio::spawn(async move { osigu.list_sponsors().send().await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let sent = hits(&server, "/v1/sponsors").await;
    assert_eq!(sent.len(), 3);
    // The third left at t = 120 s, long after "early" (100 s) lapsed.
    assert_eq!(bearer(&sent[2]), "Bearer later");
}

/// Defect 10: a caller that gives up frees its place in the limiter.
#[tokio::test(start_paused = true)]
async fn defect_10_abandoned_callers_free_their_limiter_slots() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(sponsors_ok())
        .mount(&server)
        .await;
    let osigu = builder(&server)
        .rate_limits(RateLimits {
            general: Some(Rate::per_minute(1)),
            ..RateLimits::off()
        })
        .build()
        .unwrap();
    osigu.list_sponsors().send().await.unwrap();
    for _ in 0..10 {
        let gave_up = tokio::time::timeout(Duration::from_millis(10), osigu.list_sponsors().send())
            .await
            .is_err();
        assert!(gave_up);
    }
    let start = Instant::now();
    osigu.list_sponsors().send().await.unwrap();
    let waited = start.elapsed();
    assert!(waited <= Duration::from_secs(61), "waited {waited:?}");
}

/// Defect 11: a 429 from the token endpoint is a rate limit with its
/// `Retry-After`, not a refused credential remembered for 30 s.
#[tokio::test(start_paused = true)]
async fn defect_11_a_429_from_the_token_endpoint_honours_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "2"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(sponsors_ok())
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let first = osigu.list_sponsors().send().await;
    if let Err(error) = &first {
        assert!(!matches!(error, Error::Auth(_)), "{error:?}");
    }
    tokio::time::advance(Duration::from_secs(3)).await;
    osigu
        .list_sponsors()
        .send()
        .await
        .expect("after the Retry-After the token endpoint answers");
}

/// Defect 12: callers waiting on one failing token request share its
/// failure instead of each asking again.
#[tokio::test(start_paused = true)]
async fn defect_12_concurrent_callers_share_one_token_failure() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let osigu = builder(&server)
        .rate_limits(RateLimits::default())
        .build()
        .unwrap();
    let start = Instant::now();
    let calls: Vec<_> = (0..30)
        .map(|_| {
            let osigu = osigu.clone();
            tokio::spawn(async move { osigu.list_sponsors().send().await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        let error = call.await.unwrap().unwrap_err();
        assert!(matches!(error, Error::TokenEndpoint(_)), "{error:?}");
    }
    let token_requests = hits(&server, "/v1/oauth/token").await.len();
    assert!(token_requests <= 3, "{token_requests} token requests");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

/// Suspected: success bodies are read without a size limit.
#[tokio::test]
async fn suspected_a_success_body_is_read_with_a_size_limit() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    let huge = format!("[{}]", vec!["{}"; 6 * 1024 * 1024].join(","));
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(huge, "application/json"))
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let error = osigu.list_sponsors().send().await.unwrap_err();
    assert!(error.to_string().contains("MiB"), "{error}");
}

/// Suspected: a token body is read without a size limit.
#[tokio::test]
async fn suspected_a_token_body_is_read_with_a_size_limit() {
    let server = MockServer::start().await;
    let padding = "x".repeat(2 * 1024 * 1024);
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({ "access_token": "t", "expires_in": 3600, "padding": padding }),
            ),
        )
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let error = osigu.list_sponsors().send().await.unwrap_err();
    assert!(error.to_string().contains("KiB"), "{error}");
}

/// Suspected: a rate window too long to add to an instant panics.
#[tokio::test]
async fn suspected_an_unrepresentable_rate_window_is_a_config_error() {
    let built = Osigu::builder()
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .rate_limits(RateLimits {
            general: Some(Rate {
                requests: 1,
                per: Duration::MAX,
            }),
            ..RateLimits::default()
        })
        .build();
    assert!(
        matches!(
            built,
            Err(Error::Config {
                setting: "rate_limits.general",
                ..
            })
        ),
        "{built:?}"
    );
}

/// Suspected: a NaN polling factor panics instead of failing as config.
#[tokio::test(start_paused = true)]
async fn suspected_a_nan_polling_factor_is_a_config_error() {
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    accepted_claim(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(json!({ "monitor_resource": { "id": "3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10", "status": "PENDING" } })),
    )
    .await;
    let osigu = builder(&server).build().unwrap();
    let error = osigu
        .complete_outpatient_care_claim()
        .id("77")
        .body(claim_body())
        .send_and_wait(Polling {
            factor: f64::NAN,
            ..polling()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Config {
                setting: "polling.factor",
                ..
            }
        ),
        "{error:?}"
    );
    // Refused before the completion went out.
    assert!(
        hits(&server, "/arc/v1/outpatient-care-claim/77/complete")
            .await
            .is_empty()
    );
}

/// Suspected: a server that ignores `page` is asked 10,000 times before
/// the guard trips.
#[tokio::test]
async fn suspected_a_server_that_ignores_page_is_caught_early() {
    use futures_util::TryStreamExt;
    let server = MockServer::start().await;
    token_endpoint(&server, "tok", 3600).await;
    Mock::given(method("GET"))
        .and(path("/arc/v1/providers/products"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "content": [{ "product_code": "MED-1" }, { "product_code": "MED-2" }],
            "links": [],
            "page": { "size": 2, "total_pages": 100000, "total_elements": 200000 }
        })))
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let listed: Result<Vec<_>, Error> =
        osigu::paginate(|page| osigu.list_provider_products().page(page).send())
            .try_collect()
            .await;
    assert!(
        matches!(listed, Err(Error::Pagination { .. })),
        "{listed:?}"
    );
    let asked = hits(&server, "/arc/v1/providers/products").await.len();
    assert!(asked <= 3, "asked {asked} times");
}

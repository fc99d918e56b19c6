//! The fault matrix of docs/reliability.md: each fault injected into the
//! sandbox (or, where the sandbox cannot produce it, a mock), what the
//! caller gets, and the state on the server afterwards. No commit may be
//! applied twice, and no call may outlive its deadline.

mod common;

use std::time::{Duration, Instant};

use osigu::{Environment, Error, Osigu, RateLimits, RetryPolicy, types};
use osigu_sandbox::{Fault, Sandbox, SandboxConfig};
use serde_json::json;

const COMPLETE: &str = "POST /dispensing/v1/dispensations/{id}/complete";
const GET_DISPENSATION: &str = "GET /dispensing/v1/dispensations/{id}";

fn client(sandbox: &Sandbox, timeout: Duration) -> Osigu {
    sandbox
        .client_builder()
        .rate_limits(RateLimits::off())
        .request_timeout(timeout)
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
            ..Default::default()
        })
        .build()
        .unwrap()
}

/// An approved authorization of demo-insurer, dispensation started.
async fn started_dispensation(osigu: &Osigu) -> String {
    let request: types::CreatePendingAuthorizationRequest = serde_json::from_value(json!({
        "beneficiary_id": 1001, "sponsor_slug": "demo-insurer",
        "doctor_name": "Dra. Laura Méndez", "doctor_country_code": "GT",
        "doctor_medical_license_number": osigu_sandbox::SEED_DOCTOR_LICENSE,
        "doctor_specialty_name": "Medicina general",
        "diagnoses": [{ "code": "J02.9", "coding_system": "ICD-10" }],
        "products": [{ "provider_product_code": "MED-SBX-001", "quantity": 2 }],
    }))
    .unwrap();
    let request = osigu
        .create_authorization_request()
        .body(request)
        .send_and_read()
        .await
        .unwrap();
    let id = request.id.unwrap().to_string();
    let done = osigu
        .complete_authorization_request()
        .id(&id)
        .send()
        .await
        .map(|done| done.into_inner())
        .unwrap();
    let line = done.authorizations[0].products[0].id.unwrap().to_string();
    let start: types::StartDispensationRequest = serde_json::from_value(json!({
        "products": [{ "id": line, "price": 12.5, "quantity": 2, "taxes": 0.0 }]
    }))
    .unwrap();
    let started = osigu.start_dispensation().body(start).send().await.unwrap();
    started.dispensation_id.clone().unwrap()
}

fn invoice() -> types::CompleteDispensationRequest {
    serde_json::from_value(json!({
        "amount": 25.0, "document_number": "F-77", "document_date": "2026-11-22T10:00:00Z"
    }))
    .unwrap()
}

async fn status(osigu: &Osigu, dispensation: &str) -> String {
    osigu
        .get_dispensation()
        .id(dispensation)
        .send()
        .await
        .unwrap()
        .status
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[tokio::test]
async fn a_5xx_burst_is_retried_for_every_class_and_nothing_is_applied_twice() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = client(&sandbox, Duration::from_secs(5));
    let dispensation = started_dispensation(&osigu).await;
    sandbox.reset_counters();
    sandbox
        .faults()
        .set(GET_DISPENSATION, Fault::new().error_rate(1.0, 503));
    sandbox
        .faults()
        .set(COMPLETE, Fault::new().error_rate(1.0, 503));

    let read = osigu
        .get_dispensation()
        .id(&dispensation)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&read, Error::Api(api) if api.status == 503) && read.is_retryable(),
        "{read:?}"
    );
    assert_eq!(sandbox.counters().requests_to(GET_DISPENSATION), 3);

    // Osigu documents 5xx as not applied and safe to retry: the commit is
    // retried within the budget too, and reported when the burst outlasts it.
    let commit = osigu
        .complete_dispensation()
        .id(&dispensation)
        .body(invoice())
        .send()
        .await
        .map(|done| done.into_inner())
        .unwrap_err();
    assert!(
        matches!(&commit, Error::Api(api) if api.status == 503),
        "{commit:?}"
    );
    assert_eq!(sandbox.counters().requests_to(COMPLETE), 3);
    assert_eq!(sandbox.counters().applied_to(COMPLETE), 0);

    // The burst ends: the state is untouched, and the commit applies once.
    sandbox.faults().clear_all();
    assert_eq!(status(&osigu, &dispensation).await, "STARTED");
    osigu
        .complete_dispensation()
        .id(&dispensation)
        .body(invoice())
        .send()
        .await
        .map(|done| done.into_inner())
        .unwrap();
    assert_eq!(status(&osigu, &dispensation).await, "DISPENSED");
    assert_eq!(sandbox.counters().applied_to(COMPLETE), 1);
}

#[tokio::test]
async fn a_commit_applied_whose_reply_was_lost_is_reconciled_and_applied_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = client(&sandbox, Duration::from_secs(5));
    let dispensation = started_dispensation(&osigu).await;
    sandbox.reset_counters();
    // The first completion is applied, and its connection dropped before
    // the answer; the retry is refused with 409 (already dispensed); the
    // engine reads the dispensation and finds it done.
    sandbox
        .faults()
        .set(COMPLETE, Fault::new().drop_after_apply(1.0));
    let (captured, _guard) = common::Captured::trace();
    let done = osigu
        .complete_dispensation()
        .id(&dispensation)
        .body(invoice())
        .send()
        .await
        .map(|done| done.into_inner())
        .unwrap();
    assert_eq!(
        done.status.as_ref().map(ToString::to_string).as_deref(),
        Some("DISPENSED")
    );
    let counters = sandbox.counters();
    assert_eq!(counters.applied_to(COMPLETE), 1, "{counters:?}");
    assert_eq!(counters.requests_to(COMPLETE), 2);
    assert_eq!(counters.requests_to(GET_DISPENSATION), 1);
    assert!(
        captured.text().contains("reconciled=true"),
        "{}",
        captured.text()
    );
}

#[tokio::test]
async fn a_5xx_after_a_commit_was_applied_is_reconciled_and_applied_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = client(&sandbox, Duration::from_secs(5));
    let dispensation = started_dispensation(&osigu).await;
    sandbox.reset_counters();
    sandbox
        .faults()
        .set(COMPLETE, Fault::new().error_after_apply(1.0, 502));
    let done = osigu
        .complete_dispensation()
        .id(&dispensation)
        .body(invoice())
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.status.as_ref().map(ToString::to_string).as_deref(),
        Some("DISPENSED")
    );
    assert_eq!(sandbox.counters().applied_to(COMPLETE), 1);
}

#[tokio::test]
async fn a_create_whose_reply_was_lost_is_outcome_unknown_and_not_sent_again() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = client(&sandbox, Duration::from_secs(5));
    let create = "POST /arc/v1/authorization-requests";
    sandbox
        .faults()
        .set(create, Fault::new().drop_after_apply(1.0));
    let body: types::CreatePendingAuthorizationRequest = serde_json::from_value(json!({
        "beneficiary_id": 1001, "sponsor_slug": "demo-insurer",
        "diagnoses": [{ "code": "J02.9", "coding_system": "ICD-10" }],
        "products": [{ "provider_product_code": "MED-SBX-001", "quantity": 1 }],
    }))
    .unwrap();
    let error = osigu
        .create_authorization_request()
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::OutcomeUnknown { operation: "createAuthorizationRequest", request_id } if !request_id.is_empty()),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(
        sandbox.counters().requests_to(create),
        1,
        "the create was sent again"
    );
    // It was in fact applied: the list shows the one request, as the
    // error's docs tell the caller to check.
    sandbox.faults().clear_all();
    let listed = osigu.list_authorization_requests().send().await.unwrap();
    assert_eq!(sandbox.counters().applied_to(create), 1);
    assert!(!listed.content.is_empty());
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = client(&sandbox, Duration::from_secs(5));
    osigu.list_sponsors().send().await.unwrap();
    // Every call is refused with Retry-After: 1 until the fault is lifted.
    sandbox
        .faults()
        .set("GET /v1/sponsors", Fault::new().error_rate(1.0, 429));
    let started = Instant::now();
    let error = osigu.list_sponsors().send().await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(1)),
        "{error:?}"
    );
    // Three attempts, a second apart as the server asked. Real time: the
    // sandbox's Retry-After is a whole second; the paused-clock check of
    // the same rule is tests/client_core.rs (a_429_honours_retry_after).
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert_eq!(sandbox.counters().requests_to("GET /v1/sponsors"), 4);
    assert_eq!(sandbox.counters().rate_limited, 3);
}

#[tokio::test]
async fn a_connection_dropped_before_a_commit_is_retried_and_then_reported_unknown() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = client(&sandbox, Duration::from_secs(5));
    let dispensation = started_dispensation(&osigu).await;
    sandbox.reset_counters();
    // Every attempt is dropped before it is handled: nothing is applied,
    // but the client cannot know that.
    sandbox.faults().set(COMPLETE, Fault::new().drop_rate(1.0));
    let error = osigu
        .complete_dispensation()
        .id(&dispensation)
        .body(invoice())
        .send()
        .await
        .map(|done| done.into_inner())
        .unwrap_err();
    assert!(matches!(error, Error::OutcomeUnknown { .. }), "{error:?}");
    assert_eq!(sandbox.counters().requests_to(COMPLETE), 3);
    sandbox.faults().clear_all();
    assert_eq!(status(&osigu, &dispensation).await, "STARTED");

    // A read on a dropping route is retried, then reported.
    sandbox
        .faults()
        .set(GET_DISPENSATION, Fault::new().drop_rate(1.0));
    let error = osigu
        .get_dispensation()
        .id(&dispensation)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(sandbox.counters().requests_to(GET_DISPENSATION), 4);
}

#[tokio::test]
async fn a_slow_commit_past_the_deadline_is_retried_on_time_and_applies_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let timeout = Duration::from_millis(200);
    let osigu = client(&sandbox, timeout);
    let dispensation = started_dispensation(&osigu).await;
    sandbox.reset_counters();
    sandbox
        .faults()
        .set(COMPLETE, Fault::new().latency(Duration::from_millis(600)));

    let started = Instant::now();
    let error = osigu
        .complete_dispensation()
        .id(&dispensation)
        .body(invoice())
        .send()
        .await
        .map(|done| done.into_inner())
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(error, Error::OutcomeUnknown { .. }), "{error:?}");
    // Three attempts, each cut at its deadline, with short backoffs.
    assert!(
        took < 3 * timeout + Duration::from_millis(300),
        "the call hung for {took:?}"
    );
    assert_eq!(sandbox.counters().requests_to(COMPLETE), 3);

    // The sandbox drops a request whose client left (Osigu may instead
    // finish it; a retry would then be reconciled). The commit applies once.
    tokio::time::sleep(Duration::from_millis(600)).await;
    sandbox.faults().clear_all();
    assert_eq!(status(&osigu, &dispensation).await, "STARTED");
    osigu
        .complete_dispensation()
        .id(&dispensation)
        .body(invoice())
        .send()
        .await
        .map(|done| done.into_inner())
        .unwrap();
    assert_eq!(status(&osigu, &dispensation).await, "DISPENSED");
    // A fresh call that finds the work done is a genuine conflict: nothing
    // of this call was applied before, so nothing is reconciled.
    let again = osigu
        .complete_dispensation()
        .id(&dispensation)
        .body(invoice())
        .send()
        .await
        .map(|done| done.into_inner())
        .unwrap_err();
    assert!(
        matches!(&again, Error::Api(api) if api.status == 409),
        "{again:?}"
    );
    assert_eq!(sandbox.counters().applied_to(COMPLETE), 1);
}

#[tokio::test]
async fn the_token_endpoint_down_is_a_typed_error_and_no_api_call_is_made() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = client(&sandbox, Duration::from_secs(5));
    sandbox
        .faults()
        .set("POST /v1/oauth/token", Fault::new().error_rate(1.0, 503));
    let error = osigu.list_sponsors().send().await.unwrap_err();
    assert!(
        matches!(&error, Error::TokenEndpoint(api) if api.status == 503),
        "{error:?}"
    );
    assert_eq!(sandbox.counters().requests_to("GET /v1/sponsors"), 0);
    sandbox.faults().clear_all();
    assert_eq!(osigu.list_sponsors().send().await.unwrap().len(), 3);
}

#[tokio::test]
async fn the_server_rate_limit_and_the_client_limiter_agree() {
    // Osigu's documented 50 a minute, enforced by both sides: the client
    // paces itself, so the server never has to refuse.
    let sandbox = Sandbox::start_with(SandboxConfig::default()).await.unwrap();
    let osigu = sandbox.client().unwrap();
    for _ in 0..50 {
        osigu.list_sponsors().send().await.unwrap();
    }
    assert_eq!(sandbox.counters().rate_limited, 0);
}

mod mocked {
    //! Faults the sandbox cannot produce, against a mock.

    use super::*;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    async fn answering(template: ResponseTemplate) -> (MockServer, Osigu) {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/oauth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "t", "token_type": "bearer", "expires_in": 3600
            })))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/dispensing/v1/dispensations/d1/complete"))
            .respond_with(template)
            .mount(&server)
            .await;
        let osigu = Osigu::builder()
            .environment(Environment::Custom(server.uri()))
            .credentials("id", "secret")
            .build()
            .unwrap();
        (server, osigu)
    }

    async fn commits(server: &MockServer) -> usize {
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path().ends_with("/complete"))
            .count()
    }

    #[tokio::test]
    async fn malformed_json_on_200_is_a_decode_error_not_a_retry() {
        let (server, osigu) =
            answering(ResponseTemplate::new(200).set_body_string("{\"status\": ")).await;
        let error = osigu
            .complete_dispensation()
            .id("d1")
            .body(invoice())
            .send()
            .await
            .map(|done| done.into_inner())
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::Decode {
                    status: Some(200),
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(commits(&server).await, 1);
    }

    #[tokio::test]
    async fn an_empty_body_on_200_is_a_decode_error_not_a_retry() {
        let (server, osigu) = answering(ResponseTemplate::new(200)).await;
        let error = osigu
            .complete_dispensation()
            .id("d1")
            .body(invoice())
            .send()
            .await
            .map(|done| done.into_inner())
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::Decode {
                    status: Some(200),
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(commits(&server).await, 1);
        // The generated path agrees.
        let generated = osigu
            .complete_dispensation()
            .id("d1")
            .body(invoice())
            .send()
            .await
            .unwrap_err();
        assert!(matches!(generated, Error::Decode { .. }), "{generated:?}");
    }
}

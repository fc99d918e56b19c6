//! A TRACE-level log of full calls (token, OTP validation, a retried call
//! on a path holding a beneficiary id, a retried upload, a refused
//! credential) must not hold the client secret, a token, an OTP code, the
//! beneficiary id or the name of an uploaded health document.
//!
//! Alone in its test binary: `tracing` caches per-callsite interest, and a
//! test on another thread without a subscriber can make this one's events
//! vanish.

mod common;

use std::time::Duration;

use common::Captured;

use osigu::{Environment, Osigu, RateLimits, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CLIENT_ID: &str = "pharmacy-pos";
const CLIENT_SECRET: &str = "s3cr3t-client-value";

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

async fn token_endpoint(server: &MockServer, token: &str) {
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .and(wiremock::matchers::header(
            "authorization",
            "Basic cGhhcm1hY3ktcG9zOnMzY3IzdC1jbGllbnQtdmFsdWU=",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": token, "token_type": "bearer", "expires_in": 3600
        })))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_client"
        })))
        .mount(server)
        .await;
}

/// Answers like Osigu's OTP validation, echoing nothing secret.
struct OtpValidated;

impl Respond for OtpValidated {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "otp_verification_token": "otp-verification-XYZ"
        }))
    }
}

#[tokio::test]
async fn a_trace_log_of_full_calls_holds_no_secret_token_or_otp_code() {
    let (captured, _guard) = Captured::trace();

    let server = MockServer::start().await;
    token_endpoint(&server, "tok-SENSITIVE-123").await;
    Mock::given(method("POST"))
        .and(path("/otp/validate"))
        .respond_with(OtpValidated)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/v1/sponsors/demo-insurer/beneficiaries/bnf-PATIENT-42/dependents",
        ))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/v1/sponsors/demo-insurer/beneficiaries/bnf-PATIENT-42/dependents",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server)
        .await;
    // An operation Osigu marks deprecated, called twice.
    Mock::given(method("GET"))
        .and(path("/v1/sponsors"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("deprecation", "true")
                .insert_header("sunset", "Wed, 01 Sep 2027 00:00:00 GMT")
                .set_body_json(serde_json::json!([])),
        )
        .mount(&server)
        .await;
    // An upload whose file name names the patient, retried after a 503.
    Mock::given(method("POST"))
        .and(path("/v3/settlements/stl-1/documents"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/settlements/stl-1/documents"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({})))
        .mount(&server)
        .await;
    let osigu = builder(&server).build().unwrap();
    let upload =
        osigu::Upload::from_bytes("receta-PATIENT-Juan-Perez.pdf", b"%PDF-1.4".to_vec()).unwrap();
    tracing::debug!(?upload, "an upload as the application logs it");
    osigu
        .upload_settlement_document()
        .settlement_id("stl-1")
        .document_type("INVOICE")
        .file(upload)
        .send()
        .await
        .unwrap();
    osigu.list_sponsors().send().await.unwrap();
    osigu.list_sponsors().send().await.unwrap();

    let body: osigu::types::ValidateOtpRequest = serde_json::from_value(serde_json::json!({
        "otp_id": "otp-req-1",
        "code": "918273"
    }))
    .unwrap();
    osigu.validate_otp().body(body).send().await.unwrap();
    osigu
        .get_dependents()
        .sponsor_slug("demo-insurer")
        .beneficiary_id("bnf-PATIENT-42")
        .send()
        .await
        .unwrap();
    let error = builder(&server)
        .credentials(CLIENT_ID, "wrong-secret-value")
        .build()
        .unwrap()
        .list_sponsors()
        .send()
        .await
        .unwrap_err();
    tracing::error!(%error, ?error, "reported by the application");
    drop(_guard);

    let log = captured.text();
    // The log is real: spans name operations by template, with statuses.
    assert!(log.contains("validateOtp"), "{log}");
    assert!(log.contains("uploadSettlementDocument"), "{log}");
    assert!(log.contains("/v1/sponsors/{sponsorSlug}/beneficiaries/{beneficiaryId}/dependents"));
    assert!(log.contains("retrying"));
    let warnings: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("Osigu marks this operation as deprecated"))
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(warnings[0].contains("listSponsors") && warnings[0].contains("Sep 2027"));
    for secret in [
        CLIENT_SECRET,
        "wrong-secret-value",
        "cGhhcm1hY3ktcG9zOnMzY3IzdC1jbGllbnQtdmFsdWU=",
        "tok-SENSITIVE-123",
        "918273",
        "otp-verification-XYZ",
        "bnf-PATIENT-42",
        "Juan-Perez",
    ] {
        assert!(!log.contains(secret), "the log holds {secret:?}:\n{log}");
    }
}

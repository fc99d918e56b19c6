//! Hostile values at their extremes never panic: `Retry-After`,
//! `expires_in`, `Location`, page metadata from the network, and every
//! duration and count a user can set. Each case runs on its own paused
//! tokio clock against a local mock, so waits cost no real time.

mod common;

use std::time::Duration;

use common::untimed_http;
use osigu::{Environment, Error, Osigu, Polling, Rate, RateLimits, RetryPolicy};
use proptest::prelude::*;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn paused<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
        .block_on(future)
}

async fn server_with_token(token_body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Osigu {
    Osigu::builder()
        .environment(Environment::Custom(server.uri()))
        .credentials("id", "secret")
        .http_client(untimed_http())
        .build()
        .unwrap()
}

fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::MAX),
        (0u64..100_000, 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
    ]
}

/// Header values a server might send, printable ASCII only (anything else
/// is not a valid header value and never reaches the SDK).
fn header_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("18446744073709551616".to_owned()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_owned()),
        Just("Thu, 01 Jan 1970 00:00:00 GMT".to_owned()),
        Just(String::new()),
        "[ -~]{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_retry_after_is_a_typed_outcome(value in header_text()) {
        let outcome = paused(async {
            let server = server_with_token(json!({ "access_token": "t", "expires_in": 3600 })).await;
            Mock::given(method("GET"))
                .and(path("/v1/sponsors"))
                .respond_with(ResponseTemplate::new(429).insert_header("retry-after", value.as_str()))
                .mount(&server)
                .await;
            client(&server).list_sponsors().send().await.map(|_| ())
        });
        prop_assert!(matches!(outcome, Err(Error::RateLimited { .. })), "{outcome:?}");
    }

    #[test]
    fn any_expires_in_gives_a_token_or_a_typed_error(
        expires_in in prop_oneof![
            any::<u64>().prop_map(|n| json!(n)),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
            Just(json!("3600")),
            Just(Value::Null),
        ],
        later in any_duration(),
    ) {
        let outcome = paused(async {
            let server = server_with_token(json!({ "access_token": "t", "expires_in": expires_in })).await;
            Mock::given(method("GET"))
                .and(path("/v1/sponsors"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
                .mount(&server)
                .await;
            let osigu = client(&server);
            let first = osigu.list_sponsors().send().await.map(|_| ());
            // Whatever the token said, time passing must not break the client.
            tokio::time::advance(later.min(Duration::from_secs(10 * 365 * 86_400))).await;
            let second = osigu.list_sponsors().send().await.map(|_| ());
            (first, second)
        });
        for result in [&outcome.0, &outcome.1] {
            prop_assert!(
                result.is_ok() || matches!(result, Err(Error::Decode { .. } | Error::Auth(_))),
                "{outcome:?}"
            );
        }
    }

    #[test]
    fn any_location_ends_the_wait_with_a_typed_outcome(location in header_text()) {
        let outcome = paused(async {
            let server = server_with_token(json!({ "access_token": "t", "expires_in": 3600 })).await;
            Mock::given(method("POST"))
                .and(path("/arc/v1/outpatient-care-claim/7/complete"))
                .respond_with(ResponseTemplate::new(202).insert_header("location", location.as_str()).set_body_json(json!({})))
                .mount(&server)
                .await;
            let body: osigu::types::CompleteProviderOutpatientCareClaimRequest = serde_json::from_value(json!({
                "doctor_medical_license_number": "L", "doctor_country_code": "GT",
                "doctor_specialty_name": "S", "doctor_name": "N"
            })).unwrap();
            client(&server)
                .complete_outpatient_care_claim()
        .id("7")
        .body(body)
        .send_and_wait(Polling::default())
                .await
                .map(|_| ())
        });
        // The monitor route is not mocked: any id polls into a 404, which
        // ends the wait as not finished; no id at all is a typed error too.
        prop_assert!(
            matches!(outcome, Err(Error::JobNotFinished { .. } | Error::InvalidRequest { .. } | Error::Decode { .. })),
            "{outcome:?}"
        );
    }

    #[test]
    fn any_page_metadata_ends_pagination(
        number in prop_oneof![any::<i64>().prop_map(|n| json!(n)), Just(Value::Null), Just(json!("0"))],
        total_pages in prop_oneof![any::<i64>().prop_map(|n| json!(n)), Just(Value::Null), Just(json!(1e300))],
        size in any::<i64>(),
        items in 0usize..3,
    ) {
        use futures_util::TryStreamExt;
        let (outcome, asked) = paused(async {
            let server = server_with_token(json!({ "access_token": "t", "expires_in": 3600 })).await;
            let content: Vec<Value> = (0..items).map(|i| json!({ "product_code": format!("P{i}") })).collect();
            Mock::given(method("GET"))
                .and(path("/arc/v1/providers/products"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "content": content, "links": [],
                    "page": { "number": number, "size": size, "total_pages": total_pages }
                })))
                .mount(&server)
                .await;
            let osigu = client(&server);
            let outcome: Result<Vec<_>, Error> =
                osigu::paginate(|page| osigu.list_provider_products().page(page).send())
                    .try_collect()
                    .await;
            let asked = server.received_requests().await.unwrap().iter()
                .filter(|r| r.url.path() == "/arc/v1/providers/products").count();
            (outcome.map(|items| items.len()), asked)
        });
        // The same page forever is caught on its second appearance.
        prop_assert!(asked <= 2, "asked {asked} times: {outcome:?}");
        prop_assert!(outcome.is_ok() || matches!(outcome, Err(Error::Pagination { .. } | Error::Decode { .. })), "{outcome:?}");
    }

    #[test]
    fn any_settings_build_or_name_what_is_wrong(
        attempts in any::<u32>(),
        elapsed in any_duration(),
        initial in any_duration(),
        max_backoff in any_duration(),
        requests in any::<u32>(),
        per in any_duration(),
        timeout in any_duration(),
        max_response in any::<u64>(),
    ) {
        let built = Osigu::builder()
            .credentials("id", "secret")
            .retry(RetryPolicy { max_attempts: attempts, max_elapsed: elapsed, initial_backoff: initial, max_backoff })
            .rate_limits(RateLimits { general: Some(Rate { requests, per }), ..RateLimits::default() })
            .request_timeout(timeout)
            .connect_timeout(timeout)
            .max_response_size(max_response)
            .build();
        match built {
            Ok(osigu) => {
                // A client that built runs its pacing and retries without
                // overflow against a server that always says 503.
                paused(async move {
                    let server = server_with_token(json!({ "access_token": "t", "expires_in": 3600 })).await;
                    Mock::given(method("GET")).and(path("/v1/sponsors"))
                        .respond_with(ResponseTemplate::new(503)).mount(&server).await;
                    let osigu = Osigu::builder()
                        .environment(Environment::Custom(server.uri()))
                        .credentials("id", "secret")
                        .http_client(untimed_http())
                        .retry(RetryPolicy { max_attempts: attempts.min(5), max_elapsed: elapsed, initial_backoff: initial, max_backoff })
                        .rate_limits(RateLimits { general: Some(Rate { requests, per }), ..RateLimits::default() })
                        .build()
                        .unwrap();
                    let _ = osigu.list_sponsors().send().await;
                });
                let _ = (osigu, ());
            }
            Err(Error::Config { setting, .. }) => prop_assert!(!setting.is_empty()),
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn any_polling_runs_or_names_what_is_wrong(
        factor in prop_oneof![any::<f64>(), Just(f64::NAN), Just(f64::INFINITY), 0.5f64..20.0],
        first_wait in any_duration(),
        max_wait in any_duration(),
        deadline in any_duration(),
    ) {
        let polling = Polling { first_wait, factor, max_wait, deadline };
        let outcome = paused(async move {
            let server = server_with_token(json!({ "access_token": "t", "expires_in": 3600 })).await;
            Mock::given(method("GET"))
                .and(path("/arc/v1/outpatient-care-claim/monitors/3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "monitor_resource": { "status": "PENDING" } })))
                .mount(&server)
                .await;
            client(&server)
                .wait_for_claim_monitor("3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10", polling)
                .await
                .map(|_| ())
        });
        prop_assert!(
            matches!(outcome, Err(Error::Config { .. } | Error::JobNotFinished { .. })),
            "{outcome:?}"
        );
    }
}

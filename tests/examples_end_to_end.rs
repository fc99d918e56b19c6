//! Every example's flow, run against the embedded sandbox: each example
//! file is compiled here as a module and its `run` called, so the examples
//! and these tests cannot drift apart.

#![allow(dead_code)]
// each example's `main` and support code
// Each example declares `mod support;` as the standalone program it is, so
// including several of them here loads that file more than once.
#![allow(clippy::duplicate_mod)]

#[path = "../examples/support/mod.rs"]
mod support;

#[path = "../examples/bulk_register_products.rs"]
mod bulk_register_products;
#[path = "../examples/dispense_with_otp.rs"]
mod dispense_with_otp;
#[path = "../examples/prescribe.rs"]
mod prescribe;
#[path = "../examples/quickstart.rs"]
mod quickstart;
#[path = "../examples/webhook_receiver.rs"]
mod webhook_receiver;

use std::time::Duration;

use osigu::{PrescriptionRoute, Verification};
use osigu_sandbox::{Sandbox, SandboxConfig};

fn requests(sandbox: &Sandbox, route: &str) -> u64 {
    sandbox.counters().requests_to(route)
}

#[tokio::test]
async fn quickstart_dispenses_an_approved_authorization() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = support::against(&sandbox).unwrap();
    let done = quickstart::run(&osigu).await.unwrap();
    assert!(done.authorization_code.starts_with("AUTH-SBX-"));
    assert_eq!(done.dispensation_status, "DISPENSED");
    assert_eq!(done.amount, 25.0);
    assert_eq!(done.authorization_status, "APPROVED");
    // One token for the whole flow, shared by every call.
    assert_eq!(sandbox.counters().token_requests, 1);
    assert_eq!(
        requests(&sandbox, "POST /dispensing/v1/dispensations/{id}/complete"),
        1
    );
}

#[tokio::test]
async fn an_otp_gated_dispensation_completes_with_fresh_proofs() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = support::against(&sandbox).unwrap();
    let code = sandbox.config().otp_code_value().to_owned();
    let done = dispense_with_otp::run(&osigu, &code).await.unwrap();
    assert_eq!(done.verification, Verification::Otp);
    assert_eq!(done.dispensation_status, "DISPENSED");
    // One code for the approval, one for the dispensation: proofs are single-use.
    assert_eq!(requests(&sandbox, "POST /otp/validate"), 2);
}

#[tokio::test]
async fn a_wrong_otp_code_stops_the_flow_with_a_typed_error() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = support::against(&sandbox).unwrap();
    let Err(error) = dispense_with_otp::run(&osigu, "000000").await else {
        panic!("a wrong code must not dispense");
    };
    let error = error.downcast::<osigu::Error>().expect("an osigu::Error");
    assert_eq!(error.api_error().map(|a| a.status), Some(422), "{error}");
}

#[tokio::test]
async fn prescriptions_take_each_route() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = support::against(&sandbox).unwrap();
    let routes = prescribe::run(&osigu).await.unwrap();
    assert_eq!(
        routes,
        [
            PrescriptionRoute::V1,
            PrescriptionRoute::V1_1,
            PrescriptionRoute::V2
        ]
    );
    for route in [
        "POST /ehr/v1/prescriptions",
        "POST /ehr/v1.1/prescriptions",
        "POST /ehr/v2/prescriptions",
    ] {
        assert_eq!(requests(&sandbox, route), 1, "{route}");
    }
}

#[tokio::test]
async fn bulk_registration_reports_every_code() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = support::against(&sandbox).unwrap();
    let result = bulk_register_products::run(&osigu).await.unwrap();
    let total = result.total;
    assert!(total > 2, "{result:?}");
    assert_eq!(
        result.registered + result.already + result.not_in_catalogue + result.failed,
        total
    );
    assert_eq!(result.not_in_catalogue, 2);
    assert_eq!(result.failed, 0);
    assert_eq!(result.registered + result.already, total - 2);
    assert!(
        result.already > 0,
        "the sandbox seeds some registered products"
    );
}

#[tokio::test]
async fn the_async_sponsor_is_resolved_by_a_verified_webhook() {
    let sandbox = Sandbox::start_with(
        SandboxConfig::default().async_sponsor_delay(Duration::from_millis(50)),
    )
    .await
    .unwrap();
    let osigu = support::against(&sandbox).unwrap();
    let secret = sandbox.config().webhook_secret_value().to_owned();
    let events = webhook_receiver::run(&osigu, &secret, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(events, ["authorization.created"]);
}

#[tokio::test]
async fn a_receiver_with_the_wrong_secret_verifies_nothing() {
    let sandbox = Sandbox::start_with(
        SandboxConfig::default().async_sponsor_delay(Duration::from_millis(50)),
    )
    .await
    .unwrap();
    let osigu = support::against(&sandbox).unwrap();
    // The delivery is due after 50 ms; half a second is ample.
    let error = webhook_receiver::run(&osigu, "not-the-secret", Duration::from_millis(500))
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "no verified webhook within 500ms");
    let counters = sandbox.counters();
    assert!(
        counters.webhook_failures >= 1,
        "the receiver refused the delivery"
    );
    assert_eq!(counters.webhook_deliveries, 0);
}

/// Every 4th API request answered 503 and every 6th 429 (`Retry-After: 1`),
/// before the sandbox handles it: what a flaky gateway does.
fn flaky() -> osigu_sandbox::Fault {
    osigu_sandbox::Fault::new().every(4, 503).every(6, 429)
}

/// Each route of `routes` was applied exactly once.
fn applied_once(sandbox: &Sandbox, routes: &[&str]) {
    let counters = sandbox.counters();
    for route in routes {
        assert_eq!(counters.applied_to(route), 1, "{route}: {counters:#?}");
    }
    assert!(
        counters.rate_limited > 0 && counters.total_requests() > counters.applied.values().sum(),
        "no fault was injected: {counters:#?}"
    );
}

#[tokio::test]
async fn quickstart_survives_a_flaky_gateway_and_applies_each_commit_once() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.faults().set("*", flaky());
    let osigu = support::against(&sandbox).unwrap();
    let done = quickstart::run(&osigu).await.unwrap();
    assert_eq!(done.dispensation_status, "DISPENSED");
    applied_once(
        &sandbox,
        &[
            "POST /arc/v1/authorization-requests",
            "POST /arc/v1/authorization-requests/{id}/files",
            "POST /arc/v1/authorization-requests/{id}/complete",
            "POST /dispensing/v1/dispensations",
            "POST /dispensing/v1/dispensations/{id}/complete",
        ],
    );
}

#[tokio::test]
async fn dispense_with_otp_survives_a_flaky_gateway_and_applies_each_commit_once() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.faults().set("*", flaky());
    let osigu = support::against(&sandbox).unwrap();
    let code = sandbox.config().otp_code_value().to_owned();
    let done = dispense_with_otp::run(&osigu, &code).await.unwrap();
    assert_eq!(done.dispensation_status, "DISPENSED");
    applied_once(
        &sandbox,
        &[
            "POST /arc/v1/authorization-requests/{id}/complete",
            "POST /dispensing/v1/dispensations",
            "POST /dispensing/v1/dispensations/{id}/complete",
        ],
    );
}

/// The quickstart's two commits lose their replies after being applied:
/// each is retried, refused as already done, and reconciled by reading.
#[tokio::test]
async fn quickstart_commits_whose_replies_are_lost_are_reconciled_and_applied_once() {
    let sandbox = Sandbox::start().await.unwrap();
    for commit in [
        "POST /arc/v1/authorization-requests/{id}/complete",
        "POST /dispensing/v1/dispensations/{id}/complete",
    ] {
        sandbox
            .faults()
            .set(commit, osigu_sandbox::Fault::new().drop_after_apply(1.0));
    }
    let osigu = support::against(&sandbox).unwrap();
    let done = quickstart::run(&osigu).await.unwrap();
    assert_eq!(done.dispensation_status, "DISPENSED");
    let counters = sandbox.counters();
    assert_eq!(counters.lost_replies, 2, "{counters:#?}");
    for (commit, read) in [
        (
            "POST /arc/v1/authorization-requests/{id}/complete",
            "GET /arc/v1/authorization-requests/{id}",
        ),
        (
            "POST /dispensing/v1/dispensations/{id}/complete",
            "GET /dispensing/v1/dispensations/{id}",
        ),
    ] {
        assert_eq!(counters.applied_to(commit), 1, "{commit}");
        assert_eq!(counters.requests_to(commit), 2, "{commit}");
        assert!(counters.requests_to(read) >= 1, "{read} was never read");
    }
}

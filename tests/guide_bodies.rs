//! The JSON bodies the guides and concept pages print, written again with
//! our own values into `tests/fixtures/guide-bodies/<SchemaName>.json`
//! (`cargo xtask reference` checks that their fields still match the pages),
//! must survive a round trip through the generated types: deserialise into
//! `osigu::types::<SchemaName>`, serialise again, and every key of the
//! original (at any depth) must still be there. A field the type does not
//! know would be dropped silently by serde, so it fails here.
//!
//! Bodies that do not fit their schema have no fixture; `docs/spec-notes.md`
//! lists them.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/guide-bodies")
}

/// Pushes onto `out` every key path of `original` that `round_trip` lacks.
fn missing_keys(original: &Value, round_trip: &Value, at: &str, out: &mut Vec<String>) {
    match (original, round_trip) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, value) in want {
                let here = format!("{at}.{key}");
                match got.get(key) {
                    Some(other) => missing_keys(value, other, &here, out),
                    None => out.push(here),
                }
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            for (index, value) in want.iter().enumerate() {
                let here = format!("{at}[{index}]");
                match got.get(index) {
                    Some(other) => missing_keys(value, other, &here, out),
                    None => out.push(here),
                }
            }
        }
        (Value::Object(_) | Value::Array(_), other) => {
            out.push(format!("{at} (became {other})"));
        }
        _ => {}
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(type_name: &str) {
    let file = format!("{type_name}.json");
    let path = fixture_dir().join(&file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let original: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"));
    let typed: T = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{file} does not deserialise into {type_name}: {e}"));
    let again = serde_json::to_value(&typed)
        .unwrap_or_else(|e| panic!("{type_name} from {file} does not serialise: {e}"));
    let mut missing = Vec::new();
    missing_keys(&original, &again, "$", &mut missing);
    assert!(
        missing.is_empty(),
        "{file}: osigu::types::{type_name} dropped {missing:?}"
    );
}

macro_rules! guide_bodies {
    ($($test:ident: $type:ident;)*) => {
        $(
            #[test]
            fn $test() {
                round_trip::<osigu::types::$type>(stringify!($type));
            }
        )*

        /// Every fixture the macro covers.
        const LISTED: &[&str] = &[$(concat!(stringify!($type), ".json")),*];
    };
}

guide_bodies! {
    beneficiary_search_request: BeneficiarySearchRequest;
    create_patient_request: CreatePatientRequest;
    create_prescription_request: CreatePrescriptionRequest;
    create_prescription_request_v1_1: CreatePrescriptionRequestV11;
    create_prescription_response: CreatePrescriptionResponse;
    create_webhook_subscription_request: CreateWebhookSubscriptionRequest;
    dispensation_resource: DispensationResource;
    error_response: ErrorResponse;
    outpatient_care_claim_created_response: OutpatientCareClaimCreatedResponse;
    provider_product_resource: ProviderProductResource;
    register_provider_product_request: RegisterProviderProductRequest;
    resend_prescription_request: ResendPrescriptionRequest;
    send_otp_request: SendOtpRequest;
    send_otp_response: SendOtpResponse;
    settlement_batch_resource: SettlementBatchResource;
    start_settlement_batch_request: StartSettlementBatchRequest;
    validate_otp_request: ValidateOtpRequest;
}

#[test]
fn every_fixture_file_is_listed_in_the_macro() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixture_dir())
        .expect("tests/fixtures/guide-bodies")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    let listed: BTreeSet<String> = LISTED.iter().map(|f| (*f).to_owned()).collect();
    assert_eq!(listed.len(), LISTED.len(), "a fixture is listed twice");
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "fixtures not covered by guide_bodies!: {unlisted:?}"
    );
    let absent: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        absent.is_empty(),
        "listed fixtures missing on disk: {absent:?}"
    );
}

#[test]
fn the_key_check_catches_a_dropped_field() {
    let original = serde_json::json!({"a": 1, "b": {"c": [{"d": 2}]}});
    let dropped = serde_json::json!({"a": 1, "b": {"c": [{}]}});
    let mut missing = Vec::new();
    missing_keys(&original, &dropped, "$", &mut missing);
    assert_eq!(missing, ["$.b.c[0].d"]);
}

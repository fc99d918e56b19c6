//! The JSON bodies printed in the guides and concept pages, copied verbatim
//! into `tests/fixtures/guide-bodies/`, must survive a round trip through the
//! generated types: deserialise into `osigu::types::<Type>`, serialise again,
//! and every key of the original (at any depth) must still be there. A field
//! the type does not know would be dropped silently by serde, so it fails here.
//!
//! A fixture is named `<SchemaName>--<page-stem>.json`. Bodies that do not fit
//! the chosen schema are not stored; `docs/spec-notes.md` lists them.

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

fn round_trip<T: DeserializeOwned + Serialize>(type_name: &str, file: &str) {
    assert!(
        file.starts_with(&format!("{type_name}--")),
        "{file} is not named after osigu::types::{type_name}"
    );
    let path = fixture_dir().join(file);
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
    ($($test:ident: $type:ident <= $file:literal;)*) => {
        $(
            #[test]
            fn $test() {
                round_trip::<osigu::types::$type>(stringify!($type), $file);
            }
        )*

        /// Every fixture the macro covers.
        const LISTED: &[&str] = &[$($file),*];
    };
}

guide_bodies! {
    beneficiary_search_request_from_es_guides_issue_an_authorization: BeneficiarySearchRequest <= "BeneficiarySearchRequest--es-guides-issue-an-authorization.json";
    beneficiary_search_request_from_guides_issue_an_authorization: BeneficiarySearchRequest <= "BeneficiarySearchRequest--guides-issue-an-authorization.json";
    beneficiary_search_request_from_pt_br_concepts_beneficiary_lookup: BeneficiarySearchRequest <= "BeneficiarySearchRequest--pt-br-concepts-beneficiary-lookup.json";
    create_patient_request_from_guides_create_electronic_prescription: CreatePatientRequest <= "CreatePatientRequest--guides-create-electronic-prescription.json";
    create_patient_request_from_pt_br_guides_create_electronic_prescription: CreatePatientRequest <= "CreatePatientRequest--pt-br-guides-create-electronic-prescription.json";
    create_prescription_request_from_guides_create_electronic_prescription: CreatePrescriptionRequest <= "CreatePrescriptionRequest--guides-create-electronic-prescription.json";
    create_prescription_request_v11_from_guides_create_electronic_prescription: CreatePrescriptionRequestV11 <= "CreatePrescriptionRequestV11--guides-create-electronic-prescription.json";
    create_prescription_response_from_guides_create_electronic_prescription: CreatePrescriptionResponse <= "CreatePrescriptionResponse--guides-create-electronic-prescription.json";
    create_webhook_subscription_request_from_es_guides_implement_webhook_receiver: CreateWebhookSubscriptionRequest <= "CreateWebhookSubscriptionRequest--es-guides-implement-webhook-receiver.json";
    dispensation_resource_from_es_guides_dispense_an_authorization: DispensationResource <= "DispensationResource--es-guides-dispense-an-authorization.json";
    dispensation_resource_from_guides_dispense_an_authorization: DispensationResource <= "DispensationResource--guides-dispense-an-authorization.json";
    error_response_from_api_reference_introduction: ErrorResponse <= "ErrorResponse--api-reference-introduction.json";
    outpatient_care_claim_created_response_from_guides_complete_the_claim: OutpatientCareClaimCreatedResponse <= "OutpatientCareClaimCreatedResponse--guides-complete-the-claim.json";
    outpatient_care_claim_created_response_from_pt_br_guides_complete_the_claim: OutpatientCareClaimCreatedResponse <= "OutpatientCareClaimCreatedResponse--pt-br-guides-complete-the-claim.json";
    provider_product_resource_from_guides_register_provider_product: ProviderProductResource <= "ProviderProductResource--guides-register-provider-product.json";
    register_provider_product_request_from_guides_register_provider_product: RegisterProviderProductRequest <= "RegisterProviderProductRequest--guides-register-provider-product.json";
    resend_prescription_request_from_guides_create_electronic_prescription: ResendPrescriptionRequest <= "ResendPrescriptionRequest--guides-create-electronic-prescription.json";
    send_otp_request_from_authentication_otp_flow: SendOtpRequest <= "SendOtpRequest--authentication-otp-flow.json";
    send_otp_request_from_es_guides_dispense_an_authorization: SendOtpRequest <= "SendOtpRequest--es-guides-dispense-an-authorization.json";
    send_otp_request_from_guides_dispense_an_authorization: SendOtpRequest <= "SendOtpRequest--guides-dispense-an-authorization.json";
    send_otp_response_from_authentication_otp_flow: SendOtpResponse <= "SendOtpResponse--authentication-otp-flow.json";
    settlement_batch_resource_from_es_guides_submit_claim_batch: SettlementBatchResource <= "SettlementBatchResource--es-guides-submit-claim-batch.json";
    settlement_batch_resource_from_pt_br_guides_submit_claim_batch: SettlementBatchResource <= "SettlementBatchResource--pt-br-guides-submit-claim-batch.json";
    start_settlement_batch_request_from_es_guides_submit_claim_batch: StartSettlementBatchRequest <= "StartSettlementBatchRequest--es-guides-submit-claim-batch.json";
    start_settlement_batch_request_from_pt_br_guides_submit_claim_batch: StartSettlementBatchRequest <= "StartSettlementBatchRequest--pt-br-guides-submit-claim-batch.json";
    validate_otp_request_from_es_guides_dispense_an_authorization: ValidateOtpRequest <= "ValidateOtpRequest--es-guides-dispense-an-authorization.json";
    validate_otp_request_from_guides_dispense_an_authorization: ValidateOtpRequest <= "ValidateOtpRequest--guides-dispense-an-authorization.json";
}

#[test]
fn every_fixture_file_is_listed_in_the_macro() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixture_dir())
        .expect("tests/fixtures/guide-bodies")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
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

//! Arbitrary and mutated bodies for every operation's success type and for
//! webhook payloads: decoding returns a value or a typed error, and never
//! panics. Bodies are random JSON trees, random bytes, and real sandbox-like
//! bodies with one field replaced by random JSON.

use osigu::types;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Any JSON value, up to a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("PENDING"),
            Just("COMPLETED"),
            Just("2026-11-22T10:00:00Z"),
            Just("3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("status".to_owned()),
                    Just("content".to_owned()),
                    Just("page".to_owned()),
                    "[a-z_]{1,10}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A body shaped like a real answer, with one top-level field replaced.
fn mutated(seed: Value) -> impl Strategy<Value = Value> {
    (any::<prop::sample::Index>(), any_json()).prop_map(move |(index, replacement)| {
        let mut body = seed.clone();
        if let Some(object) = body.as_object_mut()
            && !object.is_empty()
        {
            let key = object
                .keys()
                .nth(index.index(object.len()))
                .cloned()
                .unwrap();
            object.insert(key, replacement);
        }
        body
    })
}

macro_rules! never_panics {
    ($($name:ident: $ty:ty),* $(,)?) => {
        // A panic in any decoder fails the property that called it.
        fn decode_all(bytes: &[u8]) {
            $( let _ = serde_json::from_slice::<$ty>(bytes); )*
            let _ = osigu::webhooks::parse(bytes);
        }
        fn decode_all_values(value: &Value) {
            $( let _ = serde_json::from_value::<$ty>(value.clone()); )*
        }
    };
}

never_panics! {
    unit: (),
    authorization_forms: Vec<types::AuthorizationFormResource>,
    beneficiaries: Vec<types::BeneficiaryResource>,
    catalog_products: Vec<types::CatalogProductEntry>,
    cities: Vec<types::CityResource>,
    claim_files: Vec<types::ClaimAuthorizationFileResource>,
    countries: Vec<types::CountryResource>,
    diagnoses: Vec<types::DiagnosisCatalogEntry>,
    external_providers: Vec<types::ExternalProviderResource>,
    medical_boards: Vec<types::MedicalBoardResource>,
    specialties: Vec<types::MedicalSpecialtyResource>,
    patients: Vec<types::PatientResource>,
    sponsors: Vec<types::SponsorResource>,
    states: Vec<types::StateResource>,
    subdivisions: Vec<types::SubdivisionResource>,
    authorization_request: types::AuthorizationRequestResource,
    authorization: types::AuthorizationResource,
    beneficiary: types::BeneficiaryResource,
    prescription_created: types::CreatePrescriptionResponse,
    dispensation: types::DispensationResource,
    verification_status: types::DispensationVerificationStatusResponse,
    document_policy: types::DocumentPolicyResource,
    indication: types::IndicationResource,
    medical_procedure_claim: types::MedicalProcedureClaimResource,
    outpatient_created: types::OutpatientCareClaimCreatedResponse,
    monitor: types::OutpatientCareClaimMonitorResponse,
    paged_requests: types::PagedModelAuthorizationRequestResource,
    paged_prescriptions: types::PagedModelPrescriptionResource,
    paged_authorizations: types::PagedModelProviderAuthorizationAbridgedResource,
    paged_products: types::PagedModelProviderProductResource,
    paged_pending: types::PagedModelSettlementPendingAuthorization,
    patient: types::PatientResource,
    prescription: types::PrescriptionResource,
    biometric: types::ProviderBiometricReadingResource,
    claim: types::ProviderClaimResource,
    provider_product: types::ProviderProductResource,
    otp_sent: types::SendOtpResponse,
    settlement: types::SettlementBatchResource,
    sponsor_configuration: types::SponsorConfigurationResponse,
    otp_validated: types::ValidateOtpResponse,
    subscription: types::WebhookSubscriptionResource,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        decode_all(&bytes);
    }

    #[test]
    fn random_json_never_panics(value in any_json()) {
        decode_all_values(&value);
        decode_all(value.to_string().as_bytes());
    }

    #[test]
    fn mutated_real_bodies_never_panic(
        dispensation in mutated(json!({
            "dispensation_id": "dsp_1", "status": "STARTED", "code_type": "AUTHORIZATION",
            "products": [{ "product_code": "MED-SBX-001", "quantity": 2 }], "verification_required": "OTP"
        })),
        monitor in mutated(json!({
            "monitor_resource": { "id": "3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10", "status": "PENDING" },
            "outpatient_care_claim_resource": { "claim_id": 77, "amount": 150.0 }
        })),
        page in mutated(json!({
            "content": [{ "product_code": "MED-SBX-001" }], "links": [],
            "page": { "number": 0, "size": 20, "total_elements": 1, "total_pages": 1 }
        })),
        event in mutated(json!({
            "event_id": "evt_1", "event_type": "authorization.created", "created_at": "2026-11-22T10:00:00Z",
            "api_version": "1", "data": { "authorization_code": "AUTH-1", "status": "APPROVED" }
        })),
    ) {
        for value in [&dispensation, &monitor, &page, &event] {
            decode_all_values(value);
            decode_all(value.to_string().as_bytes());
        }
    }
}

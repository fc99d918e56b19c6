//! `osigu::webhooks`: signature verification, event parsing (including a
//! delivery of each event whose shape Osigu's pages show, in
//! `tests/fixtures/webhook-events/`), deduplication, and `Debug` output free
//! of secrets and patient data. Every clock is passed in; nothing sleeps.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::{TimeZone, Utc};
use osigu::webhooks::{
    self, CodeType, Deduplicator, Event, EventData, EventEnvironment, SignatureError, Verifier,
    WebhookError, WebhookSecret,
};
use serde_json::{Value, json};

const SECRET: &str = "whsec_test_7f3a";
const SIGNED_AT: u64 = 1_751_385_600;
const BODY: &[u8] = br#"{"event_id":"evt_1","event_type":"authorization.created"}"#;
/// HMAC-SHA256 of `"1751385600." + BODY` under `SECRET`, computed outside
/// this crate (Python's `hmac` module).
const TAG: &str = "1db02f95182bad6a2cc46492d5794d2792df5e9b5ee7366bd892818bdf08f70e";
/// The same under `whsec_old_1`, standing in for a secret being rotated out.
const OLD_SECRET_TAG: &str = "f66826a8f370195110f7803e9b1f27ca5447694eb614a0ab031c510dfcdf0651";

fn secret() -> WebhookSecret {
    WebhookSecret::new(SECRET)
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fn header() -> String {
    format!("t={SIGNED_AT},v1={TAG}")
}

fn check(header: &str, body: &[u8], now: SystemTime) -> Result<(), SignatureError> {
    webhooks::verify(&secret(), header, body, now)
}

// ---- signatures -------------------------------------------------------------

#[test]
fn a_valid_signature_is_accepted() {
    assert_eq!(check(&header(), BODY, at(SIGNED_AT)), Ok(()));
    assert_eq!(check(&header(), BODY, at(SIGNED_AT + 12)), Ok(()));
}

#[test]
fn sign_matches_an_independently_computed_tag() {
    assert_eq!(webhooks::sign(&secret(), at(SIGNED_AT), BODY), header());
}

#[test]
fn the_system_clock_variant_accepts_a_fresh_signature() {
    let now = SystemTime::now();
    let header = webhooks::sign(&secret(), now, BODY);
    assert_eq!(webhooks::verify_now(&secret(), &header, BODY), Ok(()));
    assert_eq!(Verifier::new(secret()).verify_now(&header, BODY), Ok(()));
}

#[test]
fn a_tampered_body_is_refused() {
    let tampered = br#"{"event_id":"evt_2","event_type":"authorization.created"}"#;
    assert_eq!(
        check(&header(), tampered, at(SIGNED_AT)),
        Err(SignatureError::NoMatchingSignature)
    );
    // Re-serialised JSON is a different body, too.
    let reformatted = br#"{"event_id": "evt_1", "event_type": "authorization.created"}"#;
    assert_eq!(
        check(&header(), reformatted, at(SIGNED_AT)),
        Err(SignatureError::NoMatchingSignature)
    );
}

#[test]
fn a_wrong_secret_is_refused() {
    let wrong = WebhookSecret::new("whsec_someone_else");
    assert_eq!(
        webhooks::verify(&wrong, &header(), BODY, at(SIGNED_AT)),
        Err(SignatureError::NoMatchingSignature)
    );
}

#[test]
fn a_tag_for_another_timestamp_is_refused() {
    // Same tag, timestamp moved by a second: the signed string differs.
    let moved = format!("t={},v1={TAG}", SIGNED_AT + 1);
    assert_eq!(
        check(&moved, BODY, at(SIGNED_AT)),
        Err(SignatureError::NoMatchingSignature)
    );
}

#[test]
fn a_stale_timestamp_is_refused() {
    assert_eq!(check(&header(), BODY, at(SIGNED_AT + 300)), Ok(()));
    assert_eq!(
        check(&header(), BODY, at(SIGNED_AT + 301)),
        Err(SignatureError::TimestampTooOld {
            skew: Duration::from_secs(301),
            tolerance: Duration::from_secs(300),
        })
    );
    let err = check(&header(), BODY, at(SIGNED_AT + 301)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the signature timestamp is 301s old, beyond the 300s tolerance"
    );
    let late = at(SIGNED_AT + 300) + Duration::from_millis(500);
    assert_eq!(
        check(&header(), BODY, late),
        Err(SignatureError::TimestampTooOld {
            skew: Duration::from_millis(300_500),
            tolerance: Duration::from_secs(300),
        })
    );
    assert_eq!(
        check(&header(), BODY, at(SIGNED_AT + 86_400)),
        Err(SignatureError::TimestampTooOld {
            skew: Duration::from_secs(86_400),
            tolerance: Duration::from_secs(300),
        })
    );
}

#[test]
fn a_far_future_timestamp_is_refused() {
    assert_eq!(check(&header(), BODY, at(SIGNED_AT - 300)), Ok(()));
    assert_eq!(
        check(&header(), BODY, at(SIGNED_AT - 301)),
        Err(SignatureError::TimestampInFuture {
            skew: Duration::from_secs(301),
            tolerance: Duration::from_secs(300),
        })
    );
    assert_eq!(
        check(&header(), BODY, at(SIGNED_AT - 3_600)),
        Err(SignatureError::TimestampInFuture {
            skew: Duration::from_secs(3_600),
            tolerance: Duration::from_secs(300),
        })
    );
}

#[test]
fn a_stale_timestamp_is_refused_even_with_a_valid_tag_for_it() {
    let old = webhooks::sign(&secret(), at(SIGNED_AT - 3_600), BODY);
    assert!(matches!(
        check(&old, BODY, at(SIGNED_AT)),
        Err(SignatureError::TimestampTooOld { .. })
    ));
}

#[test]
fn the_tolerance_is_configurable() {
    let verifier = Verifier::new(secret()).with_tolerance(Duration::from_secs(60));
    assert_eq!(verifier.verify(&header(), BODY, at(SIGNED_AT + 60)), Ok(()));
    assert_eq!(
        verifier.verify(&header(), BODY, at(SIGNED_AT + 61)),
        Err(SignatureError::TimestampTooOld {
            skew: Duration::from_secs(61),
            tolerance: Duration::from_secs(60),
        })
    );
    assert_eq!(
        verifier.verify(&header(), BODY, at(SIGNED_AT - 61)),
        Err(SignatureError::TimestampInFuture {
            skew: Duration::from_secs(61),
            tolerance: Duration::from_secs(60),
        })
    );
}

#[test]
fn an_empty_header_is_missing() {
    assert_eq!(
        check("", BODY, at(SIGNED_AT)),
        Err(SignatureError::MissingHeader)
    );
    assert_eq!(
        check("  \t ", BODY, at(SIGNED_AT)),
        Err(SignatureError::MissingHeader)
    );
}

#[test]
fn a_header_without_t_is_refused() {
    assert_eq!(
        check(&format!("v1={TAG}"), BODY, at(SIGNED_AT)),
        Err(SignatureError::MissingTimestamp)
    );
    assert_eq!(
        check("garbage", BODY, at(SIGNED_AT)),
        Err(SignatureError::MissingTimestamp)
    );
}

#[test]
fn a_header_without_v1_is_refused() {
    assert_eq!(
        check(&format!("t={SIGNED_AT}"), BODY, at(SIGNED_AT)),
        Err(SignatureError::MissingSignature)
    );
    // A different scheme's value is not a v1 signature.
    assert_eq!(
        check(&format!("t={SIGNED_AT},v0={TAG}"), BODY, at(SIGNED_AT)),
        Err(SignatureError::MissingSignature)
    );
}

#[test]
fn a_non_numeric_t_is_refused() {
    for t in [
        "abc",
        "",
        "-1751385600",
        "+1751385600",
        "1751385600.5",
        "17513856OO",
        "99999999999999999999999",
    ] {
        assert_eq!(
            check(&format!("t={t},v1={TAG}"), BODY, at(SIGNED_AT)),
            Err(SignatureError::InvalidTimestamp),
            "t={t}"
        );
    }
    // Two timestamps: which one was signed is ambiguous.
    assert_eq!(
        check(
            &format!("t={SIGNED_AT},t={SIGNED_AT},v1={TAG}"),
            BODY,
            at(SIGNED_AT)
        ),
        Err(SignatureError::InvalidTimestamp)
    );
}

#[test]
fn a_non_hex_v1_is_refused() {
    let not_hex = "z".repeat(64);
    let too_short = &TAG[..62];
    let too_long = format!("{TAG}00");
    for v1 in [not_hex.as_str(), too_short, too_long.as_str(), "", "8b7c…"] {
        assert_eq!(
            check(&format!("t={SIGNED_AT},v1={v1}"), BODY, at(SIGNED_AT)),
            Err(SignatureError::InvalidSignature),
            "v1={v1}"
        );
    }
}

#[test]
fn malformed_header_errors_say_so() {
    for err in [
        SignatureError::MissingHeader,
        SignatureError::MissingTimestamp,
        SignatureError::InvalidTimestamp,
        SignatureError::MissingSignature,
        SignatureError::InvalidSignature,
    ] {
        assert!(err.is_malformed_header(), "{err:?}");
    }
    assert!(!SignatureError::NoMatchingSignature.is_malformed_header());
    assert!(!SignatureError::EmptySecret.is_malformed_header());
}

#[test]
fn any_matching_v1_is_enough_during_rotation() {
    let both = format!("t={SIGNED_AT},v1={OLD_SECRET_TAG},v1={TAG}");
    assert_eq!(check(&both, BODY, at(SIGNED_AT)), Ok(()));
    let reversed = format!("t={SIGNED_AT},v1={TAG},v1={OLD_SECRET_TAG}");
    assert_eq!(check(&reversed, BODY, at(SIGNED_AT)), Ok(()));
    let old = WebhookSecret::new("whsec_old_1");
    assert_eq!(webhooks::verify(&old, &both, BODY, at(SIGNED_AT)), Ok(()));
    let neither = format!("t={SIGNED_AT},v1={OLD_SECRET_TAG},v1={}", "0".repeat(64));
    assert_eq!(
        check(&neither, BODY, at(SIGNED_AT)),
        Err(SignatureError::NoMatchingSignature)
    );
}

#[test]
fn header_layout_is_tolerant() {
    // Spaces around elements, upper-case hex, element order, and elements of
    // other schemes do not matter.
    let upper = TAG.to_ascii_uppercase();
    for header in [
        format!("t={SIGNED_AT}, v1={TAG}"),
        format!(" t={SIGNED_AT} ,v1={TAG} "),
        format!("v1={TAG},t={SIGNED_AT}"),
        format!("t={SIGNED_AT},v1={upper}"),
        format!("t={SIGNED_AT},v2=whatever,v1={TAG},x"),
    ] {
        assert_eq!(check(&header, BODY, at(SIGNED_AT)), Ok(()), "{header}");
    }
}

#[test]
fn an_empty_secret_refuses_to_verify() {
    let empty = WebhookSecret::new("");
    // Even a tag made with the empty key is not accepted.
    let forged = webhooks::sign(&empty, at(SIGNED_AT), BODY);
    assert_eq!(
        webhooks::verify(&empty, &forged, BODY, at(SIGNED_AT)),
        Err(SignatureError::EmptySecret)
    );
}

#[test]
fn errors_never_show_the_secret_or_a_signature() {
    let expected_for_tampered = webhooks::sign(&secret(), at(SIGNED_AT), b"tampered");
    let expected_tag = expected_for_tampered.rsplit('=').next().unwrap();
    let errors = [
        check(&header(), b"tampered", at(SIGNED_AT)).unwrap_err(),
        check(&header(), BODY, at(SIGNED_AT + 999)).unwrap_err(),
        check(&header(), BODY, at(SIGNED_AT - 999)).unwrap_err(),
        check(&format!("t=x,v1={TAG}"), BODY, at(SIGNED_AT)).unwrap_err(),
        check(
            &format!("t={SIGNED_AT},v1={}", &TAG[..10]),
            BODY,
            at(SIGNED_AT),
        )
        .unwrap_err(),
    ];
    for err in errors {
        let wrapped = WebhookError::from(err.clone());
        for text in [
            format!("{err}"),
            format!("{err:?}"),
            format!("{wrapped}"),
            format!("{wrapped:?}"),
        ] {
            assert!(!text.contains(SECRET), "{text}");
            assert!(!text.contains(expected_tag), "{text}");
            assert!(!text.contains(&TAG[..10]), "{text}");
        }
    }
}

#[test]
fn verify_and_parse_checks_before_parsing() {
    let body = fixture("authorization.created");
    let now = at(SIGNED_AT);
    let header = webhooks::sign(&secret(), now, &body);

    let event = webhooks::verify_and_parse(&secret(), &header, &body, now).unwrap();
    assert_eq!(event.event_type, "authorization.created");

    let event = Verifier::new(secret())
        .verify_and_parse(&header, &body, now)
        .unwrap();
    assert!(matches!(event.data, EventData::AuthorizationCreated(_)));

    match webhooks::verify_and_parse(&secret(), &header, b"{}", now) {
        Err(WebhookError::Signature(SignatureError::NoMatchingSignature)) => {}
        other => panic!("{other:?}"),
    }

    let not_json = b"definitely not json";
    let header = webhooks::sign(&secret(), now, not_json);
    match webhooks::verify_and_parse(&secret(), &header, not_json, now) {
        Err(WebhookError::Parse(e)) => {
            assert!(e.to_string().starts_with("not an Osigu webhook event"))
        }
        other => panic!("{other:?}"),
    }
}

// ---- parsing ----------------------------------------------------------------

/// A delivery body from `tests/fixtures/webhook-events/`.
fn fixture(event: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/webhook-events")
        .join(format!("{event}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse_value(value: Value) -> Event {
    webhooks::parse(&serde_json::to_vec(&value).unwrap()).unwrap()
}

fn envelope(event_type: &str, data: Value) -> Event {
    parse_value(json!({
        "event_id": "evt_5MZP0R7WQ2D8KX4TN6BY3VCA9H",
        "event_type": event_type,
        "created_at": "2026-03-14T09:41:27.352Z",
        "api_version": "2026-01-01",
        "environment": "production",
        "data": data,
        "provider": { "provider_id": "prv_1", "provider_slug": "clinica-norte" }
    }))
}

#[test]
fn the_envelope_parses() {
    let event = webhooks::parse(&fixture("envelope")).unwrap();
    assert_eq!(event.id, "evt_5MZP0R7WQ2D8KX4TN6BY3VCA9H");
    assert_eq!(event.event_type, "authorization.created");
    assert_eq!(event.family(), "authorization");
    assert!(event.is_known_type());
    assert_eq!(
        event.created_at,
        Utc.with_ymd_and_hms(2026, 3, 14, 9, 41, 27).unwrap() + chrono::Duration::milliseconds(352)
    );
    assert_eq!(event.version.as_deref(), Some("2026-01-01"));
    assert_eq!(event.environment, Some(EventEnvironment::Sandbox));
    let provider = event.provider.as_ref().unwrap();
    assert_eq!(provider.provider_id.as_deref(), Some("prv_77"));
    assert_eq!(provider.provider_slug.as_deref(), Some("clinica-norte"));
    // An empty `data` still parses: every typed field is optional.
    let EventData::AuthorizationCreated(auth) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(auth.authorization_code, None);
    assert!(auth.products.is_empty());
}

#[test]
fn authorization_created_parses() {
    let event = webhooks::parse(&fixture("authorization.created")).unwrap();
    assert_eq!(event.id, "evt_2T9QW");
    assert_eq!(event.environment, Some(EventEnvironment::Sandbox));
    let provider = event.provider.as_ref().unwrap();
    assert_eq!(provider.provider_slug.as_deref(), Some("clinica-norte"));
    assert_eq!(provider.provider_id, None);

    let EventData::AuthorizationCreated(auth) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(auth.authorization_id.as_deref(), Some("auth_8KD3"));
    assert_eq!(auth.authorization_code.as_deref(), Some("AUTH-SBX-004417"));
    assert_eq!(auth.authorization_request_id.as_deref(), Some("areq_6FJ1"));
    assert_eq!(auth.beneficiary_id.as_deref(), Some("bnf_4KT2X9"));
    assert_eq!(auth.sponsor_slug.as_deref(), Some("sponsor-sandbox"));
    assert_eq!(auth.product_type.as_deref(), Some("MEDICATION"));
    assert_eq!(auth.products.len(), 1);
    assert_eq!(auth.products[0].product_code.as_deref(), Some("MED-7731"));
    assert_eq!(auth.products[0].quantity, Some(21));
    assert_eq!(
        auth.products[0].posology.as_deref(),
        Some("one capsule three times a day")
    );
    assert_eq!(
        auth.expires_at,
        Some(Utc.with_ymd_and_hms(2026, 4, 13, 0, 0, 0).unwrap())
    );
    assert_eq!(auth.sponsor_reference.as_deref(), Some("SPX-4417"));
    assert_eq!(auth.additional_data, Some(json!({})));
    assert_eq!(auth.rejection_reason, None);
    assert!(auth.extra.is_empty());
}

#[test]
fn authorization_rejected_updated_and_voided() {
    let event = envelope(
        "authorization.rejected",
        json!({
            "authorization_request_id": "areq_1",
            "beneficiary_id": "bnf_1",
            "rejection_reason": "Product not covered by the plan"
        }),
    );
    let EventData::AuthorizationRejected(auth) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(auth.authorization_request_id.as_deref(), Some("areq_1"));
    assert_eq!(
        auth.rejection_reason.as_deref(),
        Some("Product not covered by the plan")
    );

    let event = envelope(
        "authorization.updated",
        json!({ "authorization_id": "auth_1", "payment_type": "COPAY",
                "expires_at": "2026-08-01T00:00:00Z" }),
    );
    let EventData::AuthorizationUpdated(auth) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(auth.authorization_id.as_deref(), Some("auth_1"));
    assert_eq!(
        auth.expires_at,
        Some(Utc.with_ymd_and_hms(2026, 8, 1, 0, 0, 0).unwrap())
    );
    // Undocumented fields are kept.
    assert_eq!(auth.extra["payment_type"], "COPAY");

    let event = envelope(
        "authorization.voided",
        json!({ "authorization_id": "auth_1", "authorization_code": "AUTH-SBX-004417",
                "void_reason": "EXPIRED" }),
    );
    let EventData::AuthorizationVoided(auth) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(auth.authorization_code.as_deref(), Some("AUTH-SBX-004417"));
    assert_eq!(auth.extra["void_reason"], "EXPIRED");
}

#[test]
fn dispensing_started_parses() {
    let event = webhooks::parse(&fixture("dispensing.started")).unwrap();
    assert_eq!(event.event_type, "dispensing.started");
    assert_eq!(event.version, None);
    let EventData::DispensingStarted(d) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(d.dispensation_id.as_deref(), Some("dsp_3QV8"));
    assert_eq!(d.code.as_deref(), Some("AUTH-SBX-004417"));
    assert_eq!(d.code_type, Some(CodeType::Authorization));
    assert_eq!(d.beneficiary_id.as_deref(), Some("bnf_7RM5"));
    assert_eq!(d.sponsor_slug.as_deref(), Some("sponsor-sandbox"));
    let pharmacy = d.pharmacy.as_ref().unwrap();
    assert_eq!(pharmacy.provider_slug.as_deref(), Some("farmacia-centro"));
    assert_eq!(pharmacy.branch_id.as_deref(), Some("branch_12"));
    assert_eq!(d.products.len(), 1);
    assert_eq!(d.products[0].product_code.as_deref(), Some("MED-7731"));
    assert_eq!(d.products[0].quantity, Some(21));
    assert_eq!(d.products[0].unit_price, None);
    assert_eq!(
        d.started_at,
        Some(Utc.with_ymd_and_hms(2026, 3, 14, 11, 2, 40).unwrap())
    );
    assert_eq!(d.total_amount, None);
}

#[test]
fn dispensing_completed_and_cancelled() {
    // The fields the page shows before its stored copy is cut off, with
    // our own values.
    let event = envelope(
        "dispensing.completed",
        json!({
            "dispensation_id": "dsp_3QV8",
            "code": "AUTH-SBX-004417",
            "code_type": "AUTHORIZATION",
            "authorization_id": "auth_8KD3",
            "prescription_id": null,
            "beneficiary_id": "bnf_7RM5",
            "sponsor_slug": "sponsor-sandbox",
            "pharmacy": { "provider_slug": "farmacia-centro", "branch_id": "branch_12" },
            "products": [ { "product_code": "MED-7731", "quantity": 21, "unit_price": 4.75 } ],
            "total_amount": 99.75
        }),
    );
    let EventData::DispensingCompleted(d) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(d.authorization_id.as_deref(), Some("auth_8KD3"));
    assert_eq!(d.prescription_id, None);
    assert_eq!(d.products[0].unit_price, Some(4.75));
    assert_eq!(d.total_amount, Some(99.75));

    let event = envelope(
        "dispensing.cancelled",
        json!({ "dispensation_id": "dsp_2", "code": "RX-SBX-0305",
                "code_type": "PRESCRIPTION", "prescription_id": "rx_1",
                "products": null }),
    );
    let EventData::DispensingCancelled(d) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(d.code_type, Some(CodeType::Prescription));
    assert_eq!(d.prescription_id.as_deref(), Some("rx_1"));
    assert!(d.products.is_empty());

    let event = envelope("dispensing.cancelled", json!({ "code_type": "VOUCHER" }));
    let EventData::DispensingCancelled(d) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(d.code_type, Some(CodeType::Unknown("VOUCHER".into())));
}

#[test]
fn prescription_issued_parses() {
    let event = webhooks::parse(&fixture("prescription.issued")).unwrap();
    let EventData::PrescriptionIssued(rx) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(rx.prescription_id.as_deref(), Some("rx_9WE4"));
    assert_eq!(rx.prescription_code.as_deref(), Some("RX-SBX-0305"));
    assert_eq!(rx.version.as_deref(), Some("v1.1"));
    let patient = rx.patient.as_ref().unwrap();
    assert_eq!(patient.patient_id.as_deref(), Some("pat_5LH0"));
    assert_eq!(patient.first_name.as_deref(), Some("Marta"));
    assert_eq!(patient.last_name.as_deref(), Some("Quispe"));
    let doctor = rx.doctor.as_ref().unwrap();
    assert_eq!(doctor.doctor_id.as_deref(), Some("doc_2GX7"));
    assert_eq!(
        doctor.medical_board_registration.as_deref(),
        Some("MP-40817")
    );
    assert_eq!(rx.diagnoses.len(), 1);
    assert_eq!(rx.diagnoses[0].diagnosis_code.as_deref(), Some("J02.9"));
    assert_eq!(rx.medications.len(), 1);
    let medication = &rx.medications[0];
    assert_eq!(medication.product_code.as_deref(), Some("MED-7731"));
    assert_eq!(medication.quantity, Some(21));
    assert_eq!(
        medication.posology.as_deref(),
        Some("one capsule three times a day")
    );
    assert_eq!(medication.duration_days, Some(7));
    assert_eq!(
        rx.issued_at,
        Some(Utc.with_ymd_and_hms(2026, 3, 14, 10, 5, 0).unwrap())
    );
}

#[test]
fn prescription_email_events() {
    let event = webhooks::parse(&fixture("prescription.email_delivered")).unwrap();
    let EventData::PrescriptionEmailDelivered(mail) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(mail.prescription_id.as_deref(), Some("rx_9WE4"));
    assert_eq!(mail.prescription_code.as_deref(), Some("RX-SBX-0305"));
    assert_eq!(mail.email.as_deref(), Some("marta.q@example.org"));
    assert_eq!(
        mail.delivered_at,
        Some(Utc.with_ymd_and_hms(2026, 3, 14, 10, 6, 30).unwrap())
    );

    let event = envelope(
        "prescription.email_failed",
        json!({ "prescription_id": "rx_1", "email": "marta.q@example.org",
                "failure_reason": "550 mailbox unavailable" }),
    );
    let EventData::PrescriptionEmailFailed(mail) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(mail.prescription_id.as_deref(), Some("rx_1"));
    assert_eq!(mail.delivered_at, None);
    assert_eq!(mail.extra["failure_reason"], "550 mailbox unavailable");
}

#[test]
fn settlement_events() {
    let data = json!({ "settlement_id": "stl_5DK2", "status": "ACCEPTED",
                       "sponsor_slug": "sponsor-sandbox-do", "paid_amount": 1500.0 });
    let event = envelope("settlement.paid", data.clone());
    let EventData::SettlementPaid(s) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(s.settlement_id.as_deref(), Some("stl_5DK2"));
    assert_eq!(s.status.as_deref(), Some("ACCEPTED"));
    assert_eq!(s.sponsor_slug.as_deref(), Some("sponsor-sandbox-do"));
    assert_eq!(s.extra["paid_amount"], 1500.0);

    assert!(matches!(
        envelope("settlement.rejected", data.clone()).data,
        EventData::SettlementRejected(_)
    ));
    assert!(matches!(
        envelope("settlement.partially_accepted", data).data,
        EventData::SettlementPartiallyAccepted(_)
    ));
}

#[test]
fn every_known_type_has_a_typed_variant() {
    for event_type in webhooks::KNOWN_EVENT_TYPES {
        let event = envelope(event_type, json!({}));
        assert!(
            !matches!(event.data, EventData::Unknown { .. }),
            "{event_type} parsed as Unknown"
        );
        assert!(event.is_known_type());
    }
}

#[test]
fn an_unknown_type_is_kept_with_its_data() {
    let data = json!({ "claim_id": "clm_1", "nested": { "amounts": [1, 2.5] } });
    let event = envelope("claim.audited", data.clone());
    assert!(!event.is_known_type());
    assert_eq!(event.family(), "claim");
    assert_eq!(
        event.data,
        EventData::Unknown {
            event_type: "claim.audited".into(),
            data,
        }
    );

    // No data at all.
    let event = parse_value(json!({
        "event_id": "evt_1", "event_type": "ping", "created_at": "2026-03-14T14:22:11Z"
    }));
    assert_eq!(event.family(), "ping");
    assert_eq!(
        event.data,
        EventData::Unknown {
            event_type: "ping".into(),
            data: Value::Null
        }
    );
}

#[test]
fn a_known_type_with_mismatched_data_is_kept_as_unknown() {
    let data = json!({ "dispensation_id": "dsp_1", "products": [{ "quantity": "thirty" }] });
    let event = envelope("dispensing.completed", data.clone());
    assert!(event.is_known_type());
    assert_eq!(
        event.data,
        EventData::Unknown {
            event_type: "dispensing.completed".into(),
            data,
        }
    );

    let event = envelope("prescription.issued", json!("not an object"));
    assert!(matches!(event.data, EventData::Unknown { .. }));
}

#[test]
fn unknown_environments_are_kept() {
    let event = envelope("claim.audited", json!({}));
    assert_eq!(event.environment, Some(EventEnvironment::Production));
    let event = parse_value(json!({
        "event_id": "e", "event_type": "x", "created_at": "2026-03-14T14:22:11Z",
        "environment": "staging"
    }));
    assert_eq!(
        event.environment,
        Some(EventEnvironment::Unknown("staging".into()))
    );
}

#[test]
fn a_body_that_is_not_an_envelope_is_an_error() {
    for body in [
        &b""[..],
        b"not json",
        b"[]",
        br#"{"event_type":"x","created_at":"2026-03-14T14:22:11Z"}"#,
        br#"{"event_id":"e","created_at":"2026-03-14T14:22:11Z"}"#,
        br#"{"event_id":"e","event_type":"x"}"#,
        br#"{"event_id":"e","event_type":"x","created_at":"yesterday"}"#,
        br#"{"event_id":7,"event_type":"x","created_at":"2026-03-14T14:22:11Z"}"#,
    ] {
        let err = webhooks::parse(body).expect_err(std::str::from_utf8(body).unwrap());
        assert!(std::error::Error::source(&err).is_some());
    }
}

// ---- Debug without secrets or patient data ----------------------------------

#[test]
fn a_secret_never_prints() {
    let secret = WebhookSecret::new(SECRET);
    assert!(!format!("{secret:?}").contains(SECRET));
    let verifier = Verifier::new(secret);
    let text = format!("{verifier:?}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(text.contains("redacted"), "{text}");
}

#[test]
fn event_debug_hides_beneficiary_ids() {
    let event = webhooks::parse(&fixture("authorization.created")).unwrap();
    let text = format!("{event:?}");
    assert!(!text.contains("bnf_4KT2X9"), "{text}");
    assert!(text.contains("beneficiary_id: Some([redacted])"), "{text}");
    // What is needed to debug stays visible.
    assert!(text.contains("AUTH-SBX-004417"), "{text}");
    assert!(text.contains("MED-7731"), "{text}");

    let event = webhooks::parse(&fixture("dispensing.started")).unwrap();
    let text = format!("{event:#?}");
    assert!(!text.contains("bnf_"), "{text}");
    assert!(text.contains("dsp_3QV8"), "{text}");
}

#[test]
fn event_debug_hides_patients_emails_and_diagnoses() {
    let event = webhooks::parse(&fixture("prescription.issued")).unwrap();
    let text = format!("{event:?}");
    for hidden in ["pat_", "Marta", "Quispe", "J02.9"] {
        assert!(!text.contains(hidden), "{hidden} in {text}");
    }
    assert!(text.contains("RX-SBX-0305"), "{text}");

    let event = webhooks::parse(&fixture("prescription.email_delivered")).unwrap();
    assert!(!format!("{event:?}").contains("marta.q@example.org"));
}

#[test]
fn debug_hides_patient_data_in_unknown_and_extra_fields() {
    let event = envelope(
        "claim.audited",
        json!({
            "claim_id": "clm_1",
            "beneficiary": { "beneficiary_id": "bnf_SECRET1", "document_number": "DOC-SECRET2" },
            "lines": [ { "patient_document": "DOC-SECRET3", "amount": 10 } ]
        }),
    );
    let text = format!("{event:?}");
    for hidden in ["bnf_SECRET1", "DOC-SECRET2", "DOC-SECRET3"] {
        assert!(!text.contains(hidden), "{hidden} in {text}");
    }
    assert!(text.contains("clm_1"), "{text}");

    let event = envelope(
        "authorization.voided",
        json!({
            "authorization_id": "auth_1",
            "beneficiary_document_number": "DOC-SECRET4",
            "additional_data": { "affiliate_number": "AFF-SECRET5", "plan": "GOLD" },
            "products": [ { "product_code": "MED-1", "patient_id": "pat_SECRET6" } ]
        }),
    );
    let text = format!("{event:?}");
    for hidden in ["DOC-SECRET4", "AFF-SECRET5", "pat_SECRET6"] {
        assert!(!text.contains(hidden), "{hidden} in {text}");
    }
    assert!(text.contains("GOLD"), "{text}");

    // A mismatched known type falls back to Unknown, still redacted.
    let event = envelope(
        "dispensing.started",
        json!({ "beneficiary_id": "bnf_SECRET7", "products": "oops" }),
    );
    assert!(matches!(event.data, EventData::Unknown { .. }));
    assert!(!format!("{event:?}").contains("bnf_SECRET7"));
}

// ---- deduplication ----------------------------------------------------------

#[test]
fn a_redelivery_of_a_handled_event_is_not_new() {
    let seen = Deduplicator::new(100);
    assert!(handled_first(&seen, "evt_1", std::time::Instant::now()));
    assert!(!handled_first(&seen, "evt_1", std::time::Instant::now()));
    assert!(!handled_first(&seen, "evt_1", std::time::Instant::now()));
    assert!(handled_first(&seen, "evt_2", std::time::Instant::now()));
    assert_eq!(seen.len(), 2);
}

#[test]
fn capacity_evicts_the_oldest() {
    let seen = Deduplicator::new(2).without_ttl();
    let t0 = Instant::now();
    assert!(handled_first(&seen, "a", t0));
    assert!(handled_first(&seen, "b", t0));
    assert!(handled_first(&seen, "c", t0)); // evicts a
    assert_eq!(seen.len(), 2);
    assert!(!handled_first(&seen, "b", t0));
    assert!(!handled_first(&seen, "c", t0));
    assert!(handled_first(&seen, "a", t0)); // forgotten, so new again; evicts b
    assert!(!handled_first(&seen, "c", t0));
    assert!(handled_first(&seen, "b", t0));
    assert_eq!(seen.len(), 2);
}

#[test]
fn ids_expire_after_the_ttl() {
    let seen = Deduplicator::new(100).with_ttl(Duration::from_secs(3_600));
    let t0 = Instant::now();
    assert!(handled_first(&seen, "a", t0));
    assert!(handled_first(&seen, "b", t0 + Duration::from_secs(1_800)));
    assert!(!handled_first(&seen, "a", t0 + Duration::from_secs(3_599)));
    // `a` expires; `b` (seen later) is still remembered.
    assert!(handled_first(&seen, "a", t0 + Duration::from_secs(3_600)));
    assert!(!handled_first(&seen, "b", t0 + Duration::from_secs(3_600)));
    assert!(handled_first(&seen, "b", t0 + Duration::from_secs(5_400)));
}

#[test]
fn the_default_ttl_covers_osigus_retry_window() {
    let seen = Deduplicator::default();
    let t0 = Instant::now();
    assert!(handled_first(&seen, "a", t0));
    assert!(!handled_first(
        &seen,
        "a",
        t0 + Duration::from_secs(71 * 3_600)
    ));
    assert!(handled_first(
        &seen,
        "a",
        t0 + Duration::from_secs(72 * 3_600)
    ));
}

#[test]
fn forgetting_lets_a_retry_through() {
    let seen = Deduplicator::new(2);
    assert!(handled_first(&seen, "a", std::time::Instant::now()));
    assert!(seen.forget("a"));
    assert!(!seen.forget("a"));
    assert!(handled_first(&seen, "a", std::time::Instant::now()));
    assert!(!handled_first(&seen, "a", std::time::Instant::now()));

    // Many forgets do not grow memory or disturb eviction order.
    for i in 0..1_000 {
        let id = format!("tmp_{i}");
        assert!(handled_first(&seen, &id, std::time::Instant::now()));
        seen.forget(&id);
    }
    assert!(!handled_first(&seen, "a", std::time::Instant::now()));
    assert!(handled_first(&seen, "b", std::time::Instant::now()));
    assert!(handled_first(&seen, "c", std::time::Instant::now())); // evicts a
    assert!(handled_first(&seen, "a", std::time::Instant::now()));
    assert_eq!(seen.len(), 2);
}

#[test]
fn zero_capacity_remembers_nothing() {
    let seen = Deduplicator::new(0);
    assert!(handled_first(&seen, "a", std::time::Instant::now()));
    assert!(handled_first(&seen, "a", std::time::Instant::now()));
    assert!(seen.is_empty());
}

#[test]
fn clear_forgets_everything() {
    let seen = Deduplicator::new(10);
    handled_first(&seen, "a", std::time::Instant::now());
    handled_first(&seen, "b", std::time::Instant::now());
    seen.clear();
    assert!(seen.is_empty());
    assert!(handled_first(&seen, "a", std::time::Instant::now()));
}

#[test]
fn concurrent_deliveries_of_one_event_are_handled_once() {
    let seen = Deduplicator::new(1_000);
    let firsts = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for i in 0..200 {
                    if handled_first(&seen, &format!("evt_{i}"), std::time::Instant::now()) {
                        firsts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert_eq!(firsts.into_inner(), 200);
    assert_eq!(seen.len(), 200);
}

/// A delivery handled to completion the moment it is first seen: `true`
/// when it was new.
fn handled_first(seen: &osigu::webhooks::Deduplicator, id: &str, now: std::time::Instant) -> bool {
    match seen.begin_at(id, now) {
        osigu::webhooks::Delivery::New(claim) => {
            claim.handled();
            true
        }
        _ => false,
    }
}

#[test]
fn a_redelivery_while_the_first_is_handled_is_in_flight_not_acknowledged() {
    use osigu::webhooks::{Deduplicator, Delivery};
    let seen = Deduplicator::default();
    let Delivery::New(first) = seen.begin("evt_slow") else {
        panic!("the first delivery is new")
    };
    // The slow handler is still running when Osigu delivers again.
    assert!(matches!(seen.begin("evt_slow"), Delivery::InFlight));
    // The first handler fails: its claim is dropped unhandled.
    drop(first);
    // Osigu's next retry is handled, not lost.
    let Delivery::New(retry) = seen.begin("evt_slow") else {
        panic!("the retry after a failure is new")
    };
    retry.handled();
    assert!(matches!(seen.begin("evt_slow"), Delivery::Handled));
}

#[test]
fn a_claim_from_before_a_forget_does_not_mark_a_newer_one() {
    use osigu::webhooks::{Deduplicator, Delivery};
    let seen = Deduplicator::default();
    let Delivery::New(old) = seen.begin("evt_1") else {
        panic!()
    };
    assert!(seen.forget("evt_1"));
    let Delivery::New(new) = seen.begin("evt_1") else {
        panic!()
    };
    // The stale claim ends (handled or not) without touching the new one.
    old.handled();
    assert!(matches!(seen.begin("evt_1"), Delivery::InFlight));
    drop(new);
    assert!(matches!(seen.begin("evt_1"), Delivery::New(_)));
}

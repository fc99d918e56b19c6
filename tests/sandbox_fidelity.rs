//! The sandbox against the spec: every operation of `openapi.json` is
//! called through the generated SDK, and its answer must deserialise into
//! the generated response type. The sandbox computes which operations of
//! the SDK's table it has no handler for; that list must be empty, so an
//! operation added to the spec without a handler fails here by name.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;
use std::future::Future;

use std::time::Duration;

use osigu::{Polling, RateLimits, RetryPolicy, Upload, types};
use osigu_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

/// What each call did, by `"METHOD /path"`: `Ok` or the error text.
#[derive(Default)]
struct Log(BTreeMap<String, Result<(), String>>);

impl Log {
    /// Awaits one SDK call and records its outcome; a failure is never
    /// overwritten by a later success of the same operation.
    async fn call<R, E: Display>(
        &mut self,
        key: &str,
        call: impl Future<Output = Result<R, E>>,
    ) -> Option<R> {
        let outcome = call.await;
        let entry = self.0.entry(key.to_owned()).or_insert(Ok(()));
        match outcome {
            Ok(value) => Some(value),
            Err(error) => {
                if entry.is_ok() {
                    *entry = Err(error.to_string());
                }
                None
            }
        }
    }
}

/// A request type from JSON, so bodies read like the API's own examples.
fn body<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the body matches the generated request type")
}

/// `"METHOD /path"` for every operation of `openapi.json`.
fn spec_operations() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"))
        .expect("openapi.json is readable");
    let spec: Value = serde_json::from_str(&text).expect("openapi.json is JSON");
    let mut operations = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if !["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations
}

/// `lookupBeneficiaries`, answered at once and through a monitor.
async fn lookups(osigu: &osigu::Osigu, log: &mut Log) {
    let lookup = |sponsor: &str, document: &str| {
        osigu
            .lookup_beneficiaries()
            .sponsor_slug(sponsor)
            .body(body::<types::BeneficiaryLookupRequest>(json!({
                "form_slug": "national-id",
                "inputs": [{ "slug": "document_number", "value": document }],
            })))
    };
    let found = log
        .call(
            "POST /beneficiary-lookup/v1/sponsors/{sponsor_slug}/search",
            lookup("demo-insurer", "1000000001").send(),
        )
        .await
        .map(|page| page.into_inner().content)
        .unwrap_or_default();
    assert_eq!(found.len(), 1, "the seeded beneficiary 1001 is found");
    assert_eq!(found[0].id, Some(1001));
    // The sponsor decides at once (no delay configured), so the first poll
    // finds the monitor done; the sandbox's own tests walk it through
    // IN_PROGRESS on a paused clock.
    let quick = Polling {
        first_wait: Duration::from_millis(1),
        factor: 1.0,
        max_wait: Duration::from_millis(1),
        deadline: Duration::from_secs(10),
    };
    let later = log
        .call(
            "POST /beneficiary-lookup/v1/sponsors/{sponsor_slug}/search",
            lookup("async-insurer", "3000000001").send_and_wait(quick),
        )
        .await
        .map(|page| page.content)
        .unwrap_or_default();
    assert_eq!(
        later.first().and_then(|b| b.id),
        Some(3001),
        "the asynchronous sponsor's monitor ends with the beneficiary found"
    );
}

/// `searchDiagnoses`.
async fn diagnosis_search(osigu: &osigu::Osigu, log: &mut Log) {
    let searched = log
        .call(
            "GET /medical-catalogs/v1/diagnoses/search",
            osigu.search_diagnoses().name("headache").send(),
        )
        .await
        .map(|page| page.into_inner().content)
        .unwrap_or_default();
    assert_eq!(
        searched.first().and_then(|d| d.code.as_deref()),
        Some("R51")
    );
}

/// A code's document, and a dispensation started from it.
async fn document_dispensing(
    osigu: &osigu::Osigu,
    log: &mut Log,
    authorization: types::CreateExternallyProcessedAuthorizationRequest,
) {
    let code = log
        .call(
            "POST /arc/v1/authorizations/externally-processed",
            osigu
                .create_externally_processed_authorization()
                .body(authorization)
                .send(),
        )
        .await
        .and_then(|a| a.into_inner().code)
        .unwrap_or_default();
    let entitled = log
        .call(
            "GET /dispensing/v1/documents/{code}",
            osigu.get_dispensing_document().code(&code).send(),
        )
        .await
        .map(|d| d.into_inner().approved_products)
        .unwrap_or_default();
    let line = entitled.first().and_then(|p| p.id).unwrap_or_default();
    let from_document = log
        .call(
            "POST /dispensing/v1/documents/{code}/dispensations",
            osigu
                .create_document_dispensation()
                .code(&code)
                .body(body::<types::DocumentDispensationRequest>(json!({
                    "currency_code": "GTQ",
                    "products": [{ "id": line, "quantity": 1, "price": 12.5, "taxes": 0.0 }],
                })))
                .send_and_read(),
        )
        .await
        .map(|d| d.into_inner());
    assert_eq!(
        from_document.and_then(|d| d.status).map(|s| s.to_string()),
        Some("STARTED".to_owned()),
        "the Location of a document dispensation leads to the started dispensation"
    );
}

#[tokio::test]
async fn every_served_operation_answers_in_the_generated_types() {
    // The walk is one long future: on the heap, it leaves the test
    // thread's stack alone.
    Box::pin(walk_every_operation()).await;
}

async fn walk_every_operation() {
    let config = SandboxConfig::default()
        .rate_limit(None)
        .async_sponsor_delay(Duration::ZERO);
    let sb = Sandbox::start_with(config)
        .await
        .expect("the sandbox starts");
    let osigu = sb
        .client_builder()
        .retry(RetryPolicy::none())
        .rate_limits(RateLimits::off())
        .build()
        .expect("the client builds");
    let mut log = Log::default();
    let doctor = json!({
        "doctor_name": "Dra. Laura Méndez",
        "doctor_medical_license_number": osigu_sandbox::SEED_DOCTOR_LICENSE,
        "doctor_country_code": "GT",
        "doctor_specialty_name": "Medicina general",
    });
    let with_doctor = |mut extra: Value| {
        for (k, v) in doctor.as_object().unwrap() {
            extra[k] = v.clone();
        }
        extra
    };
    let diagnoses = json!([{ "code": "R51", "coding_system": "ICD-10" }]);

    // Beneficiary lookup, sponsor rules, affiliations.
    log.call("GET /v1/sponsors", osigu.list_sponsors().send())
        .await;
    log.call(
        "GET /v1/sponsors/{sponsorSlug}/forms",
        osigu
            .list_sponsor_forms()
            .sponsor_slug("demo-insurer")
            .send(),
    )
    .await;
    log.call(
        "POST /v1/sponsors/{sponsorSlug}/search",
        osigu
            .search_beneficiary()
            .sponsor_slug("demo-insurer")
            .body(body::<types::BeneficiarySearchRequest>(
                json!({ "document_number": "1000000001" }),
            ))
            .send(),
    )
    .await;
    Box::pin(lookups(&osigu, &mut log)).await;
    log.call(
        "GET /v1/sponsors/{sponsorSlug}/beneficiaries/{beneficiaryId}/dependents",
        osigu
            .get_dependents()
            .sponsor_slug("demo-insurer")
            .beneficiary_id("1001")
            .send(),
    )
    .await;
    log.call(
        "GET /v1/external-providers",
        osigu.search_external_providers().query("farmacia").send(),
    )
    .await;
    log.call(
        "GET /arc/v1/sponsors/{sponsor}/configuration",
        osigu
            .get_sponsor_configuration()
            .sponsor("otp-insurer")
            .product_type("MEDICATION")
            .send(),
    )
    .await;
    log.call(
        "GET /arc/v1/sponsors/{sponsor}/document-policy",
        osigu
            .get_authorization_document_policy()
            .sponsor("async-insurer")
            .send(),
    )
    .await;
    log.call(
        "GET /arc/v2/sponsors/{sponsor}/document-policy",
        osigu
            .get_authorization_document_policy_v2()
            .sponsor("demo-insurer")
            .product_type("LAB")
            .send(),
    )
    .await;

    // OTP.
    let sent = log
        .call(
            "POST /otp/generate",
            osigu
                .send_otp()
                .body(body::<types::SendOtpRequest>(
                    json!({ "beneficiary_id": "2001", "sponsor_slug": "otp-insurer", "channel": "SMS" }),
                ))
                .send(),
        )
        .await;
    let otp_id = sent.and_then(|s| s.into_inner().otp_id).unwrap_or_default();
    log.call(
        "POST /otp/validate",
        osigu
            .validate_otp()
            .body(body::<types::ValidateOtpRequest>(
                json!({ "otp_id": otp_id, "code": sb.config().otp_code_value() }),
            ))
            .send(),
    )
    .await;

    // Catalogs, in both versions.
    log.call(
        "GET /medical-catalogs/v1/countries",
        osigu.list_countries().send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v2/countries",
        osigu.list_countries_v2().send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v1/countries/{countryCode}/states",
        osigu.list_states().country_code("GT").send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v2/countries/{countryCode}/states",
        osigu.list_states_v2().country_code("GT").send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v1/countries/{countryCode}/states/{stateCode}/cities",
        osigu
            .list_cities()
            .country_code("GT")
            .state_code("GT-GU")
            .send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v2/countries/{countryCode}/states/{stateCode}/cities",
        osigu
            .list_cities_v2()
            .country_code("GT")
            .state_code("GT-GU")
            .send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v1/countries/{countryCode}/subdivisions",
        osigu.list_subdivisions().country_code("DO").send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v2/countries/{countryCode}/subdivisions",
        osigu.list_subdivisions_v2().country_code("DO").send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v1/countries/{countryCode}/medical-boards",
        osigu.list_medical_boards().country_code("GT").send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v2/countries/{countryCode}/medical-boards",
        osigu.list_medical_boards_v2().country_code("GT").send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v1/medical-specialties",
        osigu.list_medical_specialties().send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v2/medical-specialties",
        osigu.list_medical_specialties_v2().send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v1/medications",
        osigu.list_medications().query("para").send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v2/medications",
        osigu.list_medications_v2().send(),
    )
    .await;
    log.call(
        "GET /medical-catalogs/v1/diagnoses",
        osigu.list_diagnoses().query("head").send(),
    )
    .await;
    Box::pin(diagnosis_search(&osigu, &mut log)).await;
    log.call(
        "GET /arc/v1/products",
        osigu.list_products().product_type("LAB").send(),
    )
    .await;

    // Provider products.
    log.call(
        "GET /arc/v1/providers/products",
        osigu.list_provider_products().page(0).size(10).send(),
    )
    .await;
    log.call(
        "POST /arc/v1/providers/products",
        osigu
            .register_provider_product()
            .body(body::<types::RegisterProviderProductRequest>(
                json!({ "product_code": "MED-SBX-004" }),
            ))
            .send(),
    )
    .await;
    log.call(
        "DELETE /arc/v1/providers/products/{productCode}",
        osigu
            .remove_provider_product()
            .product_code("MED-SBX-004")
            .send(),
    )
    .await;

    // Pre-authorization: initiate, attach, complete, read.
    let request = log
        .call(
            "POST /arc/v1/authorization-requests",
            osigu
                .create_authorization_request()
                .body(body::<types::CreatePendingAuthorizationRequest>(
                    with_doctor(json!({
                        "beneficiary_id": 1001,
                        "sponsor_slug": "demo-insurer",
                        "diagnoses": diagnoses,
                        "products": [{ "provider_product_code": "MED-SBX-001", "quantity": 2 }],
                    })),
                ))
                .send_and_read(),
        )
        .await;
    let request_id = request
        .and_then(|r| r.into_inner().id)
        .unwrap_or_default()
        .to_string();
    log.call(
        "POST /arc/v1/authorization-requests/{id}/indications/base64",
        osigu
            .attach_authorization_request_indication_base64()
            .id(&request_id)
            .body(body::<types::AttachIndicationBase64Request>(
                json!({ "content": "JVBERi0xLjQK", "file_type": "PRESCRIPTION", "file_name": "rx.pdf" }),
            ))
            .send(),
    )
    .await;
    log.call(
        "POST /arc/v1/authorization-requests/{id}/files",
        // Boxed, like every large future of this walk.
        Box::pin(
            osigu
                .upload_authorization_request_file()
                .id(&request_id)
                .document_type_slug("PRESCRIPTION")
                .file(Upload::from_bytes("rx.pdf", b"%PDF-1.4".to_vec()).expect("a small file"))
                .send(),
        ),
    )
    .await;
    let completed = log
        .call(
            "POST /arc/v1/authorization-requests/{id}/complete",
            osigu
                .complete_authorization_request()
                .id(&request_id)
                .send(),
        )
        .await
        .map(|r| r.into_inner());
    let approved = completed
        .and_then(|r| r.authorizations.into_iter().next())
        .expect("the sync sponsor approves at once");
    let authorization_id = approved.id.unwrap_or_default().to_string();
    let line_id = approved.products[0].id.unwrap_or_default().to_string();
    log.call(
        "GET /arc/v1/authorization-requests/{id}",
        osigu.get_authorization_request().id(&request_id).send(),
    )
    .await;
    log.call(
        "GET /arc/v1/authorization-requests",
        osigu.list_authorization_requests().page(0).size(5).send(),
    )
    .await;

    // Authorizations.
    log.call(
        "GET /arc/v1/authorizations",
        osigu.list_authorizations().send(),
    )
    .await;
    log.call(
        "GET /arc/v1/authorizations/{id}",
        osigu.get_authorization().id(&authorization_id).send(),
    )
    .await;
    log.call(
        "PUT /arc/v1/authorizations/{id}/payment-type",
        osigu
            .update_authorization_payment_type()
            .id(&authorization_id)
            .body(body::<types::AuthorizationPaymentTypeRequest>(
                json!({ "payment_type": "REIMBURSEMENT", "sponsor_notes": "patient paid" }),
            ))
            .send(),
    )
    .await;
    log.call(
        "PUT /arc/v1/authorizations/{id}",
        osigu
            .update_authorization()
            .id(&authorization_id)
            .body(body::<types::UpdateAuthorizationRequest>(json!({
                "external_user_id": "sponsor-user-1",
                "provider_slugs": ["sandbox-provider", "farmacia-central"],
            })))
            .send(),
    )
    .await;
    let direct = log
        .call(
            "POST /arc/v1/authorizations",
            osigu
                .create_authorization()
                .body(body::<types::CreateAuthorizationRequest>(with_doctor(
                    json!({
                        "beneficiary_id": 1001,
                        "sponsor_slug": "demo-insurer",
                        "diagnoses": diagnoses,
                        "products": [{
                            "authorization_product_id": 0, "price": 12.5, "quantity": 1,
                            "product_id": "MED-SBX-001",
                        }],
                    }),
                )))
                .send(),
        )
        .await
        .map(|r| r.into_inner());
    let direct_id = direct.as_ref().and_then(|a| a.id).unwrap_or_default();
    let direct_line = direct
        .and_then(|a| a.products.first().and_then(|p| p.id))
        .unwrap_or_default();
    log.call(
        "POST /arc/v1/authorizations/{id}/claims",
        osigu
            .claim_authorization()
            .id(direct_id.to_string())
            .body(body::<types::AuthorizationClaimRequest>(json!({
                "products": [{ "authorization_product_id": direct_line, "price": 12.5, "quantity": 1 }],
            })))
            .send(),
    )
    .await;
    let external = |product_id: i64| {
        body::<types::CreateExternallyProcessedAuthorizationRequest>(json!({
            "beneficiary_id": 1002,
            "diagnoses": diagnoses,
            "doctor_name": "Dra. Laura Méndez",
            "doctor_medical_license_number": osigu_sandbox::SEED_DOCTOR_LICENSE,
            "doctor_country_code": "GT",
            "products": [{ "product_id": product_id, "authorized_quantity": 1 }],
            "sponsor_authorization_code": "EXT-42",
        }))
    };
    let to_void = log
        .call(
            "POST /arc/v1/authorizations/externally-processed",
            osigu
                .create_externally_processed_authorization()
                .body(external(5002))
                .send(),
        )
        .await
        .and_then(|a| a.into_inner().id)
        .unwrap_or_default();
    log.call(
        "POST /arc/v1/authorizations/{id}/void",
        osigu.void_authorization().id(to_void.to_string()).send(),
    )
    .await;

    // Biometrics.
    let reading = log
        .call(
            "POST /arc/v2/biometric-readings",
            osigu
                .create_biometric_reading()
                .body(body::<types::CreateBiometricReadingRequest>(json!({
                    "beneficiary_id": 1001, "sponsor_slug": "demo-insurer",
                    "type": "FINGERPRINT_READING", "reading": "AAECAwQF",
                })))
                .send(),
        )
        .await
        .and_then(|r| r.into_inner().id)
        .map(|id| id.to_string())
        .unwrap_or_default();
    log.call(
        "GET /arc/v2/biometric-readings/{id}",
        osigu.get_biometric_reading().id(&reading).send(),
    )
    .await;

    // Dispensing of the first authorization.
    let product_line = json!([{ "id": line_id, "price": 12.5, "quantity": 2, "taxes": 0.0 }]);
    let dispensation = log
        .call(
            "POST /dispensing/v1/dispensations",
            osigu
                .start_dispensation()
                .body(body::<types::StartDispensationRequest>(
                    json!({ "currency_code": "GTQ", "products": product_line }),
                ))
                .send(),
        )
        .await
        .and_then(|d| d.into_inner().dispensation_id)
        .unwrap_or_default();
    log.call(
        "GET /dispensing/v1/dispensations/{id}",
        osigu.get_dispensation().id(&dispensation).send(),
    )
    .await;
    log.call(
        "GET /dispensing/v1/dispensations/{id}/verification-status",
        osigu
            .get_dispensation_verification_status()
            .id(&dispensation)
            .send(),
    )
    .await;
    log.call(
        "PUT /dispensing/v1/dispensations/{id}/products",
        osigu
            .update_dispensation_products()
            .id(&dispensation)
            .body(body::<types::UpdateDispensationRequest>(
                json!({ "currency_code": "GTQ", "products": product_line }),
            ))
            .send(),
    )
    .await;
    log.call(
        "POST /dispensing/v1/dispensations/{id}/complete",
        osigu
            .complete_dispensation()
            .id(&dispensation)
            .body(body::<types::CompleteDispensationRequest>(json!({
                "amount": 25.0, "document_date": "2026-06-25T10:00:00Z", "document_number": "F-0001",
            })))
            .send(),
    )
    .await;
    let other = log
        .call(
            "POST /arc/v1/authorizations/externally-processed",
            osigu
                .create_externally_processed_authorization()
                .body(external(5001))
                .send(),
        )
        .await
        .and_then(|a| a.into_inner().code)
        .unwrap_or_default();
    let to_cancel = log
        .call(
            "POST /dispensing/v1/dispensations",
            osigu
                .start_dispensation()
                .body(body::<types::StartDispensationRequest>(json!({
                    "products": [{ "id": other, "price": 12.5, "quantity": 1, "taxes": 0.0 }],
                })))
                .send(),
        )
        .await
        .and_then(|d| d.into_inner().dispensation_id)
        .unwrap_or_default();
    log.call(
        "POST /dispensing/v1/dispensations/{id}/void",
        osigu.void_dispensation().id(&to_cancel).send(),
    )
    .await;

    // Dispensing from a code's document.
    Box::pin(document_dispensing(&osigu, &mut log, external(5001))).await;

    // Outpatient-care claims.
    let outpatient = || {
        body::<types::OutpatientCareClaimRequest>(with_doctor(json!({
            "beneficiary_id": 1001,
            "sponsor_slug": "demo-insurer",
            "diagnoses": [{ "code": "R51", "coding_system": "ICD-10", "type_enum": "MEDICAL_DIAGNOSIS" }],
        })))
    };
    let claim_id = log
        .call(
            "POST /arc/v1/outpatient-care-claim",
            osigu
                .create_outpatient_care_claim()
                .body(outpatient())
                .send(),
        )
        .await
        .and_then(|c| c.into_inner().claim_id)
        .unwrap_or_default();
    log.call(
        "GET /arc/v1/outpatient-care-claim/{id}",
        osigu.get_outpatient_care_claim().id(&claim_id).send(),
    )
    .await;
    log.call(
        "GET /arc/v1/outpatient-care-claim/{id}/authorization-files",
        osigu.get_claim_authorization_files().id(&claim_id).send(),
    )
    .await;
    let monitor = log
        .call(
            "POST /arc/v1/outpatient-care-claim/{id}/complete",
            osigu
                .complete_outpatient_care_claim()
                .id(&claim_id)
                .body(body::<types::CompleteProviderOutpatientCareClaimRequest>(
                    with_doctor(json!({ "document_number": "F-0002", "document_date": "2026-06-25T11:00:00Z" })),
                ))
                .send(),
        )
        .await
        .and_then(|m| m.into_inner().monitor_resource)
        .and_then(|m| m.id)
        .map(|id| id.to_string())
        .unwrap_or_default();
    log.call(
        "GET /arc/v1/outpatient-care-claim/monitors/{monitorId}",
        osigu
            .get_outpatient_care_claim_monitor()
            .monitor_id(&monitor)
            .send(),
    )
    .await;
    let open_claim = log
        .call(
            "POST /arc/v1/outpatient-care-claim",
            osigu
                .create_outpatient_care_claim()
                .body(outpatient())
                .send(),
        )
        .await
        .and_then(|c| c.into_inner().claim_id)
        .unwrap_or_default();
    log.call(
        "POST /arc/v1/outpatient-care-claim/{id}/void",
        osigu.void_outpatient_care_claim().id(&open_claim).send(),
    )
    .await;

    // Medical-procedure claims.
    let procedure = || {
        body::<types::MedicalProcedureClaimRequest>(with_doctor(json!({
            "beneficiary_id": 1001,
            "sponsor_slug": "demo-insurer",
            "products": [{ "product_id": 6003, "authorized_quantity": 1 }],
        })))
    };
    let procedure_id = log
        .call(
            "POST /arc/v1/medical-procedure-claim",
            osigu
                .create_medical_procedure_claim()
                .body(procedure())
                .send(),
        )
        .await
        .and_then(|c| c.into_inner().claim_id)
        .unwrap_or_default()
        .to_string();
    log.call(
        "GET /arc/v1/medical-procedure-claim/{id}",
        osigu.get_medical_procedure_claim().id(&procedure_id).send(),
    )
    .await;
    log.call(
        "POST /arc/v1/medical-procedure-claim/{id}/complete",
        osigu
            .complete_medical_procedure_claim()
            .id(&procedure_id)
            .body(body::<types::CompleteMedicalProcedureClaimRequest>(
                json!({ "document_number": "F-0003", "biometric_reading_id": reading }),
            ))
            .send(),
    )
    .await;
    let to_void = log
        .call(
            "POST /arc/v1/medical-procedure-claim",
            osigu
                .create_medical_procedure_claim()
                .body(procedure())
                .send(),
        )
        .await
        .and_then(|c| c.into_inner().claim_id)
        .unwrap_or_default()
        .to_string();
    log.call(
        "POST /arc/v1/medical-procedure-claim/{id}/void",
        osigu.void_medical_procedure_claim().id(&to_void).send(),
    )
    .await;

    // Patients and prescriptions.
    log.call(
        "GET /ehr/v1/patients",
        osigu.search_patients().document_number("1000000001").send(),
    )
    .await;
    log.call(
        "POST /ehr/v1/patients",
        osigu
            .create_patient()
            .body(body::<types::CreatePatientRequest>(json!({
                "document_number": "4000000001", "document_type": "DPI",
                "first_name": "Sofía", "last_name": "Herrera", "date_of_birth": "1992-08-17",
            })))
            .send(),
    )
    .await;
    let v1 = json!({
        "patient_id": osigu_sandbox::SEED_PATIENT_ID,
        "diagnoses": [{ "diagnosis_code": "R51" }],
        "medications": [{ "product_code": "MED-SBX-001", "quantity": 10, "posology": "1 every 8 h", "duration_days": 3 }],
    });
    let prescription = log
        .call(
            "POST /ehr/v1/prescriptions",
            osigu
                .create_prescription()
                .body(body::<types::CreatePrescriptionRequest>(v1.clone()))
                .send(),
        )
        .await
        .and_then(|p| p.into_inner().prescription_id)
        .unwrap_or_default();
    let mut v11 = v1;
    v11["patient_data_consent"] = json!(true);
    log.call(
        "POST /ehr/v1.1/prescriptions",
        osigu
            .create_prescription_v1_1()
            .body(body::<types::CreatePrescriptionRequestV11>(v11))
            .send(),
    )
    .await;
    log.call(
        "POST /ehr/v2/prescriptions",
        osigu
            .create_prescription_v2()
            .body(body::<types::CreatePrescriptionRequestV2>(json!({
                "national_repository_id": "ES-REPO-0001",
                "doctor": { "name": "Dr. Pablo Ruiz" },
                "patient": { "email_address": "paciente@example.com", "area_code": 34 },
                "signed_hash": { "algorithm": "SHA-256", "value": "3f1c" },
                "diagnoses": diagnoses,
                "products": [{ "authorization_product_id": 0, "price": 0.0, "quantity": 1, "product_id": "MED-SBX-002" }],
            })))
            .send(),
    )
    .await;
    log.call(
        "GET /ehr/v1/prescriptions",
        osigu
            .list_prescriptions()
            .patient_id(osigu_sandbox::SEED_PATIENT_ID)
            .send(),
    )
    .await;
    log.call(
        "GET /ehr/v1/prescriptions/{id}",
        osigu.get_prescription().id(&prescription).send(),
    )
    .await;
    log.call(
        "POST /ehr/v1/prescriptions/{id}/resend",
        osigu
            .resend_prescription()
            .id(&prescription)
            .body(body::<types::ResendPrescriptionRequest>(
                json!({ "channel": "EMAIL" }),
            ))
            .send(),
    )
    .await;

    // Settlement batch over the claims filed above.
    let settlement = log
        .call(
            "POST /v3/settlements",
            osigu
                .start_settlement_batch()
                .body(body::<types::StartSettlementBatchRequest>(
                    json!({ "sponsor_slug": "demo-insurer", "period": "2026-06" }),
                ))
                .send(),
        )
        .await
        .and_then(|s| s.into_inner().settlement_id)
        .unwrap_or_default();
    let pending = log
        .call(
            "GET /v3/settlements/{settlement_id}/pending-authorizations",
            osigu
                .list_settlement_pending_authorizations()
                .settlement_id(&settlement)
                .send(),
        )
        .await
        .map(|p| p.into_inner().content)
        .unwrap_or_default();
    assert!(
        !pending.is_empty(),
        "the dispensation and the direct claim are pending settlement"
    );
    let ids: Vec<String> = pending
        .iter()
        .filter_map(|p| p.authorization_id.clone())
        .collect();
    log.call(
        "POST /v3/settlements/{settlement_id}/authorizations",
        osigu
            .attach_settlement_authorizations()
            .settlement_id(&settlement)
            .body(body::<types::AttachSettlementAuthorizationsRequest>(
                json!({ "authorization_ids": ids }),
            ))
            .send(),
    )
    .await;
    log.call(
        "POST /v3/settlements/{settlement_id}/documents",
        Box::pin(
            osigu
                .upload_settlement_document()
                .settlement_id(&settlement)
                .document_type("INVOICE")
                .file(
                    Upload::from_bytes("invoice.pdf", b"%PDF-1.4".to_vec()).expect("a small file"),
                )
                .send(),
        ),
    )
    .await;
    log.call(
        "POST /v3/settlements/{settlement_id}/complete",
        osigu
            .complete_settlement_batch()
            .settlement_id(&settlement)
            .body(body::<types::CompleteSettlementBatchRequest>(json!({})))
            .send(),
    )
    .await;

    // Webhooks.
    log.call(
        "POST /webhooks/v1/subscriptions",
        osigu
            .create_webhook_subscription()
            .body(body::<types::CreateWebhookSubscriptionRequest>(
                json!({ "url": "https://receiver.example.com/osigu", "event_types": ["authorization.*"] }),
            ))
            .send(),
    )
    .await;

    // Every operation of the SDK's table has a handler, by the sandbox's
    // own count.
    assert_eq!(
        Sandbox::unserved_operations(),
        Vec::<&str>::new(),
        "operations of the spec without a sandbox handler"
    );

    // Walk the spec.
    let served: BTreeSet<String> = Sandbox::served_routes().into_iter().collect();
    let mut unserved = Vec::new();
    let mut failures = Vec::new();
    let operations = spec_operations();
    for key in &operations {
        if !served.contains(key) {
            unserved.push(key.clone());
        } else {
            match log.0.get(key) {
                Some(Ok(())) => {}
                Some(Err(error)) => failures.push(format!("{key}: {error}")),
                None => failures.push(format!("{key}: not exercised by this test")),
            }
        }
    }
    println!("operations in openapi.json: {}", operations.len());
    println!("not served by the sandbox: {unserved:?}");
    assert!(
        failures.is_empty(),
        "failed operations:\n{}",
        failures.join("\n")
    );
    assert!(unserved.is_empty(), "not served: {unserved:?}");

    // Beyond the spec the sandbox serves only what it declares: the token
    // endpoint and the beneficiary-lookup monitor.
    let spec_keys: BTreeSet<&String> = operations.iter().collect();
    let extra: Vec<String> = served
        .iter()
        .filter(|k| !spec_keys.contains(k))
        .cloned()
        .collect();
    let mut declared = Sandbox::extra_routes();
    declared.sort();
    assert_eq!(extra, declared, "routes outside openapi.json");
    assert!(sb.counters().token_requests >= 1);
}

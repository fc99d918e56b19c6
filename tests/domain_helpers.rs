//! The domain helpers against a local mock of Osigu (wiremock): OTP, version
//! routing, uploads, pagination, claim monitors and bulk registration.

mod common;

use std::time::Duration;

use common::{api_requests, untimed_http};

use base64::Engine as _;
use futures_util::{StreamExt, TryStreamExt};
use osigu::{
    ApiVersion, Environment, Error, Market, Osigu, Polling, PrescriptionRequest, PrescriptionRoute,
    RateLimits, Registration, RetryPolicy, Upload, Verification, types,
};
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn osigu_against(server: &MockServer, market: Market) -> Osigu {
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tok", "token_type": "bearer", "expires_in": 3600
        })))
        .mount(server)
        .await;
    Osigu::builder()
        .environment(Environment::Custom(server.uri()))
        .credentials("id", "secret")
        .market(market)
        .rate_limits(RateLimits::off())
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
            ..Default::default()
        })
        .http_client(untimed_http())
        .build()
        .unwrap()
}

async fn api_paths(server: &MockServer) -> Vec<String> {
    api_requests(server)
        .await
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect()
}

#[tokio::test]
async fn an_otp_round_trip_puts_the_proof_in_the_completion_request() {
    let server = MockServer::start().await;
    let osigu = osigu_against(&server, Market::Default).await;
    Mock::given(method("POST"))
        .and(path("/otp/generate"))
        .and(body_partial_json(json!({ "beneficiary_id": "bnf_1", "sponsor_slug": "otp-insurer" })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "otp_id": "otp_9", "expires_in": 300, "channel": "SMS", "masked_destination": "+502 ****-1234"
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/otp/validate"))
        .and(body_partial_json(
            json!({ "otp_id": "otp_9", "code": "123456" }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "otp_verification_token": "proof-77"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/dispensing/v1/dispensations/dsp_1/verification-status",
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "verification_required": "OTP" })),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/dispensing/v1/dispensations/dsp_1/complete"))
        .and(body_partial_json(json!({
            "document_number": "F-1",
            "external_verifications": [{ "type": "OTP", "value": "proof-77" }]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "dispensation_id": "dsp_1", "status": "DISPENSED"
        })))
        .expect(1)
        .mount(&server)
        .await;

    assert_eq!(
        osigu.verification_needed("dsp_1").await.unwrap(),
        Verification::Otp
    );
    let challenge = osigu.send_otp_code("bnf_1", "otp-insurer").await.unwrap();
    assert_eq!(
        challenge.masked_destination.as_deref(),
        Some("+502 ****-1234")
    );
    let proof = osigu.validate_otp_code(&challenge, "123456").await.unwrap();
    assert!(!format!("{proof:?}").contains("proof-77"));
    let date = "2026-11-22T10:00:00Z"
        .parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap();
    let invoice = types::CompleteDispensationRequest::builder(125.5, date, "F-1")
        .external_verifications([&proof]);
    let done = osigu
        .complete_dispensation()
        .id("dsp_1")
        .body(invoice)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(done.dispensation_id.as_deref(), Some("dsp_1"));
}

fn v1_body() -> types::CreatePrescriptionRequest {
    serde_json::from_value(json!({
        "patient_id": "pat_1",
        "diagnoses": [{ "diagnosis_code": "J02.9" }],
        "medications": [{ "product_code": "MED-1", "quantity": 1 }]
    }))
    .unwrap()
}

fn spain_body(national_repository_id: &str) -> Box<types::CreatePrescriptionRequestV2> {
    Box::new(
        serde_json::from_value(json!({
            "national_repository_id": national_repository_id,
            "patient": {},
            "signed_hash": { "algorithm": "SHA-256", "value": "ab12" },
            "doctor": {},
            "diagnoses": [], "treatments": [], "products": []
        }))
        .unwrap(),
    )
}

#[tokio::test]
async fn every_version_route_hits_its_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/ehr/v(1|1\.1|2)/prescriptions$"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({ "prescription_id": "rx_1" })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(
            r"^/arc/v[12]/sponsors/demo-insurer/document-policy$",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/medical-catalogs/v[12]/medications$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/settlements"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/arc/v2/biometric-readings"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({})))
        .mount(&server)
        .await;

    let default = osigu_against(&server, Market::Default).await;
    let consent = osigu_against(&server, Market::ConsentRequired).await;
    let spain = osigu_against(&server, Market::Spain).await;
    let standard = |consent| PrescriptionRequest::Standard {
        body: v1_body(),
        patient_data_consent: consent,
    };
    let route = |r: Result<(PrescriptionRoute, _), Error>| r.unwrap().0;
    assert_eq!(
        route(default.create_prescription_routed(standard(None)).await),
        PrescriptionRoute::V1
    );
    assert_eq!(
        route(
            default
                .create_prescription_routed(standard(Some(true)))
                .await
        ),
        PrescriptionRoute::V1_1
    );
    assert_eq!(
        route(
            consent
                .create_prescription_routed(standard(Some(true)))
                .await
        ),
        PrescriptionRoute::V1_1
    );
    let spanish = PrescriptionRequest::Spain(spain_body("ES-REP-1"));
    assert_eq!(
        route(spain.create_prescription_routed(spanish).await),
        PrescriptionRoute::V2
    );
    default
        .document_policy("demo-insurer", None, ApiVersion::V1)
        .await
        .unwrap();
    default
        .document_policy("demo-insurer", Some("DRUG"), ApiVersion::V2)
        .await
        .unwrap();
    default
        .search_medications("amox", ApiVersion::V1)
        .await
        .unwrap();
    default
        .search_medications("amox", ApiVersion::V2)
        .await
        .unwrap();
    let batch: types::StartSettlementBatchRequest =
        serde_json::from_value(json!({ "sponsor_slug": "sponsor-sandbox-do" })).unwrap();
    default
        .start_settlement_batch()
        .body(batch)
        .send()
        .await
        .unwrap();
    let reading: types::CreateBiometricReadingRequest = serde_json::from_value(json!({
        "beneficiary_id": 42, "reading": "base64-template", "sponsor_slug": "demo-insurer",
        "type": "FINGERPRINT_READING"
    }))
    .unwrap();
    default
        .create_biometric_reading()
        .body(reading)
        .send()
        .await
        .unwrap();

    assert_eq!(
        api_paths(&server).await,
        [
            "POST /ehr/v1/prescriptions",
            "POST /ehr/v1.1/prescriptions",
            "POST /ehr/v1.1/prescriptions",
            "POST /ehr/v2/prescriptions",
            "GET /arc/v1/sponsors/demo-insurer/document-policy",
            "GET /arc/v2/sponsors/demo-insurer/document-policy",
            "GET /medical-catalogs/v1/medications",
            "GET /medical-catalogs/v2/medications",
            "POST /v3/settlements",
            "POST /arc/v2/biometric-readings",
        ]
    );
    let v1_1 = &api_requests(&server).await[1];
    let sent: serde_json::Value = serde_json::from_slice(&v1_1.body).unwrap();
    assert_eq!(sent["patient_data_consent"], true);
    assert_eq!(sent["patient_id"], "pat_1");
}

#[tokio::test]
async fn requests_that_cannot_be_routed_fail_before_any_call() {
    let server = MockServer::start().await;
    let consent = osigu_against(&server, Market::ConsentRequired).await;
    let spain = osigu_against(&server, Market::Spain).await;
    let cases = [
        consent
            .create_prescription_routed(PrescriptionRequest::Standard {
                body: v1_body(),
                patient_data_consent: None,
            })
            .await,
        spain
            .create_prescription_routed(PrescriptionRequest::Standard {
                body: v1_body(),
                patient_data_consent: Some(true),
            })
            .await,
        spain
            .create_prescription_routed(PrescriptionRequest::Spain(spain_body(" ")))
            .await,
    ];
    let reasons: Vec<String> = cases
        .into_iter()
        .map(|r| match r {
            Err(Error::InvalidRequest { reason }) => reason,
            other => panic!("expected a routing error, got {other:?}"),
        })
        .collect();
    assert!(reasons[0].contains("requires patient_data_consent"));
    assert!(reasons[1].contains("Spain"));
    assert!(reasons[2].contains("national_repository_id"));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn uploads_send_multipart_parts_and_base64_as_expected() {
    let server = MockServer::start().await;
    let osigu = osigu_against(&server, Market::Default).await;
    Mock::given(method("POST"))
        .and(path_regex(
            r"^/arc/v1/authorization-requests/areq_1/(files|indications/base64)$",
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/settlements/stl_1/documents"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({})))
        .mount(&server)
        .await;
    let pdf = b"%PDF-1.7 indication for the patient".to_vec();
    let dir = std::env::temp_dir().join(format!("osigu-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("indication.pdf");
    std::fs::write(&file, &pdf).unwrap();

    osigu
        .upload_authorization_request_file()
        .id("areq_1")
        .document_type_slug("PRESCRIPTION")
        .file(Upload::from_path(&file).await.unwrap())
        .send()
        .await
        .unwrap();
    osigu
        .attach_indication_base64(
            "areq_1",
            "PRESCRIPTION",
            Upload::from_bytes("indication.pdf", pdf.clone()).unwrap(),
        )
        .await
        .unwrap();
    osigu
        .upload_settlement_document()
        .settlement_id("stl_1")
        .document_type("INVOICE")
        .file(Upload::from_bytes("invoice.xml", b"<factura/>".to_vec()).unwrap())
        .send()
        .await
        .unwrap();

    let sent = api_requests(&server).await;
    let multipart = String::from_utf8_lossy(&sent[0].body).into_owned();
    let content_type = sent[0]
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    // The document type travels in the query; the form holds the file only.
    assert_eq!(
        sent[0].url.query(),
        Some("document_type_slug=PRESCRIPTION"),
        "{}",
        sent[0].url
    );
    assert!(!multipart.contains("name=\"file_type\""), "{multipart}");
    assert!(multipart.contains("Content-Disposition: form-data; name=\"file\"; filename=\"indication.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7 indication for the patient\r\n"), "{multipart}");

    let json: serde_json::Value = serde_json::from_slice(&sent[1].body).unwrap();
    assert_eq!(
        sent[1].url.path(),
        "/arc/v1/authorization-requests/areq_1/indications/base64"
    );
    assert_eq!(json["file_type"], "PRESCRIPTION");
    assert_eq!(json["file_name"], "indication.pdf");
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(json["content"].as_str().unwrap())
            .unwrap(),
        pdf
    );

    let document = String::from_utf8_lossy(&sent[2].body).into_owned();
    assert!(document.contains("name=\"document_type\"\r\n\r\nINVOICE\r\n"));
    assert!(
        document.contains(
            "filename=\"invoice.xml\"\r\nContent-Type: application/xml\r\n\r\n<factura/>"
        )
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_26_mb_file_is_refused_before_any_request() {
    let server = MockServer::start().await;
    let osigu = osigu_against(&server, Market::Default).await;
    let dir = std::env::temp_dir().join(format!("osigu-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("scan.pdf");
    // A sparse file: 26 MB long without writing 26 MB.
    std::fs::File::create(&file)
        .unwrap()
        .set_len(26 * 1024 * 1024)
        .unwrap();

    let error = Upload::from_path(&file).await.unwrap_err();
    assert!(
        matches!(error, Error::UploadTooLarge { bytes, limit } if bytes == 26 * 1024 * 1024 && limit == 25 * 1024 * 1024)
    );
    assert_eq!(
        error.to_string(),
        "the file is 26.0 MB; Osigu accepts at most 25 MB"
    );
    let reader = tokio::fs::File::open(&file).await.unwrap();
    assert!(Upload::from_reader("scan.pdf", 26 * 1024 * 1024, reader).is_err());
    assert!(osigu.base_url().starts_with("http://127.0.0.1"));
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing may be sent, not even a token request"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn product_page(number: i64, total: i64, codes: &[&str]) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "content": codes.iter().map(|c| json!({ "product_code": c })).collect::<Vec<_>>(),
        "links": [],
        "page": { "number": number, "size": 2, "total_elements": 5, "total_pages": total }
    }))
}

#[tokio::test]
async fn a_three_page_list_streams_in_order() {
    let server = MockServer::start().await;
    let osigu = osigu_against(&server, Market::Default).await;
    for (page, codes) in [("0", &["a", "b"][..]), ("1", &["c", "d"]), ("2", &["e"])] {
        Mock::given(method("GET"))
            .and(path("/arc/v1/providers/products"))
            .and(query_param("page", page))
            .respond_with(product_page(page.parse().unwrap(), 3, codes))
            .expect(1)
            .mount(&server)
            .await;
    }
    let codes: Vec<String> =
        osigu::paginate(|page| osigu.list_provider_products().page(page).size(2).send())
            .map_ok(|p| p.product_code.unwrap_or_default())
            .try_collect()
            .await
            .unwrap();
    assert_eq!(codes, ["a", "b", "c", "d", "e"]);
}

#[tokio::test]
async fn a_list_that_never_ends_is_an_error_not_a_loop() {
    let server = MockServer::start().await;
    let osigu = osigu_against(&server, Market::Default).await;
    // Whatever page is asked for, the server answers page 0 of 9.
    Mock::given(method("GET"))
        .and(path("/arc/v1/providers/products"))
        .respond_with(product_page(0, 9, &["a"]))
        .mount(&server)
        .await;
    let results: Vec<Result<types::ProviderProductResource, Error>> =
        osigu::paginate(|page| osigu.list_provider_products().page(page).send())
            .collect()
            .await;
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    assert!(
        matches!(&results[1], Err(Error::Pagination { reason }) if reason == "asked for page 1, got page 0")
    );
}

fn monitor(status: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "monitor_resource": { "id": "3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10", "status": status },
        "outpatient_care_claim_resource": { "claim_id": 77, "amount": 150.0 }
    }))
}

#[tokio::test(start_paused = true)]
async fn a_claim_monitor_is_polled_from_pending_to_completed() {
    let server = MockServer::start().await;
    let osigu = osigu_against(&server, Market::Default).await;
    let monitor_path =
        "/arc/v1/outpatient-care-claim/monitors/3f1c8a52-4b7e-4d36-9a51-2c0d6f1e9b10";
    Mock::given(method("POST"))
        .and(path("/arc/v1/outpatient-care-claim/clm_1/complete"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header(
                    "location",
                    format!("{}{monitor_path}", server.uri()).as_str(),
                )
                .set_body_json(json!({ "monitor_resource": { "status": "PENDING" } })),
        )
        .mount(&server)
        .await;
    for status in ["PENDING", "IN_PROGRESS"] {
        Mock::given(method("GET"))
            .and(path(monitor_path))
            .respond_with(monitor(status))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(monitor_path))
        .respond_with(monitor("COMPLETED"))
        .mount(&server)
        .await;
    let body: types::CompleteProviderOutpatientCareClaimRequest = serde_json::from_value(json!({
        "doctor_country_code": "GT",
        "doctor_medical_license_number": "12345",
        "doctor_name": "Dra. Ana López",
        "doctor_specialty_name": "Medicina general",
        "diagnoses": []
    }))
    .unwrap();
    let started = tokio::time::Instant::now();
    let done = osigu
        .complete_outpatient_care_claim()
        .id("clm_1")
        .body(body)
        .send_and_wait(Polling::default())
        .await
        .unwrap();
    assert_eq!(
        done.outpatient_care_claim_resource.unwrap().claim_id,
        Some(77)
    );
    let polls = api_paths(&server)
        .await
        .iter()
        .filter(|p| p.ends_with("9b10"))
        .count();
    assert_eq!(polls, 3);
    // Waits of 0.5, 0.75 and 1.125 s on tokio's paused clock.
    assert_eq!(started.elapsed(), Duration::from_millis(2375));
}

#[tokio::test(start_paused = true)]
async fn a_monitor_that_errors_or_never_finishes_is_a_typed_error() {
    let server = MockServer::start().await;
    let osigu = osigu_against(&server, Market::Default).await;
    Mock::given(method("GET"))
        .and(path("/arc/v1/outpatient-care-claim/monitors/m-err"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "monitor_resource": { "status": "ERROR", "error_code": "CLM-9", "error": "sponsor rejected" }
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/arc/v1/outpatient-care-claim/monitors/m-slow"))
        .respond_with(monitor("IN_PROGRESS"))
        .mount(&server)
        .await;
    let failed = osigu
        .wait_for_claim_monitor("m-err", Polling::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&failed, Error::JobFailed { error_code: Some(c), .. } if c == "CLM-9"),
        "{failed:?}"
    );
    let slow = osigu
        .wait_for_claim_monitor("m-slow", Polling::default())
        .await
        .unwrap_err();
    // Past the deadline the job goes on: the error names the monitor to
    // resume on and does not invite a second submission.
    assert!(
        matches!(&slow, Error::JobNotFinished { monitor, last_error: None } if monitor == "m-slow"),
        "{slow:?}"
    );
    assert!(!slow.is_retryable());
}

#[tokio::test]
async fn bulk_registration_reports_every_code_and_a_failure_does_not_stop_the_rest() {
    let server = MockServer::start().await;
    let osigu = osigu_against(&server, Market::Default).await;
    let answer = |code: &str, template: ResponseTemplate| {
        Mock::given(method("POST"))
            .and(path("/arc/v1/providers/products"))
            .and(body_partial_json(json!({ "product_code": code })))
            .respond_with(template)
    };
    answer(
        "MED-NEW",
        ResponseTemplate::new(201).set_body_json(json!({ "product_code": "MED-NEW" })),
    )
    .mount(&server)
    .await;
    answer(
        "MED-DUP",
        ResponseTemplate::new(409).set_body_json(json!({
            "error_code": "071-102", "message": "Product already registered"
        })),
    )
    .mount(&server)
    .await;
    answer(
        "MED-NONE",
        ResponseTemplate::new(404).set_body_json(json!({
            "error_code": "071-404", "message": "Not in the catalogue"
        })),
    )
    .mount(&server)
    .await;
    answer(
        "MED-BAD",
        ResponseTemplate::new(422).set_body_json(json!({
            "code": "VALIDATION", "message": "bad", "errors": []
        })),
    )
    .mount(&server)
    .await;
    answer("MED-DOWN", ResponseTemplate::new(500))
        .mount(&server)
        .await;

    let codes = ["MED-NEW", "MED-DUP", "MED-NONE", "MED-BAD", "MED-DOWN"];
    let mut outcomes: Vec<(String, String)> = osigu
        .register_products(codes, 3)
        .map(|(code, outcome)| {
            let kind = match outcome {
                Registration::Registered(p) => {
                    format!("registered {}", p.product_code.unwrap_or_default())
                }
                Registration::AlreadyRegistered => "already registered".into(),
                Registration::NotInCatalogue => "not in catalogue".into(),
                Registration::Failed(e) => {
                    format!("failed: {}", e.api_error().map_or(0, |a| a.status))
                }
                other => format!("{other:?}"),
            };
            (code, kind)
        })
        .collect()
        .await;
    outcomes.sort();
    let expected = [
        ("MED-BAD", "failed: 422"),
        ("MED-DOWN", "failed: 500"),
        ("MED-DUP", "already registered"),
        ("MED-NEW", "registered MED-NEW"),
        ("MED-NONE", "not in catalogue"),
    ];
    let outcomes: Vec<(&str, &str)> = outcomes
        .iter()
        .map(|(c, k)| (c.as_str(), k.as_str()))
        .collect();
    assert_eq!(outcomes, expected);
    // Registering is idempotent and Osigu documents 5xx as safe to retry:
    // the 500 was tried three times, every other answer once.
    assert_eq!(api_requests(&server).await.len(), 7);
}

//! Behaviour of the sandbox over HTTP, driven with reqwest.

use std::time::Duration;

use osigu_sandbox::{Fault, RateLimit, Sandbox, SandboxConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// A client with a bearer token for `sb`.
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    fn new(sb: &Sandbox) -> Self {
        Self {
            http: http(),
            base: sb.base_url().to_owned(),
            token: sb.mint_token(),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON")
        };
        (status, value)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    /// GETs `path`, which must be answered 429; its `Retry-After` seconds.
    async fn retry_after(&self, path: &str) -> u64 {
        let url = format!("{}{path}", self.base);
        let limited = self.http.get(url).bearer_auth(&self.token).send().await;
        let limited = limited.expect("the sandbox answers");
        assert_eq!(limited.status(), 429);
        let seconds = limited.headers()["retry-after"].to_str().unwrap();
        seconds.parse().unwrap()
    }
}

async fn token_call(sb: &Sandbox, id: &str, secret: &str) -> reqwest::Response {
    http()
        .post(format!(
            "{}/v1/oauth/token?grant_type=client_credentials",
            sb.base_url()
        ))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("the token endpoint answers")
}

#[tokio::test]
async fn token_endpoint_issues_bearer_tokens_that_open_the_api() {
    let sb = Sandbox::start().await.unwrap();
    let response = token_call(&sb, sb.client_id(), sb.client_secret()).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap();
    assert!(token.len() >= 32);

    let sponsors = http()
        .get(format!("{}/v1/sponsors", sb.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(sponsors.status(), 200);
    let sponsors: Value = sponsors.json().await.unwrap();
    assert!(
        sponsors
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["sponsor_slug"] == "demo-insurer")
    );
    assert_eq!(sb.counters().token_requests, 1);
    assert_eq!(sb.counters().requests_to("GET /v1/sponsors"), 1);
}

#[tokio::test]
async fn bad_credentials_get_401_in_the_error_envelope() {
    let sb = Sandbox::start().await.unwrap();
    let response = token_call(&sb, sb.client_id(), "wrong").await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_code"], "071-401");
    assert!(body["message"].is_string());
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let sb = Sandbox::start_with(SandboxConfig::default().token_lifetime(Duration::ZERO))
        .await
        .unwrap();
    let body: Value = token_call(&sb, sb.client_id(), sb.client_secret())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["expires_in"], 0);
    let response = http()
        .get(format!("{}/v1/sponsors", sb.base_url()))
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn token_endpoint_has_its_own_limit() {
    let config = SandboxConfig::default().token_rate_limit(Some(RateLimit::per_minute(3)));
    let sb = Sandbox::start_with(config).await.unwrap();
    for _ in 0..3 {
        assert_eq!(
            token_call(&sb, sb.client_id(), sb.client_secret())
                .await
                .status(),
            200
        );
    }
    let limited = token_call(&sb, sb.client_id(), sb.client_secret()).await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["error_code"], "071-429");
    let counters = sb.counters();
    assert_eq!(counters.token_requests, 4);
    assert_eq!(counters.rate_limited, 1);
}

#[tokio::test]
async fn calls_without_a_valid_token_get_401() {
    let sb = Sandbox::start().await.unwrap();
    let none = http()
        .get(format!("{}/v1/sponsors", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    let body: Value = none.json().await.unwrap();
    assert_eq!(body["error_code"], "071-401");
    let forged = http()
        .get(format!("{}/v1/sponsors", sb.base_url()))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
}

#[tokio::test]
async fn api_rate_limit_answers_429_with_retry_after_until_the_window_passes() {
    let config = SandboxConfig::default().rate_limit(Some(RateLimit::per_minute(3)));
    let sb = Sandbox::start_with(config).await.unwrap();
    let api = Api::new(&sb);
    for _ in 0..3 {
        assert_eq!(api.get("/v1/sponsors").await.0, 200);
    }
    let retry_after = api.retry_after("/v1/sponsors").await;
    assert!((59..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(sb.counters().rate_limited, 1);

    // Move Tokio's clock past the window instead of waiting for it.
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(61)).await;
    tokio::time::resume();
    assert_eq!(api.get("/v1/sponsors").await.0, 200);
}

#[tokio::test]
async fn injected_faults_fail_delay_or_drop_requests() {
    let sb = Sandbox::start().await.unwrap();
    let api = Api::new(&sb);

    sb.faults()
        .set("GET /v1/sponsors", Fault::new().error_rate(1.0, 503));
    let (status, body) = api.get("/v1/sponsors").await;
    assert_eq!(status, 503);
    assert_eq!(body["error_code"], "071-503");
    // Other routes are untouched.
    assert_eq!(api.get("/medical-catalogs/v1/countries").await.0, 200);

    sb.faults()
        .set("GET /v1/sponsors", Fault::new().drop_rate(1.0));
    let dropped = api
        .http
        .get(format!("{}/v1/sponsors", sb.base_url()))
        .bearer_auth(&api.token)
        .send()
        .await;
    let error = dropped.expect_err("the connection closes without an answer");
    assert!(!error.is_status());

    sb.faults()
        .set("*", Fault::new().latency(Duration::from_millis(30)));
    sb.faults().clear("GET /v1/sponsors");
    let started = std::time::Instant::now();
    assert_eq!(api.get("/v1/sponsors").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(30));

    sb.faults().clear_all();
    assert_eq!(api.get("/v1/sponsors").await.0, 200);
    assert_eq!(sb.counters().requests_to("GET /v1/sponsors"), 4);
}

#[tokio::test]
async fn beneficiary_lookup_finds_active_inactive_and_missing_people() {
    let sb = Sandbox::start().await.unwrap();
    let api = Api::new(&sb);
    let (status, forms) = api.get("/v1/sponsors/demo-insurer/forms").await;
    assert_eq!(status, 200);
    assert_eq!(forms[0]["form_slug"], "national-id");

    let (status, found) = api
        .post(
            "/v1/sponsors/demo-insurer/search",
            json!({ "document_number": "1000000001" }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(found["id"], 1001);
    assert_eq!(found["coverage"]["active"], true);

    let (status, inactive) = api
        .post(
            "/v1/sponsors/demo-insurer/search",
            json!({ "document_number": "1000000003" }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(inactive["status"], "DISABLED");
    assert_eq!(inactive["coverage"]["active"], false);

    let (status, missing) = api
        .post(
            "/v1/sponsors/demo-insurer/search",
            json!({ "document_number": "999" }),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(missing["error_code"], "071-404");

    let (status, dependents) = api
        .get("/v1/sponsors/demo-insurer/beneficiaries/1001/dependents")
        .await;
    assert_eq!(status, 200);
    assert_eq!(dependents[0]["id"], 1002);

    let (_, config) = api
        .get("/arc/v1/sponsors/otp-insurer/configuration?product_type=MEDICATION")
        .await;
    assert_eq!(config["otp_required"], true);
    let (_, config) = api
        .get("/arc/v1/sponsors/async-insurer/configuration?product_type=MEDICATION")
        .await;
    assert_eq!(config["decision_mode"], "ASYNC");
}

async fn otp_token(api: &Api, beneficiary: &str, sponsor: &str) -> String {
    let (status, sent) = api
        .post(
            "/otp/generate",
            json!({ "beneficiary_id": beneficiary, "sponsor_slug": sponsor }),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent["expires_in"], 300);
    assert!(sent["masked_destination"].as_str().unwrap().contains('*'));
    let otp_id = sent["otp_id"].as_str().unwrap();
    let (status, wrong) = api
        .post(
            "/otp/validate",
            json!({ "otp_id": otp_id, "code": "000000" }),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(wrong["code"], "OTP_INVALID");
    let (status, validated) = api
        .post(
            "/otp/validate",
            json!({ "otp_id": otp_id, "code": "123456" }),
        )
        .await;
    assert_eq!(status, 200, "{validated}");
    validated["otp_verification_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An OPEN pre-authorization request for two units of `MED-SBX-002`; its id.
async fn open_request(api: &Api, beneficiary: i64, sponsor: &str) -> i64 {
    let (status, request) = api
        .post(
            "/arc/v1/authorization-requests",
            json!({
                "beneficiary_id": beneficiary,
                "sponsor_slug": sponsor,
                "diagnoses": [{ "code": "J02.9", "coding_system": "ICD-10" }],
                "products": [{ "provider_product_code": "MED-SBX-002", "quantity": 2 }],
            }),
        )
        .await;
    assert_eq!(status, 201, "{request}");
    assert_eq!(request["status"], "OPEN");
    request["id"].as_i64().unwrap()
}

#[tokio::test]
async fn pre_authorization_then_dispensation_with_otp() {
    let sb = Sandbox::start().await.unwrap();
    let api = Api::new(&sb);

    let request_id = open_request(&api, 2001, "otp-insurer").await;

    let (status, indication) = api
        .post(
            &format!("/arc/v1/authorization-requests/{request_id}/indications/base64"),
            json!({ "content": "JVBERi0xLjQK", "file_type": "PRESCRIPTION", "file_name": "rx.pdf" }),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(indication["file_type"], "PRESCRIPTION");

    // The OTP sponsor refuses completion without a verification token.
    let complete = format!("/arc/v1/authorization-requests/{request_id}/complete");
    let (status, refused) = api.post(&complete, json!({})).await;
    assert_eq!(status, 422);
    assert_eq!(refused["code"], "OTP_REQUIRED");
    assert_eq!(refused["errors"][0]["field"], "external_verifications");

    let token = otp_token(&api, "2001", "otp-insurer").await;
    let otp = json!({ "external_verifications": [{ "type": "OTP", "value": token }] });
    let (status, completed) = api.post(&complete, otp.clone()).await;
    assert_eq!(status, 200, "{completed}");
    assert_eq!(completed["status"], "COMPLETED");
    let authorization = &completed["authorizations"][0];
    assert_eq!(authorization["status"], "APPROVED");
    let code = authorization["code"].as_str().unwrap().to_owned();
    let authorization_id = authorization["id"].as_i64().unwrap();
    // A verification token is single-use.
    let (status, _) = api.post(&complete, otp).await;
    assert_eq!(status, 409);

    let (status, started) = api
        .post(
            "/dispensing/v1/dispensations",
            json!({ "code": code, "beneficiary_id": "2001", "products": [] }),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    assert_eq!(started["status"], "STARTED");
    assert_eq!(started["code_type"], "AUTHORIZATION");
    assert_eq!(started["verification_required"], "OTP");
    let dsp = started["dispensation_id"].as_str().unwrap().to_owned();

    let line_id = authorization["products"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let swap = json!({ "products": [{
        "id": line_id, "price": 35.0, "quantity": 2, "taxes": 0.0,
        "substitute_product_code": "MED-SBX-003", "substitution_reason": "OUT_OF_STOCK",
    }] });
    let (status, swapped) = api
        .put(
            &format!("/dispensing/v1/dispensations/{dsp}/products"),
            swap.clone(),
        )
        .await;
    assert_eq!(status, 200, "{swapped}");
    assert_eq!(swapped["products"][0]["product_code"], "MED-SBX-003");

    let (_, verification) = api
        .get(&format!(
            "/dispensing/v1/dispensations/{dsp}/verification-status"
        ))
        .await;
    assert_eq!(verification["verification_required"], "OTP");

    let invoice = json!({ "amount": 70.0, "document_date": "2026-06-25T10:00:00Z", "document_number": "F-001" });
    let (status, refused) = api
        .post(
            &format!("/dispensing/v1/dispensations/{dsp}/complete"),
            invoice.clone(),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(refused["code"], "OTP_REQUIRED");
    let (_, pending) = api
        .get(&format!("/dispensing/v1/dispensations/{dsp}"))
        .await;
    assert_eq!(pending["status"], "PENDING_VERIFICATION");
    // Products are locked once the dispensation left STARTED.
    let (status, _) = api
        .put(
            &format!("/dispensing/v1/dispensations/{dsp}/products"),
            swap,
        )
        .await;
    assert_eq!(status, 409);

    let token = otp_token(&api, "2001", "otp-insurer").await;
    let mut with_otp = invoice.clone();
    with_otp["external_verifications"] = json!([{ "type": "OTP", "value": token }]);
    let (status, done) = api
        .post(
            &format!("/dispensing/v1/dispensations/{dsp}/complete"),
            with_otp,
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "DISPENSED");
    assert!(done["verification_required"].is_null());
    let claim_id = done["claim_id"].as_i64().unwrap();

    let (status, claim) = api
        .get(&format!("/arc/v1/outpatient-care-claim/{claim_id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(claim["status"], "COMPLETED");
    assert_eq!(claim["claimed_amount"], 70.0);
    assert_eq!(claim["document_number"], "F-001");
    let (_, authorization) = api
        .get(&format!("/arc/v1/authorizations/{authorization_id}"))
        .await;
    assert_eq!(authorization["status"], "CLAIMED");
    let (status, _) = api
        .post(
            &format!("/dispensing/v1/dispensations/{dsp}/void"),
            json!({}),
        )
        .await;
    assert_eq!(status, 409);

    let events: Vec<String> = sb
        .events()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, ["dispensing.started", "dispensing.completed"]);
}

/// A one-route HTTP server that forwards what it receives.
async fn webhook_receiver() -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<(Option<String>, Vec<u8>)>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let tx = tx.clone();
                async move {
                    let signature = headers
                        .get(osigu_sandbox::SIGNATURE_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let _ = tx.send((signature, body.to_vec()));
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

#[tokio::test]
async fn async_sponsor_decides_later_and_sends_a_signed_webhook() {
    let config = SandboxConfig::default().async_sponsor_delay(Duration::from_millis(5));
    let sb = Sandbox::start_with(config).await.unwrap();
    let api = Api::new(&sb);
    let (url, mut deliveries) = webhook_receiver().await;

    let (status, subscription) = api
        .post(
            "/webhooks/v1/subscriptions",
            json!({ "url": url, "event_types": ["authorization.*"] }),
        )
        .await;
    assert_eq!(status, 201);
    let secret = subscription["secret"].as_str().unwrap().to_owned();
    assert_eq!(subscription["event_types"][0], "authorization.*");

    let (_, request) = api
        .post(
            "/arc/v1/authorization-requests",
            json!({
                "beneficiary_id": 3001,
                "sponsor_slug": "async-insurer",
                "products": [{ "provider_product_code": "MED-SBX-001", "quantity": 1 }],
            }),
        )
        .await;
    let id = request["id"].as_i64().unwrap();
    let complete = format!("/arc/v1/authorization-requests/{id}/complete");
    let (status, missing) = api.post(&complete, json!({})).await;
    assert_eq!(
        status, 422,
        "the async sponsor wants a PRESCRIPTION indication first"
    );
    assert_eq!(missing["error_code"], "071-422-missing-indication");

    let boundary = "sandbox-test-boundary";
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rx.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--{boundary}--\r\n"
    );
    let uploaded = api
        .http
        .post(format!(
            "{}/arc/v1/authorization-requests/{id}/files?document_type_slug=PRESCRIPTION",
            sb.base_url()
        ))
        .bearer_auth(&api.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 201);

    let (status, pending) = api.post(&complete, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(pending["status"], "PENDING_SPONSOR");
    assert_eq!(pending["authorizations"][0]["status"], "SENT_TO_SPONSOR");

    let (signature, body) = tokio::time::timeout(Duration::from_secs(10), deliveries.recv())
        .await
        .expect("a delivery arrives")
        .unwrap();
    let signature = signature.expect("the delivery is signed");
    let sent_at = signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(','))
        .and_then(|(t, _)| t.parse::<u64>().ok())
        .expect("the signature starts with t=<unix seconds>");
    osigu::webhooks::Verifier::new(secret.as_str())
        .verify(
            &signature,
            &body,
            std::time::UNIX_EPOCH + Duration::from_secs(sent_at),
        )
        .expect("the SDK's verifier accepts the delivery's signature");

    let event: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["event_type"], "authorization.created");
    assert_eq!(event["version"], "1");
    assert!(event["event_id"].as_str().unwrap().starts_with("evt_"));
    let (_, resolved) = api
        .get(&format!("/arc/v1/authorization-requests/{id}"))
        .await;
    assert_eq!(resolved["status"], "COMPLETED");
    assert_eq!(resolved["authorizations"][0]["status"], "APPROVED");
    assert_eq!(
        event["data"]["authorization_code"],
        resolved["authorizations"][0]["code"]
    );
    assert_eq!(sb.counters().webhook_deliveries, 1);
}

#[tokio::test]
async fn webhooks_only_go_to_matching_subscriptions() {
    let sb = Sandbox::start().await.unwrap();
    let api = Api::new(&sb);
    let (url, mut deliveries) = webhook_receiver().await;
    api.post(
        "/webhooks/v1/subscriptions",
        json!({ "url": url, "event_types": ["prescription.issued"] }),
    )
    .await;
    let prescription = json!({
        "patient_id": osigu_sandbox::SEED_PATIENT_ID,
        "diagnoses": [{ "diagnosis_code": "R51" }],
        "medications": [{ "product_code": "MED-SBX-001", "quantity": 10 }],
    });
    let (status, first) = api
        .post("/ehr/v1/prescriptions", prescription.clone())
        .await;
    assert_eq!(status, 201);
    // Starting a dispensation emits dispensing.started, which this
    // subscription does not match.
    let (status, _) = api
        .post(
            "/dispensing/v1/dispensations",
            json!({ "code": first["prescription_code"], "products": [] }),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(api.post("/ehr/v1/prescriptions", prescription).await.0, 201);
    for _ in 0..2 {
        let (_, body) = tokio::time::timeout(Duration::from_secs(10), deliveries.recv())
            .await
            .unwrap()
            .unwrap();
        let event: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(event["event_type"], "prescription.issued");
    }
    assert_eq!(sb.events().len(), 3);
}

#[tokio::test]
async fn uploads_over_25_mb_get_413() {
    let sb = Sandbox::start().await.unwrap();
    let api = Api::new(&sb);
    let (_, request) = api
        .post(
            "/arc/v1/authorization-requests",
            json!({ "beneficiary_id": 1001, "sponsor_slug": "demo-insurer" }),
        )
        .await;
    let id = request["id"].as_i64().unwrap();
    // 25 MiB + 3 bytes, Base64-encoded ("AAAA" is three zero bytes).
    let content = "AAAA".repeat(25 * 1024 * 1024 / 3 + 2);
    let (status, body) = api
        .post(
            &format!("/arc/v1/authorization-requests/{id}/indications/base64"),
            json!({ "content": content, "file_type": "PRESCRIPTION" }),
        )
        .await;
    assert_eq!(status, 413);
    assert_eq!(body["error_code"], "071-413-file-too-large");
}

#[tokio::test]
async fn outpatient_claim_of_the_async_sponsor_is_followed_through_its_monitor() {
    let sb = Sandbox::start_with(
        SandboxConfig::default().async_sponsor_delay(Duration::from_secs(3600)),
    )
    .await
    .unwrap();
    let api = Api::new(&sb);
    let doctor = json!({
        "doctor_name": "Dra. Laura Méndez",
        "doctor_medical_license_number": osigu_sandbox::SEED_DOCTOR_LICENSE,
        "doctor_country_code": "GT",
        "doctor_specialty_name": "Medicina general",
    });
    let mut create = doctor.clone();
    create["beneficiary_id"] = json!(3001);
    create["sponsor_slug"] = json!("async-insurer");
    create["line_items"] = json!([{ "product_code": "PROC-SBX-001", "quantity": 1 }]);
    let (status, created) = api.post("/arc/v1/outpatient-care-claim", create).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "OPEN");
    let claim_id = created["claim_id"].as_str().unwrap().to_owned();

    let response = api
        .http
        .post(format!(
            "{}/arc/v1/outpatient-care-claim/{claim_id}/complete",
            sb.base_url()
        ))
        .bearer_auth(&api.token)
        .json(&doctor)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/arc/v1/outpatient-care-claim/monitors/"));
    let monitor: Value = response.json().await.unwrap();
    assert_eq!(monitor["monitor_resource"]["status"], "PENDING");

    let (_, first) = api.get(&location).await;
    assert_eq!(first["monitor_resource"]["status"], "IN_PROGRESS");
    let (_, second) = api.get(&location).await;
    assert_eq!(second["monitor_resource"]["status"], "COMPLETED");
    assert_eq!(
        second["outpatient_care_claim_resource"]["claim_id"].to_string(),
        claim_id
    );
    let (_, claim) = api
        .get(&format!("/arc/v1/outpatient-care-claim/{claim_id}"))
        .await;
    assert_eq!(claim["status"], "COMPLETED");
    let (status, _) = api
        .post(
            &format!("/arc/v1/outpatient-care-claim/{claim_id}/void"),
            json!({}),
        )
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn provider_products_register_conflict_and_remove() {
    let sb = Sandbox::start().await.unwrap();
    let api = Api::new(&sb);
    let (status, body) = api
        .post(
            "/arc/v1/providers/products",
            json!({ "product_code": "MED-SBX-004" }),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(body["product_code"], "MED-SBX-004");
    let (status, body) = api
        .post(
            "/arc/v1/providers/products",
            json!({ "product_code": "MED-SBX-004" }),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["error_code"], "071-102");
    let (status, _) = api
        .post(
            "/arc/v1/providers/products",
            json!({ "product_code": "MED-NOPE" }),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = api
        .post(
            "/arc/v1/providers/products",
            json!({ "code": "MED-SBX-005" }),
        )
        .await;
    assert_eq!(status, 422);
    let (_, page) = api.get("/arc/v1/providers/products?size=2").await;
    assert_eq!(page["page"]["total_elements"], 5);
    assert_eq!(page["content"].as_array().unwrap().len(), 2);
    let (status, body) = api
        .send(
            reqwest::Method::DELETE,
            "/arc/v1/providers/products/MED-SBX-004",
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert!(body.is_null());
}

#[tokio::test]
async fn prescription_versions_check_their_own_fields() {
    let sb = Sandbox::start().await.unwrap();
    let api = Api::new(&sb);
    let v1 = json!({
        "patient_id": osigu_sandbox::SEED_PATIENT_ID,
        "diagnoses": [{ "diagnosis_code": "R51" }],
        "medications": [{ "product_code": "MED-SBX-001", "quantity": 10 }],
    });
    let (status, body) = api.post("/ehr/v1.1/prescriptions", v1.clone()).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["additional_information"]["field"],
        "patient_data_consent"
    );
    let mut v11 = v1.clone();
    v11["patient_data_consent"] = json!(true);
    assert_eq!(api.post("/ehr/v1.1/prescriptions", v11).await.0, 201);

    let v2 = json!({ "doctor": {}, "patient": {}, "signed_hash": { "value": "abc" } });
    let (status, body) = api.post("/ehr/v2/prescriptions", v2).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["additional_information"]["field"],
        "national_repository_id"
    );

    let mut unregistered = v1;
    unregistered["medications"][0]["product_code"] = json!("MED-SBX-006");
    let (status, body) = api.post("/ehr/v1/prescriptions", unregistered).await;
    assert_eq!(status, 422);
    assert_eq!(body["error_code"], "071-104");
}

/// The asynchronous sponsor answers a lookup with a monitor that stays
/// IN_PROGRESS until its delay has passed (on the paused test clock).
#[tokio::test(start_paused = true)]
async fn beneficiary_lookup_is_at_once_or_through_a_monitor() {
    let config = SandboxConfig::default().async_sponsor_delay(Duration::from_secs(30));
    let sb = Sandbox::start_with(config).await.unwrap();
    let api = Api {
        http: reqwest::Client::builder()
            .pool_idle_timeout(None)
            .build()
            .unwrap(),
        ..Api::new(&sb)
    };
    let form = |form: &str, slug: &str, value: &str| json!({ "form_slug": form, "inputs": [{ "slug": slug, "value": value }] });
    let (status, page) = api
        .post(
            "/beneficiary-lookup/v1/sponsors/demo-insurer/search",
            form("member-id", "member_code", "DEMO-0001-01"),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["content"][0]["id"], 1002);
    assert_eq!(page["content"][0]["kinship"], "DEPENDENT");
    let (status, refused) = api
        .post(
            "/beneficiary-lookup/v1/sponsors/demo-insurer/search",
            form("no-such-form", "x", "y"),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(refused["additional_information"]["field"], "form_slug");

    let answer = api
        .http
        .post(format!(
            "{}/beneficiary-lookup/v1/sponsors/async-insurer/search",
            sb.base_url()
        ))
        .bearer_auth(&api.token)
        .json(&form("national-id", "document_number", "3000000001"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);
    let monitor = answer.headers()["location"].to_str().unwrap().to_owned();
    let (_, running) = api.get(&monitor).await;
    assert_eq!(running["status"], "IN_PROGRESS");
    assert!(running.get("content").is_none());
    tokio::time::advance(Duration::from_secs(30)).await;
    let (_, done) = api.get(&monitor).await;
    assert_eq!(done["status"], "COMPLETED");
    assert_eq!(done["content"][0]["id"], 3001);
    assert_eq!(
        sb.counters()
            .requests_to("GET /beneficiary-lookup/v1/monitors/{monitor_id}"),
        2
    );
}

#[test]
fn every_operation_of_the_table_has_a_handler() {
    assert_eq!(
        Sandbox::unserved_operations(),
        Vec::<&str>::new(),
        "operations in osigu::operations::ALL without a sandbox handler"
    );
}

#[tokio::test]
async fn the_longest_durations_are_clamped_and_answered() {
    // Duration::MAX reads as "never" to a user; added to an Instant it
    // would overflow inside a handler.
    let config = SandboxConfig::default()
        .token_lifetime(Duration::MAX)
        .otp_lifetime(Duration::MAX)
        .async_sponsor_delay(Duration::MAX);
    let ceiling = SandboxConfig::MAX_DURATION;
    assert_eq!(ceiling, Duration::from_secs(365 * 24 * 3600));
    assert_eq!(config.token_lifetime_value(), ceiling);
    assert_eq!(config.otp_lifetime_value(), ceiling);
    assert_eq!(config.async_sponsor_delay_value(), ceiling);
    let sb = Sandbox::start_with(config).await.unwrap();

    let body: Value = token_call(&sb, sb.client_id(), sb.client_secret())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["expires_in"], ceiling.as_secs());
    let api = Api {
        token: body["access_token"].as_str().unwrap().to_owned(),
        ..Api::new(&sb)
    };
    let (status, sent) = api
        .post(
            "/otp/generate",
            json!({ "beneficiary_id": "2001", "sponsor_slug": "otp-insurer" }),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent["expires_in"], ceiling.as_secs());
    let (status, _) = api
        .post(
            "/beneficiary-lookup/v1/sponsors/async-insurer/search",
            json!({ "form_slug": "national-id",
                    "inputs": [{ "slug": "document_number", "value": "3000000001" }] }),
        )
        .await;
    assert_eq!(status, 202);

    // A window built by hand, past the setter, is clamped as it is set.
    let endless = RateLimit {
        requests: 1,
        window: Duration::MAX,
    };
    let config = SandboxConfig::default().rate_limit(Some(endless));
    assert_eq!(config.rate_limit_value().unwrap().window, ceiling);
    let sb = Sandbox::start_with(config).await.unwrap();
    let api = Api::new(&sb);
    assert_eq!(api.get("/v1/sponsors").await.0, 200);
    assert_eq!(api.retry_after("/v1/sponsors").await, ceiling.as_secs());
}

#[tokio::test]
async fn a_hostile_substitute_quantity_is_refused_not_a_panic() {
    let sb = Sandbox::start().await.unwrap();
    let api = Api::new(&sb);
    let id = open_request(&api, 1001, "demo-insurer").await;
    let complete = format!("/arc/v1/authorization-requests/{id}/complete");
    let (status, completed) = api.post(&complete, json!({})).await;
    assert_eq!(status, 200, "{completed}");
    let authorization = &completed["authorizations"][0];
    let code = authorization["code"].as_str().unwrap();
    let line = authorization["products"][0]["id"].as_i64().unwrap();
    let swap = |quantity: i64| {
        json!({ "code": code, "products": [{
            "id": line.to_string(), "price": 1.0, "quantity": 1, "taxes": 0.0,
            "substitute_product_code": "MED-SBX-003", "substitute_quantity": quantity,
        }] })
    };
    for quantity in [i64::from(i32::MAX), 0, -3] {
        let (status, refused) = api
            .post("/dispensing/v1/dispensations", swap(quantity))
            .await;
        assert_eq!(status, 422, "{quantity}: {refused}");
        assert_eq!(
            refused["additional_information"]["field"], "products.substitute_quantity",
            "{refused}"
        );
    }
    // A substitute within what the line allows goes through to a claim.
    let (status, started) = api.post("/dispensing/v1/dispensations", swap(2)).await;
    assert_eq!(status, 201, "{started}");
    let dsp = started["dispensation_id"].as_str().unwrap();
    let invoice =
        json!({ "amount": 2.0, "document_date": "2026-03-14T10:00:00Z", "document_number": "F-9" });
    let (status, done) = api
        .post(
            &format!("/dispensing/v1/dispensations/{dsp}/complete"),
            invoice,
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["products"][0]["quantity"], 2);
}

#[tokio::test]
async fn a_malformed_query_gets_the_envelope_naming_the_parameter() {
    let sb = Sandbox::start().await.unwrap();
    let api = Api::new(&sb);
    let (status, refused) = api
        .get("/arc/v1/authorizations?page=0&size=99999999999999999999")
        .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error_code"], "071-400");
    assert_eq!(refused["additional_information"]["field"], "size");
    assert!(!refused.to_string().contains("99999"), "{refused}");
}

/// The `href` of the link `rel` of a page.
fn link<'a>(page: &'a Value, rel: &str) -> &'a str {
    let links = page["links"].as_array().expect("links");
    let link = links.iter().find(|l| l["rel"] == rel).expect("the link");
    link["href"].as_str().expect("an href")
}

/// The query of the link `rel` of a page, decoded into pairs.
fn link_query(page: &Value, rel: &str) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(link(page, rel)).expect("the link is a URL");
    url.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn a_filter_with_reserved_characters_survives_into_the_page_links() {
    let sb = Sandbox::start().await.unwrap();
    let api = Api::new(&sb);
    // `&size=1#` is a filter value here, not further parameters.
    let hostile = "he&size=1#";
    let (status, page) = api
        .get("/medical-catalogs/v1/diagnoses/search?name=he%26size%3D1%23")
        .await;
    assert_eq!(status, 200, "{page}");
    let expected = [("name", hostile), ("page", "0"), ("size", "20")];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(link_query(&page, "self"), expected);

    let (status, page) = api
        .get("/ehr/v1/prescriptions?patient_id=pat%20x%26page%3D7")
        .await;
    assert_eq!(status, 200, "{page}");
    let pairs = link_query(&page, "self");
    assert_eq!(
        pairs[0],
        ("patient_id".to_owned(), "pat x&page=7".to_owned())
    );
    assert_eq!(pairs[1], ("page".to_owned(), "0".to_owned()));
}

#[tokio::test]
async fn strangers_share_one_token_budget_and_never_spend_the_clients() {
    let config = SandboxConfig::default().token_rate_limit(Some(RateLimit::per_minute(3)));
    let sb = Sandbox::start_with(config).await.unwrap();
    // Each attempt names a new client id: together they still get three.
    let mut answers = Vec::new();
    for n in 0..5 {
        let id = format!("stranger-{n}");
        answers.push(token_call(&sb, &id, "guess").await.status().as_u16());
    }
    assert_eq!(answers, [401, 401, 401, 429, 429]);
    // The configured client keeps its own budget.
    let own = token_call(&sb, sb.client_id(), sb.client_secret()).await;
    assert_eq!(own.status(), 200);
}

#[tokio::test]
async fn following_next_keeps_the_filters_of_the_first_page() {
    let sb = Sandbox::start().await.unwrap();
    let api = Api::new(&sb);
    // Registered from the start: MED-SBX-001, MED-SBX-002, LAB-SBX-001,
    // PROC-SBX-001; two of them are medications.
    let (status, first) = api
        .get("/arc/v1/providers/products?product_type=MEDICATION&size=1")
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["page"]["total_elements"], 2, "{first}");
    let next = link(&first, "next");
    let path = next
        .strip_prefix(sb.base_url())
        .expect("a link to the sandbox");
    let (status, second) = api.get(path).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["page"]["total_elements"], 2, "{next}: {second}");
    assert_eq!(second["content"][0]["product_code"], "MED-SBX-002");
}

/// The status of the raw HTTP/1.1 answer `stream` reads to its end.
async fn raw_status(stream: &mut tokio::net::TcpStream) -> u16 {
    use tokio::io::AsyncReadExt;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.split(' ').nth(1).expect("a status line");
    status.parse().unwrap()
}

// One thread: once the upload is counted, its handler has run up to the
// wait for the rest of the body, so the request is completed mid-upload.
#[tokio::test(flavor = "current_thread")]
async fn a_document_that_finishes_arriving_after_completion_is_refused() {
    use tokio::io::AsyncWriteExt;
    let sb = Sandbox::start().await.unwrap();
    let api = Api::new(&sb);
    let id = open_request(&api, 1001, "demo-insurer").await;
    let (head, tail) = (
        "--sbx\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rx.pdf\"\r\n\r\n%PDF-",
        "1.4\r\n--sbx--\r\n",
    );
    let mut upload = tokio::net::TcpStream::connect(sb.addr()).await.unwrap();
    let request = format!(
        "POST /arc/v1/authorization-requests/{id}/files?document_type_slug=PRESCRIPTION HTTP/1.1\r\n\
         Host: sandbox\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\
         Content-Type: multipart/form-data; boundary=sbx\r\nContent-Length: {}\r\n\r\n{head}",
        api.token,
        head.len() + tail.len(),
    );
    upload.write_all(request.as_bytes()).await.unwrap();
    let route = "POST /arc/v1/authorization-requests/{id}/files";
    while sb.counters().requests_to(route) == 0 {
        tokio::task::yield_now().await;
    }
    let complete = format!("/arc/v1/authorization-requests/{id}/complete");
    let (status, completed) = api.post(&complete, json!({})).await;
    assert_eq!(status, 200, "{completed}");
    upload.write_all(tail.as_bytes()).await.unwrap();
    assert_eq!(raw_status(&mut upload).await, 409);
    let (_, request) = api
        .get(&format!("/arc/v1/authorization-requests/{id}"))
        .await;
    assert_eq!(request["indications"], json!([]), "{request}");
}

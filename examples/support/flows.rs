//! The integration flows the examples run, each a function that reports its
//! steps through `say` and returns what a test needs to check.

use std::error::Error;
use std::time::Duration;

use futures_util::StreamExt;
use osigu::{Market, Osigu, PrescriptionRequest, PrescriptionRoute, Registration, Upload, types};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Where a flow reports each step.
pub type Say<'a> = &'a mut (dyn FnMut(String) + Send);

fn body<T: DeserializeOwned>(value: Value) -> Result<T> {
    Ok(serde_json::from_value(value)?)
}

fn doctor(fields: Value) -> Value {
    let mut fields = fields;
    fields["doctor_name"] = json!("Dra. Laura Méndez");
    fields["doctor_medical_license_number"] = json!(osigu_sandbox::SEED_DOCTOR_LICENSE);
    fields["doctor_country_code"] = json!("GT");
    fields["doctor_specialty_name"] = json!("Medicina general");
    fields
}

const PDF: &[u8] = b"%PDF-1.4\n% signed medical indication\n";

/// Opens a pre-authorization request and attaches its indication.
async fn open_request(
    osigu: &Osigu,
    sponsor: &str,
    beneficiary_id: i64,
    say: Say<'_>,
) -> Result<String> {
    let request = osigu
        .create_authorization_request()
        .body(body::<types::CreatePendingAuthorizationRequest>(doctor(
            json!({
                "beneficiary_id": beneficiary_id,
                "sponsor_slug": sponsor,
                "diagnoses": [{ "code": "J02.9", "coding_system": "ICD-10" }],
                "products": [{ "provider_product_code": "MED-SBX-001", "quantity": 2 }],
            }),
        ))?)
        .send_and_read()
        .await?
        .into_inner();
    let id = request.id.ok_or("the request has no id")?.to_string();
    say(format!(
        "   pre-authorization request {id} opened with {sponsor}"
    ));
    osigu
        .upload_authorization_request_file()
        .id(&id)
        .document_type_slug("PRESCRIPTION")
        .file(Upload::from_bytes("indication.pdf", PDF.to_vec())?)
        .send()
        .await?;
    say("   indication attached: indication.pdf (PRESCRIPTION)".to_owned());
    Ok(id)
}

/// The first approved authorization's code and first product line id.
fn approved(
    request: &types::AuthorizationRequestResource,
    say: Say<'_>,
) -> Result<(String, String)> {
    let authorization = request.authorizations.first().ok_or("no authorization")?;
    let code = authorization.code.clone().ok_or("no authorization code")?;
    let status = authorization
        .status
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    say(format!("   authorization {code}: {status}"));
    for product in &authorization.products {
        say(format!(
            "   - {} × {} ({})",
            product.product_name.clone().unwrap_or_default(),
            product
                .authorized_quantity
                .or(product.quantity)
                .unwrap_or_default(),
            product
                .status
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        ));
    }
    let line = authorization
        .products
        .first()
        .and_then(|p| p.id)
        .ok_or("no product line")?
        .to_string();
    Ok((code, line))
}

async fn start_dispensation(
    osigu: &Osigu,
    line: &str,
    say: Say<'_>,
) -> Result<types::DispensationResource> {
    let started = osigu
        .start_dispensation()
        .body(body::<types::StartDispensationRequest>(json!({
            "currency_code": "GTQ",
            "products": [{ "id": line, "price": 12.5, "quantity": 2, "taxes": 0.0 }],
        }))?)
        .send()
        .await?
        .into_inner();
    say(format!(
        "   dispensation {} {}",
        started.dispensation_id.clone().unwrap_or_default(),
        started
            .status
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
    ));
    Ok(started)
}

fn invoice(amount: f64) -> Result<types::CompleteDispensationRequest> {
    body(json!({
        "amount": amount,
        "document_number": "F-0001",
        "document_date": chrono::Utc::now().to_rfc3339(),
    }))
}

/// What the quickstart did.
pub struct Quickstart {
    pub authorization_code: String,
    pub dispensation_status: String,
    pub amount: f64,
}

/// Token, beneficiary search, pre-authorization, completion, dispensation.
pub async fn quickstart(osigu: &Osigu, say: Say<'_>) -> Result<Quickstart> {
    let sponsors = osigu.list_sponsors().send().await?;
    say(format!(
        "1. Authenticated; {} sponsors are available",
        sponsors.len()
    ));

    let beneficiary = osigu
        .search_beneficiary()
        .sponsor_slug("demo-insurer")
        .body(body::<types::BeneficiarySearchRequest>(
            json!({ "document_number": "1000000001" }),
        )?)
        .send()
        .await?
        .into_inner();
    let beneficiary_id = beneficiary.id.ok_or("no beneficiary id")?;
    say(format!(
        "2. Beneficiary {beneficiary_id} found with demo-insurer: {}",
        beneficiary
            .status
            .map(|s| s.to_string())
            .unwrap_or_default()
    ));

    say("3. Pre-authorization".to_owned());
    let request_id = open_request(osigu, "demo-insurer", beneficiary_id, say).await?;
    let completed = osigu
        .complete_authorization_request_verified(&request_id, None)
        .await?;
    let (code, line) = approved(&completed, say)?;

    say("4. Dispensation".to_owned());
    let started = start_dispensation(osigu, &line, say).await?;
    let dispensation_id = started.dispensation_id.ok_or("no dispensation id")?;
    let amount = 25.0;
    let done = osigu
        .complete_dispensation_verified(&dispensation_id, &invoice(amount)?, None)
        .await?;
    let status = done
        .status
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    say(format!(
        "5. Dispensation {dispensation_id} {status}: GTQ {amount:.2} invoiced as F-0001"
    ));
    Ok(Quickstart {
        authorization_code: code,
        dispensation_status: status,
        amount,
    })
}

/// What the OTP-gated dispensation did.
pub struct OtpDispensation {
    pub verification: osigu::Verification,
    pub dispensation_status: String,
}

/// A sponsor that demands an OTP to approve and to dispense.
pub async fn dispense_with_otp(
    osigu: &Osigu,
    otp_code: &str,
    say: Say<'_>,
) -> Result<OtpDispensation> {
    say("1. Pre-authorization with otp-insurer".to_owned());
    let request_id = open_request(osigu, "otp-insurer", 2001, say).await?;
    let proof = verify(osigu, otp_code, say).await?;
    let completed = osigu
        .complete_authorization_request_verified(&request_id, Some(&proof))
        .await?;
    let (_, line) = approved(&completed, say)?;

    say("2. Dispensation".to_owned());
    let started = start_dispensation(osigu, &line, say).await?;
    let dispensation_id = started.dispensation_id.ok_or("no dispensation id")?;
    let verification = osigu.verification_needed(&dispensation_id).await?;
    say(format!("   the sponsor asks for: {verification:?}"));
    let proof = match verification {
        osigu::Verification::Otp => Some(verify(osigu, otp_code, say).await?),
        _ => None,
    };
    let done = osigu
        .complete_dispensation_verified(&dispensation_id, &invoice(25.0)?, proof.as_ref())
        .await?;
    let status = done
        .status
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    say(format!("3. Dispensation {dispensation_id} {status}"));
    Ok(OtpDispensation {
        verification,
        dispensation_status: status,
    })
}

async fn verify(osigu: &Osigu, otp_code: &str, say: Say<'_>) -> Result<osigu::OtpVerification> {
    let challenge = osigu.send_otp_code("2001", "otp-insurer").await?;
    say(format!(
        "   code sent by {} to {}",
        challenge.channel.clone().unwrap_or_default(),
        challenge.masked_destination.clone().unwrap_or_default()
    ));
    let proof = osigu.validate_otp_code(&challenge, otp_code).await?;
    say("   code validated".to_owned());
    Ok(proof)
}

/// Issues one prescription on each route.
pub async fn prescribe(osigu: &Osigu, say: Say<'_>) -> Result<Vec<PrescriptionRoute>> {
    let v1 = || -> Result<types::CreatePrescriptionRequest> {
        body(json!({
            "patient_id": osigu_sandbox::SEED_PATIENT_ID,
            "diagnoses": [{ "diagnosis_code": "J02.9" }],
            "medications": [{ "product_code": "MED-SBX-001", "quantity": 10, "posology": "1 every 8 h", "duration_days": 5 }],
        }))
    };
    let spain: types::CreatePrescriptionRequestV2 = body(json!({
        "national_repository_id": "ES-REPO-0001",
        "doctor": { "name": "Dr. Pablo Ruiz" },
        "patient": { "email_address": "paciente@example.com", "area_code": 34 },
        "signed_hash": { "algorithm": "SHA-256", "value": "3f1c" },
        "diagnoses": [{ "code": "J02.9", "coding_system": "ICD-10" }],
        "treatments": [], "products": []
    }))?;
    let requests = [
        (
            "no market rule, no consent",
            Market::Default,
            PrescriptionRequest::Standard {
                body: v1()?,
                patient_data_consent: None,
            },
        ),
        (
            "patient consent recorded",
            Market::Default,
            PrescriptionRequest::Standard {
                body: v1()?,
                patient_data_consent: Some(true),
            },
        ),
        (
            "Spain's national repository",
            Market::Spain,
            PrescriptionRequest::Spain(Box::new(spain)),
        ),
    ];
    let mut routes = Vec::new();
    for (why, market, request) in requests {
        let (route, created) = osigu
            .with_market(market)
            .create_prescription_routed(request)
            .await?;
        say(format!(
            "{:<30} → {:<24} prescription {} {}",
            why,
            route.path(),
            created
                .prescription_code
                .or(created.prescription_id)
                .unwrap_or_default(),
            created.status.unwrap_or_default()
        ));
        routes.push(route);
    }
    let refused = osigu
        .with_market(Market::Spain)
        .create_prescription_routed(PrescriptionRequest::Standard {
            body: v1()?,
            patient_data_consent: None,
        })
        .await;
    if let Err(error) = refused {
        say(format!(
            "A v1 prescription in Spain is refused before any call: {error}"
        ));
    }
    Ok(routes)
}

/// Counts of a bulk registration.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BulkResult {
    pub registered: usize,
    pub already: usize,
    pub not_in_catalogue: usize,
    pub failed: usize,
}

/// Registers every catalogue product plus two unknown codes; `progress` is
/// called once per code with the total.
pub async fn bulk_register(
    osigu: &Osigu,
    progress: &mut (dyn FnMut(usize, &str, &Registration) + Send),
) -> Result<(usize, BulkResult)> {
    let catalogue = osigu.list_products().send().await?.into_inner();
    let mut codes: Vec<String> = catalogue
        .into_iter()
        .filter_map(|p| p.product_code)
        .collect();
    codes.extend([
        "MED-NOT-IN-CATALOGUE-1".to_owned(),
        "MED-NOT-IN-CATALOGUE-2".to_owned(),
    ]);
    let total = codes.len();
    let mut result = BulkResult::default();
    let mut outcomes = osigu.register_products(codes, 4);
    while let Some((code, outcome)) = outcomes.next().await {
        progress(total, &code, &outcome);
        match outcome {
            Registration::Registered(_) => result.registered += 1,
            Registration::AlreadyRegistered => result.already += 1,
            Registration::NotInCatalogue => result.not_in_catalogue += 1,
            _ => result.failed += 1,
        }
    }
    Ok((total, result))
}

/// Receives Osigu's webhooks on a local port, verifying each signature, and
/// follows an asynchronous sponsor's pre-authorization until its webhook
/// arrives (or `wait` passes). Returns the verified event types.
pub async fn webhook_receiver(
    osigu: &Osigu,
    secret: &str,
    wait: Duration,
    say: Say<'_>,
) -> Result<Vec<String>> {
    use axum::http::{HeaderMap, StatusCode};
    use osigu::webhooks::{Deduplicator, SIGNATURE_HEADER, Verifier};
    use std::sync::Arc;

    let (events, mut received) = tokio::sync::mpsc::unbounded_channel::<osigu::webhooks::Event>();
    let verifier = Arc::new(Verifier::new(secret));
    let seen = Arc::new(Deduplicator::default());
    let handler = move |headers: HeaderMap, raw: axum::body::Bytes| {
        let (verifier, seen, events) = (Arc::clone(&verifier), Arc::clone(&seen), events.clone());
        async move {
            let signature = headers
                .get(SIGNATURE_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            match verifier.verify_and_parse(signature, &raw, std::time::SystemTime::now()) {
                Ok(event) => match seen.begin(&event.id) {
                    osigu::webhooks::Delivery::New(claim) => {
                        let _ = events.send(event);
                        claim.handled();
                        StatusCode::OK
                    }
                    osigu::webhooks::Delivery::Handled => StatusCode::OK,
                    // Being handled: Osigu delivers it again later.
                    osigu::webhooks::Delivery::InFlight => StatusCode::CONFLICT,
                },
                Err(_) => StatusCode::UNAUTHORIZED,
            }
        }
    };
    let app = axum::Router::new().route("/osigu/webhooks", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/osigu/webhooks", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    say(format!("1. Receiving webhooks at {url}"));

    let subscription = osigu
        .create_webhook_subscription()
        .body(types::CreateWebhookSubscriptionRequest::builder(
            ["authorization.*"],
            &url,
        ))
        .send()
        .await?
        .into_inner();
    say(format!(
        "2. Subscribed to {}",
        subscription.event_types.join(", ")
    ));

    say("3. Pre-authorization with async-insurer, which decides later".to_owned());
    let request_id = open_request(osigu, "async-insurer", 3001, say).await?;
    osigu
        .complete_authorization_request_verified(&request_id, None)
        .await?;
    let pending = osigu
        .get_authorization_request()
        .id(&request_id)
        .send()
        .await?
        .into_inner();
    let status = pending
        .authorizations
        .first()
        .and_then(|a| a.status.as_ref())
        .map(ToString::to_string);
    say(format!(
        "   sent to the sponsor: authorization {}",
        status.unwrap_or_default()
    ));

    let event = tokio::time::timeout(wait, received.recv())
        .await
        .map_err(|_| format!("no verified webhook within {wait:?}"))?
        .ok_or("the receiver stopped")?;
    say(format!(
        "4. Verified webhook {} ({})",
        event.event_type, event.id
    ));
    let decided = osigu
        .get_authorization_request()
        .id(&request_id)
        .send()
        .await?
        .into_inner();
    let (code, _) = approved(&decided, say)?;
    say(format!("5. The sponsor decided: authorization {code}"));
    Ok(vec![event.event_type])
}

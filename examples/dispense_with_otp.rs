//! A sponsor that protects approvals and dispensations with a one-time code
//! sent to the beneficiary: send, validate, and complete with the proof.
//!
//! Against a real environment, set `OSIGU_OTP_CODE` to the code received.

mod support;

use osigu::{Osigu, OtpVerification, Upload, Verification, types};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// What the flow ends with (the end-to-end tests check it).
pub struct Done {
    pub verification: Verification,
    pub dispensation_status: String,
}

/// The seeded sponsor that asks for a code, and its beneficiary.
const SPONSOR: &str = "otp-insurer";
const BENEFICIARY: i64 = 2001;

#[tokio::main]
async fn main() -> Result<()> {
    let connection = support::connect().await?;
    let done = run(&connection.osigu, &connection.otp_code()).await?;
    println!(
        "\nDone: dispensation {} after {:?} verification.",
        done.dispensation_status, done.verification
    );
    Ok(())
}

/// Sends a code to the beneficiary and validates the one they read back.
/// A proof is good for one call, so each completion asks for its own.
async fn verify(osigu: &Osigu, code_read_back: &str) -> Result<OtpVerification> {
    let challenge = osigu.send_otp_code(BENEFICIARY, SPONSOR).await?;
    println!(
        "   code sent to {}",
        challenge.masked_destination.clone().unwrap_or_default()
    );
    Ok(osigu.validate_otp_code(&challenge, code_read_back).await?)
}

pub async fn run(osigu: &Osigu, code_read_back: &str) -> Result<Done> {
    println!("1. Pre-authorization with {SPONSOR}");
    let request = types::CreatePendingAuthorizationRequest::builder(BENEFICIARY, SPONSOR)
        .doctor_medical_license_number(osigu_sandbox::SEED_DOCTOR_LICENSE)
        .diagnoses([types::DiagnosisRequest::builder("J02.9", "ICD-10")])
        .products([types::PendingAuthorizationProductRequest::builder()
            .provider_product_code("MED-SBX-001")
            .quantity(2)]);
    let request = osigu
        .create_authorization_request()
        .body(request)
        .send_and_read()
        .await?;
    let request_id = request.id.ok_or("the request has no id")?;
    let indication = Upload::from_bytes("indication.pdf", b"%PDF-1.4\n".to_vec())?;
    osigu
        .upload_authorization_request_file()
        .id(request_id)
        .document_type_slug("PRESCRIPTION")
        .file(indication)
        .send()
        .await?;

    // The sponsor approves only with the beneficiary's proof in the body.
    let proof = verify(osigu, code_read_back).await?;
    let completion =
        types::AuthorizationRequestCompletion::builder().external_verifications([&proof]);
    let completed = osigu
        .complete_authorization_request()
        .id(request_id)
        .body(completion)
        .send()
        .await?;
    let authorization = completed.authorizations.first().ok_or("no authorization")?;
    let line = authorization.products.first().and_then(|p| p.id);
    println!("   authorization {:?}", authorization.status);

    println!("2. Dispensation");
    let line = line.ok_or("no approved product line")?;
    let price = types::ProductDispensationRequest::builder(line, 12.5, 2, 0.0);
    let started = osigu
        .start_dispensation()
        .body(types::StartDispensationRequest::builder([price]).currency_code("GTQ"))
        .send()
        .await?;
    let dispensation_id = started
        .dispensation_id
        .clone()
        .ok_or("no dispensation id")?;

    // Ask what the sponsor demands before this dispensation can complete.
    let verification = osigu.verification_needed(&dispensation_id).await?;
    println!("   the sponsor asks for: {verification:?}");
    let mut invoice =
        types::CompleteDispensationRequest::builder(25.0, chrono::Utc::now(), "F-0001");
    if verification == Verification::Otp {
        invoice = invoice.external_verifications([verify(osigu, code_read_back).await?]);
    }
    let done = osigu
        .complete_dispensation()
        .id(&dispensation_id)
        .body(invoice)
        .send()
        .await?;
    let dispensation_status = done.status.clone().ok_or("no status")?.to_string();
    println!("3. Dispensation {dispensation_id} {dispensation_status}");
    Ok(Done {
        verification,
        dispensation_status,
    })
}

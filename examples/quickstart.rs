//! The whole integration in one go: authenticate, find the beneficiary,
//! get a pre-authorization approved, dispense it and close the sale.
//!
//! `cargo run --example quickstart` runs against an embedded sandbox; set
//! `OSIGU_CLIENT_ID`, `OSIGU_CLIENT_SECRET` and `OSIGU_ENVIRONMENT` to run
//! against Osigu (the flow uses the sandbox's seeded sponsor and codes).

mod support;

use osigu::{Osigu, Upload, types};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// What the flow ends with (the end-to-end tests check it).
pub struct Done {
    pub authorization_code: String,
    pub authorization_status: String,
    pub dispensation_status: String,
    pub amount: f64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let connection = support::connect().await?;
    let done = run(&connection.osigu).await?;
    println!(
        "\nDone: authorization {} was dispensed ({}), GTQ {:.2}.",
        done.authorization_code, done.dispensation_status, done.amount
    );
    Ok(())
}

pub async fn run(osigu: &Osigu) -> Result<Done> {
    // The first call fetches the token; every later call reuses it.
    let sponsors = osigu.list_sponsors().send().await?;
    println!(
        "1. Authenticated; {} sponsors are available",
        sponsors.len()
    );

    let search = types::BeneficiarySearchRequest::from_iter([("document_number", "1000000001")]);
    let beneficiary = osigu
        .search_beneficiary()
        .sponsor_slug("demo-insurer")
        .body(search)
        .send()
        .await?;
    let beneficiary_id = beneficiary.id.ok_or("the beneficiary has no id")?;
    println!("2. Beneficiary found with demo-insurer"); // never print who

    // A pre-authorization request: who prescribes what, for which diagnosis.
    let request = types::CreatePendingAuthorizationRequest::builder(beneficiary_id, "demo-insurer")
        .doctor_name("Dra. Laura Méndez")
        .doctor_medical_license_number(osigu_sandbox::SEED_DOCTOR_LICENSE)
        .doctor_country_code("GT")
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
    println!("3. Pre-authorization request {request_id} opened");

    let indication = Upload::from_bytes("indication.pdf", b"%PDF-1.4\n".to_vec())?;
    osigu
        .upload_authorization_request_file()
        .id(request_id)
        .document_type_slug("PRESCRIPTION")
        .file(indication)
        .send()
        .await?;
    let completed = osigu
        .complete_authorization_request()
        .id(request_id)
        .send()
        .await?;
    let authorization = completed.authorizations.first().ok_or("no authorization")?;
    let code = authorization.code.clone().ok_or("no authorization code")?;
    let status = authorization.status.clone().ok_or("no status")?;
    let line = authorization.products.first().and_then(|p| p.id);
    println!("   authorization {code}: {status}");

    // Dispense the approved line at the pharmacy's price.
    let line = line.ok_or("no approved product line")?;
    let price = types::ProductDispensationRequest::builder(line, 12.5, 2, 0.0);
    let dispensation = types::StartDispensationRequest::builder([price]).currency_code("GTQ");
    let started = osigu.start_dispensation().body(dispensation).send().await?;
    let dispensation_id = started
        .dispensation_id
        .clone()
        .ok_or("no dispensation id")?;
    println!("4. Dispensation {dispensation_id} started");

    let amount = 25.0;
    let invoice = types::CompleteDispensationRequest::builder(amount, chrono::Utc::now(), "F-0001");
    let done = osigu
        .complete_dispensation()
        .id(&dispensation_id)
        .body(invoice)
        .send()
        .await?;
    let dispensation_status = done.status.clone().ok_or("no status")?.to_string();
    println!("5. Dispensation {dispensation_id} {dispensation_status}: GTQ {amount:.2} invoiced");
    Ok(Done {
        authorization_code: code,
        authorization_status: status.to_string(),
        dispensation_status,
        amount,
    })
}

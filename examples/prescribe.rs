//! Electronic prescriptions on each route: the SDK picks v1, v1.1 (patient
//! consent recorded) or Spain's v2 (national repository) from the market
//! and the request, and refuses a combination Osigu would reject.

mod support;

use osigu::{Market, Osigu, PrescriptionRequest, PrescriptionRoute, types};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[tokio::main]
async fn main() -> Result<()> {
    let connection = support::connect().await?;
    let routes = run(&connection.osigu).await?;
    println!("\nDone: {} prescriptions issued.", routes.len());
    Ok(())
}

/// A prescription for the sandbox's seeded patient: a sore throat, five
/// days of a catalogue medication.
fn sore_throat() -> Result<types::CreatePrescriptionRequest> {
    let medication = types::CreatePrescriptionMedication::builder("MED-SBX-001", 10)
        .posology("1 every 8 h")
        .duration_days(5);
    let diagnosis = types::CreatePrescriptionDiagnosis::builder("J02.9");
    let body = types::CreatePrescriptionRequest::builder(
        [diagnosis],
        [medication],
        osigu_sandbox::SEED_PATIENT_ID,
    );
    Ok(body.try_into()?)
}

/// Spain's body: the national repository's id and the signed hash of the
/// prescription, with the doctor and hash as free-form objects.
fn spanish() -> Result<types::CreatePrescriptionRequestV2> {
    let doctor = serde_json::Map::from_iter([("name".into(), "Dr. Pablo Ruiz".into())]);
    let hash = serde_json::Map::from_iter([
        ("algorithm".into(), "SHA-256".into()),
        ("value".into(), "3f1c".into()),
    ]);
    let patient = types::CreatePrescriptionRequestV2Patient::builder()
        .email_address("paciente@example.com")
        .area_code(34);
    let body = types::CreatePrescriptionRequestV2::builder(doctor, "ES-REPO-0001", patient, hash)
        .diagnoses([types::DiagnosisRequest::builder("J02.9", "ICD-10")]);
    Ok(body.try_into()?)
}

pub async fn run(osigu: &Osigu) -> Result<Vec<PrescriptionRoute>> {
    let requests = [
        (
            "no market rule, no consent",
            Market::Default,
            PrescriptionRequest::Standard {
                body: sore_throat()?,
                patient_data_consent: None,
            },
        ),
        (
            "patient consent recorded",
            Market::Default,
            PrescriptionRequest::Standard {
                body: sore_throat()?,
                patient_data_consent: Some(true),
            },
        ),
        (
            "Spain's national repository",
            Market::Spain,
            PrescriptionRequest::Spain(Box::new(spanish()?)),
        ),
    ];
    let mut routes = Vec::new();
    for (why, market, request) in requests {
        let (route, created) = osigu
            .with_market(market)
            .create_prescription_routed(request)
            .await?;
        let code = created
            .prescription_code
            .or(created.prescription_id)
            .unwrap_or_default();
        println!("{why:<30} → {:<24} prescription {code}", route.path());
        routes.push(route);
    }

    // Spain only takes v2: the SDK refuses a v1 body before any call.
    let refused = osigu
        .with_market(Market::Spain)
        .create_prescription_routed(PrescriptionRequest::Standard {
            body: sore_throat()?,
            patient_data_consent: None,
        })
        .await;
    if let Err(error) = refused {
        println!("A v1 prescription in Spain is refused before any call: {error}");
    }
    Ok(routes)
}

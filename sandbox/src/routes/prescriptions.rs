//! Electronic prescriptions (v1, v1.1, v2) and the patient directory.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::prelude::*;
use crate::state::App;
use crate::store::{Doctor, Line, Prescription, prescription_patient};

/// The `doctor` of a prescription: the seeded doctor, with any string
/// fields a v2 request supplied.
fn doctor(given: Option<&Map<String, Value>>) -> types::PrescriptionResourceDoctor {
    let seed = Doctor::seed();
    let text = |key: &str, fallback: String| {
        let given = given.and_then(|m| m.get(key)).and_then(Value::as_str);
        given.map_or(fallback, str::to_owned)
    };
    typed!(types::PrescriptionResourceDoctor;
        name = text("name", seed.name),
        medical_license_number = text("medical_license_number", seed.license),
        specialty_name = text("specialty_name", seed.specialty))
}

/// A prescription line for `quantity` of a registered catalogue product.
fn rx_line(db: &mut Db, code: Option<&str>, id: Option<i64>, quantity: i32) -> ApiResult<Line> {
    let product = db.resolve_product(code, id)?;
    refuse_if!(quantity <= 0; "medications.quantity", "quantity must be positive");
    Ok(db.new_line(product, quantity))
}

/// Stores a prescription, ISSUED now under a fresh id and code, announces
/// `prescription.issued`, and answers 201.
fn issue(app: &Arc<App>, mut rx: Prescription) -> Response {
    let answer = {
        let mut db = app.db();
        rx.id = db.next();
        rx.code = format!("RX-SBX-{:06}", rx.id);
        rx.status = "ISSUED";
        let answer = rx.created(app.clock.now());
        db.prescriptions.insert(rx.id, rx);
        answer
    };
    crate::webhooks::emit(app, "prescription.issued", &answer);
    created(answer)
}

/// A v1 or v1.1 prescription for a known patient.
fn prescribe_v1(
    app: &Arc<App>,
    patient_id: &str,
    diagnoses: &[types::CreatePrescriptionDiagnosis],
    medications: &[types::CreatePrescriptionMedication],
) -> ApiResult<Response> {
    let rx = {
        let mut db = app.db();
        let patient = db
            .patients
            .iter()
            .find(|p| p.patient_id.as_deref() == Some(patient_id));
        let unknown =
            || ApiError::unprocessable("patient_id", format!("unknown patient {patient_id}"));
        let patient = patient.cloned().ok_or_else(unknown)?;
        refuse_if!(diagnoses.is_empty(); "diagnoses", "at least one diagnosis is required");
        refuse_if!(medications.is_empty(); "medications", "at least one medication is required");
        let mut lines = Vec::new();
        for m in medications {
            let mut line = rx_line(&mut db, Some(&m.product_code), None, m.quantity)?;
            line.duration_days = m.duration_days;
            lines.push(line);
        }
        let diagnoses = diagnoses
            .iter()
            .map(|d| db.diagnosis(&d.diagnosis_code, "ICD-10"));
        Prescription {
            patient: prescription_patient(&patient),
            doctor: doctor(None),
            diagnoses: diagnoses.collect(),
            lines,
            ..Prescription::default()
        }
    };
    Ok(issue(app, rx))
}

/// `createPrescription` (v1).
pub(crate) async fn create_prescription_v1(
    State(app): Shared,
    ApiJson(body): ApiJson<types::CreatePrescriptionRequest>,
) -> ApiResult<Response> {
    prescribe_v1(&app, &body.patient_id, &body.diagnoses, &body.medications)
}

/// `createPrescriptionV1_1`: v1 plus a `patient_data_consent` that must be
/// true.
pub(crate) async fn create_prescription_v1_1(
    State(app): Shared,
    ApiJson(body): ApiJson<types::CreatePrescriptionRequestV11>,
) -> ApiResult<Response> {
    refuse_if!(!body.patient_data_consent; "patient_data_consent", "the patient has not consented to data processing");
    prescribe_v1(&app, &body.patient_id, &body.diagnoses, &body.medications)
}

/// `createPrescriptionV2`: products by catalogue code or id, treatments by
/// catalogue id, and a non-empty `signed_hash`.
pub(crate) async fn create_prescription_v2(
    State(app): Shared,
    ApiJson(body): ApiJson<types::CreatePrescriptionRequestV2>,
) -> ApiResult<Response> {
    refuse_if!(body.national_repository_id.trim().is_empty(); "national_repository_id", "national_repository_id is required");
    refuse_if!(body.signed_hash.is_empty(); "signed_hash", "signed_hash must not be empty");
    let rx = {
        let mut db = app.db();
        let mut lines = Vec::new();
        for p in &body.products {
            if let Some(reference) = p.product_id.as_deref() {
                lines.push(db.referenced_line(reference, p.quantity.max(1))?);
            }
        }
        for t in &body.treatments {
            if let Some(id) = t.product_id {
                let mut line = rx_line(&mut db, None, Some(id), t.quantity.unwrap_or(1).max(1))?;
                line.duration_days = Some(t.treatment_duration_days);
                lines.push(line);
            }
        }
        let diagnoses = body
            .diagnoses
            .iter()
            .map(|d| db.diagnosis(&d.code, &d.coding_system));
        let given = &body.patient;
        let patient = typed!(types::PrescriptionResourcePatient;;
            email_address = given.email_address.as_ref().map(|e| e.as_str().to_owned()),
            phone_number = given.phone_number.as_ref().map(|p| p.as_str().to_owned()),
            area_code = given.area_code.and_then(|a| i32::try_from(a.get()).ok()));
        Prescription {
            patient,
            doctor: doctor(Some(&body.doctor)),
            diagnoses: diagnoses.collect(),
            lines,
            ..Prescription::default()
        }
    };
    Ok(issue(&app, rx))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ListIn {
    patient_id: Option<String>,
}

/// Where a prescription's PDF would be downloaded.
fn download_url(app: &App, id: i64) -> String {
    let path = path_of("getPrescription", &[&id.to_string()]);
    format!("{}{path}/pdf", app.base_url)
}

/// `listPrescriptions` (paged, optionally for one patient).
pub(crate) async fn list_prescriptions(
    State(app): Shared,
    ApiQuery(query): ApiQuery<ListIn>,
    paged: Paged,
) -> Response {
    let db = app.db();
    let patient = query.patient_id.as_ref();
    let wanted = |p: &&Prescription| patient.is_none_or(|id| p.patient.code.as_ref() == Some(id));
    let found = db.prescriptions.values().rev().filter(wanted);
    let items = found
        .map(|p| p.resource(download_url(&app, p.id)))
        .collect();
    paged.reply(&app.base_url, items)
}

/// `getPrescription` (by id or by code).
pub(crate) async fn get_prescription(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    let db = app.db();
    let id = db.find_prescription(&id).or_404("prescription", &id)?;
    Ok(ok(db.prescriptions[&id].resource(download_url(&app, id))))
}

/// `resendPrescription`: 200 without a body.
pub(crate) async fn resend_prescription(
    State(app): Shared,
    Path(id): Id,
    ApiJson(body): ApiJson<types::ResendPrescriptionRequest>,
) -> ApiResult<Response> {
    let channel = body.channel.to_uppercase();
    refuse_if!(!matches!(channel.as_str(), "EMAIL" | "SMS" | "WHATSAPP"); "channel", "channel must be EMAIL, SMS or WHATSAPP");
    app.db()
        .find_prescription(&id)
        .or_404("prescription", &id)?;
    Ok(StatusCode::OK.into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct PatientQuery {
    document_number: Option<String>,
}

/// `searchPatients?document_number=...`.
pub(crate) async fn search_patients(
    State(app): Shared,
    ApiQuery(query): ApiQuery<PatientQuery>,
) -> Response {
    let db = app.db();
    let wanted = |p: &&types::PatientResource| {
        let document = query.document_number.as_deref();
        document.is_none_or(|d| p.document_number.as_deref() == Some(d))
    };
    ok_list(db.patients.iter().filter(wanted))
}

/// `createPatient`: 409 when the document is already registered.
pub(crate) async fn create_patient(
    State(app): Shared,
    ApiJson(body): ApiJson<types::CreatePatientRequest>,
) -> ApiResult<Response> {
    for (value, field) in [
        (&body.document_number, "document_number"),
        (&body.document_type, "document_type"),
        (&body.first_name, "first_name"),
        (&body.last_name, "last_name"),
    ] {
        refuse_if!(value.trim().is_empty(); field, format!("{field} is required"));
    }
    let mut db = app.db();
    let document = (Some(&body.document_number), Some(&body.document_type));
    let mut documents = db
        .patients
        .iter()
        .map(|p| (p.document_number.as_ref(), p.document_type.as_ref()));
    let taken = documents.any(|d| d == document);
    conflict_if!(taken; "a patient with this identity document already exists");
    let patient = typed!(types::PatientResource;
        patient_id = format!("pat_{:06}", db.next() + 1), first_name = body.first_name,
        last_name = body.last_name, document_type = body.document_type,
        document_number = body.document_number; date_of_birth = body.date_of_birth);
    db.patients.push(patient.clone());
    Ok(created(patient))
}

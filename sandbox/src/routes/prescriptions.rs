//! Electronic prescriptions (v1, v1.1, v2) and the patient directory.

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Shared;
use crate::input::{numeric_id, required};
use crate::reply::{ApiError, ApiJson, ApiResult, Paging, created, ok, page};
use crate::state::App;
use crate::store::{Db, Diagnosis, Patient, Prescription, RxLine};

#[derive(Debug, Deserialize)]
pub(crate) struct RxDiagnosisIn {
    diagnosis_code: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct MedicationIn {
    product_code: String,
    quantity: i32,
    posology: Option<String>,
    duration_days: Option<i32>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PrescriptionV1In {
    patient_id: String,
    diagnoses: Vec<RxDiagnosisIn>,
    medications: Vec<MedicationIn>,
    doctor_id: Option<String>,
    /// Only read by v1.1, where it is mandatory and must be true.
    patient_data_consent: Option<bool>,
}

/// The `doctor` object of a `PrescriptionResource`: the seeded doctor,
/// with any string fields the request supplied.
fn doctor_json(doctor_id: Option<&str>, given: Option<&Map<String, Value>>) -> Value {
    let seed = crate::store::Doctor::seed();
    let text = |key: &str, fallback: &str| {
        given
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .unwrap_or(fallback)
            .to_owned()
    };
    json!({
        "doctor_id": doctor_id.unwrap_or("doc_000001"),
        "name": text("name", &seed.name),
        "medical_license_number": text("medical_license_number", &seed.license),
        "specialty_name": text("specialty_name", &seed.specialty),
        "country_code": seed.country_code,
    })
}

/// The `patient` object of a v2 prescription, from the string (and
/// integer) fields the request supplied.
fn v2_patient_json(given: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for key in [
        "code",
        "full_name",
        "given_names",
        "surnames",
        "identity_document_type",
        "identity_document_code",
        "date_of_birth",
        "email_address",
        "phone_number",
        "sex",
        "nationality_country_code",
    ] {
        if let Some(Value::String(v)) = given.get(key) {
            out.insert(key.to_owned(), json!(v));
        }
    }
    if let Some(Value::String(id)) = given.get("patient_id") {
        out.insert("code".to_owned(), json!(id));
    }
    if let Some(area) = given.get("area_code").and_then(Value::as_i64) {
        out.insert("area_code".to_owned(), json!(area));
    }
    Value::Object(out)
}

fn lines_for(db: &mut Db, medications: &[MedicationIn]) -> ApiResult<Vec<RxLine>> {
    if medications.is_empty() {
        return Err(ApiError::unprocessable(
            "medications",
            "at least one medication is required",
        ));
    }
    let mut lines = Vec::new();
    for m in medications {
        let product = db.resolve_product(Some(&m.product_code), None)?;
        if m.quantity <= 0 {
            return Err(ApiError::unprocessable(
                "medications.quantity",
                "quantity must be positive",
            ));
        }
        lines.push(RxLine {
            id: db.next(),
            product_id: product.product_id,
            code: product.code.to_owned(),
            name: product.name.to_owned(),
            quantity: m.quantity,
            posology: m.posology.clone(),
            duration_days: m.duration_days,
        });
    }
    Ok(lines)
}

fn store(db: &mut Db, mut rx: Prescription) -> Value {
    rx.id = db.next();
    rx.code = format!("RX-SBX-{:06}", rx.id);
    let answer = rx.created_json();
    db.prescriptions.insert(rx.id, rx);
    answer
}

fn issue_v1(
    app: &std::sync::Arc<App>,
    body: PrescriptionV1In,
    version: &'static str,
) -> ApiResult<Response> {
    let answer = {
        let mut db = app.db();
        let patient = db
            .patients
            .iter()
            .find(|p| p.patient_id == body.patient_id)
            .cloned()
            .ok_or_else(|| {
                ApiError::unprocessable(
                    "patient_id",
                    format!("unknown patient {}", body.patient_id),
                )
            })?;
        if body.diagnoses.is_empty() {
            return Err(ApiError::unprocessable(
                "diagnoses",
                "at least one diagnosis is required",
            ));
        }
        let lines = lines_for(&mut db, &body.medications)?;
        let diagnoses = body
            .diagnoses
            .iter()
            .map(|d| Diagnosis {
                id: 0,
                code: d.diagnosis_code.clone(),
                coding_system: "ICD-10".to_owned(),
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|mut d| {
                d.id = db.next();
                d
            })
            .collect();
        let rx = Prescription {
            id: 0,
            code: String::new(),
            version,
            patient_id: Some(patient.patient_id.clone()),
            patient: patient.prescription_json(),
            doctor: doctor_json(body.doctor_id.as_deref(), None),
            diagnoses,
            lines,
            status: "ISSUED",
            created_at: app.clock.now(),
            resent: Vec::new(),
        };
        store(&mut db, rx)
    };
    crate::webhooks::emit(app, "prescription.issued", answer.clone());
    Ok(created(answer))
}

/// `POST /ehr/v1/prescriptions`.
pub(crate) async fn create_prescription_v1(
    State(app): Shared,
    ApiJson(body): ApiJson<PrescriptionV1In>,
) -> ApiResult<Response> {
    issue_v1(&app, body, "v1")
}

/// `POST /ehr/v1.1/prescriptions`: v1 plus a mandatory, true
/// `patient_data_consent`.
pub(crate) async fn create_prescription_v1_1(
    State(app): Shared,
    ApiJson(body): ApiJson<PrescriptionV1In>,
) -> ApiResult<Response> {
    match body.patient_data_consent {
        None => {
            return Err(ApiError::unprocessable(
                "patient_data_consent",
                "patient_data_consent is required in v1.1",
            ));
        }
        Some(false) => {
            return Err(ApiError::unprocessable(
                "patient_data_consent",
                "the patient has not consented to data processing",
            ));
        }
        Some(true) => {}
    }
    issue_v1(&app, body, "v1.1")
}

#[derive(Debug, Deserialize)]
pub(crate) struct DiagnosisV2In {
    code: String,
    coding_system: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProductV2In {
    product_id: Option<String>,
    quantity: Option<i32>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct TreatmentV2In {
    product_id: Option<i64>,
    quantity: Option<i32>,
    treatment_duration_days: Option<i32>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PrescriptionV2In {
    national_repository_id: Option<String>,
    doctor: Option<Map<String, Value>>,
    patient: Option<Map<String, Value>>,
    signed_hash: Option<Map<String, Value>>,
    #[serde(default)]
    diagnoses: Vec<DiagnosisV2In>,
    #[serde(default)]
    products: Vec<ProductV2In>,
    #[serde(default)]
    treatments: Vec<TreatmentV2In>,
}

/// `POST /ehr/v2/prescriptions`: needs `national_repository_id`, `doctor`,
/// `patient` and `signed_hash`.
pub(crate) async fn create_prescription_v2(
    State(app): Shared,
    ApiJson(body): ApiJson<PrescriptionV2In>,
) -> ApiResult<Response> {
    required(&body.national_repository_id, "national_repository_id")?;
    let doctor = body
        .doctor
        .ok_or_else(|| ApiError::unprocessable("doctor", "doctor is required"))?;
    let patient = body
        .patient
        .ok_or_else(|| ApiError::unprocessable("patient", "patient is required"))?;
    let signed_hash = body
        .signed_hash
        .ok_or_else(|| ApiError::unprocessable("signed_hash", "signed_hash is required"))?;
    if signed_hash.is_empty() {
        return Err(ApiError::unprocessable(
            "signed_hash",
            "signed_hash must not be empty",
        ));
    }
    let answer = {
        let mut db = app.db();
        let mut lines = Vec::new();
        // (catalogue code, catalogue id, quantity, treatment days)
        type Wanted<'a> = (Option<&'a str>, Option<i64>, i32, Option<i32>);
        let mut wanted: Vec<Wanted<'_>> = Vec::new();
        for p in &body.products {
            let reference = p.product_id.as_deref();
            let numeric = reference.and_then(|r| r.parse::<i64>().ok());
            let code = if numeric.is_some() { None } else { reference };
            wanted.push((code, numeric, p.quantity.unwrap_or(1), None));
        }
        for t in &body.treatments {
            wanted.push((
                None,
                t.product_id,
                t.quantity.unwrap_or(1),
                t.treatment_duration_days,
            ));
        }
        for (code, id, quantity, days) in wanted {
            if code.is_none() && id.is_none() {
                continue;
            }
            let product = db.resolve_product(code, id)?;
            lines.push(RxLine {
                id: db.next(),
                product_id: product.product_id,
                code: product.code.to_owned(),
                name: product.name.to_owned(),
                quantity: quantity.max(1),
                posology: None,
                duration_days: days,
            });
        }
        let mut diagnoses = Vec::new();
        for d in body.diagnoses {
            diagnoses.push(Diagnosis {
                id: db.next(),
                code: d.code,
                coding_system: d.coding_system.unwrap_or_else(|| "ICD-10".to_owned()),
            });
        }
        let patient_id = patient
            .get("patient_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let rx = Prescription {
            id: 0,
            code: String::new(),
            version: "v2",
            patient_id,
            patient: v2_patient_json(&patient),
            doctor: doctor_json(None, Some(&doctor)),
            diagnoses,
            lines,
            status: "ISSUED",
            created_at: app.clock.now(),
            resent: Vec::new(),
        };
        store(&mut db, rx)
    };
    crate::webhooks::emit(&app, "prescription.issued", answer.clone());
    Ok(created(answer))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ListIn {
    page: Option<i64>,
    size: Option<i64>,
    patient_id: Option<String>,
}

/// `GET /ehr/v1/prescriptions` (paged, optionally for one patient).
pub(crate) async fn list_prescriptions(
    State(app): Shared,
    Query(query): Query<ListIn>,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let db = app.db();
    let items = db
        .prescriptions
        .values()
        .rev()
        .filter(|p| {
            query
                .patient_id
                .as_deref()
                .is_none_or(|id| p.patient_id.as_deref() == Some(id))
        })
        .map(|p| p.json(&app.base_url))
        .collect();
    let mut self_url = format!("{}{}", app.base_url, uri.path());
    if let Some(patient) = &query.patient_id {
        self_url.push_str(&format!("?patient_id={patient}"));
    }
    let paging = Paging {
        page: query.page,
        size: query.size,
    };
    ok(page(items, &paging, &self_url))
}

fn prescription_id(db: &Db, raw: &str) -> ApiResult<i64> {
    db.prescriptions
        .values()
        .find(|p| p.code == raw)
        .map(|p| p.id)
        .or_else(|| numeric_id(raw).filter(|id| db.prescriptions.contains_key(id)))
        .ok_or_else(|| ApiError::not_found("prescription", raw))
}

/// `GET /ehr/v1/prescriptions/{id}` (by id or by code).
pub(crate) async fn get_prescription(
    State(app): Shared,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let db = app.db();
    let id = prescription_id(&db, &id)?;
    Ok(ok(db.prescriptions[&id].json(&app.base_url)))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ResendIn {
    channel: String,
}

/// `POST /ehr/v1/prescriptions/{id}/resend`: 200 without a body.
pub(crate) async fn resend_prescription(
    State(app): Shared,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResendIn>,
) -> ApiResult<Response> {
    let channel = body.channel.to_uppercase();
    if !matches!(channel.as_str(), "EMAIL" | "SMS" | "WHATSAPP") {
        return Err(ApiError::unprocessable(
            "channel",
            "channel must be EMAIL, SMS or WHATSAPP",
        ));
    }
    let mut db = app.db();
    let id = prescription_id(&db, &id)?;
    if let Some(p) = db.prescriptions.get_mut(&id) {
        p.resent.push(channel);
    }
    Ok(StatusCode::OK.into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct PatientQuery {
    document_number: Option<String>,
}

/// `GET /ehr/v1/patients?document_number=...`.
pub(crate) async fn search_patients(
    State(app): Shared,
    Query(query): Query<PatientQuery>,
) -> Response {
    let db = app.db();
    ok(Value::Array(
        db.patients
            .iter()
            .filter(|p| {
                query
                    .document_number
                    .as_deref()
                    .is_none_or(|d| p.document_number == d)
            })
            .map(Patient::json)
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
pub(crate) struct PatientIn {
    document_number: String,
    document_type: String,
    first_name: String,
    last_name: String,
    date_of_birth: Option<String>,
}

/// `POST /ehr/v1/patients`: 409 when the document is already registered.
pub(crate) async fn create_patient(
    State(app): Shared,
    ApiJson(body): ApiJson<PatientIn>,
) -> ApiResult<Response> {
    for (value, field) in [
        (&body.document_number, "document_number"),
        (&body.document_type, "document_type"),
        (&body.first_name, "first_name"),
        (&body.last_name, "last_name"),
    ] {
        if value.trim().is_empty() {
            return Err(ApiError::unprocessable(
                field,
                format!("{field} is required"),
            ));
        }
    }
    if let Some(date) = &body.date_of_birth {
        let valid = date.len() == 10
            && date.char_indices().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !valid {
            return Err(ApiError::unprocessable(
                "date_of_birth",
                "date_of_birth must be YYYY-MM-DD",
            ));
        }
    }
    let mut db = app.db();
    if db
        .patients
        .iter()
        .any(|p| p.document_number == body.document_number && p.document_type == body.document_type)
    {
        return Err(ApiError::conflict(format!(
            "a patient with document {} {} already exists",
            body.document_type, body.document_number
        )));
    }
    let patient = Patient {
        patient_id: format!("pat_{:06}", db.next() + 1),
        first_name: body.first_name,
        last_name: body.last_name,
        document_type: body.document_type,
        document_number: body.document_number,
        date_of_birth: body.date_of_birth,
    };
    let json = patient.json();
    db.patients.push(patient);
    Ok(created(json))
}

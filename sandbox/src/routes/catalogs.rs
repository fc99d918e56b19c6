//! Reference data: countries and their divisions, medical boards,
//! specialties, medications and diagnoses (the same data under v1 and v2).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::beneficiaries::TextQuery;
use osigu::types;

use super::Shared;
use crate::reply::{ApiError, ApiResult, Paging, ok, page};
use crate::store::Kind;

const COUNTRIES: &[(&str, &str)] = &[
    ("GT", "Guatemala"),
    ("DO", "República Dominicana"),
    ("CO", "Colombia"),
    ("MX", "México"),
    ("ES", "España"),
];

/// (country, state code, state name, cities as (code, name))
type StateRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const STATES: &[StateRow] = &[
    (
        "GT",
        "GT-GU",
        "Guatemala",
        &[("GT-GU-01", "Ciudad de Guatemala"), ("GT-GU-02", "Mixco")],
    ),
    (
        "GT",
        "GT-QZ",
        "Quetzaltenango",
        &[("GT-QZ-01", "Quetzaltenango")],
    ),
    (
        "DO",
        "DO-01",
        "Distrito Nacional",
        &[("DO-01-01", "Santo Domingo")],
    ),
    (
        "DO",
        "DO-25",
        "Santiago",
        &[("DO-25-01", "Santiago de los Caballeros")],
    ),
    ("CO", "CO-DC", "Bogotá D.C.", &[("CO-DC-01", "Bogotá")]),
    ("CO", "CO-ANT", "Antioquia", &[("CO-ANT-01", "Medellín")]),
    (
        "MX",
        "MX-CMX",
        "Ciudad de México",
        &[("MX-CMX-01", "Ciudad de México")],
    ),
    ("ES", "ES-MD", "Madrid", &[("ES-MD-01", "Madrid")]),
];

const BOARDS: &[(&str, &str, &str)] = &[
    ("GT", "CMCG", "Colegio de Médicos y Cirujanos de Guatemala"),
    ("DO", "CMD", "Colegio Médico Dominicano"),
    (
        "CO",
        "RETHUS",
        "Registro Único Nacional del Talento Humano en Salud",
    ),
    (
        "MX",
        "CONACEM",
        "Consejo Nacional de Certificación en Medicina",
    ),
    (
        "ES",
        "CGCOM",
        "Consejo General de Colegios Oficiales de Médicos",
    ),
];

const SPECIALTIES: &[(&str, &str)] = &[
    ("GENERAL_MEDICINE", "Medicina general"),
    ("PEDIATRICS", "Pediatría"),
    ("CARDIOLOGY", "Cardiología"),
    ("INTERNAL_MEDICINE", "Medicina interna"),
    ("GYNECOLOGY", "Ginecología"),
    ("DERMATOLOGY", "Dermatología"),
];

const DIAGNOSES: &[(&str, &str)] = &[
    ("R51", "Headache"),
    ("J00", "Acute nasopharyngitis (common cold)"),
    ("J02.9", "Acute pharyngitis, unspecified"),
    ("I10", "Essential (primary) hypertension"),
    ("E11.9", "Type 2 diabetes mellitus without complications"),
    ("K29.7", "Gastritis, unspecified"),
    ("M54.5", "Low back pain"),
];

fn known_country(code: &str) -> ApiResult<&'static str> {
    COUNTRIES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map(|(c, _)| *c)
        .ok_or_else(|| ApiError::not_found("country", code))
}

/// `GET /medical-catalogs/v{1,2}/countries`.
pub(crate) async fn countries() -> Response {
    ok(Value::Array(
        COUNTRIES
            .iter()
            .map(|(code, name)| json!({ "code": code, "name": name }))
            .collect(),
    ))
}

/// `GET /medical-catalogs/v{1,2}/countries/{countryCode}/states`.
pub(crate) async fn states(Path(country): Path<String>) -> ApiResult<Response> {
    let country = known_country(&country)?;
    Ok(ok(Value::Array(
        STATES
            .iter()
            .filter(|s| s.0 == country)
            .map(|s| json!({ "code": s.1, "name": s.2, "country_code": s.0 }))
            .collect(),
    )))
}

/// `GET /medical-catalogs/v{1,2}/countries/{countryCode}/subdivisions`
/// (the same first-level divisions as the states).
pub(crate) async fn subdivisions(Path(country): Path<String>) -> ApiResult<Response> {
    let country = known_country(&country)?;
    Ok(ok(Value::Array(
        STATES
            .iter()
            .filter(|s| s.0 == country)
            .map(|s| json!({ "code": s.1, "name": s.2, "country_code": s.0, "type": "STATE" }))
            .collect(),
    )))
}

/// `GET /medical-catalogs/v{1,2}/countries/{countryCode}/states/{stateCode}/cities`.
pub(crate) async fn cities(Path((country, state)): Path<(String, String)>) -> ApiResult<Response> {
    let country = known_country(&country)?;
    let entry = STATES
        .iter()
        .find(|s| s.0 == country && s.1.eq_ignore_ascii_case(&state))
        .ok_or_else(|| ApiError::not_found("state", &state))?;
    Ok(ok(Value::Array(
        entry
            .3
            .iter()
            .map(|(code, name)| json!({ "code": code, "name": name, "state_code": entry.1 }))
            .collect(),
    )))
}

/// `GET /medical-catalogs/v{1,2}/countries/{countryCode}/medical-boards`.
pub(crate) async fn medical_boards(Path(country): Path<String>) -> ApiResult<Response> {
    let country = known_country(&country)?;
    Ok(ok(Value::Array(
        BOARDS
            .iter()
            .filter(|b| b.0 == country)
            .map(|b| json!({ "code": b.1, "name": b.2, "country_code": b.0 }))
            .collect(),
    )))
}

/// `GET /medical-catalogs/v{1,2}/medical-specialties`.
pub(crate) async fn specialties() -> Response {
    ok(Value::Array(
        SPECIALTIES
            .iter()
            .map(|(code, name)| json!({ "code": code, "name": name }))
            .collect(),
    ))
}

/// `GET /medical-catalogs/v{1,2}/medications?query=...`.
pub(crate) async fn medications(State(app): Shared, Query(q): Query<TextQuery>) -> Response {
    let db = app.db();
    let needle = q.query.unwrap_or_default().to_lowercase();
    ok(Value::Array(
        db.catalogue
            .iter()
            .filter(|p| p.kind == Kind::Medication)
            .filter(|p| {
                needle.is_empty()
                    || p.name.to_lowercase().contains(&needle)
                    || p.code.to_lowercase().contains(&needle)
            })
            .map(|p| p.entry_json())
            .collect(),
    ))
}

/// `GET /medical-catalogs/v1/diagnoses?query=...` (ICD-10).
pub(crate) async fn diagnoses(Query(q): Query<TextQuery>) -> Response {
    let needle = q.query.unwrap_or_default().to_lowercase();
    ok(Value::Array(
        DIAGNOSES
            .iter()
            .filter(|(code, text)| {
                needle.is_empty()
                    || code.to_lowercase().starts_with(&needle)
                    || text.to_lowercase().contains(&needle)
            })
            .map(|(code, text)| json!({ "diagnosis_code": code, "description": text }))
            .collect(),
    ))
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct NameQuery {
    name: Option<String>,
}

/// `searchDiagnoses`: diagnoses whose name (or code) holds `name`, paged.
pub(crate) async fn search_diagnoses(
    State(app): Shared,
    Query(q): Query<NameQuery>,
) -> ApiResult<Response> {
    let needle = q.name.unwrap_or_default().trim().to_lowercase();
    if needle.is_empty() {
        return Err(ApiError::unprocessable("name", "name is required"));
    }
    let found: Vec<types::DiagnosisSearchResult> = DIAGNOSES
        .iter()
        .enumerate()
        .filter(|(_, (code, text))| {
            code.to_lowercase().starts_with(&needle) || text.to_lowercase().contains(&needle)
        })
        .map(|(index, (code, text))| {
            let mut result = types::DiagnosisSearchResult::default();
            result.diagnosis_id = Some(index as i64 + 1);
            result.code = Some((*code).to_owned());
            result.coding_system = Some("ICD-10".to_owned());
            result.name = Some((*text).to_owned());
            result
        })
        .collect();
    let self_url = format!(
        "{}{}?name={needle}",
        app.base_url,
        super::path_of("searchDiagnoses", &[])
    );
    Ok(ok(page(found, &Paging::default(), &self_url)))
}

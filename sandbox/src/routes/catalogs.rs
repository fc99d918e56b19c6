//! Reference data: countries and their divisions, medical boards,
//! specialties, medications and diagnoses (the same data under v1 and v2).

use axum::extract::{Path, Query, State};
use axum::response::Response;

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

/// The states of a known country.
fn states_of(country: &str) -> ApiResult<impl Iterator<Item = &'static StateRow>> {
    let country = known_country(country)?;
    Ok(STATES.iter().filter(move |s| s.0 == country))
}

fn text(value: &str) -> Option<String> {
    Some(value.to_owned())
}

/// `listCountries` (v1 and v2).
pub(crate) async fn countries() -> Response {
    let all: Vec<types::CountryResource> = COUNTRIES
        .iter()
        .map(|(code, name)| {
            let mut r = types::CountryResource::default();
            (r.code, r.name) = (text(code), text(name));
            r
        })
        .collect();
    ok(all)
}

/// `listStates` (v1 and v2).
pub(crate) async fn states(Path(country): Path<String>) -> ApiResult<Response> {
    let all: Vec<types::StateResource> = states_of(&country)?
        .map(|s| {
            let mut r = types::StateResource::default();
            (r.code, r.name, r.country_code) = (text(s.1), text(s.2), text(s.0));
            r
        })
        .collect();
    Ok(ok(all))
}

/// `listSubdivisions` (v1 and v2): the same first-level divisions as the
/// states.
pub(crate) async fn subdivisions(Path(country): Path<String>) -> ApiResult<Response> {
    let all: Vec<types::SubdivisionResource> = states_of(&country)?
        .map(|s| {
            let mut r = types::SubdivisionResource::default();
            (r.code, r.name, r.country_code) = (text(s.1), text(s.2), text(s.0));
            r
        })
        .collect();
    Ok(ok(all))
}

/// `listCities` (v1 and v2).
pub(crate) async fn cities(Path((country, state)): Path<(String, String)>) -> ApiResult<Response> {
    let entry = states_of(&country)?
        .find(|s| s.1.eq_ignore_ascii_case(&state))
        .ok_or_else(|| ApiError::not_found("state", &state))?;
    let all: Vec<types::CityResource> = entry
        .3
        .iter()
        .map(|(code, name)| {
            let mut r = types::CityResource::default();
            (r.code, r.name, r.state_code) = (text(code), text(name), text(entry.1));
            r
        })
        .collect();
    Ok(ok(all))
}

/// `listMedicalBoards` (v1 and v2).
pub(crate) async fn medical_boards(Path(country): Path<String>) -> ApiResult<Response> {
    let country = known_country(&country)?;
    let all: Vec<types::MedicalBoardResource> = BOARDS
        .iter()
        .filter(|b| b.0 == country)
        .map(|b| {
            let mut r = types::MedicalBoardResource::default();
            (r.code, r.name, r.country_code) = (text(b.1), text(b.2), text(b.0));
            r
        })
        .collect();
    Ok(ok(all))
}

/// `listMedicalSpecialties` (v1 and v2).
pub(crate) async fn specialties() -> Response {
    let all: Vec<types::MedicalSpecialtyResource> = SPECIALTIES
        .iter()
        .map(|(code, name)| {
            let mut r = types::MedicalSpecialtyResource::default();
            (r.code, r.name) = (text(code), text(name));
            r
        })
        .collect();
    ok(all)
}

/// `listMedications` (v1 and v2), filtered by `query`.
pub(crate) async fn medications(State(app): Shared, Query(q): Query<TextQuery>) -> Response {
    let db = app.db();
    let needle = q.query.unwrap_or_default().to_lowercase();
    let found: Vec<types::CatalogProductEntry> = db
        .catalogue
        .iter()
        .filter(|p| p.kind == Kind::Medication)
        .filter(|p| {
            needle.is_empty()
                || p.name.to_lowercase().contains(&needle)
                || p.code.to_lowercase().contains(&needle)
        })
        .map(|p| p.entry())
        .collect();
    ok(found)
}

/// Whether a diagnosis row matches a search text.
fn diagnosis_matches(needle: &str, (code, name): &(&str, &str)) -> bool {
    needle.is_empty()
        || code.to_lowercase().starts_with(needle)
        || name.to_lowercase().contains(needle)
}

/// `listDiagnoses` (ICD-10), filtered by `query`.
pub(crate) async fn diagnoses(Query(q): Query<TextQuery>) -> Response {
    let needle = q.query.unwrap_or_default().to_lowercase();
    let found: Vec<types::DiagnosisCatalogEntry> = DIAGNOSES
        .iter()
        .filter(|row| diagnosis_matches(&needle, row))
        .map(|(code, name)| {
            let mut r = types::DiagnosisCatalogEntry::default();
            (r.diagnosis_code, r.description) = (text(code), text(name));
            r
        })
        .collect();
    ok(found)
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct NameQuery {
    name: Option<String>,
}

/// `searchDiagnoses`: diagnoses whose name holds `name` (or whose code
/// starts with it), paged.
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
        .filter(|(_, row)| diagnosis_matches(&needle, row))
        .map(|(index, (code, name))| {
            let mut result = types::DiagnosisSearchResult::default();
            result.diagnosis_id = Some(index as i64 + 1);
            result.code = text(code);
            result.coding_system = text("ICD-10");
            result.name = text(name);
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

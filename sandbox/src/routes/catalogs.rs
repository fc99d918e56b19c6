//! Reference data: countries and their divisions, medical boards,
//! specialties, medications and diagnoses (the same data under v1 and v2).

use super::prelude::*;
use crate::input::TextQuery;
use crate::store::{CatalogProduct, Kind};

#[rustfmt::skip]
const COUNTRIES: &[(&str, &str)] = &[
    ("GT", "Guatemala"), ("DO", "República Dominicana"), ("CO", "Colombia"), ("MX", "México"),
    ("ES", "España"),
];

/// (country, state code, state name, cities as (code, name))
type StateRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[rustfmt::skip]
const STATES: &[StateRow] = &[
    ("GT", "GT-GU", "Guatemala", &[("GT-GU-01", "Ciudad de Guatemala"), ("GT-GU-02", "Mixco")]),
    ("GT", "GT-QZ", "Quetzaltenango", &[("GT-QZ-01", "Quetzaltenango")]),
    ("DO", "DO-01", "Distrito Nacional", &[("DO-01-01", "Santo Domingo")]),
    ("DO", "DO-25", "Santiago", &[("DO-25-01", "Santiago de los Caballeros")]),
    ("CO", "CO-DC", "Bogotá D.C.", &[("CO-DC-01", "Bogotá")]),
    ("CO", "CO-ANT", "Antioquia", &[("CO-ANT-01", "Medellín")]),
    ("MX", "MX-CMX", "Ciudad de México", &[("MX-CMX-01", "Ciudad de México")]),
    ("ES", "ES-MD", "Madrid", &[("ES-MD-01", "Madrid")]),
];

#[rustfmt::skip]
const BOARDS: &[(&str, &str, &str)] = &[
    ("GT", "CMCG", "Colegio de Médicos y Cirujanos de Guatemala"),
    ("DO", "CMD", "Colegio Médico Dominicano"),
    ("CO", "RETHUS", "Registro Único Nacional del Talento Humano en Salud"),
    ("MX", "CONACEM", "Consejo Nacional de Certificación en Medicina"),
    ("ES", "CGCOM", "Consejo General de Colegios Oficiales de Médicos"),
];

#[rustfmt::skip]
const SPECIALTIES: &[(&str, &str)] = &[
    ("GENERAL_MEDICINE", "Medicina general"), ("PEDIATRICS", "Pediatría"),
    ("CARDIOLOGY", "Cardiología"), ("INTERNAL_MEDICINE", "Medicina interna"),
    ("GYNECOLOGY", "Ginecología"), ("DERMATOLOGY", "Dermatología"),
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
        .or_404("country", code)
}

/// The states of a known country.
fn states_of(country: &str) -> ApiResult<impl Iterator<Item = &'static StateRow>> {
    let country = known_country(country)?;
    Ok(STATES.iter().filter(move |s| s.0 == country))
}

/// `listCountries` (v1 and v2).
pub(crate) async fn countries() -> Response {
    let all = COUNTRIES
        .iter()
        .map(|(code, name)| typed!(types::CountryResource; code = *code, name = *name));
    ok_list(all)
}

/// `listStates` (v1 and v2).
pub(crate) async fn states(Path(country): Id) -> ApiResult<Response> {
    let all = states_of(&country)?
        .map(|s| typed!(types::StateResource; code = s.1, name = s.2, country_code = s.0));
    Ok(ok_list(all))
}

/// `listSubdivisions` (v1 and v2): the same first-level divisions as the
/// states.
pub(crate) async fn subdivisions(Path(country): Id) -> ApiResult<Response> {
    let all = states_of(&country)?
        .map(|s| typed!(types::SubdivisionResource; code = s.1, name = s.2, country_code = s.0));
    Ok(ok_list(all))
}

/// `listCities` (v1 and v2).
pub(crate) async fn cities(Path((country, state)): Path<(String, String)>) -> ApiResult<Response> {
    let entry = states_of(&country)?
        .find(|s| s.1.eq_ignore_ascii_case(&state))
        .or_404("state", &state)?;
    let all = entry.3.iter().map(|(code, name)| typed!(types::CityResource; code = *code, name = *name, state_code = entry.1));
    Ok(ok_list(all))
}

/// `listMedicalBoards` (v1 and v2).
pub(crate) async fn medical_boards(Path(country): Id) -> ApiResult<Response> {
    let country = known_country(&country)?;
    let all = BOARDS.iter().filter(|b| b.0 == country);
    let all = all
        .map(|b| typed!(types::MedicalBoardResource; code = b.1, name = b.2, country_code = b.0));
    Ok(ok_list(all))
}

/// `listMedicalSpecialties` (v1 and v2).
pub(crate) async fn specialties() -> Response {
    let all = SPECIALTIES
        .iter()
        .map(|(code, name)| typed!(types::MedicalSpecialtyResource; code = *code, name = *name));
    ok_list(all)
}

/// `listMedications` (v1 and v2), filtered by `query`.
pub(crate) async fn medications(State(app): Shared, ApiQuery(q): ApiQuery<TextQuery>) -> Response {
    let db = app.db();
    let needle = q.query.unwrap_or_default().to_lowercase();
    let wanted = |p: &&CatalogProduct| p.kind == Kind::Medication && p.mentions(&needle);
    let found = db.catalogue.iter().filter(wanted);
    ok_list(found.map(CatalogProduct::entry))
}

/// Whether a diagnosis row matches a search text.
fn diagnosis_matches(needle: &str, (code, name): &(&str, &str)) -> bool {
    needle.is_empty()
        || code.to_lowercase().starts_with(needle)
        || name.to_lowercase().contains(needle)
}

/// `listDiagnoses` (ICD-10), filtered by `query`.
pub(crate) async fn diagnoses(ApiQuery(q): ApiQuery<TextQuery>) -> Response {
    let needle = q.query.unwrap_or_default().to_lowercase();
    let found = DIAGNOSES.iter().filter(|row| diagnosis_matches(&needle, row)).map(|(code, name)| {
        typed!(types::DiagnosisCatalogEntry; diagnosis_code = *code, description = *name)
    });
    ok_list(found)
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct NameQuery {
    name: Option<String>,
}

/// `searchDiagnoses`: diagnoses whose name holds `name` (or whose code
/// starts with it), paged.
pub(crate) async fn search_diagnoses(
    State(app): Shared,
    ApiQuery(q): ApiQuery<NameQuery>,
    paged: Paged,
) -> ApiResult<Response> {
    let needle = q.name.unwrap_or_default().trim().to_lowercase();
    refuse_if!(needle.is_empty(); "name", "name is required");
    let found: Vec<types::DiagnosisSearchResult> = DIAGNOSES
        .iter()
        .enumerate()
        .filter(|(_, row)| diagnosis_matches(&needle, row))
        .map(|(index, (code, name))| {
            typed!(types::DiagnosisSearchResult;
                diagnosis_id = index as i64 + 1, code = *code, coding_system = "ICD-10", name = *name)
        })
        .collect();
    Ok(paged.reply(&app.base_url, found))
}

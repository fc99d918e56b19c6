//! The world a new sandbox starts with: sponsors, beneficiaries, the
//! product catalogue, provider products and one patient.

use chrono::NaiveDate;

use super::Db;
use super::entities::{Beneficiary, CatalogProduct, Decision, Kind, Sponsor};
use crate::clock::Time;
use crate::typed::typed;

/// (slug, name, country, currency, decision, OTP required, documents a
/// request needs before completion)
type SponsorRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Decision,
    bool,
    &'static [&'static str],
);

#[rustfmt::skip]
const SPONSORS: &[SponsorRow] = &[
    ("demo-insurer", "Demo Insurer", "GT", "GTQ", Decision::Sync, false, &[]),
    ("otp-insurer", "OTP Insurer", "GT", "GTQ", Decision::Sync, true, &[]),
    ("async-insurer", "Async Insurer", "DO", "DOP", Decision::Async, false, &["PRESCRIPTION"]),
];

/// (id, sponsor, first name, last name, document, member code, active,
/// holder, phone, date of birth)
type BeneficiaryRow = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    Option<i64>,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const BENEFICIARIES: &[BeneficiaryRow] = &[
    (1001, "demo-insurer", "María", "González", "1000000001", "DEMO-0001", true, None, "+502 5555 0101", "1985-03-14"),
    (1002, "demo-insurer", "Lucía", "González", "1000000002", "DEMO-0001-01", true, Some(1001), "+502 5555 0102", "2012-07-02"),
    (1003, "demo-insurer", "Carlos", "Pérez", "1000000003", "DEMO-0003", false, None, "+502 5555 0103", "1970-11-30"),
    (2001, "otp-insurer", "Ana", "Ramírez", "2000000001", "OTP-0001", true, None, "+502 5555 0201", "1990-01-21"),
    (3001, "async-insurer", "Jorge", "Castillo", "3000000001", "ASY-0001", true, None, "+1 809 555 0301", "1978-05-09"),
];

#[rustfmt::skip]
const CATALOGUE: &[(i64, &str, &str, Kind, f64)] = &[
    (5001, "MED-SBX-001", "Paracetamol 500 mg tablets", Kind::Medication, 12.5),
    (5002, "MED-SBX-002", "Amoxicillin 500 mg capsules", Kind::Medication, 38.0),
    (5003, "MED-SBX-003", "Ibuprofen 400 mg tablets", Kind::Medication, 15.75),
    (5004, "MED-SBX-004", "Losartan 50 mg tablets", Kind::Medication, 42.0),
    (5005, "MED-SBX-005", "Metformin 850 mg tablets", Kind::Medication, 27.3),
    (5006, "MED-SBX-006", "Omeprazole 20 mg capsules", Kind::Medication, 19.9),
    (6001, "LAB-SBX-001", "Complete blood count", Kind::Lab, 95.0),
    (6002, "IMG-SBX-001", "Chest X-ray", Kind::Imaging, 250.0),
    (6003, "PROC-SBX-001", "General medical consultation", Kind::Procedure, 300.0),
];

/// The catalogue products registered as provider products from the start.
const REGISTERED: [&str; 4] = ["MED-SBX-001", "MED-SBX-002", "LAB-SBX-001", "PROC-SBX-001"];

impl Db {
    /// The seeded world.
    pub(crate) fn seeded(registered_at: Time) -> Self {
        #[rustfmt::skip]
        let sponsors = SPONSORS.iter().map(|&(slug, name, country_code, currency, decision, otp_required, required_documents)| {
            Sponsor { slug, name, country_code, currency, decision, otp_required, required_documents }
        });
        #[rustfmt::skip]
        let beneficiaries = BENEFICIARIES.iter().map(|&(id, sponsor_slug, first_name, last_name, document_number, member_code, active, holder_id, phone, date_of_birth)| {
            let (plan_code, balance) = if active { ("GOLD-100", 5000.0) } else { ("BASIC-10", 0.0) };
            Beneficiary { id, sponsor_slug, first_name, last_name, document_type: "DPI", document_number, member_code, active, holder_id, phone, date_of_birth, plan_code, balance }
        });
        #[rustfmt::skip]
        let catalogue = CATALOGUE.iter().map(|&(product_id, code, name, kind, unit_price)| {
            CatalogProduct { product_id, code, name, kind, unit_price }
        });
        let mut db = Db {
            seq: 0,
            sponsors: sponsors.collect(),
            beneficiaries: beneficiaries.collect(),
            catalogue: catalogue.collect(),
            ..Db::default()
        };
        db.provider_products = REGISTERED
            .iter()
            .map(|code| ((*code).to_owned(), registered_at))
            .collect();
        db.patients.push(typed!(osigu::types::PatientResource;
            patient_id = crate::SEED_PATIENT_ID, first_name = "María", last_name = "González",
            document_type = "DPI", document_number = "1000000001";
            date_of_birth = NaiveDate::from_ymd_opt(1985, 3, 14)));
        db
    }
}

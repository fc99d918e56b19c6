//! The world a new sandbox starts with: sponsors, beneficiaries, the
//! product catalogue, provider products and one patient.

use chrono::NaiveDate;

use super::Db;
use super::entities::{Beneficiary, CatalogProduct, Decision, Kind, Sponsor};
use crate::clock::Time;
use crate::typed::typed;

#[rustfmt::skip]
const SPONSORS: &[Sponsor] = &[
    Sponsor { slug: "demo-insurer", name: "Demo Insurer", country_code: "GT", currency: "GTQ", decision: Decision::Sync, otp_required: false, required_documents: &[] },
    Sponsor { slug: "otp-insurer", name: "OTP Insurer", country_code: "GT", currency: "GTQ", decision: Decision::Sync, otp_required: true, required_documents: &[] },
    Sponsor { slug: "async-insurer", name: "Async Insurer", country_code: "DO", currency: "DOP", decision: Decision::Async, otp_required: false, required_documents: &["PRESCRIPTION"] },
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
const CATALOGUE: &[CatalogProduct] = &[
    CatalogProduct { product_id: 5001, code: "MED-SBX-001", name: "Paracetamol 500 mg tablets", kind: Kind::Medication, unit_price: 12.5 },
    CatalogProduct { product_id: 5002, code: "MED-SBX-002", name: "Amoxicillin 500 mg capsules", kind: Kind::Medication, unit_price: 38.0 },
    CatalogProduct { product_id: 5003, code: "MED-SBX-003", name: "Ibuprofen 400 mg tablets", kind: Kind::Medication, unit_price: 15.75 },
    CatalogProduct { product_id: 5004, code: "MED-SBX-004", name: "Losartan 50 mg tablets", kind: Kind::Medication, unit_price: 42.0 },
    CatalogProduct { product_id: 5005, code: "MED-SBX-005", name: "Metformin 850 mg tablets", kind: Kind::Medication, unit_price: 27.3 },
    CatalogProduct { product_id: 5006, code: "MED-SBX-006", name: "Omeprazole 20 mg capsules", kind: Kind::Medication, unit_price: 19.9 },
    CatalogProduct { product_id: 6001, code: "LAB-SBX-001", name: "Complete blood count", kind: Kind::Lab, unit_price: 95.0 },
    CatalogProduct { product_id: 6002, code: "IMG-SBX-001", name: "Chest X-ray", kind: Kind::Imaging, unit_price: 250.0 },
    CatalogProduct { product_id: 6003, code: "PROC-SBX-001", name: "General medical consultation", kind: Kind::Procedure, unit_price: 300.0 },
];

/// The catalogue products registered as provider products from the start.
const REGISTERED: [&str; 4] = ["MED-SBX-001", "MED-SBX-002", "LAB-SBX-001", "PROC-SBX-001"];

impl Db {
    /// The seeded world.
    pub(crate) fn seeded(registered_at: Time) -> Self {
        #[rustfmt::skip]
        let beneficiaries = BENEFICIARIES.iter().map(|&(id, sponsor_slug, first_name, last_name, document_number, member_code, active, holder_id, phone, date_of_birth)| {
            let (plan_code, balance) = if active { ("GOLD-100", 5000.0) } else { ("BASIC-10", 0.0) };
            Beneficiary { id, sponsor_slug, first_name, last_name, document_type: "DPI", document_number, member_code, active, holder_id, phone, date_of_birth, plan_code, balance }
        });
        let mut db = Db {
            seq: 0,
            sponsors: SPONSORS.to_vec(),
            beneficiaries: beneficiaries.collect(),
            catalogue: CATALOGUE.to_vec(),
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

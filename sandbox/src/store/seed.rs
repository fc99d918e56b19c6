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

#[rustfmt::skip]
const BENEFICIARIES: &[Beneficiary] = &[
    Beneficiary { id: 1001, sponsor_slug: "demo-insurer", first_name: "María", last_name: "González", document_type: "DPI", document_number: "1000000001", member_code: "DEMO-0001", active: true, holder_id: None, phone: "+502 5555 0101", date_of_birth: "1985-03-14", plan_code: "GOLD-100", balance: 5000.0 },
    Beneficiary { id: 1002, sponsor_slug: "demo-insurer", first_name: "Lucía", last_name: "González", document_type: "DPI", document_number: "1000000002", member_code: "DEMO-0001-01", active: true, holder_id: Some(1001), phone: "+502 5555 0102", date_of_birth: "2012-07-02", plan_code: "GOLD-100", balance: 5000.0 },
    Beneficiary { id: 1003, sponsor_slug: "demo-insurer", first_name: "Carlos", last_name: "Pérez", document_type: "DPI", document_number: "1000000003", member_code: "DEMO-0003", active: false, holder_id: None, phone: "+502 5555 0103", date_of_birth: "1970-11-30", plan_code: "BASIC-10", balance: 0.0 },
    Beneficiary { id: 2001, sponsor_slug: "otp-insurer", first_name: "Ana", last_name: "Ramírez", document_type: "DPI", document_number: "2000000001", member_code: "OTP-0001", active: true, holder_id: None, phone: "+502 5555 0201", date_of_birth: "1990-01-21", plan_code: "GOLD-100", balance: 5000.0 },
    Beneficiary { id: 3001, sponsor_slug: "async-insurer", first_name: "Jorge", last_name: "Castillo", document_type: "DPI", document_number: "3000000001", member_code: "ASY-0001", active: true, holder_id: None, phone: "+1 809 555 0301", date_of_birth: "1978-05-09", plan_code: "GOLD-100", balance: 5000.0 },
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
        let patient = typed!(osigu::types::PatientResource;
            patient_id = crate::SEED_PATIENT_ID, first_name = "María", last_name = "González",
            document_type = "DPI", document_number = "1000000001";
            date_of_birth = NaiveDate::from_ymd_opt(1985, 3, 14));
        Db {
            sponsors: SPONSORS,
            beneficiaries: BENEFICIARIES,
            catalogue: CATALOGUE,
            provider_products: REGISTERED
                .map(|code| (code.to_owned(), registered_at))
                .into(),
            patients: vec![patient],
            ..Db::default()
        }
    }
}

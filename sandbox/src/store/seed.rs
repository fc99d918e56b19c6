//! The world a new sandbox starts with: sponsors, beneficiaries, the
//! product catalogue, provider products and one patient.

use super::Db;
use super::entities::{Beneficiary, CatalogProduct, Decision, Kind, Patient, Sponsor};

impl Db {
    /// The seeded world.
    pub(crate) fn seeded(registered_at: &str) -> Self {
        let mut db = Db {
            seq: 0,
            sponsors: seed_sponsors(),
            beneficiaries: seed_beneficiaries(),
            catalogue: seed_catalogue(),
            ..Db::default()
        };
        for code in ["MED-SBX-001", "MED-SBX-002", "LAB-SBX-001", "PROC-SBX-001"] {
            db.provider_products
                .push((code.to_owned(), registered_at.to_owned()));
        }
        db.patients.push(Patient {
            patient_id: crate::SEED_PATIENT_ID.to_owned(),
            first_name: "María".to_owned(),
            last_name: "González".to_owned(),
            document_type: "DPI".to_owned(),
            document_number: "1000000001".to_owned(),
            date_of_birth: Some("1985-03-14".to_owned()),
        });
        db
    }
}

fn seed_sponsors() -> Vec<Sponsor> {
    vec![
        Sponsor {
            slug: "demo-insurer",
            name: "Demo Insurer",
            country_code: "GT",
            currency: "GTQ",
            decision: Decision::Sync,
            otp_required: false,
            required_documents: &[],
        },
        Sponsor {
            slug: "otp-insurer",
            name: "OTP Insurer",
            country_code: "GT",
            currency: "GTQ",
            decision: Decision::Sync,
            otp_required: true,
            required_documents: &[],
        },
        Sponsor {
            slug: "async-insurer",
            name: "Async Insurer",
            country_code: "DO",
            currency: "DOP",
            decision: Decision::Async,
            otp_required: false,
            required_documents: &["PRESCRIPTION"],
        },
    ]
}

fn seed_beneficiaries() -> Vec<Beneficiary> {
    let b = |id,
             sponsor_slug,
             first_name,
             last_name,
             document_number,
             member_code,
             active,
             holder_id,
             phone,
             date_of_birth| Beneficiary {
        id,
        sponsor_slug,
        first_name,
        last_name,
        document_type: "DPI",
        document_number,
        member_code,
        active,
        holder_id,
        phone,
        date_of_birth,
        plan_code: if active { "GOLD-100" } else { "BASIC-10" },
        balance: if active { 5000.0 } else { 0.0 },
    };
    vec![
        b(
            1001,
            "demo-insurer",
            "María",
            "González",
            "1000000001",
            "DEMO-0001",
            true,
            None,
            "+502 5555 0101",
            "1985-03-14",
        ),
        b(
            1002,
            "demo-insurer",
            "Lucía",
            "González",
            "1000000002",
            "DEMO-0001-01",
            true,
            Some(1001),
            "+502 5555 0102",
            "2012-07-02",
        ),
        b(
            1003,
            "demo-insurer",
            "Carlos",
            "Pérez",
            "1000000003",
            "DEMO-0003",
            false,
            None,
            "+502 5555 0103",
            "1970-11-30",
        ),
        b(
            2001,
            "otp-insurer",
            "Ana",
            "Ramírez",
            "2000000001",
            "OTP-0001",
            true,
            None,
            "+502 5555 0201",
            "1990-01-21",
        ),
        b(
            3001,
            "async-insurer",
            "Jorge",
            "Castillo",
            "3000000001",
            "ASY-0001",
            true,
            None,
            "+1 809 555 0301",
            "1978-05-09",
        ),
    ]
}

fn seed_catalogue() -> Vec<CatalogProduct> {
    let p = |product_id, code, name, kind, unit_price| CatalogProduct {
        product_id,
        code,
        name,
        kind,
        unit_price,
    };
    vec![
        p(
            5001,
            "MED-SBX-001",
            "Paracetamol 500 mg tablets",
            Kind::Medication,
            12.5,
        ),
        p(
            5002,
            "MED-SBX-002",
            "Amoxicillin 500 mg capsules",
            Kind::Medication,
            38.0,
        ),
        p(
            5003,
            "MED-SBX-003",
            "Ibuprofen 400 mg tablets",
            Kind::Medication,
            15.75,
        ),
        p(
            5004,
            "MED-SBX-004",
            "Losartan 50 mg tablets",
            Kind::Medication,
            42.0,
        ),
        p(
            5005,
            "MED-SBX-005",
            "Metformin 850 mg tablets",
            Kind::Medication,
            27.3,
        ),
        p(
            5006,
            "MED-SBX-006",
            "Omeprazole 20 mg capsules",
            Kind::Medication,
            19.9,
        ),
        p(6001, "LAB-SBX-001", "Complete blood count", Kind::Lab, 95.0),
        p(6002, "IMG-SBX-001", "Chest X-ray", Kind::Imaging, 250.0),
        p(
            6003,
            "PROC-SBX-001",
            "General medical consultation",
            Kind::Procedure,
            300.0,
        ),
    ]
}

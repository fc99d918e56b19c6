//! The kinds of thing the sandbox stores, each with its rendering in the
//! field names of `openapi.json`.

use serde_json::{Value, json};
use tokio::time::Instant;

/// How a sponsor answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Sync,
    Async,
}

#[derive(Debug, Clone)]
pub(crate) struct Sponsor {
    pub slug: &'static str,
    pub name: &'static str,
    pub country_code: &'static str,
    pub currency: &'static str,
    pub decision: Decision,
    pub otp_required: bool,
    /// Indication `file_type`s a pre-authorization request needs before it
    /// can be completed.
    pub required_documents: &'static [&'static str],
}

impl Sponsor {
    pub(crate) fn json(&self) -> Value {
        json!({ "sponsor_slug": self.slug, "name": self.name, "country_code": self.country_code })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Beneficiary {
    pub id: i64,
    pub sponsor_slug: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub document_type: &'static str,
    pub document_number: &'static str,
    pub member_code: &'static str,
    pub active: bool,
    pub holder_id: Option<i64>,
    pub phone: &'static str,
    pub date_of_birth: &'static str,
    pub plan_code: &'static str,
    pub balance: f64,
}

impl Beneficiary {
    pub(crate) fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// `BeneficiaryResource`, plus the guide's `coverage` object.
    pub(crate) fn json(&self, effective_until: &str) -> Value {
        json!({
            "id": self.id,
            "name": self.name(),
            "identity_document_type": self.document_type,
            "identity_document_id": self.document_number,
            "member_code": self.member_code,
            "sponsor_slug": self.sponsor_slug,
            "status": if self.active { "ENABLED" } else { "DISABLED" },
            "minimum_benefit_required_by_sponsor": 0.0,
            "general_balance": {
                "maximum_benefit": if self.active { 10_000.0 } else { 0.0 },
                "maximum_benefit_available": self.balance,
                "deductible_accrued_amount": 0.0,
                "out_of_pocket_accrued_amount": 0.0,
                "currency_code": {
                    "currency_code": "GTQ",
                    "symbol": "Q",
                    "display_name": "Guatemalan quetzal",
                    "default_fraction_digits": 2,
                    "numeric_code": 320,
                    "numeric_code_as_string": "320",
                },
            },
            "first_name": self.first_name,
            "last_name": self.last_name,
            "coverage": {
                "active": self.active,
                "plan_code": self.plan_code,
                "effective_until": effective_until,
            },
        })
    }

    /// `BeneficiaryLookupResult`.
    pub(crate) fn lookup_result(&self) -> osigu::types::BeneficiaryLookupResult {
        let mut found = osigu::types::BeneficiaryLookupResult::default();
        found.id = Some(self.id);
        found.name = Some(self.name());
        found.identity_document_type = Some(self.document_type.to_owned());
        found.identity_document_id = Some(self.document_number.to_owned());
        found.date_of_birth = Some(self.date_of_birth.to_owned());
        found.sponsor_slug = Some(self.sponsor_slug.to_owned());
        found.kinship = Some(
            if self.holder_id.is_some() {
                "DEPENDENT"
            } else {
                "HOLDER"
            }
            .to_owned(),
        );
        found.status = Some(if self.active { "ENABLED" } else { "DISABLED" }.into());
        found
    }

    pub(crate) fn summary_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name(),
            "identity_document_type": self.document_type,
            "identity_document_id": self.document_number,
            "policy_number": self.member_code,
            "policy_holder_name": self.name(),
            "date_of_birth": format!("{}T00:00:00Z", self.date_of_birth),
        })
    }

    pub(crate) fn masked_phone(&self) -> String {
        let digits: Vec<char> = self.phone.chars().collect();
        let keep = digits.len().saturating_sub(2);
        digits
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i >= 5 && i < keep && c.is_ascii_digit() {
                    '*'
                } else {
                    *c
                }
            })
            .collect()
    }
}

/// What kind of thing a catalogue product is, in the guides' vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Medication,
    Lab,
    Imaging,
    Procedure,
}

impl Kind {
    pub(crate) fn guide_name(self) -> &'static str {
        match self {
            Kind::Medication => "MEDICATION",
            Kind::Lab => "LAB",
            Kind::Imaging => "IMAGING",
            Kind::Procedure => "PROCEDURE",
        }
    }

    /// The `ProductType` value of the schema pages.
    pub(crate) fn schema_name(self) -> &'static str {
        match self {
            Kind::Medication => "DRUG",
            Kind::Lab => "LABORATORY",
            Kind::Imaging => "DIAGNOSTIC_TEST",
            Kind::Procedure => "MEDICAL_PROCEDURE",
        }
    }

    pub(crate) fn coverage(self) -> &'static str {
        match self {
            Kind::Medication => "PRESCRIPTION_DRUGS",
            Kind::Lab | Kind::Imaging => "DIAGNOSTIC_TESTS",
            Kind::Procedure => "MEDICAL_PROCEDURES",
        }
    }

    /// Whether a `product_type` filter value (either vocabulary) names
    /// this kind.
    pub(crate) fn matches(self, filter: &str) -> bool {
        let filter = filter.to_ascii_uppercase();
        filter == self.guide_name() || filter == self.schema_name()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct CatalogProduct {
    pub product_id: i64,
    pub code: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    pub unit_price: f64,
}

impl CatalogProduct {
    pub(crate) fn entry_json(&self) -> Value {
        json!({ "product_code": self.code, "product_name": self.name, "product_type": self.kind.guide_name() })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    pub client_id: String,
    pub expires_at: Instant,
}

#[derive(Debug, Clone)]
pub(crate) struct Otp {
    pub beneficiary_id: i64,
    pub sponsor_slug: String,
    pub expires_at: Instant,
    pub attempts: u32,
    pub used: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct OtpToken {
    pub beneficiary_id: i64,
    pub sponsor_slug: String,
    pub expires_at: Instant,
    pub used: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Doctor {
    pub name: String,
    pub license: String,
    pub country_code: String,
    pub specialty: String,
}

impl Doctor {
    pub(crate) fn seed() -> Self {
        Self {
            name: "Dra. Laura Méndez".to_owned(),
            license: crate::SEED_DOCTOR_LICENSE.to_owned(),
            country_code: "GT".to_owned(),
            specialty: "Medicina general".to_owned(),
        }
    }

    /// The request's doctor fields, falling back to the seeded doctor for
    /// any that are missing.
    pub(crate) fn from_parts(
        name: Option<String>,
        license: Option<String>,
        country_code: Option<String>,
        specialty: Option<String>,
    ) -> Self {
        let seed = Self::seed();
        Self {
            name: name.unwrap_or(seed.name),
            license: license.unwrap_or(seed.license),
            country_code: country_code.unwrap_or(seed.country_code),
            specialty: specialty.unwrap_or(seed.specialty),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Diagnosis {
    pub id: i64,
    pub code: String,
    pub coding_system: String,
}

impl Diagnosis {
    pub(crate) fn json(&self) -> Value {
        json!({ "id": self.id, "code": self.code, "coding_system": self.coding_system, "status": "APPROVED" })
    }
}

/// A product line of a pre-authorization request or an authorization.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub id: i64,
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub kind: Kind,
    pub quantity: i32,
    pub authorized_quantity: i32,
    pub claimed_quantity: i32,
    pub unit_price: f64,
}

impl Line {
    pub(crate) fn json(&self, status: &str) -> Value {
        json!({
            "id": self.id,
            "product_id": self.product_id,
            "product_name": self.name,
            "product_type_slug": self.kind.guide_name(),
            "quantity": self.quantity,
            "authorized_quantity": self.authorized_quantity,
            "claimed_quantity": self.claimed_quantity,
            "status": status,
            "recurrent_treatment": false,
            "treatment_duration_days": 30,
            "provider_products": [{
                "provider_product_code": self.code,
                "provider_slug": "sandbox-provider",
                "unit_price": self.unit_price,
            }],
            "product_code": self.code,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Indication {
    pub id: String,
    pub file_name: String,
    pub file_type: String,
    pub created_at: String,
}

impl Indication {
    pub(crate) fn json(&self) -> Value {
        json!({ "id": self.id, "file_name": self.file_name, "file_type": self.file_type, "created_at": self.created_at })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestStatus {
    Open,
    PendingSponsor,
    Completed,
}

impl RequestStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "OPEN",
            RequestStatus::PendingSponsor => "PENDING_SPONSOR",
            RequestStatus::Completed => "COMPLETED",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct AuthRequest {
    pub id: i64,
    pub sponsor_slug: String,
    pub beneficiary_id: i64,
    pub doctor: Doctor,
    pub diagnoses: Vec<Diagnosis>,
    pub lines: Vec<Line>,
    pub indications: Vec<Indication>,
    pub status: RequestStatus,
    pub authorization_ids: Vec<i64>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Authorization {
    pub id: i64,
    pub code: Option<String>,
    pub request_id: Option<i64>,
    pub sponsor_slug: String,
    pub beneficiary_id: i64,
    pub doctor: Doctor,
    pub status: String,
    pub kind: Kind,
    pub lines: Vec<Line>,
    pub payment_type: String,
    pub sponsor_authorization_code: Option<String>,
    pub documents_ok: bool,
    pub provider_slugs: Vec<String>,
    pub activation_at: String,
    pub expiration_at: String,
    pub created_at: String,
    pub updated_at: String,
}

impl Authorization {
    /// CLAIMED once every line is claimed in full, PARTIALLY_CLAIMED before.
    pub(crate) fn mark_claimed(&mut self) {
        let fully = self
            .lines
            .iter()
            .all(|l| l.claimed_quantity >= l.authorized_quantity);
        self.status = if fully {
            "CLAIMED"
        } else {
            "PARTIALLY_CLAIMED"
        }
        .to_owned();
    }

    /// `AuthorizationResource`.
    pub(crate) fn json(&self) -> Value {
        let line_status = match self.status.as_str() {
            "APPROVED" | "CLAIMED" | "PARTIALLY_CLAIMED" => "APPROVED",
            "SENT_TO_SPONSOR" => "PENDING",
            other => other,
        };
        json!({
            "id": self.id,
            "code": self.code,
            "status": self.status,
            "beneficiary_id": self.beneficiary_id,
            "sponsor_slug": self.sponsor_slug,
            "sponsor_authorization_code": self.sponsor_authorization_code,
            "product_type": self.kind.schema_name(),
            "coverage_type": self.kind.coverage(),
            "doctor_name": self.doctor.name,
            "doctor_medical_license_number": self.doctor.license,
            "doctor_country_code": self.doctor.country_code,
            "doctor_specialty_name": self.doctor.specialty,
            "products": self.lines.iter().map(|l| l.json(line_status)).collect::<Vec<_>>(),
            "non_associated_products": [],
            "manual_review_required": false,
            "manually_approved": false,
            "satisfies_documents_policy": self.documents_ok,
            "activation_at": self.activation_at,
            "expiration_at": self.expiration_at,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "payment_type": self.payment_type,
            "provider_slugs": self.provider_slugs,
            "authorization_request_id": self.request_id,
        })
    }

    /// `ProviderAuthorizationAbridgedResource`.
    pub(crate) fn abridged_json(&self, beneficiary: Option<&Beneficiary>) -> Value {
        json!({
            "id": self.id,
            "code": self.code,
            "status": self.status,
            "beneficiary_id": self.beneficiary_id,
            "beneficiary": beneficiary.map(Beneficiary::summary_json),
            "sponsor_slug": self.sponsor_slug,
            "product_type": self.kind.schema_name(),
            "coverage_type": self.kind.coverage(),
            "doctor_medical_license_number": self.doctor.license,
        })
    }

    pub(crate) fn event_json(&self) -> Value {
        json!({
            "authorization_id": self.id.to_string(),
            "authorization_code": self.code,
            "authorization_request_id": self.request_id.map(|id| id.to_string()),
            "beneficiary_id": self.beneficiary_id.to_string(),
            "sponsor_slug": self.sponsor_slug,
            "product_type": self.kind.guide_name(),
            "status": self.status,
            "products": self.lines.iter().map(|l| json!({
                "product_code": l.code, "quantity": l.authorized_quantity,
            })).collect::<Vec<_>>(),
            "expires_at": self.expiration_at,
            "sponsor_reference": self.sponsor_authorization_code,
        })
    }
}

/// A line of a provider claim.
#[derive(Debug, Clone)]
pub(crate) struct ClaimLine {
    pub id: i64,
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub kind: Kind,
    pub quantity: i32,
    pub unit_price: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Claim {
    pub id: i64,
    pub authorization_id: Option<i64>,
    pub authorization_code: Option<String>,
    pub beneficiary_id: i64,
    pub sponsor_slug: String,
    pub doctor: Doctor,
    pub status: String,
    pub lines: Vec<ClaimLine>,
    pub currency: String,
    pub document_number: Option<String>,
    pub document_date: Option<String>,
    pub document_serial: Option<String>,
    pub files: Vec<Indication>,
    pub settled: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl Claim {
    pub(crate) fn amount(&self) -> f64 {
        let cents: f64 = self
            .lines
            .iter()
            .map(|l| l.unit_price * f64::from(l.quantity))
            .sum();
        (cents * 100.0).round() / 100.0
    }

    /// `ProviderClaimResource`.
    pub(crate) fn json(&self) -> Value {
        let amount = self.amount();
        json!({
            "id": self.id,
            "status": self.status,
            "authorization_code": self.authorization_code,
            "beneficiary_id": self.beneficiary_id,
            "sponsor_slug": self.sponsor_slug,
            "currency": self.currency,
            "claimed_amount": amount,
            "maximum_total_amount": amount,
            "minimum_total_amount": 0.0,
            "copayment_amount": 0.0,
            "coinsurance_amount": 0.0,
            "deductible_amount": 0.0,
            "document_number": self.document_number,
            "document_date": self.document_date,
            "document_serial": self.document_serial,
            "provider_branch_name": "Sandbox Clinic",
            "sponsor_transaction_id": format!("SPX-{}", self.id),
            "products": self.lines.iter().map(|l| json!({
                "id": l.id,
                "product_id": l.product_id,
                "product_name": l.name,
                "product_type_slug": l.kind.guide_name(),
                "quantity": l.quantity,
                "claimed_quantity": l.quantity,
                "status": "CLAIMED",
                "product_code": l.code,
                "unit_price": l.unit_price,
            })).collect::<Vec<_>>(),
            "authorization_files": self.files.iter().map(file_json).collect::<Vec<_>>(),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

/// `ClaimAuthorizationFileResource`.
pub(crate) fn file_json(file: &Indication) -> Value {
    json!({
        "id": file.id,
        "file_name": file.file_name,
        "file_type": file.file_type,
        "file_path": format!("/files/{}/{}", file.id, file.file_name),
        "created_at": file.created_at,
    })
}

#[derive(Debug, Clone)]
pub(crate) struct Monitor {
    pub id: String,
    pub claim_id: i64,
    /// 0 PENDING, 1 IN_PROGRESS, 2 COMPLETED.
    pub step: u8,
    pub ready_at: Instant,
    pub created_at: String,
    pub updated_at: String,
}

impl Monitor {
    pub(crate) fn status(&self) -> &'static str {
        match self.step {
            0 => "PENDING",
            1 => "IN_PROGRESS",
            _ => "COMPLETED",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ProcedureClaim {
    pub id: i64,
    pub sponsor_slug: String,
    pub beneficiary_id: i64,
    pub authorization_code: Option<String>,
    pub products: Vec<Value>,
    pub status: &'static str,
    pub amount: f64,
    pub additional_notes: Option<String>,
}

impl ProcedureClaim {
    /// `MedicalProcedureClaimResource`.
    pub(crate) fn json(&self) -> Value {
        json!({
            "claim_id": self.id,
            "status": self.status,
            "amount": self.amount,
            "copayment": 0.0,
            "coinsurance": 0.0,
            "products": self.products,
            "additional_notes": self.additional_notes,
            "sponsor_transaction_id": format!("SPX-MP-{}", self.id),
            "sponsor_slug": self.sponsor_slug,
            "beneficiary_id": self.beneficiary_id,
            "authorization_code": self.authorization_code,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DispStatus {
    Started,
    PendingVerification,
    Dispensed,
    Voided,
}

impl DispStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DispStatus::Started => "STARTED",
            DispStatus::PendingVerification => "PENDING_VERIFICATION",
            DispStatus::Dispensed => "DISPENSED",
            DispStatus::Voided => "VOIDED",
        }
    }
}

/// What a dispensation redeems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Redeems {
    Authorization(i64),
    Prescription(i64),
}

#[derive(Debug, Clone)]
pub(crate) struct DispProduct {
    pub code: String,
    pub quantity: i32,
    pub unit_price: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Dispensation {
    pub id: String,
    pub redeems: Redeems,
    pub code: String,
    pub beneficiary_id: Option<i64>,
    pub sponsor_slug: Option<String>,
    pub products: Vec<DispProduct>,
    pub status: DispStatus,
    pub otp_required: bool,
    pub verified: bool,
    pub claim_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl Dispensation {
    pub(crate) fn verification_required(&self) -> Value {
        if self.otp_required && !self.verified {
            json!("OTP")
        } else {
            Value::Null
        }
    }

    /// `DispensationResource`.
    pub(crate) fn json(&self) -> Value {
        json!({
            "dispensation_id": self.id,
            "status": self.status.as_str(),
            "code_type": match self.redeems {
                Redeems::Authorization(_) => "AUTHORIZATION",
                Redeems::Prescription(_) => "PRESCRIPTION",
            },
            "code": self.code,
            "products": self.products.iter().map(|p| json!({
                "product_code": p.code, "quantity": p.quantity, "unit_price": p.unit_price,
            })).collect::<Vec<_>>(),
            "verification_required": self.verification_required(),
            "beneficiary_id": self.beneficiary_id,
            "sponsor_slug": self.sponsor_slug,
            "claim_id": self.claim_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Patient {
    pub patient_id: String,
    pub first_name: String,
    pub last_name: String,
    pub document_type: String,
    pub document_number: String,
    pub date_of_birth: Option<String>,
}

impl Patient {
    /// The `patient` object of a `PrescriptionResource`.
    pub(crate) fn prescription_json(&self) -> Value {
        json!({
            "code": self.patient_id,
            "full_name": format!("{} {}", self.first_name, self.last_name),
            "given_names": self.first_name,
            "surnames": self.last_name,
            "identity_document_type": self.document_type,
            "identity_document_code": self.document_number,
            "date_of_birth": self.date_of_birth,
            "enabled": true,
            "manually_created": false,
        })
    }

    /// `PatientResource`.
    pub(crate) fn json(&self) -> Value {
        json!({
            "patient_id": self.patient_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "document_type": self.document_type,
            "document_number": self.document_number,
            "date_of_birth": self.date_of_birth,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RxLine {
    pub id: i64,
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub quantity: i32,
    pub posology: Option<String>,
    pub duration_days: Option<i32>,
}

#[derive(Debug, Clone)]
pub(crate) struct Prescription {
    pub id: i64,
    pub code: String,
    pub version: &'static str,
    pub patient_id: Option<String>,
    pub patient: Value,
    pub doctor: Value,
    pub diagnoses: Vec<Diagnosis>,
    pub lines: Vec<RxLine>,
    pub status: &'static str,
    pub created_at: String,
    pub resent: Vec<String>,
}

impl Prescription {
    /// `PrescriptionResource`.
    pub(crate) fn json(&self, base_url: &str) -> Value {
        json!({
            "id": self.id,
            "code": self.code,
            "status": self.status,
            "confidential": false,
            "patient": self.patient,
            "doctor": self.doctor,
            "diagnoses": self.diagnoses.iter().map(Diagnosis::json).collect::<Vec<_>>(),
            "products": self.lines.iter().map(|l| json!({
                "id": l.id,
                "product_id": l.product_id,
                "product_name": l.name,
                "product_type_slug": "MEDICATION",
                "quantity": l.quantity,
                "authorized_quantity": l.quantity,
                "status": if self.status == "DISPENSED" { "DISPENSED" } else { "DISPENSABLE" },
                "treatment_duration_days": l.duration_days,
                "product_code": l.code,
                "posology": l.posology,
            })).collect::<Vec<_>>(),
            "treatments": [],
            "simplified_treatments": [],
            "download_url": format!("{base_url}/ehr/v1/prescriptions/{}/pdf", self.id),
            "created_at": self.created_at,
            "version": self.version,
            "patient_id": self.patient_id,
        })
    }

    /// `CreatePrescriptionResponse`.
    pub(crate) fn created_json(&self) -> Value {
        json!({
            "prescription_id": self.id.to_string(),
            "prescription_code": self.code,
            "status": self.status,
            "created_at": self.created_at,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct SettlementDoc {
    pub id: String,
    pub document_type: String,
    pub file_name: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Settlement {
    pub id: String,
    pub sponsor_slug: String,
    pub period: Option<String>,
    pub status: &'static str,
    pub authorization_ids: Vec<String>,
    pub documents: Vec<SettlementDoc>,
    pub created_at: String,
}

impl Settlement {
    /// `SettlementBatchResource`.
    pub(crate) fn json(&self) -> Value {
        json!({
            "settlement_id": self.id,
            "sponsor_slug": self.sponsor_slug,
            "status": self.status,
            "created_at": self.created_at,
            "period": self.period,
            "authorization_ids": self.authorization_ids,
            "documents": self.documents.iter().map(|d| json!({
                "id": d.id, "document_type": d.document_type, "file_name": d.file_name, "created_at": d.created_at,
            })).collect::<Vec<_>>(),
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Subscription {
    pub id: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub secret: String,
    pub created_at: String,
}

impl Subscription {
    pub(crate) fn matches(&self, event_type: &str) -> bool {
        self.event_types.iter().any(|pattern| {
            pattern == "*"
                || pattern == event_type
                || pattern
                    .strip_suffix('*')
                    .is_some_and(|prefix| event_type.starts_with(prefix))
        })
    }
}

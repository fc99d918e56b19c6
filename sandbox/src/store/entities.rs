//! The kinds of thing the sandbox stores, each rendered as the generated
//! type `openapi.json` gives it.

use chrono::NaiveDate;
use osigu::types;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::clock::Time;

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
    pub(crate) fn resource(&self) -> types::SponsorResource {
        let mut r = types::SponsorResource::default();
        r.sponsor_slug = Some(self.slug.to_owned());
        r.name = Some(self.name.to_owned());
        r.country_code = Some(self.country_code.to_owned());
        r
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

/// `BeneficiaryResource` with the guides' `coverage` object beside it.
#[derive(Debug, Serialize)]
pub(crate) struct CoveredBeneficiary {
    #[serde(flatten)]
    resource: types::BeneficiaryResource,
    coverage: Coverage,
}

#[derive(Debug, Serialize)]
struct Coverage {
    active: bool,
    plan_code: &'static str,
    effective_until: NaiveDate,
}

impl Beneficiary {
    pub(crate) fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    fn status(&self) -> &'static str {
        if self.active { "ENABLED" } else { "DISABLED" }
    }

    /// `BeneficiaryResource`, plus the guides' `coverage` object.
    pub(crate) fn resource(&self, effective_until: NaiveDate) -> CoveredBeneficiary {
        let mut currency = types::BeneficiaryResourceGeneralBalanceCurrencyCode::default();
        currency.currency_code = Some("GTQ".to_owned());
        currency.symbol = Some("Q".to_owned());
        currency.display_name = Some("Guatemalan quetzal".to_owned());
        currency.default_fraction_digits = Some(2);
        currency.numeric_code = Some(320);
        currency.numeric_code_as_string = Some("320".to_owned());
        let mut balance = types::BeneficiaryResourceGeneralBalance::default();
        balance.maximum_benefit = Some(if self.active { 10_000.0 } else { 0.0 });
        balance.maximum_benefit_available = Some(self.balance);
        balance.deductible_accrued_amount = Some(0.0);
        balance.out_of_pocket_accrued_amount = Some(0.0);
        balance.currency_code = Some(currency);
        let mut r = types::BeneficiaryResource::default();
        r.id = Some(self.id);
        r.name = Some(self.name());
        r.identity_document_type = Some(self.document_type.to_owned());
        r.identity_document_id = Some(self.document_number.to_owned());
        r.member_code = Some(self.member_code.to_owned());
        r.sponsor_slug = Some(self.sponsor_slug.to_owned());
        r.status = Some(self.status().into());
        r.minimum_benefit_required_by_sponsor = Some(0.0);
        r.general_balance = Some(balance);
        CoveredBeneficiary {
            resource: r,
            coverage: Coverage {
                active: self.active,
                plan_code: self.plan_code,
                effective_until,
            },
        }
    }

    /// `BeneficiaryLookupResult`.
    pub(crate) fn lookup_result(&self) -> types::BeneficiaryLookupResult {
        let mut r = types::BeneficiaryLookupResult::default();
        r.id = Some(self.id);
        r.name = Some(self.name());
        r.identity_document_type = Some(self.document_type.to_owned());
        r.identity_document_id = Some(self.document_number.to_owned());
        r.date_of_birth = Some(self.date_of_birth.to_owned());
        r.sponsor_slug = Some(self.sponsor_slug.to_owned());
        let kinship = if self.holder_id.is_some() {
            "DEPENDENT"
        } else {
            "HOLDER"
        };
        r.kinship = Some(kinship.to_owned());
        r.status = Some(self.status().into());
        r
    }

    /// `BeneficiarySummary`.
    pub(crate) fn summary(&self) -> types::BeneficiarySummary {
        let mut r = types::BeneficiarySummary::default();
        r.id = Some(self.id);
        r.name = Some(self.name());
        r.identity_document_type = Some(self.document_type.to_owned());
        r.identity_document_id = Some(self.document_number.to_owned());
        r.policy_number = Some(self.member_code.to_owned());
        r.policy_holder_name = Some(self.name());
        r.date_of_birth = NaiveDate::parse_from_str(self.date_of_birth, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc());
        r
    }

    /// The phone number with its middle digits masked.
    pub(crate) fn masked_phone(&self) -> String {
        let keep = self.phone.chars().count().saturating_sub(2);
        self.phone
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i >= 5 && i < keep && c.is_ascii_digit() {
                    '*'
                } else {
                    c
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
    /// `CatalogProductEntry`.
    pub(crate) fn entry(&self) -> types::CatalogProductEntry {
        let mut r = types::CatalogProductEntry::default();
        r.product_code = Some(self.code.to_owned());
        r.product_name = Some(self.name.to_owned());
        r
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
    /// `DiagnosisResource`.
    pub(crate) fn resource(&self) -> types::DiagnosisResource {
        let mut r = types::DiagnosisResource::default();
        r.id = Some(self.id);
        r.code = Some(self.code.clone());
        r.coding_system = Some(self.coding_system.clone());
        r.status = Some(types::ProductDecisionStatus::Approved);
        r
    }
}

/// A product line of a pre-authorization request, an authorization, a
/// claim or a prescription.
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
    pub duration_days: Option<i32>,
}

impl Line {
    /// `ProductResource`.
    pub(crate) fn resource(&self, status: &str) -> types::ProductResource {
        let mut provider = types::ProductResourceProviderProductsItem::default();
        provider.provider_product_code = Some(self.code.clone());
        provider.provider_slug = Some("sandbox-provider".to_owned());
        let mut r = types::ProductResource::default();
        r.id = Some(self.id);
        r.product_id = Some(self.product_id);
        r.product_name = Some(self.name.clone());
        r.product_type_slug = Some(self.kind.guide_name().to_owned());
        r.quantity = Some(self.quantity);
        r.authorized_quantity = Some(self.authorized_quantity);
        r.claimed_quantity = Some(self.claimed_quantity);
        r.status = Some(status.into());
        r.recurrent_treatment = Some(false);
        r.treatment_duration_days = Some(self.duration_days.unwrap_or(30));
        r.provider_products = vec![provider];
        r
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Indication {
    pub id: String,
    pub file_name: String,
    pub file_type: String,
    pub created_at: Time,
}

impl Indication {
    /// `IndicationResource`.
    pub(crate) fn resource(&self) -> types::IndicationResource {
        let mut r = types::IndicationResource::default();
        r.id = Some(self.id.clone());
        r.file_name = Some(self.file_name.clone());
        r.file_type = Some(self.file_type.clone());
        r.created_at = Some(self.created_at);
        r
    }

    /// `ClaimAuthorizationFileResource`.
    pub(crate) fn claim_file(&self) -> types::ClaimAuthorizationFileResource {
        let mut r = types::ClaimAuthorizationFileResource::default();
        r.id = Some(self.id.clone());
        r.file_name = Some(self.file_name.clone());
        r.file_type = Some(self.file_type.clone());
        r.file_path = Some(format!("files/{}/{}", self.id, self.file_name));
        r.created_at = Some(self.created_at);
        r
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
    pub created_at: Time,
    pub updated_at: Time,
}

/// `AuthorizationRequestResource` with the request's `status`, `products`
/// and `indications` beside it (the guides' fields).
#[derive(Debug, Serialize)]
pub(crate) struct RequestView {
    #[serde(flatten)]
    resource: types::AuthorizationRequestResource,
    status: &'static str,
    products: Vec<types::ProductResource>,
    indications: Vec<types::IndicationResource>,
}

impl AuthRequest {
    /// The request with the authorizations it led to.
    pub(crate) fn view(&self, authorizations: Vec<types::AuthorizationResource>) -> RequestView {
        let mut r = types::AuthorizationRequestResource::default();
        r.id = Some(self.id);
        r.beneficiary_id = Some(self.beneficiary_id);
        r.sponsor_slug = Some(self.sponsor_slug.clone());
        r.doctor_name = Some(self.doctor.name.clone());
        r.doctor_medical_license_number = Some(self.doctor.license.clone());
        r.doctor_country_code = Some(self.doctor.country_code.clone());
        r.doctor_specialty_name = Some(self.doctor.specialty.clone());
        r.diagnoses = self.diagnoses.iter().map(Diagnosis::resource).collect();
        r.authorizations = authorizations;
        r.created_by = Some("sandbox-client".to_owned());
        r.updated_by = Some("sandbox-client".to_owned());
        r.created_at = Some(self.created_at);
        r.updated_at = Some(self.updated_at);
        RequestView {
            resource: r,
            status: self.status.as_str(),
            products: self.lines.iter().map(|l| l.resource("REQUESTED")).collect(),
            indications: self.indications.iter().map(Indication::resource).collect(),
        }
    }
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
    pub activation_at: Time,
    pub expiration_at: Time,
    pub created_at: Time,
    pub updated_at: Time,
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
    pub(crate) fn resource(&self) -> types::AuthorizationResource {
        let line_status = match self.status.as_str() {
            "APPROVED" | "CLAIMED" | "PARTIALLY_CLAIMED" => "APPROVED",
            "SENT_TO_SPONSOR" => "PENDING_REVIEW",
            other => other,
        };
        let mut r = types::AuthorizationResource::default();
        r.id = Some(self.id);
        r.code = self.code.clone();
        r.status = Some(self.status.as_str().into());
        r.beneficiary_id = Some(self.beneficiary_id);
        r.sponsor_slug = Some(self.sponsor_slug.clone());
        r.sponsor_authorization_code = self.sponsor_authorization_code.clone();
        r.product_type = Some(self.kind.schema_name().into());
        r.coverage_type = Some(self.kind.coverage().into());
        r.doctor_name = Some(self.doctor.name.clone());
        r.doctor_medical_license_number = Some(self.doctor.license.clone());
        r.doctor_country_code = Some(self.doctor.country_code.clone());
        r.doctor_specialty_name = Some(self.doctor.specialty.clone());
        r.products = self.lines.iter().map(|l| l.resource(line_status)).collect();
        r.manual_review_required = Some(false);
        r.manually_approved = Some(false);
        r.satisfies_documents_policy = Some(self.documents_ok);
        r.activation_at = Some(self.activation_at);
        r.expiration_at = Some(self.expiration_at);
        r.created_at = Some(self.created_at);
        r.updated_at = Some(self.updated_at);
        r
    }

    /// `ProviderAuthorizationAbridgedResource`.
    pub(crate) fn abridged(
        &self,
        beneficiary: Option<&Beneficiary>,
    ) -> types::ProviderAuthorizationAbridgedResource {
        let mut r = types::ProviderAuthorizationAbridgedResource::default();
        r.code = self.code.clone();
        r.status = Some(self.status.as_str().into());
        r.beneficiary_id = Some(self.beneficiary_id);
        r.beneficiary = beneficiary.map(Beneficiary::summary);
        r.sponsor_slug = Some(self.sponsor_slug.clone());
        r.product_type = Some(self.kind.schema_name().into());
        r.coverage_type = Some(self.kind.coverage().into());
        r.doctor_medical_license_number = Some(self.doctor.license.clone());
        r
    }

    /// The `data` of an `authorization.*` webhook event.
    pub(crate) fn event_data(&self) -> Value {
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

#[derive(Debug, Clone)]
pub(crate) struct Claim {
    pub id: i64,
    pub authorization_id: Option<i64>,
    pub authorization_code: Option<String>,
    pub beneficiary_id: i64,
    pub sponsor_slug: String,
    pub doctor: Doctor,
    pub status: String,
    pub lines: Vec<Line>,
    pub currency: String,
    pub document_number: Option<String>,
    pub document_date: Option<Time>,
    pub document_serial: Option<String>,
    pub files: Vec<Indication>,
    pub settled: bool,
    pub updated_at: Time,
}

impl Claim {
    pub(crate) fn amount(&self) -> f64 {
        let total: f64 = self
            .lines
            .iter()
            .map(|l| l.unit_price * f64::from(l.quantity))
            .sum();
        (total * 100.0).round() / 100.0
    }

    /// `ProviderClaimResource`.
    pub(crate) fn resource(&self) -> types::ProviderClaimResource {
        let amount = self.amount();
        let mut r = types::ProviderClaimResource::default();
        r.id = Some(self.id);
        r.status = Some(self.status.clone());
        r.authorization_code = self.authorization_code.clone();
        r.beneficiary_id = Some(self.beneficiary_id);
        r.sponsor_slug = Some(self.sponsor_slug.clone());
        r.currency = Some(self.currency.clone());
        r.claimed_amount = Some(amount);
        r.maximum_total_amount = Some(amount);
        r.minimum_total_amount = Some(0.0);
        r.copayment_amount = Some(0.0);
        r.coinsurance_amount = Some(0.0);
        r.deductible_amount = Some(0.0);
        r.document_number = self.document_number.clone();
        r.document_date = self.document_date;
        r.document_serial = self.document_serial.clone();
        r.provider_branch_name = Some("Sandbox Clinic".to_owned());
        r.sponsor_transaction_id = Some(format!("SPX-{}", self.id));
        r.products = self.lines.iter().map(|l| l.resource("CLAIMED")).collect();
        r
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Monitor {
    pub id: uuid::Uuid,
    pub claim_id: i64,
    /// 0 PENDING, 1 IN_PROGRESS, 2 COMPLETED.
    pub step: u8,
    pub ready_at: Instant,
}

impl Monitor {
    pub(crate) fn status(&self) -> types::MonitorStatus {
        match self.step {
            0 => types::MonitorStatus::Pending,
            1 => types::MonitorStatus::InProgress,
            _ => types::MonitorStatus::Completed,
        }
    }

    /// `OutpatientCareClaimMonitorResponse`; a completed monitor carries
    /// the claim's amounts.
    pub(crate) fn resource(
        &self,
        location: String,
        claim: Option<&Claim>,
    ) -> types::OutpatientCareClaimMonitorResponse {
        let mut monitor = types::OutpatientCareClaimMonitorResponseMonitorResource::default();
        monitor.id = Some(self.id);
        monitor.status = Some(self.status());
        monitor.location = Some(location);
        let mut r = types::OutpatientCareClaimMonitorResponse::default();
        r.monitor_resource = Some(monitor);
        if self.step >= 2
            && let Some(claim) = claim
        {
            let mut done =
                types::OutpatientCareClaimMonitorResponseOutpatientCareClaimResource::default();
            done.claim_id = Some(claim.id);
            done.amount = Some(claim.amount());
            done.copayment = Some(0.0);
            done.coinsurance = Some(0.0);
            done.sponsor_transaction_id = Some(format!("SPX-{}", claim.id));
            r.outpatient_care_claim_resource = Some(done);
        }
        r
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ProcedureClaim {
    pub id: i64,
    pub products: Vec<types::Product>,
    pub status: &'static str,
    pub amount: f64,
    pub additional_notes: Option<String>,
}

impl ProcedureClaim {
    /// `MedicalProcedureClaimResource`.
    pub(crate) fn resource(&self) -> types::MedicalProcedureClaimResource {
        let mut r = types::MedicalProcedureClaimResource::default();
        r.claim_id = Some(self.id);
        r.status = Some(self.status.into());
        r.amount = Some(self.amount);
        r.copayment = Some(0.0);
        r.coinsurance = Some(0.0);
        r.products = self.products.clone();
        r.additional_notes = self.additional_notes.clone();
        r.sponsor_transaction_id = Some(format!("SPX-MP-{}", self.id));
        r
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

    /// Started and not yet verified, dispensed or voided.
    pub(crate) fn in_progress(self) -> bool {
        matches!(self, DispStatus::Started | DispStatus::PendingVerification)
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
    pub beneficiary_id: Option<i64>,
    pub sponsor_slug: Option<String>,
    pub products: Vec<DispProduct>,
    pub status: DispStatus,
    pub otp_required: bool,
    pub verified: bool,
    pub claim_id: Option<i64>,
}

/// `DispensationResource` with the claim a completed dispensation filed.
#[derive(Debug, Serialize)]
pub(crate) struct DispensationView {
    #[serde(flatten)]
    resource: types::DispensationResource,
    #[serde(skip_serializing_if = "Option::is_none")]
    claim_id: Option<i64>,
}

impl Dispensation {
    /// Whether an OTP is still owed.
    pub(crate) fn awaits_otp(&self) -> bool {
        self.otp_required && !self.verified
    }

    /// `DispensationResource`, plus `claim_id` once one was filed.
    pub(crate) fn view(&self) -> DispensationView {
        let mut r = types::DispensationResource::default();
        r.dispensation_id = Some(self.id.clone());
        r.id = crate::input::numeric_id(&self.id);
        r.status = Some(self.status.as_str().into());
        r.code_type = Some(match self.redeems {
            Redeems::Authorization(_) => types::DispensationCodeType::Authorization,
            Redeems::Prescription(_) => types::DispensationCodeType::Prescription,
        });
        r.products = self
            .products
            .iter()
            .map(|p| {
                let mut product = types::DispensationProduct::default();
                product.product_code = Some(p.code.clone());
                product.quantity = Some(p.quantity);
                product.unit_price = Some(p.unit_price);
                product
            })
            .collect();
        if matches!(self.redeems, Redeems::Authorization(_)) {
            let total: f64 = self
                .products
                .iter()
                .map(|p| p.unit_price * f64::from(p.quantity))
                .sum();
            r.amount_covered_by_sponsor = Some((total * 100.0).round() / 100.0);
        }
        r.verification_required = self.awaits_otp().then(|| "OTP".into());
        DispensationView {
            resource: r,
            claim_id: self.claim_id,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Patient {
    pub patient_id: String,
    pub first_name: String,
    pub last_name: String,
    pub document_type: String,
    pub document_number: String,
    pub date_of_birth: Option<NaiveDate>,
}

impl Patient {
    /// The `patient` of a `PrescriptionResource`.
    pub(crate) fn prescription_patient(&self) -> types::PrescriptionResourcePatient {
        let mut r = types::PrescriptionResourcePatient::default();
        r.code = Some(self.patient_id.clone());
        r.full_name = Some(format!("{} {}", self.first_name, self.last_name));
        r.given_names = Some(self.first_name.clone());
        r.surnames = Some(self.last_name.clone());
        r.identity_document_type = Some(self.document_type.clone());
        r.identity_document_code = Some(self.document_number.clone());
        r.date_of_birth = self.date_of_birth.map(|d| d.to_string());
        r.enabled = Some(true);
        r.manually_created = Some(false);
        r
    }

    /// `PatientResource`.
    pub(crate) fn resource(&self) -> types::PatientResource {
        let mut r = types::PatientResource::default();
        r.patient_id = Some(self.patient_id.clone());
        r.first_name = Some(self.first_name.clone());
        r.last_name = Some(self.last_name.clone());
        r.document_type = Some(self.document_type.clone());
        r.document_number = Some(self.document_number.clone());
        r.date_of_birth = self.date_of_birth;
        r
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Prescription {
    pub id: i64,
    pub code: String,
    pub patient_id: Option<String>,
    pub patient: types::PrescriptionResourcePatient,
    pub doctor: types::PrescriptionResourceDoctor,
    pub diagnoses: Vec<Diagnosis>,
    pub lines: Vec<Line>,
    pub status: &'static str,
    pub created_at: Time,
    pub resent: Vec<String>,
}

impl Prescription {
    /// `PrescriptionResource`.
    pub(crate) fn resource(&self, download_url: String) -> types::PrescriptionResource {
        let line_status = if self.status == "DISPENSED" {
            "DISPENSED"
        } else {
            "DISPENSABLE"
        };
        let mut r = types::PrescriptionResource::default();
        r.id = Some(self.id);
        r.code = Some(self.code.clone());
        r.status = Some(self.status.to_owned());
        r.confidential = Some(false);
        r.patient = Some(self.patient.clone());
        r.doctor = Some(self.doctor.clone());
        r.diagnoses = self.diagnoses.iter().map(Diagnosis::resource).collect();
        r.products = self.lines.iter().map(|l| l.resource(line_status)).collect();
        r.download_url = Some(download_url);
        r
    }

    /// `CreatePrescriptionResponse`.
    pub(crate) fn created(&self) -> types::CreatePrescriptionResponse {
        let mut r = types::CreatePrescriptionResponse::default();
        r.prescription_id = Some(self.id.to_string());
        r.prescription_code = Some(self.code.clone());
        r.status = Some(self.status.to_owned());
        r.created_at = Some(self.created_at);
        r
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Settlement {
    pub id: String,
    pub sponsor_slug: String,
    pub status: &'static str,
    pub authorization_ids: Vec<i64>,
    pub documents: Vec<String>,
    pub created_at: Time,
}

impl Settlement {
    /// `SettlementBatchResource`.
    pub(crate) fn resource(&self) -> types::SettlementBatchResource {
        let mut r = types::SettlementBatchResource::default();
        r.settlement_id = Some(self.id.clone());
        r.sponsor_slug = Some(self.sponsor_slug.clone());
        r.status = Some(self.status.into());
        r.created_at = Some(self.created_at);
        r
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Subscription {
    pub id: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub secret: String,
    pub created_at: Time,
}

/// `WebhookSubscriptionResource` with the subscription's `id`, signing
/// `secret` and `created_at` (the sandbox's convention).
#[derive(Debug, Serialize)]
pub(crate) struct SubscriptionView {
    #[serde(flatten)]
    resource: types::WebhookSubscriptionResource,
    id: String,
    secret: String,
    created_at: Time,
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

    pub(crate) fn view(&self) -> SubscriptionView {
        let mut r = types::WebhookSubscriptionResource::default();
        r.url = Some(self.url.clone());
        r.event_types = self.event_types.clone();
        SubscriptionView {
            resource: r,
            id: self.id.clone(),
            secret: self.secret.clone(),
            created_at: self.created_at,
        }
    }
}

//! The kinds of thing the sandbox stores, each rendered as the generated
//! type `openapi.json` gives it. None derives `Debug`: they hold names,
//! identity documents and secrets.

use chrono::NaiveDate;
use osigu::types;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::clock::{Clock, Time};
use crate::typed::typed;

/// How a sponsor answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Sync,
    Async,
}

pub(crate) struct Sponsor {
    pub slug: &'static str,
    pub name: &'static str,
    pub country_code: &'static str,
    pub currency: &'static str,
    pub decision: Decision,
    pub otp_required: bool,
    /// Document `file_type`s a pre-authorization request needs before it
    /// can be completed.
    pub required_documents: &'static [&'static str],
}

impl Sponsor {
    pub(crate) fn resource(&self) -> types::SponsorResource {
        typed!(types::SponsorResource; sponsor_slug = self.slug, name = self.name, country_code = self.country_code)
    }
}

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
#[derive(Serialize)]
pub(crate) struct CoveredBeneficiary {
    #[serde(flatten)]
    resource: types::BeneficiaryResource,
    coverage: Coverage,
}

#[derive(Serialize)]
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
        let currency = typed!(types::BeneficiaryResourceGeneralBalanceCurrencyCode;
            currency_code = "GTQ", symbol = "Q", display_name = "Guatemalan quetzal",
            default_fraction_digits = 2, numeric_code = 320, numeric_code_as_string = "320");
        let balance = typed!(types::BeneficiaryResourceGeneralBalance;
            maximum_benefit = if self.active { 10_000.0 } else { 0.0 },
            maximum_benefit_available = self.balance, deductible_accrued_amount = 0.0,
            out_of_pocket_accrued_amount = 0.0, currency_code = currency);
        let resource = typed!(types::BeneficiaryResource;
            id = self.id, name = self.name(), identity_document_type = self.document_type,
            identity_document_id = self.document_number, member_code = self.member_code,
            sponsor_slug = self.sponsor_slug, status = self.status(),
            minimum_benefit_required_by_sponsor = 0.0, general_balance = balance);
        let coverage = Coverage {
            active: self.active,
            plan_code: self.plan_code,
            effective_until,
        };
        CoveredBeneficiary { resource, coverage }
    }

    /// `BeneficiaryLookupResult`.
    pub(crate) fn lookup_result(&self) -> types::BeneficiaryLookupResult {
        let kinship = self.holder_id.map_or("HOLDER", |_| "DEPENDENT");
        typed!(types::BeneficiaryLookupResult;
            id = self.id, name = self.name(), identity_document_type = self.document_type,
            identity_document_id = self.document_number, date_of_birth = self.date_of_birth,
            sponsor_slug = self.sponsor_slug, kinship = kinship, status = self.status())
    }

    /// `BeneficiarySummary`.
    pub(crate) fn summary(&self) -> types::BeneficiarySummary {
        let born = NaiveDate::parse_from_str(self.date_of_birth, "%Y-%m-%d").ok();
        typed!(types::BeneficiarySummary;
            id = self.id, name = self.name(), identity_document_type = self.document_type,
            identity_document_id = self.document_number, policy_number = self.member_code,
            policy_holder_name = self.name();
            date_of_birth = born.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc()))
    }

    /// The phone number with its middle digits masked.
    pub(crate) fn masked_phone(&self) -> String {
        let keep = self.phone.chars().count().saturating_sub(2);
        let mask = |(i, c): (usize, char)| {
            if i >= 5 && i < keep && c.is_ascii_digit() {
                '*'
            } else {
                c
            }
        };
        self.phone.chars().enumerate().map(mask).collect()
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
    /// The guides' name, the schema's `ProductType` and the coverage.
    fn names(self) -> [&'static str; 3] {
        match self {
            Kind::Medication => ["MEDICATION", "DRUG", "PRESCRIPTION_DRUGS"],
            Kind::Lab => ["LAB", "LABORATORY", "DIAGNOSTIC_TESTS"],
            Kind::Imaging => ["IMAGING", "DIAGNOSTIC_TEST", "DIAGNOSTIC_TESTS"],
            Kind::Procedure => ["PROCEDURE", "MEDICAL_PROCEDURE", "MEDICAL_PROCEDURES"],
        }
    }

    pub(crate) fn guide_name(self) -> &'static str {
        self.names()[0]
    }

    /// The `ProductType` value of the schema pages.
    pub(crate) fn schema_name(self) -> &'static str {
        self.names()[1]
    }

    pub(crate) fn coverage(self) -> &'static str {
        self.names()[2]
    }

    /// Whether a `product_type` filter value (either vocabulary) names
    /// this kind.
    pub(crate) fn matches(self, filter: &str) -> bool {
        let filter = filter.to_ascii_uppercase();
        filter == self.guide_name() || filter == self.schema_name()
    }
}

pub(crate) struct CatalogProduct {
    pub product_id: i64,
    pub code: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    pub unit_price: f64,
}

impl CatalogProduct {
    /// Whether its code or name holds `needle` (lowercase); an empty needle
    /// is in every product.
    pub(crate) fn mentions(&self, needle: &str) -> bool {
        let holds = |text: &str| text.to_lowercase().contains(needle);
        needle.is_empty() || holds(self.code) || holds(self.name)
    }

    /// `CatalogProductEntry`.
    pub(crate) fn entry(&self) -> types::CatalogProductEntry {
        typed!(types::CatalogProductEntry; product_code = self.code, product_name = self.name)
    }
}

/// A one-time code sent to a beneficiary, or the verification token a
/// validated code gave: for one beneficiary and sponsor, usable once
/// before it expires.
pub(crate) struct Otp {
    pub beneficiary_id: i64,
    pub sponsor_slug: String,
    pub expires_at: Instant,
    /// Wrong codes tried (for a sent code).
    pub attempts: u32,
    pub used: bool,
}

impl Otp {
    pub(crate) fn new(beneficiary_id: i64, sponsor_slug: String, expires_at: Instant) -> Self {
        Self {
            beneficiary_id,
            sponsor_slug,
            expires_at,
            attempts: 0,
            used: false,
        }
    }
}

#[derive(Clone, Default)]
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

    /// A request's doctor fields, required or optional as its body has
    /// them, falling back to the seeded doctor for any that are missing.
    pub(crate) fn from_parts(
        name: impl Into<Option<String>>,
        license: impl Into<Option<String>>,
        country_code: impl Into<Option<String>>,
        specialty: impl Into<Option<String>>,
    ) -> Self {
        let seed = Self::seed();
        Self {
            name: name.into().unwrap_or(seed.name),
            license: license.into().unwrap_or(seed.license),
            country_code: country_code.into().unwrap_or(seed.country_code),
            specialty: specialty.into().unwrap_or(seed.specialty),
        }
    }
}

/// A product line of a pre-authorization request, an authorization, a
/// claim or a prescription.
#[derive(Clone)]
pub(crate) struct Line {
    pub id: i64,
    pub product: &'static CatalogProduct,
    pub quantity: i32,
    pub authorized_quantity: i32,
    pub claimed_quantity: i32,
    pub unit_price: f64,
    pub duration_days: Option<i32>,
}

impl Line {
    /// What is still unclaimed.
    pub(crate) fn left(&self) -> i32 {
        self.authorized_quantity - self.claimed_quantity
    }

    /// `ProductResource`.
    pub(crate) fn resource(&self, status: &str) -> types::ProductResource {
        let provider = typed!(types::ProductResourceProviderProductsItem;
            provider_product_code = self.product.code, provider_slug = "sandbox-provider");
        let product = self.product;
        typed!(types::ProductResource;
            id = self.id, product_id = product.product_id, product_name = product.name,
            product_type_slug = product.kind.guide_name(), quantity = self.quantity,
            authorized_quantity = self.authorized_quantity, claimed_quantity = self.claimed_quantity,
            status = status, recurrent_treatment = false,
            treatment_duration_days = self.duration_days.unwrap_or(30);
            provider_products = vec![provider])
    }
}

/// A document attached to a pre-authorization request.
pub(crate) type Indication = types::IndicationResource;

/// An indication as a claim lists it (`ClaimAuthorizationFileResource`).
pub(crate) fn claim_file(i: &Indication) -> types::ClaimAuthorizationFileResource {
    let (id, name) = (i.id.clone().unwrap_or_default(), i.file_name.clone());
    typed!(types::ClaimAuthorizationFileResource;
        file_path = format!("files/{id}/{}", name.as_deref().unwrap_or_default()), id = id;
        file_name = name, file_type = i.file_type.clone(), created_at = i.created_at)
}

#[derive(Clone)]
pub(crate) struct AuthRequest {
    pub id: i64,
    pub sponsor_slug: String,
    pub beneficiary_id: i64,
    pub doctor: Doctor,
    pub diagnoses: Vec<types::DiagnosisResource>,
    pub lines: Vec<Line>,
    pub indications: Vec<Indication>,
    /// OPEN, PENDING_SPONSOR (the asynchronous sponsor deciding) or
    /// COMPLETED.
    pub status: &'static str,
    pub created_at: Time,
    pub updated_at: Time,
}

/// `AuthorizationRequestResource` with the request's `status`, `products`
/// and `indications` beside it (the guides' fields).
#[derive(Serialize)]
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
        let d = &self.doctor;
        let resource = typed!(types::AuthorizationRequestResource;
            id = self.id, beneficiary_id = self.beneficiary_id, sponsor_slug = self.sponsor_slug.clone(),
            doctor_name = d.name.clone(), doctor_medical_license_number = d.license.clone(),
            doctor_country_code = d.country_code.clone(), doctor_specialty_name = d.specialty.clone(),
            created_by = "sandbox-client", updated_by = "sandbox-client",
            created_at = self.created_at, updated_at = self.updated_at;
            diagnoses = self.diagnoses.clone(), authorizations = authorizations);
        RequestView {
            resource,
            status: self.status,
            products: self.lines.iter().map(|l| l.resource("REQUESTED")).collect(),
            indications: self.indications.clone(),
        }
    }
}

#[derive(Clone)]
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
    pub sponsor_authorization_code: Option<String>,
    pub activation_at: Time,
    pub expiration_at: Time,
    pub created_at: Time,
    pub updated_at: Time,
}

impl Authorization {
    /// An authorization of `lines`, created now and valid for 30 days;
    /// SENT_TO_SPONSOR until it is approved.
    pub(crate) fn new(
        id: i64,
        sponsor_slug: String,
        beneficiary_id: i64,
        doctor: Doctor,
        lines: Vec<Line>,
        clock: &Clock,
    ) -> Self {
        let now = clock.now();
        Self {
            id,
            code: None,
            request_id: None,
            sponsor_slug,
            beneficiary_id,
            doctor,
            status: "SENT_TO_SPONSOR".to_owned(),
            kind: lines.first().map_or(Kind::Medication, |l| l.product.kind),
            lines,
            sponsor_authorization_code: None,
            activation_at: now,
            expiration_at: clock.in_days(30),
            created_at: now,
            updated_at: now,
        }
    }

    /// The sponsor's approval: APPROVED, with a code and the sponsor's
    /// reference, active from `now`.
    pub(crate) fn approve(&mut self, now: Time) {
        self.status = "APPROVED".to_owned();
        self.code = Some(format!("AUTH-SBX-{:06}", self.id));
        self.sponsor_authorization_code = Some(format!("SPX-{}", self.id));
        (self.activation_at, self.updated_at) = (now, now);
    }

    /// CLAIMED once every line is claimed in full, PARTIALLY_CLAIMED before.
    pub(crate) fn mark_claimed(&mut self) {
        let fully = self.lines.iter().all(|l| l.left() <= 0);
        let status = if fully {
            "CLAIMED"
        } else {
            "PARTIALLY_CLAIMED"
        };
        self.status = status.to_owned();
    }

    /// `AuthorizationResource`.
    pub(crate) fn resource(&self) -> types::AuthorizationResource {
        let line_status = match self.status.as_str() {
            "APPROVED" | "CLAIMED" | "PARTIALLY_CLAIMED" => "APPROVED",
            "SENT_TO_SPONSOR" => "PENDING_REVIEW",
            other => other,
        };
        let d = &self.doctor;
        typed!(types::AuthorizationResource;
            id = self.id, status = self.status.as_str(), beneficiary_id = self.beneficiary_id,
            sponsor_slug = self.sponsor_slug.clone(), product_type = self.kind.schema_name(),
            coverage_type = self.kind.coverage(), doctor_name = d.name.clone(),
            doctor_medical_license_number = d.license.clone(),
            doctor_country_code = d.country_code.clone(), doctor_specialty_name = d.specialty.clone(),
            manual_review_required = false, manually_approved = false,
            satisfies_documents_policy = true, activation_at = self.activation_at,
            expiration_at = self.expiration_at, created_at = self.created_at,
            updated_at = self.updated_at;
            code = self.code.clone(),
            sponsor_authorization_code = self.sponsor_authorization_code.clone(),
            products = self.lines.iter().map(|l| l.resource(line_status)).collect())
    }

    /// `ProviderAuthorizationAbridgedResource`.
    pub(crate) fn abridged(
        &self,
        beneficiary: Option<&Beneficiary>,
    ) -> types::ProviderAuthorizationAbridgedResource {
        typed!(types::ProviderAuthorizationAbridgedResource;
            status = self.status.as_str(), beneficiary_id = self.beneficiary_id,
            sponsor_slug = self.sponsor_slug.clone(), product_type = self.kind.schema_name(),
            coverage_type = self.kind.coverage(),
            doctor_medical_license_number = self.doctor.license.clone();
            code = self.code.clone(), beneficiary = beneficiary.map(Beneficiary::summary))
    }

    /// The `data` of an `authorization.*` webhook event (webhook payloads
    /// are outside `openapi.json`, and the SDK's event types only decode).
    pub(crate) fn event_data(&self) -> Value {
        let product =
            |l: &Line| json!({ "product_code": l.product.code, "quantity": l.authorized_quantity });
        let products: Vec<Value> = self.lines.iter().map(product).collect();
        json!({
            "authorization_id": self.id.to_string(),
            "authorization_code": self.code,
            "authorization_request_id": self.request_id.map(|id| id.to_string()),
            "beneficiary_id": self.beneficiary_id.to_string(),
            "sponsor_slug": self.sponsor_slug,
            "product_type": self.kind.guide_name(),
            "status": self.status,
            "products": products,
            "expires_at": self.expiration_at,
            "sponsor_reference": self.sponsor_authorization_code,
        })
    }
}

/// A provider claim: the `ProviderClaimResource` it is answered as, built
/// when it is filed (its lines never change after), with what the sandbox
/// keeps beside it.
#[derive(Clone)]
pub(crate) struct Claim {
    pub resource: types::ProviderClaimResource,
    pub authorization_id: Option<i64>,
    pub settled: bool,
    pub updated_at: Time,
}

/// Rounded to cents.
pub(crate) fn cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

impl Claim {
    pub(crate) fn id(&self) -> i64 {
        self.resource.id.unwrap_or_default()
    }

    pub(crate) fn status(&self) -> &str {
        self.resource.status.as_deref().unwrap_or_default()
    }

    /// Moves the claim to `status`, as of `now`.
    pub(crate) fn set_status(&mut self, status: &str, now: Time) {
        self.resource.status = Some(status.to_owned());
        self.updated_at = now;
    }

    pub(crate) fn amount(&self) -> f64 {
        self.resource.claimed_amount.unwrap_or_default()
    }
}

#[derive(Clone)]
pub(crate) struct Monitor {
    pub id: uuid::Uuid,
    pub claim_id: i64,
    pub status: types::MonitorStatus,
    pub ready_at: Instant,
}

impl Monitor {
    pub(crate) fn done(&self) -> bool {
        self.status == types::MonitorStatus::Completed
    }

    /// `OutpatientCareClaimMonitorResponse`; a completed monitor carries
    /// the claim's amounts.
    pub(crate) fn resource(
        &self,
        location: String,
        claim: Option<&Claim>,
    ) -> types::OutpatientCareClaimMonitorResponse {
        let monitor = typed!(types::OutpatientCareClaimMonitorResponseMonitorResource;
            id = self.id, status = self.status.clone(), location = location);
        let done = claim.filter(|_| self.done()).map(|claim| {
            typed!(types::OutpatientCareClaimMonitorResponseOutpatientCareClaimResource;
                claim_id = claim.id(), amount = claim.amount(), copayment = 0.0, coinsurance = 0.0,
                sponsor_transaction_id = format!("SPX-{}", claim.id()))
        });
        typed!(types::OutpatientCareClaimMonitorResponse;
            monitor_resource = monitor; outpatient_care_claim_resource = done)
    }
}

/// What a dispensation redeems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Redeems {
    Authorization(i64),
    Prescription(i64),
}

#[derive(Clone)]
pub(crate) struct DispProduct {
    pub product: &'static CatalogProduct,
    pub quantity: i32,
    pub unit_price: f64,
}

#[derive(Clone)]
pub(crate) struct Dispensation {
    pub id: String,
    pub redeems: Redeems,
    /// The beneficiary and sponsor an OTP is still owed for, until one is
    /// verified.
    pub otp_owed: Option<(i64, String)>,
    pub products: Vec<DispProduct>,
    pub status: types::DispensationLifecycleStatus,
    pub claim_id: Option<i64>,
}

/// `DispensationResource` with the claim a completed dispensation filed.
#[derive(Serialize)]
pub(crate) struct DispensationView {
    #[serde(flatten)]
    resource: types::DispensationResource,
    #[serde(skip_serializing_if = "Option::is_none")]
    claim_id: Option<i64>,
}

impl Dispensation {
    /// Started and not yet dispensed or voided.
    pub(crate) fn in_progress(&self) -> bool {
        use types::DispensationLifecycleStatus::{PendingVerification, Started};
        matches!(self.status, Started | PendingVerification)
    }

    /// `DispensationResource`, plus `claim_id` once one was filed.
    pub(crate) fn view(&self) -> DispensationView {
        let (code_type, covered) = match self.redeems {
            Redeems::Authorization(_) => (types::DispensationCodeType::Authorization, true),
            Redeems::Prescription(_) => (types::DispensationCodeType::Prescription, false),
        };
        let total = self
            .products
            .iter()
            .map(|p| p.unit_price * f64::from(p.quantity))
            .sum();
        let products = self.products.iter().map(|p| {
            typed!(types::DispensationProduct;
                product_code = p.product.code, quantity = p.quantity, unit_price = p.unit_price)
        });
        let resource = typed!(types::DispensationResource;
            dispensation_id = self.id.clone(), status = self.status.clone(), code_type = code_type;
            id = crate::input::numeric_id(&self.id), products = products.collect(),
            amount_covered_by_sponsor = covered.then(|| cents(total)),
            verification_required = self.otp_owed.is_some().then(|| "OTP".into()));
        DispensationView {
            resource,
            claim_id: self.claim_id,
        }
    }
}

/// The `patient` of a `PrescriptionResource`, for a patient of the
/// directory.
pub(crate) fn prescription_patient(
    p: &types::PatientResource,
) -> types::PrescriptionResourcePatient {
    let name = |part: &Option<String>| part.clone().unwrap_or_default();
    typed!(types::PrescriptionResourcePatient;
        full_name = format!("{} {}", name(&p.first_name), name(&p.last_name)), enabled = true,
        manually_created = false;
        code = p.patient_id.clone(), given_names = p.first_name.clone(),
        surnames = p.last_name.clone(), identity_document_type = p.document_type.clone(),
        identity_document_code = p.document_number.clone(),
        date_of_birth = p.date_of_birth.map(|d| d.to_string()))
}

/// A prescription; it gets its id, code and ISSUED status when it is
/// stored (the time it was stored is only ever answered then).
#[derive(Clone, Default)]
pub(crate) struct Prescription {
    pub id: i64,
    pub code: String,
    pub patient: types::PrescriptionResourcePatient,
    pub doctor: types::PrescriptionResourceDoctor,
    pub diagnoses: Vec<types::DiagnosisResource>,
    pub lines: Vec<Line>,
    pub status: &'static str,
}

impl Prescription {
    /// `PrescriptionResource`.
    pub(crate) fn resource(&self, download_url: String) -> types::PrescriptionResource {
        let line_status = if self.status == "DISPENSED" {
            "DISPENSED"
        } else {
            "DISPENSABLE"
        };
        typed!(types::PrescriptionResource;
            id = self.id, code = self.code.clone(), status = self.status, confidential = false,
            patient = self.patient.clone(), doctor = self.doctor.clone(), download_url = download_url;
            diagnoses = self.diagnoses.clone(),
            products = self.lines.iter().map(|l| l.resource(line_status)).collect())
    }

    /// `CreatePrescriptionResponse`, for a prescription stored at `at`.
    pub(crate) fn created(&self, at: Time) -> types::CreatePrescriptionResponse {
        typed!(types::CreatePrescriptionResponse;
            prescription_id = self.id.to_string(), prescription_code = self.code.clone(),
            status = self.status, created_at = at)
    }
}

/// A settlement batch as answered, with what it holds.
#[derive(Clone, Default)]
pub(crate) struct Settlement {
    pub resource: types::SettlementBatchResource,
    pub authorization_ids: Vec<i64>,
    /// The `document_type` of each document uploaded.
    pub documents: Vec<String>,
}

impl Settlement {
    pub(crate) fn sponsor_slug(&self) -> &str {
        self.resource.sponsor_slug.as_deref().unwrap_or_default()
    }
}

/// `WebhookSubscriptionResource` with the subscription's `id`, signing
/// `secret` and `created_at` (the sandbox's convention).
#[derive(Serialize)]
pub(crate) struct Subscription {
    #[serde(flatten)]
    pub resource: types::WebhookSubscriptionResource,
    pub id: String,
    pub secret: String,
    pub created_at: Time,
}

impl Subscription {
    pub(crate) fn matches(&self, event_type: &str) -> bool {
        self.resource.event_types.iter().any(|pattern| {
            pattern == "*"
                || pattern == event_type
                || pattern
                    .strip_suffix('*')
                    .is_some_and(|prefix| event_type.starts_with(prefix))
        })
    }
}

//! The store: everything the sandbox knows, and the rules several handlers
//! share (finding an authorization, opening a claim, consuming an OTP).

mod entities;
mod rules;
mod seed;

use std::collections::{BTreeMap, HashMap, VecDeque};

use osigu::types;
use tokio::time::Instant;

use crate::clock::Time;
use crate::config::RateLimit;
use crate::reply::{ApiResult, OrNotFound};

pub(crate) use entities::*;
pub(crate) use rules::otp_of;

/// Everything the sandbox knows.
#[derive(Default)]
pub(crate) struct Db {
    seq: i64,
    /// Issued bearer tokens and when each expires.
    pub tokens: HashMap<String, Instant>,
    pub token_hits: HashMap<String, VecDeque<Instant>>,
    pub request_hits: HashMap<String, VecDeque<Instant>>,
    pub sponsors: &'static [Sponsor],
    pub beneficiaries: &'static [Beneficiary],
    pub catalogue: &'static [CatalogProduct],
    /// Registered provider products: code and registration time, in order.
    pub provider_products: Vec<(String, Time)>,
    pub otps: HashMap<String, Otp>,
    pub otp_tokens: HashMap<String, Otp>,
    pub auth_requests: BTreeMap<i64, AuthRequest>,
    pub authorizations: BTreeMap<i64, Authorization>,
    pub dispensations: BTreeMap<String, Dispensation>,
    pub claims: BTreeMap<i64, Claim>,
    pub monitors: HashMap<String, Monitor>,
    pub procedure_claims: BTreeMap<i64, types::MedicalProcedureClaimResource>,
    pub patients: Vec<types::PatientResource>,
    pub prescriptions: BTreeMap<i64, Prescription>,
    pub biometrics: HashMap<String, types::ProviderBiometricReadingResource>,
    pub settlements: BTreeMap<String, Settlement>,
    pub subscriptions: Vec<Subscription>,
    /// Asynchronous beneficiary lookups: when each is done, and its result.
    pub lookups: HashMap<String, (Instant, Vec<types::BeneficiaryLookupResult>)>,
}

impl Db {
    /// A fresh number, unique across every kind of resource.
    pub(crate) fn next(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn sponsor(&self, slug: &str) -> Option<&'static Sponsor> {
        self.sponsors.iter().find(|s| s.slug == slug)
    }

    /// Like [`Db::sponsor`], but 404 when there is none.
    pub(crate) fn sponsor_or_404(&self, slug: &str) -> ApiResult<&'static Sponsor> {
        self.sponsor(slug).or_404("sponsor", slug)
    }

    pub(crate) fn beneficiary(&self, id: i64) -> Option<&'static Beneficiary> {
        self.beneficiaries.iter().find(|b| b.id == id)
    }

    pub(crate) fn product_by_code(&self, code: &str) -> Option<&'static CatalogProduct> {
        self.catalogue
            .iter()
            .find(|p| p.code.eq_ignore_ascii_case(code))
    }

    pub(crate) fn product_by_id(&self, id: i64) -> Option<&'static CatalogProduct> {
        self.catalogue.iter().find(|p| p.product_id == id)
    }

    pub(crate) fn is_registered(&self, code: &str) -> bool {
        self.provider_products
            .iter()
            .any(|(c, _)| c.eq_ignore_ascii_case(code))
    }

    /// Checks a sliding-window budget for `key`, recording the hit when it
    /// fits; otherwise returns the whole seconds until a slot frees up.
    pub(crate) fn take_slot(
        hits: &mut HashMap<String, VecDeque<Instant>>,
        key: &str,
        limit: RateLimit,
        now: Instant,
    ) -> Result<(), u64> {
        let log = hits.entry(key.to_owned()).or_default();
        while log
            .front()
            .is_some_and(|t| now.duration_since(*t) >= limit.window)
        {
            log.pop_front();
        }
        if log.len() >= limit.requests as usize {
            let wait = match log.front() {
                Some(oldest) => limit.window.saturating_sub(now.duration_since(*oldest)),
                None => limit.window,
            };
            let secs = wait
                .as_secs()
                .saturating_add(u64::from(wait.subsec_nanos() > 0));
            return Err(secs.max(1));
        }
        log.push_back(now);
        Ok(())
    }
}

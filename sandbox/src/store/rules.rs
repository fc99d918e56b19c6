//! Rules several handlers share, as methods of the store: who may be
//! covered, which product a request names, finding an authorization,
//! opening a claim for one, and consuming an OTP verification token.

use axum::http::StatusCode;
use tokio::time::Instant;

use osigu::types::{self, DiagnosisResource, ProductDecisionStatus};

use super::{Authorization, Beneficiary, CatalogProduct, Claim, Db, Line, Sponsor, cents};
use crate::clock::Time;
use crate::input::numeric_id;
use crate::reply::{ApiError, ApiResult, OrNotFound};
use crate::typed::typed;

impl Db {
    /// The sponsor and an active beneficiary of it, or 422.
    pub(crate) fn sponsor_and_beneficiary(
        &self,
        sponsor_slug: &str,
        beneficiary_id: i64,
    ) -> ApiResult<(&'static Sponsor, &'static Beneficiary)> {
        let refuse = |field, message| ApiError::unprocessable(field, message);
        let sponsor = self.sponsor(sponsor_slug);
        let sponsor = sponsor
            .ok_or_else(|| refuse("sponsor_slug", format!("unknown sponsor {sponsor_slug}")))?;
        let beneficiary = self
            .beneficiary(beneficiary_id)
            .filter(|b| b.sponsor_slug == sponsor.slug);
        let message = || format!("no such beneficiary for sponsor {sponsor_slug}");
        let beneficiary = beneficiary.ok_or_else(|| refuse("beneficiary_id", message()))?;
        if !beneficiary.active {
            let message = "the beneficiary has no active coverage";
            let code = "071-422-coverage-inactive";
            let error = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
            return Err(error.with_info("field", "beneficiary_id"));
        }
        Ok((sponsor, beneficiary))
    }

    /// A registered provider product as requests name it: by catalogue
    /// code or by catalogue `product_id`.
    pub(crate) fn resolve_product(
        &self,
        code: Option<&str>,
        product_id: Option<i64>,
    ) -> ApiResult<&'static CatalogProduct> {
        let product = match (code, product_id) {
            (Some(code), _) => {
                let product = self.product_by_code(code);
                product.ok_or_else(|| ApiError::unregistered_product(code))?
            }
            (None, Some(id)) => {
                let message = format!("unknown product_id {id}");
                let product = self.product_by_id(id);
                product.ok_or_else(|| ApiError::unprocessable("product_id", message))?
            }
            (None, None) => {
                let message = "each product needs provider_product_code or product_id";
                return Err(ApiError::unprocessable("products", message));
            }
        };
        if !self.is_registered(product.code) {
            return Err(ApiError::unregistered_product(product.code));
        }
        Ok(product)
    }

    /// An authorization by numeric id or by its code.
    pub(crate) fn find_authorization(&self, raw: &str) -> Option<i64> {
        let by_code = || {
            self.authorizations
                .values()
                .find(|a| a.code.as_deref() == Some(raw))
        };
        let by_id = numeric_id(raw).filter(|id| self.authorizations.contains_key(id));
        by_id.or_else(|| by_code().map(|a| a.id))
    }

    /// Like [`Db::find_authorization`], but 404 when there is none.
    pub(crate) fn authorization_id(&self, raw: &str) -> ApiResult<i64> {
        self.find_authorization(raw).or_404("authorization", raw)
    }

    /// A provider claim of `lines` for a beneficiary of a sponsor, not yet
    /// stored; one for (part of) an authorization carries its code.
    pub(crate) fn new_claim(
        &mut self,
        sponsor_slug: &str,
        beneficiary_id: i64,
        authorization: Option<&Authorization>,
        lines: Vec<Line>,
        status: &str,
        now: Time,
    ) -> Claim {
        let currency = self.sponsor(sponsor_slug).map_or("GTQ", |s| s.currency);
        let id = self.next();
        let total = lines.iter().map(|l| l.unit_price * f64::from(l.quantity));
        let amount = cents(total.sum());
        let resource = typed!(types::ProviderClaimResource;
            id = id, status = status, beneficiary_id = beneficiary_id, sponsor_slug = sponsor_slug,
            currency = currency, claimed_amount = amount, maximum_total_amount = amount,
            minimum_total_amount = 0.0, copayment_amount = 0.0, coinsurance_amount = 0.0,
            deductible_amount = 0.0, provider_branch_name = "Sandbox Clinic",
            sponsor_transaction_id = format!("SPX-{id}");
            authorization_code = authorization.and_then(|a| a.code.clone()),
            products = lines.iter().map(|l| l.resource("CLAIMED")).collect());
        Claim {
            resource,
            authorization_id: authorization.map(|a| a.id),
            settled: false,
            updated_at: now,
        }
    }

    /// Files a COMPLETED claim of `lines`, already counted as claimed on
    /// `authorization`'s lines: stores the authorization, marked claimed,
    /// and the claim, and returns the claim.
    pub(crate) fn file_claim(
        &mut self,
        mut authorization: Authorization,
        lines: Vec<Line>,
        now: Time,
    ) -> &mut Claim {
        authorization.mark_claimed();
        authorization.updated_at = now;
        let (sponsor, beneficiary) = (&authorization.sponsor_slug, authorization.beneficiary_id);
        let claim = self.new_claim(
            sponsor,
            beneficiary,
            Some(&authorization),
            lines,
            "COMPLETED",
            now,
        );
        self.authorizations.insert(authorization.id, authorization);
        self.claims.entry(claim.id()).or_insert(claim)
    }

    /// Checks, and on success consumes, an OTP verification token (the
    /// `value` of an `external_verifications` entry of type `OTP`) for
    /// this beneficiary and sponsor; the error is the 422 `{code, message,
    /// errors[]}` envelope.
    pub(crate) fn consume_otp(
        &mut self,
        token: Option<&str>,
        beneficiary_id: i64,
        sponsor_slug: &str,
    ) -> ApiResult<()> {
        let Some(token) = token else {
            return Err(ApiError::validation(
                "OTP_REQUIRED",
                format!("sponsor {sponsor_slug} requires OTP verification for this step"),
                "external_verifications",
                "add {\"type\": \"OTP\", \"value\": \"<otp_verification_token>\"}",
            ));
        };
        let now = Instant::now();
        match self.otp_tokens.get_mut(token) {
            Some(t)
                if !t.used
                    && now < t.expires_at
                    && t.beneficiary_id == beneficiary_id
                    && t.sponsor_slug == sponsor_slug =>
            {
                t.used = true;
                Ok(())
            }
            _ => Err(ApiError::validation(
                "OTP_INVALID",
                "the OTP verification token is not valid for this step",
                "external_verifications",
                "unknown, expired, already used, or issued for another beneficiary",
            )),
        }
    }

    /// A line for `quantity` of the registered product a request names (as
    /// [`Db::resolve_product`] reads it).
    pub(crate) fn line(
        &mut self,
        code: Option<&str>,
        id: Option<i64>,
        quantity: i32,
    ) -> ApiResult<Line> {
        let product = self.resolve_product(code, id)?;
        Ok(self.new_line(product, quantity))
    }

    /// A line for the product a reference names: a catalogue `product_id`
    /// when it is a number, else a product code.
    pub(crate) fn referenced_line(&mut self, reference: &str, quantity: i32) -> ApiResult<Line> {
        match reference.parse() {
            Ok(id) => self.line(None, Some(id), quantity),
            Err(_) => self.line(Some(reference), None, quantity),
        }
    }

    /// A diagnosis of a request or prescription, under a fresh id.
    pub(crate) fn diagnosis(&mut self, code: &str, coding_system: &str) -> DiagnosisResource {
        typed!(DiagnosisResource;
            id = self.next(), code = code, coding_system = coding_system,
            status = ProductDecisionStatus::Approved)
    }

    /// A prescription by code or by numeric id.
    pub(crate) fn find_prescription(&self, raw: &str) -> Option<i64> {
        let by_code = self.prescriptions.values().find(|p| p.code == raw);
        by_code
            .map(|p| p.id)
            .or_else(|| numeric_id(raw).filter(|id| self.prescriptions.contains_key(id)))
    }

    /// A fresh line for `quantity` of a catalogue product, at its price.
    pub(crate) fn new_line(&mut self, product: &'static CatalogProduct, quantity: i32) -> Line {
        Line {
            id: self.next(),
            product,
            quantity,
            authorized_quantity: quantity,
            claimed_quantity: 0,
            unit_price: product.unit_price,
            duration_days: None,
        }
    }
}

/// The OTP token among the SDK's `ExternalVerification`s, if one is there.
pub(crate) fn otp_of(verifications: &[osigu::types::ExternalVerification]) -> Option<&str> {
    let otp = verifications
        .iter()
        .find(|v| v.type_.as_str().eq_ignore_ascii_case("OTP"));
    otp.map(|v| v.value.as_str())
}

//! One entry point per capability that exists in several API versions; the
//! entry point picks the versioned endpoint.
//!
//! | capability | versions | picked by |
//! | --- | --- | --- |
//! | prescriptions | v1, v1.1, v2 | the request and the client's [`Market`] |
//! | document policy | v1, v2 | [`ApiVersion`], v2 by default |
//! | medications catalogue | v1, v2 | [`ApiVersion`], v2 by default |
//! | settlement batches | v3 only | the generated `start_settlement_batch` and siblings |
//! | biometric readings | v2 only | the generated `create_biometric_reading` |

use crate::{Error, Osigu, types};

/// Where the client operates, for the rules that pick API versions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Market {
    /// No market rule: prescriptions go to v1 unless the request says more.
    #[default]
    Default,
    /// A market whose law requires recorded patient-data consent on every
    /// prescription (v1.1). Osigu says only "required in some markets";
    /// which ones is for the integrator to set.
    ConsentRequired,
    /// Spain: every prescription is certified in the national repository (v2).
    Spain,
}

/// A prescription to issue, in the shape its version needs.
#[derive(Debug, Clone)]
pub enum PrescriptionRequest {
    /// The v1 body; with `patient_data_consent` set it goes to v1.1.
    Standard {
        /// The prescription.
        body: types::CreatePrescriptionRequest,
        /// The patient's consent to data processing, when recorded.
        patient_data_consent: Option<bool>,
    },
    /// Spain's v2 body, with `national_repository_id` and the signed hash.
    Spain(Box<types::CreatePrescriptionRequestV2>),
}

/// The endpoint a prescription went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrescriptionRoute {
    /// `POST /ehr/v1/prescriptions`
    V1,
    /// `POST /ehr/v1.1/prescriptions`: consent validated.
    V1_1,
    /// `POST /ehr/v2/prescriptions`: Spain's national repository.
    V2,
}

impl PrescriptionRoute {
    /// The path this route posts to.
    ///
    /// ```
    /// assert_eq!(osigu::PrescriptionRoute::V1_1.path(), "/ehr/v1.1/prescriptions");
    /// ```
    pub fn path(self) -> &'static str {
        match self {
            Self::V1 => "/ehr/v1/prescriptions",
            Self::V1_1 => "/ehr/v1.1/prescriptions",
            Self::V2 => "/ehr/v2/prescriptions",
        }
    }
}

impl PrescriptionRequest {
    /// The route for this request in `market`, or why there is none. Decided
    /// before any call is made.
    ///
    /// ```
    /// use osigu::{Market, PrescriptionRequest, PrescriptionRoute};
    /// # let body: osigu::types::CreatePrescriptionRequest = serde_json::from_value(serde_json::json!({
    /// #     "patient_id": "pat_1", "diagnoses": [], "medications": [] })).unwrap();
    /// let plain = PrescriptionRequest::Standard { body: body.clone(), patient_data_consent: None };
    /// assert_eq!(plain.route(Market::Default)?, PrescriptionRoute::V1);
    /// assert!(plain.route(Market::ConsentRequired).is_err());
    /// assert!(plain.route(Market::Spain).is_err());
    /// let consented = PrescriptionRequest::Standard { body, patient_data_consent: Some(true) };
    /// assert_eq!(consented.route(Market::ConsentRequired)?, PrescriptionRoute::V1_1);
    /// # Ok::<(), osigu::Error>(())
    /// ```
    pub fn route(&self, market: Market) -> Result<PrescriptionRoute, Error> {
        let invalid = |reason: &str| Error::InvalidRequest {
            reason: reason.to_owned(),
        };
        match self {
            Self::Spain(body) => {
                if body.national_repository_id.trim().is_empty() {
                    return Err(invalid(
                        "national_repository_id is empty; Spain's v2 prescriptions need it",
                    ));
                }
                Ok(PrescriptionRoute::V2)
            }
            Self::Standard { .. } if market == Market::Spain => Err(invalid(
                "the client's market is Spain, which takes only v2 prescriptions \
                 (PrescriptionRequest::Spain with national_repository_id)",
            )),
            Self::Standard {
                patient_data_consent: Some(false),
                ..
            } => Err(invalid(
                "patient_data_consent is false; v1.1 accepts only recorded consent",
            )),
            Self::Standard {
                patient_data_consent: Some(true),
                ..
            } => Ok(PrescriptionRoute::V1_1),
            Self::Standard {
                patient_data_consent: None,
                ..
            } if market == Market::ConsentRequired => Err(invalid(
                "the client's market requires patient_data_consent on every prescription",
            )),
            Self::Standard { .. } => Ok(PrescriptionRoute::V1),
        }
    }
}

/// Which version of an endpoint that exists in v1 and v2.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ApiVersion {
    /// The original version.
    V1,
    /// The newer version (the default).
    #[default]
    V2,
}

impl Osigu {
    /// Issues a prescription on the version its request and the client's
    /// [`Market`] call for: v2 for Spain, v1.1 when consent is recorded or
    /// the market requires it, v1 otherwise. A request that cannot be routed
    /// fails before any call.
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu, body: osigu::types::CreatePrescriptionRequest) -> Result<(), osigu::Error> {
    /// let request = osigu::PrescriptionRequest::Standard { body, patient_data_consent: Some(true) };
    /// let (route, created) = osigu.create_prescription_routed(request).await?;
    /// assert_eq!(route, osigu::PrescriptionRoute::V1_1);
    /// # Ok(()) }
    /// ```
    pub async fn create_prescription_routed(
        &self,
        request: PrescriptionRequest,
    ) -> Result<(PrescriptionRoute, types::CreatePrescriptionResponse), Error> {
        let route = request.route(self.market())?;
        let created = match request {
            PrescriptionRequest::Spain(body) => {
                self.create_prescription_v2().body(*body).send().await?
            }
            PrescriptionRequest::Standard { body, .. } if route == PrescriptionRoute::V1 => {
                self.create_prescription().body(body).send().await?
            }
            PrescriptionRequest::Standard { body, .. } => {
                let mut v1_1 = types::CreatePrescriptionRequestV11::builder(
                    body.diagnoses,
                    body.medications,
                    true,
                    body.patient_id,
                );
                if let Some(doctor) = body.doctor_id {
                    v1_1 = v1_1.doctor_id(doctor);
                }
                self.create_prescription_v1_1().body(v1_1).send().await?
            }
        };
        Ok((route, created.into_inner()))
    }

    /// The sponsor's document policy from the v1 or v2 endpoint.
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu) -> Result<(), osigu::Error> {
    /// let policy = osigu.document_policy("demo-insurer", Some("DRUG"), osigu::ApiVersion::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn document_policy(
        &self,
        sponsor: &str,
        product_type: Option<&str>,
        version: ApiVersion,
    ) -> Result<types::DocumentPolicyResource, Error> {
        let policy = match version {
            ApiVersion::V1 => {
                let mut call = self.get_authorization_document_policy().sponsor(sponsor);
                if let Some(product_type) = product_type {
                    call = call.product_type(product_type);
                }
                call.send().await?
            }
            ApiVersion::V2 => {
                let mut call = self.get_authorization_document_policy_v2().sponsor(sponsor);
                if let Some(product_type) = product_type {
                    call = call.product_type(product_type);
                }
                call.send().await?
            }
        };
        Ok(policy.into_inner())
    }

    /// Medications matching `query`, from the v1 or v2 catalogue.
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu) -> Result<(), osigu::Error> {
    /// let found = osigu.search_medications("amoxicilina", osigu::ApiVersion::V2).await?;
    /// # Ok(()) }
    /// ```
    pub async fn search_medications(
        &self,
        query: &str,
        version: ApiVersion,
    ) -> Result<Vec<types::CatalogProductEntry>, Error> {
        let found = match version {
            ApiVersion::V1 => self.list_medications().query(query).send().await?,
            ApiVersion::V2 => self.list_medications_v2().query(query).send().await?,
        };
        Ok(found.into_inner())
    }
}

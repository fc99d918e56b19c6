//! One-time codes: send one to the beneficiary, validate what they read
//! back, and carry the resulting proof into the call it unlocks.
//!
//! The proof goes into the completing call's typed body:
//! `.external_verifications([&proof])` on the body's builder (see the
//! `From<&OtpVerification>` impl of `types::ExternalVerification`).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::{Error, Osigu, types};

/// Proof that the beneficiary passed an OTP challenge. Never printed.
#[derive(Clone)]
pub struct OtpVerification(SecretString);

impl OtpVerification {
    /// Wraps a verification token obtained elsewhere (e.g. by a widget).
    ///
    /// ```
    /// let proof = osigu::OtpVerification::new("otp-proof-123");
    /// assert!(!format!("{proof:?}").contains("otp-proof-123"));
    /// ```
    pub fn new(token: impl Into<String>) -> Self {
        Self(SecretString::from(token.into()))
    }
}

impl fmt::Debug for OtpVerification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OtpVerification([redacted])")
    }
}

/// What a sponsor still demands before a dispensation can complete.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// Nothing: complete it.
    None,
    /// A one-time code sent to the beneficiary.
    Otp,
    /// A biometric reading.
    Biometric,
    /// A kind this SDK does not know yet, as Osigu named it.
    Other(String),
}

/// The proof travels in the completing call's body, as one of its
/// `external_verifications` (`{"type": "OTP", "value": <token>}`): the
/// single place that decides how an OTP verification is carried. Osigu
/// documents that validation returns a token but not where later calls
/// carry it; the field is the one Osigu already uses for sponsor-demanded
/// proofs when a dispensation starts (an inference; see
/// `docs/spec-notes.md`).
///
/// ```
/// use osigu::{OtpVerification, types};
/// let proof = OtpVerification::new("proof");
/// let body = types::CompleteDispensationRequest::builder(25.0, chrono::Utc::now(), "F-1")
///     .external_verifications([&proof]);
/// let body = types::CompleteDispensationRequest::try_from(body).unwrap();
/// assert_eq!(body.external_verifications[0].type_, "OTP");
/// assert_eq!(body.external_verifications[0].value, "proof");
/// // Printed, the proof stays hidden.
/// assert!(!format!("{body:?}").contains("proof\""));
/// ```
impl From<&OtpVerification> for types::ExternalVerification {
    fn from(verification: &OtpVerification) -> Self {
        types::ExternalVerification {
            type_: "OTP".to_owned(),
            value: verification.0.expose_secret().to_owned(),
            verification_status: None,
        }
    }
}

impl From<OtpVerification> for types::ExternalVerification {
    fn from(verification: OtpVerification) -> Self {
        (&verification).into()
    }
}

impl Osigu {
    /// Asks the sponsor to send a code to the beneficiary.
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu) -> Result<(), osigu::Error> {
    /// let challenge = osigu.send_otp_code("bnf_123", "demo-insurer").await?;
    /// let proof = osigu.validate_otp_code(&challenge, "123456").await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_otp_code(
        &self,
        beneficiary_id: impl std::fmt::Display,
        sponsor_slug: impl std::fmt::Display,
    ) -> Result<types::SendOtpResponse, Error> {
        let body = types::SendOtpRequest::builder(beneficiary_id, sponsor_slug);
        Ok(self.send_otp().body(body).send().await?.into_inner())
    }

    /// Checks the code the beneficiary read back; the proof it returns
    /// unlocks the completing call.
    pub async fn validate_otp_code(
        &self,
        challenge: &types::SendOtpResponse,
        code: &str,
    ) -> Result<OtpVerification, Error> {
        let otp_id = challenge
            .otp_id
            .clone()
            .ok_or_else(|| Error::InvalidRequest {
                reason: "the OTP challenge has no otp_id to validate against".into(),
            })?;
        let body = types::ValidateOtpRequest::builder(code, otp_id);
        let validated = self.validate_otp().body(body).send().await?.into_inner();
        validated
            .otp_verification_token
            .map(OtpVerification::new)
            .ok_or_else(|| Error::Decode {
                status: None,
                request_id: None,
                reason: "the OTP validation answer has no otp_verification_token".into(),
            })
    }

    /// What the sponsor demands before `dispensation_id` can complete.
    pub async fn verification_needed(&self, dispensation_id: &str) -> Result<Verification, Error> {
        let status = self
            .get_dispensation_verification_status()
            .id(dispensation_id)
            .send()
            .await?
            .into_inner();
        Ok(match status.verification_required {
            None => Verification::None,
            Some(kind) => match kind.as_str() {
                "OTP" => Verification::Otp,
                "BIOMETRIC" => Verification::Biometric,
                "" | "NONE" => Verification::None,
                other => Verification::Other(other.to_owned()),
            },
        })
    }
}

//! The event envelope and the typed payloads of the documented event types.
//!
//! Shapes come from Osigu's webhook-event pages. Where a page shows an
//! example payload its fields are typed here; fields a page does not show
//! (or that Osigu adds later) are kept in each payload's `extra` map, so
//! nothing in a delivery is dropped. Every typed field is optional.

use std::error::Error as StdError;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// Every `event_type` Osigu documents, in the order of its payload
/// reference. A type on this list whose `data` did not match the documented
/// shape still parses, as [`EventData::Unknown`]; see [`Event::is_known_type`].
///
/// ```
/// assert!(osigu::webhooks::KNOWN_EVENT_TYPES.contains(&"dispensing.completed"));
/// assert_eq!(osigu::webhooks::KNOWN_EVENT_TYPES.len(), 13);
/// ```
pub const KNOWN_EVENT_TYPES: &[&str] = &[
    "authorization.created",
    "authorization.rejected",
    "authorization.updated",
    "authorization.voided",
    "dispensing.started",
    "dispensing.completed",
    "dispensing.cancelled",
    "prescription.issued",
    "prescription.email_delivered",
    "prescription.email_failed",
    "settlement.paid",
    "settlement.rejected",
    "settlement.partially_accepted",
];

/// One webhook delivery: the envelope Osigu wraps around every event, with
/// its `data` decoded by `event_type`.
///
/// `Debug` leaves out patient identity (beneficiary and patient ids,
/// names, e-mail addresses, document numbers) and diagnoses, so an event can
/// be logged with `{:?}`.
///
/// ```
/// use osigu::webhooks::{self, EventData, EventEnvironment};
///
/// let event = webhooks::parse(br#"{
///     "event_id": "evt_5MZP0R7WQ2D8KX4TN6BY3VCA9H",
///     "event_type": "authorization.rejected",
///     "created_at": "2026-03-14T09:41:27.352Z",
///     "api_version": "2026-01-01",
///     "environment": "sandbox",
///     "data": { "authorization_request_id": "areq_1", "rejection_reason": "Not covered" },
///     "provider": { "provider_id": "prv_1", "provider_slug": "clinica-norte" }
/// }"#)?;
/// assert_eq!(event.id, "evt_5MZP0R7WQ2D8KX4TN6BY3VCA9H");
/// assert_eq!(event.family(), "authorization");
/// assert_eq!(event.version.as_deref(), Some("2026-01-01"));
/// assert_eq!(event.environment, Some(EventEnvironment::Sandbox));
/// match &event.data {
///     EventData::AuthorizationRejected(a) => {
///         assert_eq!(a.rejection_reason.as_deref(), Some("Not covered"));
///     }
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), webhooks::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event {
    /// `event_id`: stable across redeliveries of the same event; the key to
    /// deduplicate on.
    pub id: String,
    /// `event_type`, dot-namespaced, e.g. `"authorization.created"`.
    pub event_type: String,
    /// `created_at`: when Osigu emitted the event (not when it was
    /// delivered). Use it to order events; delivery order is best-effort.
    pub created_at: DateTime<Utc>,
    /// `api_version`: the date string that versions the envelope's shape.
    pub version: Option<String>,
    /// `environment`: which Osigu environment produced the event. Check it
    /// so a sandbox event is never acted on in production.
    pub environment: Option<EventEnvironment>,
    /// `provider`: the provider the event is scoped to.
    pub provider: Option<Provider>,
    /// `data`, decoded according to `event_type`.
    pub data: EventData,
}

impl Event {
    /// The part of `event_type` before the first dot (`"authorization"`,
    /// `"dispensing"`, ...), for routing a whole family at once.
    ///
    /// ```
    /// let event = osigu::webhooks::parse(br#"{"event_id":"e","event_type":"prescription.issued",
    ///     "created_at":"2026-03-14T16:00:00Z","data":{}}"#)?;
    /// assert_eq!(event.family(), "prescription");
    /// # Ok::<(), osigu::webhooks::ParseError>(())
    /// ```
    pub fn family(&self) -> &str {
        self.event_type
            .split_once('.')
            .map_or(self.event_type.as_str(), |(family, _)| family)
    }

    /// Whether `event_type` is one of [`KNOWN_EVENT_TYPES`]. Together with
    /// [`EventData::Unknown`] this tells a new event type (`false`) from a
    /// documented one whose `data` did not match its documented shape
    /// (`true`), which deserves a look.
    ///
    /// ```
    /// use osigu::webhooks::{self, EventData};
    ///
    /// // `quantity` should be a number: the payload is kept, untyped.
    /// let event = webhooks::parse(br#"{"event_id":"e","event_type":"dispensing.started",
    ///     "created_at":"2026-03-14T14:20:00Z","data":{"products":[{"quantity":"thirty"}]}}"#)?;
    /// assert!(matches!(event.data, EventData::Unknown { .. }));
    /// assert!(event.is_known_type());
    /// # Ok::<(), osigu::webhooks::ParseError>(())
    /// ```
    pub fn is_known_type(&self) -> bool {
        KNOWN_EVENT_TYPES.contains(&self.event_type.as_str())
    }
}

/// Which Osigu environment produced an event.
///
/// ```
/// use osigu::webhooks::EventEnvironment;
/// assert_eq!(EventEnvironment::from("production".to_string()), EventEnvironment::Production);
/// assert_eq!(
///     EventEnvironment::from("staging".to_string()),
///     EventEnvironment::Unknown("staging".into()),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "String")]
#[non_exhaustive]
pub enum EventEnvironment {
    /// `"sandbox"`.
    Sandbox,
    /// `"production"`.
    Production,
    /// Any other value, as sent.
    Unknown(String),
}

impl From<String> for EventEnvironment {
    fn from(value: String) -> Self {
        match value.as_str() {
            "sandbox" => Self::Sandbox,
            "production" => Self::Production,
            _ => Self::Unknown(value),
        }
    }
}

/// The provider an event is scoped to (the envelope's `provider`).
///
/// ```
/// let event = osigu::webhooks::parse(br#"{"event_id":"e","event_type":"x.y",
///     "created_at":"2026-03-14T14:20:00Z","data":{},
///     "provider":{"provider_slug":"clinica-norte"}}"#)?;
/// let provider = event.provider.unwrap();
/// assert_eq!(provider.provider_slug.as_deref(), Some("clinica-norte"));
/// assert_eq!(provider.provider_id, None);
/// # Ok::<(), osigu::webhooks::ParseError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Provider {
    /// `provider_id`.
    pub provider_id: Option<String>,
    /// `provider_slug`.
    pub provider_slug: Option<String>,
}

/// An event's `data`, decoded by `event_type`.
///
/// Event types this crate does not know are kept as
/// [`Unknown`](Self::Unknown) rather than refused, and so is the `data` of a
/// documented type that does not fit its typed payload (a field of another
/// JSON type than documented, say): parsing never fails because of `data`.
/// Always keep a catch-all arm.
///
/// ```
/// use osigu::webhooks::{self, EventData};
///
/// let event = webhooks::parse(br#"{"event_id":"e","event_type":"dispensing.completed",
///     "created_at":"2026-03-14T14:22:11Z",
///     "data":{"dispensation_id":"dsp_1","total_amount":37.5}}"#)?;
/// match event.data {
///     EventData::DispensingCompleted(d) => assert_eq!(d.total_amount, Some(37.5)),
///     EventData::Unknown { event_type, .. } => println!("not handled: {event_type}"),
///     _ => {}
/// }
/// # Ok::<(), webhooks::ParseError>(())
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum EventData {
    /// `authorization.created`: a request waiting on the sponsor
    /// (`PENDING_SPONSOR`) got its approval, so its authorization code is
    /// ready to redeem.
    AuthorizationCreated(AuthorizationEvent),
    /// `authorization.rejected`: the sponsor turned the request down.
    AuthorizationRejected(AuthorizationEvent),
    /// `authorization.updated`: the sponsor changed an existing
    /// authorization (payment type, a substituted product, a longer
    /// validity).
    AuthorizationUpdated(AuthorizationEvent),
    /// `authorization.voided`: the authorization no longer holds, whether
    /// the provider or the sponsor voided it or it ran past its expiry.
    AuthorizationVoided(AuthorizationEvent),
    /// `dispensing.started`: a pharmacy started a dispensation against a
    /// code your provider issued.
    DispensingStarted(DispensingEvent),
    /// `dispensing.completed`: a dispensation of a code your provider
    /// issued went through.
    DispensingCompleted(DispensingEvent),
    /// `dispensing.cancelled`: a started dispensation was voided (cancelled
    /// at the pharmacy, or timed out).
    DispensingCancelled(DispensingEvent),
    /// `prescription.issued`: an electronic prescription was created, by
    /// any version of the create call.
    PrescriptionIssued(PrescriptionIssued),
    /// `prescription.email_delivered`: the receiving mail server accepted
    /// the notification to the patient (not that it was read).
    PrescriptionEmailDelivered(PrescriptionEmailEvent),
    /// `prescription.email_failed`: the notification bounced or was
    /// refused.
    PrescriptionEmailFailed(PrescriptionEmailEvent),
    /// `settlement.paid`: the sponsor paid a settlement batch (Dominican
    /// Republic radicación).
    SettlementPaid(SettlementEvent),
    /// `settlement.rejected`: the sponsor rejected a settlement batch.
    SettlementRejected(SettlementEvent),
    /// `settlement.partially_accepted`: the sponsor accepted some claims of
    /// a batch and not others.
    SettlementPartiallyAccepted(SettlementEvent),
    /// An event type this crate does not know, or a known type whose `data`
    /// did not fit its typed payload. `Debug` hides values under keys that
    /// look like patient data.
    Unknown {
        /// The envelope's `event_type`.
        event_type: String,
        /// The envelope's `data`, as sent (`null` when absent).
        data: Value,
    },
}

impl fmt::Debug for EventData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, payload): (&str, &dyn fmt::Debug) = match self {
            Self::AuthorizationCreated(p) => ("AuthorizationCreated", p),
            Self::AuthorizationRejected(p) => ("AuthorizationRejected", p),
            Self::AuthorizationUpdated(p) => ("AuthorizationUpdated", p),
            Self::AuthorizationVoided(p) => ("AuthorizationVoided", p),
            Self::DispensingStarted(p) => ("DispensingStarted", p),
            Self::DispensingCompleted(p) => ("DispensingCompleted", p),
            Self::DispensingCancelled(p) => ("DispensingCancelled", p),
            Self::PrescriptionIssued(p) => ("PrescriptionIssued", p),
            Self::PrescriptionEmailDelivered(p) => ("PrescriptionEmailDelivered", p),
            Self::PrescriptionEmailFailed(p) => ("PrescriptionEmailFailed", p),
            Self::SettlementPaid(p) => ("SettlementPaid", p),
            Self::SettlementRejected(p) => ("SettlementRejected", p),
            Self::SettlementPartiallyAccepted(p) => ("SettlementPartiallyAccepted", p),
            Self::Unknown { event_type, data } => {
                return f
                    .debug_struct("Unknown")
                    .field("event_type", event_type)
                    .field("data", &RedactedJson(data))
                    .finish();
            }
        };
        f.debug_tuple(name).field(payload).finish()
    }
}

/// The `data` of the `authorization.*` events.
///
/// Fields are those of the documented `authorization.created` example, plus
/// `rejection_reason`, which the docs name for `authorization.rejected`
/// (its type is not shown; a string is assumed). The other authorization
/// events have no published example; anything they carry beyond these
/// fields is in `extra`. `Debug` hides `beneficiary_id` and any
/// patient-looking keys in `additional_data` and `extra`.
///
/// ```
/// use osigu::webhooks::{self, EventData};
///
/// let event = webhooks::parse(br#"{"event_id":"e","event_type":"authorization.created",
///     "created_at":"2026-03-14T09:41:27.352Z",
///     "data":{"authorization_code":"AUTH-SBX-004417","beneficiary_id":"bnf_4KT2X9",
///             "products":[{"product_code":"MED-7731","quantity":30}]}}"#)?;
/// let EventData::AuthorizationCreated(auth) = &event.data else { unreachable!() };
/// assert_eq!(auth.authorization_code.as_deref(), Some("AUTH-SBX-004417"));
/// assert_eq!(auth.products[0].quantity, Some(30));
/// assert!(!format!("{event:?}").contains("bnf_4KT2X9"));
/// # Ok::<(), webhooks::ParseError>(())
/// ```
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct AuthorizationEvent {
    /// `authorization_id`.
    pub authorization_id: Option<String>,
    /// `authorization_code`: what a pharmacy redeems.
    pub authorization_code: Option<String>,
    /// `authorization_request_id`: the request the sponsor decided on.
    pub authorization_request_id: Option<String>,
    /// `beneficiary_id`: the patient. Hidden in `Debug`.
    pub beneficiary_id: Option<String>,
    /// `sponsor_slug`.
    pub sponsor_slug: Option<String>,
    /// `product_type`, e.g. `"MEDICATION"`.
    pub product_type: Option<String>,
    /// `products`: what was authorized (empty when absent).
    #[serde(deserialize_with = "null_as_empty")]
    pub products: Vec<AuthorizedProduct>,
    /// `expires_at`: when the authorization stops being redeemable.
    pub expires_at: Option<DateTime<Utc>>,
    /// `sponsor_reference`: the sponsor's own reference.
    pub sponsor_reference: Option<String>,
    /// `additional_data`: sponsor-specific extras, as sent.
    pub additional_data: Option<Value>,
    /// `rejection_reason`: why the sponsor said no (`authorization.rejected`).
    pub rejection_reason: Option<String>,
    /// Fields not listed above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One line of [`AuthorizationEvent::products`].
///
/// ```
/// let p: osigu::webhooks::AuthorizedProduct = serde_json::from_str(
///     r#"{"product_code":"MED-7731","quantity":30,"posology":"one capsule three times a day"}"#).unwrap();
/// assert_eq!(p.posology.as_deref(), Some("one capsule three times a day"));
/// ```
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct AuthorizedProduct {
    /// `product_code`.
    pub product_code: Option<String>,
    /// `quantity`.
    pub quantity: Option<i64>,
    /// `posology`: dosage instructions, e.g. `"one capsule three times a day"`.
    pub posology: Option<String>,
    /// Fields not listed above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `data` of the `dispensing.*` events.
///
/// Fields are those of the documented `dispensing.started` and
/// `dispensing.completed` examples; `dispensing.cancelled` has no published
/// example and is assumed to share them. Anything else is in `extra`.
/// `Debug` hides `beneficiary_id`.
///
/// ```
/// use osigu::webhooks::{self, CodeType, EventData};
///
/// let event = webhooks::parse(br#"{"event_id":"e","event_type":"dispensing.started",
///     "created_at":"2026-03-14T14:20:00Z",
///     "data":{"dispensation_id":"dsp_1","code_type":"PRESCRIPTION",
///             "pharmacy":{"provider_slug":"farmacia-centro"}}}"#)?;
/// let EventData::DispensingStarted(d) = &event.data else { unreachable!() };
/// assert_eq!(d.code_type, Some(CodeType::Prescription));
/// assert_eq!(d.pharmacy.as_ref().unwrap().provider_slug.as_deref(), Some("farmacia-centro"));
/// # Ok::<(), webhooks::ParseError>(())
/// ```
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DispensingEvent {
    /// `dispensation_id`.
    pub dispensation_id: Option<String>,
    /// `code`: the authorization or prescription code being redeemed.
    pub code: Option<String>,
    /// `code_type`: what kind of code `code` is.
    pub code_type: Option<CodeType>,
    /// `authorization_id`, when the code is an authorization.
    pub authorization_id: Option<String>,
    /// `prescription_id`, when the code is a prescription.
    pub prescription_id: Option<String>,
    /// `beneficiary_id`: the patient. Hidden in `Debug`.
    pub beneficiary_id: Option<String>,
    /// `sponsor_slug`.
    pub sponsor_slug: Option<String>,
    /// `pharmacy`: who is dispensing.
    pub pharmacy: Option<Pharmacy>,
    /// `products`: what is dispensed (empty when absent).
    #[serde(deserialize_with = "null_as_empty")]
    pub products: Vec<DispensedProduct>,
    /// `total_amount` (`dispensing.completed`).
    pub total_amount: Option<f64>,
    /// `started_at` (`dispensing.started`).
    pub started_at: Option<DateTime<Utc>>,
    /// Fields not listed above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What kind of code a dispensation redeems.
///
/// ```
/// use osigu::webhooks::CodeType;
/// assert_eq!(CodeType::from("AUTHORIZATION".to_string()), CodeType::Authorization);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "String")]
#[non_exhaustive]
pub enum CodeType {
    /// `"AUTHORIZATION"`: a pre-authorization code.
    Authorization,
    /// `"PRESCRIPTION"`: an electronic-prescription code.
    Prescription,
    /// Any other value, as sent.
    Unknown(String),
}

impl From<String> for CodeType {
    fn from(value: String) -> Self {
        match value.as_str() {
            "AUTHORIZATION" => Self::Authorization,
            "PRESCRIPTION" => Self::Prescription,
            _ => Self::Unknown(value),
        }
    }
}

/// The pharmacy of a [`DispensingEvent`].
///
/// ```
/// let p: osigu::webhooks::Pharmacy =
///     serde_json::from_str(r#"{"provider_slug":"farmacia-centro","branch_id":"branch_1"}"#).unwrap();
/// assert_eq!(p.branch_id.as_deref(), Some("branch_1"));
/// ```
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Pharmacy {
    /// `provider_slug` of the pharmacy.
    pub provider_slug: Option<String>,
    /// `branch_id`: which of its branches.
    pub branch_id: Option<String>,
    /// Fields not listed above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One line of [`DispensingEvent::products`].
///
/// ```
/// let p: osigu::webhooks::DispensedProduct =
///     serde_json::from_str(r#"{"product_code":"MED-7731","quantity":30,"unit_price":12.5}"#).unwrap();
/// assert_eq!(p.unit_price, Some(12.5));
/// ```
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DispensedProduct {
    /// `product_code`.
    pub product_code: Option<String>,
    /// `quantity`.
    pub quantity: Option<i64>,
    /// `unit_price` (`dispensing.completed`).
    pub unit_price: Option<f64>,
    /// Fields not listed above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `data` of `prescription.issued`, as in the documented example.
///
/// `Debug` hides the patient and the diagnoses.
///
/// ```
/// use osigu::webhooks::{self, EventData};
///
/// let event = webhooks::parse(br#"{"event_id":"e","event_type":"prescription.issued",
///     "created_at":"2026-03-14T16:00:00Z",
///     "data":{"prescription_code":"RX-SBX-0305","version":"v2",
///             "patient":{"patient_id":"pat_1","first_name":"Ana"}}}"#)?;
/// let EventData::PrescriptionIssued(rx) = &event.data else { unreachable!() };
/// assert_eq!(rx.version.as_deref(), Some("v2"));
/// assert_eq!(rx.patient.as_ref().unwrap().first_name.as_deref(), Some("Ana"));
/// assert!(!format!("{rx:?}").contains("Ana"));
/// # Ok::<(), webhooks::ParseError>(())
/// ```
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PrescriptionIssued {
    /// `prescription_id`.
    pub prescription_id: Option<String>,
    /// `prescription_code`: what a pharmacy redeems.
    pub prescription_code: Option<String>,
    /// `version`: which create call made it (`"v1"`, `"v1.1"` or `"v2"`).
    pub version: Option<String>,
    /// `patient`. Hidden in `Debug`.
    pub patient: Option<Patient>,
    /// `doctor`.
    pub doctor: Option<Doctor>,
    /// `diagnoses` (empty when absent). Hidden in `Debug`.
    #[serde(deserialize_with = "null_as_empty")]
    pub diagnoses: Vec<Diagnosis>,
    /// `medications` (empty when absent).
    #[serde(deserialize_with = "null_as_empty")]
    pub medications: Vec<PrescribedMedication>,
    /// `issued_at`.
    pub issued_at: Option<DateTime<Utc>>,
    /// Fields not listed above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The patient of a [`PrescriptionIssued`]. `Debug` shows only which
/// fields are present.
///
/// ```
/// let p: osigu::webhooks::Patient =
///     serde_json::from_str(r#"{"patient_id":"pat_1","last_name":"López"}"#).unwrap();
/// assert_eq!(p.last_name.as_deref(), Some("López"));
/// assert!(!format!("{p:?}").contains("López"));
/// ```
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Patient {
    /// `patient_id`.
    pub patient_id: Option<String>,
    /// `first_name`.
    pub first_name: Option<String>,
    /// `last_name`.
    pub last_name: Option<String>,
    /// Fields not listed above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The prescribing doctor of a [`PrescriptionIssued`].
///
/// ```
/// let d: osigu::webhooks::Doctor =
///     serde_json::from_str(r#"{"doctor_id":"doc_1","medical_board_registration":"MP-40817"}"#).unwrap();
/// assert_eq!(d.medical_board_registration.as_deref(), Some("MP-40817"));
/// ```
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Doctor {
    /// `doctor_id`.
    pub doctor_id: Option<String>,
    /// `medical_board_registration`: the doctor's licence number.
    pub medical_board_registration: Option<String>,
    /// Fields not listed above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One diagnosis of a [`PrescriptionIssued`]. Hidden in `Debug`.
///
/// ```
/// let d: osigu::webhooks::Diagnosis = serde_json::from_str(r#"{"diagnosis_code":"R51"}"#).unwrap();
/// assert_eq!(d.diagnosis_code.as_deref(), Some("R51"));
/// ```
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Diagnosis {
    /// `diagnosis_code`, e.g. an ICD-10 code.
    pub diagnosis_code: Option<String>,
    /// Fields not listed above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One medication of a [`PrescriptionIssued`].
///
/// ```
/// let m: osigu::webhooks::PrescribedMedication = serde_json::from_str(
///     r#"{"product_code":"MED-7731","quantity":30,"posology":"one capsule three times a day","duration_days":10}"#).unwrap();
/// assert_eq!(m.duration_days, Some(10));
/// ```
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PrescribedMedication {
    /// `product_code`.
    pub product_code: Option<String>,
    /// `quantity`.
    pub quantity: Option<i64>,
    /// `posology`: dosage instructions.
    pub posology: Option<String>,
    /// `duration_days`: length of the treatment.
    pub duration_days: Option<i64>,
    /// Fields not listed above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `data` of `prescription.email_delivered` and
/// `prescription.email_failed`.
///
/// Fields are those of the documented `email_delivered` example;
/// `email_failed` has no published example and is assumed to share them
/// (the reason for a failure, if Osigu sends one, is in `extra`). `Debug`
/// hides `email`.
///
/// ```
/// use osigu::webhooks::{self, EventData};
///
/// let event = webhooks::parse(br#"{"event_id":"e","event_type":"prescription.email_failed",
///     "created_at":"2026-03-14T16:00:12Z",
///     "data":{"prescription_id":"rx_1","email":"marta.q@example.org","reason":"mailbox full"}}"#)?;
/// let EventData::PrescriptionEmailFailed(mail) = &event.data else { unreachable!() };
/// assert_eq!(mail.extra["reason"], "mailbox full");
/// assert!(!format!("{mail:?}").contains("marta.q@example.org"));
/// # Ok::<(), webhooks::ParseError>(())
/// ```
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PrescriptionEmailEvent {
    /// `prescription_id`.
    pub prescription_id: Option<String>,
    /// `prescription_code`.
    pub prescription_code: Option<String>,
    /// `email`: the patient's address. Hidden in `Debug`.
    pub email: Option<String>,
    /// `delivered_at` (`prescription.email_delivered`).
    pub delivered_at: Option<DateTime<Utc>>,
    /// Fields not listed above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `data` of the `settlement.*` events.
///
/// Osigu names these events but publishes no payload for them. The typed
/// fields are a guess taken from the settlement-batch resource of the
/// radicación guide; treat them as unconfirmed and look in `extra` for
/// everything else.
///
/// ```
/// use osigu::webhooks::{self, EventData};
///
/// let event = webhooks::parse(br#"{"event_id":"e","event_type":"settlement.rejected",
///     "created_at":"2026-03-14T14:15:00Z",
///     "data":{"settlement_id":"stl_1","status":"REJECTED"}}"#)?;
/// let EventData::SettlementRejected(s) = &event.data else { unreachable!() };
/// assert_eq!(s.status.as_deref(), Some("REJECTED"));
/// # Ok::<(), webhooks::ParseError>(())
/// ```
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SettlementEvent {
    /// `settlement_id`.
    pub settlement_id: Option<String>,
    /// `status` of the batch, e.g. `"ACCEPTED"`, `"REJECTED"`,
    /// `"PARTIALLY_ACCEPTED"`.
    pub status: Option<String>,
    /// `sponsor_slug`.
    pub sponsor_slug: Option<String>,
    /// Fields not listed above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why a body could not be read as an event envelope.
///
/// Only the envelope can fail to parse: a body that is not JSON, or one
/// without a string `event_id` or `event_type`, or without an RFC 3339
/// `created_at`. `data` never causes this error (see [`EventData`]).
///
/// ```
/// let err = osigu::webhooks::parse(b"not json").unwrap_err();
/// assert!(err.to_string().starts_with("not an Osigu webhook event"));
/// ```
#[derive(Debug)]
pub struct ParseError {
    source: serde_json::Error,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an Osigu webhook event: {}", self.source)
    }
}

impl StdError for ParseError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

/// The envelope as sent, before `data` is decoded.
#[derive(Deserialize)]
struct Envelope {
    event_id: String,
    event_type: String,
    created_at: DateTime<Utc>,
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    environment: Option<EventEnvironment>,
    #[serde(default)]
    provider: Option<Provider>,
    #[serde(default)]
    data: Value,
}

/// Parses a delivery's raw body into an [`Event`]. It does not check the
/// signature: call [`verify`](super::verify) first, or use
/// [`verify_and_parse`](super::verify_and_parse).
///
/// Besides the documented fields, the envelope may carry others; they are
/// ignored.
///
/// ```
/// use osigu::webhooks::{self, EventData};
///
/// let event = webhooks::parse(br#"{"event_id":"evt_9","event_type":"claim.audited",
///     "created_at":"2026-03-14T14:22:11Z","data":{"claim_id":"clm_1"}}"#)?;
/// let EventData::Unknown { event_type, data } = event.data else { unreachable!() };
/// assert_eq!(event_type, "claim.audited");
/// assert_eq!(data["claim_id"], "clm_1");
/// # Ok::<(), webhooks::ParseError>(())
/// ```
pub fn parse(raw_body: &[u8]) -> Result<Event, ParseError> {
    let envelope: Envelope =
        serde_json::from_slice(raw_body).map_err(|source| ParseError { source })?;
    let data = decode_data(&envelope.event_id, &envelope.event_type, envelope.data);
    Ok(Event {
        id: envelope.event_id,
        event_type: envelope.event_type,
        created_at: envelope.created_at,
        version: envelope.api_version,
        environment: envelope.environment,
        provider: envelope.provider,
        data,
    })
}

fn decode_data(event_id: &str, event_type: &str, data: Value) -> EventData {
    fn typed<'a, T: Deserialize<'a>>(
        data: &'a Value,
        wrap: fn(T) -> EventData,
    ) -> Option<EventData> {
        T::deserialize(data).ok().map(wrap)
    }
    let decoded = match event_type {
        "authorization.created" => typed(&data, EventData::AuthorizationCreated),
        "authorization.rejected" => typed(&data, EventData::AuthorizationRejected),
        "authorization.updated" => typed(&data, EventData::AuthorizationUpdated),
        "authorization.voided" => typed(&data, EventData::AuthorizationVoided),
        "dispensing.started" => typed(&data, EventData::DispensingStarted),
        "dispensing.completed" => typed(&data, EventData::DispensingCompleted),
        "dispensing.cancelled" => typed(&data, EventData::DispensingCancelled),
        "prescription.issued" => typed(&data, EventData::PrescriptionIssued),
        "prescription.email_delivered" => typed(&data, EventData::PrescriptionEmailDelivered),
        "prescription.email_failed" => typed(&data, EventData::PrescriptionEmailFailed),
        "settlement.paid" => typed(&data, EventData::SettlementPaid),
        "settlement.rejected" => typed(&data, EventData::SettlementRejected),
        "settlement.partially_accepted" => typed(&data, EventData::SettlementPartiallyAccepted),
        _ => {
            return EventData::Unknown {
                event_type: event_type.to_owned(),
                data,
            };
        }
    };
    decoded.unwrap_or_else(|| {
        // The serde message is left out: it can quote a field's value.
        tracing::warn!(
            event_id,
            event_type,
            "webhook data does not match the documented shape; kept as EventData::Unknown"
        );
        EventData::Unknown {
            event_type: event_type.to_owned(),
            data,
        }
    })
}

/// `null` (or an absent field, with `#[serde(default)]`) as an empty list.
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

// ---- Debug without patient data ------------------------------------------

/// Prints `[redacted]`.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Shows whether an optional field is present, never its value.
struct RedactedOption(bool);

impl fmt::Debug for RedactedOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "Some([redacted])" } else { "None" })
    }
}

/// Shows how many entries a list has, never their values.
struct RedactedList(usize);

impl fmt::Debug for RedactedList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} redacted]", self.0)
    }
}

/// JSON with the values under patient-looking keys replaced.
struct RedactedJson<'a>(&'a Value);

impl fmt::Debug for RedactedJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Object(map) => RedactedMap(map).fmt(f),
            Value::Array(items) => f
                .debug_list()
                .entries(items.iter().map(RedactedJson))
                .finish(),
            scalar => write!(f, "{scalar}"),
        }
    }
}

/// A JSON object with the values under patient-looking keys replaced.
struct RedactedMap<'a>(&'a Map<String, Value>);

impl fmt::Debug for RedactedMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_map();
        for (key, value) in self.0 {
            if is_sensitive_key(key) {
                out.entry(key, &Redacted);
            } else {
                out.entry(key, &RedactedJson(value));
            }
        }
        out.finish()
    }
}

/// Whether a JSON key names patient identity or clinical data. Errs on the
/// side of hiding: this only affects `Debug` output.
fn is_sensitive_key(key: &str) -> bool {
    const CONTAINS: &[&str] = &[
        "beneficiary",
        "patient",
        "document",
        "email",
        "phone",
        "birth",
        "identification",
        "identity",
        "national_id",
        "address",
        "diagnos",
        "insured",
        "affiliate",
        "member",
        "first_name",
        "last_name",
        "full_name",
    ];
    const EXACT: &[&str] = &["name", "pin", "otp", "otp_code", "dni", "ssn", "cui", "nit"];
    let key = key.to_ascii_lowercase();
    CONTAINS.iter().any(|part| key.contains(part)) || EXACT.contains(&key.as_str())
}

/// `Debug` for a payload struct, field by field: `shown` as derived,
/// `hidden` (an `Option`) as presence only, `hidden_list` as a count,
/// `json` and `extra` with patient-looking keys hidden.
macro_rules! redacting_debug {
    ($ty:ident { $($field:ident: $how:ident),* $(,)? }) => {
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut out = f.debug_struct(stringify!($ty));
                $( redacting_debug!(@field out, self.$field, $field, $how); )*
                out.finish()
            }
        }
    };
    (@field $out:ident, $value:expr, $field:ident, shown) => {
        $out.field(stringify!($field), &$value);
    };
    (@field $out:ident, $value:expr, $field:ident, hidden) => {
        $out.field(stringify!($field), &RedactedOption($value.is_some()));
    };
    (@field $out:ident, $value:expr, $field:ident, hidden_list) => {
        $out.field(stringify!($field), &RedactedList($value.len()));
    };
    (@field $out:ident, $value:expr, $field:ident, json) => {
        $out.field(stringify!($field), &$value.as_ref().map(RedactedJson));
    };
    (@field $out:ident, $value:expr, $field:ident, extra) => {
        $out.field(stringify!($field), &RedactedMap(&$value));
    };
}

redacting_debug!(AuthorizationEvent {
    authorization_id: shown,
    authorization_code: shown,
    authorization_request_id: shown,
    beneficiary_id: hidden,
    sponsor_slug: shown,
    product_type: shown,
    products: shown,
    expires_at: shown,
    sponsor_reference: shown,
    additional_data: json,
    rejection_reason: shown,
    extra: extra,
});

redacting_debug!(DispensingEvent {
    dispensation_id: shown,
    code: shown,
    code_type: shown,
    authorization_id: shown,
    prescription_id: shown,
    beneficiary_id: hidden,
    sponsor_slug: shown,
    pharmacy: shown,
    products: shown,
    total_amount: shown,
    started_at: shown,
    extra: extra,
});

redacting_debug!(PrescriptionIssued {
    prescription_id: shown,
    prescription_code: shown,
    version: shown,
    patient: shown,
    doctor: shown,
    diagnoses: hidden_list,
    medications: shown,
    issued_at: shown,
    extra: extra,
});

redacting_debug!(Patient {
    patient_id: hidden,
    first_name: hidden,
    last_name: hidden,
    extra: hidden_list,
});

redacting_debug!(Diagnosis {
    diagnosis_code: hidden,
    extra: hidden_list,
});

redacting_debug!(PrescriptionEmailEvent {
    prescription_id: shown,
    prescription_code: shown,
    email: hidden,
    delivered_at: shown,
    extra: extra,
});

redacting_debug!(SettlementEvent {
    settlement_id: shown,
    status: shown,
    sponsor_slug: shown,
    extra: extra,
});

redacting_debug!(AuthorizedProduct {
    product_code: shown,
    quantity: shown,
    posology: shown,
    extra: extra,
});

redacting_debug!(Pharmacy {
    provider_slug: shown,
    branch_id: shown,
    extra: extra,
});

redacting_debug!(DispensedProduct {
    product_code: shown,
    quantity: shown,
    unit_price: shown,
    extra: extra,
});

redacting_debug!(Doctor {
    doctor_id: shown,
    medical_board_registration: shown,
    extra: extra,
});

redacting_debug!(PrescribedMedication {
    product_code: shown,
    quantity: shown,
    posology: shown,
    duration_days: shown,
    extra: extra,
});

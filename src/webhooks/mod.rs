//! Receiving Osigu webhooks: check the signature, parse the event, drop
//! redeliveries.
//!
//! Osigu reports what happens asynchronously (a sponsor deciding on a
//! `PENDING_SPONSOR` request, a pharmacy redeeming a code you issued, a
//! prescription e-mail reaching or missing the patient, a settlement batch
//! being paid) by POSTing a JSON event to an HTTPS endpoint you register.
//! What this module does with a delivery:
//!
//! 1. **Signature.** Each request carries
//!    `X-Osigu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the HMAC
//!    being of `"<t>.<raw body>"` under your subscription's signing secret.
//!    [`verify`] (or a configured [`Verifier`]) recomputes it over the
//!    *exact bytes* received, compares in constant time, accepts any of
//!    several `v1=` values (Osigu sends one per secret while it rotates
//!    them), and refuses timestamps more than five minutes from your clock
//!    either way. Read the body as bytes and verify before any JSON
//!    parsing: re-serialised JSON does not match.
//! 2. **Parsing.** [`parse`] reads the envelope into an [`Event`] and
//!    decodes `data` by `event_type` into [`EventData`]. Unknown event
//!    types are kept, not refused. [`verify_and_parse`] does both steps.
//! 3. **Deduplication.** Delivery is at least once; [`Deduplicator`]
//!    remembers recent `event_id`s, within bounded memory, per process.
//!
//! Osigu waits 10 seconds for an answer and retries any non-`2xx` (or no
//! answer) with backoff for 72 hours. Answer `2xx` once the event is safely
//! stored or queued, and do slow work afterwards.
//!
//! # A receiver
//!
//! Framework-neutral; wire `receive` to your router with the header value
//! and the raw body.
//!
//! ```
//! use std::time::SystemTime;
//! use osigu::webhooks::{self, Deduplicator, Delivery, EventData, Verifier, WebhookError};
//!
//! struct Receiver {
//!     verifier: Verifier,
//!     seen: Deduplicator,
//! }
//!
//! impl Receiver {
//!     /// Returns the HTTP status to answer with.
//!     fn receive(&self, signature: Option<&str>, body: &[u8]) -> u16 {
//!         let event = match self.verifier.verify_and_parse(signature.unwrap_or(""), body, SystemTime::now()) {
//!             Ok(event) => event,
//!             Err(WebhookError::Signature(_)) => return 401,
//!             Err(_) => return 400,
//!         };
//!         let claim = match self.seen.begin(&event.id) {
//!             Delivery::New(claim) => claim,
//!             Delivery::Handled => return 200, // a redelivery, already handled
//!             Delivery::InFlight => return 409, // being handled: Osigu retries later
//!         };
//!         let handled = match &event.data {
//!             EventData::AuthorizationCreated(auth) => {
//!                 println!("approved: {:?}", auth.authorization_code);
//!                 true
//!             }
//!             EventData::DispensingCompleted(dispensation) => {
//!                 println!("redeemed: {:?}", dispensation.code);
//!                 true
//!             }
//!             _ => true, // not interesting to this receiver
//!         };
//!         if handled {
//!             claim.handled();
//!             200
//!         } else {
//!             500 // the claim is dropped: Osigu's retry gets through
//!         }
//!     }
//! }
//!
//! let receiver = Receiver {
//!     verifier: Verifier::new("whsec_example"),
//!     seen: Deduplicator::default(),
//! };
//! let body = br#"{"event_id":"evt_1","event_type":"authorization.created",
//!     "created_at":"2026-03-14T09:41:27.352Z","data":{"authorization_code":"AUTH-SBX-004417"}}"#;
//! let header = webhooks::sign(&"whsec_example".into(), SystemTime::now(), body);
//!
//! assert_eq!(receiver.receive(Some(&header), body), 200);
//! assert_eq!(receiver.receive(None, body), 401);
//! ```
//!
//! # What is documented and what is assumed
//!
//! The event payloads follow Osigu's webhook-event pages. Where a page
//! shows an example its fields are typed; event types with no published
//! example (`authorization.updated`, `authorization.voided`,
//! `dispensing.cancelled`, `prescription.email_failed`) are assumed to
//! share their family's fields, and the `settlement.*` payload is a guess
//! from the settlement-batch resource. Every typed field is optional and
//! everything else a payload carries is kept in its `extra` map.

#![warn(missing_docs)]

mod dedup;
mod events;
mod signature;

pub use dedup::{Claim, DEFAULT_DEDUP_CAPACITY, DEFAULT_DEDUP_TTL, Deduplicator, Delivery};
pub use events::{
    AuthorizationEvent, AuthorizedProduct, CodeType, Diagnosis, DispensedProduct, DispensingEvent,
    Doctor, Event, EventData, EventEnvironment, KNOWN_EVENT_TYPES, ParseError, Patient, Pharmacy,
    PrescribedMedication, PrescriptionEmailEvent, PrescriptionIssued, Provider, SettlementEvent,
    parse,
};
pub use signature::{
    DEFAULT_TOLERANCE, SIGNATURE_HEADER, SignatureError, Verifier, WebhookError, WebhookSecret,
    sign, verify, verify_and_parse, verify_now,
};

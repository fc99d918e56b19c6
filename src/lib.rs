//! # osigu
//!
//! Rust SDK for the [Osigu](https://osigu.com) health-payments API: ARC
//! (pre-authorizations, claims, dispensing, settlement batches) and
//! ePrescription, plus the shared OTP, beneficiary-lookup and catalogue
//! operations.
//!
//! The client ([`Client`], its builders in [`builder`], the schemas in
//! [`types`]) is produced at build time from the crate's `openapi.json` by
//! [progenitor](https://docs.rs/progenitor). Every
//! operation is a builder: set what you need, then `send()`. Optional
//! parameters the API adds later become new builder methods, so upgrading
//! does not break calls that compile today.
//!
//! `openapi.json` is, for now, a reconstruction from Osigu's public
//! documentation pages rather than the official spec; each operation's
//! rustdoc says whether its shape is documented or inferred.
//!
//! ```no_run
//! # async fn demo() -> Result<(), osigu::Error> {
//! let osigu = osigu::Osigu::from_env()?; // OSIGU_CLIENT_ID, OSIGU_CLIENT_SECRET, OSIGU_ENVIRONMENT
//! let products = osigu
//!     .list_provider_products()
//!     .product_type("MEDICATION")
//!     .send()
//!     .await?;
//! println!("{} products on this page", products.content.len());
//! # Ok(())
//! # }
//! ```
//!
//! [`Osigu`] handles the access token (fetched once, shared by clones,
//! refreshed before it expires), retries ([`RetryPolicy`]), client-side rate
//! limits ([`RateLimits`]) and a `tracing` span per call. Every failure
//! converts into one [`Error`] with `?`.
//!
//! [`webhooks`] is the receiving side: it verifies the signature of the
//! events Osigu POSTs to you, parses them, and drops redeliveries.
//!
//! ## Many processes on one `client_id`
//!
//! Osigu's limits are per `client_id`. Processes that share one share its
//! token and its limits through Redis with the `redis` feature (and
//! `redis-tls` for `rediss://`): build a `fleet::RedisFleet` and pass it to
//! `OsiguBuilder::redis_fleet`. Nothing connects until first use, and a
//! Redis that is down falls back to per-process limits.
//!
//! ```toml
//! osigu = { version = "0.1", features = ["redis"] }
//! ```
//!
//! ```
//! # #[cfg(feature = "redis")]
//! # fn main() -> Result<(), osigu::Error> {
//! let fleet = osigu::fleet::RedisFleet::builder("redis://127.0.0.1:6379/0")
//!     .client(&osigu::Environment::Sandbox, "my-client-id", "my-client-secret")
//!     .build()?;
//! let osigu = osigu::Osigu::builder()
//!     .credentials("my-client-id", "my-client-secret")
//!     .redis_fleet(&fleet)
//!     .build()?;
//! # Ok(())
//! # }
//! # // Without the feature there is no fleet to build.
//! # #[cfg(not(feature = "redis"))]
//! # fn main() {}
//! ```
//!
//! ## Building request bodies
//!
//! Every body type has a builder. One with required fields starts from
//! them, `types::X::builder(required…)`, so a body missing one does not
//! compile; optional fields are set by name with plain values (no
//! `Some(…)`, no `.to_owned()`), lists take any iterable of values or
//! nested builders, and any parameter or text field takes what displays as
//! text, such as a numeric id returned by an earlier call.
//!
//! ```no_run
//! # async fn demo(osigu: &osigu::Osigu) -> Result<(), osigu::Error> {
//! use osigu::types;
//! let invoice = types::CompleteDispensationRequest::builder(25.0, chrono::Utc::now(), "F-0001")
//!     .provider_transaction_id("POS-7781");
//! let done = osigu.complete_dispensation().id("dsp_1").body(invoice).send().await?;
//! println!("{:?}", done.status);
//! # Ok(()) }
//! ```
//!
//! Leaving out a required field is a compile error (E0061, a missing
//! argument), not a failure at run time:
//!
//! ```compile_fail,E0061
//! // Validating an OTP needs both the code and the challenge it answers.
//! let body = osigu::types::ValidateOtpRequest::builder("918273");
//! ```
//!
//! ## The hand-written layer
//!
//! Everything the SDK adds beside the generated calls follows one rule, so
//! a reader can guess a name before looking it up:
//!
//! - Generated calls are named after the operation (`complete_dispensation`)
//!   and return a builder finished with `.send()`.
//! - A helper that finishes a generated builder differently is a method of
//!   that builder named `send_and_<what it does next>`:
//!   [`send_and_read`](builder::CreateAuthorizationRequest::send_and_read)
//!   follows the `Location` of a create, `send_and_wait` polls a monitor.
//! - A helper of its own is a method of [`Osigu`] named verb then object
//!   (`send_otp_code`, `validate_otp_code`, `register_product`); it takes at
//!   most two arguments and returns `Result<_, Error>`. One that needs more
//!   returns a builder finished with `.send()`, like a generated call.
//! - Proofs go into typed bodies, not beside them: an [`OtpVerification`]
//!   converts into a `types::ExternalVerification`, so
//!   `.external_verifications([&proof])` carries it.
//! - Each type is exported once: generated ones under [`types`] and
//!   [`builder`], hand-written ones at the crate root.
//!
#![doc = include_str!(concat!(env!("OUT_DIR"), "/operations.md"))]
#![forbid(unsafe_code)]

// The client generated from `openapi.json`, re-exported once at the crate
// root: `Client`, `builder` (one per operation) and `types` (every schema).
// Enums are open: a value the API adds later deserialises into their
// `Unknown(String)` variant instead of failing the whole response.
#[allow(
    missing_docs,
    unused_imports,
    unused_mut,
    clippy::all,
    clippy::pedantic,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/osigu_client.rs"));
}

mod auth;
mod bodies;
mod engine;
mod error;
#[cfg(feature = "redis")]
pub mod fleet;
mod follow;
mod monitor;
pub mod operations;
mod osigu;
mod otp;
mod pagination;
mod products;
mod rate_limit;
mod raw;
mod retry;
mod routing;
mod transport;
mod uploads;
pub mod webhooks;

pub use auth::{AccessToken, Lease, MemoryTokenStore, SharedFailure, StoreFuture, TokenStore};
pub use engine::Hooks;
pub use error::{ApiError, Error, FieldError, Stage};
pub use follow::LOOKUP_POLLING;
pub use generated::{Client, builder, types};
pub use monitor::Polling;
pub use osigu::{DEFAULT_MAX_RESPONSE_SIZE, Environment, Osigu, OsiguBuilder};
pub use otp::{OtpVerification, Verification};
pub use pagination::{MAX_PAGES, Paged, paginate};
pub use products::{ALREADY_REGISTERED, Registration};
pub use rate_limit::{LimiterFuture, LocalRateLimiter, Rate, RateLimiter, RateLimits};
pub use retry::RetryPolicy;
pub use routing::{ApiVersion, Market, PrescriptionRequest, PrescriptionRoute};
pub use uploads::{MAX_UPLOAD_BYTES, Upload};

/// Keeps the README's example compiling.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

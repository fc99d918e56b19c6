//! # osigu
//!
//! Rust SDK for the [Osigu](https://osigu.com) health-payments API: ARC
//! (pre-authorizations, claims, dispensing, settlement batches) and
//! ePrescription, plus the shared OTP, beneficiary-lookup and catalogue
//! operations.
//!
//! The client in [`generated`] is produced at build time from the crate's
//! `openapi.json` by [progenitor](https://docs.rs/progenitor). Every
//! operation is a builder: set what you need, then `send()`. Optional
//! parameters the API adds later become new builder methods, so upgrading
//! does not break calls that compile today.
//!
//! `openapi.json` is, for now, a reconstruction from Osigu's public
//! documentation pages rather than the official spec; each operation's
//! rustdoc says whether its shape is documented or inferred.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = osigu::client("https://sandbox.osigu.com")?;
//! let products = client
//!     .list_provider_products()
//!     .product_type("MEDICATION")
//!     .send()
//!     .await?;
//! println!("{:?}", products.into_inner());
//! # Ok(())
//! # }
//! ```
//!
#![doc = include_str!(concat!(env!("OUT_DIR"), "/operations.md"))]
#![forbid(unsafe_code)]

/// The client generated from `openapi.json`: [`Client`], one builder per
/// operation in [`builder`], and every request and response schema in
/// [`types`].
///
/// Enums are open: a value the API adds later deserialises into their
/// `Unknown(String)` variant instead of failing the whole response.
#[allow(
    missing_docs,
    unused_imports,
    clippy::all,
    clippy::pedantic,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/osigu_client.rs"));
}

mod transport;

pub use generated::{Client, types};
pub use transport::client;

/// Keeps the README's example compiling.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

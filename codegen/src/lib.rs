//! Build-time code generation for the `osigu` SDK.
//!
//! Three pure steps, each taking what the caller hands in and doing no I/O:
//!
//! 1. [`normalise()`] rewrites a springdoc-style OpenAPI 3.0.x document into one
//!    that progenitor 0.15 accepts, and reports every change with its reason.
//! 2. [`generate()`] runs progenitor over the normalised document and formats the
//!    client with prettyplease. Enums come out open (unknown values are
//!    kept) and API types non-exhaustive, so upstream additions stay additive.
//!    Multipart operations, which progenitor cannot send, are completed by
//!    the codegen itself: a setter per part and a `send()` that posts the
//!    form (a plain client needs `reqwest` with its `multipart` feature).
//! 3. [`surface()`] summarises the generated client, one line per operation,
//!    and [`rust_api()`] lists its public items.
//!
//! ```
//! let raw = serde_json::json!({
//!     "openapi": "3.0.1",
//!     "info": { "title": "demo", "version": "1" },
//!     "paths": { "/ping": { "get": {
//!         "operationId": "ping",
//!         "responses": { "200": { "description": "ok",
//!             "content": { "*/*": { "schema": { "type": "string" } } } } }
//!     } } }
//! });
//! let normalised = osigu_codegen::normalise(&raw)?;
//! assert!(normalised.report.to_string().contains("wildcard-media-type"));
//! let generated = osigu_codegen::generate(&normalised.spec, &Default::default())?;
//! let surface = osigu_codegen::surface(&normalised, &generated)?;
//! assert!(surface.to_string().contains("ping GET /ping -> ping()"));
//! # Ok::<(), osigu_codegen::CodegenError>(())
//! ```

mod build_per_attempt;
mod canonical;
mod error;
mod generate;
mod ident;
mod multipart;
mod non_exhaustive;
mod normalise;
mod open_enums;
mod operations_table;
mod pins;
mod redact;
mod release;
mod report;
mod rust_api;
mod rust_text;
mod sdk;
mod semantics;
mod send_path;
mod setters;
mod spec;
mod surface;
#[cfg(test)]
mod test_support;

pub use canonical::canonical_json;
pub use error::{CodegenError, OperationRef};
pub use generate::{GenerateOptions, Generated, generate};
pub use normalise::{HandWritten, Normalised, normalise};
pub use operations_table::operations_table;
pub use pins::{Rename, UPSTREAM_ID, maintain_pins, overlay_text, renames};
pub use redact::{SENSITIVE_FIELDS, SENSITIVE_IN_TYPES, SENSITIVE_SUFFIXES, is_sensitive};
pub use release::{
    ApiChange, EnumValueChange, OperationChange, Release, ReleaseSummary, SchemaChange, Verdict,
    release_summary,
};
pub use report::{Change, Report, Rule, Target};
pub use rust_api::{RustApi, RustItem, rust_api};
pub use sdk::{SdkFiles, sdk_files, sdk_pipeline};
pub use semantics::{Bucket, Overlaid, Reconcile, Semantics, WriteClass, apply_overlay};
pub use send_path::EnginePaths;
pub use spec::{METHODS as HTTP_METHODS, resolve as resolve_ref};
pub use surface::{Exposure, OperationLine, Surface, surface};

//! Rewrites a raw OpenAPI 3.0.x document into one progenitor 0.15 accepts.
//!
//! Each pass handles one family of springdoc habits that progenitor rejects
//! or panics on, and records every change in the [`Report`]. Passes run in a
//! fixed order: keywords holding values of the wrong JSON type first (every
//! later pass reads keywords), then ids (so later lines can name
//! operations), bodies, responses, parameters, the schemas themselves, and
//! defaults that do not fit them. Another pass copies each operation's
//! `x-osigu-evidence` into its description, for rustdoc. Last, the result
//! must read as `openapiv3` types; if anything still does not, the error
//! names where.

mod check;
mod defaults;
mod evidence;
mod keywords;
pub(crate) mod multipart;
mod operation_ids;
mod parameters;
mod request_bodies;
mod responses;
mod schemas;
mod shape;
mod status_keys;

use serde_json::Value;

use crate::{CodegenError, OperationRef, Report};

/// An operation normalisation removed from generation, to be written by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandWritten {
    /// The operation as the (normalised) spec names it.
    pub operation: OperationRef,
    /// Why progenitor cannot generate it.
    pub reason: String,
}

/// The result of [`normalise`].
#[derive(Debug, Clone)]
pub struct Normalised {
    /// The rewritten document, ready for [`generate`](crate::generate()).
    pub spec: Value,
    /// Every change made, and why.
    pub report: Report,
    /// Operations left out of generation, in document order.
    pub hand_written: Vec<HandWritten>,
}

pub(crate) struct Ctx {
    pub report: Report,
    pub hand_written: Vec<HandWritten>,
}

/// Normalises a raw OpenAPI 3.0.x document for progenitor 0.15.
///
/// Never panics. Fails only when the input is not an OpenAPI 3.0.x document
/// (wrong version, or not shaped like OpenAPI even after the repairs),
/// naming the operation or the JSON pointer at fault.
///
/// ```
/// let raw = serde_json::json!({
///     "openapi": "3.0.1",
///     "info": { "title": "demo", "version": "1" },
///     "paths": { "/a": { "get": { "responses": { "200": { "description": "ok" } } } } }
/// });
/// let out = osigu_codegen::normalise(&raw)?;
/// assert_eq!(out.spec["paths"]["/a"]["get"]["operationId"], "getA");
/// assert!(out.report.to_string().starts_with("operation-id-added getA (GET /a)"));
///
/// let swagger = serde_json::json!({ "swagger": "2.0" });
/// assert!(osigu_codegen::normalise(&swagger).is_err());
/// # Ok::<(), osigu_codegen::CodegenError>(())
/// ```
pub fn normalise(raw: &Value) -> Result<Normalised, CodegenError> {
    shape::check(raw)?;
    let mut spec = raw.clone();
    let mut ctx = Ctx {
        report: Report::default(),
        hand_written: Vec::new(),
    };
    keywords::repair(&mut spec, &mut ctx);
    status_keys::repair(&mut spec, &mut ctx);
    operation_ids::repair(&mut spec, &mut ctx);
    request_bodies::repair(&mut spec, &mut ctx);
    responses::repair(&mut spec, &mut ctx);
    parameters::repair(&mut spec, &mut ctx);
    schemas::repair(&mut spec, &mut ctx);
    defaults::repair(&mut spec, &mut ctx);
    crate::semantics::annotate(&mut spec);
    crate::semantics::check_reconciles(&spec)?;
    evidence::annotate(&mut spec, &mut ctx);
    check::check(&spec)?;
    Ok(Normalised {
        spec,
        report: ctx.report,
        hand_written: ctx.hand_written,
    })
}

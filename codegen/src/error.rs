use std::fmt;

/// An operation named by its id, method and path, as the spec spells them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OperationRef {
    /// The operationId, or `None` when the spec gives none.
    pub operation_id: Option<String>,
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template, e.g. `/arc/v1/authorization-requests/{id}`.
    pub path: String,
}

impl fmt::Display for OperationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.operation_id {
            Some(id) => write!(f, "{id} ({} {})", self.method, self.path),
            None => write!(f, "{} {}", self.method, self.path),
        }
    }
}

/// Why a spec could not be normalised, generated or summarised.
///
/// Every variant that concerns one operation names it, so a failed release
/// update says which upstream change to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CodegenError {
    /// The document declares a version other than OpenAPI 3.0.x.
    UnsupportedVersion {
        /// What the `openapi` (or `swagger`) field said, if anything.
        found: Option<String>,
    },
    /// The document is not shaped like OpenAPI at the given JSON pointer.
    Malformed {
        /// JSON pointer to the offending value.
        pointer: String,
        /// What is wrong there.
        reason: String,
    },
    /// progenitor refused (or panicked on) one operation.
    Operation {
        /// The operation at fault.
        operation: OperationRef,
        /// progenitor's message.
        reason: String,
    },
    /// progenitor refused the document and no single operation could be blamed
    /// (a shared schema, for example).
    Generation {
        /// progenitor's message.
        reason: String,
    },
    /// The generated code did not parse as Rust: a bug in the pipeline.
    InvalidRust {
        /// syn's message.
        reason: String,
    },
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedVersion { found: Some(v) } => write!(
                f,
                "unsupported OpenAPI version {v:?}: progenitor 0.15 reads OpenAPI 3.0.x only"
            ),
            Self::UnsupportedVersion { found: None } => {
                f.write_str("no `openapi` version field: expected an OpenAPI 3.0.x document")
            }
            Self::Malformed { pointer, reason } => {
                write!(f, "malformed OpenAPI document at {pointer}: {reason}")
            }
            Self::Operation { operation, reason } => {
                write!(f, "cannot generate operation {operation}: {reason}")
            }
            Self::Generation { reason } => write!(f, "cannot generate the client: {reason}"),
            Self::InvalidRust { reason } => {
                write!(f, "generated code is not valid Rust: {reason}")
            }
        }
    }
}

impl std::error::Error for CodegenError {}

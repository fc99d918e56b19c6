use std::fmt;

use crate::OperationRef;

/// The rule behind one normalisation change. Its [`code`](Rule::code) is the
/// stable word that starts the change's line in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// A response key such as `"204 NO_CONTENT"` was repaired or dropped.
    StatusKeyRepaired,
    /// An operation had no operationId; one was made from method and path.
    OperationIdAdded,
    /// Two operations shared an operationId; the later ones were renamed.
    OperationIdDeduplicated,
    /// An operationId would shadow a method of the generated client.
    OperationIdRenamed,
    /// The operation's body is a type neither progenitor nor the codegen
    /// can send (e.g. XML only, or `multipart/mixed`); it is left to
    /// hand-written code.
    HandWritten,
    /// A `multipart/form-data` body was taken off the operation and its
    /// parts described in `x-osigu-multipart`; the codegen emits the
    /// setters and the multipart `send()`.
    MultipartEmitted,
    /// A request body offered several media types; one was kept.
    RequestMediaTypeChosen,
    /// A `*/*` media type was given a concrete one.
    WildcardMediaType,
    /// A request or response declared a media type the generator cannot
    /// type exactly; its schema was adjusted.
    BodySchemaAdjusted,
    /// A JSON response or body had no schema; an open one was added.
    SchemaAdded,
    /// Several different 2xx responses were reduced to one.
    SuccessResponsesReduced,
    /// A `default` response was the only success response; it became 200.
    DefaultResponseAsSuccess,
    /// Error responses were removed, so the hand-written error layer sees the
    /// whole response (status, headers and raw body).
    ErrorResponsesRemoved,
    /// An object-valued query parameter was split into one parameter per field.
    QueryObjectExploded,
    /// A parameter progenitor cannot express was dropped.
    ParameterDropped,
    /// A path parameter not marked required was marked required.
    PathParameterRequired,
    /// A `pattern` the `regress` engine cannot compile was dropped.
    PatternDropped,
    /// Enum values that collide as Rust names: the enum became a string.
    EnumWidened,
    /// Properties that collide as Rust field names: the later one was dropped.
    PropertyDropped,
    /// A string enum will be generated open: unknown values deserialise into
    /// an `Unknown(String)` variant instead of failing.
    EnumOpened,
    /// A keyword held a value of the wrong JSON type whose meaning was still
    /// clear (`"minimum": "0"`, `"nullable": "true"`, a lone enum value); it
    /// was converted to the type the keyword takes.
    KeywordCoerced,
    /// A keyword held a value of the wrong JSON type that could not be read;
    /// it was removed.
    KeywordDropped,
    /// `required: true` written on a property (or a parameter's schema) was
    /// moved to the parent object's `required` list (or to the parameter).
    RequiredMoved,
    /// A schema `$ref` into another definition, which progenitor cannot
    /// follow, was replaced by a copy of its target.
    ReferenceRepaired,
    /// A `default` that does not fit its schema was dropped.
    DefaultDropped,
    /// A path or header parameter whose schema is a list or an object is sent
    /// as text: progenitor cannot write those there.
    ParameterWidened,
}

impl Rule {
    /// The stable, kebab-case name of the rule.
    pub fn code(self) -> &'static str {
        match self {
            Self::StatusKeyRepaired => "status-key-repaired",
            Self::OperationIdAdded => "operation-id-added",
            Self::OperationIdDeduplicated => "operation-id-deduplicated",
            Self::OperationIdRenamed => "operation-id-renamed",
            Self::HandWritten => "hand-written",
            Self::MultipartEmitted => "multipart-emitted",
            Self::RequestMediaTypeChosen => "request-media-type-chosen",
            Self::WildcardMediaType => "wildcard-media-type",
            Self::BodySchemaAdjusted => "body-schema-adjusted",
            Self::SchemaAdded => "schema-added",
            Self::SuccessResponsesReduced => "success-responses-reduced",
            Self::DefaultResponseAsSuccess => "default-response-as-success",
            Self::ErrorResponsesRemoved => "error-responses-removed",
            Self::QueryObjectExploded => "query-object-exploded",
            Self::ParameterDropped => "parameter-dropped",
            Self::PathParameterRequired => "path-parameter-required",
            Self::PatternDropped => "pattern-dropped",
            Self::EnumWidened => "enum-widened",
            Self::PropertyDropped => "property-dropped",
            Self::EnumOpened => "enum-opened",
            Self::KeywordCoerced => "keyword-coerced",
            Self::KeywordDropped => "keyword-dropped",
            Self::RequiredMoved => "required-moved",
            Self::ReferenceRepaired => "reference-repaired",
            Self::DefaultDropped => "default-dropped",
            Self::ParameterWidened => "parameter-widened",
        }
    }
}

/// What a change applies to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// One operation.
    Operation(OperationRef),
    /// A schema, or a part of one, by JSON pointer into the document.
    Schema(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Operation(op) => op.fmt(f),
            Self::Schema(pointer) => f.write_str(pointer),
        }
    }
}

/// One change normalisation made, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The rule applied.
    pub rule: Rule,
    /// Where it applied.
    pub target: Target,
    /// What changed and why, in a sentence.
    pub detail: String,
    /// True when the generated client no longer promises something the
    /// original document said (a status, a type, a required flag).
    pub lossy: bool,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lossy = if self.lossy { " [lossy]" } else { "" };
        write!(
            f,
            "{}{lossy} {}: {}",
            self.rule.code(),
            self.target,
            self.detail
        )
    }
}

/// Every change normalisation made, in document order, one per line when
/// displayed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The changes.
    pub changes: Vec<Change>,
}

impl Report {
    pub(crate) fn push(&mut self, rule: Rule, target: Target, lossy: bool, detail: String) {
        self.changes.push(Change {
            rule,
            target,
            detail,
            lossy,
        });
    }

    /// The changes made under one rule.
    pub fn by_rule(&self, rule: Rule) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.rule == rule)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for change in &self.changes {
            writeln!(f, "{change}")?;
        }
        Ok(())
    }
}

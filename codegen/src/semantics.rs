//! What a repeat of each operation does, so the SDK knows what it may send
//! again after a fault: the operation's *write class*, its rate-limit
//! bucket, and for state transitions how a repeat is reconciled.
//!
//! An OpenAPI document does not say whether a `POST` creates something or
//! moves a resource from one state to the next, and that is exactly what
//! decides whether a lost reply may be answered by sending the request
//! again. The class comes from `x-osigu-class` when the document (or the
//! SDK's overlay, see [`apply_overlay`]) sets it, and from a rule on the
//! method and the path otherwise. The rest of the pipeline reads it from
//! the normalised document: rustdoc, the surface and the SDK's operation
//! table.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::{Map, Value};

use crate::spec::{METHODS, operation, operations};
use crate::{CodegenError, OperationRef};

/// How an operation behaves when it is sent twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WriteClass {
    /// Changes nothing (GET, and POST searches).
    Read,
    /// Sending it twice leaves the same state as once (PUT, DELETE, and
    /// writes Osigu documents as idempotent).
    Idempotent,
    /// Moves an existing resource to its next state (complete, void,
    /// resend…); a repeat after success is refused with 409.
    Transition,
    /// Makes a new resource; a repeat makes another.
    Create,
}

impl WriteClass {
    /// Every class, in the order the docs list them.
    pub const ALL: [WriteClass; 4] = [
        WriteClass::Read,
        WriteClass::Idempotent,
        WriteClass::Transition,
        WriteClass::Create,
    ];

    /// The name `x-osigu-class` uses.
    ///
    /// ```
    /// assert_eq!(osigu_codegen::WriteClass::Transition.as_str(), "transition");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Idempotent => "idempotent",
            Self::Transition => "transition",
            Self::Create => "create",
        }
    }

    /// The class a name stands for.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The class the rule gives when nothing says otherwise: GET, HEAD and
    /// OPTIONS read; PUT and DELETE are idempotent; a POST whose last
    /// literal path segment is a search is a read, one whose last segment
    /// is a state verb (complete, void, cancel, resend…) is a transition;
    /// every other POST or PATCH creates.
    ///
    /// ```
    /// use osigu_codegen::WriteClass;
    /// assert_eq!(WriteClass::by_rule("POST", "/dispensing/v1/dispensations/{id}/complete"), WriteClass::Transition);
    /// assert_eq!(WriteClass::by_rule("POST", "/v1/sponsors/{slug}/search"), WriteClass::Read);
    /// assert_eq!(WriteClass::by_rule("POST", "/dispensing/v1/dispensations"), WriteClass::Create);
    /// assert_eq!(WriteClass::by_rule("DELETE", "/arc/v1/providers/products/{code}"), WriteClass::Idempotent);
    /// ```
    pub fn by_rule(method: &str, path: &str) -> Self {
        match method.to_ascii_uppercase().as_str() {
            "GET" | "HEAD" | "OPTIONS" => return Self::Read,
            "PUT" | "DELETE" => return Self::Idempotent,
            _ => {}
        }
        let last = path
            .split('/')
            .rev()
            .find(|s| !s.is_empty() && !s.starts_with('{'))
            .unwrap_or("")
            .to_ascii_lowercase();
        if SEARCH_SEGMENTS.contains(&last.as_str()) {
            Self::Read
        } else if TRANSITION_SEGMENTS.contains(&last.as_str()) {
            Self::Transition
        } else {
            Self::Create
        }
    }
}

impl fmt::Display for WriteClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Last path segments of POSTs that only read.
const SEARCH_SEGMENTS: &[&str] = &["search", "lookup", "query"];

/// Last path segments of POSTs that move a resource to its next state.
const TRANSITION_SEGMENTS: &[&str] = &[
    "complete", "void", "cancel", "resend", "approve", "reject", "submit", "close", "confirm",
    "finish", "expire",
];

/// Which client-side rate-limit budget an operation draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bucket {
    /// Every call that is not an upload.
    General,
    /// File uploads.
    Uploads,
}

impl Bucket {
    /// The name `x-osigu-bucket` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Uploads => "uploads",
        }
    }
}

/// How a repeated state transition is checked: read the resource with
/// `read` and see whether `field` is already in a `done` state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconcile {
    /// The path template of the GET that reads the resource; its
    /// parameters are a subset of the transition's.
    pub read: String,
    /// A top-level field of the resource.
    pub field: String,
    /// The values that mean the transition took effect; empty means the
    /// field being present and non-empty is enough.
    pub done: Vec<String>,
}

/// What the pipeline knows about one operation's behaviour on repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Semantics {
    /// Its write class.
    pub class: WriteClass,
    /// Its rate-limit budget.
    pub bucket: Bucket,
    /// For a transition, how a repeat is checked.
    pub reconcile: Option<Reconcile>,
    /// Error codes that, on a repeat, mean "already done".
    pub already: Vec<String>,
}

impl Semantics {
    /// Reads the (normalised) operation's extensions.
    pub fn of(op: &Value) -> Self {
        let class = op
            .get("x-osigu-class")
            .and_then(Value::as_str)
            .and_then(WriteClass::parse)
            .unwrap_or(WriteClass::Create);
        let bucket = match op.get("x-osigu-bucket").and_then(Value::as_str) {
            Some("uploads") => Bucket::Uploads,
            _ => Bucket::General,
        };
        let reconcile = op.get("x-osigu-reconcile").and_then(|r| {
            Some(Reconcile {
                read: r.get("read")?.as_str()?.to_owned(),
                field: r.get("field")?.as_str()?.to_owned(),
                done: strings(r.get("done")),
            })
        });
        Self {
            class,
            bucket,
            reconcile,
            already: strings(op.get("x-osigu-already")),
        }
    }

    /// One sentence for rustdoc: what the SDK does when this call fails
    /// in a way that may or may not have reached Osigu.
    pub fn retry_note(&self) -> String {
        let how = match self.class {
            WriteClass::Read => {
                "a read: retried after 429, 5xx, timeouts and lost replies".to_owned()
            }
            WriteClass::Idempotent => {
                "an idempotent write: retried after 429, 5xx, timeouts and lost replies".to_owned()
            }
            WriteClass::Transition => match &self.reconcile {
                Some(r) => format!(
                    "a state transition: retried after 429, 5xx, timeouts and lost replies; \
                     a retry refused with 409 is reconciled by reading `GET {}`",
                    r.read
                ),
                None => "a state transition: retried after 429, 5xx, timeouts and lost replies; \
                     a retry refused with 409 ends in `Error::AlreadyApplied`"
                    .to_owned(),
            },
            WriteClass::Create => "a create: retried after 429 and 5xx only; a lost reply or \
                 a timeout ends in `Error::OutcomeUnknown`, never in a second create"
                .to_owned(),
        };
        format!("**Retries:** {how}.")
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Normalisation pass: every operation ends with a valid `x-osigu-class`
/// (the rule fills a missing or unknown one) and multipart uploads draw
/// from the uploads bucket unless something said otherwise.
pub(crate) fn annotate(spec: &mut Value) {
    for (path, method) in operations(spec) {
        let op = operation(spec, &path, &method);
        let multipart = op
            .and_then(|op| op.pointer("/requestBody/content"))
            .and_then(Value::as_object)
            .is_some_and(|c| c.contains_key("multipart/form-data"))
            || op.is_some_and(|op| op.get("x-osigu-multipart").is_some());
        let Some(op) = crate::spec::operation_mut(spec, &path, &method) else {
            continue;
        };
        let valid = op
            .get("x-osigu-class")
            .and_then(Value::as_str)
            .is_some_and(|c| WriteClass::parse(c).is_some());
        if !valid {
            let class = WriteClass::by_rule(&method, &path);
            op.insert("x-osigu-class".into(), Value::String(class.as_str().into()));
        }
        if multipart && !op.contains_key("x-osigu-bucket") {
            op.insert("x-osigu-bucket".into(), Value::String("uploads".into()));
        }
    }
}

/// The result of [`apply_overlay`].
#[derive(Debug, Clone)]
pub struct Overlaid {
    /// The spec with the overlay's facts in its operations' extensions.
    pub spec: Value,
    /// Overlay entries that name no operation of the spec (stale after a
    /// release removed or moved the operation).
    pub unmatched: Vec<String>,
}

/// The keys an overlay entry may set, and the extension each becomes.
const OVERLAY_KEYS: [(&str, &str); 4] = [
    ("class", "x-osigu-class"),
    ("bucket", "x-osigu-bucket"),
    ("reconcile", "x-osigu-reconcile"),
    ("already", "x-osigu-already"),
];

/// The pin keys (see [`crate::pins`]): `name` replaces the operationId the
/// Rust method is generated from; `upstream` only records Osigu's name.
const PIN_KEYS: [&str; 2] = ["name", "upstream"];

/// Copies what the SDK knows about operations beyond the spec (the
/// repository's `sdk-overlay.json`) into the spec's operations, keyed by
/// `"METHOD /path"` so that it survives an upstream release that renames
/// operationIds.
///
/// The overlay is `{"operations": {"POST /a/{id}/complete": {"class":
/// "transition", "reconcile": {"read": "/a/{id}", "field": "status",
/// "done": ["DONE"]}}}}`. An entry's `name` pins the operationId (the
/// published one moves to `x-osigu-upstream-id`). A malformed entry is an error naming it; an
/// entry whose operation is gone is returned in `unmatched`.
///
/// ```
/// let spec = serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
///     "paths": { "/a": { "post": { "operationId": "makeA", "responses": { "200": { "description": "ok" } } } } } });
/// let overlay = serde_json::json!({ "operations": {
///     "POST /a": { "class": "idempotent", "already": ["071-102"] },
///     "DELETE /gone": { "class": "idempotent" } } });
/// let out = osigu_codegen::apply_overlay(&spec, &overlay)?;
/// assert_eq!(out.spec["paths"]["/a"]["post"]["x-osigu-class"], "idempotent");
/// assert_eq!(out.unmatched, ["DELETE /gone"]);
/// # Ok::<(), osigu_codegen::CodegenError>(())
/// ```
pub fn apply_overlay(spec: &Value, overlay: &Value) -> Result<Overlaid, CodegenError> {
    let malformed = |at: String, reason: &str| CodegenError::Malformed {
        pointer: format!("sdk-overlay.json {at}"),
        reason: reason.to_owned(),
    };
    let mut spec = spec.clone();
    let mut unmatched = Vec::new();
    let Some(entries) = overlay.get("operations") else {
        return Ok(Overlaid { spec, unmatched });
    };
    let entries = entries
        .as_object()
        .ok_or_else(|| malformed("operations".into(), "is not an object"))?;
    for (key, entry) in entries {
        let pointer = format!("operations[{key:?}]");
        let (method, path) = key
            .split_once(' ')
            .filter(|(m, p)| {
                METHODS.contains(&m.to_ascii_lowercase().as_str()) && p.starts_with('/')
            })
            .ok_or_else(|| malformed(pointer.clone(), "the key is not \"METHOD /path\""))?;
        let entry = entry
            .as_object()
            .ok_or_else(|| malformed(pointer.clone(), "is not an object"))?;
        check_entry(entry).map_err(|reason| malformed(pointer.clone(), &reason))?;
        let method = method.to_ascii_lowercase();
        let Some(op) = crate::spec::operation_mut(&mut spec, path, &method) else {
            unmatched.push(key.clone());
            continue;
        };
        for (from, to) in OVERLAY_KEYS {
            if let Some(value) = entry.get(from) {
                op.insert(to.into(), value.clone());
            }
        }
        if let Some(name) = entry.get("name").and_then(Value::as_str) {
            let upstream = op.insert("operationId".into(), Value::String(name.to_owned()));
            if let Some(upstream) = upstream.filter(|id| id.as_str() != Some(name)) {
                op.insert(crate::pins::UPSTREAM_ID.into(), upstream);
            }
        }
    }
    unique_ids(&spec).map_err(|reason| malformed("operations".into(), &reason))?;
    Ok(Overlaid { spec, unmatched })
}

/// A pin that renames an operation must not give it another operation's
/// name: progenitor would emit two methods of that name. (Upstream
/// duplicates are the normaliser's to resolve.)
fn unique_ids(spec: &Value) -> Result<(), String> {
    let named: Vec<(String, String, bool)> = operations(spec)
        .into_iter()
        .filter_map(|(path, method)| {
            let op = operation(spec, &path, &method)?;
            let id = op.get("operationId")?.as_str()?.to_owned();
            let key = format!("{} {path}", method.to_ascii_uppercase());
            Some((id, key, op.get(crate::pins::UPSTREAM_ID).is_some()))
        })
        .collect();
    for (id, key, pinned) in &named {
        if !pinned {
            continue;
        }
        if let Some((_, other, _)) = named.iter().find(|(i, k, _)| i == id && k != key) {
            let (first, second) = if other < key {
                (other, key)
            } else {
                (key, other)
            };
            return Err(format!("{first} and {second} are both named {id:?}"));
        }
    }
    Ok(())
}

fn check_entry(entry: &Map<String, Value>) -> Result<(), String> {
    for key in entry.keys() {
        let known = OVERLAY_KEYS.iter().any(|(k, _)| k == key) || PIN_KEYS.contains(&key.as_str());
        if !known && !key.starts_with('$') {
            return Err(format!("unknown key {key:?}"));
        }
    }
    if let Some(name) = entry.get("name") {
        let valid = name.as_str().is_some_and(|n| {
            n.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if !valid {
            return Err(format!(
                "name {name} is not an operationId (letters, digits, _)"
            ));
        }
    }
    if let Some(class) = entry.get("class")
        && class.as_str().and_then(WriteClass::parse).is_none()
    {
        return Err(format!(
            "class {class} is not one of read, idempotent, transition, create"
        ));
    }
    if let Some(bucket) = entry.get("bucket")
        && !matches!(bucket.as_str(), Some("general" | "uploads"))
    {
        return Err(format!("bucket {bucket} is not general or uploads"));
    }
    if let Some(reconcile) = entry.get("reconcile") {
        let read = reconcile.get("read").and_then(Value::as_str);
        let field = reconcile.get("field").and_then(Value::as_str);
        if !read.is_some_and(|r| r.starts_with('/')) || field.is_none() {
            return Err("reconcile needs a read path template and a field".into());
        }
        if entry.get("class").and_then(Value::as_str) != Some("transition") {
            return Err("only a transition is reconciled".into());
        }
    }
    Ok(())
}

/// The parameters `{name}` of a path template.
pub(crate) fn template_params(template: &str) -> BTreeSet<&str> {
    template
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// Checks every reconcile entry of a normalised spec: its read is a GET of
/// the spec whose path parameters the transition has too.
pub(crate) fn check_reconciles(spec: &Value) -> Result<(), CodegenError> {
    for (path, method) in operations(spec) {
        let Some(op) = operation(spec, &path, &method) else {
            continue;
        };
        let Some(reconcile) = Semantics::of(op).reconcile else {
            continue;
        };
        let reason = if operation(spec, &reconcile.read, "get").is_none() {
            Some(format!(
                "its reconcile read GET {} is not in the spec",
                reconcile.read
            ))
        } else if !template_params(&reconcile.read).is_subset(&template_params(&path)) {
            Some(format!(
                "its reconcile read GET {} has path parameters the transition lacks",
                reconcile.read
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(CodegenError::Operation {
                operation: OperationRef {
                    operation_id: op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    method: method.to_ascii_uppercase(),
                    path,
                },
                reason,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_rule_classes_each_shape_of_operation() {
        let cases = [
            ("GET", "/a/{id}", WriteClass::Read),
            ("HEAD", "/a", WriteClass::Read),
            ("PUT", "/a/{id}", WriteClass::Idempotent),
            ("DELETE", "/a/{id}", WriteClass::Idempotent),
            ("POST", "/a/{id}/void", WriteClass::Transition),
            ("POST", "/a/{id}/Complete/", WriteClass::Transition),
            ("POST", "/a/{id}/resend", WriteClass::Transition),
            ("POST", "/v1/sponsors/{s}/search", WriteClass::Read),
            ("POST", "/a/{id}/claims", WriteClass::Create),
            ("POST", "/a", WriteClass::Create),
            ("PATCH", "/a/{id}", WriteClass::Create),
        ];
        for (method, path, class) in cases {
            assert_eq!(WriteClass::by_rule(method, path), class, "{method} {path}");
        }
    }

    #[test]
    fn annotate_fills_missing_and_unknown_classes_and_keeps_valid_ones() {
        let mut spec = json!({ "paths": {
            "/a": { "post": { "x-osigu-class": "idempotent" }, "get": {} },
            "/a/{id}/void": { "post": { "x-osigu-class": "sometimes" } },
            "/up": { "post": { "requestBody": { "content": { "multipart/form-data": {} } } } }
        } });
        annotate(&mut spec);
        assert_eq!(spec["paths"]["/a"]["post"]["x-osigu-class"], "idempotent");
        assert_eq!(spec["paths"]["/a"]["get"]["x-osigu-class"], "read");
        assert_eq!(
            spec["paths"]["/a/{id}/void"]["post"]["x-osigu-class"],
            "transition"
        );
        assert_eq!(spec["paths"]["/up"]["post"]["x-osigu-bucket"], "uploads");
    }

    #[test]
    fn a_malformed_overlay_entry_is_named() {
        let spec = json!({ "paths": {} });
        for (entry, expect) in [
            (json!({ "class": "maybe" }), "class"),
            (json!({ "colour": "red" }), "unknown key"),
            (
                json!({ "class": "create", "reconcile": { "read": "/a", "field": "s" } }),
                "only a transition",
            ),
            (
                json!({ "class": "transition", "reconcile": { "field": "s" } }),
                "read path",
            ),
        ] {
            let overlay = json!({ "operations": { "POST /a": entry } });
            let error = apply_overlay(&spec, &overlay).unwrap_err().to_string();
            assert!(
                error.contains("POST /a") && error.contains(expect),
                "{error}"
            );
        }
        let bad_key = json!({ "operations": { "fetch /a": {} } });
        assert!(apply_overlay(&spec, &bad_key).is_err());
    }

    #[test]
    fn a_reconcile_read_must_exist_and_share_the_parameters() {
        let spec = |read: &str| {
            json!({ "paths": {
                "/d/{id}/complete": { "post": { "operationId": "done",
                    "x-osigu-class": "transition",
                    "x-osigu-reconcile": { "read": read, "field": "status", "done": ["DONE"] } } },
                "/d/{id}": { "get": {} },
                "/e/{other}": { "get": {} }
            } })
        };
        assert!(check_reconciles(&spec("/d/{id}")).is_ok());
        let missing = check_reconciles(&spec("/nowhere/{id}"))
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("done") && missing.contains("not in the spec"),
            "{missing}"
        );
        let params = check_reconciles(&spec("/e/{other}"))
            .unwrap_err()
            .to_string();
        assert!(params.contains("path parameters"), "{params}");
    }
}

//! The release summary: what changed between two versions of the spec, and
//! whether the change to the generated Rust API is breaking.
//!
//! Operations are compared through the generated surface and the verdict
//! through the generated Rust items, because users compile against the Rust:
//! a JSON change that normalisation absorbs is no change to them, and a
//! renamed method is. Schemas, enum values and deprecations are read off the
//! upstream JSON, which is what a maintainer needs to explain the release.

mod rust_diff;
mod schema_facts;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::{OperationLine, RustApi, Surface};
use schema_facts::{FieldFacts, schema_facts};

/// One side of a comparison: a spec as published, and what it generates.
#[derive(Debug, Clone, Copy)]
pub struct Release<'a> {
    /// The spec as published (before normalisation).
    pub spec: &'a Value,
    /// The surface of the client generated from it.
    pub surface: &'a Surface,
    /// The public Rust items of that client.
    pub api: &'a RustApi,
}

/// Everything that changed between two releases. Its `Display` is a
/// Markdown CHANGELOG entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseSummary {
    /// `info.version` before and after.
    pub versions: (String, String),
    /// Operations added, removed or changed, as the generated client shows them.
    pub operations: Vec<OperationChange>,
    /// Operations Osigu renamed in place, whose pinned Rust names stay (set
    /// by the caller from [`renames`](crate::renames), which needs the
    /// overlay).
    pub renames: Vec<crate::Rename>,
    /// Component schemas added, removed or changed.
    pub schemas: Vec<SchemaChange>,
    /// Enum values added or removed, per schema or field.
    pub enum_values: Vec<EnumValueChange>,
    /// Operations, parameters, schemas and fields newly marked deprecated.
    pub deprecations: Vec<String>,
    /// Changes to the generated public Rust items.
    pub rust: Vec<ApiChange>,
}

/// How an operation changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationChange {
    /// New in this release.
    Added(OperationLine),
    /// Gone from this release.
    Removed(OperationLine),
    /// Same method and path, different Rust method, parameters, body or result.
    Changed {
        /// As it was.
        before: OperationLine,
        /// As it is.
        after: OperationLine,
    },
}

/// How a component schema changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaChange {
    /// A new schema.
    Added(String),
    /// A schema that is gone.
    Removed(String),
    /// A schema whose fields or type changed.
    Changed {
        /// The schema's name.
        schema: String,
        /// One line per difference, e.g. "field `id`: integer(int64) → string".
        details: Vec<String>,
    },
}

/// Enum values added to or removed from one schema or field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValueChange {
    /// `Schema` or `Schema.field`.
    pub location: String,
    /// Values new in this release.
    pub added: Vec<String>,
    /// Values gone from this release.
    pub removed: Vec<String>,
}

/// One change to a generated public Rust item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiChange {
    /// Whether code written against the old item may break.
    pub breaking: bool,
    /// The item's path, e.g. `types::Pet` or `Client::get_pet`.
    pub item: String,
    /// What changed.
    pub detail: String,
}

impl ApiChange {
    fn breaking(item: &str, detail: String) -> Self {
        Self {
            breaking: true,
            item: item.to_owned(),
            detail,
        }
    }

    fn additive(item: &str, detail: String) -> Self {
        Self {
            breaking: false,
            item: item.to_owned(),
            detail,
        }
    }
}

/// What the release means for the crate's semver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// The generated Rust API is unchanged.
    Patch,
    /// Items were added; nothing existing changed.
    Minor,
    /// Existing code may stop compiling or start failing.
    Major,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Patch => "patch",
            Self::Minor => "minor",
            Self::Major => "major",
        })
    }
}

impl ReleaseSummary {
    /// Major if any Rust change is breaking or an operation is gone from
    /// its method and path (even where a method of the same name and
    /// signature now calls another path), minor if the Rust API only grew,
    /// patch if it is unchanged.
    pub fn verdict(&self) -> Verdict {
        let removed = self
            .operations
            .iter()
            .any(|c| matches!(c, OperationChange::Removed(_)));
        if removed || self.rust.iter().any(|c| c.breaking) {
            Verdict::Major
        } else if self.rust.is_empty() {
            Verdict::Patch
        } else {
            Verdict::Minor
        }
    }

    /// True when neither the spec's operations, schemas and flags nor the
    /// generated Rust changed.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
            && self.renames.is_empty()
            && self.schemas.is_empty()
            && self.enum_values.is_empty()
            && self.deprecations.is_empty()
            && self.rust.is_empty()
    }
}

/// Compares two releases.
///
/// ```
/// use osigu_codegen::{Release, Verdict};
/// let v1 = serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
///     "paths": { "/pets": { "get": { "operationId": "listPets", "responses": { "200": {
///         "description": "ok", "content": { "application/json": { "schema": {
///             "type": "array", "items": { "type": "string" } } } } } } } } } });
/// let mut v2 = v1.clone();
/// v2["info"]["version"] = "2".into();
/// v2["paths"]["/pets"]["get"]["deprecated"] = true.into();
/// v2["paths"]["/cats"] = v1["paths"]["/pets"].clone();
/// v2["paths"]["/cats"]["get"]["operationId"] = "listCats".into();
///
/// let side = |spec: &serde_json::Value| {
///     let normalised = osigu_codegen::normalise(spec)?;
///     let generated = osigu_codegen::generate(&normalised.spec, &Default::default())?;
///     Ok::<_, osigu_codegen::CodegenError>((
///         osigu_codegen::surface(&normalised, &generated)?,
///         osigu_codegen::rust_api(&generated)?,
///     ))
/// };
/// let (s1, a1) = side(&v1)?;
/// let (s2, a2) = side(&v2)?;
/// let summary = osigu_codegen::release_summary(
///     Release { spec: &v1, surface: &s1, api: &a1 },
///     Release { spec: &v2, surface: &s2, api: &a2 },
/// );
/// assert_eq!(summary.verdict(), Verdict::Minor);
/// let text = summary.to_string();
/// assert!(text.contains("listCats GET /cats"));
/// assert!(text.contains("operation `listPets` (GET /pets)"));
/// # Ok::<(), osigu_codegen::CodegenError>(())
/// ```
pub fn release_summary(old: Release<'_>, new: Release<'_>) -> ReleaseSummary {
    let version = |spec: &Value| {
        spec.pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or("unversioned")
            .to_owned()
    };
    let mut summary = ReleaseSummary {
        versions: (version(old.spec), version(new.spec)),
        operations: operation_changes(old.surface, new.surface),
        rust: rust_diff::diff(old.api, new.api, new.surface),
        ..Default::default()
    };
    schema_changes(old.spec, new.spec, &mut summary);
    operation_deprecations(old.spec, new.spec, &mut summary.deprecations);
    summary
}

fn operation_changes(old: &Surface, new: &Surface) -> Vec<OperationChange> {
    let key = |l: &OperationLine| (l.operation.path.clone(), l.operation.method.clone());
    let before: BTreeMap<_, _> = old.operations.iter().map(|l| (key(l), l)).collect();
    let after: BTreeMap<_, _> = new.operations.iter().map(|l| (key(l), l)).collect();
    let keys: BTreeSet<_> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|k| match (before.get(k), after.get(k)) {
            (Some(b), None) => Some(OperationChange::Removed((*b).clone())),
            (None, Some(a)) => Some(OperationChange::Added((*a).clone())),
            (Some(b), Some(a)) if b != a => Some(OperationChange::Changed {
                before: (*b).clone(),
                after: (*a).clone(),
            }),
            _ => None,
        })
        .collect()
}

fn schema_changes(old: &Value, new: &Value, summary: &mut ReleaseSummary) {
    let before = schema_facts(old);
    let after = schema_facts(new);
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for name in names {
        let (b, a) = match (before.get(name), after.get(name)) {
            (Some(_), None) => {
                summary.schemas.push(SchemaChange::Removed(name.clone()));
                continue;
            }
            (None, Some(a)) => {
                summary.schemas.push(SchemaChange::Added(name.clone()));
                if a.deprecated {
                    summary.deprecations.push(format!("schema `{name}`"));
                }
                continue;
            }
            (Some(b), Some(a)) => (b, a),
            (None, None) => continue,
        };
        let mut details = Vec::new();
        if b.shape != a.shape {
            details.push(format!("type: {} → {}", b.shape, a.shape));
        }
        enum_change(
            name,
            &b.enum_values,
            &a.enum_values,
            &mut summary.enum_values,
        );
        if a.deprecated && !b.deprecated {
            summary.deprecations.push(format!("schema `{name}`"));
        }
        let fields: BTreeSet<&String> = b.fields.keys().chain(a.fields.keys()).collect();
        for field in fields {
            field_change(
                name,
                field,
                b.fields.get(field),
                a.fields.get(field),
                &mut details,
                summary,
            );
        }
        if !details.is_empty() {
            summary.schemas.push(SchemaChange::Changed {
                schema: name.clone(),
                details,
            });
        }
    }
}

fn field_change(
    schema: &str,
    field: &str,
    before: Option<&FieldFacts>,
    after: Option<&FieldFacts>,
    details: &mut Vec<String>,
    summary: &mut ReleaseSummary,
) {
    match (before, after) {
        (Some(_), None) => details.push(format!("field `{field}` removed")),
        (None, Some(a)) => {
            let required = if a.required { ", required" } else { "" };
            details.push(format!("field `{field}` added ({}{required})", a.shape));
            if a.deprecated {
                summary
                    .deprecations
                    .push(format!("field `{schema}.{field}`"));
            }
        }
        (Some(b), Some(a)) => {
            if b.shape != a.shape {
                details.push(format!("field `{field}`: {} → {}", b.shape, a.shape));
            }
            if a.required && !b.required {
                details.push(format!("field `{field}` became required"));
            }
            if b.required && !a.required {
                details.push(format!("field `{field}` became optional"));
            }
            if a.deprecated && !b.deprecated {
                summary
                    .deprecations
                    .push(format!("field `{schema}.{field}`"));
            }
            enum_change(
                &format!("{schema}.{field}"),
                &b.enum_values,
                &a.enum_values,
                &mut summary.enum_values,
            );
        }
        (None, None) => {}
    }
}

fn enum_change(
    location: &str,
    before: &Option<Vec<String>>,
    after: &Option<Vec<String>>,
    out: &mut Vec<EnumValueChange>,
) {
    let (Some(before), Some(after)) = (before, after) else {
        return;
    };
    let added: Vec<String> = after
        .iter()
        .filter(|v| !before.contains(v))
        .cloned()
        .collect();
    let removed: Vec<String> = before
        .iter()
        .filter(|v| !after.contains(v))
        .cloned()
        .collect();
    if !added.is_empty() || !removed.is_empty() {
        out.push(EnumValueChange {
            location: location.to_owned(),
            added,
            removed,
        });
    }
}

fn operation_deprecations(old: &Value, new: &Value, out: &mut Vec<String>) {
    for (path, method) in crate::spec::operations(new) {
        let Some(op) = crate::spec::operation(new, &path, &method) else {
            continue;
        };
        let was = crate::spec::operation(old, &path, &method);
        let named = format!(
            "`{}` ({} {path})",
            op.get("operationId").and_then(Value::as_str).unwrap_or("-"),
            method.to_ascii_uppercase()
        );
        let flag = |v: Option<&Value>| {
            v.and_then(|v| v.get("deprecated")).and_then(Value::as_bool) == Some(true)
        };
        if flag(Some(op)) && !flag(was) {
            out.push(format!("operation {named}"));
        }
        let params = |op: Option<&Value>| -> Vec<(String, bool)> {
            op.and_then(|o| o.get("parameters"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| Some((p.get("name")?.as_str()?.to_owned(), flag(Some(p)))))
                .collect()
        };
        let old_params = params(was);
        for (name, deprecated) in params(Some(op)) {
            let was_deprecated = old_params.iter().any(|(n, d)| *n == name && *d);
            if deprecated && !was_deprecated {
                out.push(format!("parameter `{name}` of {named}"));
            }
        }
    }
}

impl fmt::Display for ReleaseSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (from, to) = &self.versions;
        writeln!(f, "## Osigu API {to} (was {from})\n")?;
        let breaking: Vec<&ApiChange> = self.rust.iter().filter(|c| c.breaking).collect();
        let verdict = self.verdict();
        match verdict {
            Verdict::Major if breaking.is_empty() => writeln!(
                f,
                "**Verdict: major.** An operation left its method and path; calls to it now reach another one."
            )?,
            Verdict::Major => writeln!(
                f,
                "**Verdict: major.** {} breaking change(s) to the generated Rust API.",
                breaking.len()
            )?,
            Verdict::Minor => writeln!(
                f,
                "**Verdict: minor.** The generated Rust API only grew ({} addition(s)).",
                self.rust.len()
            )?,
            Verdict::Patch => writeln!(
                f,
                "**Verdict: patch.** The generated Rust API is unchanged."
            )?,
        }

        writeln!(f, "\n### Operations\n")?;
        if self.operations.is_empty() {
            writeln!(f, "No change.")?;
        }
        for change in &self.operations {
            match change {
                OperationChange::Added(line) => writeln!(f, "- Added: `{line}`")?,
                OperationChange::Removed(line) => writeln!(f, "- Removed: `{line}`")?,
                OperationChange::Changed { before, after } => writeln!(
                    f,
                    "- Changed:\n  - before: `{before}`\n  - after: `{after}`"
                )?,
            }
        }

        if !self.renames.is_empty() {
            writeln!(
                f,
                "\n### Renamed upstream\n\nSame method and path; the SDK keeps its pinned name (sdk-overlay.json).\n"
            )?;
            for rename in &self.renames {
                writeln!(f, "- {rename}")?;
            }
        }

        writeln!(f, "\n### Schemas\n")?;
        if self.schemas.is_empty() {
            writeln!(f, "No change.")?;
        }
        for change in &self.schemas {
            match change {
                SchemaChange::Added(name) => writeln!(f, "- Added: `{name}`")?,
                SchemaChange::Removed(name) => writeln!(f, "- Removed: `{name}`")?,
                SchemaChange::Changed { schema, details } => {
                    writeln!(f, "- Changed: `{schema}`")?;
                    for detail in details {
                        writeln!(f, "  - {detail}")?;
                    }
                }
            }
        }

        writeln!(f, "\n### Enum values\n")?;
        if self.enum_values.is_empty() {
            writeln!(f, "No change.")?;
        }
        for change in &self.enum_values {
            let list = |values: &[String]| {
                values
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            write!(f, "- `{}`:", change.location)?;
            if !change.added.is_empty() {
                write!(f, " added {}", list(&change.added))?;
            }
            if !change.added.is_empty() && !change.removed.is_empty() {
                write!(f, ";")?;
            }
            if !change.removed.is_empty() {
                write!(f, " removed {}", list(&change.removed))?;
            }
            writeln!(f)?;
        }

        writeln!(f, "\n### Deprecations\n")?;
        if self.deprecations.is_empty() {
            writeln!(f, "None.")?;
        }
        for item in &self.deprecations {
            writeln!(f, "- {item}")?;
        }

        writeln!(f, "\n### Rust API\n")?;
        if self.rust.is_empty() {
            writeln!(f, "No change.")?;
        }
        for change in breaking {
            writeln!(f, "- **breaking** `{}`: {}", change.item, change.detail)?;
        }
        let additions: Vec<&ApiChange> = self.rust.iter().filter(|c| !c.breaking).collect();
        // Every new operation adds a dozen builder methods; list the items
        // users name, and count the rest.
        let (named, routine): (Vec<_>, Vec<_>) = additions.into_iter().partition(|c| {
            !c.item.starts_with("builder::") && !c.item.starts_with("types::builder::")
        });
        for change in named {
            writeln!(f, "- added `{}`: {}", change.item, change.detail)?;
        }
        if !routine.is_empty() {
            writeln!(f, "- {} builder item(s) added", routine.len())?;
        }
        Ok(())
    }
}

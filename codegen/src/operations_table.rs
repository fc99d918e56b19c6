//! A Markdown table of every operation, grouped by tag and ordered by API
//! version, for the crate's front page: the one place a user can see what
//! the SDK covers, which version each call goes to, and how sure we are of
//! each path.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::spec::{operation, path_version};
use crate::{Exposure, Surface};

/// A table row: the path's API version (for ordering) and its Markdown.
type Row = (Option<(u32, u32)>, String);

/// Renders the table. `spec` is the spec as published (it still holds the
/// operations left to hand-written code); `surface` says how each operation
/// reaches users. Generated methods link to their rustdoc on `Client`.
///
/// ```
/// # let raw = serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
/// #     "paths": { "/v2/pets": { "get": { "operationId": "listPets", "tags": ["Pets"],
/// #         "responses": { "200": { "description": "ok" } } } } } });
/// let normalised = osigu_codegen::normalise(&raw)?;
/// let generated = osigu_codegen::generate(&normalised.spec, &Default::default())?;
/// let surface = osigu_codegen::surface(&normalised, &generated)?;
/// let table = osigu_codegen::operations_table(&raw, &surface);
/// assert!(table.contains("| v2 | [`list_pets`](crate::Client::list_pets) | `GET /v2/pets` |"));
/// # Ok::<(), osigu_codegen::CodegenError>(())
/// ```
pub fn operations_table(spec: &Value, surface: &Surface) -> String {
    let mut by_tag: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for line in &surface.operations {
        let op = &line.operation;
        let raw = operation(spec, &op.path, &op.method.to_ascii_lowercase());
        let tag = raw
            .and_then(|o| o.get("tags"))
            .and_then(Value::as_array)
            .and_then(|t| t.first())
            .and_then(Value::as_str)
            .unwrap_or("Untagged")
            .to_owned();
        let evidence = raw
            .and_then(|o| o.pointer("/x-osigu-evidence/level"))
            .and_then(Value::as_str)
            .unwrap_or("official spec");
        let version = path_version(&op.path);
        let rust = match &line.exposure {
            Exposure::Generated { method, .. } => format!("[`{method}`](crate::Client::{method})"),
            Exposure::HandWritten { .. } => "hand-written".to_owned(),
            Exposure::Missing => "missing".to_owned(),
        };
        let row = format!(
            "| {} | {rust} | `{} {}` | {evidence} |",
            version_label(version),
            op.method,
            op.path
        );
        by_tag.entry(tag).or_default().push((version, row));
    }
    let mut out = String::from("## Operations by tag and version\n\n");
    out.push_str(
        "Generated from `openapi.json`. *Evidence* says whether the method and path \
         were seen in Osigu's documentation or inferred from it.\n",
    );
    for (tag, mut rows) in by_tag {
        rows.sort_by_key(|row| row.0);
        let _ = write!(
            out,
            "\n### {tag}\n\n| Version | Method | HTTP | Evidence |\n| --- | --- | --- | --- |\n"
        );
        for (_, row) in rows {
            out.push_str(&row);
            out.push('\n');
        }
    }
    out
}

fn version_label(version: Option<(u32, u32)>) -> String {
    match version {
        Some((major, 0)) => format!("v{major}"),
        Some((major, minor)) => format!("v{major}.{minor}"),
        None => "unversioned".to_owned(),
    }
}

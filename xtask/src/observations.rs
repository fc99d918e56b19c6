//! The requests real Osigu clients send (`client-observations.md`), read off
//! its table, and whether `openapi.json` carries each: method, path shape,
//! query parameters, body fields and multipart parts, at a level other than
//! inferred.

use std::collections::BTreeSet;
use std::fmt;

use osigu_codegen::resolve_ref as resolve;
use serde_json::Value;

use crate::reference::shape;

/// One row of the observations table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// The row label (`2`, `4a`).
    pub row: String,
    /// `POST`; for a row that details the body of another, that row's method.
    pub method: String,
    /// The path as observed, without its query.
    pub path: String,
    /// Query parameter names.
    pub query: Vec<String>,
    /// Top-level JSON body fields.
    pub body: Vec<String>,
    /// Multipart part names.
    pub parts: Vec<String>,
    /// For a row that details another's body (`4a` of `4`): the fields are
    /// looked for anywhere inside that row's body.
    pub nested: bool,
}

impl fmt::Display for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "observation {} ({} {})",
            self.row, self.method, self.path
        )
    }
}

/// Every request of the observations table. A row that names no request
/// of its own (`(treatment items in 4)`) inherits the request of the row
/// it names.
///
/// ```
/// let text = "| # | Request | Body | Response | Source |\n|---|---|---|---|---|\n\
///     | 3 | `GET /cat/v1/items/search?name=<text>` | query `name` | a page | O1 |\n\
///     | 8 | `POST /shop/v1/codes/{code}/uses` | `{currency: \"GTQ\", lines: [{id (a number), price}]}` | | O1 |\n";
/// let rows = xtask::observations::observed(text);
/// assert_eq!(rows[0].query, ["name"]);
/// assert_eq!(rows[1].body, ["currency", "lines"]);
/// ```
pub fn observed(text: &str) -> Vec<Observed> {
    let mut rows: Vec<Observed> = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // "| 4a | request | body | response | source |" splits into 7 cells.
        if cells.len() < 5 || !cells[1].starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let mut row = Observed {
            row: cells[1].to_owned(),
            ..Default::default()
        };
        match first_code(cells[2]).and_then(|c| c.split_once(' ')) {
            Some((method, target)) if method.chars().all(|c| c.is_ascii_uppercase()) => {
                row.method = method.to_owned();
                let (path, query) = target.split_once('?').unwrap_or((target, ""));
                row.path = path.to_owned();
                row.query = query
                    .split('&')
                    .filter_map(|pair| pair.split('=').next())
                    .filter(|name| !name.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            _ => {
                let parent = cells[2]
                    .split(|c: char| !c.is_ascii_digit())
                    .find(|n| !n.is_empty());
                let Some(parent) = parent.and_then(|p| rows.iter().find(|r| r.row == p)) else {
                    continue;
                };
                row.method = parent.method.clone();
                row.path = parent.path.clone();
                row.nested = true;
            }
        }
        read_body(cells[3], &mut row);
        rows.push(row);
    }
    rows
}

fn first_code(cell: &str) -> Option<&str> {
    let start = cell.find('`')? + 1;
    let len = cell[start..].find('`')?;
    Some(&cell[start..start + len])
}

fn read_body(cell: &str, row: &mut Observed) {
    if cell.contains("multipart") {
        if let Some(after) = cell.split("part named").nth(1) {
            row.parts.extend(first_code(after).map(str::to_owned));
        }
        return;
    }
    if let Some(after) = cell.strip_prefix("query") {
        let name = first_code(after).map(str::to_owned);
        row.query.extend(name.filter(|n| !row.query.contains(n)));
        return;
    }
    // Fields are the comma-separated names at the top level of the body;
    // what follows a `;` is commentary, and anything in brackets or quotes
    // describes a field rather than naming one.
    let text = cell.split(';').next().unwrap_or_default().replace('`', "");
    let text = text.trim().trim_start_matches("JSON").trim();
    let text = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    let flat = top_level(text);
    for piece in flat.split(',') {
        let piece = piece.trim();
        let name: String = piece
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        let rest = piece[name.len()..].trim_start_matches(['?', ':']).trim();
        if !name.is_empty() && rest.is_empty() {
            row.body.push(name);
        }
    }
}

/// `text` with every bracketed group and quoted string removed.
fn top_level(text: &str) -> String {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' if depth == 0 => quoted = !quoted,
            '{' | '(' | '[' if !quoted => depth += 1,
            '}' | ')' | ']' if !quoted => depth = depth.saturating_sub(1),
            _ if depth == 0 && !quoted => out.push(c),
            _ => {}
        }
    }
    out
}

/// What the spec lacks of each observed request: one line per gap. The
/// token request goes to the SSO server, which the hand-written token
/// code calls and no operation of the spec describes.
pub fn problems(spec: &Value, rows: &[Observed]) -> Vec<String> {
    let mut out = Vec::new();
    for row in rows {
        if crate::reference::SSO_PATHS.contains(&row.path.as_str()) {
            continue;
        }
        let wanted = shape(row.path.trim_end_matches('/'));
        let found = spec
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .find(|(path, item)| {
                shape(path) == wanted && item.get(row.method.to_ascii_lowercase()).is_some()
            });
        let Some((path, item)) = found else {
            out.push(format!(
                "{row}: no operation has this method and path shape"
            ));
            continue;
        };
        let op = &item[row.method.to_ascii_lowercase()];
        let id = op["operationId"].as_str().unwrap_or("-");
        let at = format!("{row}, answered by {id} ({} {path})", row.method);
        let level = op
            .pointer("/x-osigu-evidence/level")
            .and_then(Value::as_str);
        if level == Some("inferred") {
            out.push(format!("{at}: still marked inferred"));
        }
        let params: BTreeSet<&str> = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| resolve(spec, p))
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        for name in &row.query {
            if !params.contains(name.as_str()) {
                out.push(format!("{at}: no query parameter `{name}`"));
            }
        }
        let body = |media: &str| {
            op.pointer("/requestBody")
                .map(|b| resolve(spec, b))
                .and_then(|b| b.get("content"))
                .and_then(|c| c.get(media))
                .and_then(|m| m.get("schema"))
        };
        let check = |fields: &[String], media: &str, what: &str, out: &mut Vec<String>| {
            if fields.is_empty() {
                return;
            }
            let mut names = BTreeSet::new();
            let depth = if row.nested { 6 } else { 1 };
            if let Some(schema) = body(media) {
                collect(spec, schema, depth, &mut names);
            }
            for name in fields {
                if !names.contains(name) {
                    out.push(format!("{at}: no {what} `{name}` in its {media} body"));
                }
            }
        };
        check(&row.body, "application/json", "field", &mut out);
        check(&row.parts, "multipart/form-data", "part", &mut out);
    }
    out
}

/// Property names of `schema`, `depth` levels down (through `$ref`,
/// `allOf`, and array items).
fn collect(spec: &Value, schema: &Value, depth: usize, out: &mut BTreeSet<String>) {
    if depth == 0 {
        return;
    }
    let schema = resolve(spec, schema);
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect(spec, part, depth, out);
    }
    if let Some(items) = schema.get("items") {
        collect(spec, items, depth, out);
    }
    for (name, property) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        out.insert(name.clone());
        collect(spec, property, depth - 1, out);
    }
}

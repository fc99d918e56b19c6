//! Stable method names across upstream renames.
//!
//! Springdoc derives operationIds from Java method names, so an Osigu
//! release may rename an operation without moving it. Users call the Rust
//! method the operationId generated, so `sdk-overlay.json` pins the name of
//! every operation by `"METHOD /path"`: [`apply_overlay`](crate::apply_overlay)
//! generates from the pinned name and records the upstream one beside it,
//! and `cargo xtask update-spec` keeps the pins with [`maintain_pins`].

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::spec::{operation, operations};

/// The extension where [`apply_overlay`](crate::apply_overlay) keeps the
/// operationId Osigu publishes when the pin differs from it.
pub const UPSTREAM_ID: &str = "x-osigu-upstream-id";

/// An operation that kept its method and path but not its operationId.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// `"METHOD /path"`.
    pub key: String,
    /// The name the SDK keeps (its Rust method is this name in snake case).
    pub pinned: String,
    /// The upstream operationId before the release.
    pub before: String,
    /// The upstream operationId after it.
    pub after: String,
}

impl fmt::Display for Rename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: upstream `{}` → `{}`; the SDK keeps `{}`",
            self.key, self.before, self.after, self.pinned
        )
    }
}

/// Every operation of `spec` by `"METHOD /path"`, with its operationId.
fn ids(spec: &Value) -> BTreeMap<String, String> {
    operations(spec)
        .into_iter()
        .filter_map(|(path, method)| {
            let id = operation(spec, &path, &method)?
                .get("operationId")?
                .as_str()?
                .to_owned();
            Some((format!("{} {path}", method.to_ascii_uppercase()), id))
        })
        .collect()
}

/// The name pinned for `key` among an overlay's entries, if any.
fn pinned<'a>(entries: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a str> {
    entries?.get(key)?.get("name")?.as_str()
}

/// The operations whose operationId differs between two releases of the
/// published spec (same method, same path), with the name the overlay
/// keeps for each (the old operationId where nothing is pinned).
///
/// ```
/// let spec = |id: &str| serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
///     "paths": { "/a/{id}/complete": { "post": { "operationId": id, "responses": {} } } } });
/// let renames = osigu_codegen::renames(&spec("completeA"), &spec("completeAUsingPOST"), &serde_json::json!({}));
/// assert_eq!(renames[0].to_string(),
///     "POST /a/{id}/complete: upstream `completeA` → `completeAUsingPOST`; the SDK keeps `completeA`");
/// ```
pub fn renames(old: &Value, new: &Value, overlay: &Value) -> Vec<Rename> {
    let before = ids(old);
    let entries = overlay.get("operations").and_then(Value::as_object);
    ids(new)
        .into_iter()
        .filter_map(|(key, after)| {
            let was = before.get(&key)?;
            (*was != after).then(|| Rename {
                pinned: pinned(entries, &key).unwrap_or(was).to_owned(),
                before: was.clone(),
                after,
                key,
            })
        })
        .collect()
}

/// The overlay for a new release: every operation of `new` pinned, to the
/// name already pinned, else to the name it had in `old` at the same method
/// and path, else to its own operationId; `upstream` set where the pin
/// differs from the published name. Entries of operations the release
/// removed keep what else they say (the overlay check reports them stale)
/// but lose their pin.
///
/// ```
/// let spec = |id: &str| serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
///     "paths": { "/a": { "get": { "operationId": id, "responses": {} } } } });
/// let overlay = osigu_codegen::maintain_pins(&serde_json::json!({}), &spec("getA"), &spec("getAUsingGET"));
/// assert_eq!(overlay["operations"]["GET /a"], serde_json::json!({ "name": "getA", "upstream": "getAUsingGET" }));
/// ```
pub fn maintain_pins(overlay: &Value, old: &Value, new: &Value) -> Value {
    let before = ids(old);
    let after = ids(new);
    let mut overlay = match overlay {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let mut entries = match overlay.remove("operations") {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    for (key, entry) in entries.iter_mut() {
        if !after.contains_key(key)
            && let Some(entry) = entry.as_object_mut()
        {
            entry.remove("name");
            entry.remove("upstream");
        }
    }
    entries.retain(|_, entry| entry.as_object().is_none_or(|e| !e.is_empty()));
    for (key, upstream) in &after {
        let name = pinned(Some(&entries), key)
            .map(str::to_owned)
            .or_else(|| before.get(key).cloned())
            .unwrap_or_else(|| upstream.clone());
        let entry = entries
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(entry) = entry.as_object_mut() else {
            continue;
        };
        // The pin first, so the file reads name-first.
        let rest: Map<String, Value> = std::mem::take(entry)
            .into_iter()
            .filter(|(k, _)| k != "name" && k != "upstream")
            .collect();
        entry.insert("name".into(), Value::String(name.clone()));
        if name != *upstream {
            entry.insert("upstream".into(), Value::String(upstream.clone()));
        }
        entry.extend(rest);
    }
    let mut sorted: Vec<(String, Value)> = entries.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    overlay.insert(
        "operations".into(),
        Value::Object(sorted.into_iter().collect()),
    );
    Value::Object(overlay)
}

/// The overlay as the repository keeps it: one line per operation, so a
/// release's pin changes read as one-line diffs.
///
/// ```
/// let overlay = serde_json::json!({ "operations": { "GET /a": { "name": "getA" } } });
/// assert_eq!(osigu_codegen::overlay_text(&overlay),
///     "{\n  \"operations\": {\n    \"GET /a\": {\"name\":\"getA\"}\n  }\n}\n");
/// ```
pub fn overlay_text(overlay: &Value) -> String {
    let Some(map) = overlay.as_object() else {
        return format!("{overlay}\n");
    };
    let mut out = String::from("{\n");
    let mut first = true;
    for (key, value) in map {
        if !first {
            out.push_str(",\n");
        }
        first = false;
        out.push_str(&format!("  {}: ", Value::String(key.clone())));
        match value.as_object() {
            Some(entries) if key == "operations" => {
                out.push_str("{\n");
                let lines: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("    {}: {v}", Value::String(k.clone())))
                    .collect();
                out.push_str(&lines.join(",\n"));
                out.push_str("\n  }");
            }
            _ => out.push_str(&value.to_string()),
        }
    }
    out.push_str("\n}\n");
    out
}

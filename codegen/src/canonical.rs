//! The one way `openapi.json` is written, so that the diff between two
//! releases shows what changed upstream and nothing else.

use serde_json::{Map, Value};

/// Top-level keys in the order the OpenAPI specification presents them;
/// anything else follows alphabetically.
const TOP_LEVEL: [&str; 8] = [
    "openapi",
    "info",
    "externalDocs",
    "servers",
    "security",
    "tags",
    "paths",
    "components",
];

/// Pretty-prints a spec with two-space indents, top-level keys in OpenAPI's
/// order, every other object's keys sorted, array order kept, and a final
/// newline. The same document always gives the same bytes, whatever key
/// order it arrived in.
///
/// ```
/// let a = serde_json::json!({ "paths": {}, "openapi": "3.0.1", "info": { "version": "1", "title": "t" } });
/// let text = osigu_codegen::canonical_json(&a);
/// assert!(text.starts_with("{\n  \"openapi\": \"3.0.1\",\n  \"info\": {\n    \"title\""));
/// let again: serde_json::Value = serde_json::from_str(&text).unwrap();
/// assert_eq!(osigu_codegen::canonical_json(&again), text);
/// ```
pub fn canonical_json(spec: &Value) -> String {
    let ordered = match spec {
        Value::Object(map) => {
            let mut out = Map::new();
            for key in TOP_LEVEL {
                if let Some(value) = map.get(key) {
                    out.insert(key.to_owned(), sorted(value));
                }
            }
            let mut rest: Vec<(&String, &Value)> = map
                .iter()
                .filter(|(k, _)| !TOP_LEVEL.contains(&k.as_str()))
                .collect();
            rest.sort_by(|a, b| a.0.cmp(b.0));
            for (key, value) in rest {
                out.insert(key.clone(), sorted(value));
            }
            Value::Object(out)
        }
        other => sorted(other),
    };
    let mut text = serde_json::to_string_pretty(&ordered).unwrap_or_default();
    text.push('\n');
    text
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

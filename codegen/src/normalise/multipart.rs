//! Multipart request bodies, described for the codegen's own emitter.
//!
//! progenitor 0.15 refuses `multipart/form-data`. Rather than drop the
//! operation, normalisation takes the body off it (so progenitor builds
//! the rest: path, query, headers, the answer) and writes what each part
//! is into the operation's `x-osigu-multipart` extension, which
//! [`generate`](crate::generate()) reads to add one setter per part and a
//! `send()` that posts the form.
//!
//! Each part is one of three kinds, read off its schema and `encoding`:
//!
//! - `file`: a binary string (`format: binary`), sent as a file part;
//! - `json`: an object, a `$ref` to one, or any part whose
//!   `encoding.<part>.contentType` is JSON (springdoc's `@RequestPart`
//!   objects), sent as an `application/json` part;
//! - `text`: everything else (strings, numbers, booleans, enums), sent as
//!   its text.
//!
//! An array of any of them is the same part repeated (`many`).

use serde_json::{Map, Value, json};

use crate::spec::{required_properties, resolve};

/// The extension key the normaliser writes and the codegen reads.
pub(crate) const EXTENSION: &str = "x-osigu-multipart";

/// The media type this handles; other `multipart/*` types stay
/// hand-written.
pub(super) fn is_form_data(media_type: &str) -> bool {
    media_type
        .split(';')
        .next()
        .is_some_and(|e| e.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// What a multipart body becomes: the extension's value, and one line per
/// part for the report. `lossy` is set when something the spec said cannot
/// be expressed (per-part headers, a part whose shape could not be read).
pub(super) struct Described {
    pub extension: Value,
    pub parts: Vec<String>,
    pub lossy: Vec<String>,
}

/// Describes the parts of one `multipart/form-data` media object.
pub(super) fn describe(spec: &Value, media: &Value, body_required: bool) -> Described {
    let schema = media
        .get("schema")
        .map_or(&Value::Null, |s| resolve(spec, s));
    let encoding = media.get("encoding").and_then(Value::as_object);
    let required = required_properties(schema);
    let mut parts = Vec::new();
    let mut lines = Vec::new();
    let mut lossy = Vec::new();
    let properties = schema.get("properties").and_then(Value::as_object);
    for (name, property) in properties.into_iter().flatten() {
        let content_type = encoding
            .and_then(|e| e.get(name))
            .and_then(|e| e.get("contentType"))
            .and_then(Value::as_str);
        if encoding
            .and_then(|e| e.get(name))
            .is_some_and(|e| e.get("headers").is_some())
        {
            lossy.push(format!("part `{name}`: its per-part headers are not sent"));
        }
        let part = part(
            spec,
            name,
            property,
            content_type,
            required.contains(&name.as_str()),
        );
        lines.push(summary(&part));
        parts.push(part);
    }
    if schema
        .get("additionalProperties")
        .is_some_and(|a| a != &Value::Bool(false))
    {
        lossy.push("parts beyond the named ones (additionalProperties) cannot be set".into());
    }
    Described {
        extension: json!({ "required": body_required, "parts": parts }),
        parts: lines,
        lossy,
    }
}

fn part(
    spec: &Value,
    name: &str,
    property: &Value,
    content_type: Option<&str>,
    required: bool,
) -> Value {
    let resolved = resolve(spec, property);
    let (item, many) = match resolved.get("type").and_then(Value::as_str) {
        Some("array") => (resolved.get("items").map_or(&Value::Null, |i| i), true),
        _ => (property, false),
    };
    let mut out = Map::new();
    out.insert("name".into(), name.into());
    out.insert("required".into(), required.into());
    out.insert("many".into(), many.into());
    if let Some(description) = property.get("description").and_then(Value::as_str) {
        out.insert("description".into(), description.into());
    }
    let concrete = resolve(spec, item);
    let is_json_type = content_type.is_some_and(|c| {
        let essence = c
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        essence == "application/json" || essence.ends_with("+json")
    });
    let ty = concrete.get("type").and_then(Value::as_str);
    let binary =
        ty == Some("string") && concrete.get("format").and_then(Value::as_str) == Some("binary");
    let object = ty == Some("object")
        || (ty.is_none()
            && (concrete.get("properties").is_some() || concrete.get("allOf").is_some()));
    if binary && !is_json_type {
        out.insert("kind".into(), "file".into());
    } else if is_json_type || object {
        out.insert("kind".into(), "json".into());
        if let Some(component) = component_name(item) {
            out.insert("schema".into(), component.into());
        }
    } else {
        out.insert("kind".into(), "text".into());
        let text = match ty {
            Some("integer") => match concrete.get("format").and_then(Value::as_str) {
                Some("int32") => "i32",
                _ => "i64",
            },
            Some("number") => "f64",
            Some("boolean") => "bool",
            _ => "string",
        };
        out.insert("type".into(), text.into());
    }
    Value::Object(out)
}

/// `Name` for a `$ref` to `#/components/schemas/Name`.
fn component_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .filter(|n| !n.contains('/'))
}

/// `file (file, required)`, `tags (text string, repeated)`…
fn summary(part: &Value) -> String {
    let name = part["name"].as_str().unwrap_or("");
    let kind = part["kind"].as_str().unwrap_or("");
    let detail = match kind {
        "text" => format!("text {}", part["type"].as_str().unwrap_or("string")),
        "json" => match part.get("schema").and_then(Value::as_str) {
            Some(schema) => format!("json {schema}"),
            None => "json value".to_owned(),
        },
        other => other.to_owned(),
    };
    let mut flags = Vec::new();
    if part["required"] == true {
        flags.push("required");
    }
    if part["many"] == true {
        flags.push("repeated");
    }
    if flags.is_empty() {
        format!("{name} ({detail})")
    } else {
        format!("{name} ({detail}, {})", flags.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_typed_from_their_schema_and_encoding() {
        let spec = json!({ "components": { "schemas": {
            "Meta": { "type": "object", "properties": { "a": { "type": "string" } } },
            "Kind": { "type": "string", "enum": ["A", "B"] }
        } } });
        let media = json!({
            "schema": { "type": "object", "required": ["file", "meta"], "properties": {
                "file": { "type": "string", "format": "binary" },
                "files": { "type": "array", "items": { "type": "string", "format": "binary" } },
                "meta": { "$ref": "#/components/schemas/Meta" },
                "raw": { "type": "string" },
                "kind": { "$ref": "#/components/schemas/Kind" },
                "count": { "type": "integer", "format": "int32" },
                "flag": { "type": "boolean" }
            } },
            "encoding": { "raw": { "contentType": "application/json" },
                          "file": { "headers": { "X-A": {} } } }
        });
        let d = describe(&spec, &media, true);
        assert_eq!(
            d.parts,
            [
                "file (file, required)",
                "files (file, repeated)",
                "meta (json Meta, required)",
                "raw (json value)",
                "kind (text string)",
                "count (text i32)",
                "flag (text bool)",
            ]
        );
        assert_eq!(d.lossy, ["part `file`: its per-part headers are not sent"]);
        assert_eq!(d.extension["required"], true);
        assert_eq!(d.extension["parts"][2]["schema"], "Meta");
    }
}

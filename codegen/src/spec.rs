//! Small helpers for reading and rewriting an OpenAPI document held as raw
//! JSON. Normalisation works on the raw value rather than on `openapiv3`
//! types because `openapiv3` silently drops what it cannot parse (a
//! `"204 NO_CONTENT"` response key simply vanishes).

use serde_json::{Map, Value};

use crate::OperationRef;

/// The path-item keys that are operations, in OpenAPI's order.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every (path, method) pair in document order.
pub(crate) fn operations(spec: &Value) -> Vec<(String, String)> {
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flat_map(|item| item.keys())
                .filter(|k| METHODS.contains(&k.as_str()))
                .map(move |m| (path.clone(), m.clone()))
        })
        .collect()
}

pub(crate) fn operation<'a>(spec: &'a Value, path: &str, method: &str) -> Option<&'a Value> {
    spec.get("paths")?.get(path)?.get(method)
}

pub(crate) fn operation_mut<'a>(
    spec: &'a mut Value,
    path: &str,
    method: &str,
) -> Option<&'a mut Map<String, Value>> {
    spec.get_mut("paths")?
        .get_mut(path)?
        .get_mut(method)?
        .as_object_mut()
}

pub(crate) fn op_ref(spec: &Value, path: &str, method: &str) -> OperationRef {
    OperationRef {
        operation_id: operation(spec, path, method)
            .and_then(|op| op.get("operationId"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        method: method.to_ascii_uppercase(),
        path: path.to_owned(),
    }
}

/// Removes one operation, and its path item when nothing else is left in it.
pub(crate) fn remove_operation(spec: &mut Value, path: &str, method: &str) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let now_empty = match paths.get_mut(path).and_then(Value::as_object_mut) {
        Some(item) => {
            item.remove(method);
            !item.keys().any(|k| METHODS.contains(&k.as_str()))
        }
        None => false,
    };
    if now_empty {
        paths.remove(path);
    }
}

/// JSON-pointer escaping of one reference token.
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Follows local `$ref`s (`#/components/...`) until a non-reference value,
/// giving up after a few hops so that a reference cycle cannot hang us; a
/// reference to nothing is returned as it is.
///
/// ```
/// let spec = serde_json::json!({ "components": { "schemas": { "A": { "type": "string" } } } });
/// let to_a = serde_json::json!({ "$ref": "#/components/schemas/A" });
/// assert_eq!(osigu_codegen::resolve_ref(&spec, &to_a)["type"], "string");
/// ```
pub fn resolve<'a>(spec: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with("#/") => match spec.pointer(&r[1..]) {
                Some(target) => value = target,
                None => return value,
            },
            _ => return value,
        }
    }
    value
}

/// The property names an object schema's `required` list holds (strings
/// only; anything else in the list is skipped).
pub(crate) fn required_properties(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Whether `schema` (after its `$ref`s) is a string of raw or Base64
/// bytes (`format: binary` or `byte`).
pub(crate) fn is_binary_string(spec: &Value, schema: &Value) -> bool {
    let schema = resolve(spec, schema);
    schema.get("type").and_then(Value::as_str) == Some("string")
        && matches!(
            schema.get("format").and_then(Value::as_str),
            Some("binary") | Some("byte")
        )
}

/// Calls `visit` on every schema object in the document — components,
/// parameters, bodies and responses, and every schema nested inside those —
/// with its JSON pointer. A schema is visited before its children, so a
/// visitor's rewrite (say, widening an enum) is what the walk then descends.
pub(crate) fn walk_schemas(spec: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    let roots = schema_roots(spec);
    for pointer in roots {
        if let Some(schema) = spec.pointer_mut(&pointer) {
            walk(schema, &pointer, visit, 0);
        }
    }
}

fn schema_roots(spec: &Value) -> Vec<String> {
    let mut roots = Vec::new();
    let keys = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    for name in keys(spec.pointer("/components/schemas")) {
        roots.push(format!("/components/schemas/{}", escape(&name)));
    }
    for name in keys(spec.pointer("/components/parameters")) {
        roots.push(format!("/components/parameters/{}/schema", escape(&name)));
    }
    for kind in ["requestBodies", "responses"] {
        for name in keys(spec.pointer(&format!("/components/{kind}"))) {
            let base = format!("/components/{kind}/{}/content", escape(&name));
            for mt in keys(spec.pointer(&base)) {
                roots.push(format!("{base}/{}/schema", escape(&mt)));
            }
        }
    }
    for path in keys(spec.get("paths")) {
        let item = format!("/paths/{}", escape(&path));
        let params = |base: &str, roots: &mut Vec<String>| {
            if let Some(list) = spec
                .pointer(&format!("{base}/parameters"))
                .and_then(Value::as_array)
            {
                for i in 0..list.len() {
                    roots.push(format!("{base}/parameters/{i}/schema"));
                }
            }
        };
        params(&item, &mut roots);
        for method in keys(spec.pointer(&item)) {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let op = format!("{item}/{method}");
            params(&op, &mut roots);
            let body = format!("{op}/requestBody/content");
            for mt in keys(spec.pointer(&body)) {
                roots.push(format!("{body}/{}/schema", escape(&mt)));
            }
            for status in keys(spec.pointer(&format!("{op}/responses"))) {
                let content = format!("{op}/responses/{}/content", escape(&status));
                for mt in keys(spec.pointer(&content)) {
                    roots.push(format!("{content}/{}/schema", escape(&mt)));
                }
            }
        }
    }
    roots
}

fn walk(
    value: &mut Value,
    pointer: &str,
    visit: &mut dyn FnMut(&mut Map<String, Value>, &str),
    depth: usize,
) {
    // Schemas nest only as deep as their authors typed them; a bound keeps a
    // hostile document from exhausting the stack.
    if depth > 64 {
        return;
    }
    let Some(schema) = value.as_object_mut() else {
        return;
    };
    visit(schema, pointer);
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = schema.get_mut(key) {
            walk(child, &format!("{pointer}/{key}"), visit, depth + 1);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(children)) = schema.get_mut(key) {
            for (i, child) in children.iter_mut().enumerate() {
                walk(child, &format!("{pointer}/{key}/{i}"), visit, depth + 1);
            }
        }
    }
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        for (name, child) in props.iter_mut() {
            walk(
                child,
                &format!("{pointer}/properties/{}", escape(name)),
                visit,
                depth + 1,
            );
        }
    }
}

/// The version segment of a path (`v1`, `v1.1`, `v2`), if it has one.
pub(crate) fn path_version(path: &str) -> Option<(u32, u32)> {
    path.split('/').find_map(|seg| {
        let rest = seg.strip_prefix('v').or_else(|| seg.strip_prefix('V'))?;
        let (major, minor) = rest.split_once('.').unwrap_or((rest, "0"));
        Some((major.parse().ok()?, minor.parse().ok()?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_version_segments() {
        assert_eq!(path_version("/ehr/v1/prescriptions"), Some((1, 0)));
        assert_eq!(path_version("/ehr/v1.1/prescriptions"), Some((1, 1)));
        assert_eq!(path_version("/v3/settlements"), Some((3, 0)));
        assert_eq!(path_version("/otp/validate"), None);
        assert_eq!(path_version("/videos/vx"), None);
    }

    #[test]
    fn resolve_survives_a_reference_cycle() {
        let spec = serde_json::json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/A"}}}});
        let start = serde_json::json!({"$ref": "#/components/schemas/A"});
        assert!(resolve(&spec, &start).get("$ref").is_some());
    }
}

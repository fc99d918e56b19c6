//! `default` values that do not fit their schema.
//!
//! `openapiv3` accepts any JSON as a default, but typify checks each one
//! against the type it generates and refuses the whole client when it does
//! not fit ("value does not conform to the given schema"): a default outside
//! the enum, below the minimum, of another JSON type. springdoc writes
//! `@Parameter(schema = @Schema(defaultValue = "10"))` as the text `"10"`,
//! so the mismatch is common. A default whose meaning is clear is converted
//! (`keyword-coerced`: `"10"` → `10` for an integer); one that cannot fit is
//! dropped (`default-dropped`, lossy: the generated builder no longer fills
//! it in). `null` is dropped quietly unless the schema is nullable.
//!
//! This pass runs after the schema rewrites, so it judges each default
//! against the schema typify will see (an enum widened to a string accepts
//! any text).

use regress::Regex;
use serde_json::{Map, Value};

use super::Ctx;
use super::keywords::{boolean, integral, parse_number, short};
use crate::report::{Rule, Target};
use crate::spec::{resolve, walk_schemas};

pub(super) fn repair(spec: &mut Value, ctx: &mut Ctx) {
    let snapshot = spec.clone();
    walk_schemas(spec, &mut |schema, pointer| {
        let Some(default) = schema.get("default").cloned() else {
            return;
        };
        if schema.get("$ref").is_some_and(Value::is_string) {
            // openapiv3 ignores everything beside a reference.
            return;
        }
        let target = || Target::Schema(pointer.to_owned());
        match fit(&snapshot, schema, &default, 0) {
            Fit::Yes => {}
            Fit::As(value) => {
                ctx.report.push(
                    Rule::KeywordCoerced,
                    target(),
                    false,
                    format!("default {default} read as {value}"),
                );
                schema.insert("default".into(), value);
            }
            Fit::Null => {
                ctx.report.push(
                    Rule::KeywordDropped,
                    target(),
                    false,
                    "default null removed: the schema is not nullable".into(),
                );
                schema.remove("default");
            }
            Fit::No(why) => {
                ctx.report.push(
                    Rule::DefaultDropped,
                    target(),
                    true,
                    format!("default {} dropped: {why}", short(&default)),
                );
                schema.remove("default");
            }
        }
    });
}

/// Whether a value fits a schema, as typify would judge it.
enum Fit {
    Yes,
    /// It fits once converted to this value.
    As(Value),
    /// It is `null` and the schema is not nullable.
    Null,
    /// It cannot fit; why.
    No(String),
}

fn fit(doc: &Value, schema: &Map<String, Value>, value: &Value, depth: usize) -> Fit {
    if depth > 16 {
        return Fit::Yes;
    }
    let enumeration = schema.get("enum").and_then(Value::as_array);
    if value.is_null() {
        let nullable = schema.get("nullable") == Some(&Value::Bool(true))
            || enumeration.is_some_and(|e| e.contains(&Value::Null));
        return if nullable { Fit::Yes } else { Fit::Null };
    }
    if let Some(key) = ["allOf", "oneOf", "anyOf", "not"]
        .into_iter()
        .find(|k| schema.contains_key(*k))
    {
        // typify merges or enumerates these before it checks the default,
        // and refuses (or panics on) most defaults there.
        return Fit::No(format!("typify cannot check a default against {key}"));
    }
    let ty = schema.get("type").and_then(Value::as_str);
    let untyped_object = ty.is_none() && schema.contains_key("properties");
    let verdict = match ty {
        Some("string") => scalar(value, |v| match v {
            Value::String(_) => Some(v.clone()),
            Value::Number(_) | Value::Bool(_) => Some(Value::String(v.to_string())),
            _ => None,
        }),
        Some("integer") => scalar(value, |v| match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(v.clone()),
            Value::Number(n) => integral(n.as_f64()?),
            Value::String(s) => integral(parse_number(s)?.as_f64()?),
            _ => None,
        }),
        Some("number") => scalar(value, |v| match v {
            Value::Number(_) => Some(v.clone()),
            Value::String(s) => parse_number(s).map(Value::Number),
            _ => None,
        }),
        Some("boolean") => scalar(value, |v| boolean(v).map(Value::Bool)),
        Some("array") => array(doc, schema, value, depth),
        Some("object") => object(doc, schema, value, depth),
        None if untyped_object => object(doc, schema, value, depth),
        // Untyped schemas become JSON values in typify: anything fits.
        _ => Fit::Yes,
    };
    let value = match &verdict {
        Fit::Yes => value,
        Fit::As(converted) => converted,
        Fit::Null | Fit::No(_) => return verdict,
    };
    if let Some(values) = enumeration
        && !values.contains(value)
    {
        return Fit::No("not one of the enum values".into());
    }
    if let Some(why) = outside_bounds(schema, value) {
        return Fit::No(why);
    }
    verdict
}

fn scalar(value: &Value, read: impl Fn(&Value) -> Option<Value>) -> Fit {
    match read(value) {
        Some(v) if &v == value => Fit::Yes,
        Some(v) => Fit::As(v),
        None => Fit::No(format!("a {} does not fit the schema's type", kind(value))),
    }
}

fn array(doc: &Value, schema: &Map<String, Value>, value: &Value, depth: usize) -> Fit {
    let items = schema
        .get("items")
        .map(|i| resolve(doc, i))
        .and_then(Value::as_object);
    let Value::Array(list) = value else {
        // A lone value where a list is expected: the list of that value.
        return match items.map(|items| fit(doc, items, value, depth + 1)) {
            Some(Fit::Yes) => Fit::As(Value::Array(vec![value.clone()])),
            Some(Fit::As(v)) => Fit::As(Value::Array(vec![v])),
            None => Fit::As(Value::Array(vec![value.clone()])),
            Some(_) => Fit::No(format!("a {} where a list is expected", kind(value))),
        };
    };
    let mut converted = Vec::with_capacity(list.len());
    let mut changed = false;
    for item in list {
        match items.map(|items| fit(doc, items, item, depth + 1)) {
            None | Some(Fit::Yes) => converted.push(item.clone()),
            Some(Fit::As(v)) => {
                changed = true;
                converted.push(v);
            }
            Some(Fit::Null) => return Fit::No("a list item is null".into()),
            Some(Fit::No(why)) => return Fit::No(format!("a list item does not fit: {why}")),
        }
    }
    if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
        let duplicated = converted
            .iter()
            .enumerate()
            .any(|(i, a)| converted[i + 1..].contains(a));
        if duplicated {
            return Fit::No("a set cannot hold the same value twice".into());
        }
    }
    if changed {
        Fit::As(Value::Array(converted))
    } else {
        Fit::Yes
    }
}

fn object(doc: &Value, schema: &Map<String, Value>, value: &Value, depth: usize) -> Fit {
    let Value::Object(fields) = value else {
        return Fit::No(format!("a {} where an object is expected", kind(value)));
    };
    let props = schema.get("properties").and_then(Value::as_object);
    let extra = schema.get("additionalProperties").map(|a| resolve(doc, a));
    let mut converted = Map::new();
    let mut changed = false;
    for (name, field) in fields {
        let field_schema = match props.and_then(|p| p.get(name)) {
            Some(s) => resolve(doc, s).as_object(),
            None => match (props, extra) {
                // Without declared properties the type is a map of anything.
                (None, None) | (_, Some(Value::Bool(true))) => None,
                (_, Some(Value::Object(s))) => Some(s),
                _ => return Fit::No(format!("{name:?} is not one of the object's properties")),
            },
        };
        match field_schema.map(|s| fit(doc, s, field, depth + 1)) {
            None | Some(Fit::Yes) => {
                converted.insert(name.clone(), field.clone());
            }
            Some(Fit::As(v)) => {
                changed = true;
                converted.insert(name.clone(), v);
            }
            Some(Fit::Null) => return Fit::No(format!("property {name:?} is null")),
            Some(Fit::No(why)) => return Fit::No(format!("property {name:?}: {why}")),
        }
    }
    let missing = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|r| !fields.contains_key(*r));
    if let Some(name) = missing {
        return Fit::No(format!("required property {name:?} is missing"));
    }
    if changed {
        Fit::As(Value::Object(converted))
    } else {
        Fit::Yes
    }
}

/// typify generates bounded numbers and constrained strings as types that
/// reject out-of-range values, defaults included.
fn outside_bounds(schema: &Map<String, Value>, value: &Value) -> Option<String> {
    let num = |k: &str| schema.get(k).and_then(Value::as_f64);
    let exclusive = |k: &str| schema.get(k) == Some(&Value::Bool(true));
    if let Some(n) = value.as_f64() {
        if let Some(min) = num("minimum")
            && (n < min || (n == min && exclusive("exclusiveMinimum")))
        {
            return Some(format!("below the minimum {min}"));
        }
        if let Some(max) = num("maximum")
            && (n > max || (n == max && exclusive("exclusiveMaximum")))
        {
            return Some(format!("above the maximum {max}"));
        }
    }
    if let Some(text) = value.as_str() {
        let len = text.chars().count() as f64;
        if num("minLength").is_some_and(|m| len < m) {
            return Some("shorter than minLength".into());
        }
        if num("maxLength").is_some_and(|m| len > m) {
            return Some("longer than maxLength".into());
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
            && let Ok(re) = Regex::new(pattern)
            && re.find(text).is_none()
        {
            return Some("does not match the pattern".into());
        }
    }
    None
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

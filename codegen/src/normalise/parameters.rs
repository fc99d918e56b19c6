//! progenitor accepts path (simple style), query (form style) and header
//! parameters, each with a `schema`. In builder mode it panics on a query
//! parameter whose schema is an object, which is how springdoc exposes an
//! un-annotated DTO bound from the query string: Spring binds each of the
//! DTO's fields as its own query parameter, so that is how it is rewritten.

use serde_json::{Value, json};

use super::Ctx;
use crate::report::{Rule, Target};
use crate::spec::{METHODS, op_ref, operation_mut, operations, resolve};

pub(super) fn repair(spec: &mut Value, ctx: &mut Ctx) {
    hoist_path_level(spec);
    for (path, method) in operations(spec) {
        let target = Target::Operation(op_ref(spec, &path, &method));
        let Some(Value::Array(params)) =
            crate::spec::operation(spec, &path, &method).and_then(|op| op.get("parameters"))
        else {
            continue;
        };
        let params: Vec<Value> = params.iter().map(|p| resolve(spec, p).clone()).collect();
        let mut kept: Vec<Value> = Vec::with_capacity(params.len());
        for mut param in params {
            let Some(p) = param.as_object_mut() else {
                continue;
            };
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let location = p.get("in").and_then(Value::as_str).unwrap_or("").to_owned();
            let drop = |why: &str, ctx: &mut Ctx| {
                ctx.report.push(
                    Rule::ParameterDropped,
                    target.clone(),
                    true,
                    format!("{location} parameter {name:?} dropped: {why}"),
                );
            };
            if !p.contains_key("schema") {
                if p.contains_key("content") {
                    drop(
                        "its value is described by `content`, which progenitor does not support",
                        ctx,
                    );
                    continue;
                }
                p.insert("schema".into(), json!({"type": "string"}));
                ctx.report.push(
                    Rule::SchemaAdded,
                    target.clone(),
                    false,
                    format!("{location} parameter {name:?} had no schema; sent as a string"),
                );
            }
            if matches!(location.as_str(), "path" | "header") {
                widen_structured(spec, p, &name, &location, &target, ctx);
            }
            match location.as_str() {
                "cookie" => drop("progenitor does not send cookie parameters", ctx),
                "path" => {
                    if p.get("required") != Some(&Value::Bool(true)) {
                        p.insert("required".into(), Value::Bool(true));
                        ctx.report.push(
                            Rule::PathParameterRequired,
                            target.clone(),
                            false,
                            format!("path parameter {name:?} marked required, as OpenAPI demands"),
                        );
                    }
                    if p.get("style")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s != "simple")
                    {
                        p.insert("style".into(), json!("simple"));
                        ctx.report.push(
                            Rule::ParameterDropped,
                            target.clone(),
                            true,
                            format!("path parameter {name:?} style set to simple"),
                        );
                    }
                    kept.push(param);
                }
                "query" => {
                    if p.get("style")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s != "form")
                    {
                        drop("only the form style is supported", ctx);
                        continue;
                    }
                    let schema = resolve(spec, p.get("schema").unwrap_or(&Value::Null));
                    if is_object(schema) {
                        explode(spec, &name, schema, &mut kept, &target, ctx);
                    } else {
                        kept.push(param);
                    }
                }
                "header" => kept.push(param),
                other => drop(&format!("unknown location {other:?}"), ctx),
            }
        }
        if let Some(op) = operation_mut(spec, &path, &method) {
            op.insert("parameters".into(), Value::Array(kept));
        }
    }
}

/// progenitor writes a path or header value with `to_string()`, which a
/// list or an object does not have: the generated client would not compile.
/// The simple style OpenAPI uses there joins a list's items with commas, so
/// the parameter becomes that text.
fn widen_structured(
    spec: &Value,
    p: &mut serde_json::Map<String, Value>,
    name: &str,
    location: &str,
    target: &Target,
    ctx: &mut Ctx,
) {
    let schema = resolve(spec, p.get("schema").unwrap_or(&Value::Null));
    let ty = schema.get("type").and_then(Value::as_str);
    let structured = matches!(ty, Some("array" | "object"))
        || (ty.is_none() && (schema.get("items").is_some() || schema.get("properties").is_some()));
    if !structured {
        return;
    }
    let what = if ty == Some("array") || schema.get("items").is_some() {
        "a list; pass its items joined by commas, as the simple style writes them"
    } else {
        "an object; pass it written out as the simple style does"
    };
    p.insert("schema".into(), json!({"type": "string"}));
    ctx.report.push(
        Rule::ParameterWidened,
        target.clone(),
        true,
        format!("{location} parameter {name:?} sent as text: its schema is {what}"),
    );
}

fn is_object(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
        || (schema.get("type").is_none() && schema.get("properties").is_some())
}

fn explode(
    spec: &Value,
    name: &str,
    schema: &Value,
    kept: &mut Vec<Value>,
    target: &Target,
    ctx: &mut Ctx,
) {
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut added = Vec::new();
    let mut skipped = Vec::new();
    for (prop, prop_schema) in props {
        let taken = kept.iter().any(|p| {
            p.get("name").and_then(Value::as_str) == Some(&prop)
                && p.get("in").and_then(Value::as_str) == Some("query")
        });
        // Nested objects have no form encoding progenitor can produce.
        if taken || is_object(resolve(spec, &prop_schema)) {
            skipped.push(prop);
            continue;
        }
        kept.push(json!({"name": prop, "in": "query", "required": false, "schema": prop_schema}));
        added.push(prop);
    }
    let skipped_note = if skipped.is_empty() {
        String::new()
    } else {
        format!("; skipped {}", skipped.join(", "))
    };
    ctx.report.push(
        Rule::QueryObjectExploded,
        target.clone(),
        true,
        format!(
            "object query parameter {name:?} sent as optional parameters {}{skipped_note}; their required flags are not kept",
            if added.is_empty() { "(none)".to_owned() } else { added.join(", ") }
        ),
    );
}

/// Copies path-level parameters into each operation that does not override
/// them, so that every later rewrite is per operation.
fn hoist_path_level(spec: &mut Value) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let Some(Value::Array(shared)) = item.remove("parameters") else {
            continue;
        };
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let list = op
                .entry("parameters")
                .or_insert_with(|| Value::Array(Vec::new()));
            let Some(list) = list.as_array_mut() else {
                continue;
            };
            for p in &shared {
                let key = |v: &Value| {
                    (
                        v.get("name").cloned(),
                        v.get("in").cloned(),
                        v.get("$ref").cloned(),
                    )
                };
                if !list.iter().any(|q| key(q) == key(p)) {
                    list.push(p.clone());
                }
            }
        }
    }
}

//! progenitor 0.15 wants one success type per operation (it asserts on
//! several), one error type (it asserts on several), a schema on every JSON
//! response (`todo!` otherwise), and treats only `application/json` as typed.
//!
//! Error responses are removed from every operation, not only where their
//! schemas differ: the generated client then hands any error back as
//! `UnexpectedResponse`, which keeps status, headers and raw body, and
//! `osigu::Error` decodes all of Osigu's documented envelopes from that. A
//! typed `ErrorResponse` would lose the status whenever a body failed to
//! match its declared schema.

use serde_json::{Map, Value, json};

use super::Ctx;
use crate::report::{Rule, Target};
use crate::spec::{is_binary_string, op_ref, operation_mut, operations, resolve};

pub(super) fn repair(spec: &mut Value, ctx: &mut Ctx) {
    for (path, method) in operations(spec) {
        let target = Target::Operation(op_ref(spec, &path, &method));
        let Some(Value::Object(responses)) =
            crate::spec::operation(spec, &path, &method).and_then(|op| op.get("responses"))
        else {
            continue;
        };
        // Inline `$ref`'d responses so each rewrite stays local.
        let mut responses: Map<String, Value> = responses
            .iter()
            .map(|(k, v)| (k.clone(), resolve(spec, v).clone()))
            .collect();

        for response in responses.values_mut() {
            if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                fix_content(spec, content, &target, ctx);
            }
        }
        remove_errors(&mut responses, &target, ctx);
        reduce_successes(&mut responses, &target, ctx);

        if let Some(op) = operation_mut(spec, &path, &method) {
            op.insert("responses".into(), Value::Object(responses));
        }
    }
}

fn fix_content(spec: &Value, content: &mut Map<String, Value>, target: &Target, ctx: &mut Ctx) {
    if let Some(media) = content.remove("*/*") {
        let binary = media
            .get("schema")
            .is_some_and(|s| is_binary_string(spec, s));
        let to = if binary {
            "application/octet-stream"
        } else {
            "application/json"
        };
        ctx.report.push(
            Rule::WildcardMediaType,
            target.clone(),
            false,
            format!("response `*/*` read as {to}"),
        );
        content.entry(to).or_insert(media);
    }
    let json_like: Vec<String> = content
        .keys()
        .filter(|k| {
            let e = k.split(';').next().unwrap_or("").trim();
            e.starts_with("application/") && e.ends_with("+json")
        })
        .cloned()
        .collect();
    if !content.keys().any(|k| is_json(k))
        && let Some(first) = json_like.first()
    {
        let media = content.remove(first).unwrap_or_default();
        content.insert("application/json".into(), media);
        ctx.report.push(
            Rule::BodySchemaAdjusted,
            target.clone(),
            false,
            format!("response {first} read as application/json"),
        );
    }
    for (media_type, media) in content.iter_mut() {
        let Some(media) = media.as_object_mut() else {
            continue;
        };
        if !is_json(media_type) {
            continue;
        }
        if media.remove("encoding").is_some() {
            ctx.report.push(
                Rule::BodySchemaAdjusted,
                target.clone(),
                false,
                "response `encoding` removed: progenitor does not read it".into(),
            );
        }
        if !media.contains_key("schema") {
            media.insert("schema".into(), json!({}));
            ctx.report.push(
                Rule::SchemaAdded,
                target.clone(),
                false,
                format!("{media_type} response had no schema; it is read as any JSON value"),
            );
        }
    }
}

fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.starts_with("application/json;")
}

fn is_error(key: &str) -> bool {
    key.starts_with('4') || key.starts_with('5')
}

fn is_success(key: &str) -> bool {
    key.starts_with('2')
}

fn remove_errors(responses: &mut Map<String, Value>, target: &Target, ctx: &mut Ctx) {
    let has_success = responses.keys().any(|k| is_success(k));
    if !has_success && let Some(default) = responses.remove("default") {
        responses.insert("200".into(), default);
        ctx.report.push(
            Rule::DefaultResponseAsSuccess,
            target.clone(),
            false,
            "`default` was the only success response; read as 200".into(),
        );
    }
    let removed: Vec<String> = responses
        .keys()
        .filter(|k| is_error(k) || k.as_str() == "default")
        .cloned()
        .collect();
    if removed.is_empty() {
        return;
    }
    let typed = removed.iter().any(|k| {
        responses[k]
            .get("content")
            .and_then(Value::as_object)
            .is_some_and(|c| !c.is_empty())
    });
    responses.retain(|k, _| !removed.contains(k));
    ctx.report.push(
        Rule::ErrorResponsesRemoved,
        target.clone(),
        typed,
        format!(
            "error responses {} removed; errors reach the hand-written layer whole (status, headers, body)",
            removed.join(", ")
        ),
    );
}

/// What progenitor will make of one success response.
fn signature(response: &Value) -> String {
    match response.get("content").and_then(Value::as_object) {
        None => "none".into(),
        Some(c) if c.is_empty() => "none".into(),
        Some(c) => match c.iter().find(|(k, _)| is_json(k)) {
            Some((_, media)) => format!("json:{}", media.get("schema").unwrap_or(&Value::Null)),
            None => "raw".into(),
        },
    }
}

fn reduce_successes(responses: &mut Map<String, Value>, target: &Target, ctx: &mut Ctx) {
    let mut successes: Vec<(String, String)> = responses
        .iter()
        .filter(|(k, _)| is_success(k))
        .map(|(k, v)| (k.clone(), signature(v)))
        .collect();
    let mut kinds: Vec<&String> = successes.iter().map(|(_, s)| s).collect();
    kinds.sort();
    kinds.dedup();
    if kinds.len() <= 1 {
        return;
    }
    // `2XX` sorts after the numeric codes, so an exact code is preferred.
    successes.sort();
    let Some((keep, kept_kind)) = successes
        .iter()
        .find(|(_, s)| s.starts_with("json:"))
        .or_else(|| successes.first())
        .cloned()
    else {
        return;
    };
    let dropped: Vec<String> = successes
        .iter()
        .filter(|(_, s)| *s != kept_kind)
        .map(|(k, _)| k.clone())
        .collect();
    responses.retain(|k, _| !dropped.contains(k));
    ctx.report.push(
        Rule::SuccessResponsesReduced,
        target.clone(),
        true,
        format!(
            "success responses {keep} and {} differ; kept {keep}, so a {} reply arrives as an unexpected response",
            dropped.join(", "),
            dropped.join(" or ")
        ),
    );
}

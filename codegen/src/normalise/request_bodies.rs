//! progenitor sends exactly one request media type, and only JSON, form,
//! octet-stream or plain text. It panics on several, refuses `*/*` and
//! multipart, and wants an exact schema for raw bodies. A body that is
//! `multipart/form-data` only is taken off the operation and described in
//! its `x-osigu-multipart` extension, for the codegen to emit (see
//! [`multipart`]).

use serde_json::{Map, Value, json};

use super::{Ctx, HandWritten, multipart};
use crate::report::{Rule, Target};
use crate::spec::{
    is_binary_string, op_ref, operation, operation_mut, operations, remove_operation, resolve,
};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Json,
    JsonLike,
    Form,
    Octet,
    Text,
    Unsupported,
}

fn kind(media_type: &str) -> Kind {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Kind::Json,
        "application/x-www-form-urlencoded" => Kind::Form,
        "application/octet-stream" => Kind::Octet,
        "text/plain" | "text/x-markdown" => Kind::Text,
        e if e.starts_with("application/") && e.ends_with("+json") => Kind::JsonLike,
        _ => Kind::Unsupported,
    }
}

pub(super) fn repair(spec: &mut Value, ctx: &mut Ctx) {
    for (path, method) in operations(spec) {
        let target = Target::Operation(op_ref(spec, &path, &method));
        let Some(body) = operation(spec, &path, &method).and_then(|op| op.get("requestBody"))
        else {
            continue;
        };
        // Inline a `$ref`'d body so that rewriting it touches this operation only.
        let mut body = resolve(spec, body).clone();
        let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        if content.is_empty() {
            continue;
        }
        let wildcard = replace_wildcard(spec, content);
        if let Some(to) = wildcard {
            ctx.report.push(
                Rule::WildcardMediaType,
                target.clone(),
                false,
                format!("request body `*/*` sent as {to}"),
            );
        }

        let Some((chosen, chosen_kind)) = content
            .keys()
            .map(|k| (k.clone(), kind(k)))
            .filter(|(_, k)| *k != Kind::Unsupported)
            .min_by_key(|(_, k)| *k)
        else {
            if let Some(media) = content
                .iter()
                .find(|(k, _)| multipart::is_form_data(k))
                .map(|(_, m)| m.clone())
            {
                let required = body.get("required").and_then(Value::as_bool) == Some(true);
                emit_multipart(spec, &path, &method, &media, required, &target, ctx);
                continue;
            }
            let types: Vec<_> = content.keys().cloned().collect();
            let reason = format!(
                "request body is {} only; progenitor cannot send it",
                types.join(", ")
            );
            ctx.report.push(
                Rule::HandWritten,
                target.clone(),
                true,
                format!("{reason}: operation left to hand-written code"),
            );
            ctx.hand_written.push(HandWritten {
                operation: op_ref(spec, &path, &method),
                reason,
            });
            remove_operation(spec, &path, &method);
            continue;
        };
        if content.len() > 1 {
            let dropped: Vec<_> = content.keys().filter(|k| **k != chosen).cloned().collect();
            let multipart = dropped.iter().any(|k| k.starts_with("multipart/"));
            content.retain(|k, _| *k == chosen);
            ctx.report.push(
                Rule::RequestMediaTypeChosen,
                target.clone(),
                true,
                format!(
                    "request body sent as {chosen}; dropped {}{}",
                    dropped.join(", "),
                    if multipart {
                        " (the multipart variant is not offered)"
                    } else {
                        ""
                    }
                ),
            );
        }
        if let Some(media) = content.get_mut(&chosen).and_then(Value::as_object_mut) {
            fix_media(spec, media, chosen_kind, &target, ctx);
        }
        if chosen_kind == Kind::JsonLike {
            let value = content.remove(&chosen).unwrap_or_default();
            content.insert("application/json".into(), value);
            ctx.report.push(
                Rule::BodySchemaAdjusted,
                target.clone(),
                false,
                format!("request body {chosen} sent as application/json"),
            );
        }
        if let Some(op) = operation_mut(spec, &path, &method) {
            op.insert("requestBody".into(), body);
        }
    }
}

/// Renames a `*/*` entry to JSON, or to octet-stream when it carries binary.
fn replace_wildcard(spec: &Value, content: &mut Map<String, Value>) -> Option<&'static str> {
    let media = content.remove("*/*")?;
    let binary = media
        .get("schema")
        .is_some_and(|s| is_binary_string(spec, s));
    let to = if binary {
        "application/octet-stream"
    } else {
        "application/json"
    };
    if !content.contains_key(to) {
        content.insert(to.into(), media);
    }
    Some(to)
}

fn fix_media(
    spec: &Value,
    media: &mut Map<String, Value>,
    kind: Kind,
    target: &Target,
    ctx: &mut Ctx,
) {
    match kind {
        Kind::Json | Kind::JsonLike | Kind::Form => {
            if media.remove("encoding").is_some() {
                ctx.report.push(
                    Rule::BodySchemaAdjusted,
                    target.clone(),
                    false,
                    "request body `encoding` removed: progenitor does not read it".into(),
                );
            }
            if !media.contains_key("schema") {
                media.insert("schema".into(), json!({}));
                ctx.report.push(
                    Rule::SchemaAdded,
                    target.clone(),
                    false,
                    "request body had no schema; any JSON value is accepted".into(),
                );
            }
        }
        Kind::Octet | Kind::Text => {
            let want = if kind == Kind::Octet {
                json!({"type": "string", "format": "binary"})
            } else {
                json!({"type": "string"})
            };
            let exact = media.get("schema").map(|s| resolve(spec, s)) == Some(&want);
            if !exact {
                media.insert("schema".into(), want);
                media.remove("encoding");
                ctx.report.push(
                    Rule::BodySchemaAdjusted,
                    target.clone(),
                    true,
                    "raw request body schema set to a plain string/binary, as progenitor requires"
                        .into(),
                );
            }
        }
        Kind::Unsupported => {}
    }
}

/// Takes the multipart body off the operation and writes its parts into
/// `x-osigu-multipart`, reporting what the codegen will emit.
fn emit_multipart(
    spec: &mut Value,
    path: &str,
    method: &str,
    media: &Value,
    required: bool,
    target: &Target,
    ctx: &mut Ctx,
) {
    let described = multipart::describe(spec, media, required);
    let parts = if described.parts.is_empty() {
        "no parts".to_owned()
    } else {
        format!("parts {}", described.parts.join(", "))
    };
    let lossy = !described.lossy.is_empty();
    let caveats = if lossy {
        format!("; {}", described.lossy.join("; "))
    } else {
        String::new()
    };
    ctx.report.push(
        Rule::MultipartEmitted,
        target.clone(),
        lossy,
        format!("multipart/form-data body emitted by the codegen as {parts}{caveats}"),
    );
    if let Some(op) = operation_mut(spec, path, method) {
        op.remove("requestBody");
        op.insert(multipart::EXTENSION.into(), described.extension);
    }
}

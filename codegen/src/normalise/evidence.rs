//! Finishes each operation's description for rustdoc: what the call does
//! (the spec's own text) first, then one line on how the SDK retries it,
//! then, for the reconstructed spec, a short line on how its shape is
//! known.
//!
//! The class and the evidence live in extensions progenitor ignores; without
//! this pass a reader of `cargo doc` could not tell a guessed path from one
//! seen in Osigu's documentation or in real traffic, nor whether a lost reply
//! is retried. Only descriptions change; nothing generated from them does,
//! so the pass reports nothing.

use serde_json::Value;

use super::Ctx;
use crate::Semantics;
use crate::spec::{operation_mut, operations};

pub(crate) fn annotate(spec: &mut Value, _ctx: &mut Ctx) {
    for (path, method) in operations(spec) {
        let Some(op) = operation_mut(spec, &path, &method) else {
            continue;
        };
        let mut paragraphs: Vec<String> = op
            .get("description")
            .and_then(Value::as_str)
            .filter(|text| !text.trim().is_empty())
            .map(|text| vec![text.trim().to_owned()])
            .unwrap_or_default();
        let op_value = Value::Object(op.clone());
        if op.contains_key("x-osigu-class") {
            paragraphs.push(Semantics::of(&op_value).retry_note());
        }
        if let Some(note) = op.get("x-osigu-evidence").and_then(paragraph) {
            paragraphs.push(note);
        }
        if !paragraphs.is_empty() {
            op.insert("description".into(), Value::String(paragraphs.join("\n\n")));
        }
    }
}

/// One short paragraph: the evidence level, what it means, and the notes.
/// The sources stay in `openapi.json`, where `cargo xtask reference` checks
/// them.
fn paragraph(evidence: &Value) -> Option<String> {
    let level = evidence.get("level")?.as_str()?;
    let meaning = match level {
        "documented" => "method and path appear in Osigu's documentation",
        "observed" => "method, path and body are what working Osigu clients send",
        "inferred" => "the path is deduced from the documentation, not seen in it",
        _ => return None,
    };
    let mut text = format!("*Evidence: {level}* ({meaning}).");
    if let Some(notes) = evidence.get("notes").and_then(Value::as_str) {
        text.push(' ');
        text.push_str(notes.trim());
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_level_says_what_it_means_briefly() {
        let text = paragraph(&json!({
            "level": "inferred",
            "sources": ["osigu-docs/a.md", "seeds/b.txt"],
            "notes": "Path built from the tag description."
        }))
        .unwrap();
        assert_eq!(
            text,
            "*Evidence: inferred* (the path is deduced from the documentation, not seen in it). \
             Path built from the tag description."
        );
        assert!(
            paragraph(&json!({ "level": "observed" }))
                .unwrap()
                .contains("working Osigu clients")
        );
    }

    #[test]
    fn an_unknown_level_adds_nothing() {
        assert_eq!(paragraph(&json!({ "level": "rumoured" })), None);
    }

    #[test]
    fn the_description_leads_then_the_retry_rule_then_the_evidence() {
        let mut spec = json!({ "paths": { "/d/{id}/void": { "post": {
            "description": "Voids the dispensation.",
            "x-osigu-class": "transition",
            "x-osigu-evidence": { "level": "documented" }
        } } } });
        let mut ctx = Ctx {
            report: Default::default(),
            hand_written: Vec::new(),
        };
        annotate(&mut spec, &mut ctx);
        let text = spec["paths"]["/d/{id}/void"]["post"]["description"]
            .as_str()
            .unwrap();
        let parts: Vec<&str> = text.split("\n\n").collect();
        assert_eq!(parts[0], "Voids the dispensation.");
        assert!(
            parts[1].starts_with("**Retries:** a state transition"),
            "{text}"
        );
        assert!(parts[2].starts_with("*Evidence: documented*"), "{text}");
    }
}

//! Carries `x-osigu-evidence` into each operation's rustdoc.
//!
//! The reconstructed spec marks every operation as documented or inferred.
//! That mark lives in an extension progenitor ignores, so without this pass
//! a user reading `cargo doc` could not tell a guessed path from one seen in
//! Osigu's documentation. Only the description changes; nothing generated
//! from it does, so the pass reports nothing.

use serde_json::Value;

use super::Ctx;
use crate::spec::{operation_mut, operations};

pub(crate) fn annotate(spec: &mut Value, _ctx: &mut Ctx) {
    for (path, method) in operations(spec) {
        let Some(op) = operation_mut(spec, &path, &method) else {
            continue;
        };
        let Some(note) = op.get("x-osigu-evidence").and_then(paragraph) else {
            continue;
        };
        let description = match op.get("description").and_then(Value::as_str) {
            Some(text) if !text.trim().is_empty() => format!("{text}\n\n{note}"),
            _ => note,
        };
        op.insert("description".into(), Value::String(description));
    }
}

fn paragraph(evidence: &Value) -> Option<String> {
    let level = evidence.get("level")?.as_str()?;
    let meaning = match level {
        "documented" => "its method and path appear in Osigu's public documentation",
        "inferred" => {
            "its path is a guess from the documentation, not seen in it; check it against the official spec"
        }
        _ => return None,
    };
    let mut text = format!("**Evidence: {level}**: {meaning}.");
    if let Some(notes) = evidence.get("notes").and_then(Value::as_str) {
        text.push(' ');
        text.push_str(notes.trim());
    }
    let sources: Vec<String> = evidence
        .get("sources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|s| format!("`{s}`"))
        .collect();
    if !sources.is_empty() {
        text.push_str(&format!(" Sources: {}.", sources.join(", ")));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_inferred_operation_says_so_and_cites_its_sources() {
        let text = paragraph(&json!({
            "level": "inferred",
            "sources": ["osigu-docs/a.md", "seeds/b.txt"],
            "notes": "Path built from the tag description."
        }))
        .unwrap();
        assert_eq!(
            text,
            "**Evidence: inferred**: its path is a guess from the documentation, not seen in it; \
             check it against the official spec. Path built from the tag description. \
             Sources: `osigu-docs/a.md`, `seeds/b.txt`."
        );
    }

    #[test]
    fn an_unknown_level_adds_nothing() {
        assert_eq!(paragraph(&json!({ "level": "rumoured" })), None);
    }
}

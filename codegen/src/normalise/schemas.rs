//! Rewrites inside schemas: patterns `regress` cannot compile (typify
//! refuses them), enum values or properties that collide once turned into
//! Rust names (typify panics or silently shadows), and a note for every
//! string enum, which [`generate`](crate::generate()) makes open.

use std::collections::HashSet;

use serde_json::Value;

use super::Ctx;
use crate::ident::{Case, rust_ident};
use crate::report::{Rule, Target};
use crate::spec::walk_schemas;

pub(super) fn repair(spec: &mut Value, ctx: &mut Ctx) {
    walk_schemas(spec, &mut |schema, pointer| {
        let target = || Target::Schema(pointer.to_owned());

        if let Some(Value::String(pattern)) = schema.get("pattern")
            && let Err(e) = regress::Regex::new(pattern)
        {
            ctx.report.push(
                Rule::PatternDropped,
                target(),
                true,
                format!("pattern {pattern:?} dropped: regress cannot compile it ({e})"),
            );
            schema.remove("pattern");
        }

        if let Some(Value::Array(values)) = schema.get("enum") {
            let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            if !strings.is_empty() {
                let mut seen = HashSet::new();
                let clash = strings
                    .iter()
                    .find(|v| !seen.insert(rust_ident(v, Case::Pascal)))
                    .map(|v| v.to_string());
                match clash {
                    Some(value) => {
                        ctx.report.push(
                            Rule::EnumWidened,
                            target(),
                            true,
                            format!("enum widened to a string: value {value:?} becomes the same Rust variant as another value"),
                        );
                        schema.remove("enum");
                    }
                    None => ctx.report.push(
                        Rule::EnumOpened,
                        target(),
                        false,
                        format!("{} known values; an unknown value is kept in a catch-all variant (Unknown(String))", strings.len()),
                    ),
                }
            }
        }

        if let Some(Value::Object(props)) = schema.get_mut("properties") {
            let mut seen = HashSet::new();
            let clashing: Vec<String> = props
                .keys()
                .filter(|k| !seen.insert(rust_ident(k, Case::Snake)))
                .cloned()
                .collect();
            if !clashing.is_empty() {
                props.retain(|k, _| !clashing.contains(k));
                if let Some(Value::Array(required)) = schema.get_mut("required") {
                    required
                        .retain(|r| r.as_str().is_none_or(|r| !clashing.iter().any(|c| c == r)));
                }
                if !matches!(
                    schema.get("additionalProperties"),
                    Some(Value::Object(_) | Value::Bool(true))
                ) {
                    schema.insert("additionalProperties".into(), Value::Bool(true));
                }
                ctx.report.push(
                    Rule::PropertyDropped,
                    target(),
                    true,
                    format!(
                        "properties {} dropped: each has the same Rust field name as an earlier one; their values stay reachable through the additional properties",
                        clashing.join(", ")
                    ),
                );
            }
        }
    });
}

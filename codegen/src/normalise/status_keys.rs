//! Response keys must be `NNN`, `NXX` or `default`. springdoc's functional
//! routers emit keys such as `"204 NO_CONTENT"`, which `openapiv3` drops
//! without a word, so they are repaired on the raw JSON.

use serde_json::{Map, Value};

use super::Ctx;
use crate::report::{Rule, Target};
use crate::spec::{op_ref, operation_mut, operations};

pub(super) fn repair(spec: &mut Value, ctx: &mut Ctx) {
    for (path, method) in operations(spec) {
        let target = Target::Operation(op_ref(spec, &path, &method));
        let Some(op) = operation_mut(spec, &path, &method) else {
            continue;
        };
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            continue;
        };
        if responses.keys().all(|k| is_valid(k)) {
            continue;
        }
        let mut repaired = Map::new();
        for (key, response) in std::mem::take(responses) {
            if is_valid(&key) {
                repaired.entry(key).or_insert(response);
                continue;
            }
            match fix(&key) {
                Some(new) if !repaired.contains_key(&new) => {
                    ctx.report.push(
                        Rule::StatusKeyRepaired,
                        target.clone(),
                        false,
                        format!("response key {key:?} read as {new:?}"),
                    );
                    repaired.insert(new, response);
                }
                _ => ctx.report.push(
                    Rule::StatusKeyRepaired,
                    target.clone(),
                    true,
                    format!("response key {key:?} is not a status code and was dropped"),
                ),
            }
        }
        *responses = repaired;
    }
}

fn is_valid(key: &str) -> bool {
    let b = key.as_bytes();
    key == "default"
        || (b.len() == 3
            && (b'1'..=b'5').contains(&b[0])
            && ((b[1].is_ascii_digit() && b[2].is_ascii_digit()) || &b[1..] == b"XX"))
}

fn fix(key: &str) -> Option<String> {
    let head: String = key.trim().chars().take(3).collect();
    let upper = head.to_ascii_uppercase();
    let rest_ok = key
        .trim()
        .chars()
        .nth(3)
        .is_none_or(|c| !c.is_ascii_alphanumeric());
    (rest_ok && is_valid(&upper)).then_some(upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_what_it_can_read() {
        assert_eq!(fix("204 NO_CONTENT"), Some("204".into()));
        assert_eq!(fix("4xx"), Some("4XX".into()));
        assert_eq!(fix("2000"), None);
        assert_eq!(fix("OK"), None);
        assert!(is_valid("209") && is_valid("5XX") && !is_valid("600"));
    }
}

//! progenitor needs one unique operationId per operation, turned into a
//! method name. springdoc de-duplicates with `_1`, `_2`; hand-written specs
//! (like ours) reuse a name across `/v1`, `/v1.1` and `/v2`.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::Ctx;
use crate::ident::snake;
use crate::report::{Rule, Target};
use crate::spec::{op_ref, operation, operation_mut, operations, path_version};

/// Methods of the generated `Client` and of progenitor's `ClientHooks`: an
/// operation with one of these names would shadow them in every `send()`.
/// Then the names the generated `builder` module imports: an operation's
/// builder struct is named after it (`error` → `builder::Error`), and one of
/// these names would clash with the import and not compile.
const RESERVED: [&str; 16] = [
    "new",
    "new_with_client",
    "baseurl",
    "client",
    "api_version",
    "inner",
    "pre",
    "post",
    "exec",
    "error",
    "byte_stream",
    "client_info",
    "client_hooks",
    "operation_info",
    "request_builder_ext",
    "response_value",
];

pub(super) fn repair(spec: &mut Value, ctx: &mut Ctx) {
    let ops = operations(spec);
    let mut taken: HashSet<String> = ops
        .iter()
        .filter_map(|(p, m)| current_id(spec, p, m))
        .map(|id| snake(&id))
        .collect();

    for (path, method) in &ops {
        if current_id(spec, path, method).is_none() {
            let id = unique(&synthesise(method, path), &mut taken);
            set_id(spec, path, method, &id);
            ctx.report.push(
                Rule::OperationIdAdded,
                Target::Operation(op_ref(spec, path, method)),
                false,
                "no operationId in the spec; named from method and path".into(),
            );
        }
    }

    for (path, method) in &ops {
        let Some(id) = current_id(spec, path, method) else {
            continue;
        };
        if RESERVED.contains(&snake(&id).as_str()) {
            let new = unique(&format!("{id}Operation"), &mut taken);
            set_id(spec, path, method, &new);
            ctx.report.push(
                Rule::OperationIdRenamed,
                Target::Operation(op_ref(spec, path, method)),
                true,
                format!(
                    "operationId {id:?} would shadow a method or a name of the generated client"
                ),
            );
        }
    }

    // Group by the Rust name, since that is where two ids really collide.
    let mut groups: BTreeMap<String, Vec<(usize, &String, &String)>> = BTreeMap::new();
    for (index, (path, method)) in ops.iter().enumerate() {
        if let Some(id) = current_id(spec, path, method) {
            groups
                .entry(snake(&id))
                .or_default()
                .push((index, path, method));
        }
    }
    let mut renames = Vec::new();
    for members in groups.into_values().filter(|m| m.len() > 1) {
        let versions: Vec<_> = members.iter().map(|(_, p, _)| path_version(p)).collect();
        let distinct: HashSet<_> = versions.iter().collect();
        if distinct.len() == members.len() && versions.iter().all(Option::is_some) {
            // The lowest version keeps the plain name, so adding a newer
            // version upstream never renames a method users already call.
            let mut by_version: Vec<_> = members.iter().zip(&versions).collect();
            by_version.sort_by_key(|(m, v)| (**v, m.0));
            for ((_, path, method), version) in by_version.into_iter().skip(1) {
                let (major, minor) = version.expect("checked above");
                let suffix = if minor == 0 {
                    format!("V{major}")
                } else {
                    format!("V{major}_{minor}")
                };
                renames.push((
                    (*path).clone(),
                    (*method).clone(),
                    suffix,
                    "the same operationId is used under another API version",
                ));
            }
        } else {
            for (n, (_, path, method)) in members.iter().enumerate().skip(1) {
                renames.push((
                    (*path).clone(),
                    (*method).clone(),
                    format!("_{n}"),
                    "the same operationId is used by another operation",
                ));
            }
        }
    }
    renames.sort_by_key(|(p, m, _, _)| ops.iter().position(|o| &o.0 == p && &o.1 == m));
    for (path, method, suffix, why) in renames {
        let old = current_id(spec, &path, &method).unwrap_or_default();
        let new = unique(&format!("{old}{suffix}"), &mut taken);
        set_id(spec, &path, &method, &new);
        ctx.report.push(
            Rule::OperationIdDeduplicated,
            Target::Operation(op_ref(spec, &path, &method)),
            false,
            format!("renamed from {old:?}: {why}"),
        );
    }
}

fn current_id(spec: &Value, path: &str, method: &str) -> Option<String> {
    operation(spec, path, method)?
        .get("operationId")?
        .as_str()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
}

fn set_id(spec: &mut Value, path: &str, method: &str, id: &str) {
    if let Some(op) = operation_mut(spec, path, method) {
        op.insert("operationId".into(), Value::String(id.to_owned()));
    }
}

fn unique(base: &str, taken: &mut HashSet<String>) -> String {
    let mut candidate = base.to_owned();
    let mut n = 2;
    while taken.contains(&snake(&candidate)) {
        candidate = format!("{base}{n}");
        n += 1;
    }
    taken.insert(snake(&candidate));
    candidate
}

/// `get /arc/v1/authorization-requests/{id}` → `getArcV1AuthorizationRequestsById`.
fn synthesise(method: &str, path: &str) -> String {
    let mut name = method.to_ascii_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(param) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            name.push_str("By");
            name.push_str(&pascal_words(param));
        } else if path_version(&format!("/{segment}")).is_some() {
            name.push_str(&segment.to_ascii_uppercase().replace('.', "_"));
        } else {
            name.push_str(&pascal_words(segment));
        }
    }
    name
}

fn pascal_words(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthesised_names_read_like_the_path() {
        assert_eq!(
            synthesise("get", "/arc/v1/authorization-requests/{id}"),
            "getArcV1AuthorizationRequestsById"
        );
        assert_eq!(
            synthesise("post", "/ehr/v1.1/prescriptions"),
            "postEhrV1_1Prescriptions"
        );
        assert_eq!(synthesise("get", "/"), "get");
    }
}

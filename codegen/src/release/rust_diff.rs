//! Compares two generated Rust APIs item by item and says, for each
//! difference, whether code written against the old one may stop compiling
//! (or start failing) against the new one.

use std::collections::BTreeSet;

use crate::{Exposure, RustApi, RustItem, Surface};

use super::ApiChange;

pub(crate) fn diff(old: &RustApi, new: &RustApi, new_surface: &Surface) -> Vec<ApiChange> {
    let request_side = request_types(new, new_surface);
    let mut changes = Vec::new();
    let keys: BTreeSet<&String> = old.items.keys().chain(new.items.keys()).collect();
    for key in keys {
        match (old.items.get(key), new.items.get(key)) {
            (Some(item), None) => {
                changes.push(ApiChange::breaking(key, format!("{} removed", item.kind())))
            }
            (None, Some(item)) => {
                changes.push(ApiChange::additive(key, format!("{} added", item.kind())))
            }
            (Some(before), Some(after)) if before != after => {
                compare(key, before, after, request_side.contains(key), &mut changes);
            }
            _ => {}
        }
    }
    changes
}

fn compare(
    key: &str,
    before: &RustItem,
    after: &RustItem,
    request_side: bool,
    out: &mut Vec<ApiChange>,
) {
    match (before, after) {
        (
            RustItem::Struct {
                fields: old_fields,
                constructible: was_constructible,
            },
            RustItem::Struct {
                fields: new_fields,
                constructible,
            },
        ) => {
            for (name, old_ty) in old_fields {
                match new_fields.iter().find(|(n, _)| n == name) {
                    None => out.push(ApiChange::breaking(key, format!("field `{name}` removed"))),
                    Some((_, new_ty)) if new_ty != old_ty => {
                        let note = if is_optional(old_ty) && !is_optional(new_ty) {
                            " (now required)"
                        } else {
                            ""
                        };
                        out.push(ApiChange::breaking(
                            key,
                            format!("field `{name}`: `{old_ty}` → `{new_ty}`{note}"),
                        ));
                    }
                    Some(_) => {}
                }
            }
            for (name, new_ty) in new_fields {
                if old_fields.iter().any(|(n, _)| n == name) {
                    continue;
                }
                let change = if *was_constructible {
                    ApiChange::breaking(
                        key,
                        format!(
                            "field `{name}: {new_ty}` added to a struct users can build with a literal"
                        ),
                    )
                } else if request_side && !is_optional(new_ty) {
                    ApiChange::breaking(
                        key,
                        format!(
                            "required field `{name}: {new_ty}` added to a request type: builders must now set it"
                        ),
                    )
                } else {
                    ApiChange::additive(key, format!("field `{name}: {new_ty}` added"))
                };
                out.push(change);
            }
            if *was_constructible && !constructible {
                out.push(ApiChange::breaking(
                    key,
                    "can no longer be built with a literal".into(),
                ));
            }
        }
        (
            RustItem::Enum {
                variants: old_variants,
                non_exhaustive: was_open,
            },
            RustItem::Enum {
                variants,
                non_exhaustive,
            },
        ) => {
            for v in old_variants.iter().filter(|v| !variants.contains(v)) {
                out.push(ApiChange::breaking(key, format!("variant `{v}` removed")));
            }
            for v in variants.iter().filter(|v| !old_variants.contains(v)) {
                out.push(if *was_open {
                    ApiChange::additive(key, format!("variant `{v}` added"))
                } else {
                    ApiChange::breaking(key, format!("variant `{v}` added to an exhaustive enum"))
                });
            }
            if !was_open && *non_exhaustive {
                out.push(ApiChange::breaking(key, "became non-exhaustive".into()));
            }
        }
        (RustItem::Alias(old), RustItem::Alias(new)) => {
            out.push(ApiChange::breaking(key, format!("`{old}` → `{new}`")));
        }
        (RustItem::Fn(old), RustItem::Fn(new)) => {
            out.push(ApiChange::breaking(key, format!("`{old}` → `{new}`")));
        }
        (old, new) => out.push(ApiChange::breaking(
            key,
            format!("was a {}, now a {}", old.kind(), new.kind()),
        )),
    }
}

/// A field users may leave out of a builder: it defaults to empty.
fn is_optional(ty: &str) -> bool {
    ["Option<", "Vec<", "HashMap<", "Map<", "BTreeMap<"]
        .iter()
        .any(|p| ty.starts_with(p))
}

/// `types::…` items users build and send: request bodies, parameter types,
/// and every type reachable from their fields.
fn request_types(api: &RustApi, surface: &Surface) -> BTreeSet<String> {
    let mut pending: Vec<String> = Vec::new();
    for line in &surface.operations {
        if let Exposure::Generated { params, body, .. } = &line.exposure {
            for ty in params.iter().map(|(_, t)| t).chain(body) {
                pending.extend(type_names(ty, api));
            }
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(key) = pending.pop() {
        if !seen.insert(key.clone()) {
            continue;
        }
        match api.items.get(&key) {
            Some(RustItem::Struct { fields, .. }) => {
                for (_, ty) in fields {
                    pending.extend(type_names(ty, api));
                }
            }
            Some(RustItem::Enum { variants, .. }) => {
                for v in variants {
                    pending.extend(type_names(v, api));
                }
            }
            Some(RustItem::Alias(target)) => pending.extend(type_names(target, api)),
            _ => {}
        }
    }
    seen
}

/// The `types::X` items named anywhere in a type's text.
fn type_names(text: &str, api: &RustApi) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .map(|word| format!("types::{word}"))
        .filter(|key| api.items.contains_key(key))
        .collect()
}

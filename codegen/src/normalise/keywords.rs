//! Keywords holding a value of the wrong JSON type.
//!
//! `openapiv3` reads every keyword into a typed field, so a single
//! `"minimum": "0"` or `"nullable": "true"` anywhere makes the whole document
//! unreadable, and progenitor or typify panic on a few more shapes (a `type`
//! they do not know, enum values of another type than the schema's, an empty
//! `allOf`). springdoc copies annotation attributes as their authors typed
//! them, so such values do reach published specs.
//!
//! This pass runs first, on the raw JSON, over every schema, parameter,
//! header, media type, request body and response in the document (the walk
//! over those objects is in [`objects`]; this file repairs the schemas). A
//! value whose meaning is clear is converted to the type its keyword takes
//! (`keyword-coerced`); one that cannot be read is removed
//! (`keyword-dropped`), and so are the few well-typed shapes typify cannot
//! generate (a `format` on an object, `not` around anything but enum
//! values, `anyOf` beside `oneOf`). A schema without a type whose format,
//! bounds or enum values imply one is given it. `required: true` on a
//! property becomes an entry in its object's `required` list
//! (`required-moved`), and a schema reference into another definition,
//! which progenitor cannot follow, is replaced by a copy of its target
//! (`reference-repaired`). Parameters and headers with
//! neither `schema` nor `content` outside an operation get a string schema
//! (`schema-added`); inside an operation the parameters pass does the same
//! and names the operation.

mod objects;

use serde_json::{Map, Number, Value, json};

use super::Ctx;
use crate::report::{Rule, Target};
use crate::spec::escape;

/// Schemas nest only as deep as their authors typed them; a bound keeps a
/// hostile document (or a cycle of inlined references) from exhausting the
/// stack.
const MAX_DEPTH: usize = 64;

/// The `type` values OpenAPI 3.0 knows.
const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "object", "array"];

pub(super) fn repair(spec: &mut Value, ctx: &mut Ctx) {
    // References are resolved against the document as it arrived, so an
    // inlined target is repaired like any other schema where it lands.
    let original = spec.clone();
    let mut walker = Walker {
        ctx,
        doc: &original,
    };
    walker.document(spec);
}

struct Walker<'a> {
    ctx: &'a mut Ctx,
    doc: &'a Value,
}

/// What a parameter-like object (parameter or header) is, for the
/// missing-schema rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holder {
    /// A parameter of an operation or path item: the parameters pass adds a
    /// missing schema and names the operation.
    OperationParameter,
    /// A component parameter, or any header.
    Other,
}

impl Walker<'_> {
    fn coerced(&mut self, pointer: &str, detail: String) {
        self.ctx.report.push(
            Rule::KeywordCoerced,
            Target::Schema(pointer.to_owned()),
            false,
            detail,
        );
    }

    fn dropped(&mut self, pointer: &str, lossy: bool, detail: String) {
        self.ctx.report.push(
            Rule::KeywordDropped,
            Target::Schema(pointer.to_owned()),
            lossy,
            detail,
        );
    }

    /// `required: true` on a schema that is no property and no parameter's:
    /// it has no parent to be required in.
    fn stray_required(&mut self, flag: Option<bool>, pointer: &str) {
        if let Some(flag) = flag {
            self.dropped(
                pointer,
                false,
                format!(
                    "required {flag} removed: outside a property or parameter it means nothing"
                ),
            );
        }
    }

    /// A keyword that takes a boolean.
    fn flag(&mut self, map: &mut Map<String, Value>, key: &str, pointer: &str, lossy: bool) {
        let Some(value) = map.get(key) else {
            return;
        };
        if value.is_boolean() {
            return;
        }
        match boolean(value) {
            Some(b) => {
                self.coerced(pointer, format!("{key} {value} read as {b}"));
                map.insert(key.into(), Value::Bool(b));
            }
            None => {
                let value = value.clone();
                map.remove(key);
                self.dropped(
                    pointer,
                    lossy && !value.is_null(),
                    format!("{key} {value} removed: not true or false"),
                );
            }
        }
    }

    /// A keyword that takes text: numbers and booleans are written out,
    /// anything else is removed.
    fn text(&mut self, map: &mut Map<String, Value>, key: &str, pointer: &str) {
        let Some(value) = map.get(key) else {
            return;
        };
        match value {
            Value::String(_) => {}
            Value::Number(_) | Value::Bool(_) => {
                let text = value.to_string();
                self.coerced(pointer, format!("{key} {text} read as the text {text:?}"));
                map.insert(key.into(), Value::String(text));
            }
            other => {
                let other = short(other);
                map.remove(key);
                self.dropped(pointer, false, format!("{key} {other} removed: not text"));
            }
        }
    }

    /// Repairs the schema at `value` in place. Returns the `required` flag the
    /// schema carried (`required: true` written on a property), for the
    /// caller to move where it belongs.
    fn schema(&mut self, value: &mut Value, pointer: &str, depth: usize) -> Option<bool> {
        match &*value {
            Value::Object(_) => {}
            Value::Bool(true) => {
                *value = json!({});
                self.coerced(
                    pointer,
                    "schema `true` (any value) read as an empty schema".into(),
                );
            }
            other => {
                let was = short(other);
                let lossy = !other.is_null();
                *value = json!({});
                self.dropped(
                    pointer,
                    lossy,
                    format!(
                        "schema {was} replaced by an empty schema (any value): not a schema object"
                    ),
                );
            }
        }
        let Value::Object(map) = value else {
            return None;
        };
        if depth > MAX_DEPTH {
            return None;
        }
        self.schema_object(map, pointer, depth)
    }

    fn schema_object(
        &mut self,
        map: &mut Map<String, Value>,
        pointer: &str,
        depth: usize,
    ) -> Option<bool> {
        let required = self.required(map, pointer);
        match map.get("$ref") {
            Some(Value::String(reference)) => {
                let reference = reference.clone();
                match self.reference(&reference) {
                    Reference::Fine => return required,
                    Reference::Inline(target) => {
                        self.ctx.report.push(
                            Rule::ReferenceRepaired,
                            Target::Schema(pointer.to_owned()),
                            false,
                            format!("$ref {reference:?} points inside another definition, which progenitor cannot follow; the schema there is copied in"),
                        );
                        *map = target;
                        // The copy is repaired where it now stands; its own
                        // `required` flag, if any, is the one that counts.
                        return self.schema_object(map, pointer, depth + 1).or(required);
                    }
                    // A reference to a schema that is not there is a broken
                    // document, not a quirk: progenitor refuses it, naming the
                    // operation and the reference.
                    Reference::Unusable => return required,
                }
            }
            Some(other) => {
                let other = other.clone();
                map.remove("$ref");
                self.dropped(
                    pointer,
                    true,
                    format!("$ref {other} removed: not a reference string"),
                );
            }
            None => {}
        }
        self.type_keyword(map, pointer);
        for key in ["nullable", "uniqueItems"] {
            self.flag(map, key, pointer, true);
        }
        for key in ["readOnly", "writeOnly", "deprecated"] {
            self.flag(map, key, pointer, false);
        }
        for key in ["minimum", "maximum", "multipleOf"] {
            self.number(map, key, pointer);
        }
        self.exclusive(map, "exclusiveMinimum", "minimum", pointer);
        self.exclusive(map, "exclusiveMaximum", "maximum", pointer);
        for (key, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            if map.contains_key(key) && !map.contains_key(bound) {
                // progenitor hits a `todo!` on the flag without its bound,
                // which it qualifies; alone it means nothing.
                let value = map.remove(key).unwrap_or_default();
                self.dropped(
                    pointer,
                    false,
                    format!("{key} {value} removed: there is no {bound} for it to make exclusive"),
                );
            }
        }
        for key in [
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "minProperties",
            "maxProperties",
        ] {
            self.count(map, key, pointer);
        }
        for key in ["format", "pattern"] {
            if let Some(value) = map.get(key)
                && !value.is_string()
            {
                let value = value.clone();
                map.remove(key);
                self.dropped(
                    pointer,
                    !value.is_null(),
                    format!("{key} {value} removed: not a string"),
                );
            }
        }
        self.infer_type(map, pointer);
        self.text(map, "title", pointer);
        self.text(map, "description", pointer);
        self.enumeration(map, pointer);
        self.discriminator(map, pointer);
        if let Some(docs) = map.get("externalDocs")
            && !docs.get("url").is_some_and(Value::is_string)
        {
            let docs = short(docs);
            map.remove("externalDocs");
            self.dropped(
                pointer,
                false,
                format!("externalDocs {docs} removed: no url"),
            );
        }
        self.subschemas(map, pointer, depth);
        required
    }

    /// Takes `required` off a schema: a list of names stays (cleaned), a
    /// boolean (or its text) is handed back as the schema's own flag.
    fn required(&mut self, map: &mut Map<String, Value>, pointer: &str) -> Option<bool> {
        let value = map.get("required")?;
        match value {
            Value::Array(names) => {
                if names.iter().all(Value::is_string) {
                    return None;
                }
                let kept: Vec<Value> = names.iter().filter(|n| n.is_string()).cloned().collect();
                let dropped: Vec<String> = names
                    .iter()
                    .filter(|n| !n.is_string())
                    .map(Value::to_string)
                    .collect();
                map.insert("required".into(), Value::Array(kept));
                self.dropped(
                    pointer,
                    true,
                    format!(
                        "required entries {} removed: not property names",
                        dropped.join(", ")
                    ),
                );
                None
            }
            Value::Bool(b) => {
                let b = *b;
                map.remove("required");
                Some(b)
            }
            Value::String(s) if boolean(value).is_some() && !has_property(map, s) => {
                let b = boolean(value);
                map.remove("required");
                b
            }
            Value::String(name) => {
                let name = name.clone();
                self.coerced(
                    pointer,
                    format!("required {name:?} read as a one-name list"),
                );
                map.insert("required".into(), json!([name]));
                None
            }
            other => {
                let other = other.clone();
                map.remove("required");
                self.dropped(
                    pointer,
                    !other.is_null(),
                    format!("required {other} removed: not a list of property names"),
                );
                None
            }
        }
    }

    fn reference(&self, reference: &str) -> Reference {
        if self.component(reference).is_some() {
            // Present or missing, a component reference is left as written.
            return if self.component(reference) == Some(true) {
                Reference::Fine
            } else {
                Reference::Unusable
            };
        }
        let Some(local) = reference.strip_prefix('#').filter(|l| l.starts_with('/')) else {
            return Reference::Unusable;
        };
        match self.doc.pointer(local) {
            Some(Value::Object(target))
                if looks_like_schema(target) && self.only_component_references(target, 0) =>
            {
                Reference::Inline(target.clone())
            }
            _ => Reference::Unusable,
        }
    }

    /// For `#/components/schemas/NAME`: whether that schema exists. `None`
    /// for a reference of any other form.
    fn component(&self, reference: &str) -> Option<bool> {
        let name = reference.strip_prefix("#/components/schemas/")?;
        if name.contains('/') {
            return None;
        }
        let name = name.replace("~1", "/").replace("~0", "~");
        Some(
            self.doc
                .pointer("/components/schemas")
                .and_then(|s| s.get(&name))
                .is_some(),
        )
    }

    /// True when every `$ref` inside `map` names an existing component
    /// schema, so that copying it in cannot start a chain of copies.
    fn only_component_references(&self, map: &Map<String, Value>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        map.iter().all(|(key, value)| match (key.as_str(), value) {
            ("$ref", Value::String(r)) => self.component(r) == Some(true),
            (_, Value::Object(inner)) => self.only_component_references(inner, depth + 1),
            (_, Value::Array(items)) => items.iter().all(|item| match item {
                Value::Object(inner) => self.only_component_references(inner, depth + 1),
                _ => true,
            }),
            _ => true,
        })
    }

    /// typify cannot read a schema without a type whose only hints are a
    /// `format` or number bounds (it hits a `todo!`); such a schema is given
    /// the type they imply. A `format` beside list or object keywords, which
    /// no format applies to, is removed for the same reason.
    fn infer_type(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        const STRING: [&str; 3] = ["minLength", "maxLength", "pattern"];
        const NUMBER: [&str; 5] = [
            "minimum",
            "maximum",
            "multipleOf",
            "exclusiveMinimum",
            "exclusiveMaximum",
        ];
        const ARRAY: [&str; 4] = ["items", "minItems", "maxItems", "uniqueItems"];
        const OBJECT: [&str; 5] = [
            "properties",
            "additionalProperties",
            "required",
            "minProperties",
            "maxProperties",
        ];
        match map.get("type").and_then(Value::as_str) {
            Some("object" | "array" | "boolean") if map.contains_key("format") => {
                // typify hits a `todo!` on a format there; none applies.
                let format = map.remove("format").unwrap_or_default();
                let ty = map.get("type").cloned().unwrap_or_default();
                self.dropped(
                    pointer,
                    false,
                    format!("format {format} removed: no format applies to type {ty}"),
                );
                return;
            }
            Some(_) => return,
            None => {}
        }
        let composed = ["allOf", "oneOf", "anyOf", "not", "$ref"]
            .iter()
            .any(|k| map.contains_key(*k));
        if !composed && let Some(Value::Array(values)) = map.get("enum") {
            // An untyped enum is typed by its values; typify refuses a
            // nullable one without a type.
            let kinds: std::collections::BTreeSet<&str> = values.iter().filter_map(kind).collect();
            if let [only] = kinds.iter().copied().collect::<Vec<_>>()[..]
                && matches!(only, "string" | "number" | "boolean")
            {
                let ty = if only == "number"
                    && values
                        .iter()
                        .all(|v| v.is_null() || v.is_i64() || v.is_u64())
                {
                    "integer"
                } else {
                    only
                };
                map.insert("type".into(), json!(ty));
                self.coerced(
                    pointer,
                    format!("no type; read as {ty:?} from its enum values"),
                );
                return;
            }
        }
        let composed = ["allOf", "oneOf", "anyOf", "not", "$ref", "enum"]
            .iter()
            .any(|k| map.contains_key(*k));
        if composed {
            if map.contains_key("format") {
                // typify hits a `todo!` on a format beside a composition.
                let format = map.remove("format").unwrap_or_default();
                self.dropped(pointer, false, format!("format {format} removed: a schema without a type made of other schemas has no format of its own"));
            }
            return;
        }
        let any = |keys: &[&str]| keys.iter().any(|k| map.contains_key(*k));
        let kinds = [any(&STRING), any(&NUMBER), any(&ARRAY), any(&OBJECT)];
        let format = map.get("format").and_then(Value::as_str).map(str::to_owned);
        let integer_format = matches!(format.as_deref(), Some("int32" | "int64"));
        let number_format = matches!(format.as_deref(), Some("float" | "double"));
        let (ty, from) = match kinds {
            [false, false, false, false] => match &format {
                Some(_) if integer_format => ("integer", "its format"),
                Some(_) if number_format => ("number", "its format"),
                Some(_) => ("string", "its format"),
                None => return,
            },
            [false, true, false, false] if integer_format => ("integer", "its number bounds"),
            [false, true, false, false] => ("number", "its number bounds"),
            [false, false, true, _] | [false, false, _, true] if format.is_some() => {
                map.remove("format");
                self.dropped(
                    pointer,
                    false,
                    "format removed: no format applies to a list or an object".into(),
                );
                return;
            }
            _ => return,
        };
        map.insert("type".into(), json!(ty));
        self.coerced(pointer, format!("no type; read as {ty:?} from {from}"));
    }

    fn type_keyword(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let Some(value) = map.get("type") else {
            return;
        };
        let (kinds, null) = match value {
            Value::String(t) if TYPES.contains(&t.as_str()) => return,
            Value::String(t) => (vec![t.to_ascii_lowercase()], false),
            Value::Array(items) => {
                let mut kinds: Vec<String> = Vec::new();
                let mut null = false;
                for item in items {
                    match item.as_str().map(str::to_ascii_lowercase) {
                        Some(t) if t == "null" => null = true,
                        None if item.is_null() => null = true,
                        Some(t) if !kinds.contains(&t) => kinds.push(t),
                        _ => {}
                    }
                }
                (kinds, null)
            }
            other => {
                let other = other.clone();
                map.remove("type");
                self.dropped(
                    pointer,
                    !other.is_null(),
                    format!("type {other} removed: not a type name"),
                );
                return;
            }
        };
        let was = value.clone();
        let null = null || kinds.iter().any(|k| k == "null");
        let mut kinds: Vec<String> = kinds.into_iter().filter(|k| k != "null").collect();
        // Every integer is a number, so the pair means "number".
        if kinds.len() == 2
            && kinds.iter().any(|k| k == "integer")
            && kinds.iter().any(|k| k == "number")
        {
            kinds = vec!["number".into()];
        }
        let nullable_note = if null && map.get("nullable") != Some(&Value::Bool(true)) {
            map.insert("nullable".into(), Value::Bool(true));
            " with nullable: true"
        } else {
            ""
        };
        match kinds.as_slice() {
            [one] if TYPES.contains(&one.as_str()) => {
                map.insert("type".into(), Value::String(one.clone()));
                self.coerced(
                    pointer,
                    format!("type {was} read as {one:?}{nullable_note}"),
                );
            }
            [] if null => {
                map.remove("type");
                self.coerced(
                    pointer,
                    format!("type {was} read as a nullable value of any type"),
                );
            }
            [] => {
                map.remove("type");
                self.dropped(pointer, false, format!("type {was} removed: names no type"));
            }
            [one] => {
                map.remove("type");
                self.dropped(
                    pointer,
                    true,
                    format!("type {one:?} removed: OpenAPI 3.0 has no such type{nullable_note}"),
                );
            }
            _ => {
                map.remove("type");
                self.dropped(pointer, true, format!("type {was} removed: a schema of several types is read as any value{nullable_note}"));
            }
        }
    }

    /// A keyword that takes a JSON number.
    fn number(&mut self, map: &mut Map<String, Value>, key: &str, pointer: &str) {
        let Some(value) = map.get(key) else {
            return;
        };
        if value.is_number() {
            return;
        }
        match value.as_str().and_then(parse_number) {
            Some(n) => {
                self.coerced(pointer, format!("{key} {value} read as {n}"));
                map.insert(key.into(), Value::Number(n));
            }
            None => {
                let value = value.clone();
                map.remove(key);
                self.dropped(
                    pointer,
                    !value.is_null(),
                    format!("{key} {value} removed: not a number"),
                );
            }
        }
    }

    /// `exclusiveMinimum` / `exclusiveMaximum`: a boolean in OpenAPI 3.0, a
    /// number (the bound itself) in 3.1 and JSON Schema draft 6 onwards.
    fn exclusive(&mut self, map: &mut Map<String, Value>, key: &str, bound: &str, pointer: &str) {
        let Some(value) = map.get(key) else {
            return;
        };
        if value.is_boolean() {
            return;
        }
        if let Some(b) = boolean(value) {
            self.coerced(pointer, format!("{key} {value} read as {b}"));
            map.insert(key.into(), Value::Bool(b));
            return;
        }
        let n = match value {
            Value::Number(n) => Some(n.clone()),
            Value::String(s) => parse_number(s),
            _ => None,
        };
        let Some(n) = n else {
            let value = value.clone();
            map.remove(key);
            self.dropped(
                pointer,
                !value.is_null(),
                format!("{key} {value} removed: neither a boolean nor a bound"),
            );
            return;
        };
        let was = value.clone();
        let limit = n.as_f64().unwrap_or_default();
        let current = map.get(bound).and_then(Value::as_f64);
        let lower = bound == "minimum";
        // The stricter of the two bounds wins; an exclusive bound equal to
        // the inclusive one is the stricter.
        let exclusive_wins = match current {
            None => true,
            Some(c) => (lower && limit >= c) || (!lower && limit <= c),
        };
        if exclusive_wins {
            map.insert(bound.into(), Value::Number(n.clone()));
            map.insert(key.into(), Value::Bool(true));
            self.coerced(pointer, format!("{key} {was} (the bound itself, as OpenAPI 3.1 writes it) read as {bound} {n} with {key}: true"));
        } else {
            map.remove(key);
            self.coerced(pointer, format!("{key} {was} (the bound itself, as OpenAPI 3.1 writes it) removed: the inclusive {bound} is stricter"));
        }
    }

    /// A keyword that takes a count (a non-negative integer).
    fn count(&mut self, map: &mut Map<String, Value>, key: &str, pointer: &str) {
        let Some(value) = map.get(key) else {
            return;
        };
        if value.is_u64() {
            return;
        }
        let read = match value {
            Value::Number(n) => n.as_f64().and_then(whole),
            Value::String(s) => parse_number(s).and_then(|n| n.as_f64()).and_then(whole),
            _ => None,
        };
        match read {
            Some(n) => {
                self.coerced(pointer, format!("{key} {value} read as {n}"));
                map.insert(key.into(), Value::Number(n.into()));
            }
            None => {
                let value = value.clone();
                map.remove(key);
                // A negative minimum constrains nothing; anything else lost
                // a limit.
                let constrains_nothing = value.is_null()
                    || (key.starts_with("min") && value.as_f64().is_some_and(|n| n < 0.0));
                let lossy = !constrains_nothing;
                self.dropped(
                    pointer,
                    lossy,
                    format!("{key} {value} removed: not a count"),
                );
            }
        }
    }

    fn enumeration(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let Some(value) = map.get("enum") else {
            return;
        };
        match value {
            Value::Array(_) => {}
            Value::Null => {
                map.remove("enum");
                self.dropped(pointer, false, "enum null removed".into());
                return;
            }
            Value::Object(_) => {
                let value = short(value);
                map.remove("enum");
                self.dropped(
                    pointer,
                    true,
                    format!("enum {value} removed: not a list of values"),
                );
                return;
            }
            lone => {
                let lone = lone.clone();
                self.coerced(pointer, format!("enum {lone} read as a one-value enum"));
                map.insert("enum".into(), Value::Array(vec![lone]));
            }
        }
        if let Some(key) = ["allOf", "oneOf", "anyOf"]
            .into_iter()
            .find(|k| map.contains_key(*k))
        {
            // typify checks enum values against the merged schema and
            // refuses (or panics on) any that do not fit it.
            let values = short(map.get("enum").unwrap_or(&Value::Null));
            map.remove("enum");
            self.dropped(pointer, true, format!("enum {values} removed: progenitor cannot list values of a schema made with {key}"));
            return;
        }
        let Some(Value::Array(values)) = map.get("enum") else {
            return;
        };
        let ty = map.get("type").and_then(Value::as_str).map(str::to_owned);
        let mut converted = Vec::with_capacity(values.len());
        let mut changed = Vec::new();
        let mut misfit = None;
        for v in values {
            if v.is_null() {
                converted.push(Value::Null);
                continue;
            }
            match enum_value(ty.as_deref(), v) {
                Some(c) => {
                    if &c != v {
                        changed.push(format!("{v} as {c}"));
                    }
                    converted.push(c);
                }
                None => {
                    misfit = Some(v.clone());
                    break;
                }
            }
        }
        if misfit.is_none() && ty.is_none() {
            // typify infers an untyped enum's type from its values, and
            // panics when they are of several kinds.
            let kinds: std::collections::BTreeSet<&str> =
                converted.iter().filter_map(kind).collect();
            if kinds.len() > 1 || converted.iter().any(|v| v.is_array() || v.is_object()) {
                let listed = short(&Value::Array(converted.clone()));
                map.remove("enum");
                self.dropped(
                    pointer,
                    true,
                    format!("enum {listed} removed: an untyped enum needs values of one kind"),
                );
                return;
            }
        }
        match misfit {
            Some(v) => {
                let ty = ty.unwrap_or_default();
                map.remove("enum");
                self.dropped(
                    pointer,
                    true,
                    format!("enum removed: value {} is not of type {ty}", short(&v)),
                );
            }
            None if !changed.is_empty() => {
                let ty = ty.unwrap_or_default();
                map.insert("enum".into(), Value::Array(converted));
                self.coerced(
                    pointer,
                    format!("enum values read as {ty}: {}", changed.join(", ")),
                );
            }
            None => {}
        }
    }

    fn discriminator(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let Some(value) = map.get("discriminator") else {
            return;
        };
        match value {
            Value::String(name) => {
                let name = name.clone();
                self.coerced(
                    pointer,
                    format!("discriminator {name:?} read as its property name"),
                );
                map.insert("discriminator".into(), json!({ "propertyName": name }));
            }
            Value::Object(d) if d.get("propertyName").is_some_and(Value::is_string) => {
                let bad_mapping = match d.get("mapping") {
                    None => false,
                    Some(Value::Object(m)) => m.values().any(|v| !v.is_string()),
                    Some(_) => true,
                };
                if bad_mapping {
                    let mut d = d.clone();
                    match d.get_mut("mapping") {
                        Some(Value::Object(m)) => m.retain(|_, v| v.is_string()),
                        _ => {
                            d.remove("mapping");
                        }
                    }
                    map.insert("discriminator".into(), Value::Object(d));
                    self.dropped(
                        pointer,
                        false,
                        "discriminator mapping entries that are not references removed".into(),
                    );
                }
            }
            other => {
                let other = short(other);
                map.remove("discriminator");
                // progenitor reads a discriminated oneOf as an untagged enum
                // anyway, so the generated types do not change.
                self.dropped(
                    pointer,
                    false,
                    format!("discriminator {other} removed: no propertyName"),
                );
            }
        }
    }

    fn subschemas(&mut self, map: &mut Map<String, Value>, pointer: &str, depth: usize) {
        // `items` and `not` take one schema; a list of one is read as that one.
        for key in ["items", "not"] {
            if let Some(Value::Array(list)) = map.get(key) {
                let list = list.clone();
                match list.as_slice() {
                    [] => {
                        map.remove(key);
                        self.dropped(pointer, false, format!("{key} [] removed: names no schema"));
                    }
                    [first, rest @ ..] if rest.iter().all(|r| r == first) => {
                        self.coerced(
                            pointer,
                            format!("{key} given as a list of one schema; read as that schema"),
                        );
                        map.insert(key.into(), first.clone());
                    }
                    _ => {
                        map.remove(key);
                        self.dropped(pointer, true, format!("{key} given as a list of {} different schemas removed: OpenAPI 3.0 has no tuples; read as any value", list.len()));
                    }
                }
            }
            if map.get(key).is_some_and(Value::is_null) {
                map.remove(key);
                self.dropped(pointer, false, format!("{key} null removed"));
            }
            if let Some(child) = map.get_mut(key) {
                let at = format!("{pointer}/{key}");
                let flag = self.schema(child, &at, depth + 1);
                self.stray_required(flag, &at);
            }
        }

        // typify generates `not` only as "a string other than these values"
        // and hits a `todo!` (or refuses the enum) on any other form.
        if let Some(Value::Object(not)) = map.get("not") {
            const PLAIN: [&str; 13] = [
                "type",
                "format",
                "not",
                "title",
                "description",
                "readOnly",
                "writeOnly",
                "deprecated",
                "example",
                "externalDocs",
                "minLength",
                "maxLength",
                "pattern",
            ];
            let values_only = not
                .keys()
                .all(|k| matches!(k.as_str(), "enum" | "title" | "description"))
                && not
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|e| !e.is_empty() && e.iter().all(Value::is_string));
            let plain_string = map.get("type").is_none_or(|t| t == "string")
                && map
                    .keys()
                    .all(|k| PLAIN.contains(&k.as_str()) || k.starts_with("x-"));
            if !(values_only && plain_string) {
                let not = short(&Value::Object(not.clone()));
                map.remove("not");
                self.dropped(pointer, true, format!("not {not} removed: typify generates `not` only as a string excluding listed values; read without the exclusion"));
            }
        }

        match map.get("additionalProperties") {
            None | Some(Value::Bool(_)) => {}
            Some(Value::Object(_)) => {
                if let Some(child) = map.get_mut("additionalProperties") {
                    let at = format!("{pointer}/additionalProperties");
                    let flag = self.schema(child, &at, depth + 1);
                    self.stray_required(flag, &at);
                }
            }
            Some(value) => match boolean(value) {
                Some(b) => {
                    self.coerced(pointer, format!("additionalProperties {value} read as {b}"));
                    map.insert("additionalProperties".into(), Value::Bool(b));
                }
                None => {
                    let value = short(value);
                    map.remove("additionalProperties");
                    self.dropped(pointer, false, format!("additionalProperties {value} removed: neither a boolean nor a schema; extra properties are allowed, as by default"));
                }
            },
        }

        for key in ["allOf", "oneOf", "anyOf"] {
            match map.get(key) {
                None | Some(Value::Array(_)) => {}
                Some(Value::Object(_)) => {
                    let one = map.remove(key).unwrap_or_default();
                    self.coerced(
                        pointer,
                        format!("{key} given as one schema; read as a list of that one"),
                    );
                    map.insert(key.into(), Value::Array(vec![one]));
                }
                Some(other) => {
                    let other = short(other);
                    map.remove(key);
                    self.dropped(
                        pointer,
                        !other.starts_with("null"),
                        format!("{key} {other} removed: not a list of schemas"),
                    );
                }
            }
            if let Some(Value::Array(list)) = map.get_mut(key) {
                // A member that is no schema at all (text, a number, null) is
                // left out rather than read as "any value", which would make
                // an anyOf always true.
                let junk: Vec<String> = list
                    .iter()
                    .filter(|s| !s.is_object() && **s != Value::Bool(true))
                    .map(short)
                    .collect();
                if !junk.is_empty() {
                    list.retain(|s| s.is_object() || *s == Value::Bool(true));
                    self.dropped(
                        pointer,
                        junk.iter().any(|j| j != "null"),
                        format!("{key} members {} removed: not schemas", junk.join(", ")),
                    );
                }
                for (i, child) in list.iter_mut().enumerate() {
                    let at = format!("{pointer}/{key}/{i}");
                    let flag = self.schema(child, &at, depth + 1);
                    self.stray_required(flag, &at);
                }
                let open = list
                    .iter()
                    .any(|s| s.as_object().is_some_and(Map::is_empty));
                match key {
                    "allOf" if open => {
                        // An empty member constrains nothing.
                        list.retain(|s| !s.as_object().is_some_and(Map::is_empty));
                        self.dropped(
                            pointer,
                            false,
                            "allOf members `{}` removed: they constrain nothing".into(),
                        );
                    }
                    "anyOf" if open => {
                        // One member accepts anything, so the anyOf does too.
                        map.remove(key);
                        self.dropped(pointer, false, "anyOf removed: one of its members accepts any value, so it constrains nothing".into());
                        continue;
                    }
                    _ => {}
                }
                if map
                    .get(key)
                    .and_then(Value::as_array)
                    .is_some_and(Vec::is_empty)
                    && key == "allOf"
                {
                    // progenitor panics merging an empty allOf; it constrains nothing.
                    map.remove(key);
                    self.dropped(
                        pointer,
                        false,
                        "allOf [] removed: it lists no schemas".into(),
                    );
                }
            }
        }

        // typify asserts that a schema has oneOf or anyOf, not both.
        if map.get("oneOf").is_some_and(Value::is_array)
            && map.get("anyOf").is_some_and(Value::is_array)
        {
            map.remove("anyOf");
            self.dropped(pointer, true, "anyOf removed: the schema has oneOf as well, which progenitor cannot combine; oneOf is kept".into());
        }

        match map.get("properties") {
            None | Some(Value::Object(_)) => {}
            Some(other) => {
                let other = short(other);
                map.remove("properties");
                self.dropped(
                    pointer,
                    !other.starts_with("null"),
                    format!("properties {other} removed: not a map of properties"),
                );
            }
        }
        let Some(Value::Object(props)) = map.get_mut("properties") else {
            return;
        };
        let mut moved = Vec::new();
        let mut impossible = Vec::new();
        let names: Vec<String> = props.keys().cloned().collect();
        for name in names {
            let at = format!("{pointer}/properties/{}", escape(&name));
            let Some(child) = props.get_mut(&name) else {
                continue;
            };
            match child {
                Value::Null => {
                    props.remove(&name);
                    self.dropped(&at, false, "property null removed".into());
                    continue;
                }
                Value::Bool(false) => {
                    props.remove(&name);
                    impossible.push(name);
                    continue;
                }
                _ => {}
            }
            match self.schema(child, &at, depth + 1) {
                Some(true) => moved.push(name),
                Some(false) => self.dropped(
                    &at,
                    false,
                    "required false removed: properties are optional unless listed".into(),
                ),
                None => {}
            }
        }
        if !impossible.is_empty() {
            self.coerced(
                pointer,
                format!(
                    "properties {} given the schema `false` (never present) removed",
                    impossible.join(", ")
                ),
            );
        }
        let listed: Vec<String> = match map.get("required") {
            Some(Value::Array(names)) => names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        if !impossible.is_empty() && listed.iter().any(|n| impossible.contains(n)) {
            let kept: Vec<Value> = listed
                .iter()
                .filter(|n| !impossible.contains(n))
                .map(|n| json!(n))
                .collect();
            map.insert("required".into(), Value::Array(kept));
        }
        if moved.is_empty() {
            return;
        }
        let mut required: Vec<Value> = match map.remove("required") {
            Some(Value::Array(names)) => names,
            _ => Vec::new(),
        };
        for name in &moved {
            if !required.iter().any(|r| r.as_str() == Some(name)) {
                required.push(json!(name));
            }
        }
        map.insert("required".into(), Value::Array(required));
        self.ctx.report.push(
            Rule::RequiredMoved,
            Target::Schema(pointer.to_owned()),
            false,
            format!(
                "`required: true` on propert{} {} moved to the object's required list",
                if moved.len() == 1 { "y" } else { "ies" },
                moved.join(", ")
            ),
        );
    }
}

enum Reference {
    /// A component schema that exists.
    Fine,
    /// A pointer into another definition: its target, to copy in.
    Inline(Map<String, Value>),
    /// Missing, outside the document, or not a schema: left for progenitor
    /// to refuse.
    Unusable,
}

/// Whether a JSON object reads as a schema rather than as some other part of
/// the document (a path item, the components map).
fn looks_like_schema(map: &Map<String, Value>) -> bool {
    const KEYWORDS: [&str; 9] = [
        "type",
        "properties",
        "items",
        "allOf",
        "oneOf",
        "anyOf",
        "enum",
        "$ref",
        "additionalProperties",
    ];
    KEYWORDS.iter().any(|k| map.contains_key(*k)) && !map.contains_key("openapi")
}

fn has_property(map: &Map<String, Value>, name: &str) -> bool {
    map.get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| p.contains_key(name))
}

/// `true`/`false`, or their text in any case.
pub(super) fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A number written as text: an integer stays an integer.
pub(super) fn parse_number(text: &str) -> Option<Number> {
    let text = text.trim();
    if let Ok(i) = text.parse::<i64>() {
        return Some(i.into());
    }
    if let Ok(u) = text.parse::<u64>() {
        return Some(u.into());
    }
    text.parse::<f64>().ok().and_then(Number::from_f64)
}

/// A whole, non-negative number as a count.
fn whole(n: f64) -> Option<u64> {
    (n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64).then_some(n as u64)
}

/// An enum value read as the schema's type, when that is unambiguous.
fn enum_value(ty: Option<&str>, v: &Value) -> Option<Value> {
    match (ty, v) {
        (Some("string"), Value::String(_)) => Some(v.clone()),
        (Some("string"), Value::Number(_) | Value::Bool(_)) => Some(Value::String(v.to_string())),
        (Some("integer"), Value::Number(n)) if n.is_i64() || n.is_u64() => Some(v.clone()),
        (Some("integer"), Value::Number(n)) => integral(n.as_f64()?),
        (Some("integer"), Value::String(s)) => integral(parse_number(s)?.as_f64()?),
        (Some("number"), Value::Number(_)) => Some(v.clone()),
        (Some("number"), Value::String(s)) => parse_number(s).map(Value::Number),
        (Some("boolean"), _) => boolean(v).map(Value::Bool),
        (Some("object"), Value::Object(_)) | (Some("array"), Value::Array(_)) => Some(v.clone()),
        (Some("object" | "array"), _) => None,
        (Some("string" | "integer" | "number"), _) => None,
        // Untyped enums are checked by their caller.
        _ => Some(v.clone()),
    }
}

pub(super) fn integral(f: f64) -> Option<Value> {
    (f.fract() == 0.0 && f.abs() < 9.0e15).then(|| json!(f as i64))
}

fn kind(v: &Value) -> Option<&'static str> {
    match v {
        Value::Null => None,
        Value::Bool(_) => Some("boolean"),
        Value::Number(_) => Some("number"),
        Value::String(_) => Some("string"),
        Value::Array(_) => Some("array"),
        Value::Object(_) => Some("object"),
    }
}

/// A value for a report line, cut short if long.
pub(super) fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= 60 {
        text
    } else {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_written_as_text_keep_their_kind() {
        assert_eq!(parse_number(" 10 "), Some(10.into()));
        assert_eq!(parse_number("-3"), Some((-3).into()));
        assert_eq!(parse_number("0.5").and_then(|n| n.as_f64()), Some(0.5));
        assert_eq!(parse_number("ten"), None);
        assert_eq!(parse_number("NaN"), None);
    }

    #[test]
    fn booleans_written_as_text_are_read_in_any_case() {
        assert_eq!(boolean(&json!("TRUE")), Some(true));
        assert_eq!(boolean(&json!("false")), Some(false));
        assert_eq!(boolean(&json!("yes")), None);
        assert_eq!(boolean(&json!(1)), None);
    }

    #[test]
    fn counts_are_whole_and_not_negative() {
        assert_eq!(whole(3.0), Some(3));
        assert_eq!(whole(3.5), None);
        assert_eq!(whole(-1.0), None);
    }
}

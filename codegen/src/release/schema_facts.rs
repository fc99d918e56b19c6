//! What a release summary needs to know about each component schema,
//! flattened so two releases compare field by field: the JSON shape of every
//! field (nested inline objects as `a.b`, array items as `a[].b`), which are
//! required, enum values and deprecation flags.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::spec::required_properties;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SchemaFacts {
    pub shape: String,
    pub deprecated: bool,
    pub enum_values: Option<Vec<String>>,
    pub fields: BTreeMap<String, FieldFacts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct FieldFacts {
    pub shape: String,
    pub required: bool,
    pub deprecated: bool,
    pub enum_values: Option<Vec<String>>,
}

/// Facts for every entry of `components.schemas`, by name.
pub(crate) fn schema_facts(spec: &Value) -> BTreeMap<String, SchemaFacts> {
    let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return BTreeMap::new();
    };
    schemas
        .iter()
        .map(|(name, schema)| {
            let mut fields = BTreeMap::new();
            collect_fields(schema, "", &mut fields, 0);
            let facts = SchemaFacts {
                shape: shape(schema),
                deprecated: deprecated(schema),
                enum_values: enum_values(schema),
                fields,
            };
            (name.clone(), facts)
        })
        .collect()
}

// Deep enough for any real payload, shallow enough that a self-nesting
// inline schema cannot run away.
const MAX_DEPTH: usize = 8;

fn collect_fields(
    schema: &Value,
    prefix: &str,
    out: &mut BTreeMap<String, FieldFacts>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    // allOf members written inline contribute their fields; referenced
    // members show in the shape instead.
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if member.get("$ref").is_none() {
            collect_fields(member, prefix, out, depth + 1);
        }
    }
    let required = required_properties(schema);
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, property) in properties {
        let path = format!("{prefix}{name}");
        out.insert(
            path.clone(),
            FieldFacts {
                shape: shape(property),
                required: required.contains(&name.as_str()),
                deprecated: deprecated(property),
                enum_values: enum_values(property),
            },
        );
        if property.get("properties").is_some() || property.get("allOf").is_some() {
            collect_fields(property, &format!("{path}."), out, depth + 1);
        }
        if let Some(items) = property.get("items")
            && items.get("$ref").is_none()
        {
            collect_fields(items, &format!("{path}[]."), out, depth + 1);
        }
    }
}

/// `string(date-time)`, `Pet`, `array of Pet`, `map of string`, `object`.
pub(crate) fn shape(schema: &Value) -> String {
    let base = if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        reference.rsplit('/').next().unwrap_or(reference).to_owned()
    } else if let Some(members) = ["allOf", "oneOf", "anyOf"]
        .iter()
        .find_map(|k| Some((*k, schema.get(*k)?.as_array()?)))
    {
        let parts: Vec<String> = members.1.iter().map(shape).collect();
        format!("{} [{}]", members.0, parts.join(", "))
    } else {
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => format!(
                "array of {}",
                schema.get("items").map_or_else(|| "any".into(), shape)
            ),
            Some("object") | None if schema.get("properties").is_some() => "object".into(),
            Some("object") | None => match schema.get("additionalProperties") {
                Some(Value::Object(values)) => {
                    format!("map of {}", shape(&Value::Object(values.clone())))
                }
                Some(Value::Bool(true)) => "map of any".into(),
                _ if schema.get("type").is_some() => "object".into(),
                _ => "any".into(),
            },
            Some(other) => match schema.get("format").and_then(Value::as_str) {
                Some(format) => format!("{other}({format})"),
                None => other.to_owned(),
            },
        }
    };
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        format!("{base}, nullable")
    } else {
        base
    }
}

fn deprecated(schema: &Value) -> bool {
    schema.get("deprecated").and_then(Value::as_bool) == Some(true)
}

fn enum_values(schema: &Value) -> Option<Vec<String>> {
    let values = schema
        .get("enum")
        .or_else(|| schema.get("items")?.get("enum"))?
        .as_array()?;
    Some(
        values
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_fields_are_flattened_with_their_shapes() {
        let spec = json!({ "components": { "schemas": { "Order": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": { "type": "integer", "format": "int64" },
                "lines": { "type": "array", "items": {
                    "type": "object", "properties": { "sku": { "type": "string" } } } },
                "status": { "type": "string", "enum": ["OPEN", "CLOSED"] },
                "buyer": { "$ref": "#/components/schemas/Buyer" }
            } } } } });
        let facts = &schema_facts(&spec)["Order"];
        assert_eq!(facts.fields["id"].shape, "integer(int64)");
        assert!(facts.fields["id"].required);
        assert_eq!(facts.fields["lines"].shape, "array of object");
        assert_eq!(facts.fields["lines[].sku"].shape, "string");
        assert_eq!(facts.fields["buyer"].shape, "Buyer");
        assert_eq!(
            facts.fields["status"].enum_values.as_deref(),
            Some(&["OPEN".to_owned(), "CLOSED".to_owned()][..])
        );
    }
}

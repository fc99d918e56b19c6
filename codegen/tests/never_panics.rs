//! normalise and generate must return errors, never panic, whatever the
//! document says, and an error must say where. The first test replaces
//! every node of a small but quirk-rich spec, one at a time, with values of
//! the wrong shape; the second puts values of every JSON type in every
//! schema keyword and requires the result to generate.

use osigu_codegen::CodegenError;
use serde_json::{Value, json};

fn seed() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": { "title": "seed", "version": "1" },
        "paths": {
            "/things/{id}": {
                "parameters": [{ "name": "id", "in": "path", "schema": { "type": "string" } }],
                "get": {
                    "operationId": "getThing",
                    "parameters": [{ "name": "filter", "in": "query", "schema": { "$ref": "#/components/schemas/Filter" } }],
                    "responses": {
                        "200": { "description": "ok", "content": { "*/*": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
                        "204 NO_CONTENT": { "description": "none" },
                        "404": { "description": "missing", "content": { "application/json": { "schema": { "type": "object" } } } }
                    }
                },
                "post": {
                    "requestBody": { "content": {
                        "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } },
                        "multipart/form-data": { "schema": { "type": "object" } }
                    } },
                    "responses": { "default": { "description": "any" } }
                }
            }
        },
        "components": { "schemas": {
            "Thing": { "type": "object", "properties": {
                "status": { "type": "string", "enum": ["A", "B", "a"] },
                "phone": { "type": "string", "pattern": "^\\d++$" },
                "type": { "type": "string" }, "@type": { "type": "string" }
            } },
            "Filter": { "type": "object", "properties": { "q": { "type": "string" } } }
        } }
    })
}

fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            pointers(
                v,
                format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                out,
            )
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| pointers(v, format!("{at}/{i}"), out)),
        _ => {}
    }
}

#[test]
fn no_mutation_of_a_quirky_spec_makes_the_pipeline_panic() {
    let seed = seed();
    let mut all = Vec::new();
    pointers(&seed, String::new(), &mut all);
    let replacements = [
        json!(null),
        json!(7),
        json!("x"),
        json!([]),
        json!({}),
        json!({ "$ref": "#/nowhere" }),
    ];
    let mut runs = 0;
    let mut generated = 0;
    let mut unplaced = Vec::new();
    for pointer in all.iter().skip(1) {
        for replacement in &replacements {
            let mut spec = seed.clone();
            *spec.pointer_mut(pointer).unwrap() = replacement.clone();
            // Any panic here fails the test; errors are fine if they say
            // where: the operation, or a JSON pointer, or the version.
            let result = osigu_codegen::normalise(&spec)
                .and_then(|n| osigu_codegen::generate(&n.spec, &Default::default()).map(|_| ()));
            match result {
                Ok(()) => generated += 1,
                Err(e) => {
                    let text = e.to_string();
                    let placed = match &e {
                        CodegenError::Operation { .. } => {
                            text.starts_with("cannot generate operation ")
                        }
                        CodegenError::Malformed { pointer, reason } => {
                            pointer.starts_with('/') && !reason.is_empty()
                        }
                        CodegenError::UnsupportedVersion { .. } => pointer == "/openapi",
                        _ => false,
                    };
                    if !placed {
                        unplaced.push(format!("{pointer} = {replacement}: {text}"));
                    }
                }
            }
            runs += 1;
        }
    }
    assert!(
        unplaced.is_empty(),
        "errors that name no operation or pointer:\n{}",
        unplaced.join("\n")
    );
    assert!(runs > 300, "only {runs} mutations");
    // The seed itself is generable, and most single mutations stay so.
    assert!(generated > runs / 3, "{generated} of {runs} generated");
}

/// A seed with a schema in every place the OpenAPI object model allows one:
/// component schemas and their properties, items, additional properties,
/// compositions and `not`; parameter, header, request and response schemas.
fn keyword_seed() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": { "title": "keywords", "version": "1" },
        "paths": {
            "/orders/{orderId}": {
                "get": {
                    "operationId": "getOrder",
                    "parameters": [
                        { "name": "orderId", "in": "path", "required": true,
                          "schema": { "type": "integer", "format": "int64", "minimum": 1 } },
                        { "name": "fields", "in": "query",
                          "schema": { "type": "array", "uniqueItems": true,
                                      "items": { "type": "string", "enum": ["id", "total"] } } },
                        { "name": "X-Trace", "in": "header",
                          "schema": { "type": "string", "maxLength": 64, "pattern": "^[a-f0-9]+$" } }
                    ],
                    "responses": { "200": {
                        "description": "the order",
                        "headers": { "X-Rate-Remaining": { "schema": { "type": "integer", "minimum": 0 } } },
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Order" } } }
                    } }
                },
                "put": {
                    "operationId": "replaceOrder",
                    "parameters": [{ "name": "orderId", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "requestBody": { "required": true, "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/OrderInput" } } } },
                    "responses": { "200": { "description": "accepted", "content": { "application/json": {
                        "schema": { "type": "object", "properties": { "accepted": { "type": "boolean", "default": true } } } } } } }
                }
            }
        },
        "components": { "schemas": {
            "Order": { "type": "object", "required": ["id"], "properties": {
                "id": { "type": "integer", "format": "int64", "readOnly": true },
                "kind": { "type": "string" },
                "total": { "type": "number", "minimum": 0, "exclusiveMinimum": false, "multipleOf": 0.01 },
                "status": { "$ref": "#/components/schemas/Status" },
                "lines": { "type": "array", "minItems": 1, "maxItems": 100, "items": { "$ref": "#/components/schemas/Line" } },
                "labels": { "type": "object", "additionalProperties": { "type": "string", "minLength": 1 } },
                "note": { "type": "string", "nullable": true, "maxLength": 500, "description": "free text", "example": "ring twice" }
            } },
            "Status": { "type": "string", "enum": ["OPEN", "PAID"], "default": "OPEN" },
            "Line": { "type": "object", "properties": {
                "sku": { "type": "string", "pattern": "^[A-Z0-9-]+$" },
                "qty": { "type": "integer", "minimum": 1, "maximum": 999, "default": 1 }
            } },
            "OrderInput": { "allOf": [
                { "$ref": "#/components/schemas/Line" },
                { "type": "object", "properties": { "comment": { "type": "string", "title": "Comment", "deprecated": false } } }
            ] },
            "Payment": { "oneOf": [ { "$ref": "#/components/schemas/Card" }, { "$ref": "#/components/schemas/Transfer" } ],
                         "discriminator": { "propertyName": "method" } },
            "Card": { "type": "object", "properties": { "method": { "type": "string" },
                      "last4": { "type": "string", "minLength": 4, "maxLength": 4 } } },
            "Transfer": { "type": "object", "externalDocs": { "url": "https://example.org/transfers" },
                          "properties": { "method": { "type": "string" }, "iban": { "type": "string" } } },
            "Amount": { "anyOf": [ { "type": "string" }, { "type": "integer" } ] },
            "Code": { "type": "string", "not": { "enum": [""] } },
            "Page": { "type": "object", "minProperties": 1, "maxProperties": 3, "properties": {
                "size": { "type": "integer", "exclusiveMaximum": true, "maximum": 100 } } }
        } }
    })
}

/// Every place in `value` (a document) that holds a schema, by JSON pointer.
fn schema_pointers(doc: &Value) -> Vec<String> {
    fn schema(v: &Value, at: String, out: &mut Vec<String>) {
        let Some(map) = v.as_object() else { return };
        out.push(at.clone());
        for key in ["items", "additionalProperties", "not"] {
            if let Some(child) = map.get(key) {
                schema(child, format!("{at}/{key}"), out);
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for (i, child) in map
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                schema(child, format!("{at}/{key}/{i}"), out);
            }
        }
        for (name, child) in map
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            schema(child, format!("{at}/properties/{name}"), out);
        }
    }
    fn under(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                    if k == "schema" {
                        schema(child, here, out);
                    } else {
                        under(child, here, out);
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    under(child, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (name, s) in doc["components"]["schemas"].as_object().unwrap() {
        schema(s, format!("/components/schemas/{name}"), &mut out);
    }
    under(&doc["paths"], "/paths".into(), &mut out);
    out
}

/// Schema keywords and the JSON kinds `openapiv3` reads each of them as.
const KEYWORDS: [(&str, &[&str]); 35] = [
    ("type", &["string"]),
    ("format", &["string"]),
    ("pattern", &["string"]),
    ("title", &["string"]),
    ("description", &["string"]),
    ("minimum", &["number"]),
    ("maximum", &["number"]),
    ("multipleOf", &["number"]),
    ("exclusiveMinimum", &["boolean"]),
    ("exclusiveMaximum", &["boolean"]),
    ("minLength", &["count"]),
    ("maxLength", &["count"]),
    ("minItems", &["count"]),
    ("maxItems", &["count"]),
    ("minProperties", &["count"]),
    ("maxProperties", &["count"]),
    ("uniqueItems", &["boolean"]),
    ("nullable", &["boolean"]),
    ("readOnly", &["boolean"]),
    ("writeOnly", &["boolean"]),
    ("deprecated", &["boolean"]),
    ("enum", &["array"]),
    ("required", &["array"]),
    ("properties", &["object"]),
    ("items", &["object"]),
    ("not", &["object"]),
    ("additionalProperties", &["object", "boolean"]),
    ("allOf", &["array"]),
    ("oneOf", &["array"]),
    ("anyOf", &["array"]),
    ("discriminator", &["object"]),
    ("externalDocs", &["object"]),
    ("$ref", &["string"]),
    // Any JSON is a valid default or example to openapiv3.
    ("default", &["any"]),
    ("example", &["any"]),
];

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.as_u64().is_some() => "count",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// For each schema keyword and each value of every JSON type, substitutes
/// that value for the keyword at every schema of the seed at once (present
/// keywords replaced, absent ones added; deepest schemas first, so a parent's
/// substitution cannot hide its children's). The pipeline must never panic,
/// and every such document must normalise and generate: surviving these is
/// the repairs' whole point. The one exception is a `$ref` holding text that
/// names no schema: a broken reference, refused naming the operation. Where the value's JSON type is not the
/// keyword's, a report line must name each schema changed (or its parent or
/// child).
#[test]
fn wrong_typed_schema_keywords_are_repaired_and_reported() {
    let seed = keyword_seed();
    let mut positions = schema_pointers(&seed);
    assert!(
        positions.len() >= 35,
        "only {} schema positions",
        positions.len()
    );
    positions.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let values = [
        json!(null),
        json!(true),
        json!(false),
        json!(0),
        json!(-1),
        json!(2.5),
        json!(""),
        json!("abc"),
        json!("true"),
        json!("10"),
        json!([]),
        json!(["abc"]),
        json!([1, "abc", null]),
        json!({}),
        json!({ "abc": 1 }),
    ];
    let mut failures = Vec::new();
    let mut unreported = Vec::new();
    let mut substitutions = 0;
    for (keyword, kinds) in KEYWORDS {
        for value in &values {
            let mut spec = seed.clone();
            let mut applied = Vec::new();
            for at in &positions {
                if let Some(Value::Object(schema)) = spec.pointer_mut(at) {
                    // Beside a reference, openapiv3 reads nothing else.
                    let reads = keyword == "$ref" || !schema.contains_key("$ref");
                    schema.insert(keyword.to_owned(), value.clone());
                    applied.push((at, reads));
                }
            }
            substitutions += applied.len();
            let what = format!("{keyword}: {value}");
            let normalised = match osigu_codegen::normalise(&spec) {
                Ok(n) => n,
                Err(e) => {
                    failures.push(format!("{what}: normalise: {e}"));
                    continue;
                }
            };
            if let Err(e) = osigu_codegen::generate(&normalised.spec, &Default::default()) {
                // A reference to a schema that is not there is a broken
                // document, not a wrong type: it is refused, naming where.
                let dangling = keyword == "$ref" && value.is_string();
                if !(dangling && e.to_string().starts_with("cannot generate operation ")) {
                    failures.push(format!("{what}: generate: {e}"));
                }
                continue;
            }
            // A count is a number too.
            let right_kind = kinds.contains(&"any")
                || kinds.contains(&kind_of(value))
                || (kinds.contains(&"number") && kind_of(value) == "count");
            let wrong_kind = !right_kind;
            if !wrong_kind {
                continue;
            }
            let targets: Vec<String> = normalised
                .report
                .changes
                .iter()
                .map(|c| c.target.to_string())
                .collect();
            for (at, reads) in applied {
                let named = targets
                    .iter()
                    .any(|t| t.starts_with(at.as_str()) || at.starts_with(t.as_str()));
                if reads && !named {
                    unreported.push(format!("{at} {what}"));
                }
            }
        }
    }
    assert!(substitutions > 15_000, "only {substitutions} substitutions");
    assert!(
        failures.is_empty(),
        "{} of {} documents did not generate:\n{}",
        failures.len(),
        KEYWORDS.len() * values.len(),
        failures.join("\n")
    );
    assert!(
        unreported.is_empty(),
        "{} wrong-typed values changed without a report line naming their schema, e.g.:\n{}",
        unreported.len(),
        unreported[..unreported.len().min(30)].join("\n")
    );
}

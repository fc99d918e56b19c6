//! normalise and generate must return errors, never panic, whatever the
//! document says. Each test run replaces every node of a small but
//! quirk-rich spec, one at a time, with values of the wrong shape.

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
    for pointer in all.iter().skip(1) {
        for replacement in &replacements {
            let mut spec = seed.clone();
            *spec.pointer_mut(pointer).unwrap() = replacement.clone();
            // Any panic here fails the test; errors are fine.
            if let Ok(n) = osigu_codegen::normalise(&spec)
                && osigu_codegen::generate(&n.spec, &Default::default()).is_ok()
            {
                generated += 1;
            }
            runs += 1;
        }
    }
    assert!(runs > 300, "only {runs} mutations");
    // The seed itself is generable, and most single mutations stay so.
    assert!(generated > runs / 3, "{generated} of {runs} generated");
}

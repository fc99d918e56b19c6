//! Pinned operation names: the overlay renames what the generator sees,
//! records Osigu's name, and refuses a pin that would give two operations
//! one method.

use serde_json::{Value, json};

fn spec() -> Value {
    json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" }, "paths": {
        "/a/{id}/complete": { "post": { "operationId": "completeAUsingPOST",
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": { "204": { "description": "done" } } } },
        "/b": { "get": { "operationId": "listB", "responses": { "204": { "description": "ok" } } } }
    } })
}

#[test]
fn a_pin_names_the_generated_method_and_keeps_the_upstream_id() {
    let overlay = json!({ "operations": { "POST /a/{id}/complete": { "name": "completeA" } } });
    let out = osigu_codegen::apply_overlay(&spec(), &overlay).unwrap();
    let op = &out.spec["paths"]["/a/{id}/complete"]["post"];
    assert_eq!(op["operationId"], "completeA");
    assert_eq!(op[osigu_codegen::UPSTREAM_ID], "completeAUsingPOST");
    let (_, generated) = osigu_codegen::sdk_pipeline(&spec(), &overlay).unwrap();
    let api = osigu_codegen::rust_api(&generated).unwrap();
    assert!(
        api.items.contains_key("Client::complete_a"),
        "{:?}",
        api.items.keys()
    );
    assert!(!api.items.keys().any(|k| k.contains("using_post")));
}

#[test]
fn a_pin_equal_to_the_upstream_id_records_nothing() {
    let overlay = json!({ "operations": { "GET /b": { "name": "listB" } } });
    let out = osigu_codegen::apply_overlay(&spec(), &overlay).unwrap();
    assert!(
        out.spec["paths"]["/b"]["get"]
            .get(osigu_codegen::UPSTREAM_ID)
            .is_none()
    );
}

#[test]
fn a_pin_that_collides_with_another_operation_is_refused_naming_both() {
    let overlay = json!({ "operations": { "POST /a/{id}/complete": { "name": "listB" } } });
    let error = osigu_codegen::apply_overlay(&spec(), &overlay)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("POST /a/{id}/complete")
            && error.contains("GET /b")
            && error.contains("listB"),
        "{error}"
    );
}

#[test]
fn a_pin_that_is_not_an_identifier_is_refused() {
    for bad in [json!(""), json!("has space"), json!(7), json!("9lives")] {
        let overlay = json!({ "operations": { "GET /b": { "name": bad } } });
        let error = osigu_codegen::apply_overlay(&spec(), &overlay)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("GET /b") && error.contains("name"),
            "{error}"
        );
    }
}

#[test]
fn maintained_pins_keep_old_names_pin_new_operations_and_drop_removed_ones() {
    let old = spec();
    let mut new = spec();
    new["paths"]["/a/{id}/complete"]["post"]["operationId"] = "finishA".into();
    new["paths"].as_object_mut().unwrap().remove("/b");
    new["paths"]["/c"] = json!({ "get": { "operationId": "getC", "responses": {} } });
    let overlay = json!({ "$comment": "kept", "operations": {
        "POST /a/{id}/complete": { "name": "completeA", "class": "transition" },
        "GET /b": { "name": "listB" } } });
    let pins = osigu_codegen::maintain_pins(&overlay, &old, &new);
    assert_eq!(pins["$comment"], "kept");
    assert_eq!(
        pins["operations"]["POST /a/{id}/complete"],
        json!({ "name": "completeA", "upstream": "finishA", "class": "transition" })
    );
    assert_eq!(pins["operations"]["GET /c"], json!({ "name": "getC" }));
    assert!(pins["operations"].get("GET /b").is_none(), "{pins:#}");
    // Stable: maintaining again changes nothing, text included.
    let again = osigu_codegen::maintain_pins(&pins, &new, &new);
    assert_eq!(
        osigu_codegen::overlay_text(&again),
        osigu_codegen::overlay_text(&pins)
    );
    let renames = osigu_codegen::renames(&old, &new, &overlay);
    assert_eq!(renames.len(), 1);
    assert_eq!(renames[0].pinned, "completeA");
}

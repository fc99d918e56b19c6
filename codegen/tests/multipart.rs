//! Multipart operations in the release summary: a part is judged like a
//! parameter, through its setter.

use osigu_codegen::{OperationChange, Release, ReleaseSummary, Surface, Verdict};
use serde_json::{Value, json};

fn spec(parts: Value, required: Value) -> Value {
    json!({
        "openapi": "3.0.1",
        "info": { "title": "t", "version": "1" },
        "paths": { "/batches/{id}/documents": { "post": {
            "operationId": "uploadDocument",
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "requestBody": { "required": true, "content": { "multipart/form-data": {
                "schema": { "type": "object", "required": required, "properties": parts }
            } } },
            "responses": { "201": { "description": "stored" } }
        } } }
    })
}

fn side(spec: &Value) -> (Surface, osigu_codegen::RustApi) {
    let normalised = osigu_codegen::normalise(spec).unwrap();
    let generated = osigu_codegen::generate(&normalised.spec, &Default::default()).unwrap();
    (
        osigu_codegen::surface(&normalised, &generated).unwrap(),
        osigu_codegen::rust_api(&generated).unwrap(),
    )
}

fn summary(old: &Value, new: &Value) -> ReleaseSummary {
    let (s1, a1) = side(old);
    let (s2, a2) = side(new);
    osigu_codegen::release_summary(
        Release {
            spec: old,
            surface: &s1,
            api: &a1,
        },
        Release {
            spec: new,
            surface: &s2,
            api: &a2,
        },
    )
}

fn file() -> Value {
    json!({ "type": "string", "format": "binary" })
}

fn changed_body(summary: &ReleaseSummary) -> (String, String) {
    let [OperationChange::Changed { before, after }] = summary.operations.as_slice() else {
        panic!("one changed operation expected: {:?}", summary.operations);
    };
    let body = |line: &osigu_codegen::OperationLine| match &line.exposure {
        osigu_codegen::Exposure::Generated { body, .. } => body.clone().unwrap_or_default(),
        other => panic!("not generated: {other:?}"),
    };
    (body(before), body(after))
}

#[test]
fn a_part_whose_type_changed_is_a_breaking_change_of_its_setter() {
    let old = spec(
        json!({ "file": file(), "pages": { "type": "string" } }),
        json!(["file"]),
    );
    let new = spec(
        json!({ "file": file(), "pages": { "type": "integer", "format": "int32" } }),
        json!(["file"]),
    );
    let summary = summary(&old, &new);
    assert_eq!(summary.verdict(), Verdict::Major);
    assert_eq!(
        changed_body(&summary),
        (
            "multipart(file: ::reqwest::multipart::Part, pages: Option<String>)".to_owned(),
            "multipart(file: ::reqwest::multipart::Part, pages: Option<i32>)".to_owned()
        )
    );
    let change = summary
        .rust
        .iter()
        .find(|c| c.item == "builder::UploadDocument::pages")
        .unwrap_or_else(|| panic!("{:?}", summary.rust));
    assert!(change.breaking, "{change:?}");
    assert!(change.detail.contains("value: i32"), "{change:?}");
}

#[test]
fn an_added_part_is_a_minor_change_and_a_removed_one_is_major() {
    let old = spec(json!({ "file": file() }), json!(["file"]));
    let new = spec(
        json!({ "file": file(), "note": { "type": "string" } }),
        json!(["file"]),
    );
    let added = summary(&old, &new);
    assert_eq!(added.verdict(), Verdict::Minor);
    assert!(
        added
            .rust
            .iter()
            .any(|c| c.item == "builder::UploadDocument::note" && !c.breaking),
        "{:?}",
        added.rust
    );
    assert_eq!(
        changed_body(&added).1,
        "multipart(file: ::reqwest::multipart::Part, note: Option<String>)"
    );

    let removed = summary(&new, &old);
    assert_eq!(removed.verdict(), Verdict::Major);
    assert!(
        removed
            .rust
            .iter()
            .any(|c| c.item == "builder::UploadDocument::note" && c.breaking),
        "{:?}",
        removed.rust
    );
    let text = removed.to_string();
    assert!(text.contains("uploadDocument"), "{text}");
}

#[test]
fn an_unchanged_multipart_operation_is_no_change() {
    let v1 = spec(json!({ "file": file() }), json!(["file"]));
    let mut v2 = v1.clone();
    v2["info"]["version"] = "2".into();
    let summary = summary(&v1, &v2);
    assert_eq!(summary.verdict(), Verdict::Patch);
    assert!(summary.operations.is_empty(), "{:?}", summary.operations);
}

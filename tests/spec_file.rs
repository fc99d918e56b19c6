//! `openapi.json` is kept in the canonical form `cargo xtask update-spec`
//! writes, so a release diff shows only what changed upstream.

#[test]
fn openapi_json_is_in_canonical_form() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let text = std::fs::read_to_string(path).unwrap();
    let spec: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        osigu_codegen::canonical_json(&spec) == text,
        "openapi.json is not in canonical form: run `cargo xtask update-spec --file openapi.json`"
    );
}

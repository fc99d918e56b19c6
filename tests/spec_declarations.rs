//! What `openapi.json` declares beside its operations: the OpenAPI version,
//! both servers, bearer security, its tags and the error envelope the SDK's
//! error type reads.
//!
//! The checks of operations against the public reference (catalogue rows,
//! evidence sources, schema pages) need the public reference folder beside
//! the checkout, so they are `cargo xtask reference`, which CI runs; the
//! evidence marks themselves are checked on this repository's
//! `openapi.json` by `xtask/tests/reference.rs`.

use serde_json::Value;

fn spec() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_spec_declares_servers_security_tags_and_the_error_envelope() {
    let spec = spec();
    assert_eq!(spec["openapi"], "3.0.1");
    let servers: Vec<&str> = spec["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        servers,
        ["https://sandbox.osigu.com", "https://api.osigu.com"]
    );
    assert_eq!(
        spec["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    assert!(spec["tags"].as_array().unwrap().len() >= 10);
    let envelope = &spec["components"]["schemas"]["ErrorResponse"]["properties"];
    for field in ["error_code", "message", "additional_information"] {
        assert!(envelope.get(field).is_some(), "ErrorResponse.{field}");
    }
}

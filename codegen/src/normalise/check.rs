//! The last step: the normalised document must read as `openapiv3` types.
//!
//! The passes before it repair every quirk they know of; whatever still
//! does not parse would make [`generate`](crate::generate()) fail with
//! serde's message and no location. This check names the place instead:
//! the operation, or a JSON pointer to the component or top-level field.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::CodegenError;
use crate::spec::{escape, op_ref, operations};

pub(super) fn check(spec: &Value) -> Result<(), CodegenError> {
    if let Some(Value::Object(paths)) = spec.get("paths") {
        for (path, item) in paths {
            if item.get("$ref").is_some() {
                // openapiv3 reads it; progenitor refuses it for the whole client.
                return Err(CodegenError::Malformed {
                    pointer: format!("/paths/{}", escape(path)),
                    reason: "the path item is a $ref, which progenitor does not follow".into(),
                });
            }
        }
    }
    let whole = match serde_json::from_value::<openapiv3::OpenAPI>(spec.clone()) {
        Ok(_) => return Ok(()),
        Err(e) => e,
    };
    for (path, method) in operations(spec) {
        if let Some(op) = crate::spec::operation(spec, &path, &method)
            && let Err(e) = parses::<openapiv3::Operation>(op)
        {
            return Err(CodegenError::Operation {
                operation: op_ref(spec, &path, &method),
                reason: format!("not a valid OpenAPI operation: {e}"),
            });
        }
    }
    let malformed = |pointer: String, e: serde_json::Error| CodegenError::Malformed {
        pointer,
        reason: e.to_string(),
    };
    if let Some(Value::Object(paths)) = spec.get("paths") {
        for (path, item) in paths {
            if let Err(e) = parses::<openapiv3::PathItem>(item) {
                return Err(malformed(format!("/paths/{}", escape(path)), e));
            }
        }
    }
    if let Some(Value::Object(components)) = spec.get("components") {
        for (kind, entries) in components {
            let Value::Object(entries) = entries else {
                continue;
            };
            for (name, entry) in entries {
                use openapiv3::ReferenceOr as R;
                let result = match kind.as_str() {
                    "schemas" => parses::<R<openapiv3::Schema>>(entry),
                    "responses" => parses::<R<openapiv3::Response>>(entry),
                    "parameters" => parses::<R<openapiv3::Parameter>>(entry),
                    "examples" => parses::<R<openapiv3::Example>>(entry),
                    "requestBodies" => parses::<R<openapiv3::RequestBody>>(entry),
                    "headers" => parses::<R<openapiv3::Header>>(entry),
                    "securitySchemes" => parses::<R<openapiv3::SecurityScheme>>(entry),
                    "links" => parses::<R<openapiv3::Link>>(entry),
                    "callbacks" => parses::<R<openapiv3::Callback>>(entry),
                    _ => Ok(()),
                };
                if let Err(e) = result {
                    return Err(malformed(
                        format!("/components/{}/{}", escape(kind), escape(name)),
                        e,
                    ));
                }
            }
        }
    }
    if let Some(root) = spec.as_object() {
        for (key, value) in root.iter().filter(|(k, _)| k.as_str() != "paths") {
            // Each top-level field on its own, beside minimal required ones.
            let mut alone = serde_json::json!({
                "openapi": "3.0.3",
                "info": { "title": "", "version": "" },
                "paths": {}
            });
            alone[key.as_str()] = value.clone();
            if let Err(e) = parses::<openapiv3::OpenAPI>(&alone) {
                return Err(malformed(format!("/{}", escape(key)), e));
            }
        }
    }
    Err(malformed(String::new(), whole))
}

fn parses<T: DeserializeOwned>(value: &Value) -> Result<(), serde_json::Error> {
    serde_json::from_value::<T>(value.clone()).map(|_| ())
}

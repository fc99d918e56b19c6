//! Refuses documents that are not OpenAPI 3.0.x before any rewriting.

use serde_json::Value;

use crate::CodegenError;
use crate::spec::{METHODS, escape};

pub(super) fn check(raw: &Value) -> Result<(), CodegenError> {
    let Some(root) = raw.as_object() else {
        return Err(malformed("", "the document is not a JSON object"));
    };
    let version = root
        .get("openapi")
        .or_else(|| root.get("swagger"))
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string())
        });
    match &version {
        Some(v) if root.contains_key("openapi") && v.starts_with("3.0.") => {}
        _ => return Err(CodegenError::UnsupportedVersion { found: version }),
    }
    let Some(paths) = root.get("paths") else {
        return Err(malformed("/paths", "missing"));
    };
    let Some(paths) = paths.as_object() else {
        return Err(malformed("/paths", "not an object"));
    };
    for (path, item) in paths {
        let pointer = format!("/paths/{}", escape(path));
        let Some(item) = item.as_object() else {
            return Err(malformed(&pointer, "path item is not an object"));
        };
        for method in METHODS {
            if let Some(op) = item.get(method) {
                let op_pointer = format!("{pointer}/{method}");
                if !op.is_object() {
                    return Err(malformed(&op_pointer, "operation is not an object"));
                }
                if let Some(r) = op.get("responses")
                    && !r.is_object()
                {
                    return Err(malformed(
                        &format!("{op_pointer}/responses"),
                        "not an object",
                    ));
                }
            }
        }
    }
    Ok(())
}

fn malformed(pointer: &str, reason: &str) -> CodegenError {
    CodegenError::Malformed {
        pointer: pointer.to_owned(),
        reason: reason.to_owned(),
    }
}

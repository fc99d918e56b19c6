//! Generates the Osigu client from `openapi.json` into `OUT_DIR`.
//!
//! Cargo reruns this only when `openapi.json` changes or when the
//! `osigu-codegen` build-dependency (and so this script) is rebuilt; editing
//! `src/` never regenerates the client.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    println!("cargo::rerun-if-changed=openapi.json");
    match generate() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            println!("cargo::error={message}");
            ExitCode::FAILURE
        }
    }
}

fn generate() -> Result<(), String> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let spec_path = root.join("openapi.json");
    let text = std::fs::read_to_string(&spec_path)
        .map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let raw: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("openapi.json is not valid JSON: {e}"))?;
    let normalised = osigu_codegen::normalise(&raw).map_err(|e| format!("openapi.json: {e}"))?;
    // Every generated call runs through `crate::Hooks` (auth, retries,
    // rate limits, tracing); see src/hooks.rs.
    let options = osigu_codegen::GenerateOptions {
        inner_type: Some("crate::Hooks".to_owned()),
    };
    let generated = osigu_codegen::generate(&normalised.spec, &options)
        .map_err(|e| format!("openapi.json: {e}"))?;
    let surface = osigu_codegen::surface(&normalised, &generated)
        .map_err(|e| format!("openapi.json: {e}"))?;
    let table = osigu_codegen::operations_table(&raw, &surface);
    std::fs::write(out.join("osigu_client.rs"), generated.code)
        .map_err(|e| format!("cannot write the generated client: {e}"))?;
    std::fs::write(out.join("operations.md"), table)
        .map_err(|e| format!("cannot write the operations table: {e}"))?;
    std::fs::write(out.join("operations.rs"), operation_index(&surface))
        .map_err(|e| format!("cannot write the operation index: {e}"))
}

/// `(rust method, operationId, HTTP method, path template)` for every
/// generated operation. progenitor tells the hooks only the Rust method
/// name; tracing needs the template, never the concrete path, which can
/// hold patient identifiers.
fn operation_index(surface: &osigu_codegen::Surface) -> String {
    let mut rows: Vec<String> = surface
        .operations
        .iter()
        .filter_map(|line| match &line.exposure {
            osigu_codegen::Exposure::Generated { method, .. } => Some(format!(
                "    ({method:?}, {:?}, {:?}, {:?}),\n",
                line.operation.operation_id.as_deref().unwrap_or(method),
                line.operation.method,
                line.operation.path
            )),
            _ => None,
        })
        .collect();
    rows.sort();
    format!(
        "/// Sorted by Rust method name.\npub(crate) const OPERATIONS: &[(&str, &str, &str, &str)] = &[\n{}];\n",
        rows.concat()
    )
}

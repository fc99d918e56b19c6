//! Generates the Osigu client from `openapi.json` into `OUT_DIR`.
//!
//! Cargo reruns this only when `openapi.json` or `sdk-overlay.json` changes or when the
//! `osigu-codegen` build-dependency (and so this script) is rebuilt; editing
//! `src/` never regenerates the client.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    println!("cargo::rerun-if-changed=openapi.json");
    println!("cargo::rerun-if-changed=sdk-overlay.json");
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
    let overlay_path = root.join("sdk-overlay.json");
    let overlay: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&overlay_path)
            .map_err(|e| format!("cannot read {}: {e}", overlay_path.display()))?,
    )
    .map_err(|e| format!("sdk-overlay.json is not valid JSON: {e}"))?;
    let files =
        osigu_codegen::sdk_files(&raw, &overlay).map_err(|e| format!("openapi.json: {e}"))?;
    for (name, content) in files.named() {
        std::fs::write(out.join(name), content).map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    Ok(())
}

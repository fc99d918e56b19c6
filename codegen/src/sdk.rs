//! The three files the `osigu` crate is built from, made in one place so
//! that its build script and `cargo xtask generate` cannot drift apart.

use serde_json::Value;

use crate::{CodegenError, Exposure, GenerateOptions, Surface};

/// The generated sources of the SDK.
#[derive(Debug, Clone)]
pub struct SdkFiles {
    /// `osigu_client.rs`: the progenitor client, with `crate::Hooks` as its
    /// inner type.
    pub client: String,
    /// `operations.md`: the table of operations for the crate docs.
    pub operations_table: String,
    /// `operations.rs`: `(rust method, operationId, method, path template)`
    /// for tracing.
    pub operation_index: String,
}

impl SdkFiles {
    /// Each file with the name the crate includes it by, for writing out.
    ///
    /// ```
    /// # let raw = serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" }, "paths": {} });
    /// let files = osigu_codegen::sdk_files(&raw)?;
    /// let names: Vec<&str> = files.named().iter().map(|(name, _)| *name).collect();
    /// assert_eq!(names, ["osigu_client.rs", "operations.md", "operations.rs"]);
    /// # Ok::<(), osigu_codegen::CodegenError>(())
    /// ```
    pub fn named(&self) -> [(&'static str, &str); 3] {
        [
            ("osigu_client.rs", &self.client),
            ("operations.md", &self.operations_table),
            ("operations.rs", &self.operation_index),
        ]
    }
}

/// Runs the whole pipeline on the published spec.
///
/// ```
/// let raw = serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
///     "paths": { "/v1/pets": { "get": { "operationId": "listPets", "tags": ["Pets"],
///         "responses": { "200": { "description": "ok" } } } } } });
/// let files = osigu_codegen::sdk_files(&raw)?;
/// assert!(files.operation_index.contains(r#"("list_pets", "listPets", "GET", "/v1/pets")"#));
/// # Ok::<(), osigu_codegen::CodegenError>(())
/// ```
pub fn sdk_files(raw: &Value) -> Result<SdkFiles, CodegenError> {
    let normalised = crate::normalise(raw)?;
    let generated = crate::generate(&normalised.spec, &GenerateOptions::osigu())?;
    let surface = crate::surface(&normalised, &generated)?;
    Ok(SdkFiles {
        operations_table: crate::operations_table(raw, &surface),
        operation_index: operation_index(&surface),
        client: generated.code,
    })
}

/// progenitor tells the hooks only the Rust method name; tracing needs the
/// template, never the concrete path, which can hold patient identifiers.
fn operation_index(surface: &Surface) -> String {
    let mut rows: Vec<String> = surface
        .operations
        .iter()
        .filter_map(|line| match &line.exposure {
            Exposure::Generated { method, .. } => Some(format!(
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

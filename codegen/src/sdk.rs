//! The three files the `osigu` crate is built from, made in one place so
//! that its build script and `cargo xtask generate` cannot drift apart.

use serde_json::Value;

use crate::{
    Bucket, CodegenError, Exposure, GenerateOptions, OperationLine, Semantics, Surface, WriteClass,
};

/// The generated sources of the SDK.
#[derive(Debug, Clone)]
pub struct SdkFiles {
    /// `osigu_client.rs`: the progenitor client, with `crate::Hooks` as its
    /// inner type.
    pub client: String,
    /// `operations.md`: the table of operations for the crate docs.
    pub operations_table: String,
    /// `operations.rs`: the table of every operation (`ALL`), with the
    /// write class, bucket and reconcile rule the engine retries by.
    pub operation_index: String,
    /// `type_names.rs`: `osigu_types! { Name, … }` naming every generated
    /// struct, for tests that must cover them all (the crate itself does not
    /// include it).
    pub type_names: String,
}

impl SdkFiles {
    /// Each file with the name the crate includes it by, for writing out.
    ///
    /// ```
    /// # let raw = serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" }, "paths": {} });
    /// let files = osigu_codegen::sdk_files(&raw, &serde_json::json!({}))?;
    /// let names: Vec<&str> = files.named().iter().map(|(name, _)| *name).collect();
    /// assert_eq!(names, ["osigu_client.rs", "operations.md", "operations.rs", "type_names.rs"]);
    /// # Ok::<(), osigu_codegen::CodegenError>(())
    /// ```
    pub fn named(&self) -> [(&'static str, &str); 4] {
        [
            ("osigu_client.rs", &self.client),
            ("operations.md", &self.operations_table),
            ("operations.rs", &self.operation_index),
            ("type_names.rs", &self.type_names),
        ]
    }
}

/// Runs the whole pipeline on the published spec and the SDK's overlay
/// (`sdk-overlay.json`, see [`apply_overlay`](crate::apply_overlay)).
///
/// ```
/// let raw = serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
///     "paths": { "/v1/pets": { "get": { "operationId": "listPets", "tags": ["Pets"],
///         "responses": { "200": { "description": "ok" } } } } } });
/// let files = osigu_codegen::sdk_files(&raw, &serde_json::json!({}))?;
/// assert!(files.operation_index.contains(r#"rust_name: "list_pets""#));
/// assert!(files.operation_index.contains("class: WriteClass::Read"));
/// # Ok::<(), osigu_codegen::CodegenError>(())
/// ```
pub fn sdk_files(raw: &Value, overlay: &Value) -> Result<SdkFiles, CodegenError> {
    let (normalised, generated) = sdk_pipeline(raw, overlay)?;
    let surface = crate::surface(&normalised, &generated)?;
    Ok(SdkFiles {
        operations_table: crate::operations_table(raw, &surface),
        operation_index: operation_index(&normalised.spec, &surface, &generated.send_order),
        type_names: type_names(&generated.code)?,
        client: generated.code,
    })
}

/// The overlay applied, the spec normalised, and the SDK's client
/// generated: what build.rs compiles and what the developer commands show.
pub fn sdk_pipeline(
    raw: &Value,
    overlay: &Value,
) -> Result<(crate::Normalised, crate::Generated), CodegenError> {
    let overlaid = crate::apply_overlay(raw, overlay)?;
    let normalised = crate::normalise(&overlaid.spec)?;
    let generated = crate::generate(&normalised.spec, &GenerateOptions::osigu())?;
    Ok((normalised, generated))
}

/// Every struct of `mod types`, as one macro invocation.
fn type_names(code: &str) -> Result<String, CodegenError> {
    let file: syn::File = syn::parse_str(code).map_err(|e| CodegenError::InvalidRust {
        reason: e.to_string(),
    })?;
    let mut names: Vec<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
            _ => None,
        })
        .flat_map(|(_, items)| items)
        .filter_map(|item| match item {
            syn::Item::Struct(s) if matches!(s.fields, syn::Fields::Named(_)) => {
                Some(s.ident.to_string())
            }
            _ => None,
        })
        .collect();
    names.sort();
    Ok(format!("osigu_types! {{ {} }}\n", names.join(", ")))
}

/// The SDK's table of every operation, in the order each generated
/// `send()` indexes it (then the hand-written ones): identity for tracing
/// (the template, never the concrete path, which can hold patient
/// identifiers), and the write class, bucket and reconcile rule the engine
/// retries by.
fn operation_index(spec: &Value, surface: &Surface, send_order: &[String]) -> String {
    let generated = send_order.iter().filter_map(|name| {
        surface.operations.iter().find(
            |line| matches!(&line.exposure, Exposure::Generated { method, .. } if method == name),
        )
    });
    let hand_written = surface
        .operations
        .iter()
        .filter(|line| matches!(line.exposure, Exposure::HandWritten { .. }));
    let rows: Vec<String> = generated
        .chain(hand_written)
        .map(|line| row(spec, surface, line))
        .collect();
    format!(
        "/// Every operation of `openapi.json`: the generated ones sorted by Rust\n\
         /// method (each `send()` indexes its own row), then any left to hand-written code.\n\
         pub static ALL: [Operation; {}] = [\n{}];\n",
        rows.len(),
        rows.concat()
    )
}

fn row(spec: &Value, surface: &Surface, line: &OperationLine) -> String {
    use heck::ToSnakeCase;
    let op = &line.operation;
    let id = op.operation_id.clone().unwrap_or_default();
    let (rust_name, generated) = match &line.exposure {
        Exposure::Generated { method, .. } => (method.clone(), true),
        _ => (id.to_snake_case(), false),
    };
    let raw = crate::spec::operation(spec, &op.path, &op.method.to_ascii_lowercase());
    let semantics = raw
        .map(Semantics::of)
        .unwrap_or_else(|| Semantics::of(&Value::Null));
    let class = match semantics.class {
        WriteClass::Read => "Read",
        WriteClass::Idempotent => "Idempotent",
        WriteClass::Transition => "Transition",
        WriteClass::Create => "Create",
    };
    let bucket = match semantics.bucket {
        Bucket::General => "General",
        Bucket::Uploads => "Uploads",
    };
    let reconcile = match &semantics.reconcile {
        Some(r) => format!(
            "Some(Reconcile {{ read: {:?}, field: {:?}, done: &{:?}, returns_resource: {} }})",
            r.read,
            r.field,
            r.done,
            success(surface, "GET", &r.read).is_some()
                && success(surface, "GET", &r.read) == success(surface, &op.method, &op.path)
        ),
        None => "None".to_owned(),
    };
    format!(
        "    Operation {{ operation_id: {id:?}, rust_name: {rust_name:?}, method: {:?}, template: {:?}, \
         class: WriteClass::{class}, bucket: Bucket::{bucket}, reconcile: {reconcile}, already: &{:?}, \
         generated: {generated} }},\n",
        op.method, op.path, semantics.already,
    )
}

/// The success type of the operation at `method path`, if generated.
fn success<'a>(surface: &'a Surface, method: &str, path: &str) -> Option<&'a str> {
    surface
        .operations
        .iter()
        .find_map(|line| match &line.exposure {
            Exposure::Generated { success, .. }
                if line.operation.method == method && line.operation.path == path =>
            {
                Some(success.as_str())
            }
            _ => None,
        })
}

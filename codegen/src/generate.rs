//! Runs progenitor over a normalised document and formats the result.

use std::panic::{AssertUnwindSafe, catch_unwind};

use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use serde_json::Value;

use crate::send_path::{self, EnginePaths};
use crate::spec::{METHODS, escape};
use crate::{
    CodegenError, OperationRef, build_per_attempt, multipart, non_exhaustive, open_enums, redact,
    setters,
};

/// Settings for [`generate()`]. The default generates a plain builder-style
/// client, whose multipart operations take each file part as a
/// `reqwest::multipart::Part` (so it needs `reqwest`'s `multipart` feature).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateOptions {
    /// A type path (e.g. `crate::Hooks`) stored as `inner` in the generated
    /// `Client`; when set, the client must implement progenitor's
    /// `ClientHooks` for it, which is how the hand-written layer wraps every
    /// call with auth, retries and rate limits.
    pub inner_type: Option<String>,
    /// When set, every `send()` hands its request to this engine instead of
    /// progenitor's hooks, and returns the engine's error type (see
    /// [`EnginePaths`]); a multipart `send()` hands over its request without
    /// a body and the parts in the engine's `Form`, and file parts take
    /// [`EnginePaths::upload`].
    pub engine: Option<EnginePaths>,
}

impl GenerateOptions {
    /// The options the `osigu` crate is built with: every call goes through
    /// `crate::Hooks`.
    ///
    /// ```
    /// assert_eq!(osigu_codegen::GenerateOptions::osigu().inner_type.as_deref(), Some("crate::Hooks"));
    /// ```
    pub fn osigu() -> Self {
        Self {
            inner_type: Some("crate::Hooks".to_owned()),
            engine: Some(EnginePaths::osigu()),
        }
    }
}

/// A generated client.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Formatted Rust source: a `Client`, its builders and the `types` module.
    pub code: String,
    /// Names of the enums made open (given an `Unknown(String)` variant).
    pub opened_enums: Vec<String>,
    /// With [`GenerateOptions::engine`], the Rust method of each operation
    /// in the order its `send()` indexes the operation table; else empty.
    pub send_order: Vec<String>,
}

/// Generates a builder-style progenitor client from a normalised document.
///
/// progenitor panics on some inputs; those panics are caught and, like its
/// errors, reported against the operation at fault when one can be singled out.
///
/// ```
/// let spec = serde_json::json!({
///     "openapi": "3.0.1",
///     "info": { "title": "demo", "version": "1" },
///     "paths": { "/things/{id}": { "get": {
///         "operationId": "getThing",
///         "parameters": [{ "name": "id", "in": "path", "required": true,
///                          "schema": { "type": "integer", "format": "int64" } }],
///         "responses": { "200": { "description": "ok",
///             "content": { "application/json": { "schema": { "type": "string" } } } } }
///     } } }
/// });
/// let generated = osigu_codegen::generate(&spec, &Default::default())?;
/// assert!(generated.code.contains("pub fn get_thing(&self)"));
/// # Ok::<(), osigu_codegen::CodegenError>(())
/// ```
pub fn generate(spec: &Value, options: &GenerateOptions) -> Result<Generated, CodegenError> {
    let api = parse(spec)?;
    let multipart_operations = multipart::operations(spec);
    let settings = settings(options)?;
    let tokens = match run(&settings, &api) {
        Ok(tokens) => tokens,
        Err(reason) => return Err(blame(&settings, &api, reason)),
    };
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| CodegenError::InvalidRust {
        reason: e.to_string(),
    })?;
    let opened_enums = open_enums::open(&mut file).map_err(|e| CodegenError::InvalidRust {
        reason: e.to_string(),
    })?;
    non_exhaustive::mark(&mut file);
    setters::rewrite(&mut file);
    redact::redact(&mut file);
    let send_order = match &options.engine {
        Some(paths) => send_path::rewrite(&mut file, paths)?,
        None => Vec::new(),
    };
    multipart::emit(&mut file, &multipart_operations, options.engine.as_ref())?;
    if let Some(paths) = &options.engine {
        build_per_attempt::rewrite(&mut file, paths);
    }
    examples_as_text(&mut file.items);
    Ok(Generated {
        code: prettyplease::unparse(&file),
        opened_enums,
        send_order,
    })
}

/// progenitor writes each method's usage example as an ```` ```ignore ````
/// block: it cannot compile (its arguments are bare names), and rustdoc would
/// list every one as an ignored test. Kept as plain text, it still reads the
/// same and no longer poses as a test.
fn examples_as_text(items: &mut [syn::Item]) {
    for item in items {
        let attrs = match item {
            syn::Item::Impl(imp) => {
                for inner in &mut imp.items {
                    if let syn::ImplItem::Fn(f) = inner {
                        retag(&mut f.attrs);
                    }
                }
                continue;
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    examples_as_text(inner);
                }
                continue;
            }
            syn::Item::Struct(s) => &mut s.attrs,
            syn::Item::Fn(f) => &mut f.attrs,
            _ => continue,
        };
        retag(attrs);
    }
}

fn retag(attrs: &mut [syn::Attribute]) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &mut attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &mut nv.value
            && text.value().contains("```ignore")
        {
            *text = syn::LitStr::new(&text.value().replace("```ignore", "```text"), text.span());
        }
    }
}

fn settings(options: &GenerateOptions) -> Result<GenerationSettings, CodegenError> {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged);
    if let Some(inner) = &options.inner_type {
        let path: syn::Path = syn::parse_str(inner).map_err(|e| CodegenError::Generation {
            reason: format!("GenerateOptions::inner_type {inner:?} is not a type path: {e}"),
        })?;
        // With the engine, no send() calls the hooks any more; without it
        // they are the only seam, and a missing impl must not compile.
        let hooks = if options.engine.is_some() {
            HooksMode::Optional
        } else {
            HooksMode::Expected
        };
        settings
            .with_inner_type(quote_path(&path))
            .with_hooks(hooks);
    }
    Ok(settings)
}

fn quote_path(path: &syn::Path) -> proc_macro2::TokenStream {
    use quote::ToTokens;
    path.to_token_stream()
}

fn run(
    settings: &GenerationSettings,
    api: &openapiv3::OpenAPI,
) -> Result<proc_macro2::TokenStream, String> {
    let result = catch_unwind(AssertUnwindSafe(|| {
        Generator::new(settings).generate_tokens(api)
    }));
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!("progenitor panicked: {}", panic_message(&*panic))),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// Finds the first operation that fails on its own, so the error can name it.
fn blame(settings: &GenerationSettings, api: &openapiv3::OpenAPI, reason: String) -> CodegenError {
    for (path, item) in api.paths.paths.iter() {
        let openapiv3::ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in item.iter() {
            let mut alone = api.clone();
            let mut single = openapiv3::PathItem {
                parameters: item.parameters.clone(),
                ..Default::default()
            };
            set_method(&mut single, method, op.clone());
            alone.paths.paths = [(path.clone(), openapiv3::ReferenceOr::Item(single))]
                .into_iter()
                .collect();
            if let Err(reason) = run(settings, &alone) {
                return CodegenError::Operation {
                    operation: OperationRef {
                        operation_id: op.operation_id.clone(),
                        method: method.to_ascii_uppercase(),
                        path: path.clone(),
                    },
                    reason,
                };
            }
        }
    }
    CodegenError::Generation { reason }
}

fn set_method(item: &mut openapiv3::PathItem, method: &str, op: openapiv3::Operation) {
    let slot = match method {
        "get" => &mut item.get,
        "put" => &mut item.put,
        "post" => &mut item.post,
        "delete" => &mut item.delete,
        "options" => &mut item.options,
        "head" => &mut item.head,
        "patch" => &mut item.patch,
        _ => &mut item.trace,
    };
    *slot = Some(op);
}

/// Parses into `openapiv3`, naming the path item or operation that fails.
fn parse(spec: &Value) -> Result<openapiv3::OpenAPI, CodegenError> {
    serde_json::from_value(spec.clone()).map_err(|whole| {
        let paths = spec.get("paths").and_then(Value::as_object);
        for (path, item) in paths.into_iter().flatten() {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                if let Err(e) = serde_json::from_value::<openapiv3::Operation>(op.clone()) {
                    return CodegenError::Operation {
                        operation: OperationRef {
                            operation_id: op
                                .get("operationId")
                                .and_then(Value::as_str)
                                .map(str::to_owned),
                            method: method.to_ascii_uppercase(),
                            path: path.clone(),
                        },
                        reason: format!("not a valid OpenAPI operation: {e}"),
                    };
                }
            }
            if let Err(e) = serde_json::from_value::<openapiv3::PathItem>(item.clone()) {
                return CodegenError::Malformed {
                    pointer: format!("/paths/{}", escape(path)),
                    reason: e.to_string(),
                };
            }
        }
        CodegenError::Malformed {
            pointer: String::new(),
            reason: whole.to_string(),
        }
    })
}

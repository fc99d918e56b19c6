//! Multipart operations, emitted by the codegen itself.
//!
//! progenitor cannot send `multipart/form-data`, so normalisation takes
//! such a body off its operation and describes the parts in
//! `x-osigu-multipart`. progenitor then generates the operation's builder
//! for everything else (path, query, headers, the answer), and this pass
//! completes it in the same shape as every other builder:
//!
//! - one field and one setter per part: text parts take their typed value
//!   (any `Display` for a string), JSON parts anything that converts into
//!   their schema's type, file parts a file;
//! - the builder's request gains the form.
//!
//! Two modes, like the rest of the generated client:
//!
//! - **plain** (no engine): a file part is a `reqwest::multipart::Part`,
//!   and the form goes onto progenitor's request with `.multipart(form)`,
//!   so the client compiles with `reqwest` (feature `multipart`) alone;
//! - **engine**: a file part is the SDK's upload type, the parts are
//!   collected into the engine's `Form`, and the request is handed to
//!   `engine::multipart(hooks, request, form, &TABLE[i])`, which rebuilds
//!   the body for each attempt (a file is reopened, never buffered).

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use serde_json::Value;
use syn::visit_mut::VisitMut;
use syn::{Expr, ImplItem, Item, Stmt, parse_quote};

use crate::ident::{Case, rust_ident, snake};
use crate::normalise::multipart::EXTENSION;
use crate::{CodegenError, EnginePaths};

/// How a part is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A file.
    File,
    /// JSON of a component schema (`Some(name)`) or of any value.
    Json(Option<String>),
    /// The text of a `String`, `i32`, `i64`, `f64` or `bool`.
    Text(String),
}

/// One part of a multipart operation.
#[derive(Debug, Clone)]
struct Part {
    /// The part's name on the wire.
    name: String,
    kind: Kind,
    required: bool,
    many: bool,
    description: Option<String>,
}

/// A multipart operation of the normalised spec.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    method: String,
    path: String,
    parts: Vec<Part>,
}

/// The multipart operations the normaliser described.
pub(crate) fn operations(spec: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (path, method) in crate::spec::operations(spec) {
        let Some(extension) =
            crate::spec::operation(spec, &path, &method).and_then(|op| op.get(EXTENSION))
        else {
            continue;
        };
        let parts = extension
            .get("parts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(part)
            .collect();
        out.push(Operation {
            method: method.to_ascii_uppercase(),
            path,
            parts,
        });
    }
    out
}

fn part(value: &Value) -> Option<Part> {
    let text = |key: &str| value.get(key).and_then(Value::as_str);
    let kind = match text("kind")? {
        "file" => Kind::File,
        "json" => Kind::Json(text("schema").map(str::to_owned)),
        _ => Kind::Text(text("type").unwrap_or("string").to_owned()),
    };
    Some(Part {
        name: text("name")?.to_owned(),
        kind,
        required: value.get("required").and_then(Value::as_bool) == Some(true),
        many: value.get("many").and_then(Value::as_bool) == Some(true),
        description: text("description").map(str::to_owned),
    })
}

/// Where the engine mode reaches the SDK.
struct Engine {
    module: TokenStream,
    upload: TokenStream,
}

/// Completes the builder of every multipart operation. `engine` is the
/// SDK's engine, or `None` for a plain client.
pub(crate) fn emit(
    file: &mut syn::File,
    operations: &[Operation],
    engine: Option<&EnginePaths>,
) -> Result<(), CodegenError> {
    if operations.is_empty() {
        return Ok(());
    }
    let invalid = |reason: String| CodegenError::InvalidRust { reason };
    let path = |text: &str| {
        syn::parse_str::<syn::Path>(text)
            .map(|p| p.to_token_stream())
            .map_err(|e| invalid(format!("engine path {text:?}: {e}")))
    };
    let engine = match engine {
        Some(paths) => Some(Engine {
            module: path(&paths.module)?,
            upload: path(&paths.upload)?,
        }),
        None => None,
    };
    let methods = crate::surface::client_methods(file);
    let Some(builders) = crate::send_path::builder_items(file) else {
        return Err(invalid(
            "no builder module for the multipart operations".into(),
        ));
    };
    for op in operations {
        let builder = methods
            .iter()
            .find(|m| m.http == op.method && m.path == op.path)
            .map(|m| m.builder.clone())
            .ok_or_else(|| invalid(format!("no builder for {} {}", op.method, op.path)))?;
        complete(builders, &builder, op, engine.as_ref())
            .map_err(|e| invalid(format!("{} {}: {e}", op.method, op.path)))?;
    }
    Ok(())
}

/// A part with the field its builder keeps it in.
struct Field<'a> {
    part: &'a Part,
    ident: syn::Ident,
    /// The type of one value.
    value: TokenStream,
}

fn complete(
    builders: &mut [Item],
    builder: &str,
    op: &Operation,
    engine: Option<&Engine>,
) -> Result<(), String> {
    let taken = taken_names(builders, builder);
    let fields = fields(&op.parts, taken, engine);
    for item in builders.iter_mut() {
        match item {
            Item::Struct(s) if s.ident == builder => {
                // A file part cannot be cloned (a reader is read once).
                s.attrs.retain(|a| !a.path().is_ident("derive"));
                let syn::Fields::Named(named) = &mut s.fields else {
                    return Err("the builder has no named fields".into());
                };
                for field in &fields {
                    let (ident, ty) = (&field.ident, stored_type(field));
                    let doc = format!(" multipart part `{}`", field.part.name);
                    named.named.push(parse_quote!(#[doc = #doc] #ident: #ty));
                }
            }
            Item::Impl(imp)
                if imp.trait_.is_none()
                    && matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == builder)) =>
            {
                complete_impl(imp, &fields, engine)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Field and method names the builder already has.
fn taken_names(builders: &[Item], builder: &str) -> Vec<String> {
    let mut taken = vec![
        "client".to_owned(),
        "new".to_owned(),
        "send".to_owned(),
        "respond".to_owned(),
        "sdk_client".to_owned(),
        "form".to_owned(),
        "request".to_owned(),
        "url".to_owned(),
        "info".to_owned(),
        "result".to_owned(),
        "response".to_owned(),
        "header_map".to_owned(),
    ];
    for item in builders {
        match item {
            Item::Struct(s) if s.ident == builder => {
                taken.extend(
                    s.fields
                        .iter()
                        .filter_map(|f| f.ident.as_ref().map(ToString::to_string)),
                );
            }
            Item::Impl(imp) => {
                if let syn::Type::Path(p) = &*imp.self_ty
                    && p.path.segments.last().is_some_and(|s| s.ident == builder)
                {
                    taken.extend(imp.items.iter().filter_map(|i| match i {
                        ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                        _ => None,
                    }));
                }
            }
            _ => {}
        }
    }
    taken
}

fn fields<'a>(
    parts: &'a [Part],
    mut taken: Vec<String>,
    engine: Option<&Engine>,
) -> Vec<Field<'a>> {
    let mut out = Vec::new();
    for part in parts {
        let base = snake(&part.name);
        let mut name = base.clone();
        if taken.contains(&name) {
            name = format!("{}_part", base.trim_end_matches('_'));
        }
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{}_part{n}", base.trim_end_matches('_'));
            n += 1;
        }
        taken.push(name.clone());
        let value = match &part.kind {
            Kind::File => match engine {
                Some(engine) => engine.upload.clone(),
                None => quote!(::reqwest::multipart::Part),
            },
            Kind::Json(Some(schema)) => {
                let ty = syn::Ident::new(&rust_ident(schema, Case::Pascal), Span::call_site());
                quote!(types::#ty)
            }
            Kind::Json(None) => quote!(::serde_json::Value),
            Kind::Text(ty) => match ty.as_str() {
                "i32" => quote!(i32),
                "i64" => quote!(i64),
                "f64" => quote!(f64),
                "bool" => quote!(bool),
                _ => quote!(::std::string::String),
            },
        };
        out.push(Field {
            part,
            ident: syn::Ident::new(&name, Span::call_site()),
            value,
        });
    }
    out
}

fn stored_type(field: &Field<'_>) -> TokenStream {
    let value = &field.value;
    let inner = if field.part.many {
        quote!(::std::vec::Vec<#value>)
    } else if field.part.required {
        quote!(#value)
    } else {
        quote!(::std::option::Option<#value>)
    };
    quote!(::std::result::Result<#inner, ::std::string::String>)
}

fn complete_impl(
    imp: &mut syn::ItemImpl,
    fields: &[Field<'_>],
    engine: Option<&Engine>,
) -> Result<(), String> {
    let mut sent = false;
    for item in imp.items.iter_mut() {
        let ImplItem::Fn(f) = item else { continue };
        if f.sig.ident == "new" {
            initialise(&mut f.block, fields)?;
        } else if (engine.is_some() && f.sig.ident == "respond")
            || (engine.is_none() && f.sig.ident == "send")
        {
            send_form(&mut f.block, fields, engine)?;
            sent = true;
        }
    }
    if !sent {
        return Err("no send() to add the form to".into());
    }
    let at = imp
        .items
        .iter()
        .position(
            |i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "respond" || f.sig.ident == "send"),
        )
        .unwrap_or(imp.items.len());
    for (offset, field) in fields.iter().enumerate() {
        imp.items
            .insert(at + offset, ImplItem::Fn(setter(field, engine.is_some())));
    }
    Ok(())
}

/// Adds the part fields to `Self { … }` in `new()`.
fn initialise(block: &mut syn::Block, fields: &[Field<'_>]) -> Result<(), String> {
    let Some(Stmt::Expr(Expr::Struct(init), _)) = block.stmts.last_mut() else {
        return Err("new() does not end in `Self { … }`".into());
    };
    for field in fields {
        let ident = &field.ident;
        let value: Expr = if field.part.many {
            parse_quote!(Ok(::std::vec::Vec::new()))
        } else if field.part.required {
            let message = format!("no value supplied for {}", field.part.name);
            parse_quote!(Err(#message.to_string()))
        } else {
            parse_quote!(Ok(None))
        };
        init.fields.push(parse_quote!(#ident: #value));
    }
    Ok(())
}

fn setter(field: &Field<'_>, engine: bool) -> syn::ImplItemFn {
    let ident = &field.ident;
    let value = &field.value;
    let part = field.part;
    let kind = match (&part.kind, engine) {
        (Kind::File, true) => {
            "a file part: an [`Upload`](crate::Upload) from a path, bytes or a reader"
        }
        (Kind::File, false) => "a file part",
        (Kind::Json(_), _) => "a JSON part (`application/json`)",
        (Kind::Text(_), _) => "a text part",
    };
    let mut doc = vec![format!(" Sets the multipart part `{}`, {kind}.", part.name)];
    if part.many {
        doc.push(" Each value is sent as one more part of that name.".to_owned());
    }
    if part.required {
        doc.push(" Required: `send()` fails without it.".to_owned());
    }
    if let Some(description) = &part.description {
        doc.push(String::new());
        doc.extend(description.lines().map(|l| format!(" {l}")));
    }
    let docs = doc.iter().map(|d| quote!(#[doc = #d]));
    let wrap = |v: TokenStream| -> TokenStream { if part.required { v } else { quote!(Some(#v)) } };
    let conversion = format!("conversion for part `{}` failed: {{e}}", part.name);
    match (&part.kind, part.many) {
        (Kind::Text(t), false) if t == "string" => {
            let stored = wrap(quote!(value.to_string()));
            parse_quote! {
                #(#docs)*
                pub fn #ident(mut self, value: impl ::std::fmt::Display) -> Self {
                    self.#ident = Ok(#stored);
                    self
                }
            }
        }
        (Kind::Text(t), true) if t == "string" => parse_quote! {
            #(#docs)*
            pub fn #ident<I>(mut self, values: I) -> Self
            where
                I: ::std::iter::IntoIterator,
                I::Item: ::std::fmt::Display,
            {
                self.#ident = Ok(values.into_iter().map(|v| v.to_string()).collect());
                self
            }
        },
        (Kind::Json(_), false) => {
            let stored = if part.required {
                quote!(value.try_into())
            } else {
                quote!(value.try_into().map(Some))
            };
            parse_quote! {
                #(#docs)*
                pub fn #ident<V>(mut self, value: V) -> Self
                where
                    V: ::std::convert::TryInto<#value>,
                    V::Error: ::std::fmt::Display,
                {
                    self.#ident = #stored.map_err(|e| format!(#conversion));
                    self
                }
            }
        }
        (Kind::Json(_), true) => parse_quote! {
            #(#docs)*
            pub fn #ident<I, V>(mut self, values: I) -> Self
            where
                I: ::std::iter::IntoIterator<Item = V>,
                V: ::std::convert::TryInto<#value>,
                V::Error: ::std::fmt::Display,
            {
                self.#ident = values
                    .into_iter()
                    .map(|v| v.try_into().map_err(|e| format!(#conversion)))
                    .collect();
                self
            }
        },
        (_, false) => {
            let stored = wrap(quote!(value));
            parse_quote! {
                #(#docs)*
                pub fn #ident(mut self, value: #value) -> Self {
                    self.#ident = Ok(#stored);
                    self
                }
            }
        }
        (_, true) => parse_quote! {
            #(#docs)*
            pub fn #ident<I>(mut self, values: I) -> Self
            where
                I: ::std::iter::IntoIterator<Item = #value>,
            {
                self.#ident = Ok(values.into_iter().collect());
                self
            }
        },
    }
}

/// Takes the parts out of `self`, collects them into `form` before the
/// request is built, and sends the form with it.
fn send_form(
    block: &mut syn::Block,
    fields: &[Field<'_>],
    engine: Option<&Engine>,
) -> Result<(), String> {
    let invalid = match engine {
        Some(engine) => {
            let module = &engine.module;
            quote!(#module::invalid)
        }
        None => quote!(Error::InvalidRequest),
    };
    // `let Self { client, … } = self;` takes the parts too.
    let destructure = block
        .stmts
        .iter_mut()
        .find_map(|s| match s {
            Stmt::Local(local) => match &mut local.pat {
                syn::Pat::Struct(p) if p.path.is_ident("Self") => Some(p),
                _ => None,
            },
            _ => None,
        })
        .ok_or("send() does not destructure `Self`")?;
    for field in fields {
        let ident = &field.ident;
        let pattern: syn::Pat = parse_quote!(Self { #ident });
        if let syn::Pat::Struct(single) = pattern {
            destructure.fields.extend(single.fields);
        }
    }
    let request_at = block
        .stmts
        .iter()
        .position(
            |s| matches!(s, Stmt::Local(l) if pat_ident(&l.pat).is_some_and(|i| i == "request")),
        )
        .ok_or("send() builds no `request`")?;
    let form_type = match engine {
        Some(engine) => {
            let module = &engine.module;
            quote!(#module::Form)
        }
        None => quote!(::reqwest::multipart::Form),
    };
    let adds = fields.iter().map(|field| {
        let ident = &field.ident;
        let name = &field.part.name;
        let add = add_value(field, name, engine.is_some(), &invalid);
        if field.part.many {
            quote!(for v in #ident { form = #add; })
        } else if field.part.required {
            quote!({ let v = #ident; form = #add; })
        } else {
            quote!(if let Some(v) = #ident { form = #add; })
        }
    });
    let checks = fields.iter().map(|field| {
        let ident = &field.ident;
        quote!(let #ident = #ident.map_err(#invalid)?;)
    });
    let built: Vec<Stmt> = parse_quote! {
        #(#checks)*
        let form = {
            let mut form = #form_type::new();
            #(#adds)*
            form
        };
    };
    block.stmts.splice(request_at..request_at, built);
    match engine {
        None => {
            let Some(Stmt::Local(local)) = block
                .stmts
                .iter_mut()
                .find(|s| matches!(s, Stmt::Local(l) if pat_ident(&l.pat).is_some_and(|i| i == "request")))
            else {
                return Err("send() builds no `request`".into());
            };
            let init = local.init.as_mut().ok_or("`request` has no value")?;
            let mut attach = AttachForm { done: false };
            attach.visit_expr_mut(&mut init.expr);
            if !attach.done {
                return Err("the request is not built with `.build()`".into());
            }
        }
        Some(engine) => {
            let module = &engine.module;
            let Some(Stmt::Expr(last, _)) = block.stmts.last_mut() else {
                return Err("respond() does not end by sending".into());
            };
            let mut send = SendForm {
                module: module.clone(),
                done: false,
            };
            send.visit_expr_mut(last);
            if !send.done {
                return Err("respond() does not call the engine".into());
            }
        }
    }
    Ok(())
}

/// `form.text(name, v.to_string())`, `form.part(name, v)`…: the form with
/// one value `v` added.
fn add_value(field: &Field<'_>, name: &str, engine: bool, invalid: &TokenStream) -> TokenStream {
    let json = quote!(::serde_json::to_vec(&v).map_err(|e| #invalid(e.to_string()))?);
    match (&field.part.kind, engine) {
        (Kind::Text(_), _) => quote!(form.text(#name, v.to_string())),
        (Kind::File, true) => quote!(form.file(#name, v)),
        (Kind::File, false) => quote!(form.part(#name, v)),
        (Kind::Json(_), true) => quote!(form.json(#name, #json)),
        (Kind::Json(_), false) => quote!(form.part(
            #name,
            ::reqwest::multipart::Part::bytes(#json)
                .mime_str("application/json")
                .map_err(|e| #invalid(e.to_string()))?
        )),
    }
}

fn pat_ident(pat: &syn::Pat) -> Option<&syn::Ident> {
    match pat {
        syn::Pat::Ident(p) => Some(&p.ident),
        syn::Pat::Type(t) => pat_ident(&t.pat),
        _ => None,
    }
}

/// `….build()` becomes `….multipart(form).build()`.
struct AttachForm {
    done: bool,
}

impl VisitMut for AttachForm {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        if !self.done && call.method == "build" && call.args.is_empty() {
            let receiver = &call.receiver;
            *call.receiver = parse_quote!(#receiver.multipart(form));
            self.done = true;
            return;
        }
        syn::visit_mut::visit_expr_method_call_mut(self, call);
    }
}

/// `engine::respond(hooks, request, op)` becomes
/// `engine::multipart(hooks, request, form, op)`.
struct SendForm {
    module: TokenStream,
    done: bool,
}

impl VisitMut for SendForm {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if let Expr::Path(path) = &*call.func
            && path
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "respond")
            && call.args.len() == 3
        {
            let module = &self.module;
            *call.func = parse_quote!(#module::multipart);
            call.args.insert(2, parse_quote!(form));
            self.done = true;
            return;
        }
        syn::visit_mut::visit_expr_call_mut(self, call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code without whitespace, so that line breaks do not matter.
    fn squeezed(file: &syn::File) -> String {
        prettyplease::unparse(file)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    fn assert_has(code: &str, expected: &str) {
        let expected: String = expected.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(code.contains(&expected), "missing {expected}\n{code}");
    }

    fn spec() -> Value {
        serde_json::json!({
            "openapi": "3.0.1",
            "info": { "title": "t", "version": "1" },
            "paths": { "/docs/{id}": { "post": {
                "operationId": "uploadDoc",
                "parameters": [
                    { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "kind", "in": "query", "schema": { "type": "string" } }
                ],
                "requestBody": { "required": true, "content": { "multipart/form-data": {
                    "schema": { "type": "object", "required": ["file", "kind"], "properties": {
                        "file": { "type": "string", "format": "binary" },
                        "kind": { "type": "string" },
                        "pages": { "type": "integer", "format": "int32" },
                        "meta": { "$ref": "#/components/schemas/Meta" },
                        "tags": { "type": "array", "items": { "type": "string" } }
                    } },
                    "encoding": { "meta": { "contentType": "application/json" } }
                } } },
                "responses": { "201": { "description": "ok" } }
            } } },
            "components": { "schemas": { "Meta": { "type": "object",
                "properties": { "note": { "type": "string" } } } } }
        })
    }

    #[test]
    fn a_plain_client_sends_the_form_on_progenitors_request() {
        let normalised = crate::normalise(&spec()).unwrap();
        let generated = crate::generate(&normalised.spec, &Default::default()).unwrap();
        let file: syn::File = syn::parse_str(&generated.code).unwrap();
        let code = squeezed(&file);
        for expected in [
            "file: ::std::result::Result<::reqwest::multipart::Part, ::std::string::String>",
            "kind_part: ::std::result::Result<::std::string::String, ::std::string::String>",
            "pages: ::std::result::Result<::std::option::Option<i32>, ::std::string::String>",
            "meta: ::std::result::Result< ::std::option::Option<types::Meta>, ::std::string::String, >",
            "tags: ::std::result::Result<::std::vec::Vec<::std::string::String>, ::std::string::String,>",
            "pub fn file(mut self, value: ::reqwest::multipart::Part) -> Self",
            "pub fn kind_part(mut self, value: impl ::std::fmt::Display) -> Self",
            "pub fn pages(mut self, value: i32) -> Self",
            "V: ::std::convert::TryInto<types::Meta>",
            "let file = file.map_err(Error::InvalidRequest)?;",
            "let mut form = ::reqwest::multipart::Form::new();",
            "form = form.part(\"file\", v);",
            "form = form.text(\"kind\", v.to_string());",
            "for v in tags { form = form.text(\"tags\", v.to_string()); }",
            ".mime_str(\"application/json\")",
            ".multipart(form) .build()?",
            "file: Err(\"no value supplied for file\".to_string())",
        ] {
            assert_has(&code, expected);
        }
        // A file part cannot be cloned, so neither can its builder.
        assert!(
            !code.contains("#[derive(Clone)]pubstructUploadDoc<"),
            "{code}"
        );
    }

    #[test]
    fn the_engine_gets_the_form_and_the_template_request() {
        let normalised = crate::normalise(&spec()).unwrap();
        let options = crate::GenerateOptions {
            inner_type: Some("crate::Hooks".into()),
            engine: Some(EnginePaths::osigu()),
        };
        let generated = crate::generate(&normalised.spec, &options).unwrap();
        let file: syn::File = syn::parse_str(&generated.code).unwrap();
        let code = squeezed(&file);
        for expected in [
            "pub fn file(mut self, value: crate::Upload) -> Self",
            "let file = file.map_err(crate::engine::invalid)?;",
            "let mut form = crate::engine::Form::new();",
            "form = form.file(\"file\", v);",
            "form = form.json( \"meta\", ::serde_json::to_vec(&v).map_err(|e| crate::engine::invalid(e.to_string()))?, );",
            "crate::engine::multipart( &client.inner, request, form, &crate::operations::ALL[0usize], )",
        ] {
            assert_has(&code, expected);
        }
        assert!(!code.contains(".multipart(form)"), "{code}");
        assert!(code.contains("pubstructUploadDoc<"), "{code}");
    }
}

//! A one-line-per-operation summary of the generated client.
//!
//! It is read off the generated Rust, not the JSON, because what users
//! compile against is the Rust: a spec change that leaves the Rust alone is
//! no change to them, and a rename in normalisation is.

use std::fmt;

use syn::{Fields, GenericArgument, ImplItem, Item, PathArguments, ReturnType, Type};

use crate::rust_text::type_text;
use crate::{CodegenError, Generated, Normalised, OperationRef};

/// One operation of the surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationLine {
    /// The operation as the normalised spec names it.
    pub operation: OperationRef,
    /// How the SDK exposes it.
    pub exposure: Exposure,
}

/// How an operation reaches users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exposure {
    /// A generated builder method.
    Generated {
        /// The `Client` method, e.g. `create_prescription`.
        method: String,
        /// Builder setters (path, query and header parameters) and their types.
        params: Vec<(String, String)>,
        /// The request body type, if any; a multipart body is
        /// `multipart(part: Type, …)`, one entry per part setter.
        body: Option<String>,
        /// What `send()` returns on success.
        success: String,
    },
    /// Left to hand-written code by normalisation.
    HandWritten {
        /// Why.
        reason: String,
    },
    /// In the normalised spec but absent from the generated code (a bug).
    Missing,
}

/// The generated surface: every operation, sorted by path then method.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Surface {
    /// The operations.
    pub operations: Vec<OperationLine>,
}

impl fmt::Display for OperationLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = &self.operation;
        let id = op.operation_id.as_deref().unwrap_or("-");
        write!(f, "{id} {} {} -> ", op.method, op.path)?;
        match &self.exposure {
            Exposure::Generated {
                method,
                params,
                body,
                success,
            } => {
                let params: Vec<String> = params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
                write!(
                    f,
                    "{method}({}) body: {} ok: {success}",
                    params.join(", "),
                    body.as_deref().unwrap_or("-")
                )
            }
            Exposure::HandWritten { reason } => write!(f, "hand-written ({reason})"),
            Exposure::Missing => f.write_str("MISSING from the generated client"),
        }
    }
}

impl fmt::Display for Surface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.operations {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// Summarises the client [`generate`](crate::generate()) made from `normalised`.
///
/// ```
/// # let raw = serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
/// #     "paths": { "/p/{id}": { "delete": { "operationId": "removeP",
/// #         "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
/// #         "responses": { "204": { "description": "gone" } } } } } });
/// let normalised = osigu_codegen::normalise(&raw)?;
/// let generated = osigu_codegen::generate(&normalised.spec, &Default::default())?;
/// let surface = osigu_codegen::surface(&normalised, &generated)?;
/// assert_eq!(surface.to_string(), "removeP DELETE /p/{id} -> remove_p(id: String) body: - ok: ()\n");
/// # Ok::<(), osigu_codegen::CodegenError>(())
/// ```
pub fn surface(normalised: &Normalised, generated: &Generated) -> Result<Surface, CodegenError> {
    let file: syn::File =
        syn::parse_str(&generated.code).map_err(|e| CodegenError::InvalidRust {
            reason: e.to_string(),
        })?;
    let methods = client_methods(&file);
    let builders = builder_module(&file);

    let mut operations = Vec::new();
    for (path, method) in crate::spec::operations(&normalised.spec) {
        let operation = crate::spec::op_ref(&normalised.spec, &path, &method);
        let found = methods
            .iter()
            .find(|m| m.http == operation.method && m.path == operation.path);
        let multipart = crate::spec::operation(&normalised.spec, &path, &method)
            .is_some_and(|op| op.get(crate::normalise::multipart::EXTENSION).is_some());
        let exposure = match found.and_then(|m| describe(m, builders, multipart)) {
            Some(exposure) => exposure,
            None => Exposure::Missing,
        };
        operations.push(OperationLine {
            operation,
            exposure,
        });
    }
    for hw in &normalised.hand_written {
        operations.push(OperationLine {
            operation: hw.operation.clone(),
            exposure: Exposure::HandWritten {
                reason: hw.reason.clone(),
            },
        });
    }
    operations.sort_by(|a, b| {
        (&a.operation.path, &a.operation.method).cmp(&(&b.operation.path, &b.operation.method))
    });
    Ok(Surface { operations })
}

pub(crate) struct ClientMethod {
    pub(crate) name: String,
    pub(crate) builder: String,
    pub(crate) http: String,
    pub(crate) path: String,
}

/// `impl Client { pub fn op(&self) -> builder::Op<'_> }`, with the method
/// and path progenitor writes into each method's doc comment.
pub(crate) fn client_methods(file: &syn::File) -> Vec<ClientMethod> {
    let mut out = Vec::new();
    for item in &file.items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || type_name(&imp.self_ty).as_deref() != Some("Client") {
            continue;
        }
        for item in &imp.items {
            let ImplItem::Fn(f) = item else { continue };
            let ReturnType::Type(_, ret) = &f.sig.output else {
                continue;
            };
            let Some(builder) = type_name(ret) else {
                continue;
            };
            let doc = doc_text(&f.attrs);
            let Some((http, path)) = parse_sends(&doc) else {
                continue;
            };
            out.push(ClientMethod {
                name: f.sig.ident.to_string(),
                builder,
                http,
                path,
            });
        }
    }
    out
}

fn builder_module(file: &syn::File) -> &[Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == "builder" => {
                m.content.as_ref().map(|(_, items)| items.as_slice())
            }
            _ => None,
        })
        .unwrap_or(&[])
}

fn describe(method: &ClientMethod, builders: &[Item], multipart: bool) -> Option<Exposure> {
    let mut params = Vec::new();
    let mut body = None;
    let mut parts = Vec::new();
    let mut success = None;
    for item in builders {
        match item {
            Item::Struct(s) if s.ident == method.builder => {
                let Fields::Named(fields) = &s.fields else {
                    continue;
                };
                for field in &fields.named {
                    let name = field.ident.as_ref()?.to_string();
                    if name == "client" {
                        continue;
                    }
                    let ty = type_text(first_generic(&field.ty).unwrap_or(&field.ty))
                        .replace("types::builder::", "types::");
                    if doc_text(&field.attrs).starts_with(" multipart part ") {
                        parts.push(format!("{name}: {ty}"));
                    } else if name == "body" {
                        body = Some(ty);
                    } else {
                        params.push((name, ty));
                    }
                }
            }
            Item::Impl(imp)
                if type_name(&imp.self_ty).as_deref() == Some(method.builder.as_str()) =>
            {
                for item in &imp.items {
                    let ImplItem::Fn(f) = item else { continue };
                    if f.sig.ident != "send" {
                        continue;
                    }
                    if let ReturnType::Type(_, ret) = &f.sig.output {
                        // Result<ResponseValue<T>, Error<E>> → T
                        success = first_generic(ret).and_then(first_generic).map(type_text);
                    }
                }
            }
            _ => {}
        }
    }
    if body.is_none() && (!parts.is_empty() || multipart) {
        body = Some(format!("multipart({})", parts.join(", ")));
    }
    Some(Exposure::Generated {
        method: method.name.clone(),
        params,
        body,
        success: success?,
    })
}

fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn first_generic(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

fn doc_text(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// "Sends a `POST` request to `/v3/settlements`" → (POST, /v3/settlements).
fn parse_sends(doc: &str) -> Option<(String, String)> {
    let rest = doc.split("Sends a `").nth(1)?;
    let (http, rest) = rest.split_once('`')?;
    let path = rest.split('`').nth(1)?;
    Some((http.to_owned(), path.to_owned()))
}

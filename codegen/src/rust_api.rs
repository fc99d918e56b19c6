//! The public Rust API of a generated client, as data.
//!
//! A release changes what users compile against only through these items,
//! so the release summary judges "breaking or additive" by comparing two of
//! these, and the snapshot test prints one so that a type change shows in
//! review without the generated bodies around it.

use std::collections::BTreeMap;
use std::fmt;

use syn::{Attribute, Fields, ImplItem, Item, Type, Visibility};

use crate::rust_text::{signature_text, type_text};
use crate::{CodegenError, Generated};

/// Every public item of a generated client, keyed by its path
/// (`types::Pet`, `Client::get_pet`, `builder::GetPet::send`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RustApi {
    /// The items, sorted by path.
    pub items: BTreeMap<String, RustItem>,
}

/// One public item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustItem {
    /// A struct, with its public fields and their types.
    Struct {
        /// Public fields in declaration order (`0`, `1`… for tuple structs).
        fields: Vec<(String, String)>,
        /// Whether code outside the crate can build it with a struct
        /// literal; if not, adding a field is not a breaking change.
        constructible: bool,
    },
    /// An enum, with its variants.
    Enum {
        /// Variants in declaration order, with their payload (`Unknown(String)`).
        variants: Vec<String>,
        /// `#[non_exhaustive]`: adding a variant is not a breaking change.
        non_exhaustive: bool,
    },
    /// A type alias and its target.
    Alias(String),
    /// A public inherent method or function, as its one-line signature.
    Fn(String),
}

/// Reads the public items off a generated client.
///
/// ```
/// # let spec = serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
/// #     "paths": {}, "components": { "schemas": { "Pet": { "type": "object",
/// #         "required": ["name"], "properties": { "name": { "type": "string" } } } } } });
/// let generated = osigu_codegen::generate(&spec, &Default::default())?;
/// let api = osigu_codegen::rust_api(&generated)?;
/// assert!(api.to_string().contains("struct types::Pet { name: String, .. }"));
/// # Ok::<(), osigu_codegen::CodegenError>(())
/// ```
pub fn rust_api(generated: &Generated) -> Result<RustApi, CodegenError> {
    let file: syn::File =
        syn::parse_str(&generated.code).map_err(|e| CodegenError::InvalidRust {
            reason: e.to_string(),
        })?;
    let mut api = RustApi::default();
    walk(&file.items, "", &mut api);
    Ok(api)
}

fn walk(items: &[Item], prefix: &str, api: &mut RustApi) {
    for item in items {
        match item {
            Item::Mod(m) if is_pub(&m.vis) => {
                if let Some((_, inner)) = &m.content {
                    walk(inner, &format!("{prefix}{}::", m.ident), api);
                }
            }
            Item::Struct(s) if is_pub(&s.vis) => {
                let all: Vec<_> = s.fields.iter().collect();
                let fields = all
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| is_pub(&f.vis))
                    .map(|(i, f)| {
                        let name = f
                            .ident
                            .as_ref()
                            .map_or_else(|| i.to_string(), ToString::to_string);
                        (name, type_text(&f.ty))
                    })
                    .collect::<Vec<_>>();
                let constructible = fields.len() == all.len()
                    && !matches!(s.fields, Fields::Unit)
                    && !non_exhaustive(&s.attrs);
                api.items.insert(
                    format!("{prefix}{}", s.ident),
                    RustItem::Struct {
                        fields,
                        constructible,
                    },
                );
            }
            Item::Enum(e) if is_pub(&e.vis) => {
                let variants = e
                    .variants
                    .iter()
                    .map(|v| match &v.fields {
                        Fields::Unit => v.ident.to_string(),
                        Fields::Unnamed(f) => {
                            let types: Vec<String> =
                                f.unnamed.iter().map(|f| type_text(&f.ty)).collect();
                            format!("{}({})", v.ident, types.join(", "))
                        }
                        Fields::Named(f) => {
                            let fields: Vec<String> = f
                                .named
                                .iter()
                                .map(|f| {
                                    let name = f.ident.as_ref().map(ToString::to_string);
                                    format!("{}: {}", name.unwrap_or_default(), type_text(&f.ty))
                                })
                                .collect();
                            format!("{} {{ {} }}", v.ident, fields.join(", "))
                        }
                    })
                    .collect();
                api.items.insert(
                    format!("{prefix}{}", e.ident),
                    RustItem::Enum {
                        variants,
                        non_exhaustive: non_exhaustive(&e.attrs),
                    },
                );
            }
            Item::Type(t) if is_pub(&t.vis) => {
                api.items.insert(
                    format!("{prefix}{}", t.ident),
                    RustItem::Alias(type_text(&t.ty)),
                );
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                let Some(self_name) = last_ident(&imp.self_ty) else {
                    continue;
                };
                for item in &imp.items {
                    if let ImplItem::Fn(f) = item
                        && is_pub(&f.vis)
                    {
                        api.items.insert(
                            format!("{prefix}{self_name}::{}", f.sig.ident),
                            RustItem::Fn(signature_text(&f.sig)),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn non_exhaustive(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("non_exhaustive"))
}

fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

impl fmt::Display for RustItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Struct {
                fields,
                constructible,
            } => {
                let mut parts: Vec<String> =
                    fields.iter().map(|(n, t)| format!("{n}: {t}")).collect();
                if !constructible {
                    parts.push("..".into());
                }
                if parts.is_empty() {
                    Ok(())
                } else {
                    write!(f, " {{ {} }}", parts.join(", "))
                }
            }
            Self::Enum {
                variants,
                non_exhaustive,
            } => {
                let mut parts = variants.clone();
                if *non_exhaustive {
                    parts.push("..".into());
                }
                write!(f, " {{ {} }}", parts.join(", "))
            }
            Self::Alias(target) => write!(f, " = {target}"),
            Self::Fn(signature) => f.write_str(signature),
        }
    }
}

impl RustItem {
    /// `struct`, `enum`, `type` or `fn`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Struct { .. } => "struct",
            Self::Enum { .. } => "enum",
            Self::Alias(_) => "type",
            Self::Fn(_) => "fn",
        }
    }
}

/// One line per item: `struct types::Pet { name: String, .. }`, where `..`
/// marks a type users cannot build with a literal or match exhaustively.
impl fmt::Display for RustApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (path, item) in &self.items {
            match item {
                RustItem::Fn(signature) => {
                    // "async fn send(self)" → "async fn builder::GetPet::send(self)"
                    let name = path.rsplit("::").next().unwrap_or(path);
                    let qualified =
                        signature.replacen(&format!("fn {name}"), &format!("fn {path}"), 1);
                    writeln!(f, "{qualified}")?;
                }
                other => writeln!(f, "{} {path}{other}", other.kind())?,
            }
        }
        Ok(())
    }
}

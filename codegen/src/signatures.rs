//! The Rust signatures of the generated public items: types with their
//! fields or variants, and the `Client` and builder methods. Snapshotting
//! these (not the whole generated file) makes a type change visible in
//! review without burying it in generated bodies.

use quote::ToTokens;
use syn::{Fields, ImplItem, Item, Visibility};

use crate::{CodegenError, Generated};

/// One line per public item of the generated client, in source order.
///
/// ```
/// # let spec = serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
/// #     "paths": {}, "components": { "schemas": { "Pet": { "type": "object",
/// #         "required": ["name"], "properties": { "name": { "type": "string" } } } } } });
/// let generated = osigu_codegen::generate(&spec, &Default::default())?;
/// let signatures = osigu_codegen::signatures(&generated)?;
/// assert!(signatures.contains("types::Pet { pub name: String }"));
/// # Ok::<(), osigu_codegen::CodegenError>(())
/// ```
pub fn signatures(generated: &Generated) -> Result<String, CodegenError> {
    let file: syn::File =
        syn::parse_str(&generated.code).map_err(|e| CodegenError::InvalidRust {
            reason: e.to_string(),
        })?;
    let mut out = String::new();
    walk_items(&file.items, "", &mut out);
    Ok(out)
}

fn walk_items(items: &[Item], prefix: &str, out: &mut String) {
    for item in items {
        match item {
            Item::Mod(m) if is_pub(&m.vis) => {
                if let Some((_, inner)) = &m.content {
                    walk_items(inner, &format!("{prefix}{}::", m.ident), out);
                }
            }
            _ => item_line(item, prefix, out),
        }
    }
}

fn item_line(item: &Item, prefix: &str, out: &mut String) {
    match item {
        Item::Struct(s) if is_pub(&s.vis) => {
            let fields = match &s.fields {
                Fields::Named(named) => {
                    let list: Vec<String> = named
                        .named
                        .iter()
                        .filter(|f| is_pub(&f.vis))
                        .map(|f| {
                            format!(
                                "pub {}: {}",
                                f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default(),
                                tokens(&f.ty)
                            )
                        })
                        .collect();
                    format!(" {{ {} }}", list.join(", "))
                }
                Fields::Unnamed(unnamed) => {
                    let list: Vec<String> = unnamed.unnamed.iter().map(|f| tokens(&f.ty)).collect();
                    format!("({})", list.join(", "))
                }
                Fields::Unit => String::new(),
            };
            out.push_str(&format!("struct {prefix}{}{fields}\n", s.ident));
        }
        Item::Enum(e) if is_pub(&e.vis) => {
            let variants: Vec<String> = e
                .variants
                .iter()
                .map(|v| match &v.fields {
                    Fields::Unit => v.ident.to_string(),
                    other => format!("{}{}", v.ident, tokens(other)),
                })
                .collect();
            out.push_str(&format!(
                "enum {prefix}{} {{ {} }}\n",
                e.ident,
                variants.join(", ")
            ));
        }
        Item::Type(t) if is_pub(&t.vis) => {
            out.push_str(&format!("type {prefix}{} = {}\n", t.ident, tokens(&t.ty)));
        }
        Item::Impl(imp) if imp.trait_.is_none() => {
            let self_ty = tokens(&imp.self_ty);
            for item in &imp.items {
                if let ImplItem::Fn(f) = item
                    && is_pub(&f.vis)
                {
                    out.push_str(&format!(
                        "fn {prefix}{self_ty}::{}\n",
                        tokens(&f.sig).trim_start_matches("fn ")
                    ));
                }
            }
        }
        _ => {}
    }
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// Token text with the spaces `quote` adds between tokens removed where
/// Rust does not need them.
fn tokens(t: &impl ToTokens) -> String {
    let raw = t.to_token_stream().to_string();
    let mut s = raw
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" ::", "::")
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" <", "<")
        .replace(" > ", "> ")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& '", "&'")
        .replace("& ", "&")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(",>", ">")
        .replace(" (", "(");
    for (long, short) in [
        ("::std::string::String", "String"),
        ("::std::vec::Vec", "Vec"),
        ("::std::option::Option", "Option"),
        ("::std::result::Result", "Result"),
    ] {
        s = s.replace(long, short);
    }
    s
}

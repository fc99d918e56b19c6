//! Marks the generated API types `#[non_exhaustive]`.
//!
//! Osigu adds fields and enum values in minor releases. If users could build
//! a generated struct with a literal or match an enum exhaustively, each of
//! those additions would break their code. Non-exhaustive types keep
//! additions additive: structs are built through their generated builders
//! (`types::Pet::builder()`), and matches need a `_` arm.

use syn::{Fields, Item, Visibility, parse_quote};

/// Marks the public structs with named public fields, and the public enums,
/// declared directly in `mod types`. Returns how many were marked.
pub(crate) fn mark(file: &mut syn::File) -> usize {
    let Some(types) = file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return 0;
    };
    let mut marked = 0;
    for item in types.iter_mut() {
        let attrs = match item {
            Item::Struct(s)
                if is_pub(&s.vis)
                    && matches!(s.fields, Fields::Named(_))
                    && s.fields.iter().all(|f| is_pub(&f.vis)) =>
            {
                &mut s.attrs
            }
            Item::Enum(e) if is_pub(&e.vis) => &mut e.attrs,
            _ => continue,
        };
        if !attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
            attrs.push(parse_quote!(#[non_exhaustive]));
            marked += 1;
        }
    }
    marked
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

//! Makes every generated string enum open.
//!
//! typify emits closed enums, so the first new value the API returns would
//! fail to deserialise the whole response. Osigu counts a new response value
//! as a breaking change, yet says query parameters and error codes grow
//! without notice; an SDK that breaks on an unknown value would turn an
//! upstream release into an outage. Each unit-only enum gets a last variant
//! `Unknown(String)` (serde tries it only after every known name), loses
//! `Copy`, and has its string conversions replaced by infallible ones.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Fields, Ident, Item, ItemEnum, LitStr, Meta, parse_quote};

/// An enum being opened: its name, its variants with their wire names, and
/// the name of its catch-all variant.
type OpenedEnum = (Ident, Vec<(Ident, String)>, Ident);

pub(crate) fn open(file: &mut syn::File) -> syn::Result<Vec<String>> {
    let mut opened = Vec::new();
    open_items(&mut file.items, &mut opened)?;
    Ok(opened)
}

fn open_items(items: &mut Vec<Item>, opened: &mut Vec<String>) -> syn::Result<()> {
    for item in items.iter_mut() {
        if let Item::Mod(module) = item
            && let Some((_, inner)) = &mut module.content
        {
            open_items(inner, opened)?;
        }
    }
    let mut opened_here: Vec<OpenedEnum> = Vec::new();
    for item in items.iter_mut() {
        if let Item::Enum(e) = item
            && let Some(variants) = wire_names(e)
        {
            strip_copy(e);
            // An API may itself have a value "UNKNOWN"; the catch-all
            // then takes the next free name.
            let catch_all = ["Unknown", "Unrecognized", "UnknownValue"]
                .into_iter()
                .map(|n| Ident::new(n, proc_macro2::Span::call_site()))
                .find(|n| variants.iter().all(|(v, _)| v != n))
                .unwrap_or_else(|| Ident::new("UnknownValue_", proc_macro2::Span::call_site()));
            e.variants.push(parse_quote! {
                /// A value this version of the SDK does not know yet,
                /// kept exactly as the API sent it.
                #[serde(untagged)]
                #catch_all(::std::string::String)
            });
            opened_here.push((e.ident.clone(), variants, catch_all));
        }
    }
    if opened_here.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = opened_here.iter().map(|(i, _, _)| i.to_string()).collect();
    let old = std::mem::take(items);
    for item in old {
        if is_replaced_conversion(&item, &names) {
            continue;
        }
        let opened_enum = match &item {
            Item::Enum(e) => opened_here.iter().find(|(i, _, _)| *i == e.ident),
            _ => None,
        };
        items.push(item);
        // The new conversions follow their enum, where a reader looks for them.
        if let Some((ident, variants, catch_all)) = opened_enum {
            let impls: syn::File = syn::parse2(conversions(ident, variants, catch_all))?;
            items.extend(impls.items);
            opened.push(ident.to_string());
        }
    }
    Ok(())
}

/// The wire name of each variant, if this is a serde string enum.
fn wire_names(e: &ItemEnum) -> Option<Vec<(Ident, String)>> {
    let derives_deserialize = e.attrs.iter().any(|a| {
        a.path().is_ident("derive")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().contains("Deserialize"))
    });
    let container_serde = e.attrs.iter().any(|a| a.path().is_ident("serde"));
    if !derives_deserialize || container_serde || e.variants.is_empty() {
        return None;
    }
    e.variants
        .iter()
        .map(|v| {
            if !matches!(v.fields, Fields::Unit) {
                return None;
            }
            let mut wire = v.ident.to_string();
            for attr in v.attrs.iter().filter(|a| a.path().is_ident("serde")) {
                let mut other = false;
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        wire = meta.value()?.parse::<LitStr>()?.value();
                    } else {
                        other = true;
                    }
                    Ok(())
                });
                if other {
                    return None;
                }
            }
            Some((v.ident.clone(), wire))
        })
        .collect()
}

fn strip_copy(e: &mut ItemEnum) {
    for attr in e.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        if let Meta::List(list) = &mut attr.meta {
            let kept: Vec<syn::Path> = list
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
                .map(|paths| paths.into_iter().filter(|p| !p.is_ident("Copy")).collect())
                .unwrap_or_default();
            if !kept.is_empty() {
                list.tokens = quote! { #(#kept),* };
            }
        }
    }
}

/// typify's `Display`, `FromStr` and `TryFrom` impls for an enum being opened.
fn is_replaced_conversion(item: &Item, names: &[String]) -> bool {
    let Item::Impl(imp) = item else { return false };
    let Some((trait_path, _)) = &imp.trait_ else {
        return false;
    };
    let trait_name = trait_path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    let self_name = match &*imp.self_ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => return false,
    };
    names.contains(&self_name) && matches!(trait_name.as_str(), "Display" | "FromStr" | "TryFrom")
}

fn conversions(ident: &Ident, variants: &[(Ident, String)], catch_all: &Ident) -> TokenStream {
    let (idents, wires): (Vec<_>, Vec<_>) = variants.iter().cloned().unzip();
    quote! {
        impl #ident {
            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #wires,)*
                    Self::#catch_all(value) => value.as_str(),
                }
            }

            /// False for a value this version of the SDK does not know.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::#catch_all(_))
            }
        }

        impl ::std::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for #ident {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(match value {
                    #(#wires => Self::#idents,)*
                    other => Self::#catch_all(other.to_owned()),
                })
            }
        }

        impl ::std::convert::From<&str> for #ident {
            fn from(value: &str) -> Self {
                match value.parse() {
                    ::std::result::Result::Ok(parsed) => parsed,
                    ::std::result::Result::Err(never) => match never {},
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #ident {
            fn from(value: ::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }
    }
}

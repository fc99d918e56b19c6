//! Builders that read like hand-written ones.
//!
//! typify's setters take `TryInto<FieldType>`: an optional string wants
//! `Some("x".to_owned())`, a list of nested bodies wants a `try_into()` per
//! element, and a required field left out is found only when the body is
//! converted at run time. progenitor's parameter setters take
//! `TryInto<String>`, so an id that came back as a number needs
//! `.to_string()` before it can be passed on. This pass rewrites them:
//!
//! - a setter of a string field or parameter takes any `Display` value (a
//!   `&str`, a `String`, a number id);
//! - a setter of an optional field takes the value itself, not `Some(…)`;
//! - a setter of a list takes anything iterable whose items convert, so a
//!   `Vec` of nested builders goes in as it is;
//! - a struct with required fields gets `Type::builder(required…)`, so a
//!   body missing one does not compile; `Default` stays for decoding.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{
    Expr, Fields, FnArg, GenericArgument, ImplItem, ImplItemFn, Item, ItemImpl, ItemStruct,
    PathArguments, ReturnType, Type, WherePredicate, parse_quote,
};

/// What the pass changed, for the tests and the report.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Rewritten {
    pub setters: usize,
    pub constructors: usize,
    pub parameters: usize,
}

pub(crate) fn rewrite(file: &mut syn::File) -> Rewritten {
    let mut done = Rewritten::default();
    for item in &mut file.items {
        let Item::Mod(module) = item else { continue };
        let Some((_, items)) = &mut module.content else {
            continue;
        };
        match module.ident.to_string().as_str() {
            "types" => {
                let required = required_fields(items);
                for inner in items.iter_mut() {
                    match inner {
                        Item::Mod(m) if m.ident == "builder" => {
                            if let Some((_, builders)) = &mut m.content {
                                for b in builders.iter_mut() {
                                    if let Item::Impl(imp) = b
                                        && imp.trait_.is_none()
                                    {
                                        done.setters += rewrite_setters(imp);
                                    }
                                }
                            }
                        }
                        Item::Impl(imp) if imp.trait_.is_none() => {
                            done.constructors += add_constructor(imp, &required);
                        }
                        _ => {}
                    }
                }
            }
            "builder" => {
                for inner in items.iter_mut() {
                    if let Item::Impl(imp) = inner
                        && imp.trait_.is_none()
                    {
                        done.parameters += rewrite_parameters(imp);
                    }
                }
            }
            _ => {}
        }
    }
    done
}

/// For each builder struct in `types::builder`, its required fields and
/// their types, in declaration order: the fields whose `Default` is
/// `Err("no value supplied for …")`.
fn required_fields(types_items: &[Item]) -> Vec<(String, Vec<(syn::Ident, Type)>)> {
    let Some(builders) = types_items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, i)| i),
        _ => None,
    }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in builders {
        let Item::Impl(imp) = item else { continue };
        let is_default = imp
            .trait_
            .as_ref()
            .is_some_and(|(path, _)| path.segments.last().is_some_and(|s| s.ident == "Default"));
        if !is_default {
            continue;
        }
        let Some(name) = self_name(&imp.self_ty) else {
            continue;
        };
        let text = imp.to_token_stream().to_string();
        let Some(structure) = builders.iter().find_map(|i| match i {
            Item::Struct(s) if s.ident == name => Some(s),
            _ => None,
        }) else {
            continue;
        };
        let fields: Vec<(syn::Ident, Type)> = named_fields(structure)
            .filter(|(ident, _)| text.contains(&format!("\"no value supplied for {ident}\"")))
            .filter_map(|(ident, ty)| Some((ident.clone(), unsuper(result_ok(ty)?.clone()))))
            .collect();
        if !fields.is_empty() {
            out.push((name, fields));
        }
    }
    out
}

/// `super::Line` → `Line`: the builder's field types name the API types
/// from inside `types::builder`; the constructor lives in `types`.
fn unsuper(mut ty: Type) -> Type {
    struct Strip;
    impl syn::visit_mut::VisitMut for Strip {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            if path.leading_colon.is_none()
                && path.segments.len() > 1
                && path.segments.first().is_some_and(|s| s.ident == "super")
            {
                path.segments = path.segments.iter().skip(1).cloned().collect();
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    syn::visit_mut::VisitMut::visit_type_mut(&mut Strip, &mut ty);
    ty
}

fn named_fields(s: &ItemStruct) -> impl Iterator<Item = (&syn::Ident, &Type)> {
    let fields = match &s.fields {
        Fields::Named(named) => Some(named.named.iter()),
        _ => None,
    };
    fields
        .into_iter()
        .flatten()
        .filter_map(|f| Some((f.ident.as_ref()?, &f.ty)))
}

fn self_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `T` in `Result<T, String>`.
fn result_ok(ty: &Type) -> Option<&Type> {
    generic(ty, "Result")
}

/// The first type argument of `ty` if its last segment is `wrapper`.
fn generic<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

fn is_string(ty: &Type) -> bool {
    let text = ty.to_token_stream().to_string().replace(' ', "");
    text == "::std::string::String" || text == "String"
}

/// The type `T: TryInto<Target>` converts to, from a setter's where clause.
fn setter_target(f: &ImplItemFn) -> Option<Type> {
    let clause = f.sig.generics.where_clause.as_ref()?;
    clause.predicates.iter().find_map(|p| {
        let WherePredicate::Type(pt) = p else {
            return None;
        };
        pt.bounds.iter().find_map(|b| {
            let syn::TypeParamBound::Trait(t) = b else {
                return None;
            };
            let last = t.path.segments.last()?;
            if last.ident != "TryInto" {
                return None;
            }
            match &last.arguments {
                PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
                    GenericArgument::Type(t) => Some(t.clone()),
                    _ => None,
                }),
                _ => None,
            }
        })
    })
}

/// A setter shaped `fn name<T>(mut self, value: T) -> Self`.
fn is_setter(f: &ImplItemFn) -> bool {
    f.sig.inputs.len() == 2
        && matches!(f.sig.inputs.first(), Some(FnArg::Receiver(_)))
        && matches!(&f.sig.output, ReturnType::Type(_, t) if t.to_token_stream().to_string() == "Self")
        && f.sig.generics.params.len() == 1
}

/// The conversion error message the original setter builds, kept as is.
fn message(field: &syn::Ident) -> String {
    format!("error converting supplied value for {field}: {{e}}")
}

fn rewrite_setters(imp: &mut ItemImpl) -> usize {
    let mut rewritten = 0;
    for item in &mut imp.items {
        let ImplItem::Fn(f) = item else { continue };
        if !is_setter(f) {
            continue;
        }
        let Some(target) = setter_target(f) else {
            continue;
        };
        let name = f.sig.ident.clone();
        let attrs = f.attrs.clone();
        let text = message(&name);
        let replacement: Option<ImplItemFn> = if is_string(&target) {
            Some(parse_quote! {
                pub fn #name(mut self, value: impl ::std::fmt::Display) -> Self {
                    self.#name = Ok(value.to_string());
                    self
                }
            })
        } else if let Some(inner) = generic(&target, "Option") {
            if is_string(inner) {
                Some(parse_quote! {
                    pub fn #name(mut self, value: impl ::std::fmt::Display) -> Self {
                        self.#name = Ok(Some(value.to_string()));
                        self
                    }
                })
            } else if let Some(item) = generic(inner, "Vec") {
                Some(list_setter(&name, item, &text, true))
            } else {
                Some(parse_quote! {
                    pub fn #name<T>(mut self, value: T) -> Self
                    where
                        T: ::std::convert::TryInto<#inner>,
                        T::Error: ::std::fmt::Display,
                    {
                        self.#name = value.try_into().map(Some).map_err(|e| format!(#text));
                        self
                    }
                })
            }
        } else {
            generic(&target, "Vec").map(|item| list_setter(&name, item, &text, false))
        };
        if let Some(mut replacement) = replacement {
            replacement.attrs = attrs;
            *f = replacement;
            rewritten += 1;
        }
    }
    rewritten
}

fn list_setter(name: &syn::Ident, item: &Type, text: &str, optional: bool) -> ImplItemFn {
    let wrap = if optional {
        quote!(.map(Some))
    } else {
        quote!()
    };
    parse_quote! {
        pub fn #name<I, T>(mut self, items: I) -> Self
        where
            I: ::std::iter::IntoIterator<Item = T>,
            T: ::std::convert::TryInto<#item>,
            T::Error: ::std::fmt::Display,
        {
            self.#name = items
                .into_iter()
                .map(|v| v.try_into().map_err(|e| format!(#text)))
                .collect::<::std::result::Result<::std::vec::Vec<_>, _>>()
                #wrap;
            self
        }
    }
}

/// `impl X { pub fn builder() -> builder::X }` gains the required fields
/// as arguments when `X` has any.
fn add_constructor(imp: &mut ItemImpl, required: &[(String, Vec<(syn::Ident, Type)>)]) -> usize {
    let Some(name) = self_name(&imp.self_ty) else {
        return 0;
    };
    let Some((_, fields)) = required.iter().find(|(n, _)| *n == name) else {
        return 0;
    };
    let Some(index) = imp.items.iter().position(
        |i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "builder" && f.sig.inputs.is_empty()),
    ) else {
        return 0;
    };
    let builder_ty: TokenStream = quote!(builder::);
    let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
    let args = fields.iter().map(|(field, ty)| {
        let bound = argument_type(ty);
        quote!(#field: #bound)
    });
    let calls = fields.iter().map(|(field, _)| quote!(.#field(#field)));
    let names: Vec<String> = fields.iter().map(|(f, _)| format!("`{f}`")).collect();
    let doc = format!(
        " A builder with the required {} set; set the optional fields on it.",
        names.join(", ")
    );
    imp.items[index] = parse_quote! {
        #[doc = #doc]
        pub fn builder(#(#args),*) -> #builder_ty #ident {
            #builder_ty #ident::default() #(#calls)*
        }
    };
    1
}

/// The argument type of a required field, matching its rewritten setter
/// (an optional field's setter takes the value inside).
fn argument_type(ty: &Type) -> TokenStream {
    let ty = generic(ty, "Option").unwrap_or(ty);
    if is_string(ty) {
        quote!(impl ::std::fmt::Display)
    } else if let Some(item) = generic(ty, "Vec") {
        quote!(impl ::std::iter::IntoIterator<Item: ::std::convert::TryInto<#item, Error: ::std::fmt::Display>>)
    } else {
        quote!(impl ::std::convert::TryInto<#ty, Error: ::std::fmt::Display>)
    }
}

/// progenitor's parameter setters: a string path or query parameter takes
/// any `Display` value, so an id a response returned as a number passes
/// straight on.
fn rewrite_parameters(imp: &mut ItemImpl) -> usize {
    let mut rewritten = 0;
    for item in &mut imp.items {
        let ImplItem::Fn(f) = item else { continue };
        if !is_setter(f) || f.sig.ident == "body" {
            continue;
        }
        let Some(target) = setter_target(f) else {
            continue;
        };
        if !is_string(&target) {
            continue;
        }
        let optional = f
            .block
            .to_token_stream()
            .to_string()
            .contains(". map (Some)");
        let name = f.sig.ident.clone();
        let value: Expr = if optional {
            parse_quote!(Ok(Some(value.to_string())))
        } else {
            parse_quote!(Ok(value.to_string()))
        };
        let attrs = f.attrs.clone();
        *f = parse_quote! {
            pub fn #name(mut self, value: impl ::std::fmt::Display) -> Self {
                self.#name = #value;
                self
            }
        };
        f.attrs = attrs;
        rewritten += 1;
    }
    rewritten
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::squeezed;

    #[test]
    fn setters_take_plain_values_lists_and_display_ids() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                impl Body {
                    pub fn builder() -> builder::Body { Default::default() }
                }
                pub mod builder {
                    pub struct Body {
                        code: Result<String, String>,
                        note: Result<Option<String>, String>,
                        count: Result<Option<i64>, String>,
                        lines: Result<Vec<super::Line>, String>,
                    }
                    impl Default for Body {
                        fn default() -> Self {
                            Self {
                                code: Err("no value supplied for code".to_string()),
                                note: Ok(Default::default()),
                                count: Ok(Default::default()),
                                lines: Err("no value supplied for lines".to_string()),
                            }
                        }
                    }
                    impl Body {
                        pub fn code<T>(mut self, value: T) -> Self where T: ::std::convert::TryInto<::std::string::String>, T::Error: ::std::fmt::Display { self }
                        pub fn note<T>(mut self, value: T) -> Self where T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>, T::Error: ::std::fmt::Display { self }
                        pub fn count<T>(mut self, value: T) -> Self where T: ::std::convert::TryInto<::std::option::Option<i64>>, T::Error: ::std::fmt::Display { self }
                        pub fn lines<T>(mut self, value: T) -> Self where T: ::std::convert::TryInto<::std::vec::Vec<super::Line>>, T::Error: ::std::fmt::Display { self }
                    }
                }
            }
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub fn id<V>(mut self, value: V) -> Self where V: std::convert::TryInto<::std::string::String> {
                        self.id = value.try_into().map_err(|_| "x".to_string());
                        self
                    }
                    pub fn filter<V>(mut self, value: V) -> Self where V: std::convert::TryInto<::std::string::String> {
                        self.filter = value.try_into().map(Some).map_err(|_| "x".to_string());
                        self
                    }
                    pub fn page<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i32> { self }
                }
            }
        };
        let done = rewrite(&mut file);
        assert_eq!(
            done,
            Rewritten {
                setters: 4,
                constructors: 1,
                parameters: 2
            }
        );
        let code = squeezed(&file);
        for expected in [
            "pub fn code(mut self, value: impl ::std::fmt::Display) -> Self { self.code = Ok(value.to_string());",
            "self.note = Ok(Some(value.to_string()));",
            "T: ::std::convert::TryInto<i64>",
            "value .try_into() .map(Some)",
            "I: ::std::iter::IntoIterator<Item = T>, T: ::std::convert::TryInto<super::Line>",
            "pub fn builder( code: impl ::std::fmt::Display, lines: impl ::std::iter::IntoIterator< Item: ::std::convert::TryInto<Line, Error: ::std::fmt::Display>, >, ) -> builder::Body { builder::Body::default().code(code).lines(lines) }",
            "pub fn id(mut self, value: impl ::std::fmt::Display) -> Self { self.id = Ok(value.to_string());",
            "self.filter = Ok(Some(value.to_string()));",
            "pub fn page<V>(mut self, value: V)",
        ] {
            assert!(code.contains(expected), "missing {expected}\n{code}");
        }
    }
}

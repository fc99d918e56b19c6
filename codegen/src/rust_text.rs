//! Readable text for types and signatures of the generated code.
//!
//! `quote` puts a space between every token, which makes snapshots and
//! release summaries hard to read; prettyplease prints them as a person
//! would, and the fully qualified prelude paths progenitor writes are
//! shortened to the names users type.

use syn::{Item, Signature, Type};

/// `::std::option::Option<::std::string::String>` → `Option<String>`.
pub(crate) fn type_text(ty: &Type) -> String {
    let alias: Item = syn::parse_quote! { type T = #ty; };
    let printed = unparse(alias);
    let text = printed
        .trim()
        .trim_start_matches("type T = ")
        .trim_end_matches(';');
    shorten(text)
}

/// `pub fn body<V>(mut self, value: V) -> Self where V: …` on one line,
/// without `pub` and without a body.
pub(crate) fn signature_text(sig: &Signature) -> String {
    let function: Item = syn::parse_quote! { #sig {} };
    let printed = unparse(function);
    let one_line = squeeze(&printed);
    let text = one_line
        .trim_end_matches("{}")
        .trim_end()
        .trim_end_matches(',');
    shorten(text)
}

fn unparse(item: Item) -> String {
    let mut file: syn::File = syn::parse_quote! {};
    file.items.push(item);
    prettyplease::unparse(&file)
}

fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let opens = out.ends_with('(') || out.ends_with('<');
        let closes = word.starts_with(')') || word.starts_with('>');
        if !out.is_empty() && !opens && !closes {
            out.push(' ');
        }
        out.push_str(word);
    }
    // prettyplease leaves a trailing comma where it broke a list over lines.
    out.replace(",)", ")").replace(",>", ">")
}

fn shorten(text: &str) -> String {
    let mut out = text.to_owned();
    for (long, short) in [
        ("::std::string::String", "String"),
        ("::std::vec::Vec", "Vec"),
        ("::std::option::Option", "Option"),
        ("::std::result::Result", "Result"),
        ("::std::collections::HashMap", "HashMap"),
        ("::serde_json::Map", "Map"),
        ("::serde_json::Value", "Value"),
        ("::chrono::DateTime<::chrono::offset::Utc>", "DateTime<Utc>"),
        ("::chrono::naive::NaiveDate", "NaiveDate"),
        ("::uuid::Uuid", "Uuid"),
        ("::std::num::", ""),
    ] {
        out = out.replace(long, short);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prelude_paths_are_shortened() {
        let ty: Type =
            syn::parse_quote!(::std::option::Option<::std::vec::Vec<::std::string::String>>);
        assert_eq!(type_text(&ty), "Option<Vec<String>>");
    }

    #[test]
    fn long_generic_signatures_are_squeezed_like_short_ones() {
        let item: syn::ItemFn = syn::parse_quote! {
            pub async fn send(self) -> ::std::result::Result<ResponseValue<types::AuthorizationRequestResourceWithAVeryLongName>, crate::Error> {}
        };
        assert_eq!(
            signature_text(&item.sig),
            "async fn send(self) -> Result<ResponseValue<types::AuthorizationRequestResourceWithAVeryLongName>, crate::Error>"
        );
    }

    #[test]
    fn signatures_fit_on_one_line_without_body() {
        let item: syn::ItemFn = syn::parse_quote! {
            pub fn body<V>(mut self, value: V) -> Self
            where
                V: std::convert::TryInto<types::Pet>,
            {
                self
            }
        };
        assert_eq!(
            signature_text(&item.sig),
            "fn body<V>(mut self, value: V) -> Self where V: std::convert::TryInto<types::Pet>"
        );
    }
}

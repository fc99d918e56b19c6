//! A redacting `Debug` for every generated type and builder.
//!
//! typify and progenitor derive `Debug`, which prints every field: an OTP
//! code, a document number or a patient's name would reach any log that
//! formats a request with `{:?}`. This pass replaces the derive with a
//! hand-shaped impl that prints sensitive fields as `[redacted]` (keeping
//! whether an optional one is set) and everything else as before.
//!
//! Which fields are sensitive is decided in one place, [`is_sensitive`],
//! from one list, so the generated code and the tests that check it agree.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Fields, Item, ItemStruct, Meta, Type, parse_quote, punctuated::Punctuated};

/// Field names (as Rust spells them) whose values are never printed.
///
/// OTP codes and proofs, tokens and secrets; patient and beneficiary
/// identifiers, document numbers and names; contact data; birth dates and
/// free-text clinical notes.
pub const SENSITIVE_FIELDS: &[&str] = &[
    // Secrets, proofs and credentials.
    "otp_verification_token",
    "pin",
    "secret",
    "access_token",
    "token",
    "signature",
    "signed_hash",
    "document_digital_signature",
    "datamatrix",
    "datamatrix_image",
    "recipient_bank_account_number",
    // Identifiers of patients and beneficiaries.
    "beneficiary_id",
    "patient_id",
    "identity_document_id",
    "identity_document_code",
    "document_number",
    "member_code",
    "certificate",
    "policy_number",
    "external_user_id",
    // Names.
    "first_name",
    "last_name",
    "full_name",
    "given_names",
    "surnames",
    "policy_holder_name",
    "recipient_name",
    "employer_name",
    // Contact data.
    "masked_destination",
    "area_code",
    // Birth dates and clinical free text.
    "date_of_birth",
    "birth_date",
    "allergies",
    "illness_history",
    "medical_consultation_reason",
    "non_standardized_diagnoses",
    "additional_notes",
];

/// Name endings that make a field sensitive wherever they appear.
pub const SENSITIVE_SUFFIXES: &[&str] = &["email", "email_address", "phone_number", "address"];

/// Fields sensitive only in some types, as `(type name fragment, field)`:
/// `code` is an OTP in a validation request but a catalogue code elsewhere,
/// and `name` is a person's name only on people, `value` a proof or a
/// lookup input only where those travel.
pub const SENSITIVE_IN_TYPES: &[(&str, &str)] = &[
    ("Otp", "code"),
    ("Beneficiary", "name"),
    ("Patient", "name"),
    ("Dependent", "name"),
    ("Verification", "value"),
    ("Lookup", "value"),
    ("Input", "value"),
];

/// Whether field `field` of type `type_name` (a generated type, builder or
/// operation builder) is printed as `[redacted]`.
///
/// ```
/// use osigu_codegen::is_sensitive;
/// assert!(is_sensitive("ValidateOtpRequest", "code"));
/// assert!(!is_sensitive("DiagnosisRequest", "code"));
/// assert!(is_sensitive("CreatePendingAuthorizationRequest", "beneficiary_email"));
/// assert!(is_sensitive("BeneficiaryResource", "name"));
/// assert!(!is_sensitive("SponsorResource", "name"));
/// ```
pub fn is_sensitive(type_name: &str, field: &str) -> bool {
    let field = field.trim_end_matches('_');
    SENSITIVE_FIELDS.contains(&field)
        || SENSITIVE_SUFFIXES
            .iter()
            .any(|s| field == *s || field.ends_with(&format!("_{s}")))
        || SENSITIVE_IN_TYPES
            .iter()
            .any(|(t, f)| *f == field && type_name.contains(t))
}

/// Whether a newtype named `type_name` wraps a sensitive value: its name
/// ends with a sensitive field's name in UpperCamelCase (typify names a
/// constrained string after its field, e.g. `…BeneficiaryEmail`).
fn newtype_is_sensitive(type_name: &str) -> bool {
    use heck::ToUpperCamelCase;
    SENSITIVE_FIELDS
        .iter()
        .chain(SENSITIVE_SUFFIXES)
        .any(|f| type_name.ends_with(&f.to_upper_camel_case()))
}

/// Rewrites the derives of `mod types`, `mod types::builder` and the
/// operation builders in `mod builder`. Returns how many impls it wrote.
pub(crate) fn redact(file: &mut syn::File) -> usize {
    let mut written = 0;
    for item in &mut file.items {
        if let Item::Mod(module) = item
            && let Some((_, items)) = &mut module.content
        {
            match module.ident.to_string().as_str() {
                "types" => {
                    written += redact_items(items, 1);
                    for inner in items.iter_mut() {
                        if let Item::Mod(m) = inner
                            && m.ident == "builder"
                            && let Some((_, builders)) = &mut m.content
                        {
                            written += redact_items(builders, 2);
                        }
                    }
                }
                "builder" => written += redact_items(items, 1),
                _ => {}
            }
        }
    }
    if written > 0 {
        let helpers: syn::File = parse_quote! {
            /// Stands in for a sensitive value in `Debug` output.
            struct Redacted;
            impl ::std::fmt::Debug for Redacted {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str("[redacted]")
                }
            }
            /// How a free-form value shows in `Debug`: maps by their keys,
            /// JSON by its kind, never the values inside.
            trait Shape {
                fn shape(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result;
            }
            /// `Debug` through [`Shape`].
            struct Shaped<'a, T: ?Sized>(&'a T);
            impl<T: Shape + ?Sized> ::std::fmt::Debug for Shaped<'_, T> {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    self.0.shape(f)
                }
            }
            impl Shape for ::serde_json::Value {
                fn shape(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match self {
                        ::serde_json::Value::Null => f.write_str("null"),
                        ::serde_json::Value::Bool(_) => f.write_str("[bool]"),
                        ::serde_json::Value::Number(_) => f.write_str("[number]"),
                        ::serde_json::Value::String(_) => f.write_str("[string]"),
                        ::serde_json::Value::Array(items) => {
                            f.debug_list().entries(items.iter().map(Shaped)).finish()
                        }
                        ::serde_json::Value::Object(map) => map.shape(f),
                    }
                }
            }
            impl Shape for ::serde_json::Map<::std::string::String, ::serde_json::Value> {
                fn shape(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_set().entries(self.keys()).finish()
                }
            }
            impl<K: ::std::fmt::Debug, V, S> Shape for ::std::collections::HashMap<K, V, S> {
                fn shape(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_set().entries(self.keys()).finish()
                }
            }
            impl<T: Shape> Shape for ::std::option::Option<T> {
                fn shape(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match self {
                        None => f.write_str("None"),
                        Some(value) => f.debug_tuple("Some").field(&Shaped(value)).finish(),
                    }
                }
            }
            impl<T: Shape, E: ::std::fmt::Debug> Shape for ::std::result::Result<T, E> {
                fn shape(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match self {
                        Ok(value) => f.debug_tuple("Ok").field(&Shaped(value)).finish(),
                        Err(error) => f.debug_tuple("Err").field(error).finish(),
                    }
                }
            }
            impl<T: Shape> Shape for ::std::vec::Vec<T> {
                fn shape(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_list().entries(self.iter().map(Shaped)).finish()
                }
            }
        };
        file.items.extend(helpers.items);
    }
    written
}

/// `depth` is how many `super::` lead from these items to the generated
/// file's top, where `Redacted` lives.
fn redact_items(items: &mut Vec<Item>, depth: usize) -> usize {
    let supers: TokenStream = std::iter::repeat_n(quote!(super::), depth).collect();
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        if !drop_debug_derive(s) {
            continue;
        }
        impls.push(debug_impl(s, &supers));
    }
    let written = impls.len();
    items.extend(impls);
    written
}

/// Removes `Debug` from the struct's derives; whether it was there.
fn drop_debug_derive(s: &mut ItemStruct) -> bool {
    let mut found = false;
    for attr in &mut s.attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Meta::List(list) = &attr.meta else {
            continue;
        };
        let Ok(paths) =
            list.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|p| p.segments.last().is_none_or(|s| s.ident != "Debug"))
            .collect();
        if kept.len() != paths.len() {
            found = true;
            *attr = parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    found
}

fn debug_impl(s: &ItemStruct, supers: &TokenStream) -> Item {
    let name = &s.ident;
    let text = name.to_string();
    let (impl_generics, ty_generics, where_clause) = s.generics.split_for_impl();
    let body = match &s.fields {
        Fields::Named(named) => {
            let mut skipped = false;
            let fields: Vec<TokenStream> = named
                .named
                .iter()
                .filter_map(|field| {
                    let ident = field.ident.as_ref()?;
                    // An operation builder's client prints a connection pool.
                    if ident == "client" && text_of(&field.ty).starts_with('&') {
                        skipped = true;
                        return None;
                    }
                    let label = ident.to_string();
                    let shown = shown_expr(
                        quote!(self.#ident),
                        &field.ty,
                        is_sensitive(&text, &label),
                        supers,
                    );
                    Some(quote!(.field(#label, #shown)))
                })
                .collect();
            let finish = if skipped {
                quote!(finish_non_exhaustive)
            } else {
                quote!(finish)
            };
            quote! { f.debug_struct(#text) #(#fields)* .#finish() }
        }
        Fields::Unnamed(unnamed) => {
            let sensitive = newtype_is_sensitive(&text);
            let fields = unnamed.unnamed.iter().enumerate().map(|(i, field)| {
                let index = syn::Index::from(i);
                shown_expr(quote!(self.#index), &field.ty, sensitive, supers)
            });
            quote! { f.debug_tuple(#text) #(.field(#fields))* .finish() }
        }
        Fields::Unit => quote! { f.write_str(#text) },
    };
    parse_quote! {
        impl #impl_generics ::std::fmt::Debug for #name #ty_generics #where_clause {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #body
            }
        }
    }
}

/// What `Debug` prints for a field: a sensitive one as `[redacted]`, a
/// free-form one (a map or raw JSON, which can hold anything the server
/// echoed) by its shape, anything else as it is.
fn shown_expr(value: TokenStream, ty: &Type, sensitive: bool, supers: &TokenStream) -> TokenStream {
    if sensitive {
        redacted_expr(value, ty, supers)
    } else if is_free_form(ty) {
        quote!(&#supers Shaped(&#value))
    } else {
        quote!(&#value)
    }
}

/// A map or a `serde_json::Value`, possibly inside options and vectors.
fn is_free_form(ty: &Type) -> bool {
    let text = text_of(ty);
    text.contains("HashMap")
        || text.contains("serde_json :: Map")
        || text.contains("serde_json :: Value")
}

/// An expression whose `Debug` keeps the shape of `value` (whether an
/// option is set, whether a builder field was supplied) but not its content.
fn redacted_expr(value: TokenStream, ty: &Type, supers: &TokenStream) -> TokenStream {
    let redacted = quote!(#supers Redacted);
    match outer(ty) {
        Some(("Option", _)) => quote!(&#value.as_ref().map(|_| #redacted)),
        Some(("Result", Some(inner))) if outer(inner).is_some_and(|(o, _)| o == "Option") => {
            quote!(&#value.as_ref().map(|v| v.as_ref().map(|_| #redacted)))
        }
        Some(("Result", _)) => quote!(&#value.as_ref().map(|_| #redacted)),
        _ => quote!(&#redacted),
    }
}

/// The last segment of a path type and its first type argument.
fn outer(ty: &Type) -> Option<(&'static str, Option<&Type>)> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    let name = match last.ident.to_string().as_str() {
        "Option" => "Option",
        "Result" => "Result",
        _ => return None,
    };
    let first = match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    };
    Some((name, first))
}

fn text_of(ty: &Type) -> String {
    quote!(#ty).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_catch_each_kind_of_sensitive_field() {
        for (ty, field) in [
            ("ValidateOtpRequest", "code"),
            ("ValidateOtpResponse", "otp_verification_token"),
            ("PatientResource", "document_number"),
            ("PatientResource", "first_name"),
            ("BeneficiaryResource", "date_of_birth"),
            (
                "CreatePendingAuthorizationRequest",
                "beneficiary_phone_number",
            ),
            ("ProviderResource", "provider_email_address"),
            ("DoctorResource", "doctor_address"),
            ("ExternalVerification", "value"),
            ("SearchPatients", "document_number"),
        ] {
            assert!(is_sensitive(ty, field), "{ty}.{field}");
        }
        for (ty, field) in [
            ("DiagnosisRequest", "code"),
            ("SponsorResource", "name"),
            ("DispensationResource", "status"),
            ("ProductResource", "value"),
        ] {
            assert!(!is_sensitive(ty, field), "{ty}.{field}");
        }
        assert!(newtype_is_sensitive(
            "CreatePendingAuthorizationRequestBeneficiaryEmail"
        ));
        assert!(!newtype_is_sensitive("ProductCode"));
    }

    #[test]
    fn a_derived_debug_becomes_a_redacting_one() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(Clone, Debug, Default)]
                pub struct ValidateOtpRequest { pub code: String, pub otp_id: String, pub note: Option<String> }
                pub mod builder {
                    #[derive(Clone, Debug)]
                    pub struct ValidateOtpRequest { code: Result<String, String>, otp_id: Result<String, String> }
                }
            }
            pub mod builder {
                #[derive(Debug, Clone)]
                pub struct SearchPatients<'a> { client: &'a super::Client, document_number: Result<Option<String>, String> }
            }
        };
        assert_eq!(redact(&mut file), 3);
        let code: String = crate::test_support::squeezed(&file);
        assert!(!code.contains("Clone, Debug"), "{code}");
        assert!(
            code.contains(r#".field("code", &super::Redacted)"#),
            "{code}"
        );
        assert!(code.contains(r#".field("otp_id", &self.otp_id)"#), "{code}");
        assert!(
            code.contains(r#".field("code", &self.code.as_ref().map(|_| super::super::Redacted))"#),
            "{code}"
        );
        assert!(
            code.contains(r#""document_number", &self .document_number .as_ref() .map(|v| v.as_ref().map(|_| super::Redacted)),"#),
            "{code}"
        );
        assert!(!code.contains(r#".field("client""#), "{code}");
        assert!(code.contains("struct Redacted;"), "{code}");
    }
}

//! Routes every generated `send()` through the SDK's request engine.
//!
//! progenitor's `send()` builds the request, hands it to the `ClientHooks`
//! (which can only return a `reqwest` result), and matches the one status
//! the spec lists. That leaves three problems an SDK cannot live with: any
//! other 2xx is reported as an error though the server applied it, the
//! success body is read without a bound, and the error type is
//! progenitor's, which prints the request URL with its query.
//!
//! This pass keeps progenitor's request building (parameters, query,
//! headers, body) and replaces everything after `.build()` with one call
//! into the engine: `engine::json(&client.inner, request, &TABLE[i])` (or
//! `empty`/`stream`), which returns `Result<ResponseValue<T>, Error>` in
//! the SDK's own error type. `i` indexes the operation table, sorted by
//! Rust method name, that the caller emits alongside.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{Expr, ImplItem, ImplItemFn, Item, ReturnType, Stmt, Type, parse_quote};

use crate::CodegenError;

/// Where the generated code reaches the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnginePaths {
    /// The module with `json`, `empty`, `stream`, `built`, `invalid`, and
    /// for multipart operations `Form` and `multipart`.
    pub module: String,
    /// The error type every `send()` returns.
    pub error: String,
    /// The operation table, indexed in Rust-method order.
    pub table: String,
    /// The type a file part of a multipart operation takes (the module
    /// must also have `Form` and `multipart`, see [`generate`](crate::generate())).
    pub upload: String,
}

impl EnginePaths {
    /// The paths inside the `osigu` crate.
    pub fn osigu() -> Self {
        Self {
            module: "crate::engine".into(),
            error: "crate::Error".into(),
            table: "crate::operations::ALL".into(),
            upload: "crate::Upload".into(),
        }
    }
}

/// How a success body is read.
#[derive(Clone, Copy)]
enum Kind {
    Json,
    Empty,
    Stream,
}

impl Kind {
    fn function(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Empty => "empty",
            Self::Stream => "stream",
        }
    }
}

/// Rewrites every builder's `send()` in `mod builder`. Returns the Rust
/// method names in table order.
pub(crate) fn rewrite(
    file: &mut syn::File,
    paths: &EnginePaths,
) -> Result<Vec<String>, CodegenError> {
    let invalid = |reason: String| CodegenError::InvalidRust { reason };
    let parse = |text: &str| -> Result<TokenStream, CodegenError> {
        syn::parse_str::<syn::Path>(text)
            .map(|p| p.to_token_stream())
            .map_err(|e| invalid(format!("engine path {text:?}: {e}")))
    };
    let (module, error, table) = (
        parse(&paths.module)?,
        parse(&paths.error)?,
        parse(&paths.table)?,
    );
    let Some(builders) = builder_items(file) else {
        return Ok(Vec::new());
    };
    // First the names, so each send() can index its row of the sorted table.
    let mut order = Vec::new();
    for item in builders.iter() {
        let Item::Impl(imp) = item else { continue };
        for inner in &imp.items {
            if let ImplItem::Fn(f) = inner
                && f.sig.ident == "send"
            {
                order.push(
                    operation_name(&f.block.stmts)
                        .ok_or_else(|| invalid("a send() without OperationInfo".into()))?,
                );
            }
        }
    }
    order.sort();
    for item in builders.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let Some(at) = imp
            .items
            .iter()
            .position(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "send"))
        else {
            continue;
        };
        let ImplItem::Fn(f) = &mut imp.items[at] else {
            continue;
        };
        let name = operation_name(&f.block.stmts).unwrap_or_default();
        let index = order.binary_search(&name).unwrap_or_default();
        let success = success_type(&f.sig.output)
            .ok_or_else(|| invalid(format!("{name}: send() does not return ResponseValue")))?;
        let kind = body_kind(&f.block.stmts);
        let function = syn::Ident::new(kind.function(), proc_macro2::Span::call_site());
        let docs: Vec<syn::Attribute> = f.attrs.clone();
        // progenitor's send() becomes `respond()`: everything up to the
        // built request, then the engine; it returns the answer undecoded.
        f.sig.ident = syn::Ident::new("respond", proc_macro2::Span::call_site());
        f.vis = parse_quote!(pub(crate));
        f.attrs = vec![parse_quote!(
            #[doc = " Sends the request through the SDK's engine and returns the answer undecoded, for the SDK's own extras."]
        )];
        f.sig.output = parse_quote!(-> ::std::result::Result<::reqwest::Response, #error>);
        let cut = f
            .block
            .stmts
            .iter()
            .position(is_operation_info)
            .unwrap_or(f.block.stmts.len());
        f.block.stmts.truncate(cut);
        f.block.stmts.retain(|s| !is_api_version_header(s));
        BuildErrors {
            module: module.clone(),
        }
        .visit_block_mut(&mut f.block);
        f.block.stmts.push(Stmt::Expr(
            parse_quote!(#module::respond(&client.inner, request, &#table[#index]).await),
            None,
        ));
        let send: ImplItemFn = parse_quote! {
            #(#docs)*
            pub async fn send(self) -> ::std::result::Result<ResponseValue<#success>, #error> {
                let client = self.client;
                #module::#function(&client.inner, self.respond().await?).await
            }
        };
        let accessor: ImplItemFn = parse_quote! {
            /// The client this call goes through, for the SDK's own extras.
            #[allow(dead_code)]
            pub(crate) fn sdk_client(&self) -> &'a super::Client {
                self.client
            }
        };
        imp.items.insert(at + 1, ImplItem::Fn(send));
        imp.items.insert(at + 2, ImplItem::Fn(accessor));
    }
    Ok(order)
}

/// The items of the generated `mod builder`, where every operation's
/// builder and its `send()` live; `None` when there is no such module.
pub(crate) fn builder_items(file: &mut syn::File) -> Option<&mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// `let info = OperationInfo { operation_id: "name" };`
fn is_operation_info(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Local(local) if local.init.as_ref().is_some_and(|init|
        matches!(&*init.expr, Expr::Struct(s) if s.path.is_ident("OperationInfo"))))
}

fn operation_name(stmts: &[Stmt]) -> Option<String> {
    stmts
        .iter()
        .find(|s| is_operation_info(s))
        .and_then(|stmt| {
            let Stmt::Local(local) = stmt else {
                return None;
            };
            let Expr::Struct(s) = &*local.init.as_ref()?.expr else {
                return None;
            };
            s.fields.iter().find_map(|f| match &f.expr {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            })
        })
}

/// progenitor sends the spec's `info.version` as an `api-version` header
/// on every request; Osigu documents no such header.
fn is_api_version_header(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(Expr::MethodCall(call), _)
        if call.method == "append" && call.to_token_stream().to_string().contains("\"api-version\""))
}

/// How the 2xx arm of progenitor's status match reads the body.
fn body_kind(stmts: &[Stmt]) -> Kind {
    let text = stmts
        .iter()
        .map(|s| s.to_token_stream().to_string())
        .collect::<String>();
    if text.contains("ResponseValue :: from_response") {
        Kind::Json
    } else if text.contains("ResponseValue :: stream") {
        Kind::Stream
    } else {
        Kind::Empty
    }
}

/// `T` in `Result<ResponseValue<T>, Error<E>>`.
fn success_type(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let result = last_segment(ty)?;
    let response = first_type_arg(result)?;
    let value = last_segment(response)?;
    (value.ident == "ResponseValue").then(|| first_type_arg(value).cloned())?
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) => p.path.segments.last(),
        _ => None,
    }
}

fn first_type_arg(segment: &syn::PathSegment) -> Option<&Type> {
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

/// `….build()?` becomes `engine::built(….build())?`: reqwest's error
/// carries the URL, which must not reach the caller. And progenitor's
/// `Error::InvalidRequest` (a builder value that did not convert) becomes
/// `engine::invalid`, in the SDK's error type.
struct BuildErrors {
    module: TokenStream,
}

impl VisitMut for BuildErrors {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Expr::Path(path) = expr
            && path.path.segments.len() == 2
            && path.path.segments[0].ident == "Error"
            && path.path.segments[1].ident == "InvalidRequest"
        {
            let module = &self.module;
            *expr = parse_quote!(#module::invalid);
            return;
        }
        if let Expr::Try(tried) = expr
            && let Expr::MethodCall(call) = &*tried.expr
            && call.method == "build"
            && call.args.is_empty()
        {
            let module = &self.module;
            let inner = &tried.expr;
            *expr = parse_quote!(#module::built(#inner)?);
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder_module() -> syn::File {
        parse_quote! {
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Problem>> {
                        let Self { client, id } = self;
                        let id = id.map_err(Error::InvalidRequest)?;
                        let url = format!("{}/things/{}", client.baseurl, encode_path(&id.to_string()));
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        header_map.append(
                            ::reqwest::header::HeaderName::from_static("api-version"),
                            ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                        );
                        #[allow(unused_mut)]
                        let mut request = client.client.get(url).headers(header_map).build()?;
                        let info = OperationInfo { operation_id: "get_thing" };
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        let response = result?;
                        match response.status().as_u16() {
                            200u16 => ResponseValue::from_response(response).await,
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
                impl<'a> DeleteThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<()>> {
                        let Self { client } = self;
                        #[allow(unused_mut)]
                        let mut request = client.client.delete("x").build()?;
                        let info = OperationInfo { operation_id: "delete_thing" };
                        let result = client.exec(request, &info).await;
                        let response = result?;
                        match response.status().as_u16() {
                            204u16 => Ok(ResponseValue::empty(response)),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn send_hands_the_built_request_to_the_engine() {
        let mut file = builder_module();
        let order = rewrite(&mut file, &EnginePaths::osigu()).unwrap();
        assert_eq!(order, ["delete_thing", "get_thing"]);
        let code: String = crate::test_support::squeezed(&file);
        assert!(
            code.contains("-> ::std::result::Result<ResponseValue<types::Thing>, crate::Error> { let client = self.client;"),
            "{code}"
        );
        assert!(
            code.contains("crate::engine::respond( &client.inner, request, &crate::operations::ALL[1usize], ) .await"),
            "{code}"
        );
        assert!(
            code.contains("crate::engine::respond( &client.inner, request, &crate::operations::ALL[0usize], ) .await"),
            "{code}"
        );
        assert!(code.contains("crate::engine::built("), "{code}");
        assert!(
            code.contains("crate::engine::json(&client.inner, self.respond().await?).await"),
            "{code}"
        );
        assert!(
            code.contains("crate::engine::empty(&client.inner, self.respond().await?).await"),
            "{code}"
        );
        assert!(
            code.contains("pub(crate) async fn respond( self, )"),
            "{code}"
        );
        assert!(
            code.contains("id.map_err(crate::engine::invalid)?"),
            "{code}"
        );
        for gone in [
            "api-version",
            "client.pre",
            "client.exec",
            "UnexpectedResponse",
            "OperationInfo",
        ] {
            assert!(!code.contains(gone), "{gone} is still there:\n{code}");
        }
    }
}

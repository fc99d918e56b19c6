//! Builds each generated request once per attempt instead of copying it.
//!
//! After [`send_path`](crate::send_path) a `respond()` builds one
//! `reqwest::Request` and hands it to the engine, which must then copy it
//! before every attempt in case a retry follows: a URL, a header map and
//! its reallocations, on every call, though almost no call is retried.
//! This pass hands the engine the recipe instead: the statements from the
//! URL to the built request become a closure that borrows the builder's
//! checked values, and the engine calls it for each attempt. The happy
//! path builds the request exactly once and copies nothing; a retry
//! rebuilds it from the same values. Runs after the multipart pass, which
//! keeps its own per-attempt rebuild.
//!
//! An empty header map (progenitor makes one for every operation, to
//! merge header parameters into) is dropped on the way: building and
//! merging it cost two allocations per call.

use syn::visit_mut::VisitMut;
use syn::{Expr, ImplItem, Item, Pat, Stmt, parse_quote};

use crate::send_path::EnginePaths;

/// Rewrites every `respond()` in `mod builder` that ends in
/// `engine::respond(hooks, request, op)`.
pub(crate) fn rewrite(file: &mut syn::File, paths: &EnginePaths) {
    let Ok(error) = syn::parse_str::<syn::Path>(&paths.error) else {
        return;
    };
    let Some(builders) = crate::send_path::builder_items(file) else {
        return;
    };
    for item in builders.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        for inner in &mut imp.items {
            if let ImplItem::Fn(f) = inner
                && f.sig.ident == "respond"
            {
                defer(&mut f.block.stmts, &error);
            }
        }
    }
}

/// Turns `let url = …; [header map;] let mut request = …?; respond(h,
/// request, op).await` into `let request = || { …; Ok(request) };
/// respond(h, &request, op).await`. Leaves any other shape alone.
fn defer(stmts: &mut Vec<Stmt>, error: &syn::Path) {
    let Some(url) = stmts.iter().position(|s| binds(s, "url")) else {
        return;
    };
    let Some(request) = stmts.iter().position(|s| binds(s, "request")) else {
        return;
    };
    if url > request || request + 2 != stmts.len() {
        return;
    }
    let Some(Stmt::Expr(Expr::Await(call), None)) = stmts.last_mut() else {
        return;
    };
    let Expr::Call(call) = &mut *call.base else {
        return;
    };
    let is_respond = matches!(&*call.func, Expr::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident == "respond"));
    if !is_respond || call.args.len() != 3 {
        return;
    }
    call.args[1] = parse_quote!(&request);
    let mut body: Vec<Stmt> = stmts.drain(url..=request).collect();
    let merges_headers = body.iter().any(|s| {
        matches!(s, Stmt::Expr(Expr::MethodCall(m), _)
            if m.method == "append" && matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident("header_map")))
    });
    if !merges_headers {
        body.retain(|s| !binds(s, "header_map"));
        for stmt in &mut body {
            DropHeaderMerge.visit_stmt_mut(stmt);
        }
    }
    let closure: Stmt = parse_quote! {
        let request = || -> ::std::result::Result<::reqwest::Request, #error> {
            #(#body)*
            Ok(request)
        };
    };
    stmts.insert(url, closure);
}

/// Whether `stmt` is `let <name> = …`.
fn binds(stmt: &Stmt, name: &str) -> bool {
    let Stmt::Local(local) = stmt else {
        return false;
    };
    match &local.pat {
        Pat::Ident(p) => p.ident == name,
        _ => false,
    }
}

/// `….headers(header_map)` becomes `…`.
struct DropHeaderMerge;

impl VisitMut for DropHeaderMerge {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Expr::MethodCall(call) = expr
            && call.method == "headers"
            && call.args.len() == 1
            && matches!(&call.args[0], Expr::Path(p) if p.path.is_ident("header_map"))
        {
            *expr = (*call.receiver).clone();
            self.visit_expr_mut(expr);
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::squeezed;

    fn module(respond_tail: syn::Expr, header_append: Option<syn::Stmt>) -> syn::File {
        let append = header_append.into_iter();
        parse_quote! {
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub(crate) async fn respond(self) -> Result<::reqwest::Response, crate::Error> {
                        let Self { client, id } = self;
                        let id = id.map_err(crate::engine::invalid)?;
                        let url = format!("{}/things/{}", client.baseurl, encode_path(&id.to_string()));
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        #(#append)*
                        #[allow(unused_mut)]
                        let mut request = crate::engine::built(
                            client.client.get(url).header(ACCEPT, "application/json").headers(header_map).build(),
                        )?;
                        #respond_tail
                    }
                }
            }
        }
    }

    #[test]
    fn the_request_is_built_by_a_closure_the_engine_calls_per_attempt() {
        let mut file = module(
            parse_quote!(
                crate::engine::respond(&client.inner, request, &crate::operations::ALL[3usize])
                    .await
            ),
            None,
        );
        rewrite(&mut file, &EnginePaths::osigu());
        let code = squeezed(&file);
        assert!(
            code.contains("let request = || -> ::std::result::Result<::reqwest::Request, crate::Error> { let url = format!"),
            "{code}"
        );
        assert!(code.contains("Ok(request) };"), "{code}");
        assert!(
            code.contains("crate::engine::respond( &client.inner, &request, &crate::operations::ALL[3usize], ) .await"),
            "{code}"
        );
        // The checked values stay outside, so a bad value fails before
        // anything is sent and each attempt only borrows them.
        assert!(
            code.find("id.map_err(crate::engine::invalid)?").unwrap()
                < code.find("let request = ||").unwrap(),
            "{code}"
        );
        assert!(
            !code.contains("header_map"),
            "an empty header map is left:\n{code}"
        );
        assert!(
            code.replace(' ', "")
                .contains(".get(url).header(ACCEPT,\"application/json\").build()"),
            "{code}"
        );
    }

    #[test]
    fn header_parameters_keep_their_map_inside_the_closure() {
        let mut file = module(
            parse_quote!(
                crate::engine::respond(&client.inner, request, &crate::operations::ALL[0usize])
                    .await
            ),
            Some(
                parse_quote!(header_map.append("x-tenant", ::reqwest::header::HeaderValue::from_static("t"));),
            ),
        );
        rewrite(&mut file, &EnginePaths::osigu());
        let code = squeezed(&file);
        let closure = code.find("let request = ||").unwrap();
        let map = code.find("let mut header_map").unwrap();
        assert!(closure < map, "{code}");
        assert!(
            code.replace(' ', "")
                .contains(".headers(header_map).build()"),
            "{code}"
        );
    }

    #[test]
    fn other_shapes_are_left_alone() {
        // A multipart call hands the engine its form; it rebuilds per
        // attempt on its own.
        let tail: syn::Expr = parse_quote!(
            crate::engine::multipart(
                &client.inner,
                request,
                form,
                &crate::operations::ALL[1usize]
            )
            .await
        );
        let mut file = module(tail, None);
        let before = squeezed(&file);
        rewrite(&mut file, &EnginePaths::osigu());
        assert_eq!(squeezed(&file), before);
    }
}

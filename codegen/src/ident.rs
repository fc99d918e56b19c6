//! The identifier rules progenitor and typify apply to names from the spec.
//!
//! Normalisation predicts collisions before progenitor sees them (two enum
//! values or two properties that become one Rust name make typify panic), so
//! it must turn names into identifiers exactly as they do.

use heck::{ToPascalCase, ToSnakeCase};
use unicode_ident::{is_xid_continue, is_xid_start};

#[derive(Clone, Copy)]
pub(crate) enum Case {
    Pascal,
    Snake,
}

/// Mirrors typify 0.8's `sanitize` (progenitor's differs only in the prefix
/// it puts before a name that cannot start an identifier).
pub(crate) fn rust_ident(input: &str, case: Case) -> String {
    let to_case: fn(&str) -> String = match case {
        Case::Pascal => |s| s.to_pascal_case(),
        Case::Snake => |s| s.to_snake_case(),
    };
    let out = match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => to_case(
            &input
                .replace('\'', "")
                .replace(|c| !is_xid_continue(c), "-"),
        ),
    };
    let out = match out.chars().next() {
        None => to_case("x"),
        Some(c) if is_xid_start(c) => out,
        Some(_) => format!("{}{out}", to_case("x")),
    };
    if is_keyword(&out) {
        format!("{out}_")
    } else {
        out
    }
}

pub(crate) fn snake(input: &str) -> String {
    rust_ident(input, Case::Snake)
}

fn is_keyword(ident: &str) -> bool {
    matches!(
        ident,
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_typify_on_its_own_examples() {
        assert_eq!(rust_ident("@timestamp", Case::Pascal), "Timestamp");
        assert_eq!(rust_ident("won't and can't", Case::Pascal), "WontAndCant");
        assert_eq!(rust_ident("V6", Case::Pascal), "V6");
        assert_eq!(rust_ident("type", Case::Snake), "type_");
        assert_eq!(rust_ident("@type", Case::Snake), "type_");
        assert_eq!(rust_ident("NON ATTIVI", Case::Pascal), "NonAttivi");
        assert_eq!(rust_ident("NON_ATTIVI", Case::Pascal), "NonAttivi");
        assert_eq!(rust_ident("1abc", Case::Snake), "x1abc");
    }
}

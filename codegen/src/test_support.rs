//! Helpers for the codegen's unit tests.

/// `file` as Rust source with every run of whitespace made one space, so
/// that assertions do not depend on where prettyplease breaks lines.
pub(crate) fn squeezed(file: &syn::File) -> String {
    prettyplease::unparse(file)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

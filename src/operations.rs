//! Which operation a generated call is, by the Rust method name progenitor
//! passes to the hooks.

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// An operation as tracing names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operation {
    /// The spec's operationId.
    pub id: &'static str,
    /// GET, POST…
    pub method: &'static str,
    /// The path with its `{placeholders}`.
    pub template: &'static str,
}

/// The operation behind a generated method. Unknown names (a hand-written
/// call) are reported under their own name.
pub(crate) fn operation(rust_method: &'static str) -> Operation {
    match OPERATIONS.binary_search_by(|(name, ..)| name.cmp(&rust_method)) {
        Ok(i) => {
            let (_, id, method, template) = OPERATIONS[i];
            Operation {
                id,
                method,
                template,
            }
        }
        Err(_) => Operation {
            id: rust_method,
            method: "",
            template: "",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_methods_map_to_their_templates() {
        let op = operation("get_dispensation");
        assert_eq!(op.id, "getDispensation");
        assert_eq!(op.method, "GET");
        assert_eq!(op.template, "/dispensing/v1/dispensations/{id}");
        assert!(OPERATIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }
}

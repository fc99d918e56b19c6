//! [`typed!`]: a value of a generated type from its `Default`, with the
//! fields given.

/// `typed!(Type; a = x, b = y; c = z)` starts from `Type::default()`, sets
/// each optional field before the second `;` to `Some(x.into())`, and each
/// field after it to the value as given (lists, and options already
/// wrapped). The generated types are `#[non_exhaustive]`, so outside the
/// SDK this is how one is filled in.
macro_rules! typed {
    ($ty:path; $($field:ident = $value:expr),* $(,)? $(; $($raw:ident = $raw_value:expr),* $(,)?)?) => {{
        #[allow(clippy::field_reassign_with_default)]
        let value = {
            let mut value = <$ty>::default();
            $(value.$field = Some(::std::convert::Into::into($value));)*
            $($(value.$raw = $raw_value;)*)?
            value
        };
        value
    }};
}

pub(crate) use typed;

#[cfg(test)]
mod tests {
    #[test]
    fn fills_optional_and_raw_fields() {
        let link =
            typed!(osigu::types::Link; rel = "self", href = String::from("/x"); title = None);
        assert_eq!(link.rel.as_deref(), Some("self"));
        assert_eq!(link.href.as_deref(), Some("/x"));
        assert!(link.title.is_none());
    }
}

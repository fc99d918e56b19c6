//! Conveniences on generated bodies that progenitor does not derive.

use std::fmt::Display;

use crate::types;

/// A beneficiary search is a map from the sponsor's form field keys to the
/// values typed in; collect it from pairs of anything that displays as text.
///
/// ```
/// use osigu::types::BeneficiarySearchRequest;
/// let search = BeneficiarySearchRequest::from_iter([("document_number", 1000000001)]);
/// assert_eq!(search.get("document_number").map(String::as_str), Some("1000000001"));
/// ```
impl<K: Display, V: Display> FromIterator<(K, V)> for types::BeneficiarySearchRequest {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let fields: std::collections::HashMap<String, String> = pairs
            .into_iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        fields.into()
    }
}

//! Every operation of the API, and what the request engine may do when one
//! fails: the table [`ALL`], generated from `openapi.json` and the SDK's
//! `sdk-overlay.json`.
//!
//! Each operation has a [`WriteClass`] that says what a repeat would do,
//! and the engine retries by it:
//!
//! | class | 429, 5xx | timeout, lost reply | a retry answered 409 |
//! | --- | --- | --- | --- |
//! | [`Read`](WriteClass::Read) | retried | retried | the 409 |
//! | [`Idempotent`](WriteClass::Idempotent) | retried | retried | the 409 |
//! | [`Transition`](WriteClass::Transition) | retried | retried | reconciled: the resource is read, and if it is already in the target state the call succeeds |
//! | [`Create`](WriteClass::Create) | retried | [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown), never sent again | [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown) |
//!
//! ```
//! use osigu::operations::{self, WriteClass};
//! let complete = operations::find("completeDispensation").unwrap();
//! assert_eq!(complete.class, WriteClass::Transition);
//! assert_eq!(complete.template, "/dispensing/v1/dispensations/{id}/complete");
//! assert_eq!(operations::find("startDispensation").unwrap().class, WriteClass::Create);
//! ```

/// What sending an operation twice does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WriteClass {
    /// Changes nothing.
    Read,
    /// Twice leaves the same state as once.
    Idempotent,
    /// Moves an existing resource to its next state; a repeat after
    /// success is refused with 409.
    Transition,
    /// Makes a new resource; a repeat makes another.
    Create,
}

/// Which client-side rate-limit budget a request draws from.
///
/// ```
/// assert_eq!(osigu::operations::Bucket::Uploads.as_str(), "uploads");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Bucket {
    /// Every API call that is not an upload (Osigu: 50 a minute).
    General,
    /// Requests to the token endpoint (10 a minute).
    Token,
    /// File uploads (20 a minute).
    Uploads,
}

impl Bucket {
    /// Every bucket.
    pub const ALL: [Bucket; 3] = [Bucket::General, Bucket::Token, Bucket::Uploads];

    /// A short name, for keys and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Token => "token",
            Self::Uploads => "uploads",
        }
    }
}

/// How a repeated [`Transition`](WriteClass::Transition) is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reconcile {
    /// The path template of the GET that reads the resource.
    pub read: &'static str,
    /// The top-level field that shows the state.
    pub field: &'static str,
    /// Values of `field` that mean the transition took effect; empty means
    /// the field being present and not empty.
    pub done: &'static [&'static str],
    /// Whether the read returns the type the transition returns, so that
    /// a reconciled call can return what was read.
    pub returns_resource: bool,
}

/// One operation of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The spec's operationId.
    pub operation_id: &'static str,
    /// The `Client` method (for a hand-written one, the name it would have).
    pub rust_name: &'static str,
    /// `GET`, `POST`…
    pub method: &'static str,
    /// The path with its `{placeholders}`.
    pub template: &'static str,
    /// What a repeat does.
    pub class: WriteClass,
    /// Its rate-limit budget.
    pub bucket: Bucket,
    /// For a transition, how a repeat is checked.
    pub reconcile: Option<Reconcile>,
    /// Error codes that, on a repeat, mean the write was already done.
    pub already: &'static [&'static str],
    /// Whether the `Client` has a generated method for it.
    pub generated: bool,
}

impl Operation {
    /// `"METHOD /template"`, the key routes and counters use.
    ///
    /// ```
    /// let op = osigu::operations::find("getDispensation").unwrap();
    /// assert_eq!(op.route(), "GET /dispensing/v1/dispensations/{id}");
    /// ```
    pub fn route(&self) -> String {
        format!("{} {}", self.method, self.template)
    }
}

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// The operation with this operationId.
pub fn find(operation_id: &str) -> Option<&'static Operation> {
    ALL.iter().find(|op| op.operation_id == operation_id)
}

/// The operation at `method` and `template`.
///
/// ```
/// let op = osigu::operations::at("GET", "/v1/sponsors").unwrap();
/// assert_eq!(op.operation_id, "listSponsors");
/// ```
pub fn at(method: &str, template: &str) -> Option<&'static Operation> {
    ALL.iter()
        .find(|op| op.method.eq_ignore_ascii_case(method) && op.template == template)
}

/// The operation a hand-written helper sends: it is in the table, or the
/// build would have failed the test that checks every helper's operation.
pub(crate) fn named(operation_id: &'static str) -> &'static Operation {
    static UNKNOWN: Operation = Operation {
        operation_id: "unknown",
        rust_name: "unknown",
        method: "",
        template: "",
        class: WriteClass::Create,
        bucket: Bucket::General,
        reconcile: None,
        already: &[],
        generated: false,
    };
    find(operation_id).unwrap_or(&UNKNOWN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_rows_are_sorted_by_rust_name_and_come_first() {
        let generated: Vec<&str> = ALL
            .iter()
            .take_while(|op| op.generated)
            .map(|op| op.rust_name)
            .collect();
        assert!(generated.windows(2).all(|w| w[0] < w[1]));
        assert!(ALL[generated.len()..].iter().all(|op| !op.generated));
    }

    #[test]
    fn every_reconcile_read_is_a_get_in_the_table() {
        for op in ALL.iter() {
            if let Some(r) = op.reconcile {
                assert_eq!(op.class, WriteClass::Transition, "{}", op.operation_id);
                assert!(
                    at("GET", r.read).is_some(),
                    "{}: {}",
                    op.operation_id,
                    r.read
                );
            }
        }
        let complete = find("completeDispensation").unwrap().reconcile.unwrap();
        assert!(complete.returns_resource);
        assert_eq!(complete.done, ["DISPENSED"]);
    }
}

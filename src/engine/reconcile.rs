//! A repeated state transition that Osigu refused: read the resource and
//! see whether our own earlier attempt already applied it.
//!
//! The engine retries a transition after a timeout or a lost reply, since
//! sending it again is safe: if the first attempt was applied, the repeat
//! is refused with 409 and nothing changes twice. That 409 is then no
//! failure but the answer to "did it happen?", and the resource itself
//! says so: a dispensation reads `DISPENSED`, a request has its
//! authorizations.

use serde_json::Value;

use super::{Core, Outgoing, error_from};
use crate::error::{Error, Stage};
use crate::operations::{self, Operation, Reconcile};

impl Core {
    pub(super) async fn reconcile(
        &self,
        op: &'static Operation,
        url: reqwest::Url,
        conflict: reqwest::Response,
        request_id: String,
    ) -> Result<reqwest::Response, Error> {
        let conflict = error_from(conflict, op, false).await;
        let Some(rule) = op.reconcile else {
            // Nothing reads this resource: the refusal may be our first
            // attempt's doing or someone else's, and that cannot be told.
            return Err(Error::OutcomeUnknown {
                operation: op.operation_id,
                request_id,
            });
        };
        let Some(read_url) = read_url(op.template, rule.read, &url) else {
            return Err(conflict);
        };
        let read_op = operations::at("GET", rule.read).unwrap_or(op);
        let request = super::built(super::accept_json(self.http.get(read_url)).build())?;
        let mut read = Box::pin(self.execute(Outgoing::request(request), read_op)).await?;
        let status = read.status();
        let headers = std::mem::take(read.headers_mut());
        let body = super::read_limited(read, self.max_body, Stage::Call).await?;
        let resource: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if !applied(&rule, &resource) {
            return Err(conflict);
        }
        tracing::info!(
            operation = op.operation_id,
            reconciled = true,
            "a retry was refused because the first attempt had been applied; the resource confirms it"
        );
        if !rule.returns_resource {
            return Err(Error::AlreadyApplied {
                operation: op.operation_id,
                request_id,
            });
        }
        let mut rebuilt = http::Response::new(reqwest::Body::from(body));
        *rebuilt.status_mut() = status;
        *rebuilt.headers_mut() = headers;
        Ok(reqwest::Response::from(rebuilt))
    }
}

/// Whether `resource` shows the transition done.
fn applied(rule: &Reconcile, resource: &Value) -> bool {
    match resource.get(rule.field) {
        None | Some(Value::Null) => false,
        Some(Value::String(state)) if !rule.done.is_empty() => rule.done.contains(&state.as_str()),
        Some(_) if !rule.done.is_empty() => false,
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::String(text)) => !text.is_empty(),
        Some(Value::Object(fields)) => !fields.is_empty(),
        Some(_) => true,
    }
}

/// The read's URL: its template filled with the transition's own path
/// parameters, taken from the URL the transition was sent to.
fn read_url(template: &str, read: &str, sent: &reqwest::Url) -> Option<reqwest::Url> {
    let sent_segments: Vec<&str> = sent.path().split('/').collect();
    let template_segments: Vec<&str> = template.split('/').collect();
    // The base URL may carry a path prefix; the template is its tail.
    let offset = sent_segments.len().checked_sub(template_segments.len())?;
    let prefix = sent_segments[..=offset].join("/");
    let value = |name: &str| {
        template_segments
            .iter()
            .position(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) == Some(name))
            .map(|i| sent_segments[offset + i])
    };
    let mut path = prefix;
    for segment in read.split('/').filter(|s| !s.is_empty()) {
        path.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => path.push_str(value(name)?),
            None => path.push_str(segment),
        }
    }
    let mut url = sent.clone();
    url.set_path(&path);
    url.set_query(None);
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(field: &'static str, done: &'static [&'static str]) -> Reconcile {
        Reconcile {
            read: "/d/{id}",
            field,
            done,
            returns_resource: true,
        }
    }

    #[test]
    fn the_resource_says_whether_the_transition_took_effect() {
        let status = rule("status", &["DISPENSED"]);
        assert!(applied(&status, &json!({ "status": "DISPENSED" })));
        assert!(!applied(&status, &json!({ "status": "STARTED" })));
        assert!(!applied(&status, &json!({ "status": 3 })));
        assert!(!applied(&status, &json!({})));
        let present = rule("authorizations", &[]);
        assert!(applied(
            &present,
            &json!({ "authorizations": [{ "id": 1 }] })
        ));
        assert!(!applied(&present, &json!({ "authorizations": [] })));
        assert!(!applied(&present, &json!({ "authorizations": null })));
        assert!(!applied(&present, &Value::Null));
    }

    #[test]
    fn the_read_url_reuses_the_transitions_parameters() {
        let sent = reqwest::Url::parse("http://h/base/d/dsp%2F1/complete?x=1").unwrap();
        let read = read_url("/d/{id}/complete", "/d/{id}", &sent).unwrap();
        assert_eq!(read.as_str(), "http://h/base/d/dsp%2F1");
        let two = reqwest::Url::parse("http://h/s/7/items/9/void").unwrap();
        let read = read_url("/s/{a}/items/{b}/void", "/s/{a}/items/{b}", &two).unwrap();
        assert_eq!(read.path(), "/s/7/items/9");
        assert!(read_url("/d/{id}/complete", "/d/{other}", &sent).is_none());
    }
}

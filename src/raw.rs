//! Calls the generated client cannot make (multipart uploads, bodies with
//! the OTP proof added), sent down the same path as generated ones: token,
//! rate limit, retries, tracing and error parsing all come from
//! [`Core::execute`](crate::hooks::Core).

use serde::de::DeserializeOwned;

use crate::Osigu;
use crate::error::{Attached, Error, Stage};
use crate::operations::Operation;
use crate::rate_limit::Category;

impl Osigu {
    /// `template` with each `{name}` replaced by its percent-encoded value.
    pub(crate) fn url(&self, template: &str, params: &[(&str, &str)]) -> String {
        let mut path = template.to_owned();
        for (name, value) in params {
            path = path.replace(
                &format!("{{{name}}}"),
                &progenitor_client::encode_path(value),
            );
        }
        format!("{}{path}", self.base_url())
    }

    /// Sends a hand-built request for operation `op` and decodes a success
    /// body into `T`.
    pub(crate) async fn send_raw<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        category: Category,
        op: Operation,
    ) -> Result<T, Error> {
        let request = request
            .header(http::header::ACCEPT, "application/json")
            .build()
            .map_err(|e| Error::InvalidRequest {
                reason: e.without_url().to_string(),
            })?;
        let response = self
            .core()
            .execute(request, category, op)
            .await
            .map_err(|e| Error::transport(Stage::Call, e))?;
        if let Some(Attached(error)) = response.extensions().get::<Attached>() {
            return Err(error.clone());
        }
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| Error::transport(Stage::Call, e))?;
        // An empty success body stands for `null`, which `()` and Options accept.
        let body: &[u8] = if body.is_empty() { b"null" } else { &body };
        serde_json::from_slice(body).map_err(|e| Error::Decode {
            status: Some(status),
            reason: e.to_string(),
        })
    }

    /// The reqwest client every call shares.
    pub(crate) fn http(&self) -> &reqwest::Client {
        use progenitor_client::ClientInfo;
        self.client().client()
    }
}

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
    /// `template` with `{name}` replaced by the percent-encoded `value`.
    fn url(&self, template: &str, (name, value): (&str, &str)) -> String {
        let path = template.replace(
            &format!("{{{name}}}"),
            &progenitor_client::encode_path(value),
        );
        format!("{}{path}", self.base_url())
    }

    /// Sends a hand-built request for operation `op` and decodes a success
    /// body into `T`.
    async fn send_raw<T: DeserializeOwned>(
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

    /// POSTs to `op`, whose path has the one parameter `param`, with the
    /// body `body` sets, drawing on `category`'s rate limit.
    pub(crate) async fn post_raw<T: DeserializeOwned>(
        &self,
        category: Category,
        op: Operation,
        param: (&str, &str),
        body: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<T, Error> {
        let post = self.http().post(self.url(op.template, param));
        self.send_raw(body(post), category, op).await
    }

    /// The reqwest client every call shares.
    fn http(&self) -> &reqwest::Client {
        use progenitor_client::ClientInfo;
        self.client().client()
    }
}

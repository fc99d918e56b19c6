//! Calls the hand-written helpers build themselves (the Base64 upload,
//! bodies with the OTP proof added), sent down the same engine as the
//! generated ones: pacing, token, retries by write class, tracing and
//! error parsing.

use serde::de::DeserializeOwned;

use crate::Osigu;
use crate::engine::{Outgoing, accept_json};
use crate::error::Error;
use crate::operations::Operation;

impl Osigu {
    /// `op`'s template, whose one parameter is the percent-encoded `value`,
    /// on this client's base URL.
    pub(crate) fn url(&self, op: &Operation, value: &str) -> String {
        let path: Vec<String> = op
            .template
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    progenitor_client::encode_path(value)
                } else {
                    segment.to_owned()
                }
            })
            .collect();
        format!("{}{}", self.base_url(), path.join("/"))
    }

    /// POSTs a JSON body (buffered, so it can be sent again) to `op`,
    /// whose path has one parameter, `param`.
    pub(crate) async fn post_json<T: DeserializeOwned>(
        &self,
        op: &'static Operation,
        param: &str,
        body: &impl serde::Serialize,
    ) -> Result<T, Error> {
        let request = accept_json(self.http().post(self.url(op, param)))
            .json(body)
            .build()
            .map_err(|e| Error::invalid(e.without_url().to_string()))?;
        self.send_outgoing(op, Outgoing::Request(request)).await
    }

    /// Sends what `outgoing` builds for `op` and decodes the success body.
    pub(crate) async fn send_outgoing<T: DeserializeOwned>(
        &self,
        op: &'static Operation,
        outgoing: Outgoing,
    ) -> Result<T, Error> {
        Ok(self.core().send_json::<T>(outgoing, op).await?.into_inner())
    }

    /// The reqwest client every call shares.
    pub(crate) fn http(&self) -> &reqwest::Client {
        use progenitor_client::ClientInfo;
        self.client().client()
    }
}

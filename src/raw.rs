//! Calls the hand-written helpers build themselves (the Base64 upload),
//! sent down the same engine as the
//! generated ones: pacing, token, retries by write class, tracing and
//! error parsing.

use serde::de::DeserializeOwned;

use crate::Osigu;
use crate::engine::Outgoing;
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

    /// Sends what `outgoing` builds for `op` and decodes the success body.
    pub(crate) async fn send_outgoing<T: DeserializeOwned>(
        &self,
        op: &'static Operation,
        outgoing: Outgoing<'_>,
    ) -> Result<T, Error> {
        Ok(self.core().send_json::<T>(outgoing, op).await?.into_inner())
    }

    /// The reqwest client every call shares.
    pub(crate) fn http(&self) -> &reqwest::Client {
        use progenitor_client::ClientInfo;
        self.client().client()
    }
}

//! Creates that answer with a `Location`, and lookups that answer with a
//! monitor: extras on the generated builders that follow the answer to the
//! resource, so a caller gets the resource itself.
//!
//! Real Osigu clients read a new pre-authorization request or dispensation
//! where the create's `Location` points, and poll a beneficiary lookup's
//! monitor while it runs; these extras do the same. A `Location` is only
//! followed on the client's own origin: the token travels with the request.

use std::time::Duration;

use progenitor_client::ResponseValue;
use serde::de::DeserializeOwned;

use crate::engine::{Outgoing, accept_json, built};
use crate::error::Stage;
use crate::generated::builder;
use crate::operations::{self, Bucket, Operation, WriteClass};
use crate::{Client, Error, Polling, types};

impl builder::CreateAuthorizationRequest<'_> {
    /// Creates the pre-authorization request and returns it as Osigu
    /// stores it, read where the answer's `Location` points (or from the
    /// answer's body, if it carries one and no `Location`).
    ///
    /// Once the create succeeded, a failure to read the request back is
    /// [`Error::CreatedButNotRead`], never a plain error that invites a
    /// second create.
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu) -> Result<(), osigu::Error> {
    /// use osigu::types;
    /// let body = types::CreatePendingAuthorizationRequest::builder(1001, "demo-insurer");
    /// let request = osigu.create_authorization_request().body(body).send_and_read().await?;
    /// println!("request {:?}", request.id);
    /// # Ok(()) }
    /// ```
    pub async fn send_and_read(
        self,
    ) -> Result<ResponseValue<types::AuthorizationRequestResource>, Error> {
        let client = self.sdk_client();
        let answer = self.respond().await?;
        read_back(client, answer, operations::named("getAuthorizationRequest")).await
    }
}

impl builder::CreateDocumentDispensation<'_> {
    /// Starts the dispensation and returns it as Osigu stores it, read
    /// where the answer's `Location` points (with its `id` and
    /// `amount_covered_by_sponsor`).
    ///
    /// Once the create succeeded, a failure to read it back is
    /// [`Error::CreatedButNotRead`].
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu) -> Result<(), osigu::Error> {
    /// use osigu::types;
    /// let line = types::DocumentDispensationProduct::builder(7, 2).price(12.5);
    /// let body = types::DocumentDispensationRequest::builder([line]).currency_code("GTQ");
    /// let dispensation = osigu
    ///     .create_document_dispensation()
    ///     .code("AUTH-1")
    ///     .body(body)
    ///     .send_and_read()
    ///     .await?;
    /// println!("dispensation {:?}", dispensation.id);
    /// # Ok(()) }
    /// ```
    pub async fn send_and_read(self) -> Result<ResponseValue<types::DispensationResource>, Error> {
        let client = self.sdk_client();
        let answer = self.respond().await?;
        read_back(client, answer, operations::named("getDispensation")).await
    }
}

/// Polling a beneficiary lookup's monitor, as Osigu's own widget does:
/// every 5 s, for at most a minute.
pub const LOOKUP_POLLING: Polling = Polling {
    first_wait: Duration::from_secs(5),
    factor: 1.0,
    max_wait: Duration::from_secs(5),
    deadline: Duration::from_secs(60),
};

/// The monitor a beneficiary lookup points to; its path is whatever the
/// `Location` says, so the table has no row for it.
static LOOKUP_MONITOR: Operation = Operation {
    operation_id: "beneficiaryLookupMonitor",
    rust_name: "send_and_wait",
    method: "GET",
    template: "(Location of lookupBeneficiaries)",
    class: WriteClass::Read,
    bucket: Bucket::General,
    reconcile: None,
    already: &[],
    generated: false,
};

impl builder::LookupBeneficiaries<'_> {
    /// Looks beneficiaries up and returns the people found. A sponsor that
    /// searches asynchronously answers 202 with a `Location` to a monitor;
    /// this polls it with `polling` (see [`LOOKUP_POLLING`]) until it is
    /// done, fails as [`Error::JobFailed`], or the deadline ends it as
    /// [`Error::Timeout`] (a lookup changes nothing, so it can simply be
    /// made again).
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu) -> Result<(), osigu::Error> {
    /// use osigu::types;
    /// let inputs = [
    ///     types::BeneficiaryLookupInput::builder("plan_code", "PLAN-9"),
    ///     types::BeneficiaryLookupInput::builder("certificate", "C-123"),
    /// ];
    /// let found = osigu
    ///     .lookup_beneficiaries()
    ///     .sponsor_slug("demo-insurer")
    ///     .body(types::BeneficiaryLookupRequest::builder("plan_code_and_certificate", inputs))
    ///     .send_and_wait(osigu::LOOKUP_POLLING)
    ///     .await?;
    /// println!("{} found", found.content.len());
    /// # Ok(()) }
    /// ```
    pub async fn send_and_wait(
        self,
        polling: Polling,
    ) -> Result<types::PagedModelBeneficiaryLookupResult, Error> {
        polling.check()?;
        let client = self.sdk_client();
        let core = &client.inner.0;
        let answer = self.respond().await?;
        let monitor = match location(client, answer.headers()) {
            Some(Ok(url)) if answer.status() == http::StatusCode::ACCEPTED => url,
            Some(Err(error)) if answer.status() == http::StatusCode::ACCEPTED => return Err(error),
            _ => {
                let page = core.decode_json::<types::PagedModelBeneficiaryLookupResult>(answer);
                return Ok(page.await?.into_inner());
            }
        };
        let mut schedule = polling.schedule();
        loop {
            if !schedule.next().await {
                return Err(Error::Timeout {
                    during: Stage::Monitor,
                });
            }
            let poll = built(accept_json(core.http.get(monitor.clone())).build())?;
            let state: types::BeneficiaryLookupMonitor = core
                .send_json::<types::BeneficiaryLookupMonitor>(
                    Outgoing::request(poll),
                    &LOOKUP_MONITOR,
                )
                .await?
                .into_inner();
            match state.status {
                Some(types::MonitorStatus::Completed) => {
                    let page = types::builder::PagedModelBeneficiaryLookupResult::default()
                        .content(state.content)
                        .links(state.links);
                    return types::PagedModelBeneficiaryLookupResult::try_from(page)
                        .map_err(|e| Error::invalid(e.to_string()));
                }
                Some(types::MonitorStatus::Error) => {
                    return Err(Error::JobFailed {
                        error_code: None,
                        message: state.error,
                    });
                }
                _ => {}
            }
        }
    }
}

/// The answer's `Location`, resolved against the client's base URL, if it
/// has one; an error if it points anywhere but the client's own origin.
fn location(client: &Client, headers: &http::HeaderMap) -> Option<Result<reqwest::Url, Error>> {
    let value = headers.get(http::header::LOCATION)?.to_str().ok()?;
    let base = reqwest::Url::parse(&client.baseurl).ok()?;
    let refused = || {
        Error::invalid(
            "the answer's Location is not on the client's own origin; it was not followed",
        )
    };
    Some(match base.join(value) {
        Ok(url) if url.origin() == base.origin() => Ok(url),
        _ => Err(refused()),
    })
}

/// The resource a create made: read where `Location` points, or decoded
/// from the answer itself.
async fn read_back<T: DeserializeOwned>(
    client: &Client,
    answer: reqwest::Response,
    read: &'static Operation,
) -> Result<ResponseValue<T>, Error> {
    let core = &client.inner.0;
    let unread = |place: String, error: Error| Error::CreatedButNotRead {
        location: place,
        last_error: Box::new(error),
    };
    let url = match location(client, answer.headers()) {
        Some(Ok(url)) => url,
        Some(Err(error)) => return Err(unread("(another origin)".into(), error)),
        None => {
            return core
                .decode_json(answer)
                .await
                .map_err(|error| unread("(no Location)".into(), error));
        }
    };
    // The create's own body, if any, is not needed: the resource is read.
    drop(answer);
    let place = url.path().to_owned();
    let request = built(accept_json(core.http.get(url)).build())
        .map_err(|error| unread(place.clone(), error))?;
    core.send_json(Outgoing::request(request), read)
        .await
        .map_err(|error| unread(place, error))
}

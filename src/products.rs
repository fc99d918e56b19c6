//! Registering provider products, one or many.
//!
//! Registering is idempotent in effect: Osigu answers 409 with error code
//! `071-102` for a product already registered, which this module counts as
//! success.

use futures_util::{Stream, StreamExt, stream};

use crate::{Error, Osigu, types};

/// Osigu's error code for "this product is already registered".
pub const ALREADY_REGISTERED: &str = "071-102";

/// What registering one product code came to.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Registration {
    /// Newly registered.
    Registered(Box<types::ProviderProductResource>),
    /// It was registered before (409, error code 071-102).
    AlreadyRegistered,
    /// The code is not in Osigu's global catalogue (404).
    NotInCatalogue,
    /// Any other failure.
    Failed(Error),
}

impl Registration {
    /// Registered now or before.
    pub fn is_registered(&self) -> bool {
        matches!(self, Self::Registered(_) | Self::AlreadyRegistered)
    }
}

impl Osigu {
    /// Registers one product code for the calling provider.
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu) {
    /// match osigu.register_product("MED-SBX-001").await {
    ///     osigu::Registration::Registered(_) | osigu::Registration::AlreadyRegistered => {}
    ///     osigu::Registration::NotInCatalogue => eprintln!("unknown code"),
    ///     other => eprintln!("{other:?}"),
    /// }
    /// # }
    /// ```
    pub async fn register_product(&self, product_code: &str) -> Registration {
        let body = types::RegisterProviderProductRequest::builder(product_code);
        match self.register_provider_product().body(body).send().await {
            Ok(product) => Registration::Registered(Box::new(product.into_inner())),
            Err(error) => match error {
                Error::Api(api)
                    if api.status == 409
                        && api.error_code.as_deref() == Some(ALREADY_REGISTERED) =>
                {
                    Registration::AlreadyRegistered
                }
                Error::Api(api) if api.status == 404 => Registration::NotInCatalogue,
                other => Registration::Failed(other),
            },
        }
    }

    /// Registers many codes, at most `concurrency` at a time and within the
    /// client's rate limits, yielding each code's outcome as it lands (not
    /// in input order). One failure does not stop the rest.
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// # async fn demo(osigu: &osigu::Osigu) {
    /// let codes = ["MED-SBX-001", "MED-SBX-002"];
    /// let mut outcomes = osigu.register_products(codes, 4);
    /// while let Some((code, outcome)) = outcomes.next().await {
    ///     println!("{code}: {}", if outcome.is_registered() { "ok" } else { "not registered" });
    /// }
    /// # }
    /// ```
    pub fn register_products<I>(
        &self,
        codes: I,
        concurrency: usize,
    ) -> impl Stream<Item = (String, Registration)> + '_
    where
        I: IntoIterator,
        I::Item: Into<String> + 'static,
        I::IntoIter: 'static,
    {
        stream::iter(codes.into_iter().map(Into::into))
            .map(move |code: String| async move {
                let outcome = self.register_product(&code).await;
                (code, outcome)
            })
            .buffer_unordered(concurrency.max(1))
    }
}

//! Every paged list as one stream of items.
//!
//! Osigu's lists are Spring HATEOAS pages (`content`, `links`, `page`).
//! [`paginate`] asks for page 0, 1, 2… and yields their items in order. It
//! stops after the last page the metadata announces, or at the first empty
//! page, and fails instead of looping when a server never ends: a page other
//! than the one asked for, a page that repeats the one before it (a server
//! that ignores `page`), or more than [`MAX_PAGES`] pages.

use std::future::Future;

use futures_util::{Stream, TryStreamExt, stream};
use progenitor_client::ResponseValue;

use crate::{Error, types};

/// The most pages [`paginate`] will fetch before deciding the list never ends.
pub const MAX_PAGES: i32 = 10_000;

/// A page of a paged list.
pub trait Paged {
    /// What the page lists.
    type Item;
    /// The items and the page metadata.
    fn into_parts(self) -> (Vec<Self::Item>, Option<types::PageMetadata>);
}

macro_rules! paged {
    ($($page:ident => $item:ident),* $(,)?) => {$(
        impl Paged for types::$page {
            type Item = types::$item;
            fn into_parts(self) -> (Vec<Self::Item>, Option<types::PageMetadata>) {
                (self.content, self.page)
            }
        }
    )*};
}

paged! {
    PagedModelAuthorizationRequestResource => AuthorizationRequestResource,
    PagedModelBeneficiaryLookupResult => BeneficiaryLookupResult,
    PagedModelDiagnosisSearchResult => DiagnosisSearchResult,
    PagedModelPrescriptionResource => PrescriptionResource,
    PagedModelProviderAuthorizationAbridgedResource => ProviderAuthorizationAbridgedResource,
    PagedModelProviderProductResource => ProviderProductResource,
    PagedModelSettlementPendingAuthorization => SettlementPendingAuthorization,
}

/// Streams the items of every page `fetch` returns, fetching page `n` only
/// when the items of page `n - 1` are used up.
///
/// ```no_run
/// use futures_util::TryStreamExt;
/// # async fn demo(osigu: &osigu::Osigu) -> Result<(), osigu::Error> {
/// let products: Vec<_> = osigu::paginate(|page| {
///     osigu.list_provider_products().product_type("DRUG").page(page).size(100).send()
/// })
/// .try_collect()
/// .await?;
/// # Ok(()) }
/// ```
pub fn paginate<P, F, Fut>(fetch: F) -> impl Stream<Item = Result<P::Item, Error>>
where
    P: Paged,
    P::Item: serde::Serialize,
    F: FnMut(i32) -> Fut,
    Fut: Future<Output = Result<ResponseValue<P>, Error>>,
{
    let start = (fetch, Some(0), None::<Vec<u8>>);
    let pages = stream::try_unfold(start, |(mut fetch, next, previous)| async move {
        let Some(number) = next else {
            return Ok(None);
        };
        if number >= MAX_PAGES {
            return Err(Error::Pagination {
                reason: format!("still more pages after {MAX_PAGES}; giving up"),
            });
        }
        let (items, meta) = fetch(number).await?.into_inner().into_parts();
        let reported = meta.as_ref().and_then(|m| m.number);
        if let Some(reported) = reported
            && reported != i64::from(number)
        {
            return Err(Error::Pagination {
                reason: format!("asked for page {number}, got page {reported}"),
            });
        }
        // A server that ignores `page` answers page 0 again and again; its
        // metadata may even promise thousands of pages.
        let seen = serde_json::to_vec(&items).unwrap_or_default();
        if !items.is_empty() && previous.as_ref() == Some(&seen) {
            return Err(Error::Pagination {
                reason: format!(
                    "page {number} repeats page {}; the server seems to ignore `page`",
                    number - 1
                ),
            });
        }
        let last = items.is_empty()
            || meta
                .as_ref()
                .and_then(|m| m.total_pages)
                .is_some_and(|total| i64::from(number) + 1 >= total);
        let next = (!last).then_some(number + 1);
        Ok(Some((items, (fetch, next, Some(seen)))))
    });
    pages
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(
        number: i64,
        total_pages: i64,
        items: &[&str],
    ) -> types::PagedModelProviderProductResource {
        serde_json::from_value(serde_json::json!({
            "content": items.iter().map(|c| serde_json::json!({ "product_code": c })).collect::<Vec<_>>(),
            "links": [],
            "page": { "number": number, "size": 2, "total_pages": total_pages, "total_elements": 5 }
        }))
        .unwrap()
    }

    #[test]
    fn every_paged_list_of_the_spec_has_a_paged_impl() {
        fn is_paged<P: Paged>() {}
        is_paged::<types::PagedModelAuthorizationRequestResource>();
        is_paged::<types::PagedModelBeneficiaryLookupResult>();
        is_paged::<types::PagedModelDiagnosisSearchResult>();
        is_paged::<types::PagedModelPrescriptionResource>();
        is_paged::<types::PagedModelProviderAuthorizationAbridgedResource>();
        is_paged::<types::PagedModelProviderProductResource>();
        is_paged::<types::PagedModelSettlementPendingAuthorization>();
        let signatures = include_str!("../tests/snapshots/surface_snapshots__signatures.snap");
        let paged_types = signatures
            .lines()
            .filter(|l| l.starts_with("struct types::PagedModel"))
            .count();
        assert_eq!(paged_types, 7, "a new paged list needs a `paged!` line");
    }

    #[test]
    fn page_metadata_shapes_are_read() {
        let (items, meta) = page(1, 3, &["a", "b"]).into_parts();
        assert_eq!(items.len(), 2);
        assert_eq!(meta.unwrap().total_pages, Some(3));
    }
}

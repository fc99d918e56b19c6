//! The global catalogue of non-medication products and the provider's own
//! product list.

use super::prelude::*;
use crate::clock::Time;
use crate::store::{CatalogProduct, Kind};

/// The filters of a product list.
#[derive(Debug, Deserialize)]
pub(crate) struct ProductQuery {
    product_type: Option<String>,
    query: Option<String>,
}

impl ProductQuery {
    /// Whether `p` is of the product type asked for, if one was.
    fn of_type(&self, p: &CatalogProduct) -> bool {
        self.product_type
            .as_deref()
            .is_none_or(|t| p.kind.matches(t))
    }
}

/// `listProducts`: labs, imaging and procedures (either vocabulary of
/// product types is understood).
pub(crate) async fn list_catalog_products(
    State(app): Shared,
    ApiQuery(query): ApiQuery<ProductQuery>,
) -> Response {
    let db = app.db();
    let wanted = |p: &&CatalogProduct| p.kind != Kind::Medication && query.of_type(p);
    let found = db.catalogue.iter().filter(wanted);
    ok_list(found.map(CatalogProduct::entry))
}

fn registered(code: &str, at: Time) -> types::ProviderProductResource {
    typed!(types::ProviderProductResource; product_code = code, registered_at = at)
}

/// `listProviderProducts` (paged; filters by type and text).
pub(crate) async fn list_provider_products(
    State(app): Shared,
    ApiQuery(query): ApiQuery<ProductQuery>,
    paged: Paged,
) -> Response {
    let db = app.db();
    let needle = query.query.as_deref().unwrap_or("").to_lowercase();
    let registrations = db.provider_products.iter();
    let products = registrations.filter_map(|(code, at)| Some((db.product_by_code(code)?, *at)));
    let wanted = products.filter(|(p, _)| query.of_type(p) && p.mentions(&needle));
    let items = wanted.map(|(p, at)| registered(p.code, at));
    paged.reply(&app.base_url, items.collect())
}

/// `registerProviderProduct`: 404 outside the catalogue, 409 `071-102`
/// when already registered.
pub(crate) async fn register_provider_product(
    State(app): Shared,
    ApiJson(body): ApiJson<types::RegisterProviderProductRequest>,
) -> ApiResult<Response> {
    let code = body.product_code.trim();
    refuse_if!(code.is_empty(); "product_code", "product_code is required");
    let mut db = app.db();
    let Some(product) = db.product_by_code(code) else {
        let message = format!("product {code} is not in the global catalogue");
        let error = ApiError::new(StatusCode::NOT_FOUND, "071-404", message);
        return Err(error.with_info("product_code", code));
    };
    if db.is_registered(product.code) {
        let message = format!("product {} is already registered", product.code);
        let error = ApiError::new(StatusCode::CONFLICT, "071-102", message);
        return Err(error.with_info("product_code", product.code));
    }
    let now = app.clock.now();
    db.provider_products.push((product.code.to_owned(), now));
    Ok(created(registered(product.code, now)))
}

/// `removeProviderProduct`: 204, or 404 when it was not registered.
pub(crate) async fn remove_provider_product(
    State(app): Shared,
    Path(code): Id,
) -> ApiResult<Response> {
    let mut db = app.db();
    let before = db.provider_products.len();
    db.provider_products
        .retain(|(c, _)| !c.eq_ignore_ascii_case(&code));
    if db.provider_products.len() == before {
        return Err(ApiError::not_found("provider product", &code));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

//! Webhook subscriptions.

use super::prelude::*;
use crate::store::Subscription;

/// `createWebhookSubscription`: stores the subscription and answers it
/// with its `id` and the signing `secret`.
pub(crate) async fn create_subscription(
    State(app): Shared,
    ApiJson(body): ApiJson<types::CreateWebhookSubscriptionRequest>,
) -> ApiResult<Response> {
    let url = body.url.trim().to_owned();
    let parsed = reqwest::Url::parse(&url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    refuse_if!(parsed.is_none(); "url", "url must be an absolute http(s) URL");
    let types = &body.event_types;
    let blank = types.is_empty() || types.iter().any(|t| t.trim().is_empty());
    let message = "event_types needs at least one pattern, e.g. \"*\" or \"authorization.*\"";
    refuse_if!(blank; "event_types", message);
    let mut db = app.db();
    let subscription = Subscription {
        resource: typed!(types::WebhookSubscriptionResource;
            url = url; event_types = body.event_types),
        id: format!("whs_{:06}", db.next()),
        secret: app.config.webhook_secret_value().to_owned(),
        created_at: app.clock.now(),
    };
    let answer = created(&subscription);
    db.subscriptions.push(subscription);
    Ok(answer)
}

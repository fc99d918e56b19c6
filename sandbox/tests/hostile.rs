//! Every route the sandbox serves, sent what a careless or hostile client
//! might send: extreme or malformed ids in the path, extreme paging
//! numbers, and bodies of the wrong shape or with extreme numbers. Each
//! must get an answer in Osigu's envelope (or a page), never a dropped
//! connection: a handler that panics drops it.

use osigu::operations::ALL;
use osigu_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

/// Path values: an overflowing number, the largest i64, a negative, a
/// prefixed id, text with a percent-encoded emoji, and a long run.
fn path_values() -> Vec<String> {
    vec![
        "99999999999999999999999".to_owned(),
        i64::MAX.to_string(),
        "-1".to_owned(),
        "auth_9223372036854775807".to_owned(),
        "%F0%9F%92%A9".to_owned(),
        "x".repeat(4096),
    ]
}

/// A template with every `{placeholder}` segment (each is a whole
/// segment in the table) filled with `value`.
fn fill(template: &str, value: &str) -> String {
    let segments = template.split('/');
    let filled = segments.map(|s| if s.starts_with('{') { value } else { s });
    filled.collect::<Vec<_>>().join("/")
}

/// Bodies of the wrong shape, and of the right keys with extreme values.
fn bodies() -> Vec<Value> {
    let extreme = json!({
        "beneficiary_id": i64::MAX, "sponsor_slug": "demo-insurer", "quantity": i32::MAX,
        "products": [{ "id": "1", "quantity": i32::MAX, "price": f64::MAX, "taxes": -1.0,
                       "product_id": i64::MIN, "authorized_quantity": i32::MIN,
                       "substitute_quantity": i32::MAX, "authorization_product_id": i64::MAX }],
        "diagnoses": [{ "code": "R51", "coding_system": "ICD-10" }],
        "amount": f64::MAX, "page": i64::MAX, "size": i64::MIN,
    });
    let mut nested = json!(1);
    for _ in 0..64 {
        nested = json!([nested]);
    }
    vec![
        json!(null),
        json!([]),
        json!("text"),
        json!(-1),
        json!({}),
        extreme,
        json!({ "products": nested }),
    ]
}

/// Filter values with reserved characters, for every filter parameter
/// the served routes read.
const FILTERS: &str = "?page=1&size=1&name=a%26size%3D9%23&query=a%26b&patient_id=p%20q%26r\
    &product_type=x%26y&document_number=%2F%3F&document_type_slug=%25";

/// Every link of a page answer is a URL, and carries each filter the
/// request named with the value it was sent (reserved characters too).
fn check_links(url: &str, page: &Value) {
    let sent = reqwest::Url::parse(url).unwrap();
    let sent: Vec<(String, String)> = sent.query_pairs().into_owned().collect();
    let links = page.get("links").and_then(Value::as_array);
    for link in links.into_iter().flatten() {
        let href = link["href"].as_str().unwrap_or_default();
        let parsed = reqwest::Url::parse(href).unwrap_or_else(|e| panic!("{href}: {e}"));
        for (key, value) in parsed.query_pairs() {
            let named = sent.iter().any(|(k, v)| *k == key && *v == value);
            let paging = matches!(&*key, "page" | "size");
            assert!(named || paging, "{href}: {key}={value} was not sent");
        }
    }
}

/// Sends one request; the status and the JSON answer (`null` when there
/// is no body), or a panic naming the request when the connection was
/// dropped or the answer is not JSON.
async fn answer(
    http: &reqwest::Client,
    token: &str,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = http.request(method.clone(), url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let shown = &url[..url.len().min(160)];
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {shown} {body:?}: no answer ({e})"));
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    if text.is_empty() {
        return (status, Value::Null);
    }
    let parsed = serde_json::from_str(&text);
    let parsed = parsed.unwrap_or_else(|_| panic!("{method} {shown}: {status}, not JSON: {text}"));
    (status, parsed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_route_drops_the_connection_on_hostile_input() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // No rate limit: the sweep sends a few thousand requests.
    let config = SandboxConfig::default().rate_limit(None);
    let sb = Sandbox::start_with(config).await.unwrap();
    let http = reqwest::Client::new();
    let token = sb.mint_token();
    let base = sb.base_url();
    let served = Sandbox::served_routes();
    let (mut sent, mut pages) = (0, 0);
    for op in ALL.iter().filter(|op| served.contains(&op.route())) {
        let with_body = matches!(op.method, "POST" | "PUT" | "PATCH");
        for value in path_values() {
            let path = fill(op.template, &value);
            for query in [
                "",
                "?page=9223372036854775807&size=-9",
                "?page=-1&size=99999999999999999999",
                FILTERS,
            ] {
                let url = format!("{base}{path}{query}");
                if with_body {
                    for body in bodies() {
                        answer(&http, &token, op.method, &url, Some(&body)).await;
                        sent += 1;
                    }
                } else {
                    let (status, page) = answer(&http, &token, op.method, &url, None).await;
                    assert_ne!(status, 500, "{} {}", op.method, &url[..url.len().min(160)]);
                    check_links(&url, &page);
                    pages += usize::from(page.get("links").is_some());
                    sent += 1;
                }
            }
        }
    }
    // The sweep reached every route (a filter that matched nothing would
    // pass vacuously).
    assert_eq!(served.len(), ALL.len() + Sandbox::extra_routes().len());
    assert!(sent > 1000, "only {sent} requests");
    assert!(pages > 0, "no page answer had its links checked");
    // The sandbox still answers normally afterwards.
    let sponsors = http
        .get(format!("{base}/v1/sponsors"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(sponsors.status(), 200);
}

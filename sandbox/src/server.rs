//! The accept loop and the middleware every request passes through
//! (counters, faults, bearer auth, rate limits).

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower_service::Service;

use crate::faults::Fault;
use crate::input::{MAX_BODY, MAX_UPLOAD};
use crate::reply::ApiError;
use crate::routes::TOKEN_PATH;
use crate::state::App;
use crate::store::Db;

/// Closes the connection a request arrived on, without an answer.
#[derive(Clone)]
struct Kill(Arc<Notify>);

/// Accepts connections until the task is aborted; each connection is
/// served on its own task, which ends with the accept loop.
pub(crate) async fn serve(listener: TcpListener, app: Arc<App>) {
    let router = crate::routes::router()
        .layer(axum::middleware::from_fn_with_state(app.clone(), gate))
        .with_state(app);
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let Ok((stream, _peer)) = listener.accept().await else {
            continue;
        };
        let router = router.clone();
        connections.spawn(async move {
            let kill = Arc::new(Notify::new());
            let kill_for_requests = kill.clone();
            let service = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
                req.extensions_mut().insert(Kill(kill_for_requests.clone()));
                let mut router = router.clone();
                router.call(req.map(axum::body::Body::new))
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                // Dropping the connection closes the socket unanswered.
                _ = kill.notified() => {}
            }
        });
    }
}

/// Counters, faults, bearer auth and rate limits, in that order.
pub(crate) async fn gate(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let template = req.extensions().get::<MatchedPath>();
    let template = template.map(|m| m.as_str().to_owned());
    let route = template.as_deref().unwrap_or("<unmatched>");
    let key = format!("{} {route}", req.method());
    app.count(|c| *c.requests.entry(key.clone()).or_default() += 1);

    let is_token = template.as_deref() == Some(TOKEN_PATH);
    let fault = app.faults.matching(&key, is_token);
    let kill = req.extensions().get::<Kill>().cloned();
    if let Some((fault_key, fault)) = &fault {
        if !fault.latency_value().is_zero() {
            tokio::time::sleep(fault.latency_value()).await;
        }
        if let Some(status) = fault.nth(app.faults.hit(fault_key)) {
            return injected(&app, status, &key);
        }
        if Fault::roll(fault.drop_rate_value()) {
            return hang_up(kill).await;
        }
        if Fault::roll(fault.error_rate_value()) {
            return injected(&app, fault.error_status_value(), &key);
        }
    }
    let response = admitted(&app, req, next, template).await;
    if !response.status().is_success() {
        return response;
    }
    app.count(|c| *c.applied.entry(key.clone()).or_default() += 1);
    // Only an applied change can have its answer lost.
    if let Some((_, fault)) = &fault {
        if Fault::roll(fault.drop_after_apply_value()) {
            app.count(|c| c.lost_replies += 1);
            return hang_up(kill).await;
        }
        let (rate, status) = fault.error_after_apply_value();
        if Fault::roll(rate) {
            app.count(|c| c.lost_replies += 1);
            return injected(&app, status, &key);
        }
    }
    response
}

/// Closes the connection the request arrived on, never answering it.
async fn hang_up(kill: Option<Kill>) -> Response {
    if let Some(Kill(kill)) = kill {
        kill.notify_one();
    }
    std::future::pending().await
}

/// An injected error answer, in Osigu's envelope.
fn injected(app: &App, status: u16, key: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::TOO_MANY_REQUESTS {
        app.count(|c| c.rate_limited += 1);
        ApiError::rate_limited(1).into_response()
    } else {
        let code = format!("071-{}", status.as_u16());
        let error = ApiError::new(status, &code, "injected fault");
        error.with_info("route", key).into_response()
    }
}

/// Bearer auth, rate limits and the body-size check, then the handler.
async fn admitted(app: &App, req: Request, next: Next, template: Option<String>) -> Response {
    if template.is_none_or(|t| t == TOKEN_PATH) {
        return next.run(req).await;
    }

    if let Err(error) = check_bearer(app, &req) {
        return error.into_response();
    }
    if let Some(limit) = app.config.rate_limit_value() {
        let client_id = app.config.client_id_value();
        let verdict = Db::take_slot(&mut app.db().request_hits, client_id, limit, Instant::now());
        if let Err(retry_after) = verdict {
            app.count(|c| c.rate_limited += 1);
            return ApiError::rate_limited(retry_after).into_response();
        }
    }
    let too_big = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > MAX_BODY);
    if too_big {
        return ApiError::too_large(MAX_UPLOAD).into_response();
    }
    next.run(req).await
}

/// 401 unless the request carries a bearer token the sandbox issued and
/// that has not expired (every token is the configured client's).
fn check_bearer(app: &App, req: &Request) -> Result<(), ApiError> {
    let header = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or_else(|| ApiError::unauthorized("the Authorization header is not a bearer token"))?;
    let mut db = app.db();
    let Some(expires_at) = db.tokens.get(token) else {
        return Err(ApiError::unauthorized("invalid bearer token"));
    };
    if Instant::now() >= *expires_at {
        db.tokens.remove(token);
        return Err(ApiError::unauthorized("the bearer token has expired"));
    }
    Ok(())
}

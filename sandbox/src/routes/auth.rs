//! The token endpoint and the OTP pair.

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use super::Shared;
use crate::input::{base64_decode, form_pairs, numeric_id};
use crate::reply::{ApiError, ApiJson, ApiResult, created, ok};
use crate::state::random_hex;
use crate::store::{Db, Otp, OtpToken};

/// `POST /v1/oauth/token`: client credentials in HTTP Basic (or in the
/// form), `grant_type=client_credentials` in the form or the query.
pub(crate) async fn token(
    axum::extract::State(app): Shared,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    app.count(|c| c.token_requests += 1);
    let mut params = form_pairs(query.as_deref().unwrap_or(""));
    params.extend(form_pairs(&String::from_utf8_lossy(&body)));
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };

    let basic = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|encoded| base64_decode(encoded.trim()))
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
        });
    let (client_id, secret) = match basic {
        Some(pair) => pair,
        None => (
            param("client_id").unwrap_or_default(),
            param("client_secret").unwrap_or_default(),
        ),
    };

    if let Some(limit) = app.config.token_rate_limit_value() {
        let verdict = {
            let mut db = app.db();
            let key = if client_id.is_empty() {
                "<anonymous>"
            } else {
                &client_id
            };
            Db::take_slot(&mut db.token_hits, key, limit, Instant::now())
        };
        if let Err(retry_after) = verdict {
            app.count(|c| c.rate_limited += 1);
            return Err(ApiError::rate_limited(retry_after));
        }
    }

    match param("grant_type").as_deref() {
        Some("client_credentials") => {}
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "071-400",
                format!("unsupported grant_type {other}"),
            )
            .with_info(json!({ "field": "grant_type" })));
        }
        None => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "071-400",
                "grant_type=client_credentials is required",
            )
            .with_info(json!({ "field": "grant_type" })));
        }
    }
    if client_id != app.config.client_id_value() || secret != app.config.client_secret_value() {
        return Err(ApiError::unauthorized("invalid client credentials"));
    }
    let access_token = app.mint_token(&client_id);
    Ok(ok(json!({
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": app.config.token_lifetime_value().as_secs(),
        "scope": "arc:read arc:write dispensing:write ehr:read ehr:write",
    })))
}

#[derive(Debug, Deserialize)]
pub(crate) struct SendOtp {
    beneficiary_id: Option<serde_json::Value>,
    sponsor_slug: Option<String>,
    channel: Option<String>,
}

/// `POST /otp/generate`.
pub(crate) async fn otp_generate(
    axum::extract::State(app): Shared,
    ApiJson(body): ApiJson<SendOtp>,
) -> ApiResult<Response> {
    let invalid = |field: &str, detail: &str| {
        ApiError::validation("071-422", "the OTP request is invalid", field, detail)
    };
    let beneficiary_id = body
        .beneficiary_id
        .as_ref()
        .and_then(|v| match v {
            serde_json::Value::String(s) => numeric_id(s),
            serde_json::Value::Number(n) => n.as_i64(),
            _ => None,
        })
        .ok_or_else(|| invalid("beneficiary_id", "a known beneficiary_id is required"))?;
    let sponsor_slug = body
        .sponsor_slug
        .ok_or_else(|| invalid("sponsor_slug", "sponsor_slug is required"))?;
    let channel = body
        .channel
        .unwrap_or_else(|| "SMS".to_owned())
        .to_uppercase();
    if !matches!(channel.as_str(), "SMS" | "EMAIL" | "WHATSAPP") {
        return Err(invalid("channel", "channel must be SMS, EMAIL or WHATSAPP"));
    }
    let mut db = app.db();
    let beneficiary = db
        .beneficiary(beneficiary_id)
        .filter(|b| b.sponsor_slug == sponsor_slug)
        .cloned()
        .ok_or_else(|| invalid("beneficiary_id", "no such beneficiary for this sponsor"))?;
    let otp_id = format!("otp_{}", random_hex(12));
    db.otps.insert(
        otp_id.clone(),
        Otp {
            beneficiary_id,
            sponsor_slug,
            expires_at: Instant::now() + app.config.otp_lifetime_value(),
            attempts: 0,
            used: false,
        },
    );
    let destination = if channel == "EMAIL" {
        format!(
            "{}***@example.com",
            beneficiary
                .first_name
                .chars()
                .next()
                .unwrap_or('x')
                .to_lowercase()
        )
    } else {
        beneficiary.masked_phone()
    };
    Ok(created(json!({
        "otp_id": otp_id,
        "channel": channel,
        "expires_in": app.config.otp_lifetime_value().as_secs(),
        "masked_destination": destination,
    })))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ValidateOtp {
    otp_id: Option<String>,
    code: Option<String>,
}

/// How many wrong codes an OTP tolerates before it is burnt.
const MAX_ATTEMPTS: u32 = 3;

/// How long an OTP verification token stays usable.
const TOKEN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(600);

/// `POST /otp/validate`.
pub(crate) async fn otp_validate(
    axum::extract::State(app): Shared,
    ApiJson(body): ApiJson<ValidateOtp>,
) -> ApiResult<Response> {
    let otp_id = body.otp_id.unwrap_or_default();
    let code = body.code.unwrap_or_default();
    let mut db = app.db();
    let now = Instant::now();
    let Some(otp) = db.otps.get_mut(&otp_id) else {
        return Err(ApiError::validation(
            "OTP_NOT_FOUND",
            "the OTP could not be validated",
            "otp_id",
            "unknown otp_id",
        ));
    };
    if otp.used {
        return Err(ApiError::validation(
            "OTP_ALREADY_USED",
            "the OTP could not be validated",
            "otp_id",
            "this code was already used",
        ));
    }
    if now >= otp.expires_at {
        return Err(ApiError::validation(
            "OTP_EXPIRED",
            "the OTP could not be validated",
            "code",
            "the code has expired; generate a new one",
        ));
    }
    if otp.attempts >= MAX_ATTEMPTS {
        return Err(ApiError::validation(
            "OTP_TOO_MANY_ATTEMPTS",
            "the OTP could not be validated",
            "code",
            "too many wrong codes; generate a new one",
        ));
    }
    if code != app.config.otp_code_value() {
        otp.attempts += 1;
        return Err(ApiError::validation(
            "OTP_INVALID",
            "the OTP could not be validated",
            "code",
            "the code does not match",
        ));
    }
    otp.used = true;
    let (beneficiary_id, sponsor_slug) = (otp.beneficiary_id, otp.sponsor_slug.clone());
    let token = format!("otv_{}", random_hex(24));
    db.otp_tokens.insert(
        token.clone(),
        OtpToken {
            beneficiary_id,
            sponsor_slug,
            expires_at: now + TOKEN_LIFETIME,
            used: false,
        },
    );
    Ok(ok(json!({
        "otp_verification_token": token,
        "expires_in": TOKEN_LIFETIME.as_secs(),
    })))
}

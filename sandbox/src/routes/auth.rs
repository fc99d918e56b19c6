//! The token endpoint and the OTP pair.

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::HeaderMap;
use serde_json::json;
use tokio::time::Instant;

use super::prelude::*;
use crate::input::{base64_decode, form_pairs, numeric_id};
use crate::state::random_hex;
use crate::store::Otp;

/// The token endpoint: client credentials in HTTP Basic (or in the
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
    let (client_id, secret) = basic_credentials(&headers).unwrap_or_else(|| {
        let (id, secret) = (param("client_id"), param("client_secret"));
        (id.unwrap_or_default(), secret.unwrap_or_default())
    });

    if let Some(limit) = app.config.token_rate_limit_value() {
        // Strangers share one budget: their ids are not keys, so they
        // cannot grow the table nor spend the configured client's budget.
        let own = client_id == app.config.client_id_value();
        let key = if own { client_id.as_str() } else { "<other>" };
        let verdict = Db::take_slot(&mut app.db().token_hits, key, limit, Instant::now());
        if let Err(retry_after) = verdict {
            app.count(|c| c.rate_limited += 1);
            return Err(ApiError::rate_limited(retry_after));
        }
    }

    let message = match param("grant_type").as_deref() {
        Some("client_credentials") => None,
        Some(other) => Some(format!("unsupported grant_type {other}")),
        None => Some("grant_type=client_credentials is required".to_owned()),
    };
    if let Some(message) = message {
        let error = ApiError::new(StatusCode::BAD_REQUEST, "071-400", message);
        return Err(error.with_info("field", "grant_type"));
    }
    if client_id != app.config.client_id_value() || secret != app.config.client_secret_value() {
        return Err(ApiError::unauthorized("invalid client credentials"));
    }
    let access_token = app.mint_token();
    Ok(ok(json!({
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": app.config.token_lifetime_value().as_secs(),
        "scope": "arc:read arc:write dispensing:write ehr:read ehr:write",
    })))
}

/// The id and secret of an HTTP Basic `Authorization` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let pair = String::from_utf8(base64_decode(encoded.trim())?).ok()?;
    let (id, secret) = pair.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// `sendOtp`.
pub(crate) async fn otp_generate(
    axum::extract::State(app): Shared,
    ApiJson(body): ApiJson<types::SendOtpRequest>,
) -> ApiResult<Response> {
    let invalid = |field: &str, detail: &str| {
        ApiError::validation("071-422", "the OTP request is invalid", field, detail)
    };
    let channel = body.channel.as_deref().unwrap_or("SMS").to_uppercase();
    if !matches!(channel.as_str(), "SMS" | "EMAIL" | "WHATSAPP") {
        return Err(invalid("channel", "channel must be SMS, EMAIL or WHATSAPP"));
    }
    let mut db = app.db();
    let beneficiary = numeric_id(&body.beneficiary_id)
        .and_then(|id| db.beneficiary(id))
        .filter(|b| b.sponsor_slug == body.sponsor_slug)
        .ok_or_else(|| invalid("beneficiary_id", "no such beneficiary for this sponsor"))?;
    let otp_id = format!("otp_{}", random_hex(12));
    let expires_at = Instant::now() + app.config.otp_lifetime_value();
    let otp = Otp::new(beneficiary.id, body.sponsor_slug, expires_at);
    db.otps.insert(otp_id.clone(), otp);
    let initial = beneficiary.first_name.chars().next().unwrap_or('x');
    let destination = match channel.as_str() {
        "EMAIL" => format!("{}***@example.com", initial.to_lowercase()),
        _ => beneficiary.masked_phone(),
    };
    let expires_in = i32::try_from(app.config.otp_lifetime_value().as_secs()).ok();
    Ok(created(typed!(types::SendOtpResponse;
        masked_destination = destination, otp_id = otp_id, channel = channel; expires_in = expires_in)))
}

/// How many wrong codes an OTP tolerates before it is burnt.
const MAX_ATTEMPTS: u32 = 3;

/// How long an OTP verification token stays usable.
const TOKEN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(600);

/// `validateOtp`: the right code, once, before the OTP expires and within
/// [`MAX_ATTEMPTS`] tries, gives a verification token.
pub(crate) async fn otp_validate(
    axum::extract::State(app): Shared,
    ApiJson(body): ApiJson<types::ValidateOtpRequest>,
) -> ApiResult<Response> {
    let refused = |code: &str, field: &str, detail: &str| {
        ApiError::validation(code, "the OTP could not be validated", field, detail)
    };
    let mut db = app.db();
    let now = Instant::now();
    let Some(otp) = db.otps.get_mut(&body.otp_id) else {
        return Err(refused("OTP_NOT_FOUND", "otp_id", "unknown otp_id"));
    };
    let expired = "the code has expired; generate a new one";
    let exhausted = "too many wrong codes; generate a new one";
    if otp.used {
        return Err(refused(
            "OTP_ALREADY_USED",
            "otp_id",
            "this code was already used",
        ));
    }
    if now >= otp.expires_at {
        return Err(refused("OTP_EXPIRED", "code", expired));
    }
    if otp.attempts >= MAX_ATTEMPTS {
        return Err(refused("OTP_TOO_MANY_ATTEMPTS", "code", exhausted));
    }
    if body.code != app.config.otp_code_value() {
        otp.attempts += 1;
        return Err(refused("OTP_INVALID", "code", "the code does not match"));
    }
    otp.used = true;
    let sponsor_slug = otp.sponsor_slug.clone();
    let proof = Otp::new(otp.beneficiary_id, sponsor_slug, now + TOKEN_LIFETIME);
    let token = format!("otv_{}", random_hex(24));
    // An expired proof is refused as an unknown one would be: forget it.
    db.otp_tokens.retain(|_, proof| proof.expires_at > now);
    db.otp_tokens.insert(token.clone(), proof);
    let answer = typed!(types::ValidateOtpResponse; otp_verification_token = token);
    Ok(ok(answer))
}

//! Reading bodies with a bound, and decoding them without ever quoting
//! what they hold.

use http::HeaderMap;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error, Stage};

/// The whole body, or [`Error::ResponseTooLarge`] as soon as it passes
/// `limit` bytes (before reading it, when `Content-Length` says so).
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: u64,
    during: Stage,
) -> Result<bytes::Bytes, Error> {
    let too_large = || Error::ResponseTooLarge { during, limit };
    match response.content_length() {
        Some(length) if length > limit => return Err(too_large()),
        // The common case: a known, acceptable length, read in one go.
        Some(_) => {
            return response
                .bytes()
                .await
                .map_err(|e| Error::transport(during, e));
        }
        None => {}
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Error::transport(during, e))?
    {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.into())
}

/// At most `limit` bytes of the body; the rest, and any read error, is
/// dropped (an error body is read for its message, not to the end).
pub(crate) async fn read_prefix(mut response: reqwest::Response, limit: u64) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = (limit as usize).saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() as u64 >= limit {
            break;
        }
    }
    body
}

/// Decodes a success body; an empty one stands for `null`, which `()` and
/// options accept.
pub(crate) fn decode<T: DeserializeOwned>(
    body: &[u8],
    status: u16,
    headers: &HeaderMap,
) -> Result<T, Error> {
    let body: &[u8] = if body.is_empty() { b"null" } else { body };
    serde_json::from_slice(body).map_err(|first| {
        // Only on failure: a second pass that tracks where it failed.
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let path = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Err(e) => Some(e.path().to_string()).filter(|p| !matches!(p.as_str(), "." | "?" | "")),
            Ok(_) => None,
        };
        Error::Decode {
            status: Some(status),
            request_id: ApiError::request_id(headers),
            reason: decode_reason(&first, path),
        }
    })
}

/// What serde found wrong, without the offending value: serde's message
/// quotes it ("invalid type: string \"1000000001\", expected i64"), and a
/// value in an Osigu body can be a document number.
pub(crate) fn decode_reason(error: &serde_json::Error, path: Option<String>) -> String {
    use serde_json::error::Category;
    let message = error.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(head, _)| head);
    let what = match error.classify() {
        Category::Syntax => "the body is not valid JSON".to_owned(),
        Category::Eof => "the body ends before the JSON does".to_owned(),
        Category::Io => "the body could not be read".to_owned(),
        Category::Data => {
            if let Some((_, expected)) = message.split_once(", expected ") {
                format!("a value of the wrong type or range; expected {expected}")
            } else if message.starts_with("missing field") || message.starts_with("duplicate field")
            {
                // Field names come from the type, not from the body.
                message.to_owned()
            } else {
                "a value the type does not accept".to_owned()
            }
        }
    };
    match path {
        Some(path) => format!("{what} (at `{path}`)"),
        None => format!(
            "{what} (at line {} column {})",
            error.line(),
            error.column()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Patient {
        document_number: Option<String>,
        visits: Vec<u32>,
    }

    #[test]
    fn decode_errors_name_the_place_and_never_the_value() {
        let headers = HeaderMap::new();
        for (body, place) in [
            (
                &br#"{"document_number": 1000000001, "visits": []}"#[..],
                "document_number",
            ),
            (
                br#"{"document_number": "x", "visits": [1, "1000000001"]}"#,
                "visits[1]",
            ),
            (br#"{"document_number": "1000000001""#, "line 1"),
            (
                br#"{"document_number": "1000000001"}"#,
                "missing field `visits`",
            ),
        ] {
            let error = decode::<Patient>(body, 200, &headers).unwrap_err();
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("1000000001"), "{shown}");
            assert!(shown.contains(place), "{shown}");
            assert!(shown.contains("200"), "{shown}");
        }
    }
}

//! Reading what requests carry: ids in paths, Base64 text, form bodies and
//! multipart uploads.

use std::collections::HashMap;

use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::http::StatusCode;

use crate::reply::{ApiError, ApiResult};
use crate::state::MAX_UPLOAD;

/// A numeric id from a path segment: `1234`, or a prefixed `auth_1234`.
pub(crate) fn numeric_id(raw: &str) -> Option<i64> {
    raw.rsplit('_').next().and_then(|tail| tail.parse().ok())
}

/// Decodes standard or URL-safe Base64, padded or not; `None` when the text
/// is not Base64. Whitespace and a `data:...;base64,` prefix are skipped.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = match text.find(";base64,") {
        Some(at) if text.starts_with("data:") => &text[at + 8..],
        _ => text,
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut buf = 0u32;
    let mut bits = 0u32;
    let mut padding = false;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        if padding {
            return None;
        }
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A present, non-blank string field, or 422 naming it.
pub(crate) fn required<'a>(value: &'a Option<String>, field: &str) -> Result<&'a str, ApiError> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::unprocessable(
            field,
            format!("{field} is required"),
        )),
    }
}

/// Splits an `application/x-www-form-urlencoded` text into pairs.
pub(crate) fn form_pairs(text: &str) -> Vec<(String, String)> {
    fn decode(part: &str) -> String {
        let bytes = part.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                    match u8::from_str_radix(hex, 16) {
                        Ok(b) => {
                            out.push(b);
                            i += 2;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// The file and text fields of a multipart upload, refusing files over
/// [`MAX_UPLOAD`] with 413.
pub(crate) struct Upload {
    pub file_name: Option<String>,
    pub file_size: Option<usize>,
    pub texts: HashMap<String, String>,
}

pub(crate) async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Upload> {
    let mut multipart = multipart.map_err(|rejection| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "071-400",
            format!("expected multipart/form-data: {}", rejection.body_text()),
        )
    })?;
    let bad = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(MAX_UPLOAD)
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "071-400",
                format!("bad multipart body: {e}"),
            )
        }
    };
    let mut upload = Upload {
        file_name: None,
        file_size: None,
        texts: Default::default(),
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            upload.file_name = Some(field.file_name().unwrap_or("upload.bin").to_owned());
            let mut size = 0usize;
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                size += chunk.len();
                if size > MAX_UPLOAD {
                    return Err(ApiError::too_large(MAX_UPLOAD));
                }
            }
            upload.file_size = Some(size);
        } else {
            let text = field.text().await.map_err(bad)?;
            upload.texts.insert(name, text);
        }
    }
    Ok(upload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("aGVsbG8").unwrap(), b"hello");
        assert_eq!(
            base64_decode("data:application/pdf;base64,aGk=").unwrap(),
            b"hi"
        );
        assert!(base64_decode("not base64!").is_none());
    }

    #[test]
    fn reads_prefixed_ids() {
        assert_eq!(numeric_id("1234"), Some(1234));
        assert_eq!(numeric_id("auth_1234"), Some(1234));
        assert_eq!(numeric_id("abc"), None);
    }
}

//! Reading what requests carry: ids in paths, Base64 text, form bodies and
//! multipart uploads.

use std::collections::HashMap;

use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::reply::{ApiError, ApiResult};

/// Largest upload the upload endpoints accept (decoded file size).
pub(crate) const MAX_UPLOAD: usize = 25 * 1024 * 1024;

/// Largest request body read at all (room for a Base64 25 MB file).
pub(crate) const MAX_BODY: usize = 40 * 1024 * 1024;

/// The one id (or code) a path names, as it was sent.
pub(crate) type Id = axum::extract::Path<String>;

/// A numeric id from a path segment: `1234`, or a prefixed `auth_1234`.
pub(crate) fn numeric_id(raw: &str) -> Option<i64> {
    raw.rsplit('_').next().and_then(|tail| tail.parse().ok())
}

/// Decodes standard or URL-safe Base64, padded or not; `None` when the text
/// is not Base64. Whitespace and a `data:...;base64,` prefix are skipped.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const LENIENT: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let text = match text.find(";base64,") {
        Some(at) if text.starts_with("data:") => &text[at + 8..],
        _ => text,
    };
    let standard: String = text
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT)
        .decode(standard)
        .ok()
}

/// The file a request sends as Base64 in `field`: 422 when it is not
/// Base64, 413 when it is over [`MAX_UPLOAD`].
pub(crate) fn base64_file(text: &str, field: &str) -> ApiResult<Vec<u8>> {
    let message = format!("{field} is not valid Base64");
    let bytes = base64_decode(text).ok_or_else(|| ApiError::unprocessable(field, message))?;
    if bytes.len() > MAX_UPLOAD {
        return Err(ApiError::too_large(MAX_UPLOAD));
    }
    Ok(bytes)
}

/// A free-text `query` parameter.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct TextQuery {
    pub query: Option<String>,
}

/// The pairs of an `application/x-www-form-urlencoded` text.
pub(crate) fn form_pairs(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

/// The file and text fields of a multipart upload.
#[derive(Default)]
pub(crate) struct Upload {
    pub file_name: Option<String>,
    pub file_size: usize,
    pub texts: HashMap<String, String>,
}

impl Upload {
    /// The file's name, or 422 when the `file` part is missing or empty.
    pub(crate) fn nonempty_file(&self) -> ApiResult<String> {
        match &self.file_name {
            None => Err(ApiError::unprocessable("file", "the file part is required")),
            Some(_) if self.file_size == 0 => {
                Err(ApiError::unprocessable("file", "the file is empty"))
            }
            Some(name) => Ok(name.clone()),
        }
    }
}

/// Reads a multipart body, refusing a file over [`MAX_UPLOAD`] with 413.
pub(crate) async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Upload> {
    let bad_request = |message: String| ApiError::new(StatusCode::BAD_REQUEST, "071-400", message);
    let rejected =
        |r: MultipartRejection| format!("expected multipart/form-data: {}", r.body_text());
    let mut multipart = multipart.map_err(|r| bad_request(rejected(r)))?;
    let bad = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(MAX_UPLOAD)
        } else {
            bad_request(format!("bad multipart body: {e}"))
        }
    };
    let mut upload = Upload::default();
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" {
            let text = field.text().await.map_err(bad)?;
            upload.texts.insert(name, text);
            continue;
        }
        upload.file_name = Some(field.file_name().unwrap_or("upload.bin").to_owned());
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            upload.file_size += chunk.len();
            if upload.file_size > MAX_UPLOAD {
                return Err(ApiError::too_large(MAX_UPLOAD));
            }
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
        assert_eq!(base64_decode("aGVs\nbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("-_8").unwrap(), [0xfb, 0xff]);
        assert_eq!(
            base64_decode("data:application/pdf;base64,aGk=").unwrap(),
            b"hi"
        );
        assert!(base64_decode("not base64!").is_none());
    }

    #[test]
    fn reads_prefixed_ids_and_forms() {
        assert_eq!(numeric_id("1234"), Some(1234));
        assert_eq!(numeric_id("auth_1234"), Some(1234));
        assert_eq!(numeric_id("abc"), None);
        assert_eq!(
            form_pairs("grant_type=client_credentials&x=a%20b+c"),
            [
                ("grant_type".to_owned(), "client_credentials".to_owned()),
                ("x".to_owned(), "a b c".to_owned())
            ]
        );
    }
}

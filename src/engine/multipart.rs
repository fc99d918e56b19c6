//! The form of a generated multipart call, and how it is sent.
//!
//! A generated multipart `send()` (see `osigu-codegen`'s multipart pass)
//! builds its request without a body, collects its parts into a [`Form`],
//! and hands both to [`multipart`]. The form becomes a body anew for each
//! attempt: text and JSON parts are copied, a file from bytes is shared, a
//! file from a path is reopened and streamed (never read into memory), so
//! such an upload is retried like any call of its write class. A file from
//! a reader can be read only once; a form holding one is sent once.
//!
//! Sizes are checked before the first byte leaves: Osigu refuses uploads
//! over [`MAX_UPLOAD_BYTES`], so a larger form is [`Error::UploadTooLarge`]
//! without a request.

use std::path::PathBuf;
use std::sync::Arc;

use reqwest::multipart::Part;

use super::{Hooks, Outgoing, Rebuild};
use crate::error::Error;
use crate::operations::Operation;
use crate::uploads::{MAX_UPLOAD_BYTES, Source, Upload};

/// The parts of one multipart call, in the order they are sent.
#[derive(Default)]
pub(crate) struct Form {
    parts: Vec<(&'static str, Value)>,
}

enum Value {
    Text(String),
    #[allow(dead_code)]
    Json(bytes::Bytes),
    File(Upload),
}

impl Form {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds a text part.
    pub(crate) fn text(mut self, name: &'static str, value: String) -> Self {
        self.parts.push((name, Value::Text(value)));
        self
    }

    /// Adds an `application/json` part holding `value`, already serialised.
    /// (The codegen emits calls to it for JSON parts; today's
    /// `openapi.json` has none, so only the tests call it.)
    #[allow(dead_code)]
    pub(crate) fn json(mut self, name: &'static str, value: Vec<u8>) -> Self {
        self.parts.push((name, Value::Json(value.into())));
        self
    }

    /// Adds a file part.
    pub(crate) fn file(mut self, name: &'static str, upload: Upload) -> Self {
        self.parts.push((name, Value::File(upload)));
        self
    }

    /// The bytes of every file part together.
    fn file_bytes(&self) -> u64 {
        self.parts
            .iter()
            .map(|(_, v)| match v {
                Value::File(upload) => upload.len,
                _ => 0,
            })
            .sum()
    }
}

/// A part that can be turned into a body part again for a retry.
#[derive(Clone)]
enum Again {
    Text(String),
    Json(bytes::Bytes),
    Bytes(FileMeta, bytes::Bytes),
    Path(FileMeta, PathBuf),
}

#[derive(Clone)]
struct FileMeta {
    file_name: String,
    mime: String,
    len: u64,
}

fn meta(upload: &Upload) -> FileMeta {
    FileMeta {
        file_name: upload.file_name.clone(),
        mime: upload.mime.clone(),
        len: upload.len,
    }
}

fn file_part(meta: &FileMeta, body: reqwest::Body) -> Result<Part, Error> {
    Part::stream_with_length(body, meta.len)
        .file_name(meta.file_name.clone())
        .mime_str(&meta.mime)
        .map_err(|e| Error::invalid(format!("content type: {}", e.without_url())))
}

fn json_part(bytes: bytes::Bytes) -> Result<Part, Error> {
    Part::stream_with_length(reqwest::Body::from(bytes.clone()), bytes.len() as u64)
        .mime_str("application/json")
        .map_err(|e| Error::invalid(format!("content type: {}", e.without_url())))
}

/// The file at `path` as a stream, if it still has the size it was
/// checked at (an error that names no path: file names of health
/// documents are sensitive).
async fn reopen(meta: &FileMeta, path: &PathBuf) -> Result<reqwest::Body, Error> {
    let io = |e: std::io::Error| Error::invalid(format!("cannot read the upload: {e}"));
    let file = tokio::fs::File::open(path).await.map_err(io)?;
    let now = file.metadata().await.map_err(io)?.len();
    if now > MAX_UPLOAD_BYTES {
        return Err(Error::UploadTooLarge {
            bytes: now,
            limit: MAX_UPLOAD_BYTES,
        });
    }
    if now != meta.len {
        return Err(Error::invalid(
            "the upload's file changed size while it was being uploaded",
        ));
    }
    Ok(reqwest::Body::wrap_stream(
        tokio_util::io::ReaderStream::new(file),
    ))
}

async fn build_form(parts: &[(&'static str, Again)]) -> Result<reqwest::multipart::Form, Error> {
    let mut form = reqwest::multipart::Form::new();
    for (name, part) in parts {
        form = match part {
            Again::Text(text) => form.text(*name, text.clone()),
            Again::Json(bytes) => form.part(*name, json_part(bytes.clone())?),
            Again::Bytes(meta, bytes) => {
                form.part(*name, file_part(meta, reqwest::Body::from(bytes.clone()))?)
            }
            Again::Path(meta, path) => {
                form.part(*name, file_part(meta, reopen(meta, path).await?)?)
            }
        };
    }
    Ok(form)
}

/// `request` (a request with no body yet) with `form` as its body.
fn with_form(
    http: &reqwest::Client,
    request: reqwest::Request,
    form: reqwest::multipart::Form,
) -> Result<reqwest::Request, Error> {
    let request = reqwest::RequestBuilder::from_parts(http.clone(), request).multipart(form);
    super::built(request.build())
}

/// Sends a generated multipart call: `request` is everything but the
/// body, `form` the parts. Pacing (the operation's bucket, `uploads` for
/// Osigu's uploads), the token, retries by write class, tracing and the
/// typed error are the engine's, as for every call.
pub(crate) async fn multipart(
    hooks: &Hooks,
    request: reqwest::Request,
    form: Form,
    op: &'static Operation,
) -> Result<reqwest::Response, Error> {
    let bytes = form.file_bytes();
    if bytes > MAX_UPLOAD_BYTES {
        return Err(Error::UploadTooLarge {
            bytes,
            limit: MAX_UPLOAD_BYTES,
        });
    }
    let http = hooks.0.http.clone();
    let once = form.parts.iter().any(|(_, v)| {
        matches!(
            v,
            Value::File(Upload {
                source: Source::Reader(_),
                ..
            })
        )
    });
    if once {
        let mut body = reqwest::multipart::Form::new();
        for (name, value) in form.parts {
            body = match value {
                Value::Text(text) => body.text(name, text),
                Value::Json(bytes) => body.part(name, json_part(bytes)?),
                Value::File(upload) => {
                    let meta = meta(&upload);
                    let stream = match upload.source {
                        Source::Bytes(bytes) => reqwest::Body::from(bytes),
                        Source::Path(path) => reopen(&meta, &path).await?,
                        Source::Reader(reader) => {
                            // Never more than the length the part announces.
                            use tokio::io::AsyncReadExt;
                            reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(
                                reader.take(meta.len),
                            ))
                        }
                    };
                    body.part(name, file_part(&meta, stream)?)
                }
            };
        }
        let request = with_form(&http, request, body)?;
        return hooks.0.execute(Outgoing::request(request), op).await;
    }
    let mut parts = Vec::with_capacity(form.parts.len());
    for (name, value) in form.parts {
        let again = match value {
            Value::Text(text) => Again::Text(text),
            Value::Json(bytes) => Again::Json(bytes),
            Value::File(upload) => {
                let meta = meta(&upload);
                match upload.source {
                    Source::Bytes(bytes) => Again::Bytes(meta, bytes),
                    Source::Path(path) => Again::Path(meta, path),
                    Source::Reader(_) => {
                        return Err(Error::invalid("a reader upload cannot be sent again"));
                    }
                }
            }
        };
        parts.push((name, again));
    }
    let parts = Arc::new(parts);
    let build: Rebuild = Box::new(move || {
        let parts = Arc::clone(&parts);
        let http = http.clone();
        let copy = request.try_clone();
        Box::pin(async move {
            let copy =
                copy.ok_or_else(|| Error::invalid("the multipart request already has a body"))?;
            let form = build_form(&parts).await?;
            with_form(&http, copy, form)
        })
    });
    hooks.0.execute(Outgoing::Rebuild(build), op).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use progenitor_client::ClientInfo;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// The JSON parts springdoc emits for `@RequestPart` objects go out as
    /// `application/json`, beside text and file parts, in the order given;
    /// none of `openapi.json`'s operations has one yet, so the form is
    /// built here as a generated `send()` would.
    #[tokio::test]
    async fn json_text_and_file_parts_go_out_in_order_with_their_types() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/oauth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": "tok", "token_type": "bearer", "expires_in": 3600
            })))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v3/settlements/stl_1/documents"))
            .respond_with(ResponseTemplate::new(201))
            .mount(&server)
            .await;
        let osigu = crate::Osigu::builder()
            .environment(crate::Environment::Custom(server.uri()))
            .credentials("id", "secret")
            .build()
            .unwrap();
        let request = osigu
            .http()
            .post(format!("{}/v3/settlements/stl_1/documents", server.uri()))
            .build()
            .unwrap();
        let form = Form::new()
            .json("meta", br#"{"period":"2026-11"}"#.to_vec())
            .text("tag", "a".into())
            .text("tag", "b".into())
            .file(
                "file",
                Upload::from_bytes("f.pdf", b"%PDF".to_vec()).unwrap(),
            );
        let op = crate::operations::named("uploadSettlementDocument");
        let answer = multipart(osigu.client().inner(), request, form, op)
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 201);

        let sent = server.received_requests().await.unwrap();
        let body = String::from_utf8_lossy(&sent.last().unwrap().body).into_owned();
        let at = |needle: &str| {
            body.find(needle)
                .unwrap_or_else(|| panic!("missing {needle:?} in {body}"))
        };
        let meta = at(
            "name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"period\":\"2026-11\"}\r\n",
        );
        let first = at("name=\"tag\"\r\n\r\na\r\n");
        let second = at("name=\"tag\"\r\n\r\nb\r\n");
        let file = at(
            "name=\"file\"; filename=\"f.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n",
        );
        assert!(meta < first && first < second && second < file, "{body}");
    }
}

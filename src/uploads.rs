//! Documents sent to Osigu: indications for a pre-authorization (multipart
//! or Base64 JSON) and settlement documents (multipart). Normalisation left
//! these to hand-written code because progenitor cannot send multipart.
//!
//! Sizes are checked before anything is sent: Osigu refuses files over
//! 25 MB, and finding out after uploading them wastes the upload budget
//! (20 a minute). Multipart bodies stream from their file or reader, so
//! memory stays flat whatever the size. An upload from a path or from bytes
//! can be sent again (the file is reopened), so it is retried like any
//! other call of its write class; one from a reader is sent once.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use tokio::io::AsyncRead;

use crate::engine::{Outgoing, Rebuild, accept_json};
use crate::operations::{self, Operation};
use crate::{Error, Osigu, types};

/// The largest file Osigu accepts: 25 MB.
pub const MAX_UPLOAD_BYTES: u64 = 25 * 1024 * 1024;

/// A file to upload, and where its bytes come from.
pub struct Upload {
    file_name: String,
    mime: String,
    len: u64,
    source: Source,
}

enum Source {
    Bytes(bytes::Bytes),
    Path(PathBuf),
    Reader(Box<dyn AsyncRead + Send + Sync + Unpin>),
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("file_name", &self.file_name)
            .field("mime", &self.mime)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

fn too_large(len: u64) -> Error {
    Error::UploadTooLarge {
        bytes: len,
        limit: MAX_UPLOAD_BYTES,
    }
}

/// `application/pdf` for `x.pdf`, and so on for the kinds Osigu takes.
fn mime_for(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "xml" => "application/xml",
        "tif" | "tiff" => "image/tiff",
        _ => "application/octet-stream",
    }
}

impl Upload {
    /// An upload from memory.
    ///
    /// ```
    /// let small = osigu::Upload::from_bytes("indication.pdf", b"%PDF-1.7".to_vec())?;
    /// let big = osigu::Upload::from_bytes("scan.pdf", vec![0; 26 * 1024 * 1024]);
    /// assert!(matches!(big, Err(osigu::Error::UploadTooLarge { .. })));
    /// # Ok::<(), osigu::Error>(())
    /// ```
    pub fn from_bytes(file_name: impl Into<String>, bytes: Vec<u8>) -> Result<Self, Error> {
        let file_name = file_name.into();
        let len = bytes.len() as u64;
        if len > MAX_UPLOAD_BYTES {
            return Err(too_large(len));
        }
        Ok(Self {
            mime: mime_for(&file_name).to_owned(),
            file_name,
            len,
            source: Source::Bytes(bytes.into()),
        })
    }

    /// An upload streamed from a file; its size is checked first.
    pub async fn from_path(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let io = |e: std::io::Error| Error::InvalidRequest {
            reason: format!("cannot read {}: {e}", path.display()),
        };
        let len = tokio::fs::metadata(path).await.map_err(io)?.len();
        if len > MAX_UPLOAD_BYTES {
            return Err(too_large(len));
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "upload".into());
        Ok(Self {
            mime: mime_for(&file_name).to_owned(),
            file_name,
            len,
            source: Source::Path(path.to_owned()),
        })
    }

    /// An upload streamed from any reader of `len` bytes. A reader cannot
    /// be read twice, so this upload is sent once and never retried.
    pub fn from_reader(
        file_name: impl Into<String>,
        len: u64,
        reader: impl AsyncRead + Send + Sync + Unpin + 'static,
    ) -> Result<Self, Error> {
        if len > MAX_UPLOAD_BYTES {
            return Err(too_large(len));
        }
        let file_name = file_name.into();
        Ok(Self {
            mime: mime_for(&file_name).to_owned(),
            file_name,
            len,
            source: Source::Reader(Box::new(reader)),
        })
    }

    /// Overrides the content type guessed from the file name.
    pub fn mime(mut self, mime: impl Into<String>) -> Self {
        self.mime = mime.into();
        self
    }

    /// Sends this file as the `file` part of a multipart form to `op` for
    /// resource `id`, with `query` on the URL and, if given, one text part.
    async fn send_as_form<T: serde::de::DeserializeOwned>(
        self,
        osigu: &Osigu,
        op: &'static Operation,
        id: &str,
        query: &[(&str, &str)],
        text: Option<(&'static str, &str)>,
    ) -> Result<T, Error> {
        let mut url = reqwest::Url::parse(&osigu.url(op, id))
            .map_err(|_| Error::invalid("the upload URL is not valid"))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let http = osigu.http().clone();
        let text = text.map(|(name, value)| (name, value.to_owned()));
        let Self {
            file_name,
            mime,
            len,
            source,
        } = self;
        let form = move |body: reqwest::Body| -> Result<reqwest::multipart::Form, Error> {
            let part = reqwest::multipart::Part::stream_with_length(body, len)
                .file_name(file_name.clone())
                .mime_str(&mime)
                .map_err(|e| Error::invalid(format!("content type: {e}")))?;
            let form = match &text {
                Some((name, value)) => reqwest::multipart::Form::new().text(*name, value.clone()),
                None => reqwest::multipart::Form::new(),
            };
            Ok(form.part("file", part))
        };
        let request = move |form: reqwest::multipart::Form| {
            accept_json(http.post(url.as_str()))
                .multipart(form)
                .build()
                .map_err(|e| Error::invalid(e.without_url().to_string()))
        };
        let build: Rebuild = match source {
            Source::Reader(reader) => {
                let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(reader));
                let once = request(form(body)?)?;
                return osigu.send_outgoing(op, Outgoing::Request(once)).await;
            }
            Source::Bytes(bytes) => Box::new(move || {
                let built = form(reqwest::Body::from(bytes.clone())).and_then(&request);
                Box::pin(async move { built })
            }),
            Source::Path(path) => Box::new(move || {
                let (path, form, request) = (path.clone(), form.clone(), request.clone());
                Box::pin(async move {
                    let io = |e: std::io::Error| {
                        Error::invalid(format!("cannot read {}: {e}", path.display()))
                    };
                    let file = tokio::fs::File::open(&path).await.map_err(io)?;
                    let now = file.metadata().await.map_err(io)?.len();
                    if now != len {
                        return Err(Error::invalid(format!(
                            "{} changed size while it was being uploaded",
                            path.display()
                        )));
                    }
                    let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(file));
                    request(form(body)?)
                })
            }),
        };
        osigu.send_rebuilt(op, build).await
    }

    async fn into_bytes(self) -> Result<Vec<u8>, Error> {
        let read = |reason: String| Error::invalid(format!("cannot read the upload: {reason}"));
        match self.source {
            Source::Bytes(bytes) => Ok(bytes.to_vec()),
            Source::Path(path) => {
                let bytes = tokio::fs::read(&path)
                    .await
                    .map_err(|e| read(e.to_string()))?;
                if bytes.len() as u64 > MAX_UPLOAD_BYTES {
                    return Err(too_large(bytes.len() as u64));
                }
                Ok(bytes)
            }
            Source::Reader(mut reader) => {
                use tokio::io::AsyncReadExt;
                let mut bytes = Vec::with_capacity(self.len as usize);
                (&mut reader)
                    .take(MAX_UPLOAD_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .await
                    .map_err(|e| read(e.to_string()))?;
                if bytes.len() as u64 > MAX_UPLOAD_BYTES {
                    return Err(too_large(bytes.len() as u64));
                }
                Ok(bytes)
            }
        }
    }
}

impl Osigu {
    /// Uploads a document (prescription, medical order, member card…) to a
    /// pre-authorization request as multipart form data, under the document
    /// type the sponsor names it by.
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu) -> Result<(), osigu::Error> {
    /// let file = osigu::Upload::from_path("indication.pdf").await?;
    /// osigu.attach_indication("areq_1", "PRESCRIPTION", file).await?;
    /// # Ok(()) }
    /// ```
    pub async fn attach_indication(
        &self,
        authorization_request_id: impl std::fmt::Display,
        document_type_slug: &str,
        upload: Upload,
    ) -> Result<(), Error> {
        let op = operations::named("uploadAuthorizationRequestFile");
        let query = [("document_type_slug", document_type_slug)];
        let id = authorization_request_id.to_string();
        let _: serde::de::IgnoredAny = upload.send_as_form(self, op, &id, &query, None).await?;
        Ok(())
    }

    /// Attaches an indication as Base64 inside JSON, for integrations that
    /// cannot send multipart. The whole file is held in memory.
    pub async fn attach_indication_base64(
        &self,
        authorization_request_id: &str,
        file_type: &str,
        upload: Upload,
    ) -> Result<types::IndicationResource, Error> {
        let file_name = upload.file_name.clone();
        let bytes = upload.into_bytes().await?;
        // The JSON is written around the Base64 text rather than through
        // serde_json, so the encoded file exists once (Base64 needs no escaping).
        let head =
            serde_json::json!({ "file_type": file_type, "file_name": file_name }).to_string();
        let mut body = String::with_capacity(head.len() + 16 + bytes.len().div_ceil(3) * 4);
        body.push_str(&head[..head.len() - 1]);
        body.push_str(",\"content\":\"");
        base64::engine::general_purpose::STANDARD.encode_string(&bytes, &mut body);
        drop(bytes);
        body.push_str("\"}");
        let op = operations::named("attachAuthorizationRequestIndicationBase64");
        let request = accept_json(self.http().post(self.url(op, authorization_request_id)))
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)
            .build()
            .map_err(|e| Error::invalid(e.without_url().to_string()))?;
        self.send_outgoing(op, Outgoing::Request(request)).await
    }

    /// Attaches an invoice, credit note or supporting document to an open
    /// settlement batch.
    pub async fn upload_settlement_document(
        &self,
        settlement_id: &str,
        document_type: &str,
        upload: Upload,
    ) -> Result<types::SettlementDocumentResource, Error> {
        let op = operations::named("uploadSettlementDocument");
        upload
            .send_as_form(
                self,
                op,
                settlement_id,
                &[],
                Some(("document_type", document_type)),
            )
            .await
    }
}

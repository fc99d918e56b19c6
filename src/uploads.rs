//! Documents sent to Osigu: indications for a pre-authorization (multipart
//! or Base64 JSON) and settlement documents (multipart). Normalisation left
//! these to hand-written code because progenitor cannot send multipart.
//!
//! Sizes are checked before anything is sent: Osigu refuses files over
//! 25 MB, and finding out after uploading them wastes the upload budget
//! (20 a minute). Multipart bodies stream from their file or reader, so
//! memory stays flat whatever the size; they are sent once, never retried,
//! because a stream cannot be replayed.

use std::path::Path;

use base64::Engine as _;
use tokio::io::AsyncRead;

use crate::operations::Operation;
use crate::rate_limit::Category;
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
    Bytes(Vec<u8>),
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
            source: Source::Bytes(bytes),
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
        let file = tokio::fs::File::open(path).await.map_err(io)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "upload".into());
        Ok(Self {
            mime: mime_for(&file_name).to_owned(),
            file_name,
            len,
            source: Source::Reader(Box::new(file)),
        })
    }

    /// An upload streamed from any reader of `len` bytes.
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

    /// A form with the document kind under `kind_field` and the file as `file`.
    fn into_form(
        self,
        kind_field: &'static str,
        kind: &str,
    ) -> Result<reqwest::multipart::Form, Error> {
        Ok(reqwest::multipart::Form::new()
            .text(kind_field, kind.to_owned())
            .part("file", self.into_part()?))
    }

    fn into_part(self) -> Result<reqwest::multipart::Part, Error> {
        let body = match self.source {
            Source::Bytes(bytes) => reqwest::Body::from(bytes),
            Source::Reader(reader) => {
                reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(reader))
            }
        };
        reqwest::multipart::Part::stream_with_length(body, self.len)
            .file_name(self.file_name)
            .mime_str(&self.mime)
            .map_err(|e| Error::InvalidRequest {
                reason: format!("content type: {e}"),
            })
    }

    async fn into_bytes(self) -> Result<Vec<u8>, Error> {
        match self.source {
            Source::Bytes(bytes) => Ok(bytes),
            Source::Reader(mut reader) => {
                use tokio::io::AsyncReadExt;
                let mut bytes = Vec::with_capacity(self.len as usize);
                (&mut reader)
                    .take(MAX_UPLOAD_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .await
                    .map_err(|e| Error::InvalidRequest {
                        reason: format!("cannot read the upload: {e}"),
                    })?;
                if bytes.len() as u64 > MAX_UPLOAD_BYTES {
                    return Err(too_large(bytes.len() as u64));
                }
                Ok(bytes)
            }
        }
    }
}

impl Osigu {
    /// Attaches an indication (prescription, medical order…) to a
    /// pre-authorization request as multipart form data.
    ///
    /// ```no_run
    /// # async fn demo(osigu: &osigu::Osigu) -> Result<(), osigu::Error> {
    /// let file = osigu::Upload::from_path("indication.pdf").await?;
    /// let attached = osigu.attach_indication("areq_1", "PRESCRIPTION", file).await?;
    /// # Ok(()) }
    /// ```
    pub async fn attach_indication(
        &self,
        authorization_request_id: &str,
        file_type: &str,
        upload: Upload,
    ) -> Result<types::IndicationResource, Error> {
        let form = upload.into_form("file_type", file_type)?;
        let op = Operation {
            id: "attachAuthorizationRequestIndication",
            method: "POST",
            template: "/arc/v1/authorization-requests/{id}/indications",
        };
        self.post_raw(
            Category::Uploads,
            op,
            ("id", authorization_request_id),
            |post| post.multipart(form),
        )
        .await
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
        let op = Operation {
            id: "attachAuthorizationRequestIndicationBase64",
            method: "POST",
            template: "/arc/v1/authorization-requests/{id}/indications/base64",
        };
        self.post_raw(
            Category::Uploads,
            op,
            ("id", authorization_request_id),
            |post| {
                post.header(http::header::CONTENT_TYPE, "application/json")
                    .body(body)
            },
        )
        .await
    }

    /// Attaches an invoice, credit note or supporting document to an open
    /// settlement batch.
    pub async fn upload_settlement_document(
        &self,
        settlement_id: &str,
        document_type: &str,
        upload: Upload,
    ) -> Result<types::SettlementDocumentResource, Error> {
        let form = upload.into_form("document_type", document_type)?;
        let op = Operation {
            id: "uploadSettlementDocument",
            method: "POST",
            template: "/v3/settlements/{settlement_id}/documents",
        };
        self.post_raw(
            Category::Uploads,
            op,
            ("settlement_id", settlement_id),
            |post| post.multipart(form),
        )
        .await
    }
}

//! Files sent to Osigu, and the Base64 indication upload.
//!
//! Multipart operations are generated like every other operation: their
//! builders take each part by name, a file part as an [`Upload`]
//! (`osigu.upload_authorization_request_file().id(…).file(upload).send()`).
//! Sizes are checked before anything is sent: Osigu refuses files over
//! 25 MB, and finding out after uploading them wastes the upload budget
//! (20 a minute). File parts stream from their file or reader, so memory
//! stays flat whatever the size. An upload from a path or from bytes can
//! be sent again (the file is reopened), so it is retried like any other
//! call of its write class; one from a reader is sent once.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use tokio::io::AsyncRead;

use crate::engine::{Outgoing, accept_json, built};
use crate::operations;
use crate::{Error, Osigu, types};

/// The largest file Osigu accepts: 25 MB.
pub const MAX_UPLOAD_BYTES: u64 = 25 * 1024 * 1024;

/// A file to upload, and where its bytes come from: the value every file
/// part of a generated multipart operation takes.
///
/// ```no_run
/// # async fn demo(osigu: &osigu::Osigu) -> Result<(), osigu::Error> {
/// let file = osigu::Upload::from_path("indication.pdf").await?;
/// osigu
///     .upload_authorization_request_file()
///     .id("areq_1")
///     .document_type_slug("PRESCRIPTION")
///     .file(file)
///     .send()
///     .await?;
/// # Ok(()) }
/// ```
pub struct Upload {
    pub(crate) file_name: String,
    pub(crate) mime: String,
    pub(crate) len: u64,
    pub(crate) source: Source,
}

pub(crate) enum Source {
    Bytes(bytes::Bytes),
    Path(PathBuf),
    Reader(Box<dyn AsyncRead + Send + Sync + Unpin>),
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The file name of a health document can name the patient.
        f.debug_struct("Upload")
            .field("file_name", &"[redacted]")
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
        // The error leaves the path out: the file name of a health
        // document can name the patient, and errors get logged.
        let io = |e: std::io::Error| Error::InvalidRequest {
            reason: format!("cannot read the upload: {e}"),
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
            .build();
        let request = built(request)?;
        self.send_outgoing(op, Outgoing::request(request)).await
    }
}

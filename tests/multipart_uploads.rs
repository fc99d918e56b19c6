//! The generated multipart operations (`upload_authorization_request_file`,
//! `upload_settlement_document`) against the embedded sandbox and a mock:
//! the parts and query parameters as sent, a file streamed from disk, the
//! 25 MB limit checked before anything leaves, and retries by whether the
//! body can be sent again.
//!
//! The retries are tested against the mock, which reads a request whole
//! before it answers, as a buffering gateway does. The sandbox's injected
//! faults answer before reading the body: a streamed upload then races the
//! server closing the connection, and a create whose body could not be
//! written ends as `Error::OutcomeUnknown`, by the create rule.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::api_requests;
use osigu::{Environment, Error, Osigu, RateLimits, RetryPolicy, Upload, types};
use osigu_sandbox::Sandbox;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const DOCUMENTS: &str = "POST /v3/settlements/{settlement_id}/documents";

/// A file of `content` in a folder of its own, removed on drop.
struct TempFile {
    dir: PathBuf,
    path: PathBuf,
}

impl TempFile {
    fn new(test: &str, name: &str, content: &[u8]) -> Self {
        let dir = std::env::temp_dir().join(format!("osigu-mp-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        Self { dir, path }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fast_retries(builder: osigu::OsiguBuilder) -> osigu::OsiguBuilder {
    builder.rate_limits(RateLimits::off()).retry(RetryPolicy {
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(2),
        ..RetryPolicy::default()
    })
}

async fn against_mock(server: &MockServer) -> Osigu {
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tok", "token_type": "bearer", "expires_in": 3600
        })))
        .mount(server)
        .await;
    fast_retries(
        Osigu::builder()
            .environment(Environment::Custom(server.uri()))
            .credentials("id", "secret"),
    )
    .build()
    .unwrap()
}

async fn open_batch(osigu: &Osigu) -> String {
    let body: types::StartSettlementBatchRequest =
        serde_json::from_value(json!({ "sponsor_slug": "demo-insurer" })).unwrap();
    let batch = osigu
        .start_settlement_batch()
        .body(body)
        .send()
        .await
        .unwrap();
    batch
        .settlement_id
        .clone()
        .expect("the batch has an id")
        .to_string()
}

#[tokio::test]
async fn the_sandbox_stores_a_document_streamed_from_disk_with_its_parts() {
    let sandbox = Sandbox::start().await.unwrap();
    let osigu = fast_retries(
        Osigu::builder()
            .environment(Environment::Custom(sandbox.base_url().to_owned()))
            .credentials(sandbox.client_id(), sandbox.client_secret()),
    )
    .build()
    .unwrap();
    let batch = open_batch(&osigu).await;
    let file = TempFile::new("sandbox", "factura-0001.xml", b"<factura numero=\"1\"/>");

    let stored = osigu
        .upload_settlement_document()
        .settlement_id(&batch)
        .document_type("INVOICE")
        .file(Upload::from_path(&file.path).await.unwrap())
        .send()
        .await
        .unwrap();

    assert_eq!(stored.status().as_u16(), 201);
    let stored = serde_json::to_value(stored.into_inner()).unwrap();
    assert_eq!(stored["document_type"], "INVOICE", "{stored}");
    assert_eq!(stored["file_name"], "factura-0001.xml", "{stored}");
    assert_eq!(sandbox.counters().applied_to(DOCUMENTS), 1);

    // Without its required part the sandbox is never asked.
    let error = osigu
        .upload_settlement_document()
        .settlement_id(&batch)
        .file(Upload::from_bytes("x.pdf", b"%PDF".to_vec()).unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest { reason } if reason.contains("document_type")),
        "{error:?}"
    );
    assert_eq!(sandbox.counters().requests_to(DOCUMENTS), 1);
}

#[tokio::test]
async fn every_part_and_query_parameter_goes_out_under_its_name() {
    let server = MockServer::start().await;
    let osigu = against_mock(&server).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({})))
        .mount(&server)
        .await;

    osigu
        .upload_authorization_request_file()
        .id("areq 7")
        .coverage("PRESCRIPTION_DRUGS")
        .product_type("DRUG")
        .document_type_slug("gt-prescription")
        .authorization_id(42)
        .file(Upload::from_bytes("receta.pdf", b"%PDF-1.7 receta".to_vec()).unwrap())
        .send()
        .await
        .unwrap();
    osigu
        .upload_settlement_document()
        .settlement_id("stl_1")
        .document_type("SUPPORTING_DOCUMENT")
        .file(
            Upload::from_bytes("soporte.bin", vec![0, 159, 146, 150])
                .unwrap()
                .mime("image/tiff"),
        )
        .send()
        .await
        .unwrap();

    let sent = api_requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[0].url.path(),
        "/arc/v1/authorization-requests/areq%207/files"
    );
    let query: Vec<(String, String)> = sent[0].url.query_pairs().into_owned().collect();
    let mut query: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    query.sort();
    assert_eq!(
        query,
        [
            ("authorization_id", "42"),
            ("coverage", "PRESCRIPTION_DRUGS"),
            ("document_type_slug", "gt-prescription"),
            ("product_type", "DRUG"),
        ]
    );
    for request in &sent {
        let content_type = request.headers["content-type"].to_str().unwrap();
        assert!(
            content_type.starts_with("multipart/form-data; boundary="),
            "{content_type}"
        );
        assert_eq!(request.headers["authorization"], "Bearer tok");
        // The length is known before the body streams.
        let length: usize = request.headers["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(length, request.body.len());
    }
    let first = String::from_utf8_lossy(&sent[0].body);
    assert_eq!(first.matches("Content-Disposition").count(), 1, "{first}");
    assert!(first.contains("Content-Disposition: form-data; name=\"file\"; filename=\"receta.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7 receta\r\n"), "{first}");

    let second = &sent[1].body;
    let text = String::from_utf8_lossy(second);
    assert_eq!(text.matches("Content-Disposition").count(), 2, "{text}");
    let document_type = text
        .find("name=\"document_type\"\r\n\r\nSUPPORTING_DOCUMENT\r\n")
        .expect("the document_type part");
    let file = text
        .find("name=\"file\"; filename=\"soporte.bin\"\r\nContent-Type: image/tiff\r\n\r\n")
        .expect("the file part");
    assert!(document_type < file, "parts in the spec's order: {text}");
    let bytes: &[u8] = &[0, 159, 146, 150];
    assert!(
        second.windows(4).any(|w| w == bytes),
        "binary content intact"
    );
}

#[tokio::test]
async fn an_upload_from_a_path_is_sent_whole_again_after_a_503() {
    let server = MockServer::start().await;
    let osigu = against_mock(&server).await;
    Mock::given(method("POST"))
        .and(path("/v3/settlements/stl_1/documents"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/settlements/stl_1/documents"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": "doc_1" })))
        .mount(&server)
        .await;
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let file = TempFile::new("retry", "factura.pdf", &content);

    let stored = osigu
        .upload_settlement_document()
        .settlement_id("stl_1")
        .document_type("INVOICE")
        .file(Upload::from_path(&file.path).await.unwrap())
        .send()
        .await
        .unwrap();

    assert_eq!(stored.id.as_deref(), Some("doc_1"));
    let sent = api_requests(&server).await;
    assert_eq!(sent.len(), 2, "one 503, one retry");
    for request in &sent {
        assert!(
            request
                .body
                .windows(content.len())
                .any(|w| w == content.as_slice()),
            "every attempt carries the whole file"
        );
        assert!(
            String::from_utf8_lossy(&request.body)
                .contains("name=\"document_type\"\r\n\r\nINVOICE")
        );
    }
}

#[tokio::test]
async fn an_upload_from_a_reader_is_sent_once_and_a_503_is_a_typed_error() {
    let server = MockServer::start().await;
    let osigu = against_mock(&server).await;
    Mock::given(method("POST"))
        .and(path("/v3/settlements/stl_1/documents"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({
            "error_code": "071-503", "message": "try later"
        })))
        .mount(&server)
        .await;
    let content = b"%PDF-1.7 from a socket".to_vec();
    let reader = std::io::Cursor::new(content.clone());

    let error = osigu
        .upload_settlement_document()
        .settlement_id("stl_1")
        .document_type("INVOICE")
        .file(Upload::from_reader("stream.pdf", content.len() as u64, reader).unwrap())
        .send()
        .await
        .unwrap_err();

    match &error {
        Error::Api(api) => assert_eq!(api.status, 503, "{error:?}"),
        other => panic!("expected Error::Api(503), got {other:?}"),
    }
    let sent = api_requests(&server).await;
    assert_eq!(sent.len(), 1, "a reader cannot be read twice");
    assert!(
        sent[0]
            .body
            .windows(content.len())
            .any(|w| w == content.as_slice())
    );
}

#[tokio::test]
async fn a_file_over_25_mb_is_refused_before_any_byte_is_sent() {
    let server = MockServer::start().await;
    let osigu = against_mock(&server).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({})))
        .mount(&server)
        .await;
    let limit = osigu::MAX_UPLOAD_BYTES;

    // A reader that says it is larger than the limit is refused at once.
    let big = Upload::from_reader("big.pdf", limit + 1, std::io::Cursor::new(Vec::new()));
    assert!(matches!(big, Err(Error::UploadTooLarge { .. })), "{big:?}");

    // A file that was within the limit when checked and has grown past it
    // since is refused when the call reopens it, before the request.
    let file = TempFile::new("grown", "scan.pdf", b"%PDF-1.7 small");
    let upload = Upload::from_path(&file.path).await.unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file.path)
        .unwrap()
        .set_len(limit + 1024)
        .unwrap();
    let error = osigu
        .upload_authorization_request_file()
        .id("areq_1")
        .document_type_slug("gt-prescription")
        .file(upload)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::UploadTooLarge { bytes, limit: l } if bytes == limit + 1024 && l == limit),
        "{error:?}"
    );
    assert!(
        api_requests(&server).await.is_empty(),
        "nothing reached the server"
    );
}

#[test]
fn both_uploads_are_generated_creates_paced_by_the_uploads_bucket() {
    use osigu::operations::{Bucket, WriteClass, find};
    for id in ["uploadAuthorizationRequestFile", "uploadSettlementDocument"] {
        let op = find(id).unwrap_or_else(|| panic!("{id} is in the table"));
        assert!(op.generated, "{id}");
        assert_eq!(op.bucket, Bucket::Uploads, "{id}");
        assert_eq!(op.class, WriteClass::Create, "{id}");
    }
}

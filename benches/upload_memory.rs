//! Peak memory of a 25 MB multipart upload (the generated
//! `upload_authorization_request_file`), streamed from a file to a local
//! server that reads the body chunk by chunk and keeps none of it.
//!
//! The figure is the growth of the process's peak resident set (`VmHWM` in
//! /proc/self/status) across the upload, compared with the file size; the
//! Base64 upload, which must hold the file in memory, is measured after it
//! as the baseline that does buffer.
//!
//! `cargo bench --bench upload_memory`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::body::Body;
use axum::routing::post;
use futures_util::StreamExt;
use serde_json::json;

const SIZE: u64 = 25 * 1024 * 1024;

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn serve(received: Arc<AtomicU64>) -> String {
    let drain = move |body: Body| {
        let received = Arc::clone(&received);
        async move {
            let mut stream = body.into_data_stream();
            while let Some(Ok(chunk)) = stream.next().await {
                received.fetch_add(chunk.len() as u64, Ordering::SeqCst);
            }
            (
                axum::http::StatusCode::CREATED,
                Json(json!({ "file_type": "PRESCRIPTION" })),
            )
        }
    };
    let app = axum::Router::new()
        .route(
            "/v1/oauth/token",
            post(|| async {
                Json(json!({ "access_token": "t", "token_type": "bearer", "expires_in": 3600 }))
            }),
        )
        .route(
            "/arc/v1/authorization-requests/{id}/files",
            post(drain.clone()),
        )
        .route(
            "/arc/v1/authorization-requests/{id}/indications/base64",
            post(drain),
        )
        .layer(axum::extract::DefaultBodyLimit::disable());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let received = Arc::new(AtomicU64::new(0));
    let base = serve(Arc::clone(&received)).await;
    let osigu = osigu::Osigu::builder()
        .environment(osigu::Environment::Custom(base))
        .credentials("bench", "bench-secret")
        .build()
        .unwrap();
    let path = std::env::temp_dir().join(format!("osigu-upload-bench-{}.pdf", std::process::id()));
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&path).unwrap();
        let block = vec![0x25u8; 1024 * 1024];
        for _ in 0..25 {
            file.write_all(&block).unwrap();
        }
    }
    // Warm up: token, connection.
    osigu
        .upload_authorization_request_file()
        .id("areq_0")
        .document_type_slug("PRESCRIPTION")
        .file(osigu::Upload::from_bytes("a.pdf", b"%PDF".to_vec()).unwrap())
        .send()
        .await
        .unwrap();

    let before = peak_rss_kib();
    let start_peak = before;
    let upload = osigu::Upload::from_path(&path).await.unwrap();
    osigu
        .upload_authorization_request_file()
        .id("areq_1")
        .document_type_slug("PRESCRIPTION")
        .file(upload)
        .send()
        .await
        .unwrap();
    let streamed = peak_rss_kib() - before;
    let sent = received.load(Ordering::SeqCst);

    let before = peak_rss_kib();
    let upload = osigu::Upload::from_path(&path).await.unwrap();
    osigu
        .attach_indication_base64("areq_2", "PRESCRIPTION", upload)
        .await
        .unwrap();
    let buffered = peak_rss_kib() - before;
    std::fs::remove_file(&path).unwrap();

    let file_kib = SIZE / 1024;
    println!(
        "25 MB upload, growth of peak RSS during the upload (process peak before it: {:.1} MB):",
        start_peak as f64 / 1024.0
    );
    println!("| upload | peak RSS growth | × file size (target < 2) |");
    println!("| --- | --- | --- |");
    println!(
        "| multipart, streamed from the file ({} bytes reached the server) | {:.1} MB | {:.2} |",
        sent,
        streamed as f64 / 1024.0,
        streamed as f64 / file_kib as f64
    );
    println!(
        "| Base64 JSON (buffers by design), for comparison | {:.1} MB | {:.2} |",
        buffered as f64 / 1024.0,
        buffered as f64 / file_kib as f64
    );
}

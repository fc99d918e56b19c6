//! Helpers shared by several test binaries; each binary uses some of them.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

/// Everything `tracing` emits while the returned guard lives, at every
/// level and from every crate.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Starts capturing on this thread.
    pub fn trace() -> (Self, tracing::subscriber::DefaultGuard) {
        let captured = Self::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }

    /// What was captured so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A reqwest client with no timers of its own, for tests on tokio's paused
/// clock: an idle runtime jumps to the next timer, so a request timeout or
/// the idle-pool timer would fire while a socket read is pending.
pub fn untimed_http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap()
}

/// What reached a mock Osigu besides the token endpoint, in order.
pub async fn api_requests(server: &wiremock::MockServer) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() != "/v1/oauth/token")
        .collect()
}

#[cfg(feature = "redis")]
pub mod redis_server;

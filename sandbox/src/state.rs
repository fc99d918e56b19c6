//! The application state every handler and the middleware share.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::clock::Clock;
use crate::config::SandboxConfig;
use crate::counters::Counters;
use crate::faults::Installed;
use crate::store::Db;

/// The state handlers extract.
pub(crate) type Shared = axum::extract::State<Arc<App>>;

pub(crate) struct App {
    pub config: SandboxConfig,
    pub base_url: String,
    pub clock: Clock,
    pub db: Mutex<Db>,
    pub counters: Mutex<Counters>,
    pub faults: Arc<Installed>,
    pub events: Mutex<Vec<Value>>,
    pub tasks: Mutex<JoinSet<()>>,
    pub http: reqwest::Client,
}

impl App {
    pub(crate) fn new(config: SandboxConfig, base_url: String) -> Self {
        let clock = Clock::new();
        let db = Db::seeded(clock.now());
        Self {
            config,
            base_url,
            clock,
            db: Mutex::new(db),
            counters: Mutex::new(Counters::default()),
            faults: Arc::default(),
            events: Mutex::new(Vec::new()),
            tasks: Mutex::new(JoinSet::new()),
            http: webhook_client(),
        }
    }

    pub(crate) fn db(&self) -> MutexGuard<'_, Db> {
        self.db.lock().expect("sandbox state lock")
    }

    pub(crate) fn count(&self, f: impl FnOnce(&mut Counters)) {
        f(&mut self.counters.lock().expect("counters lock"));
    }

    /// A fresh bearer token for the configured client (the only one).
    pub(crate) fn mint_token(&self) -> String {
        let token = random_hex(32);
        let now = Instant::now();
        let mut db = self.db();
        // Forgotten once expired, so a long run keeps only live tokens.
        db.tokens.retain(|_, expires_at| *expires_at > now);
        db.tokens
            .insert(token.clone(), now + self.config.token_lifetime_value());
        token
    }

    /// Runs `work` in the background until it finishes or the sandbox is
    /// dropped.
    pub(crate) fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        let mut tasks = self.tasks.lock().expect("tasks lock");
        while tasks.try_join_next().is_some() {}
        tasks.spawn(work);
    }

    pub(crate) fn shutdown(&self) {
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.abort_all();
        }
    }
}

fn webhook_client() -> reqwest::Client {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        // Err means the process already has a default provider: keep it.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
        .user_agent(concat!("osigu-sandbox/", env!("CARGO_PKG_VERSION")))
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the webhook HTTP client builds")
}

/// Lowercase hex of `bytes` random bytes.
pub(crate) fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", fastrand::u8(..)))
        .collect()
}

/// A random version-4 UUID.
pub(crate) fn random_uuid() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(std::array::from_fn(|_| fastrand::u8(..))).into_uuid()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn expired_tokens_are_forgotten_when_new_ones_are_minted() {
        let config = SandboxConfig::default().token_lifetime(Duration::from_secs(60));
        let app = App::new(config, "http://127.0.0.1:1".to_owned());
        for _ in 0..100 {
            app.mint_token();
            tokio::time::advance(Duration::from_secs(61)).await;
        }
        let kept = app.mint_token();
        let tokens = &app.db().tokens;
        assert_eq!(tokens.len(), 1);
        assert!(tokens.contains_key(&kept));
    }
}

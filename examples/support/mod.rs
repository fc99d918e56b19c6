//! How the examples connect: to the embedded sandbox, or to Osigu when
//! `OSIGU_CLIENT_ID` is set. Each example's flow is in the example itself.

#![allow(dead_code)] // each example uses a different part

use std::error::Error;

use osigu::Osigu;
use osigu_sandbox::Sandbox;

/// What an example talks to.
pub struct Connection {
    pub osigu: Osigu,
    /// Set when running against the embedded sandbox.
    pub sandbox: Option<Sandbox>,
}

impl Connection {
    /// The one-time code the beneficiary would read out: the sandbox's
    /// fixed test code, or `OSIGU_OTP_CODE` against a real environment.
    pub fn otp_code(&self) -> String {
        match &self.sandbox {
            Some(sandbox) => sandbox.config().otp_code_value().to_owned(),
            None => std::env::var("OSIGU_OTP_CODE").unwrap_or_default(),
        }
    }

    /// The webhook signing secret Osigu issued at onboarding.
    pub fn webhook_secret(&self) -> String {
        match &self.sandbox {
            Some(sandbox) => sandbox.config().webhook_secret_value().to_owned(),
            None => std::env::var("OSIGU_WEBHOOK_SECRET").unwrap_or_default(),
        }
    }
}

/// The embedded sandbox when `OSIGU_CLIENT_ID` is unset; otherwise the
/// environment `OSIGU_CLIENT_ID`, `OSIGU_CLIENT_SECRET` and
/// `OSIGU_ENVIRONMENT` describe.
pub async fn connect() -> Result<Connection, Box<dyn Error + Send + Sync>> {
    if std::env::var_os("OSIGU_CLIENT_ID").is_some() {
        let osigu = Osigu::from_env()?;
        println!("Using {} (from OSIGU_ENVIRONMENT)\n", osigu.base_url());
        return Ok(Connection {
            osigu,
            sandbox: None,
        });
    }
    let sandbox = Sandbox::start().await?;
    println!(
        "OSIGU_CLIENT_ID is not set: running against the embedded sandbox at {}\n",
        sandbox.base_url()
    );
    let osigu = against(&sandbox)?;
    Ok(Connection {
        osigu,
        sandbox: Some(sandbox),
    })
}

/// A client for `sandbox` with its test credentials.
pub fn against(sandbox: &Sandbox) -> Result<Osigu, osigu::Error> {
    sandbox.client()
}

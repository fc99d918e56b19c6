//! `osigu-sandbox`: runs the sandbox as a standalone server.
//!
//! ```text
//! cargo run -p osigu-sandbox -- --port 8080 [--client-id ID --client-secret SECRET]
//! ```

use std::process::ExitCode;

use osigu_sandbox::{Sandbox, SandboxConfig};

const USAGE: &str = "usage: osigu-sandbox [--port PORT] [--client-id ID] [--client-secret SECRET]";

fn parse(args: &[String]) -> Result<SandboxConfig, String> {
    let mut config = SandboxConfig::default();
    let mut port = 8080u16;
    let mut client_id = config.client_id_value().to_owned();
    let mut secret = config.client_secret_value().to_owned();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--port" => {
                port = value()?
                    .parse()
                    .map_err(|_| format!("--port takes a number from 0 to 65535\n{USAGE}"))?;
            }
            "--client-id" => client_id = value()?,
            "--client-secret" => secret = value()?,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    config = config.port(port).credentials(client_id, secret);
    Ok(config)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse(&args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let sb = match Sandbox::start_with(config).await {
            Ok(sb) => sb,
            Err(e) => {
                eprintln!("cannot start the sandbox: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("Osigu sandbox listening on {}", sb.base_url());
        println!("  client id:     {}", sb.client_id());
        println!("  client secret: {}", sb.client_secret());
        println!("  OTP test code: {}", sb.config().otp_code_value());
        println!("Press Ctrl-C to stop.");
        let _ = tokio::signal::ctrl_c().await;
        println!("stopping");
        ExitCode::SUCCESS
    })
}

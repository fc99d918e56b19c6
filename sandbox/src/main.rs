//! `osigu-sandbox`: runs the sandbox as a standalone server.
//!
//! ```text
//! cargo run -p osigu-sandbox -- --port 8080 [--client-id ID --client-secret SECRET]
//!     [--every N:STATUS]...
//! ```
//!
//! `--every 4:503 --every 6:429` answers every 4th API request with 503 and
//! every 6th with 429 before handling it, to try a client against transient
//! faults. On Ctrl-C it prints how many requests each route received and
//! applied.

use std::process::ExitCode;

use osigu_sandbox::{Fault, Sandbox, SandboxConfig};

const USAGE: &str = "usage: osigu-sandbox [--port PORT] [--client-id ID] [--client-secret SECRET] [--every N:STATUS]...";

/// `4:503` → (4, 503).
fn every(value: &str) -> Result<(u64, u16), String> {
    let parsed = value.split_once(':').and_then(|(n, status)| {
        let n: u64 = n.parse().ok().filter(|n| *n > 0)?;
        let status: u16 = status.parse().ok().filter(|s| (400..600).contains(s))?;
        Some((n, status))
    });
    parsed.ok_or_else(|| {
        format!("--every takes N:STATUS, e.g. 4:503 (N > 0, STATUS 400-599)\n{USAGE}")
    })
}

fn parse(args: &[String]) -> Result<(SandboxConfig, Fault), String> {
    let mut fault = Fault::new();
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
            "--every" => {
                let (n, status) = every(&value()?)?;
                fault = fault.every(n, status);
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    config = config.port(port).credentials(client_id, secret);
    Ok((config, fault))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (config, fault) = match parse(&args) {
        Ok(parsed) => parsed,
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
        if !fault.every_value().is_empty() {
            for (n, status) in fault.every_value() {
                println!("Injecting {status} on every {n}th API request");
            }
            sb.faults().set("*", fault);
        }
        println!("Osigu sandbox listening on {}", sb.base_url());
        // The secret and the OTP code are never printed: they are the
        // defaults documented on SandboxConfig, or what was passed in.
        println!("  client id:     {}", sb.client_id());
        println!("  client secret and OTP code: see SandboxConfig's documentation");
        println!("Press Ctrl-C to stop.");
        let _ = tokio::signal::ctrl_c().await;
        let counters = sb.counters();
        println!("stopping; requests received and applied per route:");
        for (route, received) in &counters.requests {
            println!("  {received:>4} {:>4}  {route}", counters.applied_to(route));
        }
        println!("  429 answers: {}", counters.rate_limited);
        ExitCode::SUCCESS
    })
}

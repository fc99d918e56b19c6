//! Developer commands for the osigu workspace: `cargo xtask <command>`.

mod corpus;
mod paths;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  corpus [--dir DIR]   generate and compile a client for every spec in DIR
                       (default: ../shared/reference/real-specs) and print a table
  surface              print the generated surface of openapi.json
  report               print the normalisation report of openapi.json
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("corpus") => corpus::run(&args[1..]),
        Some("surface") => print_spec(|n, g| Ok(osigu_codegen::surface(n, g)?.to_string())),
        Some("report") => print_spec(|n, _| Ok(n.report.to_string())),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown or missing command\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

type Render = fn(
    &osigu_codegen::Normalised,
    &osigu_codegen::Generated,
) -> Result<String, osigu_codegen::CodegenError>;

fn print_spec(render: Render) -> Result<(), String> {
    let path = paths::workspace_root().join("openapi.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let raw: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    let normalised = osigu_codegen::normalise(&raw).map_err(|e| e.to_string())?;
    let generated =
        osigu_codegen::generate(&normalised.spec, &osigu_codegen::GenerateOptions::default())
            .map_err(|e| e.to_string())?;
    print!(
        "{}",
        render(&normalised, &generated).map_err(|e| e.to_string())?
    );
    Ok(())
}

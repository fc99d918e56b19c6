//! Developer commands for the osigu workspace: `cargo xtask <command>`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use xtask::update_spec::{Source, UpdateOptions, update_spec};
use xtask::{corpus, examples, paths, reference};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  update-spec [--url URL | --file PATH] [--dry-run] [--summary-file PATH] [--timeout SECS]
                       replace openapi.json with a new release of the spec
                       (default URL: https://auth-docs.osigu.com/openapi.json)
                       if the SDK still generates from it, and print what
                       changed with a semver verdict
  reference [--spec FILE] [--dir DIR]
                       check openapi.json (or FILE) against the reference folder
                       DIR (default: $OSIGU_REFERENCE_DIR or ../shared/reference):
                       evidence marks, cited sources, catalogue rows and schema
                       pages, and that the fixtures standing for documented
                       JSON bodies still match them; for an official
                       release, report how it differs
  corpus [--dir DIR] [SPEC.json ...]
                       generate and compile a client for every spec in DIR
                       and every SPEC.json named (default: the specs in
                       ../shared/reference/real-specs) and print a table:
                       operations, generated, hand-written, compile result
  surface              print the generated surface of openapi.json
  report               print the normalisation report of openapi.json
  api                  print the public Rust items generated from openapi.json
  generate --out DIR   write the files build.rs generates (osigu_client.rs,
                       operations.md, operations.rs) into DIR
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("corpus") => corpus::run(&args[1..]),
        Some("reference") => run_reference(&args[1..]),
        Some("update-spec") => run_update_spec(&args[1..]),
        Some("surface") => print_spec(|n, g| Ok(osigu_codegen::surface(n, g)?.to_string())),
        Some("report") => print_spec(|n, _| Ok(n.report.to_string())),
        Some("generate") => generate_files(&args[1..]),
        Some("api") => print_spec(|_, g| Ok(osigu_codegen::rust_api(g)?.to_string())),
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

/// The workspace's `openapi.json`, parsed.
fn read_spec() -> Result<serde_json::Value, String> {
    read_spec_file(&paths::workspace_root().join("openapi.json"))
}

fn read_spec_file(path: &std::path::Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// The workspace's `sdk-overlay.json`, parsed.
fn read_overlay() -> Result<serde_json::Value, String> {
    let path = paths::workspace_root().join("sdk-overlay.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

fn print_spec(render: Render) -> Result<(), String> {
    let (normalised, generated) =
        osigu_codegen::sdk_pipeline(&read_spec()?, &read_overlay()?).map_err(|e| e.to_string())?;
    print!(
        "{}",
        render(&normalised, &generated).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn run_reference(args: &[String]) -> Result<(), String> {
    let mut spec_file = paths::workspace_root().join("openapi.json");
    let mut dir = paths::reference_dir();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .map(PathBuf::from)
            .ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--spec" => spec_file = value,
            "--dir" => dir = value,
            other => return Err(format!("reference: unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    let spec = read_spec_file(&spec_file)?;
    let reference = reference::Reference::load(&dir).map_err(|e| e.to_string())?;
    let report = reference::check(&spec, &reference, &reference::Expectations::default())
        .map_err(|e| e.to_string())?;
    print!("{report}");
    let fixtures = paths::workspace_root().join("tests/fixtures");
    let pages = dir.join(reference::DOCS);
    let read = |dir: &std::path::Path, name: &str| std::fs::read_to_string(dir.join(name)).ok();
    // Every page is read once; both checks look pages up here.
    let listed = std::fs::read_dir(&pages).map_err(|e| format!("{}: {e}", pages.display()))?;
    let mut texts = std::collections::BTreeMap::new();
    for entry in listed {
        let name = entry.map_err(|e| e.to_string())?.file_name();
        let name = name.to_string_lossy().into_owned();
        if let Some(text) = read(&pages, &name).filter(|_| name.ends_with(".md")) {
            texts.insert(name, text);
        }
    }
    let mut mismatches = examples::check(
        examples::STAND_INS,
        |name| read(&fixtures, name),
        |name| texts.get(name).cloned(),
    );
    mismatches.extend(examples::unaccounted(
        examples::STAND_INS,
        examples::NO_FIXTURE,
        &texts,
    ));
    for mismatch in &mismatches {
        println!("{mismatch}");
    }
    println!(
        "documented bodies: {} fixture(s) checked against the pages, {} page bod(ies) without one for a reason given, {} mismatch(es)",
        examples::STAND_INS.len(),
        examples::NO_FIXTURE.len(),
        mismatches.len()
    );
    if !report.passed() {
        return Err(format!(
            "{} reference check(s) failed for {}",
            report.problems.len(),
            spec_file.display()
        ));
    }
    if !mismatches.is_empty() {
        return Err(format!(
            "{} documented-body check(s) failed (tests/fixtures/ against osigu-docs/)",
            mismatches.len()
        ));
    }
    Ok(())
}

fn run_update_spec(args: &[String]) -> Result<(), String> {
    let options = parse_update_options(args)?;
    let root = paths::workspace_root();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let outcome = runtime
        .block_on(update_spec(&root, &options))
        .map_err(|e| format!("{e}\nopenapi.json was left unchanged."))?;
    if let Some(reason) = &outcome.previous_unusable {
        eprintln!(
            "warning: the current openapi.json could not be used ({reason}); everything is reported as new"
        );
    }
    print!("{}", outcome.release_notes());
    println!();
    match (outcome.changed, options.dry_run) {
        (false, _) => println!("openapi.json is already this release; nothing to do."),
        (true, false) if outcome.summary.is_empty() => {
            println!("openapi.json rewritten in canonical form; nothing the SDK sees has changed.")
        }
        (true, true) => {
            println!("Dry run: openapi.json would be rewritten; it was left unchanged.")
        }
        (true, false) => println!(
            "openapi.json rewritten. Next: `cargo build`, `cargo test` (the surface snapshots will \
             fail), `cargo insta review`, then commit openapi.json and sdk-overlay.json with the \
             snapshots."
        ),
    }
    if outcome.pins_changed {
        let verb = if options.dry_run { "would pin" } else { "pins" };
        println!("sdk-overlay.json {verb} the release's operation names.");
    }
    Ok(())
}

fn parse_update_options(args: &[String]) -> Result<UpdateOptions, String> {
    let mut options = UpdateOptions::default();
    let mut source_given = false;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--url" | "--file" if source_given => {
                return Err("give one of --url and --file, once".into());
            }
            "--url" => {
                options.source = Source::Url(value()?);
                source_given = true;
            }
            "--file" => {
                options.source = Source::File(PathBuf::from(value()?));
                source_given = true;
            }
            "--dry-run" => options.dry_run = true,
            "--summary-file" => options.summary_file = Some(PathBuf::from(value()?)),
            "--timeout" => {
                let raw = value()?;
                let seconds: u64 = raw.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    format!("--timeout {raw:?} is not a positive number of seconds")
                })?;
                options.timeout = Duration::from_secs(seconds);
            }
            other => {
                return Err(format!(
                    "update-spec: unknown argument {other:?}\n\n{USAGE}"
                ));
            }
        }
    }
    Ok(options)
}

fn generate_files(args: &[String]) -> Result<(), String> {
    let out = match args {
        [flag, dir] if flag == "--out" => PathBuf::from(dir),
        _ => return Err(format!("generate needs --out DIR\n\n{USAGE}")),
    };
    let files =
        osigu_codegen::sdk_files(&read_spec()?, &read_overlay()?).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    for (name, content) in files.named() {
        std::fs::write(out.join(name), content).map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    Ok(())
}

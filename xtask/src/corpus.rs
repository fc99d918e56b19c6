//! `cargo xtask corpus`: does every real springdoc spec generate, does the
//! generated client keep every operation, and does it compile? Each spec's
//! client goes into its own scratch crate under `target/xtask-corpus`,
//! sharing one target directory so the dependencies build once.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::paths;

struct Row {
    spec: String,
    operations: usize,
    hand_written: usize,
    generated: Result<(), String>,
    compiled: Option<Result<(), String>>,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let (dir, expected_specs) = match args {
        [] => (
            paths::reference_dir().join("real-specs"),
            Some(REFERENCE_CORPUS_SPECS),
        ),
        [flag, dir] if flag == "--dir" => (PathBuf::from(dir), None),
        _ => return Err("usage: cargo xtask corpus [--dir DIR]".into()),
    };
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| {
            format!(
                "cannot read {}: {e} (set OSIGU_REFERENCE_DIR or pass --dir)",
                dir.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    specs.sort();
    if specs.is_empty() {
        return Err(format!("no .json specs in {}", dir.display()));
    }
    if let Some(expected) = expected_specs {
        check_corpus_size(&dir, expected, specs.len())?;
    }

    let scratch = paths::workspace_root().join("target/xtask-corpus");
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    let mut members = Vec::new();
    for spec in &specs {
        let (row, code) = generate_one(spec);
        if let Some(code) = code {
            let member = crate_name(&row.spec);
            write_crate(&scratch.join(&member), &member, &code)?;
            members.push(member);
        }
        rows.push(row);
    }
    write_workspace(&scratch, &members)?;

    for row in rows.iter_mut().filter(|r| r.generated.is_ok()) {
        eprintln!("compiling {} ...", row.spec);
        row.compiled = Some(compile(&scratch, &crate_name(&row.spec)));
    }

    print!("{}", table(&rows));
    let failures = rows
        .iter()
        .filter(|r| !matches!(r.compiled, Some(Ok(()))))
        .count();
    if failures == 0 {
        Ok(())
    } else {
        Err(format!(
            "{failures} of {} specs did not generate and compile",
            rows.len()
        ))
    }
}

fn generate_one(path: &Path) -> (Row, Option<String>) {
    let spec = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut row = Row {
        spec,
        operations: 0,
        hand_written: 0,
        generated: Ok(()),
        compiled: None,
    };
    let raw: serde_json::Value = match std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            row.generated = Err(e);
            return (row, None);
        }
    };
    row.operations = count_operations(&raw);
    let result = osigu_codegen::normalise(&raw).and_then(|n| {
        row.hand_written = n.hand_written.len();
        let generated = osigu_codegen::generate(&n.spec, &Default::default())?;
        let surface = osigu_codegen::surface(&n, &generated)?;
        Ok((generated, surface))
    });
    match result {
        Ok((generated, surface)) => match check_surface(row.operations, &surface) {
            Ok(()) => (row, Some(generated.code)),
            Err(e) => {
                row.generated = Err(e);
                (row, None)
            }
        },
        Err(e) => {
            row.generated = Err(e.to_string());
            (row, None)
        }
    }
}

/// How many specs `real-specs/` of the shared reference holds: a folder that
/// lost or gained one is reported, not silently checked as it is.
pub const REFERENCE_CORPUS_SPECS: usize = 10;

/// The reference corpus must hold exactly the specs it is known to hold.
pub fn check_corpus_size(dir: &Path, expected: usize, found: usize) -> Result<(), String> {
    if found == expected {
        Ok(())
    } else {
        Err(format!(
            "{} holds {found} .json specs; the reference corpus has {expected}",
            dir.display()
        ))
    }
}

/// Every operation of the original spec reaches the generated client,
/// generated or listed as hand-written: none is missing from the client,
/// none is lost on the way, and at least one is generated.
pub fn check_surface(
    original_operations: usize,
    surface: &osigu_codegen::Surface,
) -> Result<(), String> {
    let missing: Vec<String> = surface
        .operations
        .iter()
        .filter(|l| l.exposure == osigu_codegen::Exposure::Missing)
        .map(|l| l.operation.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "operations absent from the generated client: {}",
            missing.join(", ")
        ));
    }
    if surface.operations.len() != original_operations {
        return Err(format!(
            "{original_operations} operations in the spec, {} in the generated surface",
            surface.operations.len()
        ));
    }
    let generated = surface
        .operations
        .iter()
        .filter(|l| matches!(l.exposure, osigu_codegen::Exposure::Generated { .. }))
        .count();
    if original_operations > 0 && generated == 0 {
        return Err("no operation was generated".into());
    }
    Ok(())
}

fn count_operations(raw: &serde_json::Value) -> usize {
    raw.get("paths")
        .and_then(|p| p.as_object())
        .map(|paths| {
            paths
                .values()
                .filter_map(|i| i.as_object())
                .map(|i| {
                    i.keys()
                        .filter(|k| osigu_codegen::HTTP_METHODS.contains(&k.as_str()))
                        .count()
                })
                .sum()
        })
        .unwrap_or(0)
}

fn crate_name(spec: &str) -> String {
    let cleaned: String = spec
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("corpus_{cleaned}")
}

/// The same client dependencies the `osigu` crate itself compiles against.
const CLIENT_DEPENDENCIES: &str = r#"progenitor-client = "=0.15.1"
reqwest = { version = "0.13", default-features = false, features = ["json", "query", "stream"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }
uuid = { version = "1", default-features = false, features = ["serde", "std"] }
regress = "0.12"
"#;

fn write_crate(dir: &Path, name: &str, code: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{CLIENT_DEPENDENCIES}"
    );
    write_if_changed(&dir.join("Cargo.toml"), &manifest)?;
    write_if_changed(&dir.join("src/lib.rs"), code)
}

fn write_workspace(scratch: &Path, members: &[String]) -> Result<(), String> {
    let list: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        list.join(", ")
    );
    write_if_changed(&scratch.join("Cargo.toml"), &manifest)
}

/// Leaves an unchanged file alone, so a rerun rebuilds nothing.
fn write_if_changed(path: &Path, content: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    std::fs::write(path, content).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn compile(scratch: &Path, member: &str) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--quiet", "--package", member])
        .current_dir(scratch)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or("cargo build failed");
    Err(first.to_owned())
}

fn table(rows: &[Row]) -> String {
    let width = rows.iter().map(|r| r.spec.len()).max().unwrap_or(4).max(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$}  {:>10}  {:>12}  {:<9}  compiled",
        "spec", "operations", "hand-written", "generated"
    );
    for r in rows {
        let generated = if r.generated.is_ok() { "yes" } else { "NO" };
        let compiled = match &r.compiled {
            Some(Ok(())) => "yes".to_owned(),
            Some(Err(e)) => format!("NO: {e}"),
            None => format!(
                "- ({})",
                r.generated.as_ref().err().map(String::as_str).unwrap_or("")
            ),
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:>10}  {:>12}  {:<9}  {compiled}",
            r.spec, r.operations, r.hand_written, generated
        );
    }
    out
}

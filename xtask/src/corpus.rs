//! `cargo xtask corpus`: does every real springdoc spec generate, and does
//! what it generates compile? Each spec's client goes into its own scratch
//! crate under `target/xtask-corpus`, sharing one target directory so the
//! dependencies build once.
//!
//! The specs are the `.json` files of a folder (`--dir DIR`, by default the
//! shared reference corpus) and any files named on the command line, so a
//! reviewer can bring their own: `cargo xtask corpus a.json b.json`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::paths;

pub const USAGE: &str = "usage: cargo xtask corpus [--dir DIR] [SPEC.json ...]";

/// One spec's line in the table.
#[derive(Debug)]
pub struct Row {
    /// The spec's file stem.
    pub spec: String,
    /// The scratch crate its client is compiled in.
    member: String,
    /// Operations in the spec as given.
    pub operations: usize,
    /// Operations the generated client has a method for.
    pub generated: usize,
    /// Operations normalisation left to hand-written code.
    pub hand_written: usize,
    /// Why the spec could not be read, normalised or generated.
    pub failed: Option<String>,
    /// The compile result, once tried.
    pub compiled: Option<Result<(), String>>,
}

/// The spec files the arguments name: every `.json` in each `--dir` (in
/// name order), then each file given by path, in the order given. With no
/// arguments, the reference corpus.
pub fn spec_files(args: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut specs = Vec::new();
    let mut args = args.iter();
    let mut any = false;
    while let Some(arg) = args.next() {
        any = true;
        match arg.as_str() {
            "--dir" => {
                let dir = args
                    .next()
                    .ok_or_else(|| format!("--dir needs a folder\n{USAGE}"))?;
                specs.extend(json_files(Path::new(dir))?);
            }
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag:?}\n{USAGE}"));
            }
            file => specs.push(PathBuf::from(file)),
        }
    }
    if !any {
        let dir = paths::reference_dir().join("real-specs");
        specs = json_files(&dir)?;
        check_corpus_size(&dir, REFERENCE_CORPUS_SPECS, specs.len())?;
    }
    if specs.is_empty() {
        return Err(format!("no specs given\n{USAGE}"));
    }
    Ok(specs)
}

fn json_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(dir)
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
    Ok(specs)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let specs = spec_files(args)?;
    let scratch = paths::workspace_root().join("target/xtask-corpus");
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    let mut members = Vec::new();
    let mut taken = HashSet::new();
    for spec in &specs {
        let (mut row, code) = generate_one(spec);
        row.member = unique_crate_name(&row.spec, &mut taken);
        if let Some(code) = code {
            write_crate(&scratch.join(&row.member), &row.member, &code)?;
            members.push(row.member.clone());
        }
        rows.push(row);
    }
    write_workspace(&scratch, &members)?;

    for row in rows.iter_mut().filter(|r| r.failed.is_none()) {
        eprintln!("compiling {} ...", row.spec);
        row.compiled = Some(compile(&scratch, &row.member));
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
        member: String::new(),
        operations: 0,
        generated: 0,
        hand_written: 0,
        failed: None,
        compiled: None,
    };
    let raw: serde_json::Value = match std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
        .and_then(|t| serde_json::from_str(&t).map_err(|e| format!("not JSON: {e}")))
    {
        Ok(v) => v,
        Err(e) => {
            row.failed = Some(e);
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
        Ok((generated, surface)) => {
            row.generated = surface
                .operations
                .iter()
                .filter(|l| matches!(l.exposure, osigu_codegen::Exposure::Generated { .. }))
                .count();
            if let Err(e) = check_surface(row.operations, &surface) {
                row.failed = Some(e);
                return (row, None);
            }
            let accounted = row.generated + row.hand_written;
            if accounted != row.operations {
                // Every operation must end up generated or listed as
                // hand-written; anything else is a pipeline bug.
                row.failed = Some(format!(
                    "{} operations are neither generated nor hand-written",
                    row.operations.abs_diff(accounted)
                ));
                return (row, None);
            }
            (row, Some(generated.code))
        }
        Err(e) => {
            row.failed = Some(e.to_string());
            (row, None)
        }
    }
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

/// A crate name from the spec's file stem; two files of the same name
/// (say, two `openapi.json` from different folders) get distinct crates.
fn unique_crate_name(spec: &str, taken: &mut HashSet<String>) -> String {
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
    let base = format!("corpus_{cleaned}");
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// The same client dependencies the `osigu` crate itself compiles against.
const CLIENT_DEPENDENCIES: &str = r#"progenitor-client = "=0.15.1"
reqwest = { version = "0.13", default-features = false, features = ["json", "query", "stream", "multipart"] }
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

/// The result table: one line per spec, then a total line.
pub fn table(rows: &[Row]) -> String {
    let width = rows.iter().map(|r| r.spec.len()).max().unwrap_or(4).max(5);
    let mut out = String::new();
    let line =
        |out: &mut String, spec: &str, ops: &str, generated: &str, hand: &str, compiled: &str| {
            let _ = writeln!(
                out,
                "{spec:<width$}  {ops:>10}  {generated:>9}  {hand:>12}  {compiled}"
            );
        };
    line(
        &mut out,
        "spec",
        "operations",
        "generated",
        "hand-written",
        "compiled",
    );
    for r in rows {
        let compiled = match (&r.failed, &r.compiled) {
            (Some(e), _) => format!("- (not generated: {e})"),
            (None, Some(Ok(()))) => "yes".to_owned(),
            (None, Some(Err(e))) => format!("NO: {e}"),
            (None, None) => "-".to_owned(),
        };
        let generated = if r.failed.is_some() {
            "-".to_owned()
        } else {
            r.generated.to_string()
        };
        line(
            &mut out,
            &r.spec,
            &r.operations.to_string(),
            &generated,
            &r.hand_written.to_string(),
            &compiled,
        );
    }
    let sum = |f: fn(&Row) -> usize| rows.iter().map(f).sum::<usize>().to_string();
    let compiled = rows
        .iter()
        .filter(|r| matches!(r.compiled, Some(Ok(()))))
        .count();
    line(
        &mut out,
        "total",
        &sum(|r| r.operations),
        &sum(|r| if r.failed.is_some() { 0 } else { r.generated }),
        &sum(|r| r.hand_written),
        &format!("{compiled} of {} specs", rows.len()),
    );
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(spec: &str, operations: usize, generated: usize, hand_written: usize) -> Row {
        Row {
            spec: spec.into(),
            member: String::new(),
            operations,
            generated,
            hand_written,
            failed: None,
            compiled: Some(Ok(())),
        }
    }

    #[test]
    fn files_named_on_the_command_line_are_taken_in_order() {
        let args = ["b.json".to_owned(), "/x/a.json".to_owned()];
        assert_eq!(
            spec_files(&args).unwrap(),
            [PathBuf::from("b.json"), PathBuf::from("/x/a.json")]
        );
    }

    #[test]
    fn a_folder_and_files_combine() {
        let dir = std::env::temp_dir().join(format!("xtask-corpus-args-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["z.json", "a.json", "notes.txt"] {
            std::fs::write(dir.join(name), "{}").unwrap();
        }
        let args = [
            "extra.json".to_owned(),
            "--dir".to_owned(),
            dir.display().to_string(),
        ];
        let files = spec_files(&args).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            files,
            [
                PathBuf::from("extra.json"),
                dir.join("a.json"),
                dir.join("z.json")
            ]
        );
    }

    #[test]
    fn bad_arguments_are_refused_with_the_usage() {
        let missing = spec_files(&["--dir".to_owned()]).unwrap_err();
        assert!(missing.contains(USAGE), "{missing}");
        let unknown = spec_files(&["--fast".to_owned()]).unwrap_err();
        assert!(
            unknown.starts_with("unknown option \"--fast\""),
            "{unknown}"
        );
    }

    #[test]
    fn crates_for_files_of_the_same_name_differ() {
        let mut taken = HashSet::new();
        assert_eq!(unique_crate_name("open-api", &mut taken), "corpus_open_api");
        assert_eq!(
            unique_crate_name("open-api", &mut taken),
            "corpus_open_api_2"
        );
    }

    #[test]
    fn the_table_shows_counts_compile_results_and_totals() {
        let mut failed = row("broken", 3, 0, 0);
        failed.failed = Some("cannot generate operation x (GET /x): boom".into());
        failed.compiled = None;
        let mut red = row("red", 2, 2, 0);
        red.compiled = Some(Err("error[E0425]: cannot find value".into()));
        let text = table(&[row("petstore", 20, 18, 2), red, failed]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "spec      operations  generated  hand-written  compiled",
                "petstore          20         18             2  yes",
                "red                2          2             0  NO: error[E0425]: cannot find value",
                "broken             3          -             0  - (not generated: cannot generate operation x (GET /x): boom)",
                "total             25         20             2  1 of 3 specs",
            ]
        );
    }
}

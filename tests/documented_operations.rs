//! Every operation the reference catalogue (`ENDPOINTS.md`) marks documented
//! must be in `openapi.json`, and every operation there must say how it is
//! evidenced.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

fn reference_dir() -> PathBuf {
    std::env::var_os("OSIGU_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference"))
}

fn spec() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Whether `openapi.json` is still our reconstruction rather than a release
/// `cargo xtask update-spec` brought in from Osigu.
fn reconstructed(spec: &Value) -> bool {
    spec["info"]["version"]
        .as_str()
        .is_some_and(|v| v.ends_with("-reconstructed"))
}

/// `/arc/v1/things/{id}` and `/arc/v1/things/:thing_id` compare equal.
fn shape(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    path.split('/')
        .map(|seg| {
            if seg.starts_with('{') || seg.starts_with(':') {
                "{}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

struct Row {
    number: String,
    method: String,
    /// Every path the row gives; one is enough when sources conflict.
    paths: Vec<String>,
    status: String,
}

/// Rows of the catalogue's operation summary table.
fn documented_rows(catalogue: &str) -> Vec<Row> {
    catalogue
        .lines()
        .filter(|l| l.starts_with("| "))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            // | # | operationId | Method | Path | Tag | Ver | Product | Status | Sources |
            if cells.len() < 10 || !cells[1].chars().next()?.is_ascii_digit() {
                return None;
            }
            let paths = cells[4]
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .filter(|p| p.starts_with('/'))
                .collect();
            Some(Row {
                number: cells[1].to_owned(),
                method: cells[3].to_owned(),
                paths,
                status: cells[8].to_owned(),
            })
        })
        .filter(|r| r.status.starts_with('D'))
        .collect()
}

fn operations(spec: &Value) -> BTreeSet<(String, String)> {
    spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_ascii_uppercase(), shape(path)))
        })
        .collect()
}

#[test]
fn every_documented_operation_is_in_openapi_json() {
    let catalogue = std::fs::read_to_string(reference_dir().join("ENDPOINTS.md"))
        .expect("../shared/reference/ENDPOINTS.md (or set OSIGU_REFERENCE_DIR)");
    let rows = documented_rows(&catalogue);
    assert!(
        rows.len() >= 35,
        "parsed only {} documented rows",
        rows.len()
    );
    let ops = operations(&spec());

    let mut missing = Vec::new();
    for row in &rows {
        // Row 1 is the OAuth token endpoint: it belongs to the SSO server,
        // not to this API, and the SDK calls it by hand.
        if row.paths.iter().any(|p| p == "/v1/oauth/token") {
            continue;
        }
        let method = row.method.split_whitespace().next().unwrap().to_owned();
        // A D-partial row may lack its prefix, so a suffix match counts.
        let found = row.paths.iter().any(|p| {
            let want = shape(p);
            ops.iter().any(|(m, path)| {
                *m == method
                    && (*path == want
                        || (row.status.starts_with("D-partial") && path.ends_with(&want)))
            })
        });
        if !found {
            missing.push(format!(
                "row {}: {} {:?}",
                row.number, row.method, row.paths
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "documented operations missing from openapi.json: {missing:#?}"
    );
}

/// While `openapi.json` is our reconstruction, every operation must say how
/// it is evidenced. Once `cargo xtask update-spec` has brought in an official
/// release (its version no longer ends in `-reconstructed`), operations that
/// came from Osigu need no evidence, and any that still carry it are checked.
#[test]
fn every_operation_carries_its_evidence() {
    let spec = spec();
    let reference = reference_dir();
    let reconstructed = reconstructed(&spec);
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let where_ = format!("{} {path}", method.to_ascii_uppercase());
            let evidence = &op["x-osigu-evidence"];
            if evidence.is_null() && !reconstructed {
                continue;
            }
            let level = evidence["level"]
                .as_str()
                .unwrap_or_else(|| panic!("{where_}: no x-osigu-evidence.level"));
            assert!(
                ["documented", "inferred"].contains(&level),
                "{where_}: level {level:?}"
            );
            let sources = evidence["sources"]
                .as_array()
                .unwrap_or_else(|| panic!("{where_}: no sources"));
            assert!(!sources.is_empty(), "{where_}: empty sources");
            for source in sources {
                let file = reference.join(source.as_str().unwrap()).with_extension("");
                let exists = ["md", "txt"]
                    .iter()
                    .any(|ext| file.with_extension(ext).exists())
                    || reference.join(source.as_str().unwrap()).exists();
                assert!(exists, "{where_}: source {source} is not in the reference");
            }
            assert!(
                op["description"].as_str().is_some_and(|d| d.len() > 20),
                "{where_}: no description"
            );
        }
    }
}

#[test]
fn the_spec_declares_servers_security_tags_and_the_error_envelope() {
    let spec = spec();
    assert_eq!(spec["openapi"], "3.0.1");
    let servers: Vec<&str> = spec["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        servers,
        ["https://sandbox.osigu.com", "https://api.osigu.com"]
    );
    assert_eq!(
        spec["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    assert!(spec["tags"].as_array().unwrap().len() >= 10);
    let envelope = &spec["components"]["schemas"]["ErrorResponse"]["properties"];
    for field in ["error_code", "message", "additional_information"] {
        assert!(envelope.get(field).is_some(), "ErrorResponse.{field}");
    }
}

/// Every row of the catalogue's operation table, documented or inferred,
/// with its number range expanded (`30–33` is four rows).
struct CatalogueRow {
    numbers: Vec<u32>,
    name: Option<String>,
    method: Option<String>,
    paths: Vec<String>,
    documented: bool,
}

fn catalogue_rows(catalogue: &str) -> Vec<CatalogueRow> {
    catalogue
        .lines()
        .filter(|l| l.starts_with("| "))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            if cells.len() < 10 || !cells[1].chars().next()?.is_ascii_digit() {
                return None;
            }
            let bounds: Vec<u32> = cells[1]
                .split(['–', '-'])
                .map(|n| n.trim().parse().ok())
                .collect::<Option<_>>()?;
            let numbers = (bounds[0]..=*bounds.last()?).collect();
            // "getDependents", but not "(name unknown; …)".
            let name = cells[2]
                .split_whitespace()
                .next()
                .filter(|w| w.chars().all(|c| c.is_ascii_alphanumeric()))
                .filter(|w| w.starts_with(|c: char| c.is_ascii_lowercase()))
                .map(str::to_owned);
            // A method is stated only when it is not itself a guess.
            let method = Some(cells[3])
                .filter(|m| !m.contains('[') && !m.contains('?'))
                .map(str::to_owned);
            let paths = cells[4]
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|p| p.starts_with('/'))
                .map(str::to_owned)
                .collect();
            Some(CatalogueRow {
                numbers,
                name,
                method,
                paths,
                documented: cells[8].starts_with('D'),
            })
        })
        .collect()
}

struct Claim {
    method: String,
    path: String,
    operation_id: String,
    level: String,
}

/// Which operations say (in `x-osigu-evidence.catalogue_rows`) that they
/// answer each catalogue row.
fn claims(spec: &Value) -> std::collections::BTreeMap<u32, Vec<Claim>> {
    let mut out: std::collections::BTreeMap<u32, Vec<Claim>> = Default::default();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let evidence = &op["x-osigu-evidence"];
            // An operation from an official release answers no row by itself.
            if evidence.is_null() && !reconstructed(spec) {
                continue;
            }
            let rows = evidence["catalogue_rows"].as_array();
            let level = evidence["level"].as_str().unwrap_or_default().to_owned();
            assert!(
                rows.is_some_and(|r| !r.is_empty()) || level == "inferred",
                "{method} {path}: a documented operation must name its catalogue row"
            );
            for row in rows.into_iter().flatten() {
                out.entry(row.as_u64().unwrap() as u32)
                    .or_default()
                    .push(Claim {
                        method: method.to_ascii_uppercase(),
                        path: path.clone(),
                        operation_id: op["operationId"].as_str().unwrap_or_default().to_owned(),
                        level: level.clone(),
                    });
            }
        }
    }
    out
}

#[test]
fn every_catalogue_row_is_answered_by_a_matching_operation() {
    let catalogue = std::fs::read_to_string(reference_dir().join("ENDPOINTS.md")).unwrap();
    let rows = catalogue_rows(&catalogue);
    let numbers: BTreeSet<u32> = rows.iter().flat_map(|r| r.numbers.clone()).collect();
    assert_eq!(numbers, (1..=67).collect(), "the catalogue's rows changed");
    let claims = claims(&spec());

    let mut problems = Vec::new();
    for row in &rows {
        for number in &row.numbers {
            // Row 1 is the SSO server's token endpoint, called by hand.
            if *number == 1 {
                continue;
            }
            let Some(answers) = claims.get(number) else {
                problems.push(format!("row {number}: no operation answers it"));
                continue;
            };
            if let Some(method) = &row.method
                && !answers.iter().any(|c| method.starts_with(&c.method))
            {
                problems.push(format!("row {number}: no answer uses {method}"));
            }
            if let Some(name) = &row.name
                && !answers.iter().any(|c| &c.operation_id == name)
            {
                problems.push(format!("row {number}: no answer is named {name}"));
            }
            if row.documented {
                let path_matches = |c: &Claim| {
                    row.paths
                        .iter()
                        .any(|p| shape(&c.path) == shape(p) || shape(&c.path).ends_with(&shape(p)))
                };
                if !answers.iter().any(path_matches) {
                    problems.push(format!("row {number}: no answer has path {:?}", row.paths));
                }
            } else if answers.iter().any(|c| c.level == "documented") {
                problems.push(format!(
                    "row {number}: the catalogue infers it, so its operations cannot be documented"
                ));
            }
        }
    }
    for number in claims.keys() {
        if !numbers.contains(number) {
            problems.push(format!(
                "an operation claims row {number}, which does not exist"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_schema_page_has_its_component() {
    let docs = reference_dir().join("osigu-docs");
    let spec = spec();
    let components: BTreeSet<String> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.to_ascii_lowercase())
        .collect();
    let mut pages = BTreeSet::new();
    for entry in std::fs::read_dir(&docs).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some((_, slug)) = name.split_once("-openapi-schemas-") {
            // The slug is the lowercased name, kebab-cased:
            // createprescriptionrequestv-2 ⇐ CreatePrescriptionRequestV2.
            pages.insert(slug.trim_end_matches(".md").replace('-', ""));
        }
    }
    assert!(pages.len() >= 30, "found only {} schema pages", pages.len());
    let missing: Vec<&String> = pages.iter().filter(|p| !components.contains(*p)).collect();
    assert!(
        missing.is_empty(),
        "schema pages without a component: {missing:?}"
    );
}

//! `cargo xtask reference`: checks `openapi.json` against the public
//! reference folder (`../shared/reference`, or `OSIGU_REFERENCE_DIR`).
//!
//! The reference holds a catalogue of Osigu's operations (`ENDPOINTS.md`,
//! whose operation table numbers each row and says whether its method and
//! path were seen in the documentation), the stored documentation pages
//! (`osigu-docs/`, `seeds/`) and the facts seen in real client traffic
//! (`client-observations.md`).
//!
//! What is checked depends on what `openapi.json` is ([`SpecKind`]):
//!
//! - **The reconstruction** (`info.version` ends in `-reconstructed`): every
//!   operation carries `x-osigu-evidence` that cites files of the reference,
//!   every documented catalogue row is answered by an operation with its
//!   method and path, every row is claimed by matching operations, and every
//!   schema page of the documentation has its component. Anything else is a
//!   [`Problem`], and the command fails.
//! - **An official release**: no operation claims evidence. How the release
//!   differs from the catalogue (documented rows no operation answers, rows
//!   whose path moved, schema pages without a component) is reported as
//!   differences, not problems: the catalogue was rebuilt from the
//!   documentation, and the release is the authority.
//!
//! Everything here is pure over a [`Reference`] and the spec, so the checks
//! are tested on synthetic catalogues (`xtask/tests/reference.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The extension every reconstructed operation carries.
pub const EVIDENCE: &str = "x-osigu-evidence";

/// The file that observed operations must cite.
pub const OBSERVATIONS: &str = "client-observations.md";

/// The catalogue file, at the top of the reference folder.
pub const CATALOGUE: &str = "ENDPOINTS.md";

/// The folder of stored documentation pages.
pub const DOCS: &str = "osigu-docs";

/// Paths of the SSO server, not of this API: the SDK calls them by hand, so
/// catalogue rows naming them need no operation.
pub const SSO_PATHS: &[&str] = &["/v1/oauth/token"];

/// Evidence levels an operation may claim.
pub const LEVELS: &[&str] = &["documented", "inferred", "observed"];

/// Why the reference could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceError {
    /// The reference folder itself is not there.
    FolderMissing {
        /// Where it was looked for.
        dir: PathBuf,
    },
    /// The folder is there, but a file or folder it must hold is not.
    Missing {
        /// The path that does not exist.
        path: PathBuf,
    },
    /// A file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        reason: String,
    },
    /// The spec lacks what every check needs (a `paths` object).
    Spec {
        /// What is wrong with it.
        reason: String,
    },
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FolderMissing { dir } => write!(
                f,
                "reference folder {} not found; set OSIGU_REFERENCE_DIR to the folder that holds {CATALOGUE} and {DOCS}/",
                dir.display()
            ),
            Self::Missing { path } => write!(
                f,
                "{} not found: the reference folder must hold {CATALOGUE} and {DOCS}/",
                path.display()
            ),
            Self::Read { path, reason } => write!(f, "cannot read {}: {reason}", path.display()),
            Self::Spec { reason } => write!(f, "the spec cannot be checked: {reason}"),
        }
    }
}

impl std::error::Error for ReferenceError {}

/// The reference material the checks read: the catalogue text and the names
/// of every file in the folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reference {
    /// The text of `ENDPOINTS.md`.
    pub catalogue: String,
    /// Every file in the folder, relative to it, with `/` separators
    /// (`osigu-docs/quickstart.md`, `seeds/000_x.txt`).
    pub files: BTreeSet<String>,
    /// The text of `client-observations.md`, when the folder has it.
    pub observations: Option<String>,
}

impl Reference {
    /// A reference made in memory.
    pub fn new(catalogue: impl Into<String>, files: impl IntoIterator<Item = String>) -> Self {
        Self {
            catalogue: catalogue.into(),
            files: files.into_iter().collect(),
            observations: None,
        }
    }

    /// Reads the folder at `dir`.
    pub fn load(dir: &Path) -> Result<Self, ReferenceError> {
        if !dir.is_dir() {
            return Err(ReferenceError::FolderMissing {
                dir: dir.to_owned(),
            });
        }
        let catalogue_path = dir.join(CATALOGUE);
        if !catalogue_path.is_file() {
            return Err(ReferenceError::Missing {
                path: catalogue_path,
            });
        }
        if !dir.join(DOCS).is_dir() {
            return Err(ReferenceError::Missing {
                path: dir.join(DOCS),
            });
        }
        let catalogue =
            std::fs::read_to_string(&catalogue_path).map_err(|e| ReferenceError::Read {
                path: catalogue_path.clone(),
                reason: e.to_string(),
            })?;
        let mut files = BTreeSet::new();
        list_files(dir, "", &mut files)?;
        let observations = std::fs::read_to_string(dir.join(OBSERVATIONS)).ok();
        Ok(Self {
            catalogue,
            files,
            observations,
        })
    }

    /// Whether `source`, as an operation cites it, names a file here. A
    /// citation may leave out or change the extension of a page: the `.md`
    /// or `.txt` file of the same name counts.
    pub fn has_source(&self, source: &str) -> bool {
        if self.files.contains(source) {
            return true;
        }
        let stem = Path::new(source).with_extension("");
        let stem = stem.to_string_lossy().replace('\\', "/");
        ["md", "txt"]
            .iter()
            .any(|ext| self.files.contains(&format!("{stem}.{ext}")))
    }

    /// Schema pages of the documentation, by the component name they
    /// document (lowercased, without dashes), each with one page that
    /// documents it. A page is `osigu-docs/<anything>-openapi-schemas-<slug>.md`,
    /// and its slug is the component name lowercased and kebab-cased
    /// (`createprescriptionrequestv-2` for `CreatePrescriptionRequestV2`).
    pub fn schema_pages(&self) -> BTreeMap<String, String> {
        let mut pages = BTreeMap::new();
        for file in &self.files {
            let Some(name) = file.strip_prefix(&format!("{DOCS}/")) else {
                continue;
            };
            if name.contains('/') {
                continue;
            }
            if let Some((_, slug)) = name.split_once("-openapi-schemas-") {
                let key = slug.trim_end_matches(".md").replace('-', "");
                pages.entry(key).or_insert_with(|| file.clone());
            }
        }
        pages
    }
}

fn list_files(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) -> Result<(), ReferenceError> {
    let read_error = |e: std::io::Error| ReferenceError::Read {
        path: dir.to_owned(),
        reason: e.to_string(),
    };
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        if path.is_dir() {
            list_files(&path, &relative, out)?;
        } else {
            out.insert(relative);
        }
    }
    Ok(())
}

/// What the thresholds of the sanity checks are: they catch a catalogue that
/// was edited or no longer parses, which would make the other checks pass
/// vacuously.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expectations {
    /// The catalogue's rows are numbered exactly `1..=catalogue_rows`.
    pub catalogue_rows: u32,
    /// At least this many rows are documented (status `D…`).
    pub min_documented_rows: usize,
    /// At least this many schema pages are stored.
    pub min_schema_pages: usize,
    /// At least this many requests are read off the observations table
    /// (when the folder has one).
    pub min_observed_requests: usize,
}

impl Expectations {
    /// What the shared reference holds today.
    pub const SHARED_REFERENCE: Self = Self {
        catalogue_rows: 67,
        min_documented_rows: 35,
        min_schema_pages: 30,
        min_observed_requests: 10,
    };
}

impl Default for Expectations {
    fn default() -> Self {
        Self::SHARED_REFERENCE
    }
}

/// One row of the catalogue's operation table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueRow {
    /// The number cell as written (`12`, `30–33`).
    pub label: String,
    /// The numbers it stands for (`30–33` is four rows).
    pub numbers: Vec<u32>,
    /// The operationId the documentation gives, when it gives one.
    pub name: Option<String>,
    /// The method cell as written (`GET`, `POST [I]`, `?`).
    pub method_cell: String,
    /// The method, when it is stated and not itself a guess.
    pub method: Option<String>,
    /// Every path the row gives; one is enough when sources conflict.
    pub paths: Vec<String>,
    /// The status cell (`D`, `D-partial (C)`, `I (name D)`).
    pub status: String,
}

impl CatalogueRow {
    /// Method and path seen in the documentation (status `D…`).
    pub fn documented(&self) -> bool {
        self.status.starts_with('D')
    }

    /// Seen without its prefix, or with conflicting paths: a suffix of the
    /// path is enough to answer it.
    pub fn partial(&self) -> bool {
        self.status.starts_with("D-partial")
    }

    /// A row of the SSO server, which no operation of the spec answers.
    pub fn sso(&self) -> bool {
        self.paths.iter().any(|p| SSO_PATHS.contains(&p.as_str()))
    }

    /// The first word of the method cell.
    fn method_word(&self) -> &str {
        self.method_cell.split_whitespace().next().unwrap_or("")
    }
}

impl fmt::Display for CatalogueRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let paths: Vec<String> = self.paths.iter().map(|p| format!("`{p}`")).collect();
        write!(f, "row {} ({}", self.label, self.method_cell)?;
        if !paths.is_empty() {
            write!(f, " {}", paths.join(" or "))?;
        }
        f.write_str(")")
    }
}

/// The rows of the catalogue's operation table: every Markdown table line
/// with at least nine cells whose first cell starts with a digit
/// (`| # | operationId | Method | Path | Tag | Ver | Product | Status | Sources |`).
/// A row whose number cell is not a number or a range is returned as an
/// error line, so a malformed catalogue is reported rather than skipped.
pub fn catalogue_rows(catalogue: &str) -> (Vec<CatalogueRow>, Vec<String>) {
    let mut rows = Vec::new();
    let mut malformed = Vec::new();
    for line in catalogue.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 10 || !cells[1].starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let bounds: Option<Vec<u32>> = cells[1]
            .split(['–', '-'])
            .map(|n| n.trim().parse().ok())
            .collect();
        let numbers: Vec<u32> = match bounds.as_deref() {
            Some([one]) => vec![*one],
            Some([from, to]) if from <= to => (*from..=*to).collect(),
            _ => {
                malformed.push(format!(
                    "row label {:?} is not a number or a range",
                    cells[1]
                ));
                continue;
            }
        };
        // "getDependents", but not "(name unknown; …)".
        let name = cells[2]
            .split_whitespace()
            .next()
            .filter(|w| w.chars().all(|c| c.is_ascii_alphanumeric()))
            .filter(|w| w.starts_with(|c: char| c.is_ascii_lowercase()))
            .map(str::to_owned);
        let method = Some(cells[3])
            .filter(|m| !m.is_empty() && !m.contains('[') && !m.contains('?'))
            .map(str::to_owned);
        let paths = cells[4]
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|p| p.starts_with('/'))
            .map(str::to_owned)
            .collect();
        rows.push(CatalogueRow {
            label: cells[1].to_owned(),
            numbers,
            name,
            method_cell: cells[3].to_owned(),
            method,
            paths,
            status: cells[8].to_owned(),
        });
    }
    (rows, malformed)
}

/// `/arc/v1/things/{id}` and `/arc/v1/things/:thing_id?x=` both have the
/// shape `/arc/v1/things/{}`.
pub fn shape(path: &str) -> String {
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

/// Whether `candidate` is `documented` moved elsewhere: the same segments
/// once version segments (`v1`, `v1.1`) are dropped, or one ending with the
/// other (a prefix added or removed) when the shorter keeps at least two
/// segments.
pub fn moved(documented: &str, candidate: &str) -> bool {
    fn core(path: &str) -> Vec<String> {
        shape(path)
            .split('/')
            .filter(|s| !s.is_empty() && !is_version(s))
            .map(str::to_owned)
            .collect()
    }
    let (a, b) = (core(documented), core(candidate));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let (short, long) = if a.len() < b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    short.len() >= 2 && long.ends_with(short)
}

fn is_version(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|rest| {
        rest.split('.')
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    })
}

/// Whether `openapi.json` is our reconstruction or a release from Osigu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecKind {
    /// `info.version` ends in `-reconstructed`.
    Reconstructed,
    /// Anything else: a release `cargo xtask update-spec` brought in.
    Official,
}

impl SpecKind {
    /// Reads `info.version`.
    pub fn of(spec: &Value) -> Self {
        let reconstructed = spec
            .pointer("/info/version")
            .and_then(Value::as_str)
            .is_some_and(|v| v.ends_with("-reconstructed"));
        if reconstructed {
            Self::Reconstructed
        } else {
            Self::Official
        }
    }
}

/// One operation of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Upper case: `GET`.
    pub method: String,
    /// As the spec writes it.
    pub path: String,
    /// `""` when it has none.
    pub operation_id: String,
    /// Its `x-osigu-evidence`, if any.
    pub evidence: Option<Value>,
    /// Its description, if any.
    pub description: Option<String>,
}

impl Operation {
    fn level(&self) -> Option<&str> {
        self.evidence.as_ref()?.get("level")?.as_str()
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// Every operation of `spec`: each HTTP method of each path item.
pub fn operations(spec: &Value) -> Result<Vec<Operation>, ReferenceError> {
    let paths = spec
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| ReferenceError::Spec {
            reason: "it has no \"paths\" object".into(),
        })?;
    let mut out = Vec::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            return Err(ReferenceError::Spec {
                reason: format!("path item {path} is not an object"),
            });
        };
        for (method, op) in item {
            if !osigu_codegen::HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            out.push(Operation {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                operation_id: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                evidence: op.get(EVIDENCE).cloned(),
                description: op
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
    }
    Ok(out)
}

/// Which check a problem fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Check {
    /// Each operation's `x-osigu-evidence` is well formed (or, in an
    /// official release, absent).
    EvidenceMarks,
    /// Each cited source is a file of the reference.
    Sources,
    /// The catalogue parses into the rows expected.
    Catalogue,
    /// Each documented row is answered by an operation with its method and path.
    DocumentedRows,
    /// Each row is claimed by operations that match it, and each claim names a row.
    Claims,
    /// Each schema page has its component.
    SchemaPages,
    /// Each request real clients send has its operation, parameters and
    /// body fields, at a level other than inferred.
    Observations,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EvidenceMarks => "evidence marks",
            Self::Sources => "sources",
            Self::Catalogue => "catalogue",
            Self::DocumentedRows => "documented rows",
            Self::Claims => "catalogue claims",
            Self::SchemaPages => "schema pages",
            Self::Observations => "observations",
        })
    }
}

/// A check that failed, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The check.
    pub check: Check,
    /// What is wrong, naming the operation or row.
    pub detail: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.check, self.detail)
    }
}

/// How the spec answers a documented catalogue row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowAnswer {
    /// An operation has the row's method and path.
    Answered {
        /// The first such operation, `GET /path`.
        by: String,
    },
    /// No operation has the row's path, but operations with its method have
    /// the same path shape elsewhere (another version or prefix).
    Moved {
        /// Those operations, `GET /path`.
        to: Vec<String>,
    },
    /// No operation has the row's method and path, nor its shape elsewhere.
    Unanswered,
    /// A row of the SSO server: no operation needs to answer it.
    Exempt,
}

/// A documented catalogue row and how the spec answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOutcome {
    /// The row.
    pub row: CatalogueRow,
    /// The answer.
    pub answer: RowAnswer,
}

/// What the checks found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// What the spec is.
    pub kind: SpecKind,
    /// Its `info.version`.
    pub version: String,
    /// How many operations it has.
    pub operations: usize,
    /// How many row numbers the catalogue has.
    pub catalogue_rows: usize,
    /// Every documented row, with how the spec answers it.
    pub documented: Vec<RowOutcome>,
    /// How many schema pages (distinct components) the documentation has.
    pub schema_pages: usize,
    /// Schema pages with no component of that name: (component key, page file).
    pub pages_without_component: Vec<(String, String)>,
    /// How many operations carry evidence, per level.
    pub levels: BTreeMap<String, usize>,
    /// Checks that failed. Empty when everything holds.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether every check held.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    /// Documented rows that no operation answers.
    pub fn unanswered(&self) -> impl Iterator<Item = &CatalogueRow> {
        self.documented
            .iter()
            .filter(|o| o.answer == RowAnswer::Unanswered)
            .map(|o| &o.row)
    }

    /// Documented rows whose path moved, with where to.
    pub fn moved(&self) -> impl Iterator<Item = (&CatalogueRow, &[String])> {
        self.documented.iter().filter_map(|o| match &o.answer {
            RowAnswer::Moved { to } => Some((&o.row, to.as_slice())),
            _ => None,
        })
    }

    /// How many documented rows an operation answers.
    pub fn answered(&self) -> usize {
        self.documented
            .iter()
            .filter(|o| matches!(o.answer, RowAnswer::Answered { .. }))
            .count()
    }
}

/// Runs every check of `spec` against `reference`.
pub fn check(
    spec: &Value,
    reference: &Reference,
    expect: &Expectations,
) -> Result<Report, ReferenceError> {
    let kind = SpecKind::of(spec);
    let ops = operations(spec)?;
    let mut problems = evidence_problems_of(kind, &ops);

    let (rows, malformed) = catalogue_rows(&reference.catalogue);
    problems.extend(malformed.into_iter().map(|detail| Problem {
        check: Check::Catalogue,
        detail,
    }));
    let numbers: BTreeSet<u32> = rows.iter().flat_map(|r| r.numbers.clone()).collect();
    let expected: BTreeSet<u32> = (1..=expect.catalogue_rows).collect();
    if numbers != expected {
        let absent: Vec<u32> = expected.difference(&numbers).copied().collect();
        let extra: Vec<u32> = numbers.difference(&expected).copied().collect();
        problems.push(Problem {
            check: Check::Catalogue,
            detail: format!(
                "the catalogue's rows changed: expected 1..={}, missing {absent:?}, unexpected {extra:?}",
                expect.catalogue_rows
            ),
        });
    }
    let documented_rows: Vec<&CatalogueRow> = rows.iter().filter(|r| r.documented()).collect();
    if documented_rows.len() < expect.min_documented_rows {
        problems.push(Problem {
            check: Check::Catalogue,
            detail: format!(
                "parsed only {} documented rows, expected at least {}",
                documented_rows.len(),
                expect.min_documented_rows
            ),
        });
    }

    if kind == SpecKind::Reconstructed {
        problems.extend(source_problems(&ops, reference));
    }

    let documented: Vec<RowOutcome> = documented_rows
        .iter()
        .map(|row| RowOutcome {
            row: (*row).clone(),
            answer: answer(row, &ops),
        })
        .collect();
    if kind == SpecKind::Reconstructed {
        for outcome in &documented {
            let detail = match &outcome.answer {
                RowAnswer::Answered { .. } | RowAnswer::Exempt => continue,
                RowAnswer::Unanswered => {
                    format!("{}: no operation has this method and path", outcome.row)
                }
                RowAnswer::Moved { to } => format!(
                    "{}: no operation has this method and path ({} has its shape elsewhere)",
                    outcome.row,
                    to.join(", ")
                ),
            };
            problems.push(Problem {
                check: Check::DocumentedRows,
                detail,
            });
        }
        problems.extend(claim_problems(&rows, &numbers, &ops));
    }

    let pages = reference.schema_pages();
    let schema_pages = pages.len();
    if schema_pages < expect.min_schema_pages {
        problems.push(Problem {
            check: Check::Catalogue,
            detail: format!(
                "found only {} schema pages in {DOCS}/, expected at least {}",
                schema_pages, expect.min_schema_pages
            ),
        });
    }
    let components: BTreeSet<String> = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|s| s.keys())
        .map(|k| k.to_ascii_lowercase())
        .collect();
    let pages_without_component: Vec<(String, String)> = pages
        .into_iter()
        .filter(|(key, _)| !components.contains(key))
        .collect();
    if kind == SpecKind::Reconstructed {
        problems.extend(pages_without_component.iter().map(|(key, page)| Problem {
            check: Check::SchemaPages,
            detail: format!("schema page {page} has no component (`{key}`)"),
        }));
    }

    // An official release answers for itself; the observations check the
    // reconstruction, which must carry what real clients send.
    if kind == SpecKind::Reconstructed
        && let Some(text) = &reference.observations
    {
        let rows = crate::observations::observed(text);
        if rows.len() < expect.min_observed_requests {
            problems.push(Problem {
                check: Check::Observations,
                detail: format!(
                    "parsed only {} observed requests from {OBSERVATIONS}, expected at least {}",
                    rows.len(),
                    expect.min_observed_requests
                ),
            });
        }
        problems.extend(
            crate::observations::problems(spec, &rows)
                .into_iter()
                .map(|detail| Problem {
                    check: Check::Observations,
                    detail,
                }),
        );
    }

    let mut levels = BTreeMap::new();
    for level in ops.iter().filter_map(Operation::level) {
        *levels.entry(level.to_owned()).or_insert(0) += 1;
    }
    Ok(Report {
        kind,
        version: spec
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or("(no version)")
            .to_owned(),
        operations: ops.len(),
        catalogue_rows: numbers.len(),
        documented,
        schema_pages,
        pages_without_component,
        levels,
        problems,
    })
}

/// The checks that need only the spec: each operation's evidence mark is
/// well formed while the spec is the reconstruction, and absent once it is
/// an official release.
pub fn evidence_problems(spec: &Value) -> Result<Vec<Problem>, ReferenceError> {
    Ok(evidence_problems_of(SpecKind::of(spec), &operations(spec)?))
}

fn evidence_problems_of(kind: SpecKind, ops: &[Operation]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |detail: String| {
        problems.push(Problem {
            check: Check::EvidenceMarks,
            detail,
        })
    };
    for op in ops {
        let Some(evidence) = &op.evidence else {
            if kind == SpecKind::Reconstructed {
                problem(format!("{op}: no {EVIDENCE}"));
            }
            continue;
        };
        if kind == SpecKind::Official {
            problem(format!(
                "{op}: claims {EVIDENCE}, but the spec is an official release (its version does not end in -reconstructed)"
            ));
            continue;
        }
        let level = evidence.get("level").and_then(Value::as_str);
        let Some(level) = level.filter(|l| LEVELS.contains(l)) else {
            problem(format!(
                "{op}: {EVIDENCE}.level is {}, not one of {LEVELS:?}",
                evidence
                    .get("level")
                    .map_or("absent".into(), Value::to_string)
            ));
            continue;
        };
        let sources: Vec<&str> = match evidence.get("sources").and_then(Value::as_array) {
            Some(list) if !list.is_empty() => {
                if list.iter().any(|s| !s.is_string()) {
                    problem(format!("{op}: a source is not a string"));
                }
                list.iter().filter_map(Value::as_str).collect()
            }
            Some(_) => {
                problem(format!("{op}: {EVIDENCE}.sources is empty"));
                Vec::new()
            }
            None => {
                problem(format!("{op}: no {EVIDENCE}.sources"));
                Vec::new()
            }
        };
        if level == "observed" && !sources.contains(&OBSERVATIONS) {
            problem(format!(
                "{op}: observed, but its sources do not cite {OBSERVATIONS}"
            ));
        }
        match evidence.get("catalogue_rows") {
            None => {}
            Some(Value::Array(rows)) if rows.iter().all(|r| r.as_u64().is_some()) => {}
            Some(_) => problem(format!(
                "{op}: {EVIDENCE}.catalogue_rows is not a list of row numbers"
            )),
        }
        if level == "documented" && claimed_rows(evidence).is_empty() {
            problem(format!(
                "{op}: a documented operation must name its catalogue row"
            ));
        }
        if op.description.as_deref().is_none_or(|d| d.len() <= 20) {
            problem(format!(
                "{op}: no description (or one of 20 bytes or fewer)"
            ));
        }
    }
    problems
}

fn claimed_rows(evidence: &Value) -> Vec<u32> {
    evidence
        .get("catalogue_rows")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .filter_map(|n| u32::try_from(n).ok())
        .collect()
}

fn source_problems(ops: &[Operation], reference: &Reference) -> Vec<Problem> {
    let mut problems = Vec::new();
    for op in ops {
        let sources = op
            .evidence
            .as_ref()
            .and_then(|e| e.get("sources"))
            .and_then(Value::as_array);
        for source in sources.into_iter().flatten().filter_map(Value::as_str) {
            if !reference.has_source(source) {
                problems.push(Problem {
                    check: Check::Sources,
                    detail: format!("{op}: source {source} is not in the reference"),
                });
            }
        }
    }
    problems
}

/// Whether `path` has the row's path: the same shape, or, for a partial
/// row, a shape that ends with it.
fn answers_path(row: &CatalogueRow, path: &str, suffix_allowed: bool) -> bool {
    let have = shape(path);
    row.paths.iter().any(|p| {
        let want = shape(p);
        have == want || (suffix_allowed && have.ends_with(&want))
    })
}

fn answer(row: &CatalogueRow, ops: &[Operation]) -> RowAnswer {
    if row.sso() {
        return RowAnswer::Exempt;
    }
    let method = row.method_word();
    let same_method = || ops.iter().filter(|op| op.method == method);
    if let Some(op) = same_method().find(|op| answers_path(row, &op.path, row.partial())) {
        return RowAnswer::Answered { by: op.to_string() };
    }
    let to: Vec<String> = same_method()
        .filter(|op| row.paths.iter().any(|p| moved(p, &op.path)))
        .map(Operation::to_string)
        .collect();
    if to.is_empty() {
        RowAnswer::Unanswered
    } else {
        RowAnswer::Moved { to }
    }
}

fn claim_problems(
    rows: &[CatalogueRow],
    numbers: &BTreeSet<u32>,
    ops: &[Operation],
) -> Vec<Problem> {
    let mut claims: BTreeMap<u32, Vec<&Operation>> = BTreeMap::new();
    for op in ops {
        for number in op.evidence.as_ref().map(claimed_rows).unwrap_or_default() {
            claims.entry(number).or_default().push(op);
        }
    }
    let mut problems = Vec::new();
    let mut problem = |detail: String| {
        problems.push(Problem {
            check: Check::Claims,
            detail,
        })
    };
    for row in rows {
        if row.sso() {
            continue;
        }
        for number in &row.numbers {
            let Some(answers) = claims.get(number) else {
                problem(format!("row {number}: no operation claims it"));
                continue;
            };
            if let Some(method) = &row.method
                && !answers.iter().any(|c| method.starts_with(&c.method))
            {
                problem(format!(
                    "row {number}: no operation claiming it uses {method}"
                ));
            }
            if let Some(name) = &row.name
                && !answers.iter().any(|c| &c.operation_id == name)
            {
                problem(format!(
                    "row {number}: no operation claiming it is named {name}"
                ));
            }
            if row.documented() {
                if !answers.iter().any(|c| answers_path(row, &c.path, true)) {
                    problem(format!(
                        "row {number}: no operation claiming it has path {:?}",
                        row.paths
                    ));
                }
            } else if let Some(c) = answers.iter().find(|c| c.level() == Some("documented")) {
                problem(format!(
                    "row {number}: the catalogue infers it, so {c} cannot be documented"
                ));
            }
            // An observed operation stands on its own: it must match the
            // row as a documented one would.
            for c in answers.iter().filter(|c| c.level() == Some("observed")) {
                if let Some(method) = &row.method
                    && !method.starts_with(&c.method)
                {
                    problem(format!(
                        "row {number}: observed {c} claims it, but the row's method is {method}"
                    ));
                }
                if row.documented() && !answers_path(row, &c.path, true) {
                    problem(format!(
                        "row {number}: observed {c} claims it, but the row's path is {:?}",
                        row.paths
                    ));
                }
            }
        }
    }
    for (number, by) in &claims {
        if !numbers.contains(number) {
            for op in by {
                problem(format!("{op} claims row {number}, which does not exist"));
            }
        }
    }
    problems
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let documented = self.documented.len();
        let exempt: Vec<&str> = self
            .documented
            .iter()
            .filter(|o| o.answer == RowAnswer::Exempt)
            .map(|o| o.row.label.as_str())
            .collect();
        match self.kind {
            SpecKind::Reconstructed => {
                let levels: Vec<String> = self
                    .levels
                    .iter()
                    .map(|(l, n)| format!("{n} {l}"))
                    .collect();
                writeln!(
                    f,
                    "Spec {} is the reconstruction: {} operations ({}), checked against the {} \
                     catalogue rows ({documented} documented) and {} schema pages.",
                    self.version,
                    self.operations,
                    levels.join(", "),
                    self.catalogue_rows,
                    self.schema_pages
                )?;
            }
            SpecKind::Official => {
                writeln!(
                    f,
                    "Spec {} is an official release: {} operations, compared with the {} catalogue \
                     rows ({documented} documented) and {} schema pages of the reference. These are \
                     differences to review, not failures: the catalogue was rebuilt from the \
                     documentation, the release is the authority.",
                    self.version, self.operations, self.catalogue_rows, self.schema_pages
                )?;
                writeln!(f)?;
                writeln!(
                    f,
                    "- {} of {} documented rows (not counting the SSO server's) are answered by an \
                     operation with their method and path.",
                    self.answered(),
                    documented - exempt.len()
                )?;
                for row in self.unanswered() {
                    writeln!(f, "- Not answered: {row}")?;
                }
                for (row, to) in self.moved() {
                    writeln!(f, "- Moved: {row} is now {}", to.join(", "))?;
                }
                for (key, page) in &self.pages_without_component {
                    writeln!(f, "- No component for schema page `{page}` (`{key}`)")?;
                }
            }
        }
        if !exempt.is_empty() {
            writeln!(
                f,
                "\nRows of the SSO server ({}), called by hand-written code, need no operation: {}.",
                SSO_PATHS.join(", "),
                exempt.join(", ")
            )?;
        }
        if self.problems.is_empty() {
            writeln!(f, "\nEvery check holds.")
        } else {
            writeln!(f, "\n{} problem(s):", self.problems.len())?;
            for p in &self.problems {
                writeln!(f, "- {p}")?;
            }
            Ok(())
        }
    }
}

/// The catalogue section `cargo xtask update-spec` appends to its release
/// summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogueSection {
    /// The checks ran.
    Report(Report),
    /// They could not run; the summary says why.
    Skipped(ReferenceError),
}

impl CatalogueSection {
    /// Checks `spec` against the reference folder at `dir`, if it is there.
    pub fn compute(spec: &Value, dir: &Path, expect: &Expectations) -> Self {
        match Reference::load(dir).and_then(|r| check(spec, &r, expect)) {
            Ok(report) => Self::Report(report),
            Err(error) => Self::Skipped(error),
        }
    }
}

impl fmt::Display for CatalogueSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "### Documented catalogue\n")?;
        match self {
            Self::Report(report) => report.fmt(f),
            Self::Skipped(ReferenceError::FolderMissing { dir }) => writeln!(
                f,
                "Skipped: the reference folder {} is missing (set OSIGU_REFERENCE_DIR to check \
                 the release against the documented catalogue).",
                dir.display()
            ),
            Self::Skipped(error) => writeln!(f, "Skipped: {error}."),
        }
    }
}

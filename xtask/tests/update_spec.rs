//! `cargo xtask update-spec` against files and a local HTTP server: the
//! summary and verdict for real kinds of change, the rewrite of
//! `openapi.json`, and every failure leaving the file byte-for-byte alone.

use std::path::{Path, PathBuf};
use std::time::Duration;

use insta::internals::TextSnapshotContents;
use osigu_codegen::{OperationChange, Verdict};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use xtask::reference::{CatalogueSection, Check, Expectations, ReferenceError, SpecKind};
use xtask::update_spec::{Outcome, Source, UpdateError, UpdateOptions, update_spec};

/// The repository's `openapi.json` plus a probe resource that the tests
/// change, so they exercise the real spec without depending on which
/// schemas it has today (an update may remove any of them).
fn base_spec() -> Value {
    let text =
        std::fs::read_to_string(xtask::paths::workspace_root().join("openapi.json")).unwrap();
    let mut spec: Value = serde_json::from_str(&text).unwrap();
    spec["paths"]["/xtask-probe/items"] = json!({ "post": {
        "operationId": "createProbeItem",
        "requestBody": { "required": true, "content": { "application/json": {
            "schema": { "$ref": "#/components/schemas/ProbeRequest" } } } },
        "responses": { "201": { "description": "Created", "content": { "application/json": {
            "schema": { "$ref": "#/components/schemas/ProbeItem" } } } } }
    } });
    let schemas = spec["components"]["schemas"].as_object_mut().unwrap();
    schemas.insert(
        "ProbeRequest".into(),
        json!({
            "type": "object",
            "required": ["name"],
            "properties": { "name": { "type": "string" } }
        }),
    );
    schemas.insert(
        "ProbeItem".into(),
        json!({
            "type": "object",
            "properties": {
                "id": { "type": "integer", "format": "int64" },
                "note": { "type": "string" },
                "kind": { "$ref": "#/components/schemas/ProbeKind" }
            }
        }),
    );
    schemas.insert(
        "ProbeKind".into(),
        json!({ "type": "string", "enum": ["FIRST", "SECOND"] }),
    );
    spec
}

fn base_text() -> String {
    osigu_codegen::canonical_json(&base_spec())
}

/// A scratch workspace whose `openapi.json` is the base spec.
fn workspace(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("update-spec")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("openapi.json"), base_text()).unwrap();
    dir
}

fn write_variant(dir: &Path, spec: &Value) -> PathBuf {
    let file = dir.join("release.json");
    // Upstream files are not in our canonical order; neither is this one.
    std::fs::write(&file, serde_json::to_string(spec).unwrap()).unwrap();
    file
}

/// Defaults, but with no reference folder: the tests must not depend on
/// whether `../shared/reference` is beside the checkout.
fn options() -> UpdateOptions {
    UpdateOptions {
        reference_dir: Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-reference"),
        ..Default::default()
    }
}

fn from_file(file: PathBuf) -> UpdateOptions {
    UpdateOptions {
        source: Source::File(file),
        ..options()
    }
}

fn current(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("openapi.json")).unwrap()
}

/// A springdoc-style new operation: `*/*` media type, "OK" description.
fn add_operation(spec: &mut Value) {
    spec["paths"]["/arc/v1/release-probe/{id}"] = json!({ "get": {
        "tags": ["Claims"],
        "operationId": "getReleaseProbe",
        "parameters": [{ "name": "id", "in": "path", "required": true,
                         "schema": { "type": "integer", "format": "int64" } }],
        "responses": { "200": { "description": "OK", "content": { "*/*": {
            "schema": { "$ref": "#/components/schemas/ProbeItem" } } } } }
    } });
}

fn schema<'a>(spec: &'a mut Value, name: &str) -> &'a mut Value {
    &mut spec["components"]["schemas"][name]
}

async fn run(dir: &Path, options: &UpdateOptions) -> Result<Outcome, UpdateError> {
    update_spec(dir, options).await
}

#[tokio::test]
async fn an_added_operation_is_a_minor_release_and_rewrites_the_file() {
    let dir = workspace("added-operation");
    let mut spec = base_spec();
    add_operation(&mut spec);
    let outcome = run(&dir, &from_file(write_variant(&dir, &spec)))
        .await
        .unwrap();

    assert_eq!(outcome.summary.verdict(), Verdict::Minor);
    assert!(outcome.changed);
    let added: Vec<String> = outcome
        .summary
        .operations
        .iter()
        .filter_map(|c| match c {
            OperationChange::Added(line) => Some(line.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        added,
        [
            "getReleaseProbe GET /arc/v1/release-probe/{id} -> get_release_probe(id: i64) body: - ok: types::ProbeItem"
        ]
    );
    assert!(
        outcome
            .summary
            .to_string()
            .contains("added `Client::get_release_probe`")
    );
    assert_eq!(current(&dir), osigu_codegen::canonical_json(&spec));
}

#[tokio::test]
async fn a_changed_field_type_is_a_major_release() {
    let dir = workspace("changed-field");
    let mut spec = base_spec();
    schema(&mut spec, "ProbeItem")["properties"]["id"] = json!({ "type": "string" });
    let outcome = run(&dir, &from_file(write_variant(&dir, &spec)))
        .await
        .unwrap();

    assert_eq!(outcome.summary.verdict(), Verdict::Major);
    let text = outcome.summary.to_string();
    assert!(
        text.contains("- Changed: `ProbeItem`\n  - field `id`: integer(int64) → string"),
        "{text}"
    );
    assert!(
        text.contains(
            "**breaking** `types::ProbeItem`: field `id`: `Option<i64>` → `Option<String>`"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn removed_fields_and_new_enum_values_are_judged_from_the_rust_api() {
    let dir = workspace("enum-and-removed-field");
    let mut spec = base_spec();
    schema(&mut spec, "ProbeKind")["enum"]
        .as_array_mut()
        .unwrap()
        .push("THIRD".into());
    let only_enum = spec.clone();
    let outcome = run(&dir, &from_file(write_variant(&dir, &only_enum)))
        .await
        .unwrap();
    // The enum is open and non-exhaustive: a new value is additive.
    assert_eq!(outcome.summary.verdict(), Verdict::Minor);
    assert!(
        outcome
            .summary
            .to_string()
            .contains("- `ProbeKind`: added `THIRD`")
    );

    schema(&mut spec, "ProbeItem")["properties"]
        .as_object_mut()
        .unwrap()
        .remove("note");
    let outcome = run(&dir, &from_file(write_variant(&dir, &spec)))
        .await
        .unwrap();
    assert_eq!(outcome.summary.verdict(), Verdict::Major);
    let text = outcome.summary.to_string();
    assert!(
        text.contains("- Changed: `ProbeItem`\n  - field `note` removed"),
        "{text}"
    );
    assert!(
        text.contains("**breaking** `types::ProbeItem`: field `note` removed"),
        "{text}"
    );
}

#[tokio::test]
async fn a_new_required_request_field_is_breaking_but_a_new_response_field_is_not() {
    let dir = workspace("required-fields");
    let mut spec = base_spec();
    let request = schema(&mut spec, "ProbeRequest");
    request["properties"]["purpose"] = json!({ "type": "string" });
    request["required"]
        .as_array_mut()
        .unwrap()
        .push("purpose".into());
    schema(&mut spec, "ProbeItem")["properties"]["channel"] = json!({ "type": "string" });
    let outcome = run(&dir, &from_file(write_variant(&dir, &spec)))
        .await
        .unwrap();

    assert_eq!(outcome.summary.verdict(), Verdict::Major);
    let breaking: Vec<String> = outcome
        .summary
        .rust
        .iter()
        .filter(|c| c.breaking)
        .map(|c| format!("{}: {}", c.item, c.detail))
        .collect();
    assert_eq!(
        breaking,
        [
            "types::ProbeRequest: required field `purpose: String` added to a request type: builders must now set it",
            // The constructor takes every required field, so it changes too.
            "types::ProbeRequest::builder: `fn builder(name: impl ::std::fmt::Display) -> builder::ProbeRequest` → `fn builder(name: impl ::std::fmt::Display, purpose: impl ::std::fmt::Display) -> builder::ProbeRequest`"
        ]
    );
}

#[tokio::test]
async fn deprecations_are_listed() {
    let dir = workspace("deprecations");
    let mut spec = base_spec();
    spec["paths"]["/xtask-probe/items"]["post"]["deprecated"] = true.into();
    schema(&mut spec, "ProbeItem")["properties"]["note"]["deprecated"] = true.into();
    let outcome = run(&dir, &from_file(write_variant(&dir, &spec)))
        .await
        .unwrap();
    assert_eq!(
        outcome.summary.deprecations,
        [
            "field `ProbeItem.note`",
            "operation `createProbeItem` (POST /xtask-probe/items)"
        ]
    );
}

#[tokio::test]
async fn the_same_release_twice_changes_nothing_the_second_time() {
    let dir = workspace("idempotent");
    let mut spec = base_spec();
    add_operation(&mut spec);
    let options = from_file(write_variant(&dir, &spec));
    assert!(run(&dir, &options).await.unwrap().changed);
    let first = current(&dir);
    let again = run(&dir, &options).await.unwrap();
    assert!(!again.changed);
    assert!(again.summary.is_empty(), "{}", again.summary);
    assert_eq!(again.summary.verdict(), Verdict::Patch);
    assert_eq!(current(&dir), first);
}

#[tokio::test]
async fn a_dry_run_reports_but_leaves_the_file_and_writes_the_summary_when_asked() {
    let dir = workspace("dry-run");
    let mut spec = base_spec();
    add_operation(&mut spec);
    let summary_file = dir.join("CHANGELOG-entry.md");
    let options = UpdateOptions {
        dry_run: true,
        summary_file: Some(summary_file.clone()),
        ..from_file(write_variant(&dir, &spec))
    };
    let outcome = run(&dir, &options).await.unwrap();
    assert!(outcome.changed);
    assert_eq!(current(&dir), base_text());
    let entry = std::fs::read_to_string(summary_file).unwrap();
    assert_eq!(entry, outcome.release_notes());
    assert!(entry.starts_with(&format!("{}\n### Documented catalogue\n", outcome.summary)));
    assert!(entry.starts_with("## Osigu API "));
}

fn surface_of(spec_file: &Path) -> String {
    let raw: Value = serde_json::from_str(&std::fs::read_to_string(spec_file).unwrap()).unwrap();
    let normalised = osigu_codegen::normalise(&raw).unwrap();
    let generated = osigu_codegen::generate(&normalised.spec, &Default::default()).unwrap();
    osigu_codegen::surface(&normalised, &generated)
        .unwrap()
        .to_string()
}

/// Writes a reviewed snapshot the way `cargo insta accept` leaves it.
fn accept(dir: &Path, surface: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("surface.snap"),
        format!("---\nsource: xtask/tests/update_spec.rs\nexpression: surface\n---\n{surface}"),
    )
    .unwrap();
}

/// The comparison `insta::assert_snapshot!` makes in
/// `tests/surface_snapshots.rs`, against the snapshot in `dir`. Called
/// directly, so the answer does not depend on `INSTA_UPDATE` or
/// `INSTA_FORCE_PASS` in the environment.
fn snapshot_matches(dir: &Path, surface: String) -> bool {
    let committed = insta::Snapshot::from_file(&dir.join("surface.snap")).unwrap();
    let actual = TextSnapshotContents::new(surface, insta::TextSnapshotKind::File);
    committed.as_text().unwrap().matches_latest(&actual)
}

#[tokio::test]
async fn after_an_update_the_surface_snapshot_fails_until_it_is_accepted() {
    let dir = workspace("snapshot-drift");
    let snapshots = dir.join("snapshots");
    let before = surface_of(&dir.join("openapi.json"));
    accept(&snapshots, &before);
    assert!(snapshot_matches(&snapshots, before.clone()));

    let mut spec = base_spec();
    add_operation(&mut spec);
    run(&dir, &from_file(write_variant(&dir, &spec)))
        .await
        .unwrap();
    let after = surface_of(&dir.join("openapi.json"));
    assert!(after.contains("getReleaseProbe GET /arc/v1/release-probe/{id}"));
    assert!(
        !snapshot_matches(&snapshots, after.clone()),
        "drift went unnoticed"
    );

    accept(&snapshots, &after);
    assert!(snapshot_matches(&snapshots, after));
}

/// Runs update-spec expecting failure; the file must be untouched.
async fn assert_refused(name: &str, options: impl FnOnce(&Path) -> UpdateOptions) -> String {
    let dir = workspace(name);
    let before = std::fs::read(dir.join("openapi.json")).unwrap();
    let options = options(&dir);
    let error = run(&dir, &options)
        .await
        .expect_err("update-spec should refuse");
    assert_eq!(std::fs::read(dir.join("openapi.json")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    error.to_string()
}

#[tokio::test]
async fn a_spec_the_sdk_cannot_be_generated_from_is_refused_naming_the_operation() {
    let message = assert_refused("ungeneratable", |dir| {
        let mut spec = base_spec();
        spec["paths"]["/xtask-probe/items"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"] = json!({ "$ref": "#/components/schemas/NoSuchSchema" });
        from_file(write_variant(dir, &spec))
    })
    .await;
    assert!(message.contains("cannot be generated"), "{message}");
    assert!(
        message.contains("createProbeItem (POST /xtask-probe/items)"),
        "{message}"
    );
    assert!(message.contains("NoSuchSchema"), "{message}");
}

#[tokio::test]
async fn an_openapi_3_1_spec_is_refused() {
    let message = assert_refused("openapi-3-1", |dir| {
        let mut spec = base_spec();
        spec["openapi"] = "3.1.0".into();
        from_file(write_variant(dir, &spec))
    })
    .await;
    assert!(
        message.ends_with("is OpenAPI 3.1.0; progenitor 0.15 generates from OpenAPI 3.0.x only"),
        "{message}"
    );
}

#[tokio::test]
async fn invalid_json_is_refused() {
    let message = assert_refused("invalid-json", |dir| {
        let file = dir.join("release.json");
        std::fs::write(&file, "{\"openapi\": \"3.0.1\", \"paths\": {").unwrap();
        from_file(file)
    })
    .await;
    assert!(
        message.contains("release.json is not JSON: EOF while parsing"),
        "{message}"
    );
}

#[tokio::test]
async fn a_release_served_over_http_is_fetched_and_applied() {
    let server = MockServer::start().await;
    let mut spec = base_spec();
    add_operation(&mut spec);
    Mock::given(method("GET"))
        .and(path("/openapi.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&spec))
        .expect(1)
        .mount(&server)
        .await;
    let dir = workspace("http-ok");
    let options = UpdateOptions {
        source: Source::Url(format!("{}/openapi.json", server.uri())),
        ..options()
    };
    let outcome = run(&dir, &options).await.unwrap();
    assert_eq!(outcome.summary.verdict(), Verdict::Minor);
    assert_eq!(current(&dir), osigu_codegen::canonical_json(&spec));
}

#[tokio::test]
async fn an_http_500_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream broke"))
        .mount(&server)
        .await;
    let url = format!("{}/openapi.json", server.uri());
    let message = assert_refused("http-500", |_| UpdateOptions {
        source: Source::Url(url.clone()),
        ..options()
    })
    .await;
    assert_eq!(message, format!("{url} answered HTTP 500, not the spec"));
}

// The clock is paused: the 30 s deadline passes at once in tokio's time
// while the server, on its own thread, would wait an hour.
#[tokio::test(start_paused = true)]
async fn a_server_that_does_not_answer_in_time_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3600)))
        .mount(&server)
        .await;
    let url = format!("{}/openapi.json", server.uri());
    let message = assert_refused("timeout", |_| UpdateOptions {
        source: Source::Url(url.clone()),
        ..options()
    })
    .await;
    assert_eq!(
        message,
        format!("{url} did not answer within 30s (--timeout). Try again, or pass --file PATH")
    );
}

#[tokio::test]
async fn an_unreachable_host_is_refused_with_an_offline_hint() {
    // Bind, note the port, and close it again: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let message = assert_refused("unreachable", |_| UpdateOptions {
        source: Source::Url(format!("http://127.0.0.1:{port}/openapi.json")),
        ..options()
    })
    .await;
    assert!(
        message.starts_with(&format!(
            "cannot reach http://127.0.0.1:{port}/openapi.json: "
        )),
        "{message}"
    );
    assert!(message.contains("Are you offline?"), "{message}");
}

/// How many keys of `value`, at any depth, are `x-osigu-*` extensions.
fn extension_keys(value: &Value) -> usize {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| usize::from(k.starts_with("x-osigu-")) + extension_keys(v))
            .sum(),
        Value::Array(items) => items.iter().map(extension_keys).sum(),
        _ => 0,
    }
}

/// Osigu's own file, as `update-spec` would download it: the repository's
/// spec (with the probe resource) stripped of every `x-osigu-*` extension
/// and of the `-reconstructed` version suffix. The probe gets a mark first,
/// so that there is something to strip whatever `openapi.json` is today.
fn official_release() -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.retain(|k, _| !k.starts_with("x-osigu-"));
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut spec = base_spec();
    spec["paths"]["/xtask-probe/items"]["post"]["x-osigu-evidence"] =
        json!({ "level": "inferred", "sources": ["osigu-docs/probe.md"] });
    assert!(extension_keys(&spec) >= 1);
    strip(&mut spec);
    let version = spec["info"]["version"].as_str().unwrap().to_owned();
    spec["info"]["version"] = version.trim_end_matches("-reconstructed").into();
    assert_eq!(extension_keys(&spec), 0);
    spec
}

/// A reference folder written by the test: a five-row catalogue about the
/// probe resource, and two schema pages.
fn synthetic_reference(dir: &Path) -> (PathBuf, Expectations) {
    let reference = dir.join("reference");
    std::fs::create_dir_all(reference.join("osigu-docs")).unwrap();
    std::fs::write(
        reference.join("ENDPOINTS.md"),
        "\
# Probe catalogue

| # | operationId | Method | Path | Tag | Ver | Product | Status | Sources |
|---|---|---|---|---|---|---|---|---|
| 1 | (token) | POST | `/v1/oauth/token` | SSO | v1 | shared | D | osigu-docs/probe.md |
| 2 | createProbeItem | POST | `/xtask-probe/items` | Probe | - | probe | D | osigu-docs/probe.md |
| 3 | (read one) | GET | `/xtask-probe/v1/items/:item_id` | Probe | v1 | probe | D | osigu-docs/probe.md |
| 4 | (remove one) | DELETE | `/xtask-probe/v1/items/{id}` | Probe | v1 | probe | D | osigu-docs/probe.md |
| 5 | (list) | GET [I] | unknown | Probe | ? | probe | I | osigu-docs/probe.md |
",
    )
    .unwrap();
    for page in [
        "probe.md",
        "api-openapi-schemas-proberequest.md",
        "api-openapi-schemas-probe-archive.md",
    ] {
        std::fs::write(reference.join("osigu-docs").join(page), "synthetic").unwrap();
    }
    let expect = Expectations {
        catalogue_rows: 5,
        min_documented_rows: 3,
        min_schema_pages: 2,
        min_observed_requests: 0,
    };
    (reference, expect)
}

#[tokio::test]
async fn an_official_release_is_applied_and_its_summary_lists_how_it_differs_from_the_catalogue() {
    let dir = workspace("official-release");
    let mut release = official_release();
    assert_eq!(extension_keys(&release), 0);
    let version = release["info"]["version"].as_str().unwrap().to_owned();
    assert!(!version.ends_with("-reconstructed"));
    // Row 3's read moved to v2; row 4's delete is not in the release.
    release["paths"]["/xtask-probe/v2/items/{id}"] = json!({ "get": {
        "operationId": "getProbeItem",
        "parameters": [{ "name": "id", "in": "path", "required": true,
                         "schema": { "type": "integer", "format": "int64" } }],
        "responses": { "200": { "description": "OK", "content": { "*/*": {
            "schema": { "$ref": "#/components/schemas/ProbeItem" } } } } }
    } });
    let (reference_dir, reference_expectations) = synthetic_reference(&dir);
    let summary_file = dir.join("entry.md");
    let options = UpdateOptions {
        reference_dir,
        reference_expectations,
        summary_file: Some(summary_file.clone()),
        ..from_file(write_variant(&dir, &release))
    };
    let outcome = run(&dir, &options).await.unwrap();
    assert!(outcome.changed);
    assert_eq!(current(&dir), osigu_codegen::canonical_json(&release));

    let CatalogueSection::Report(report) = &outcome.catalogue else {
        panic!("the catalogue section was skipped: {}", outcome.catalogue);
    };
    assert_eq!(report.kind, SpecKind::Official);
    assert!(report.passed(), "{report}");
    let unanswered: Vec<&str> = report.unanswered().map(|r| r.label.as_str()).collect();
    assert_eq!(unanswered, ["4"]);
    let moved: Vec<(&str, Vec<String>)> = report
        .moved()
        .map(|(row, to)| (row.label.as_str(), to.to_vec()))
        .collect();
    assert_eq!(
        moved,
        [("3", vec!["GET /xtask-probe/v2/items/{id}".to_owned()])]
    );
    assert_eq!(
        report.pages_without_component,
        [(
            "probearchive".to_owned(),
            "osigu-docs/api-openapi-schemas-probe-archive.md".to_owned()
        )]
    );

    let notes = outcome.release_notes();
    assert_eq!(std::fs::read_to_string(summary_file).unwrap(), notes);
    let section = notes
        .split_once("\n### Documented catalogue\n\n")
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("no catalogue section in:\n{notes}"));
    assert!(
        section.starts_with(&format!("Spec {version} is an official release: ")),
        "{section}"
    );
    for line in [
        "- 1 of 3 documented rows (not counting the SSO server's) are answered by an operation with their method and path.\n",
        "- Not answered: row 4 (DELETE `/xtask-probe/v1/items/{id}`)\n",
        "- Moved: row 3 (GET `/xtask-probe/v1/items/:item_id`) is now GET /xtask-probe/v2/items/{id}\n",
        "- No component for schema page `osigu-docs/api-openapi-schemas-probe-archive.md` (`probearchive`)\n",
    ] {
        assert!(section.contains(line), "{line:?} not in:\n{section}");
    }
}

#[tokio::test]
async fn without_the_reference_folder_the_update_goes_ahead_and_says_the_catalogue_was_skipped() {
    let dir = workspace("no-reference");
    let mut release = official_release();
    add_operation(&mut release);
    let missing = dir.join("shared/reference");
    let options = UpdateOptions {
        reference_dir: missing.clone(),
        ..from_file(write_variant(&dir, &release))
    };
    let outcome = run(&dir, &options).await.unwrap();
    assert!(outcome.changed);
    assert_eq!(current(&dir), osigu_codegen::canonical_json(&release));
    assert_eq!(
        outcome.catalogue,
        CatalogueSection::Skipped(ReferenceError::FolderMissing {
            dir: missing.clone()
        })
    );
    assert!(
        outcome.release_notes().ends_with(&format!(
            "\n### Documented catalogue\n\nSkipped: the reference folder {} is missing (set \
             OSIGU_REFERENCE_DIR to check the release against the documented catalogue).\n",
            missing.display()
        )),
        "{}",
        outcome.release_notes()
    );
}

#[tokio::test]
async fn a_reconstruction_that_breaks_the_catalogue_is_still_applied_with_its_problems_listed() {
    let dir = workspace("reconstruction-problems");
    let (reference_dir, reference_expectations) = synthetic_reference(&dir);
    // A reconstruction whose probe cites a page this folder lacks (and, when
    // `openapi.json` is the reconstruction, whose rows go past the five this
    // catalogue has). `cargo xtask reference` fails on this; `update-spec`
    // only reports it.
    let mut spec = base_spec();
    let version = spec["info"]["version"].as_str().unwrap().to_owned();
    if !version.ends_with("-reconstructed") {
        spec["info"]["version"] = format!("{version}-reconstructed").into();
    }
    spec["paths"]["/xtask-probe/items"]["post"]["description"] =
        "Creates a probe item, for the update-spec tests.".into();
    spec["paths"]["/xtask-probe/items"]["post"]["x-osigu-evidence"] = json!({
        "level": "documented",
        "catalogue_rows": [2],
        "sources": ["osigu-docs/not-in-this-folder.md"]
    });
    let options = UpdateOptions {
        reference_dir,
        reference_expectations,
        ..from_file(write_variant(&dir, &spec))
    };
    let outcome = run(&dir, &options).await.unwrap();
    let CatalogueSection::Report(report) = &outcome.catalogue else {
        panic!("skipped: {}", outcome.catalogue);
    };
    assert_eq!(report.kind, SpecKind::Reconstructed);
    assert!(!report.passed());
    let sources: Vec<String> = report
        .problems
        .iter()
        .filter(|p| p.check == Check::Sources)
        .map(|p| p.detail.clone())
        .filter(|d| d.starts_with("POST /xtask-probe/items:"))
        .collect();
    assert_eq!(
        sources,
        [
            "POST /xtask-probe/items: source osigu-docs/not-in-this-folder.md is not in the reference"
        ]
    );
    assert!(
        outcome.release_notes().contains(
            "- [sources] POST /xtask-probe/items: source osigu-docs/not-in-this-folder.md is not in the reference\n"
        ),
        "{}",
        outcome.release_notes()
    );
}

/// A scratch workspace with the repository's own pins beside its spec.
fn pinned_workspace(name: &str) -> PathBuf {
    let dir = workspace(name);
    let overlay = xtask::paths::workspace_root().join("sdk-overlay.json");
    std::fs::copy(overlay, dir.join("sdk-overlay.json")).unwrap();
    dir
}

/// Renames the operation at `method path` in `spec`.
fn rename(spec: &mut Value, path: &str, method: &str, to: &str) {
    let op = &mut spec["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not in openapi.json");
    op["operationId"] = to.into();
}

/// The public Rust items of the SDK generated from `spec` with `overlay`.
fn client_methods(spec: &Value, overlay: &Value) -> Vec<String> {
    let (_, generated) = osigu_codegen::sdk_pipeline(spec, overlay).unwrap();
    osigu_codegen::rust_api(&generated)
        .unwrap()
        .items
        .into_keys()
        .filter(|item| item.starts_with("Client::"))
        .collect()
}

const RENAMED: [(&str, &str, &str); 3] = [
    (
        "/dispensing/v1/dispensations/{id}/complete",
        "post",
        "completeDispensationUsingPOST",
    ),
    (
        "/arc/v1/authorizations/{id}/void",
        "post",
        "voidAuthorizationUsingPOST",
    ),
    (
        "/arc/v1/authorization-requests/{id}",
        "get",
        "getAuthorizationRequestUsingGET",
    ),
];

#[tokio::test]
async fn a_release_that_only_renames_operations_keeps_every_method_and_is_not_major() {
    let dir = pinned_workspace("rename-only");
    let pins_before: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sdk-overlay.json")).unwrap())
            .unwrap();
    let mut spec = base_spec();
    for (path, method, to) in RENAMED {
        rename(&mut spec, path, method, to);
    }
    let outcome = run(&dir, &from_file(write_variant(&dir, &spec)))
        .await
        .unwrap();

    assert_ne!(
        outcome.summary.verdict(),
        Verdict::Major,
        "{}",
        outcome.summary
    );
    assert!(
        outcome.summary.rust.iter().all(|c| !c.breaking),
        "{}",
        outcome.summary
    );
    assert_eq!(outcome.summary.renames.len(), 3, "{}", outcome.summary);
    let notes = outcome.release_notes();
    assert!(notes.contains("### Renamed upstream"), "{notes}");
    assert!(
        notes.contains(
            "POST /dispensing/v1/dispensations/{id}/complete: upstream `completeDispensation` → \
             `completeDispensationUsingPOST`; the SDK keeps `completeDispensation`"
        ),
        "{notes}"
    );
    // The pins now record Osigu's new names beside the kept ones.
    assert!(outcome.pins_changed);
    let pins_after: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sdk-overlay.json")).unwrap())
            .unwrap();
    let entry = &pins_after["operations"]["POST /dispensing/v1/dispensations/{id}/complete"];
    assert_eq!(entry["name"], "completeDispensation");
    assert_eq!(entry["upstream"], "completeDispensationUsingPOST");
    assert_eq!(
        entry["class"], "transition",
        "the rest of the entry is kept"
    );
    // Every method users call today is still generated, under its name.
    let before = client_methods(&base_spec(), &pins_before);
    let after = client_methods(&spec, &pins_after);
    assert!(before.contains(&"Client::complete_dispensation".to_owned()));
    let lost: Vec<&String> = before.iter().filter(|m| !after.contains(m)).collect();
    assert!(lost.is_empty(), "methods lost to the rename: {lost:?}");
    assert!(!after.iter().any(|m| m.contains("using_post")), "{after:?}");
}

#[tokio::test]
async fn a_moved_operation_is_still_breaking_with_pins() {
    let dir = pinned_workspace("moved-operation");
    let mut spec = base_spec();
    let paths = spec["paths"].as_object_mut().unwrap();
    let item = paths
        .remove("/dispensing/v1/dispensations/{id}/complete")
        .unwrap();
    paths.insert("/dispensing/v2/dispensations/{id}/complete".into(), item);
    let outcome = run(&dir, &from_file(write_variant(&dir, &spec)))
        .await
        .unwrap();
    assert_eq!(
        outcome.summary.verdict(),
        Verdict::Major,
        "{}",
        outcome.summary
    );
    assert!(outcome.summary.renames.is_empty());
    let pins: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sdk-overlay.json")).unwrap())
            .unwrap();
    let entries = pins["operations"].as_object().unwrap();
    assert!(
        !entries.contains_key("POST /dispensing/v1/dispensations/{id}/complete")
            || entries["POST /dispensing/v1/dispensations/{id}/complete"]
                .get("name")
                .is_none()
    );
    assert_eq!(
        entries["POST /dispensing/v2/dispensations/{id}/complete"]["name"],
        "completeDispensation"
    );
}

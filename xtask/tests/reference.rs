//! The reference checks of `cargo xtask reference`, on a small synthetic
//! catalogue and spec written here (so they run on a bare clone), and the
//! checks that need only the spec on the repository's own `openapi.json`.
//!
//! Each test breaks one thing in an otherwise consistent pair and asserts
//! the exact problems reported, so a check that stopped looking, or looked
//! at the wrong thing, fails here.

use std::path::Path;

use serde_json::{Value, json};
use xtask::reference::{
    Check, Expectations, Reference, ReferenceError, RowAnswer, SpecKind, catalogue_rows, check,
    evidence_problems, moved, shape,
};

/// A catalogue in the format of `ENDPOINTS.md`'s operation table: number,
/// operationId, method, path, tag, version, product, status, sources.
const CATALOGUE: &str = "\
# Synthetic catalogue

Some prose before the table | with a pipe that is not a row.

| # | operationId | Method | Path | Tag | Ver | Product | Status | Sources |
|---|---|---|---|---|---|---|---|---|
| 1 | (token; SSO) | POST | `/v1/oauth/token` | SSO | v1 | shared | D | osigu-docs/widgets.md |
| 2 | listWidgets | GET | `/shop/v1/widgets` (`?colour=`) | Widgets | v1 | shop | D | osigu-docs/widgets.md |
| 3 | (read one; name unknown) | GET | `/shop/v1/widgets/:widget_id` | Widgets | v1 | shop | D | osigu-docs/widgets.md |
| 4 | (close) | POST | `/widgets/{id}/close` (prefix guessed) | Widgets | v1 | shop | D-partial | osigu-docs/widgets.md |
| 5 | archiveWidget | POST [I] | unknown | Widgets | ? | shop | I (name D) | seeds/000_a.txt |
| 6–7 | (gadgets: create / read) | ? | unknown | Gadgets | ? | shop | I | seeds/000_a.txt |

| Other table | not | an | operation | row |
|---|---|---|---|---|
| 9 | five | cells | only | here |
";

const EXPECT: Expectations = Expectations {
    catalogue_rows: 7,
    min_documented_rows: 4,
    min_schema_pages: 2,
    min_observed_requests: 0,
};

fn reference() -> Reference {
    Reference::new(
        CATALOGUE,
        [
            "ENDPOINTS.md",
            "client-observations.md",
            "osigu-docs/widgets.md",
            "osigu-docs/shop-openapi-schemas-widgetresource.md",
            "osigu-docs/es-shop-openapi-schemas-widget-v-2.md",
            "osigu-docs/pt-shop-openapi-schemas-widgetresource.md",
            "seeds/000_a.txt",
        ]
        .map(String::from),
    )
}

fn op(id: &str, level: &str, rows: &[u32], sources: &[&str]) -> Value {
    json!({
        "operationId": id,
        "description": format!("{id}: a synthetic operation for the reference checks."),
        "responses": { "200": { "description": "ok" } },
        "x-osigu-evidence": { "level": level, "catalogue_rows": rows, "sources": sources }
    })
}

const DOCS: &[&str] = &["osigu-docs/widgets.md"];
const SEED: &[&str] = &["seeds/000_a.txt"];

/// A reconstruction that answers every row of [`CATALOGUE`].
fn spec() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": { "title": "shop", "version": "0.0.0-reconstructed" },
        "paths": {
            "/shop/v1/widgets": {
                "get": op("listWidgets", "documented", &[2], DOCS),
                "parameters": []
            },
            "/shop/v1/widgets/{id}": { "get": op("getWidget", "documented", &[3], DOCS) },
            "/shop/v1/widgets/{id}/close": { "post": op("closeWidget", "documented", &[4], DOCS) },
            "/shop/v1/widgets/{id}/archive": { "post": op("archiveWidget", "inferred", &[5], SEED) },
            "/shop/v1/widgets/{id}/history": { "get": op("widgetHistory", "inferred", &[], SEED) },
            "/shop/v1/gadgets": { "post": op("createGadget", "inferred", &[6], SEED) },
            "/shop/v1/gadgets/{id}": { "get": op("getGadget", "inferred", &[7], SEED) }
        },
        "components": { "schemas": {
            "WidgetResource": { "type": "object" },
            "WidgetV2": { "type": "object" }
        } }
    })
}

fn evidence<'a>(spec: &'a mut Value, path: &str, method: &str) -> &'a mut Value {
    &mut spec["paths"][path][method]["x-osigu-evidence"]
}

/// The problems of `spec` against [`reference`], as `[check] detail` lines.
fn problems(spec: &Value) -> Vec<String> {
    problems_with(spec, &reference())
}

fn problems_with(spec: &Value, reference: &Reference) -> Vec<String> {
    check(spec, reference, &EXPECT)
        .unwrap()
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn the_catalogue_table_parses_into_rows_with_ranges_expanded() {
    let (rows, malformed) = catalogue_rows(CATALOGUE);
    assert!(malformed.is_empty(), "{malformed:?}");
    let numbers: Vec<Vec<u32>> = rows.iter().map(|r| r.numbers.clone()).collect();
    assert_eq!(
        numbers,
        [vec![1], vec![2], vec![3], vec![4], vec![5], vec![6, 7]]
    );
    let row2 = &rows[1];
    assert_eq!(row2.name.as_deref(), Some("listWidgets"));
    assert_eq!(row2.method.as_deref(), Some("GET"));
    // The query fragment in its own backticks is not a path.
    assert_eq!(row2.paths, ["/shop/v1/widgets"]);
    assert!(row2.documented() && !row2.partial());
    assert_eq!(rows[2].name, None, "a parenthesised note is not a name");
    assert!(rows[3].partial());
    assert_eq!(rows[4].method, None, "a guessed method is not stated");
    assert_eq!(rows[5].method, None);
    assert!(!rows[4].documented());
    assert!(rows[0].sso());
}

#[test]
fn a_consistent_reconstruction_passes_every_check() {
    let report = check(&spec(), &reference(), &EXPECT).unwrap();
    assert_eq!(report.problems, []);
    assert!(report.passed());
    assert_eq!(report.kind, SpecKind::Reconstructed);
    assert_eq!(report.operations, 7, "`parameters` is not an operation");
    assert_eq!(report.catalogue_rows, 7);
    assert_eq!(report.documented.len(), 4);
    assert_eq!(report.answered(), 3);
    assert_eq!(report.documented[0].answer, RowAnswer::Exempt);
    assert_eq!(
        report.documented[3].answer,
        RowAnswer::Answered {
            by: "POST /shop/v1/widgets/{id}/close".into()
        },
        "a D-partial row is answered by a path ending with its own"
    );
    assert_eq!(
        report.schema_pages, 2,
        "two languages of one page count once"
    );
    assert_eq!(
        report
            .levels
            .iter()
            .map(|(l, n)| (l.as_str(), *n))
            .collect::<Vec<_>>(),
        [("documented", 3), ("inferred", 4)]
    );
    let text = report.to_string();
    assert!(text.starts_with("Spec 0.0.0-reconstructed is the reconstruction: 7 operations (3 documented, 4 inferred)"), "{text}");
    assert!(text.ends_with("Every check holds.\n"), "{text}");
}

#[test]
fn a_documented_row_no_operation_answers_fails_twice() {
    let mut spec = spec();
    spec["paths"]
        .as_object_mut()
        .unwrap()
        .remove("/shop/v1/widgets/{id}");
    assert_eq!(
        problems(&spec),
        [
            "[documented rows] row 3 (GET `/shop/v1/widgets/:widget_id`): no operation has this method and path",
            "[catalogue claims] row 3: no operation claims it",
        ]
    );
}

#[test]
fn only_a_partial_row_is_answered_by_a_longer_path() {
    let mut spec = spec();
    let paths = spec["paths"].as_object_mut().unwrap();
    let list = paths.remove("/shop/v1/widgets").unwrap();
    paths.insert("/api/shop/v1/widgets".into(), list);
    // Row 2 is fully documented: a prefix in front is a different path. Its
    // claim still matches, as the claim check allows a suffix.
    assert_eq!(
        problems(&spec),
        [
            "[documented rows] row 2 (GET `/shop/v1/widgets`): no operation has this method and path (GET /api/shop/v1/widgets has its shape elsewhere)"
        ]
    );
}

#[test]
fn an_answer_with_another_method_does_not_count() {
    let mut spec = spec();
    let item = spec["paths"]["/shop/v1/widgets"].as_object_mut().unwrap();
    let op = item.remove("get").unwrap();
    item.insert("post".into(), op);
    assert_eq!(
        problems(&spec),
        [
            "[documented rows] row 2 (GET `/shop/v1/widgets`): no operation has this method and path",
            "[catalogue claims] row 2: no operation claiming it uses GET",
        ]
    );
}

#[test]
fn a_row_that_names_its_operation_needs_a_claim_with_that_name() {
    let mut spec = spec();
    spec["paths"]["/shop/v1/widgets"]["get"]["operationId"] = "listAllWidgets".into();
    assert_eq!(
        problems(&spec),
        ["[catalogue claims] row 2: no operation claiming it is named listWidgets"]
    );
}

#[test]
fn a_documented_row_needs_a_claim_with_its_path() {
    let mut spec = spec();
    // The list operation now claims row 3 as well, and the operation that
    // has row 3's path stops claiming it.
    evidence(&mut spec, "/shop/v1/widgets", "get")["catalogue_rows"] = json!([2, 3]);
    evidence(&mut spec, "/shop/v1/widgets/{id}", "get")["catalogue_rows"] = json!([2]);
    assert_eq!(
        problems(&spec),
        [
            r#"[catalogue claims] row 3: no operation claiming it has path ["/shop/v1/widgets/:widget_id"]"#
        ]
    );
}

#[test]
fn an_inferred_row_cannot_be_claimed_by_a_documented_operation() {
    let mut spec = spec();
    evidence(&mut spec, "/shop/v1/widgets/{id}/archive", "post")["level"] = "documented".into();
    assert_eq!(
        problems(&spec),
        [
            "[catalogue claims] row 5: the catalogue infers it, so POST /shop/v1/widgets/{id}/archive cannot be documented"
        ]
    );
}

#[test]
fn a_claim_of_a_row_the_catalogue_lacks_fails() {
    let mut spec = spec();
    evidence(&mut spec, "/shop/v1/widgets/{id}/archive", "post")["catalogue_rows"] = json!([5, 99]);
    assert_eq!(
        problems(&spec),
        [
            "[catalogue claims] POST /shop/v1/widgets/{id}/archive claims row 99, which does not exist"
        ]
    );
}

#[test]
fn every_row_must_be_claimed_but_the_sso_row() {
    let mut spec = spec();
    evidence(&mut spec, "/shop/v1/gadgets/{id}", "get")["catalogue_rows"] = json!([]);
    // Nothing claims row 1 either, and that is fine.
    assert_eq!(
        problems(&spec),
        ["[catalogue claims] row 7: no operation claims it"]
    );
}

#[test]
fn every_operation_of_the_reconstruction_carries_well_formed_evidence() {
    let cases: &[(&str, Value, &str)] = &[
        (
            "missing",
            Value::Null,
            "[evidence marks] GET /shop/v1/widgets/{id}/history: no x-osigu-evidence",
        ),
        (
            "unknown level",
            json!({ "level": "rumoured", "sources": SEED }),
            r#"[evidence marks] GET /shop/v1/widgets/{id}/history: x-osigu-evidence.level is "rumoured", not one of ["documented", "inferred", "observed"]"#,
        ),
        (
            "no level",
            json!({ "sources": SEED }),
            r#"[evidence marks] GET /shop/v1/widgets/{id}/history: x-osigu-evidence.level is absent, not one of ["documented", "inferred", "observed"]"#,
        ),
        (
            "empty sources",
            json!({ "level": "inferred", "sources": [] }),
            "[evidence marks] GET /shop/v1/widgets/{id}/history: x-osigu-evidence.sources is empty",
        ),
        (
            "no sources",
            json!({ "level": "inferred" }),
            "[evidence marks] GET /shop/v1/widgets/{id}/history: no x-osigu-evidence.sources",
        ),
        (
            "rows not numbers",
            json!({ "level": "inferred", "sources": SEED, "catalogue_rows": ["2"] }),
            "[evidence marks] GET /shop/v1/widgets/{id}/history: x-osigu-evidence.catalogue_rows is not a list of row numbers",
        ),
        (
            "documented without a row",
            json!({ "level": "documented", "sources": DOCS }),
            "[evidence marks] GET /shop/v1/widgets/{id}/history: a documented operation must name its catalogue row",
        ),
    ];
    for (case, mark, expected) in cases {
        let mut spec = spec();
        let op = spec["paths"]["/shop/v1/widgets/{id}/history"]["get"]
            .as_object_mut()
            .unwrap();
        if mark.is_null() {
            op.remove("x-osigu-evidence");
        } else {
            op.insert("x-osigu-evidence".into(), mark.clone());
        }
        assert_eq!(problems(&spec), [*expected], "{case}");
        assert_eq!(
            evidence_problems(&spec).unwrap().len(),
            1,
            "{case}: the spec-only check sees it too"
        );
    }
}

#[test]
fn every_operation_needs_a_real_description() {
    let mut spec = spec();
    spec["paths"]["/shop/v1/gadgets"]["post"]["description"] = "Makes one.".into();
    spec["paths"]["/shop/v1/gadgets/{id}"]["get"]
        .as_object_mut()
        .unwrap()
        .remove("description");
    assert_eq!(
        problems(&spec),
        [
            "[evidence marks] POST /shop/v1/gadgets: no description (or one of 20 bytes or fewer)",
            "[evidence marks] GET /shop/v1/gadgets/{id}: no description (or one of 20 bytes or fewer)",
        ]
    );
}

#[test]
fn every_source_is_a_file_of_the_reference_by_name_or_by_stem() {
    let mut spec = spec();
    evidence(&mut spec, "/shop/v1/gadgets", "post")["sources"] = json!([
        "osigu-docs/widgets", // the .md page
        "seeds/000_a.md",     // the .txt seed of that name
        "client-observations.md",
        "osigu-docs/gone.md",
        "seeds/001_b.txt"
    ]);
    assert_eq!(
        problems(&spec),
        [
            "[sources] POST /shop/v1/gadgets: source osigu-docs/gone.md is not in the reference",
            "[sources] POST /shop/v1/gadgets: source seeds/001_b.txt is not in the reference",
        ]
    );
    assert_eq!(
        evidence_problems(&spec).unwrap(),
        [],
        "sources need the reference"
    );
}

#[test]
fn an_observed_operation_cites_the_client_observations() {
    let mut spec = spec();
    spec["paths"]["/shop/v1/widgets/{id}/parts"] = json!({
        "get": op("listWidgetParts", "observed", &[], &["client-observations.md"])
    });
    assert_eq!(
        problems(&spec),
        Vec::<String>::new(),
        "observed without a row, like inferred"
    );
    *evidence(&mut spec, "/shop/v1/widgets/{id}/parts", "get") =
        json!({ "level": "observed", "sources": DOCS });
    assert_eq!(
        problems(&spec),
        [
            "[evidence marks] GET /shop/v1/widgets/{id}/parts: observed, but its sources do not cite client-observations.md"
        ]
    );
}

#[test]
fn an_observed_operation_claiming_a_row_must_match_it() {
    let observed = |rows: &[u32]| {
        op(
            "listWidgetParts",
            "observed",
            rows,
            &["client-observations.md"],
        )
    };
    let mut spec = spec();
    // A documented row with the right method and path.
    spec["paths"]["/shop/v1/widgets/{id}"]["put"] = observed(&[]);
    spec["paths"]["/api/v0/shop/v1/widgets/{widget}"] = json!({ "get": observed(&[3]) });
    // An inferred row that states no method.
    spec["paths"]["/shop/v1/widgets/{id}/archive"]["put"] = observed(&[5]);
    assert_eq!(problems(&spec), Vec::<String>::new());

    // The right method, another path: the documented operation still
    // answers row 3, but the observed one is held to it on its own.
    spec["paths"]["/shop/v1/widget-parts"] = json!({ "get": observed(&[3]) });
    // The wrong method for row 2.
    spec["paths"]["/shop/v1/widgets"]["post"] = observed(&[2]);
    assert_eq!(
        problems(&spec),
        [
            "[catalogue claims] row 2: observed POST /shop/v1/widgets claims it, but the row's method is GET",
            r#"[catalogue claims] row 3: observed GET /shop/v1/widget-parts claims it, but the row's path is ["/shop/v1/widgets/:widget_id"]"#,
        ]
    );
}

#[test]
fn a_changed_catalogue_is_reported() {
    // Row 7 gone: the numbering has a gap, and the claim of row 7 names
    // nothing.
    let catalogue = CATALOGUE.replace("| 6–7 |", "| 6 |");
    let changed = Reference {
        catalogue,
        ..reference()
    };
    assert_eq!(
        problems_with(&spec(), &changed),
        [
            "[catalogue] the catalogue's rows changed: expected 1..=7, missing [7], unexpected []",
            "[catalogue claims] GET /shop/v1/gadgets/{id} claims row 7, which does not exist",
        ]
    );
    let catalogue = CATALOGUE.replace("| 5 | archiveWidget", "| 5b | archiveWidget");
    let malformed = Reference {
        catalogue,
        ..reference()
    };
    assert_eq!(
        problems_with(&spec(), &malformed),
        [
            r#"[catalogue] row label "5b" is not a number or a range"#,
            "[catalogue] the catalogue's rows changed: expected 1..=7, missing [5], unexpected []",
            "[catalogue claims] POST /shop/v1/widgets/{id}/archive claims row 5, which does not exist",
        ]
    );
}

#[test]
fn a_reference_too_small_to_check_is_reported() {
    let report = check(
        &spec(),
        &reference(),
        &Expectations {
            catalogue_rows: 7,
            min_documented_rows: 5,
            min_schema_pages: 3,
            min_observed_requests: 0,
        },
    )
    .unwrap();
    let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "[catalogue] parsed only 4 documented rows, expected at least 5",
            "[catalogue] found only 2 schema pages in osigu-docs/, expected at least 3",
        ]
    );
}

#[test]
fn every_schema_page_needs_its_component() {
    let mut spec = spec();
    spec["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("WidgetV2");
    assert_eq!(
        problems(&spec),
        [
            "[schema pages] schema page osigu-docs/es-shop-openapi-schemas-widget-v-2.md has no component (`widgetv2`)"
        ]
    );
}

/// What `cargo xtask update-spec` brings in: Osigu's own file, with no
/// evidence marks and a plain version.
fn official(mut spec: Value) -> Value {
    spec["info"]["version"] = "2.4.0".into();
    for item in spec["paths"].as_object_mut().unwrap().values_mut() {
        for op in item.as_object_mut().unwrap().values_mut() {
            if let Some(op) = op.as_object_mut() {
                op.remove("x-osigu-evidence");
            }
        }
    }
    spec
}

#[test]
fn an_official_release_is_compared_with_the_catalogue_not_failed() {
    let mut spec = official(spec());
    let paths = spec["paths"].as_object_mut().unwrap();
    let read = paths.remove("/shop/v1/widgets/{id}").unwrap();
    paths.insert("/shop/v2/widgets/{widgetId}".into(), read);
    paths.remove("/shop/v1/widgets/{id}/close");
    // Descriptions are Osigu's business now.
    paths["/shop/v1/gadgets"]["post"]
        .as_object_mut()
        .unwrap()
        .remove("description");
    spec["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("WidgetV2");

    let report = check(&spec, &reference(), &EXPECT).unwrap();
    assert_eq!(report.kind, SpecKind::Official);
    assert_eq!(report.problems, [], "differences are not problems");
    let unanswered: Vec<&str> = report.unanswered().map(|r| r.label.as_str()).collect();
    assert_eq!(unanswered, ["4"]);
    let moved: Vec<(&str, Vec<String>)> = report
        .moved()
        .map(|(r, to)| (r.label.as_str(), to.to_vec()))
        .collect();
    assert_eq!(
        moved,
        [("3", vec!["GET /shop/v2/widgets/{widgetId}".to_owned()])]
    );
    assert_eq!(
        report.pages_without_component,
        [(
            "widgetv2".to_owned(),
            "osigu-docs/es-shop-openapi-schemas-widget-v-2.md".to_owned()
        )]
    );
    assert_eq!(report.answered(), 1);
    let text = report.to_string();
    for line in [
        "- 1 of 3 documented rows (not counting the SSO server's) are answered by an operation with their method and path.\n",
        "- Not answered: row 4 (POST `/widgets/{id}/close`)\n",
        "- Moved: row 3 (GET `/shop/v1/widgets/:widget_id`) is now GET /shop/v2/widgets/{widgetId}\n",
        "- No component for schema page `osigu-docs/es-shop-openapi-schemas-widget-v-2.md` (`widgetv2`)\n",
        "Every check holds.\n",
    ] {
        assert!(text.contains(line), "{line:?} not in:\n{text}");
    }
    assert!(
        text.starts_with("Spec 2.4.0 is an official release: 6 operations"),
        "{text}"
    );
}

#[test]
fn an_official_release_claims_no_evidence() {
    let mut spec = official(spec());
    spec["paths"]["/shop/v1/gadgets"]["post"]["x-osigu-evidence"] =
        json!({ "level": "inferred", "sources": SEED });
    let expected = [
        "[evidence marks] POST /shop/v1/gadgets: claims x-osigu-evidence, but the spec is an official release (its version does not end in -reconstructed)",
    ];
    assert_eq!(problems(&spec), expected);
    let spec_only: Vec<String> = evidence_problems(&spec)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(spec_only, expected);
}

/// The checks that need only the spec run on the repository's
/// `openapi.json` in every `cargo test`. Today it is the reconstruction, so
/// every operation must carry a well-formed mark; once an official release
/// replaces it, none may claim one. Both cases assert.
#[test]
fn the_repository_spec_marks_its_evidence_as_its_kind_requires() {
    let path = xtask::paths::workspace_root().join("openapi.json");
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let problems: Vec<String> = evidence_problems(&spec)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(problems, Vec::<String>::new());
    let ops = xtask::reference::operations(&spec).unwrap();
    let marked = ops.iter().filter(|o| o.evidence.is_some()).count();
    match SpecKind::of(&spec) {
        SpecKind::Reconstructed => {
            assert!(ops.len() >= 60, "only {} operations", ops.len());
            assert_eq!(marked, ops.len());
        }
        SpecKind::Official => assert_eq!(marked, 0),
    }
}

#[test]
fn paths_compare_by_shape_and_moves_ignore_versions_and_prefixes() {
    assert_eq!(shape("/a/v1/things/:thing_id?x=1"), "/a/v1/things/{}");
    assert_eq!(shape("/a/v1/things/{id}"), "/a/v1/things/{}");
    assert!(moved("/v1/otp/send", "/otp/send"));
    assert!(moved("/arc/v1/a/{x}/b", "/arc/v2/a/{id}/b"));
    assert!(moved("/v3/settlements", "/v4/settlements"));
    assert!(moved("/ehr/v1.1/prescriptions", "/ehr/v2/prescriptions"));
    assert!(moved(
        "/authorization-requests/{id}/complete",
        "/arc/v1/authorization-requests/{id}/complete"
    ));
    assert!(!moved("/v1/a/b", "/v1/c/b"), "another resource");
    assert!(
        !moved("/x/v1/things", "/v1/things"),
        "one segment is too little to match a tail"
    );
    assert!(!moved("/v1/things/{id}", "/v1/things"));
    assert!(!moved("/v1", "/v2"), "versions alone are nothing");
}

#[test]
fn a_spec_without_paths_is_an_error_not_a_pass() {
    let error = check(&json!({ "openapi": "3.0.1" }), &reference(), &EXPECT).unwrap_err();
    assert_eq!(
        error,
        ReferenceError::Spec {
            reason: "it has no \"paths\" object".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "the spec cannot be checked: it has no \"paths\" object"
    );
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("reference")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_missing_reference_folder_is_a_typed_error_that_says_what_to_set() {
    let dir = scratch("absent").join("shared/reference");
    let error = Reference::load(&dir).unwrap_err();
    assert_eq!(error, ReferenceError::FolderMissing { dir: dir.clone() });
    assert_eq!(
        error.to_string(),
        format!(
            "reference folder {} not found; set OSIGU_REFERENCE_DIR to the folder that holds ENDPOINTS.md and osigu-docs/",
            dir.display()
        )
    );

    let dir = scratch("no-catalogue");
    std::fs::create_dir_all(dir.join("osigu-docs")).unwrap();
    assert_eq!(
        Reference::load(&dir).unwrap_err(),
        ReferenceError::Missing {
            path: dir.join("ENDPOINTS.md")
        }
    );
    let dir = scratch("no-docs");
    std::fs::write(dir.join("ENDPOINTS.md"), CATALOGUE).unwrap();
    assert_eq!(
        Reference::load(&dir).unwrap_err(),
        ReferenceError::Missing {
            path: dir.join("osigu-docs")
        }
    );
}

#[test]
fn a_reference_folder_loads_its_catalogue_and_every_file() {
    let dir = scratch("loads");
    std::fs::write(dir.join("ENDPOINTS.md"), CATALOGUE).unwrap();
    std::fs::create_dir_all(dir.join("osigu-docs")).unwrap();
    std::fs::create_dir_all(dir.join("seeds")).unwrap();
    for file in [
        "client-observations.md",
        "osigu-docs/widgets.md",
        "osigu-docs/shop-openapi-schemas-widgetresource.md",
        "osigu-docs/pt-shop-openapi-schemas-widgetresource.md",
        "osigu-docs/es-shop-openapi-schemas-widget-v-2.md",
        "seeds/000_a.txt",
    ] {
        std::fs::write(dir.join(file), "synthetic").unwrap();
    }
    let loaded = Reference::load(&dir).unwrap();
    assert_eq!(loaded.observations.as_deref(), Some("synthetic"));
    assert_eq!(
        Reference {
            observations: None,
            ..loaded.clone()
        },
        reference()
    );
    let report = check(&spec(), &loaded, &EXPECT).unwrap();
    assert!(report.passed(), "{report}");
    assert_eq!(
        report
            .problems
            .iter()
            .filter(|p| p.check == Check::Sources)
            .count(),
        0
    );
}

/// An observations table in the shared file's shape.
const OBSERVED: &str = "\
| # | Request (observed) | Body / query (observed) | Response (observed) | Source |
|---|---|---|---|---|
| 1 | `POST /shop/v1/widgets/` | `name`, `sizes` (number[]), `parts[] {slug, count}` | a `Location` header | O1 |
| 1a | (part items in 1) | `slug`, `count` | | O1 |
| 2 | `POST /shop/v1/widgets/{id}/files?kind=<k>&batch=<b>` | multipart, one part named `file`. Seen: `kind=x` | | O1 |
| 3 | `GET /shop/v1/widgets/search?name=<text>` | query `name` | a page | O1 |
| 4 | `POST /shop/v1/widgets/{id}/finish` | `{total, note?, lines: [{id (a number), price}]}`; commentary `ignored` | | O1 |
| 5 | `POST /v1/oauth/token?grant_type=client_credentials` | — (a form body also seen) | a token | O3 |
";

fn observed_spec() -> Value {
    let evidence = json!({ "level": "observed", "sources": ["client-observations.md"] });
    json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" }, "paths": {
        "/shop/v1/widgets": { "post": { "operationId": "createWidget", "x-osigu-evidence": evidence,
            "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/New" } } } },
            "responses": {} } },
        "/shop/v1/widgets/{widgetId}/files": { "post": { "operationId": "upload", "x-osigu-evidence": evidence,
            "parameters": [{ "name": "kind", "in": "query", "schema": { "type": "string" } }],
            "requestBody": { "content": { "multipart/form-data": { "schema": { "type": "object",
                "properties": { "file": { "type": "string", "format": "binary" } } } } } },
            "responses": {} } },
        "/shop/v1/widgets/{id}/finish": { "post": { "operationId": "finish",
            "x-osigu-evidence": { "level": "inferred", "sources": [] },
            "requestBody": { "content": { "application/json": { "schema": { "type": "object",
                "properties": { "total": { "type": "number" }, "lines": { "type": "array" } } } } } },
            "responses": {} } }
    }, "components": { "schemas": {
        "New": { "allOf": [{ "type": "object", "properties": { "name": { "type": "string" },
            "parts": { "type": "array", "items": { "$ref": "#/components/schemas/Part" } } } }] },
        "Part": { "type": "object", "properties": { "slug": { "type": "string" } } }
    } } })
}

#[test]
fn observed_requests_are_read_off_the_table() {
    let rows = xtask::observations::observed(OBSERVED);
    let labels: Vec<&str> = rows.iter().map(|r| r.row.as_str()).collect();
    assert_eq!(labels, ["1", "1a", "2", "3", "4", "5"]);
    assert!(rows[5].body.is_empty(), "{:?}", rows[5]);
    assert_eq!(rows[0].body, ["name", "sizes", "parts"]);
    assert!(
        rows[1].nested && rows[1].path == "/shop/v1/widgets/" && rows[1].body == ["slug", "count"]
    );
    assert_eq!(rows[2].query, ["kind", "batch"]);
    assert_eq!(rows[2].parts, ["file"]);
    assert_eq!(rows[3].query, ["name"]);
    assert_eq!(rows[4].body, ["total", "note", "lines"]);
}

#[test]
fn every_gap_between_an_observation_and_the_spec_is_named() {
    let rows = xtask::observations::observed(OBSERVED);
    let problems = xtask::observations::problems(&observed_spec(), &rows);
    assert_eq!(
        problems,
        [
            "observation 1 (POST /shop/v1/widgets/), answered by createWidget (POST /shop/v1/widgets): no field `sizes` in its application/json body",
            "observation 1a (POST /shop/v1/widgets/), answered by createWidget (POST /shop/v1/widgets): no field `count` in its application/json body",
            "observation 2 (POST /shop/v1/widgets/{id}/files), answered by upload (POST /shop/v1/widgets/{widgetId}/files): no query parameter `batch`",
            "observation 3 (GET /shop/v1/widgets/search): no operation has this method and path shape",
            "observation 4 (POST /shop/v1/widgets/{id}/finish), answered by finish (POST /shop/v1/widgets/{id}/finish): still marked inferred",
            "observation 4 (POST /shop/v1/widgets/{id}/finish), answered by finish (POST /shop/v1/widgets/{id}/finish): no field `note` in its application/json body",
        ]
    );
}

#[test]
fn the_observations_check_fails_the_reconstruction_only() {
    let with_observations = Reference {
        observations: Some(OBSERVED.to_owned()),
        ..reference()
    };
    let report = check(&spec(), &with_observations, &EXPECT).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.check == Check::Observations),
        "{report}"
    );
}

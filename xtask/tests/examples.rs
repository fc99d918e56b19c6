//! The check that keeps `tests/fixtures/` in step with the bodies the
//! documentation prints, on made-up pages.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use xtask::examples::{
    self, Fit, Kind, NO_FIXTURE, NoFixture, PageBody, STAND_INS, StandIn, differences, json_blocks,
    shape, unaccounted,
};

const PAGE: &str = r#"Send the request:
curl -X POST "https://sandbox.example/v1/things" \
-H "Content-Type: application/json" \
-d '{
"name": "a // not a comment",
"tags": ["x", "y"]
}'
Response (201):
{
"id": 7, // the new id
"nested": { "ok": true }
}
Then, in one line:
curl -d '{"code": "123"}' https://sandbox.example/v1/check
A body cut short:
{
"id": 8,
"#;

#[test]
fn bodies_are_found_in_order_with_comments_dropped() {
    let blocks = json_blocks(PAGE);
    assert_eq!(blocks.len(), 4, "{blocks:?}");
    assert_eq!(
        blocks[0].as_ref().unwrap(),
        &json!({ "name": "a // not a comment", "tags": ["x", "y"] })
    );
    assert_eq!(
        blocks[1].as_ref().unwrap(),
        &json!({ "id": 7, "nested": { "ok": true } })
    );
    assert_eq!(blocks[2].as_ref().unwrap(), &json!({ "code": "123" }));
    let cut = blocks[3].as_ref().unwrap_err();
    assert!(cut.contains("ends inside a body"), "{cut}");
}

#[test]
fn a_body_that_is_not_json_keeps_its_number() {
    let page = "{\n\"a\": ...\n}\n{\n\"b\": 1\n}\n";
    let blocks = json_blocks(page);
    assert_eq!(blocks.len(), 2);
    assert!(blocks[0].is_err());
    assert_eq!(blocks[1].as_ref().unwrap(), &json!({ "b": 1 }));
}

#[test]
fn prose_braces_and_a_page_without_bodies() {
    assert!(json_blocks("Use {curly} braces in text.\nNo JSON here.").is_empty());
    assert!(json_blocks("").is_empty());
}

#[test]
fn shape_records_every_place_and_merges_array_elements() {
    let places = shape(&json!({ "a": [{ "b": 1 }, { "c": "x" }], "d": null }));
    let listed: Vec<(&str, Kind)> = places.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        listed,
        [
            ("$", Kind::Object),
            ("$.a", Kind::Array),
            ("$.a[]", Kind::Object),
            ("$.a[].b", Kind::Number),
            ("$.a[].c", Kind::String),
            ("$.d", Kind::Null),
        ]
    );
}

#[test]
fn differences_name_missing_retyped_and_extra_fields() {
    let page = json!({ "id": "x", "n": 1, "list": [{ "k": true }] });
    let ours = json!({ "id": 5, "list": [{ "k": false, "extra": "e" }] });
    assert_eq!(
        differences(&ours, &page, None),
        [
            "has $.id as number where the page has string",
            "lacks $.n (number)",
            "has $.list[].extra (string), which the page does not",
        ]
    );
    let same_fields = json!({ "id": "y", "n": 2, "list": [] });
    assert_eq!(
        differences(&same_fields, &page, None),
        ["lacks $.list[] (object)", "lacks $.list[].k (boolean)"]
    );
}

#[test]
fn the_envelope_allows_its_own_fields_with_their_kinds() {
    let page = json!({ "event_type": "a.b", "data": { "x": 1 } });
    let envelope = json!({ "event_id": "e", "event_type": "t", "data": {} });
    let ours = json!({ "event_id": "evt", "event_type": "a.b", "data": { "x": 2 } });
    assert!(differences(&ours, &page, Some(&envelope)).is_empty());
    let retyped = json!({ "event_id": 1, "event_type": "a.b", "data": { "x": 2 } });
    assert_eq!(
        differences(&retyped, &page, Some(&envelope)),
        ["has $.event_id as number where the envelope has string"]
    );
    let unknown = json!({ "event_type": "a.b", "data": { "x": 2 }, "trace": "t" });
    assert_eq!(
        differences(&unknown, &page, Some(&envelope)),
        ["has $.trace (string), which the page does not"]
    );
}

const ONE: &[StandIn] = &[StandIn {
    fixture: "one.json",
    fit: Fit::Exact,
    bodies: &[
        PageBody {
            page: "p.md",
            block: 1,
        },
        PageBody {
            page: "gone.md",
            block: 0,
        },
        PageBody {
            page: "p.md",
            block: 5,
        },
    ],
}];

#[test]
fn check_reports_each_body_and_fixture_it_cannot_match() {
    let fixture = |name: &str| (name == "one.json").then(|| r#"{"code":"999"}"#.to_owned());
    let page = |name: &str| (name == "p.md").then(|| PAGE.to_owned());
    let found: Vec<String> = examples::check(ONE, fixture, page)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "[documented bodies] one.json: lacks $.id (number) (osigu-docs/p.md body 1)",
            "[documented bodies] one.json: lacks $.nested (object) (osigu-docs/p.md body 1)",
            "[documented bodies] one.json: lacks $.nested.ok (boolean) (osigu-docs/p.md body 1)",
            "[documented bodies] one.json: has $.code (string), which the page does not (osigu-docs/p.md body 1)",
            "[documented bodies] one.json: osigu-docs/gone.md is not in the reference",
            "[documented bodies] one.json: osigu-docs/p.md has 4 bod(ies), not a body 5",
        ]
    );
}

#[test]
fn check_passes_a_matching_fixture_and_reports_a_missing_or_broken_one() {
    let matching: &[StandIn] = &[StandIn {
        fixture: "one.json",
        fit: Fit::Exact,
        bodies: &[PageBody {
            page: "p.md",
            block: 2,
        }],
    }];
    let page = |_: &str| Some(PAGE.to_owned());
    let good = |_: &str| Some(r#"{"code":"777"}"#.to_owned());
    assert!(examples::check(matching, good, page).is_empty());

    let missing = examples::check(matching, |_: &str| None, page);
    assert_eq!(missing[0].detail, "is not in tests/fixtures/");
    let broken = examples::check(matching, |_: &str| Some("{".to_owned()), page);
    assert!(broken[0].detail.starts_with("is not JSON"), "{broken:?}");
}

/// The table and the fixture folders agree: every fixture it names exists,
/// and every `.json` file of the two folders stands for something. (Whether
/// they match the pages needs the reference, so `cargo xtask reference`
/// checks that.)
#[test]
fn every_fixture_is_in_the_table_and_on_disk() {
    let root = xtask::paths::workspace_root().join("tests/fixtures");
    let mut on_disk = BTreeSet::new();
    for folder in ["guide-bodies", "webhook-events"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") {
                on_disk.insert(format!("{folder}/{name}"));
            }
        }
    }
    let listed: BTreeSet<String> = STAND_INS.iter().map(|s| s.fixture.to_owned()).collect();
    assert_eq!(listed.len(), STAND_INS.len(), "a fixture is listed twice");
    assert_eq!(on_disk, listed);
    for stand_in in STAND_INS {
        assert!(
            !stand_in.bodies.is_empty(),
            "{} stands for nothing",
            stand_in.fixture
        );
    }
}

#[test]
fn every_body_needs_a_fixture_or_a_reason_and_every_reason_a_body() {
    let pages = BTreeMap::from([("p.md".to_owned(), PAGE.to_owned())]);
    let stands = &[StandIn {
        fixture: "one.json",
        fit: Fit::Exact,
        bodies: &[PageBody {
            page: "p.md",
            block: 0,
        }],
    }];
    let at = |block| PageBody {
        page: "p.md",
        block,
    };
    let reasons = [
        NoFixture {
            body: at(0),
            why: "both",
        },
        NoFixture {
            body: at(2),
            why: "fine",
        },
        NoFixture {
            body: at(9),
            why: "stale",
        },
        NoFixture {
            body: PageBody {
                page: "gone.md",
                block: 0,
            },
            why: "stale",
        },
    ];
    let found: Vec<String> = unaccounted(stands, &reasons, &pages)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "[documented bodies] osigu-docs/p.md: body 0 has a fixture and a reason for none",
            "[documented bodies] osigu-docs/p.md: body 1 has no fixture and no reason",
            "[documented bodies] osigu-docs/p.md: body 3 has no fixture and no reason",
            "[documented bodies] osigu-docs/p.md: has no body 9 to excuse",
            "[documented bodies] osigu-docs/gone.md: has no body 0 to excuse",
        ]
    );
}

#[test]
fn no_body_is_both_stood_for_and_excused_in_the_tables() {
    for excused in NO_FIXTURE {
        let stood = STAND_INS
            .iter()
            .flat_map(|s| s.bodies)
            .any(|b| *b == excused.body);
        assert!(!stood, "{:?} is in both tables", excused.body);
        assert!(!excused.why.is_empty());
    }
}

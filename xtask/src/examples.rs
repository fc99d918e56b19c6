//! `cargo xtask reference`, second part: the test fixtures that stand for
//! the JSON bodies the documentation prints.
//!
//! No page's JSON is copied into the repository. `tests/fixtures/` holds
//! bodies written with our own values, and this check keeps them honest:
//! each must have the fields of the page bodies it stands for, at the same
//! places and with the same JSON kinds ([`shape`]). A guide body must match
//! exactly; a webhook delivery may add the envelope's fields, since the
//! per-event pages print only `event_type` and `data`. And every body of
//! every page must be accounted for ([`unaccounted`]): stood for by a
//! fixture, or listed in [`NO_FIXTURE`] with the reason it has none.
//!
//! The pages are the stored copies in `osigu-docs/`, plain text without code
//! fences, so [`json_blocks`] finds their bodies by bracket depth.
//! Everything here is pure; `xtask/tests/examples.rs` tests it on made-up
//! pages.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// One JSON body of a page: the `block`-th that [`json_blocks`] finds
/// (counting from 0) in `osigu-docs/<page>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageBody {
    /// The page's file name in `osigu-docs/`.
    pub page: &'static str,
    /// Which of its bodies.
    pub block: usize,
}

/// How a fixture must match the bodies it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// The same fields, no more and no fewer.
    Exact,
    /// Every field of the body, plus any of the webhook envelope's
    /// ([`ENVELOPE`]).
    WithEnvelope,
}

/// A fixture file and the page bodies it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandIn {
    /// The fixture, relative to `tests/fixtures/`.
    pub fixture: &'static str,
    /// How it must match.
    pub fit: Fit,
    /// The page bodies, each of which it must match.
    pub bodies: &'static [PageBody],
}

/// The webhook envelope as the introduction page prints it.
pub const ENVELOPE: PageBody = body("pt-br-webhook-events-introduction.md", 0);

const fn body(page: &'static str, block: usize) -> PageBody {
    PageBody { page, block }
}

const fn exact(fixture: &'static str, bodies: &'static [PageBody]) -> StandIn {
    StandIn {
        fixture,
        fit: Fit::Exact,
        bodies,
    }
}

const fn event(fixture: &'static str, bodies: &'static [PageBody]) -> StandIn {
    StandIn {
        fixture,
        fit: Fit::WithEnvelope,
        bodies,
    }
}

/// Every fixture that stands for documented bodies, and which ones.
pub const STAND_INS: &[StandIn] = &[
    exact(
        "guide-bodies/BeneficiarySearchRequest.json",
        &[
            body("guides-issue-an-authorization.md", 0),
            body("es-guides-issue-an-authorization.md", 0),
            body("pt-br-concepts-beneficiary-lookup.md", 1),
        ],
    ),
    exact(
        "guide-bodies/CreatePatientRequest.json",
        &[
            body("guides-create-electronic-prescription.md", 0),
            body("pt-br-guides-create-electronic-prescription.md", 0),
        ],
    ),
    exact(
        "guide-bodies/CreatePrescriptionRequest.json",
        &[body("guides-create-electronic-prescription.md", 1)],
    ),
    exact(
        "guide-bodies/CreatePrescriptionResponse.json",
        &[body("guides-create-electronic-prescription.md", 2)],
    ),
    exact(
        "guide-bodies/CreatePrescriptionRequestV11.json",
        &[body("guides-create-electronic-prescription.md", 4)],
    ),
    exact(
        "guide-bodies/ResendPrescriptionRequest.json",
        &[body("guides-create-electronic-prescription.md", 3)],
    ),
    exact(
        "guide-bodies/CreateWebhookSubscriptionRequest.json",
        &[body("es-guides-implement-webhook-receiver.md", 0)],
    ),
    exact(
        "guide-bodies/DispensationResource.json",
        &[
            body("guides-dispense-an-authorization.md", 1),
            body("es-guides-dispense-an-authorization.md", 1),
        ],
    ),
    exact(
        "guide-bodies/SendOtpRequest.json",
        &[
            body("authentication-otp-flow.md", 0),
            body("guides-dispense-an-authorization.md", 2),
            body("es-guides-dispense-an-authorization.md", 2),
        ],
    ),
    exact(
        "guide-bodies/ValidateOtpRequest.json",
        &[
            body("guides-dispense-an-authorization.md", 3),
            body("es-guides-dispense-an-authorization.md", 3),
        ],
    ),
    exact(
        "guide-bodies/SendOtpResponse.json",
        &[body("authentication-otp-flow.md", 1)],
    ),
    exact(
        "guide-bodies/ErrorResponse.json",
        &[body("api-reference-introduction.md", 0)],
    ),
    exact(
        "guide-bodies/OutpatientCareClaimCreatedResponse.json",
        &[
            body("guides-complete-the-claim.md", 1),
            body("pt-br-guides-complete-the-claim.md", 1),
        ],
    ),
    exact(
        "guide-bodies/RegisterProviderProductRequest.json",
        &[body("guides-register-provider-product.md", 0)],
    ),
    exact(
        "guide-bodies/ProviderProductResource.json",
        &[body("guides-register-provider-product.md", 1)],
    ),
    exact(
        "guide-bodies/StartSettlementBatchRequest.json",
        &[
            body("es-guides-submit-claim-batch.md", 0),
            body("pt-br-guides-submit-claim-batch.md", 0),
        ],
    ),
    exact(
        "guide-bodies/SettlementBatchResource.json",
        &[
            body("es-guides-submit-claim-batch.md", 1),
            body("pt-br-guides-submit-claim-batch.md", 1),
        ],
    ),
    exact(
        "webhook-events/envelope.json",
        &[ENVELOPE, body("es-webhook-events-introduction.md", 0)],
    ),
    event(
        "webhook-events/authorization.created.json",
        &[
            body("webhook-events-authorizations.md", 0),
            body("es-webhook-events-authorizations.md", 0),
        ],
    ),
    event(
        "webhook-events/dispensing.started.json",
        &[body("pt-br-webhook-events-dispensing.md", 0)],
    ),
    event(
        "webhook-events/prescription.issued.json",
        &[body("es-webhook-events-prescriptions.md", 0)],
    ),
    event(
        "webhook-events/prescription.email_delivered.json",
        &[body("es-webhook-events-prescriptions.md", 1)],
    ),
];

/// A page body no fixture stands for, and why not (`docs/spec-notes.md`,
/// "Guide bodies with no fixture", says more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoFixture {
    /// The body.
    pub body: PageBody,
    /// Why it has no fixture.
    pub why: &'static str,
}

const fn none(page: &'static str, block: usize, why: &'static str) -> NoFixture {
    NoFixture {
        body: body(page, block),
        why,
    }
}

const TOKEN: &str = "the OAuth token answer: the token endpoint is not in openapi.json";
const MISFIT: &str = "its fields do not fit the schema of its call";
const CUT: &str = "the stored page is cut off inside it";
const OTHER: &str = "a page about another Osigu product";

/// Every page body that has no fixture.
pub const NO_FIXTURE: &[NoFixture] = &[
    none("authentication-obtaining-tokens.md", 0, TOKEN),
    none("es-authentication-obtaining-tokens.md", 0, TOKEN),
    none("quickstart.md", 0, TOKEN),
    none("pt-br-quickstart.md", 0, TOKEN),
    none("concepts-authorizations.md", 0, MISFIT),
    none("guides-dispense-an-authorization.md", 0, MISFIT),
    none("es-guides-dispense-an-authorization.md", 0, MISFIT),
    none("guides-complete-the-claim.md", 0, MISFIT),
    none("pt-br-guides-complete-the-claim.md", 0, MISFIT),
    none("pt-br-concepts-beneficiary-lookup.md", 0, MISFIT),
    none("pt-br-concepts-beneficiary-lookup.md", 2, MISFIT),
    none("es-guides-submit-claim-batch.md", 2, CUT),
    none("pt-br-guides-create-electronic-prescription.md", 1, CUT),
    none("pt-br-webhook-events-dispensing.md", 1, CUT),
    none("related-developers-osigu-reference-pagination.md", 0, OTHER),
    none("related-dvs-docs-api-reference-errors.md", 0, OTHER),
    none(
        "related-dvs-docs-authentication-obtaining-tokens.md",
        0,
        OTHER,
    ),
    none("related-dvs-docs-guides-handle-errors.md", 0, OTHER),
];

/// What neither a stand-in nor `no_fixture` accounts for among the bodies
/// of `pages` (file name to text): a body with neither, and an entry of
/// `no_fixture` that names no body or a body a fixture stands for.
pub fn unaccounted(
    stand_ins: &[StandIn],
    no_fixture: &[NoFixture],
    pages: &BTreeMap<String, String>,
) -> Vec<Mismatch> {
    let stood_for: Vec<PageBody> = stand_ins
        .iter()
        .flat_map(|s| s.bodies.iter().copied())
        .chain([ENVELOPE])
        .collect();
    let mut found = Vec::new();
    let mut report = |page: &str, detail: String| {
        found.push(Mismatch {
            subject: format!("osigu-docs/{page}"),
            detail,
        })
    };
    // How many bodies each page has, read once for both directions.
    let counts: BTreeMap<&str, usize> = pages
        .iter()
        .map(|(page, text)| (page.as_str(), json_blocks(text).len()))
        .collect();
    for (&page, &count) in &counts {
        for block in 0..count {
            let at = |b: &PageBody| b.page == page && b.block == block;
            let excused = no_fixture.iter().any(|n| at(&n.body));
            match (stood_for.iter().any(at), excused) {
                (false, false) => {
                    report(page, format!("body {block} has no fixture and no reason"))
                }
                (true, true) => report(
                    page,
                    format!("body {block} has a fixture and a reason for none"),
                ),
                _ => {}
            }
        }
    }
    for entry in no_fixture {
        if counts
            .get(entry.body.page)
            .is_none_or(|&n| entry.body.block >= n)
        {
            report(
                entry.body.page,
                format!("has no body {} to excuse", entry.body.block),
            );
        }
    }
    found
}

/// The JSON bodies of a page, in order: each starts at a line that is only
/// `{` or `[`, or after `-d '` in a curl command, and ends where its
/// brackets close. `//` comments outside strings are dropped (the pages
/// annotate their JSON). A body that is cut off or is not JSON once its
/// comments are gone still takes its place, as an `Err` saying why, so the
/// numbering does not depend on whether the bodies before parse.
pub fn json_blocks(page: &str) -> Vec<Result<Value, String>> {
    let mut blocks = Vec::new();
    let mut open: Option<Scanner> = None;
    for line in page.lines() {
        let rest = match (&open, start_of_body(line)) {
            (Some(_), _) => line,
            (None, Some(rest)) => rest,
            (None, None) => continue,
        };
        let scanner = open.get_or_insert_with(Scanner::default);
        if scanner.feed(rest) {
            let text = std::mem::take(&mut scanner.text);
            blocks.push(serde_json::from_str(&text).map_err(|e| e.to_string()));
            open = None;
        }
    }
    if let Some(scanner) = open {
        blocks.push(Err(format!(
            "the page ends inside a body ({} bracket(s) open)",
            scanner.depth
        )));
    }
    blocks
}

/// Where a body starts on `line`, if one does.
fn start_of_body(line: &str) -> Option<&str> {
    let trimmed = line.trim();
    if trimmed == "{" || trimmed == "[" {
        return Some(trimmed);
    }
    let after = &line[line.find("-d '")? + 4..];
    after.starts_with(['{', '[']).then_some(after)
}

/// Reads one body line by line, keeping the text up to where its brackets
/// close.
#[derive(Default)]
struct Scanner {
    text: String,
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Scanner {
    /// Adds `line`; true once the body's brackets have closed.
    fn feed(&mut self, line: &str) -> bool {
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if self.in_string {
                match c {
                    _ if self.escaped => self.escaped = false,
                    '\\' => self.escaped = true,
                    '"' => self.in_string = false,
                    _ => {}
                }
            } else {
                match c {
                    '"' => self.in_string = true,
                    '/' if chars.peek() == Some(&'/') => break,
                    '{' | '[' => self.depth += 1,
                    '}' | ']' => {
                        self.depth = self.depth.saturating_sub(1);
                        if self.depth == 0 {
                            self.text.push(c);
                            return true;
                        }
                    }
                    _ => {}
                }
            }
            self.text.push(c);
        }
        self.text.push('\n');
        false
    }
}

/// The JSON kind of a value, as [`shape`] records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Null => "null",
            Self::Bool => "boolean",
            Self::Number => "number",
            Self::String => "string",
            Self::Array => "array",
            Self::Object => "object",
        })
    }
}

/// Every place in `value` with the kind found there: `$` is the value
/// itself, `$.a.b` a field, `$.items[]` any element of an array (the
/// elements of one array share their places). An element that has a
/// different kind elsewhere in the same array keeps the first kind seen.
pub fn shape(value: &Value) -> BTreeMap<String, Kind> {
    let mut places = BTreeMap::new();
    walk(value, "$".to_owned(), &mut places);
    places
}

fn walk(value: &Value, at: String, places: &mut BTreeMap<String, Kind>) {
    let kind = match value {
        Value::Null => Kind::Null,
        Value::Bool(_) => Kind::Bool,
        Value::Number(_) => Kind::Number,
        Value::String(_) => Kind::String,
        Value::Array(items) => {
            for item in items {
                walk(item, format!("{at}[]"), places);
            }
            Kind::Array
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                walk(field, format!("{at}.{name}"), places);
            }
            Kind::Object
        }
    };
    places.entry(at).or_insert(kind);
}

/// How `fixture` differs from `documented`, one sentence each: a place the
/// page has that the fixture lacks, a place where the kinds differ, and a
/// place the fixture has that neither the page nor `also_allowed` has.
pub fn differences(
    fixture: &Value,
    documented: &Value,
    also_allowed: Option<&Value>,
) -> Vec<String> {
    let (ours, theirs) = (shape(fixture), shape(documented));
    let extra = also_allowed.map(shape).unwrap_or_default();
    let mut found = Vec::new();
    for (place, kind) in &theirs {
        match ours.get(place) {
            None => found.push(format!("lacks {place} ({kind})")),
            Some(mine) if mine != kind => {
                found.push(format!("has {place} as {mine} where the page has {kind}"))
            }
            Some(_) => {}
        }
    }
    for (place, mine) in &ours {
        if theirs.contains_key(place) {
            continue;
        }
        match extra.get(place) {
            None => found.push(format!("has {place} ({mine}), which the page does not")),
            Some(kind) if kind != mine => found.push(format!(
                "has {place} as {mine} where the envelope has {kind}"
            )),
            Some(_) => {}
        }
    }
    found
}

/// Something wrong with a fixture or the page body it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The fixture (relative to `tests/fixtures/`) or the page (under
    /// `osigu-docs/`) it is about.
    pub subject: String,
    /// What is wrong, naming the page.
    pub detail: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[documented bodies] {}: {}", self.subject, self.detail)
    }
}

/// Checks every stand-in: `fixture` reads a file of `tests/fixtures/` and
/// `page` a page of `osigu-docs/`, each `None` when it is not there.
pub fn check(
    stand_ins: &[StandIn],
    fixture: impl Fn(&str) -> Option<String>,
    page: impl Fn(&str) -> Option<String>,
) -> Vec<Mismatch> {
    let mut pages: BTreeMap<&str, Option<Vec<Result<Value, String>>>> = BTreeMap::new();
    let mut documented = |at: PageBody| -> Result<Value, String> {
        let blocks = pages
            .entry(at.page)
            .or_insert_with(|| page(at.page).map(|text| json_blocks(&text)));
        let blocks = blocks
            .as_ref()
            .ok_or_else(|| format!("osigu-docs/{} is not in the reference", at.page))?;
        match blocks.get(at.block) {
            Some(Ok(value)) => Ok(value.clone()),
            Some(Err(why)) => Err(format!(
                "body {} of osigu-docs/{} is not JSON: {why}",
                at.block, at.page
            )),
            None => Err(format!(
                "osigu-docs/{} has {} bod(ies), not a body {}",
                at.page,
                blocks.len(),
                at.block
            )),
        }
    };
    let mut found = Vec::new();
    for stand_in in stand_ins {
        let mut report = |detail: String| {
            found.push(Mismatch {
                subject: stand_in.fixture.to_owned(),
                detail,
            })
        };
        let ours = match fixture(stand_in.fixture).map(|t| serde_json::from_str::<Value>(&t)) {
            Some(Ok(value)) => value,
            Some(Err(e)) => {
                report(format!("is not JSON: {e}"));
                continue;
            }
            None => {
                report("is not in tests/fixtures/".to_owned());
                continue;
            }
        };
        let envelope = match stand_in.fit {
            Fit::Exact => None,
            Fit::WithEnvelope => match documented(ENVELOPE) {
                Ok(value) => Some(value),
                Err(why) => {
                    report(why);
                    continue;
                }
            },
        };
        for &at in stand_in.bodies {
            match documented(at) {
                Ok(theirs) => {
                    for difference in differences(&ours, &theirs, envelope.as_ref()) {
                        report(format!(
                            "{difference} (osigu-docs/{} body {})",
                            at.page, at.block
                        ));
                    }
                }
                Err(why) => report(why),
            }
        }
    }
    found
}

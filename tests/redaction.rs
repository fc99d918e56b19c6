//! `Debug` of every generated type and its builder, filled with random
//! values from its schema, never shows a value of a sensitive field (the
//! codegen's one list, `osigu_codegen::is_sensitive`), and still shows the
//! others. Operation builders with sensitive parameters are checked too.

use std::collections::BTreeSet;

use osigu::types;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// `render(name, json)`: the type's and its builder's `Debug`, if `name` is
/// a generated struct and `json` decodes into it.
macro_rules! osigu_types {
    ($($name:ident),* $(,)?) => {
        const TYPE_NAMES: &[&str] = &[$(stringify!($name)),*];

        fn render(name: &str, value: Value) -> Option<Result<(String, String), String>> {
            match name {
                $(stringify!($name) => Some(
                    serde_json::from_value::<types::$name>(value)
                        .map(|v| {
                            let built: types::builder::$name = v.clone().into();
                            (format!("{v:?}"), format!("{built:?}"))
                        })
                        .map_err(|e| e.to_string()),
                ),)*
                _ => None,
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/type_names.rs"));

fn read(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The normalised spec and the generated client, made once.
fn pipeline() -> &'static (osigu_codegen::Normalised, osigu_codegen::Generated) {
    static PIPELINE: std::sync::OnceLock<(osigu_codegen::Normalised, osigu_codegen::Generated)> =
        std::sync::OnceLock::new();
    PIPELINE.get_or_init(|| {
        osigu_codegen::sdk_pipeline(&read("openapi.json"), &read("sdk-overlay.json")).unwrap()
    })
}

fn spec() -> Value {
    pipeline().0.spec.clone()
}

/// A component that is a free-form map rather than a struct with fields.
fn is_map(schema: &Value) -> bool {
    schema.get("properties").is_none() && schema.get("additionalProperties").is_some()
}

/// Random values, and which of them went into sensitive fields.
struct Filler<'a> {
    spec: &'a Value,
    salt: String,
    counter: u64,
    secrets: BTreeSet<String>,
    plain: BTreeSet<String>,
}

fn pascal(field: &str) -> String {
    field
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

impl Filler<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> (&'s Value, Option<String>) {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap_or_default();
                (
                    &self.spec["components"]["schemas"][name],
                    Some(name.to_owned()),
                )
            }
            None => (schema, None),
        }
    }

    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A value for `schema`, the type of field `field` in type `owner`.
    fn value(&mut self, schema: &Value, owner: &str, field: &str, depth: usize) -> Value {
        let (schema, named) = self.resolve(schema);
        let schema = schema.clone();
        let sensitive = !field.is_empty() && osigu_codegen::is_sensitive(owner, field);
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values.first().cloned().unwrap_or(Value::Null);
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array)
            && let Some(first) = all.first()
        {
            return self.value(first, owner, field, depth);
        }
        let kind = schema
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("object");
        let n = self.next();
        match kind {
            "object" => {
                if depth > 6 {
                    return json!({});
                }
                let type_name = named.unwrap_or_else(|| format!("{owner}{}", pascal(field)));
                let mut out = Map::new();
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    for (name, prop) in props {
                        out.insert(name.clone(), self.value(prop, &type_name, name, depth + 1));
                    }
                }
                Value::Object(out)
            }
            "array" => {
                let items = schema.get("items").cloned().unwrap_or(json!({}));
                let item = self.value(&items, owner, field, depth + 1);
                json!([item])
            }
            "integer" | "number" => {
                let max = schema.get("maximum").and_then(Value::as_i64);
                let int32 = schema.get("format").and_then(Value::as_str) == Some("int32");
                if sensitive {
                    let value = match max {
                        Some(max) => max - (n as i64 % 7),
                        None if int32 => 1_900_000_000 + n as i64,
                        None => 900_000_000_000 + n as i64,
                    };
                    self.secrets.insert(value.to_string());
                    json!(value)
                } else {
                    json!(n as i64 % 90 + 1)
                }
            }
            "boolean" => json!(n.is_multiple_of(2)),
            _ => {
                let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
                let pattern = schema.get("pattern").and_then(Value::as_str).unwrap_or("");
                let text = match format {
                    "date-time" if sensitive => format!("19{:02}-02-03T04:05:06Z", n % 90 + 10),
                    "date-time" => "2026-01-02T03:04:05Z".to_owned(),
                    "date" if sensitive => format!("19{:02}-02-03", n % 90 + 10),
                    "date" => "2026-01-02".to_owned(),
                    "uuid" => format!("00000000-0000-4000-8000-{n:012}"),
                    "uri" => format!("https://example.com/{}{n}", self.salt),
                    "byte" => "AAAA".to_owned(),
                    _ if pattern.contains('@') => {
                        format!("secret{}{n}@mail{n}.example", self.salt.to_lowercase())
                    }
                    _ if pattern.contains("0-9") => format!("5550{n:06}"),
                    _ if sensitive => format!("SECRET{}{n}", self.salt),
                    _ => format!("plain{}{n}", self.salt),
                };
                if sensitive {
                    self.secrets.insert(text.clone());
                } else if text.starts_with("plain") {
                    self.plain.insert(text.clone());
                }
                Value::String(text)
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_generated_type_or_builder_shows_a_sensitive_value(salt in "[A-Za-z]{6}") {
        let spec = spec();
        let schemas = spec["components"]["schemas"].as_object().unwrap();
        let mut covered = 0;
        for (name, schema) in schemas {
            if schema.get("type").and_then(Value::as_str) != Some("object") || is_map(schema) {
                continue;
            }
            let mut filler = Filler { spec: &spec, salt: salt.clone(), counter: 0, secrets: BTreeSet::new(), plain: BTreeSet::new() };
            let value = filler.value(&json!({ "$ref": format!("#/components/schemas/{name}") }), "", "", 0);
            let (shown, built) = render(name, value.clone())
                .unwrap()
                .unwrap_or_else(|e| panic!("{name}: a schema-shaped body does not decode: {e}\n{value:#}"));
            for secret in &filler.secrets {
                prop_assert!(!shown.contains(secret.as_str()), "{name} Debug shows {secret}: {shown}");
                prop_assert!(!built.contains(secret.as_str()), "builder::{name} Debug shows {secret}: {built}");
            }
            // Redaction is not blanket: plain values still print.
            if let Some(plain) = filler.plain.iter().next() {
                prop_assert!(shown.contains(plain.as_str()), "{name} Debug hides {plain}: {shown}");
            }
            covered += 1;
        }
        // Every component object schema with fields was rendered, none
        // skipped; the free-form maps have their own test below.
        let objects = schemas
            .values()
            .filter(|s| s.get("type").and_then(Value::as_str) == Some("object") && !is_map(s))
            .count();
        prop_assert_eq!(covered, objects);
    }
}

#[test]
fn the_list_of_types_is_the_generated_one() {
    assert!(TYPE_NAMES.len() > 100, "{}", TYPE_NAMES.len());
    assert!(TYPE_NAMES.contains(&"ValidateOtpRequest"));
    assert!(render("NoSuchType", json!({})).is_none());
}

#[test]
fn free_form_maps_show_their_keys_and_never_their_values() {
    let maps: Vec<String> = spec()["components"]["schemas"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, s)| is_map(s))
        .map(|(n, _)| n.clone())
        .collect();
    // A new free-form map upstream fails here until it is checked below.
    assert_eq!(
        maps,
        ["BeneficiarySearchRequest", "SponsorConfigurationResponse"]
    );
    let search: types::BeneficiarySearchRequest =
        serde_json::from_value(json!({ "document_number": "SECRET-1000000001" })).unwrap();
    let config: types::SponsorConfigurationResponse =
        serde_json::from_value(json!({ "otp_required": true, "note": "SECRET-x" })).unwrap();
    for (shown, key) in [
        (format!("{search:?}"), "document_number"),
        (format!("{config:?}"), "otp_required"),
    ] {
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains(key), "{shown}");
    }
}

/// The operations whose parameters are sensitive, from the surface.
fn sensitive_parameters() -> BTreeSet<String> {
    let (normalised, generated) = pipeline();
    let surface = osigu_codegen::surface(normalised, generated).unwrap();
    let mut out = BTreeSet::new();
    for line in surface.operations {
        if let osigu_codegen::Exposure::Generated { method, params, .. } = line.exposure {
            for (param, _) in params {
                if osigu_codegen::is_sensitive("", &param) {
                    out.insert(format!("{method}.{param}"));
                }
            }
        }
    }
    out
}

#[test]
fn operation_builders_redact_sensitive_parameters() {
    let osigu = osigu::Osigu::builder()
        .credentials("id", "secret")
        .build()
        .unwrap();
    let shown = [
        (
            "search_patients.document_number",
            format!(
                "{:?}",
                osigu.search_patients().document_number("SECRET-DOC-1")
            ),
        ),
        (
            "list_prescriptions.patient_id",
            format!(
                "{:?}",
                osigu.list_prescriptions().patient_id("SECRET-PAT-1")
            ),
        ),
        (
            "get_dependents.beneficiary_id",
            format!(
                "{:?}",
                osigu
                    .get_dependents()
                    .sponsor_slug("demo-insurer")
                    .beneficiary_id("SECRET-BEN-1")
            ),
        ),
    ];
    let checked: BTreeSet<String> = shown.iter().map(|(k, _)| (*k).to_owned()).collect();
    // A new sensitive parameter upstream fails here until it is checked.
    assert_eq!(checked, sensitive_parameters());
    for (what, debug) in shown {
        assert!(!debug.contains("SECRET"), "{what}: {debug}");
        assert!(debug.contains("[redacted]"), "{what}: {debug}");
    }
    // And the bodies they carry print through their redacting Debug.
    let body = types::ValidateOtpRequest::builder("918273", "otp-1");
    let call = format!("{:?}", osigu.validate_otp().body(body));
    assert!(!call.contains("918273") && call.contains("otp-1"), "{call}");
}

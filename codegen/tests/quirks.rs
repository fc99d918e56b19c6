//! One test per springdoc habit that progenitor 0.15 rejects or panics on.
//! Each feeds a small spec, checks the rewrite and its report line, and
//! shows that the result generates Rust that parses.

use osigu_codegen::{CodegenError, Normalised, Rule, generate, normalise};
use serde_json::{Value, json};

fn doc(paths: Value, schemas: Value) -> Value {
    json!({
        "openapi": "3.0.1",
        "info": { "title": "quirks", "version": "1" },
        "paths": paths,
        "components": { "schemas": schemas }
    })
}

fn ok(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

/// Normalises, then generates; returns the normalised spec, its report
/// text and the generated code.
fn run(raw: &Value) -> (Normalised, String, String) {
    let normalised = normalise(raw).expect("normalises");
    let report = normalised.report.to_string();
    let generated = generate(&normalised.spec, &Default::default())
        .unwrap_or_else(|e| panic!("generates: {e}\nreport:\n{report}"));
    syn::parse_file(&generated.code).expect("generated code parses as Rust");
    (normalised, report, generated.code)
}

fn line(report: &str, rule: Rule) -> &str {
    report
        .lines()
        .find(|l| l.starts_with(rule.code()))
        .unwrap_or_else(|| panic!("no {} line in report:\n{report}", rule.code()))
}

#[test]
fn several_success_responses_keep_one_typed_response() {
    let raw = doc(
        json!({ "/things": { "post": {
            "operationId": "createThing",
            "responses": {
                "200": ok("existing", json!({ "$ref": "#/components/schemas/Old" })),
                "201": ok("created", json!({ "$ref": "#/components/schemas/Thing" })),
                "204": { "description": "nothing" }
            }
        } } }),
        json!({ "Thing": { "type": "object", "properties": { "id": { "type": "string" } } },
                "Old": { "type": "object", "properties": { "legacy": { "type": "string" } } } }),
    );
    let (n, report, code) = run(&raw);
    let responses = n.spec["paths"]["/things"]["post"]["responses"]
        .as_object()
        .unwrap();
    assert_eq!(responses.keys().collect::<Vec<_>>(), ["200"]);
    assert_eq!(
        line(&report, Rule::SuccessResponsesReduced),
        "success-responses-reduced [lossy] createThing (POST /things): success responses 200 and 201, 204 differ; kept 200, so a 201 or 204 reply arrives as an unexpected response"
    );
    assert!(code.contains("ResponseValue<types::Old>"));
}

#[test]
fn identical_success_responses_are_left_alone() {
    let raw = doc(
        json!({ "/things": { "put": {
            "operationId": "putThing",
            "responses": { "200": ok("ok", json!({"type": "string"})), "201": ok("created", json!({"type": "string"})) }
        } } }),
        json!({}),
    );
    let (n, report, _) = run(&raw);
    assert_eq!(
        n.spec["paths"]["/things"]["put"]["responses"]
            .as_object()
            .unwrap()
            .len(),
        2
    );
    assert!(!report.contains(Rule::SuccessResponsesReduced.code()));
}

#[test]
fn error_schemas_per_status_and_default_are_removed() {
    let raw = doc(
        json!({ "/things/{id}": { "get": {
            "operationId": "getThing",
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": {
                "200": ok("ok", json!({ "type": "string" })),
                "404": ok("missing", json!({ "$ref": "#/components/schemas/NotFound" })),
                "422": ok("invalid", json!({ "$ref": "#/components/schemas/Invalid" })),
                "default": ok("other", json!({ "type": "object" }))
            }
        } } }),
        json!({ "NotFound": { "type": "object", "properties": { "error_code": { "type": "string" } } },
                "Invalid": { "type": "object", "properties": { "errors": { "type": "array", "items": { "type": "string" } } } } }),
    );
    let (n, report, code) = run(&raw);
    let responses = n.spec["paths"]["/things/{id}"]["get"]["responses"]
        .as_object()
        .unwrap();
    assert_eq!(responses.keys().collect::<Vec<_>>(), ["200"]);
    assert_eq!(
        line(&report, Rule::ErrorResponsesRemoved),
        "error-responses-removed [lossy] getThing (GET /things/{id}): error responses 404, 422, default removed; errors reach the hand-written layer whole (status, headers, body)"
    );
    // Errors surface as UnexpectedResponse, which keeps the raw response.
    assert!(code.contains("Error<()>"));
    assert!(code.contains("UnexpectedResponse"));
}

#[test]
fn a_lone_default_response_becomes_the_success_response() {
    let raw = doc(
        json!({ "/ping": { "get": { "operationId": "ping", "responses": { "default": ok("pong", json!({ "type": "string" })) } } } }),
        json!({}),
    );
    let (n, report, code) = run(&raw);
    assert!(
        n.spec["paths"]["/ping"]["get"]["responses"]
            .get("200")
            .is_some()
    );
    assert!(line(&report, Rule::DefaultResponseAsSuccess).contains("ping (GET /ping)"));
    assert!(code.contains("ResponseValue<::std::string::String>"));
}

#[test]
fn several_request_media_types_keep_json() {
    let raw = doc(
        json!({ "/things": { "post": {
            "operationId": "createThing",
            "requestBody": { "content": {
                "application/xml": { "schema": { "$ref": "#/components/schemas/Thing" } },
                "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } },
                "multipart/form-data": { "schema": { "type": "object", "properties": { "file": { "type": "string", "format": "binary" } } } }
            } },
            "responses": { "204": { "description": "done" } }
        } } }),
        json!({ "Thing": { "type": "object", "properties": { "id": { "type": "string" } } } }),
    );
    let (n, report, code) = run(&raw);
    let content = n.spec["paths"]["/things"]["post"]["requestBody"]["content"]
        .as_object()
        .unwrap();
    assert_eq!(content.keys().collect::<Vec<_>>(), ["application/json"]);
    assert_eq!(
        line(&report, Rule::RequestMediaTypeChosen),
        "request-media-type-chosen [lossy] createThing (POST /things): request body sent as application/json; dropped application/xml, multipart/form-data (the multipart variant is not offered)"
    );
    assert!(code.contains(".json(&body)"));
}

#[test]
fn wildcard_media_types_become_json_or_octet_stream() {
    let raw = doc(
        json!({
            "/things": { "post": {
                "operationId": "createThing",
                "requestBody": { "content": { "*/*": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
                "responses": { "200": { "description": "ok", "content": { "*/*": { "schema": { "$ref": "#/components/schemas/Thing" } } } } }
            } },
            "/blobs": { "put": {
                "operationId": "putBlob",
                "requestBody": { "content": { "*/*": { "schema": { "type": "string", "format": "binary" } } } },
                "responses": { "204": { "description": "stored" } }
            } }
        }),
        json!({ "Thing": { "type": "object", "properties": { "id": { "type": "string" } } } }),
    );
    let (n, report, code) = run(&raw);
    let post = &n.spec["paths"]["/things"]["post"];
    assert!(
        post["requestBody"]["content"]
            .get("application/json")
            .is_some()
    );
    assert!(
        post["responses"]["200"]["content"]
            .get("application/json")
            .is_some()
    );
    assert!(
        n.spec["paths"]["/blobs"]["put"]["requestBody"]["content"]
            .get("application/octet-stream")
            .is_some()
    );
    let lines: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("wildcard-media-type"))
        .collect();
    assert_eq!(
        lines,
        [
            "wildcard-media-type createThing (POST /things): request body `*/*` sent as application/json",
            "wildcard-media-type putBlob (PUT /blobs): request body `*/*` sent as application/octet-stream",
            "wildcard-media-type createThing (POST /things): response `*/*` read as application/json",
        ]
    );
    // A typed response, not a byte stream.
    assert!(code.contains("ResponseValue<types::Thing>"));
}

#[test]
fn multipart_only_operations_are_generated_with_a_setter_per_part() {
    let raw = doc(
        json!({
            "/indications": { "post": {
                "operationId": "uploadIndication",
                "requestBody": { "content": { "multipart/form-data": { "schema": { "type": "object",
                    "required": ["file"],
                    "properties": { "file": { "type": "string", "format": "binary" },
                                    "note": { "type": "string" } } } } } },
                "responses": { "201": { "description": "attached" } }
            }, "get": { "operationId": "listIndications", "responses": { "200": ok("ok", json!({"type": "array", "items": {"type": "string"}})) } } }
        }),
        json!({}),
    );
    let (n, report, code) = run(&raw);
    let post = &n.spec["paths"]["/indications"]["post"];
    assert!(post.get("requestBody").is_none());
    assert_eq!(post["x-osigu-multipart"]["parts"][0]["kind"], "file");
    assert!(n.hand_written.is_empty());
    assert!(!report.contains("hand-written"), "{report}");
    assert_eq!(
        line(&report, Rule::MultipartEmitted),
        "multipart-emitted uploadIndication (POST /indications): multipart/form-data body emitted by the codegen as parts file (file, required), note (text string)"
    );
    assert!(code.contains("pub fn upload_indication(&self)"));
    assert!(code.contains("pub fn file(mut self, value: ::reqwest::multipart::Part) -> Self"));
    assert!(code.contains("pub fn note(mut self, value: impl ::std::fmt::Display) -> Self"));
    assert!(code.contains("list_indications"));
    let generated = generate(&n.spec, &Default::default()).unwrap();
    let surface = osigu_codegen::surface(&n, &generated).unwrap().to_string();
    assert!(
        surface.contains("uploadIndication POST /indications -> upload_indication() body: multipart(file: ::reqwest::multipart::Part, note: Option<String>) ok: ()"),
        "{surface}"
    );
}

#[test]
fn other_bodies_progenitor_cannot_send_are_still_left_to_hand_written_code() {
    let raw = doc(
        json!({
            "/feeds": { "post": {
                "operationId": "postFeed",
                "requestBody": { "content": { "application/xml": { "schema": { "type": "string" } } } },
                "responses": { "201": { "description": "posted" } }
            } }
        }),
        json!({}),
    );
    let (n, report, _) = run(&raw);
    assert_eq!(n.hand_written.len(), 1);
    assert_eq!(
        line(&report, Rule::HandWritten),
        "hand-written [lossy] postFeed (POST /feeds): request body is application/xml only; progenitor cannot send it: operation left to hand-written code"
    );
}

#[test]
fn missing_operation_ids_are_named_from_method_and_path() {
    let raw = doc(
        json!({ "/arc/v1/authorization-requests/{id}": { "get": {
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": { "200": ok("ok", json!({ "type": "string" })) }
        } } }),
        json!({}),
    );
    let (n, report, code) = run(&raw);
    assert_eq!(
        n.spec["paths"]["/arc/v1/authorization-requests/{id}"]["get"]["operationId"],
        "getArcV1AuthorizationRequestsById"
    );
    assert_eq!(
        line(&report, Rule::OperationIdAdded),
        "operation-id-added getArcV1AuthorizationRequestsById (GET /arc/v1/authorization-requests/{id}): no operationId in the spec; named from method and path"
    );
    assert!(code.contains("pub fn get_arc_v1_authorization_requests_by_id("));
}

#[test]
fn duplicate_operation_ids_across_versions_get_version_suffixes() {
    let create = |summary: &str| {
        json!({ "post": { "operationId": "createPrescription", "summary": summary,
            "requestBody": { "content": { "application/json": { "schema": { "type": "object" } } } },
            "responses": { "201": ok("issued", json!({ "type": "object" })) } } })
    };
    let raw = doc(
        json!({
            "/ehr/v2/prescriptions": create("v2"),
            "/ehr/v1.1/prescriptions": create("v1.1"),
            "/ehr/v1/prescriptions": create("v1"),
        }),
        json!({}),
    );
    let (n, report, code) = run(&raw);
    let id = |p: &str| {
        n.spec["paths"][p]["post"]["operationId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // The oldest version keeps the plain name: a new upstream version never
    // renames a method users already call.
    assert_eq!(id("/ehr/v1/prescriptions"), "createPrescription");
    assert_eq!(id("/ehr/v1.1/prescriptions"), "createPrescriptionV1_1");
    assert_eq!(id("/ehr/v2/prescriptions"), "createPrescriptionV2");
    let lines: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("operation-id-deduplicated"))
        .collect();
    assert_eq!(
        lines,
        [
            "operation-id-deduplicated createPrescriptionV2 (POST /ehr/v2/prescriptions): renamed from \"createPrescription\": the same operationId is used under another API version",
            "operation-id-deduplicated createPrescriptionV1_1 (POST /ehr/v1.1/prescriptions): renamed from \"createPrescription\": the same operationId is used under another API version",
        ]
    );
    for method in [
        "create_prescription(",
        "create_prescription_v1_1(",
        "create_prescription_v2(",
    ] {
        assert!(code.contains(method), "{method} missing");
    }
}

#[test]
fn duplicate_operation_ids_without_versions_get_springdoc_suffixes() {
    let get = json!({ "get": { "operationId": "list", "responses": { "200": ok("ok", json!({"type": "string"})) } } });
    let raw = doc(
        json!({ "/a": get.clone(), "/b": get.clone(), "/c": get }),
        json!({}),
    );
    let (n, report, _) = run(&raw);
    let ids: Vec<&str> = ["/a", "/b", "/c"]
        .iter()
        .map(|p| n.spec["paths"][p]["get"]["operationId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["list", "list_1", "list_2"]);
    assert!(
        line(&report, Rule::OperationIdDeduplicated)
            .contains("list_1 (GET /b): renamed from \"list\"")
    );
}

#[test]
fn patterns_regress_cannot_compile_are_dropped() {
    let raw = doc(
        json!({ "/people": { "post": {
            "operationId": "createPerson",
            "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } },
            "responses": { "204": { "description": "ok" } }
        } } }),
        json!({ "Person": { "type": "object", "properties": {
            "phone": { "type": "string", "pattern": "^[+]?\\d++$" },
            "code": { "type": "string", "pattern": "^[A-Z]{4}$" }
        } } }),
    );
    let (n, report, code) = run(&raw);
    let props = &n.spec["components"]["schemas"]["Person"]["properties"];
    assert!(props["phone"].get("pattern").is_none());
    assert_eq!(
        props["code"]["pattern"], "^[A-Z]{4}$",
        "a pattern regress accepts is kept"
    );
    let l = line(&report, Rule::PatternDropped);
    assert_eq!(
        l,
        "pattern-dropped [lossy] /components/schemas/Person/properties/phone: pattern \"^[+]?\\\\d++$\" dropped: regress cannot compile it (Invalid atom character)"
    );
    assert!(code.contains("^[A-Z]{4}$"));
}

#[test]
fn enums_are_opened_so_new_values_deserialise() {
    let raw = doc(
        json!({ "/status": { "get": { "operationId": "getStatus",
            "responses": { "200": ok("ok", json!({ "$ref": "#/components/schemas/Status" })) } } } }),
        json!({ "Status": { "type": "string", "enum": ["STARTED", "PENDING_VERIFICATION", "DISPENSED"] } }),
    );
    let (_, report, code) = run(&raw);
    assert_eq!(
        line(&report, Rule::EnumOpened),
        "enum-opened /components/schemas/Status: 3 known values; an unknown value is kept in a catch-all variant (Unknown(String))"
    );
    let file = syn::parse_file(&code).unwrap();
    let types = file
        .items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|c| &c.1),
            _ => None,
        })
        .unwrap();
    let status = types
        .iter()
        .find_map(|i| match i {
            syn::Item::Enum(e) if e.ident == "Status" => Some(e),
            _ => None,
        })
        .unwrap();
    let last = status.variants.last().unwrap();
    assert_eq!(last.ident, "Unknown");
    assert!(
        quote::ToTokens::to_token_stream(&last.attrs[last.attrs.len() - 1])
            .to_string()
            .contains("untagged")
    );
    assert!(code.contains("type Err = ::std::convert::Infallible"));
    assert!(!code.contains("Copy,\n        Debug,\n        Eq,\n        Hash,\n        Ord,\n        PartialEq,\n        PartialOrd\n    )]\n    pub enum Status"));
}

#[test]
fn an_enum_with_its_own_unknown_value_gets_another_catch_all() {
    let raw = doc(
        json!({ "/s": { "get": { "operationId": "getS", "responses": { "200": ok("ok", json!({ "$ref": "#/components/schemas/S" })) } } } }),
        json!({ "S": { "type": "string", "enum": ["KNOWN", "UNKNOWN"] } }),
    );
    let (_, _, code) = run(&raw);
    assert!(code.contains("Unrecognized(::std::string::String)"));
    assert!(code.contains("\"UNKNOWN\" => Self::Unknown"));
}

#[test]
fn colliding_enum_values_widen_the_enum_to_a_string() {
    let raw = doc(
        json!({ "/s": { "get": { "operationId": "getS", "responses": { "200": ok("ok", json!({ "$ref": "#/components/schemas/S" })) } } } }),
        json!({ "S": { "type": "string", "enum": ["NON_ATTIVI", "NON ATTIVI"] } }),
    );
    let (n, report, _) = run(&raw);
    assert!(n.spec["components"]["schemas"]["S"].get("enum").is_none());
    assert!(
        line(&report, Rule::EnumWidened)
            .starts_with("enum-widened [lossy] /components/schemas/S: enum widened to a string")
    );
}

#[test]
fn colliding_property_names_keep_the_first_and_the_rest_as_extra_properties() {
    let raw = doc(
        json!({ "/s": { "get": { "operationId": "getS", "responses": { "200": ok("ok", json!({ "$ref": "#/components/schemas/Node" })) } } } }),
        json!({ "Node": { "type": "object", "required": ["@type"], "properties": { "type": { "type": "string" }, "@type": { "type": "string" } } } }),
    );
    let (n, report, _) = run(&raw);
    let node = &n.spec["components"]["schemas"]["Node"];
    assert!(node["properties"].get("@type").is_none());
    assert_eq!(node["additionalProperties"], true);
    assert_eq!(node["required"], json!([]));
    assert!(line(&report, Rule::PropertyDropped).contains("properties @type dropped"));
}

#[test]
fn object_query_parameters_are_exploded() {
    let raw = doc(
        json!({ "/apps": { "post": {
            "operationId": "createApp",
            "parameters": [{ "name": "request", "in": "query", "required": true, "schema": { "$ref": "#/components/schemas/CreateAppRequest" } }],
            "responses": { "200": ok("ok", json!({ "type": "string" })) }
        } } }),
        json!({ "CreateAppRequest": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string" }, "size": { "type": "integer" } } } }),
    );
    let (n, report, code) = run(&raw);
    let names: Vec<&str> = n.spec["paths"]["/apps"]["post"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["name", "size"]);
    assert!(
        line(&report, Rule::QueryObjectExploded).contains("sent as optional parameters name, size")
    );
    assert!(code.contains("(\"name\", &name)"));
}

#[test]
fn non_numeric_status_keys_are_repaired() {
    let raw = doc(
        json!({ "/cfg": { "put": { "operationId": "putCfg", "responses": { "204 NO_CONTENT": { "description": "done" } } } } }),
        json!({}),
    );
    let (n, report, _) = run(&raw);
    assert!(
        n.spec["paths"]["/cfg"]["put"]["responses"]
            .get("204")
            .is_some()
    );
    assert_eq!(
        line(&report, Rule::StatusKeyRepaired),
        "status-key-repaired putCfg (PUT /cfg): response key \"204 NO_CONTENT\" read as \"204\""
    );
}

#[test]
fn operation_ids_that_shadow_client_methods_are_renamed() {
    let raw = doc(
        json!({ "/x": { "post": { "operationId": "post", "responses": { "204": { "description": "ok" } } } } }),
        json!({}),
    );
    let (n, report, code) = run(&raw);
    assert_eq!(
        n.spec["paths"]["/x"]["post"]["operationId"],
        "postOperation"
    );
    assert!(line(&report, Rule::OperationIdRenamed).contains("\"post\" would shadow"));
    assert!(code.contains("pub fn post_operation(&self)"));
}

#[test]
fn cookie_and_deep_object_parameters_are_dropped() {
    let raw = doc(
        json!({ "/x": { "get": { "operationId": "getX",
            "parameters": [
                { "name": "session", "in": "cookie", "schema": { "type": "string" } },
                { "name": "filter", "in": "query", "style": "deepObject", "schema": { "type": "object" } },
                { "name": "q", "in": "query", "schema": { "type": "string" } }
            ],
            "responses": { "200": ok("ok", json!({ "type": "string" })) } } } }),
        json!({}),
    );
    let (n, report, _) = run(&raw);
    assert_eq!(
        n.spec["paths"]["/x"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        report
            .lines()
            .filter(|l| l.starts_with("parameter-dropped [lossy] getX"))
            .count(),
        2
    );
}

#[test]
fn openapi_3_1_and_swagger_2_are_refused_with_a_clear_error() {
    let mut raw = doc(json!({}), json!({}));
    raw["openapi"] = json!("3.1.0");
    let err = normalise(&raw).unwrap_err();
    assert_eq!(
        err,
        CodegenError::UnsupportedVersion {
            found: Some("3.1.0".into())
        }
    );
    assert!(err.to_string().contains("OpenAPI 3.0.x only"));
    assert!(matches!(
        normalise(&json!({ "swagger": "2.0", "paths": {} })),
        Err(CodegenError::UnsupportedVersion { .. })
    ));
    assert!(matches!(
        normalise(&json!([1, 2])),
        Err(CodegenError::Malformed { .. })
    ));
}

#[test]
fn a_spec_progenitor_cannot_generate_names_the_operation_instead_of_panicking() {
    // `{id}` is in the template but declared nowhere: progenitor panics on it.
    let raw = doc(
        json!({
            "/fine": { "get": { "operationId": "fine", "responses": { "200": ok("ok", json!({ "type": "string" })) } } },
            "/broken/{id}": { "get": { "operationId": "broken", "responses": { "200": ok("ok", json!({ "type": "string" })) } } }
        }),
        json!({}),
    );
    let normalised = normalise(&raw).unwrap();
    let err = generate(&normalised.spec, &Default::default()).unwrap_err();
    match &err {
        CodegenError::Operation { operation, .. } => {
            assert_eq!(operation.to_string(), "broken (GET /broken/{id})")
        }
        other => panic!("expected an operation error, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("cannot generate operation broken (GET /broken/{id}):"),
        "{err}"
    );
}

#[test]
fn an_operation_that_is_not_openapi_is_named() {
    // A response without a description: nothing can supply a sensible one.
    let raw = doc(
        json!({ "/x": { "get": { "operationId": "getX", "responses": { "200": { "content": {} } } } } }),
        json!({}),
    );
    let err = normalise(&raw).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot generate operation getX (GET /x): not a valid OpenAPI operation"),
        "{err}"
    );
}

#[test]
fn a_description_written_as_a_number_is_read_as_text() {
    let raw = doc(
        json!({ "/x": { "get": { "operationId": "getX", "description": 7,
            "responses": { "200": { "description": 5 } } } } }),
        json!({}),
    );
    let (n, report, _) = run(&raw);
    assert_eq!(
        n.spec["paths"]["/x"]["get"]["responses"]["200"]["description"],
        "5"
    );
    // The text leads; the retry rule the normaliser appends follows it.
    let description = n.spec["paths"]["/x"]["get"]["description"]
        .as_str()
        .unwrap();
    assert!(
        description.starts_with("7\n\n**Retries:**"),
        "{description}"
    );
    assert!(report.contains(
        "keyword-coerced /paths/~1x/get/responses/200: description 5 read as the text \"5\""
    ));
}

// Keywords holding a value of the wrong JSON type. Each of these documents
// is refused by openapiv3 (or panics typify) as written; after normalising
// it must generate, and the report must say what was read how.

/// One GET returning the `Thing` schema.
fn returning_thing(thing: Value) -> Value {
    doc(
        json!({ "/thing": { "get": { "operationId": "getThing",
            "responses": { "200": ok("ok", json!({ "$ref": "#/components/schemas/Thing" })) } } } }),
        json!({ "Thing": thing }),
    )
}

fn lines(report: &str, rule: Rule) -> Vec<&str> {
    report
        .lines()
        .filter(|l| l.starts_with(rule.code()))
        .collect()
}

#[test]
fn numbers_and_booleans_written_as_text_are_read_as_such() {
    let raw = returning_thing(json!({ "type": "object", "properties": {
        "count": { "type": "integer", "minimum": "0", "maximum": "50" },
        "code": { "type": "string", "maxLength": "10", "minLength": 2.0 },
        "note": { "type": "string", "nullable": "true" },
        "tags": { "type": "array", "items": { "type": "string" }, "uniqueItems": "false" }
    } }));
    let (n, report, code) = run(&raw);
    let props = &n.spec["components"]["schemas"]["Thing"]["properties"];
    assert_eq!(props["count"]["minimum"], json!(0));
    assert_eq!(props["count"]["maximum"], json!(50));
    assert_eq!(props["code"]["maxLength"], json!(10));
    assert_eq!(props["code"]["minLength"], json!(2));
    assert_eq!(props["note"]["nullable"], json!(true));
    assert_eq!(props["tags"]["uniqueItems"], json!(false));
    assert!(report.contains(
        "keyword-coerced /components/schemas/Thing/properties/count: minimum \"0\" read as 0"
    ));
    assert!(report.contains(
        "keyword-coerced /components/schemas/Thing/properties/note: nullable \"true\" read as true"
    ));
    // The bounds reach the generated types: the code is a constrained string.
    assert!(code.contains("pub struct ThingCode("), "{code}");
    assert!(code.contains("pub note: ::std::option::Option<::std::string::String>"));
}

#[test]
fn a_lone_enum_value_a_type_list_and_a_one_schema_list_are_unwrapped() {
    let raw = returning_thing(json!({ "type": "object", "properties": {
        "kind": { "type": "string", "enum": "PARCEL" },
        "label": { "type": ["string", "null"] },
        "sizes": { "type": "array", "items": [{ "type": "integer" }] },
        "base": { "allOf": { "$ref": "#/components/schemas/Base" } }
    } }));
    let mut raw = raw;
    raw["components"]["schemas"]["Base"] =
        json!({ "type": "object", "properties": { "id": { "type": "string" } } });
    let (n, report, code) = run(&raw);
    let props = &n.spec["components"]["schemas"]["Thing"]["properties"];
    assert_eq!(props["kind"]["enum"], json!(["PARCEL"]));
    assert_eq!(
        props["label"],
        json!({ "type": "string", "nullable": true })
    );
    assert_eq!(props["sizes"]["items"], json!({ "type": "integer" }));
    assert_eq!(
        props["base"]["allOf"],
        json!([{ "$ref": "#/components/schemas/Base" }])
    );
    let coerced = lines(&report, Rule::KeywordCoerced);
    assert!(coerced.contains(&"keyword-coerced /components/schemas/Thing/properties/kind: enum \"PARCEL\" read as a one-value enum"), "{report}");
    assert!(coerced.contains(&"keyword-coerced /components/schemas/Thing/properties/label: type [\"string\",\"null\"] read as \"string\" with nullable: true"), "{report}");
    assert!(code.contains("pub sizes: ::std::vec::Vec<i64>"), "{code}");
    assert!(code.contains("Parcel"));
}

#[test]
fn an_exclusive_bound_written_as_a_number_becomes_the_bound_and_the_flag() {
    let raw = returning_thing(json!({ "type": "object", "properties": {
        "ratio": { "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": "1" },
        "stock": { "type": "integer", "minimum": 5, "exclusiveMinimum": 2 }
    } }));
    let (n, report, _) = run(&raw);
    let props = &n.spec["components"]["schemas"]["Thing"]["properties"];
    assert_eq!(
        props["ratio"],
        json!({ "type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true })
    );
    // `> 2` is weaker than `>= 5`: the inclusive bound stays, alone.
    assert_eq!(props["stock"], json!({ "type": "integer", "minimum": 5 }));
    assert!(report.contains("exclusiveMinimum 2 (the bound itself, as OpenAPI 3.1 writes it) removed: the inclusive minimum is stricter"));
}

#[test]
fn required_true_on_a_property_moves_to_the_object_and_the_parameter() {
    let raw = doc(
        json!({ "/thing": { "get": { "operationId": "getThing",
            "parameters": [{ "name": "q", "in": "query", "schema": { "type": "string", "required": true } }],
            "responses": { "200": ok("ok", json!({ "$ref": "#/components/schemas/Thing" })) } } } }),
        json!({ "Thing": { "type": "object", "required": ["id"], "properties": {
            "id": { "type": "string" },
            "name": { "type": "string", "required": true },
            "note": { "type": "string", "required": "false" }
        } } }),
    );
    let (n, report, code) = run(&raw);
    let thing = &n.spec["components"]["schemas"]["Thing"];
    assert_eq!(thing["required"], json!(["id", "name"]));
    assert!(thing["properties"]["note"].get("required").is_none());
    let param = &n.spec["paths"]["/thing"]["get"]["parameters"][0];
    assert_eq!(param["required"], json!(true));
    assert_eq!(param["schema"], json!({ "type": "string" }));
    assert_eq!(
        lines(&report, Rule::RequiredMoved),
        [
            "required-moved /components/schemas/Thing: `required: true` on property name moved to the object's required list",
            "required-moved /paths/~1thing/get/parameters/0/schema: `required: true` inside the schema moved to the parameter",
        ]
    );
    // A required field is no Option; a required query parameter is no Option either.
    assert!(code.contains("pub name: ::std::string::String"), "{code}");
    assert!(
        code.contains("q: Result<::std::string::String, String>"),
        "{code}"
    );
}

#[test]
fn unreadable_keywords_are_dropped_and_said_so() {
    let raw = returning_thing(json!({ "type": "object", "additionalProperties": 1,
        "discriminator": { "mapping": { "a": "#/components/schemas/Thing" } },
        "properties": {
            "phone": { "type": "string", "pattern": 5, "format": { "kind": "phone" } },
            "size": { "type": "str" },
            "pair": { "type": "array", "items": [{ "type": "string" }, { "type": "integer" }] }
        } }));
    let (n, report, code) = run(&raw);
    let thing = &n.spec["components"]["schemas"]["Thing"];
    assert!(thing.get("additionalProperties").is_none());
    assert!(thing.get("discriminator").is_none());
    assert_eq!(thing["properties"]["phone"], json!({ "type": "string" }));
    assert_eq!(thing["properties"]["size"], json!({}));
    assert_eq!(thing["properties"]["pair"], json!({ "type": "array" }));
    let dropped = lines(&report, Rule::KeywordDropped);
    for expected in [
        "keyword-dropped [lossy] /components/schemas/Thing/properties/phone: pattern 5 removed: not a string",
        "keyword-dropped [lossy] /components/schemas/Thing/properties/size: type \"str\" removed: OpenAPI 3.0 has no such type",
        "keyword-dropped /components/schemas/Thing: discriminator {\"mapping\":{\"a\":\"#/components/schemas/Thing\"}} removed: no propertyName",
    ] {
        assert!(
            dropped.contains(&expected),
            "missing {expected:?} in\n{report}"
        );
    }
    assert!(
        dropped
            .iter()
            .any(|l| l.contains("items given as a list of 2 different schemas removed")),
        "{report}"
    );
    assert!(
        code.contains("pub pair: ::std::vec::Vec<::serde_json::Value>"),
        "{code}"
    );
}

#[test]
fn enum_values_of_another_type_are_read_as_the_schema_type() {
    let raw = returning_thing(json!({ "type": "object", "properties": {
        "level": { "type": "string", "enum": [1, 2, 3] },
        "retries": { "type": "integer", "enum": ["0", "1"] },
        "mixed": { "enum": ["a", 1] }
    } }));
    let (n, report, code) = run(&raw);
    let props = &n.spec["components"]["schemas"]["Thing"]["properties"];
    assert_eq!(props["level"]["enum"], json!(["1", "2", "3"]));
    assert_eq!(props["retries"]["enum"], json!([0, 1]));
    assert!(props["mixed"].get("enum").is_none());
    assert!(report.contains("keyword-coerced /components/schemas/Thing/properties/level: enum values read as string: 1 as \"1\", 2 as \"2\", 3 as \"3\""), "{report}");
    assert!(report.contains("keyword-dropped [lossy] /components/schemas/Thing/properties/mixed: enum [\"a\",1] removed: an untyped enum needs values of one kind"), "{report}");
    assert!(code.contains("#[serde(rename = \"1\")]"), "{code}");
}

#[test]
fn a_type_is_inferred_where_typify_cannot_read_a_schema_without_one() {
    let raw = returning_thing(json!({ "type": "object", "properties": {
        "id": { "format": "int64", "readOnly": true },
        "score": { "minimum": 0, "maximum": 10 },
        "state": { "enum": ["ON", "OFF"], "nullable": true }
    } }));
    let (n, report, code) = run(&raw);
    let props = &n.spec["components"]["schemas"]["Thing"]["properties"];
    assert_eq!(props["id"]["type"], "integer");
    assert_eq!(props["score"]["type"], "number");
    assert_eq!(props["state"]["type"], "string");
    assert!(report.contains(
        "keyword-coerced /components/schemas/Thing/properties/id: no type; read as \"integer\" from its format"
    ));
    assert!(
        code.contains("pub id: ::std::option::Option<i64>"),
        "{code}"
    );
}

#[test]
fn headers_and_component_parameters_without_a_schema_are_read_as_text() {
    let raw = json!({
        "openapi": "3.0.1",
        "info": { "title": "quirks", "version": "1" },
        "paths": { "/things": { "get": {
            "operationId": "listThings",
            "parameters": [{ "$ref": "#/components/parameters/Page" }],
            "responses": { "200": {
                "description": "ok",
                "headers": { "X-Total-Count": { "description": "how many" } },
                "content": { "application/json": { "schema": { "type": "array", "items": { "type": "string" } } } }
            } }
        } } },
        "components": {
            "parameters": { "Page": { "name": "page", "in": "query", "schema": null } },
            "headers": { "X-Request-Id": { "description": "echoed" } }
        }
    });
    let (n, report, code) = run(&raw);
    assert_eq!(
        n.spec["paths"]["/things"]["get"]["responses"]["200"]["headers"]["X-Total-Count"]["schema"],
        json!({ "type": "string" })
    );
    assert_eq!(
        n.spec["components"]["headers"]["X-Request-Id"]["schema"],
        json!({ "type": "string" })
    );
    assert_eq!(
        n.spec["components"]["parameters"]["Page"]["schema"],
        json!({ "type": "string" })
    );
    let added = lines(&report, Rule::SchemaAdded);
    assert!(
        added.contains(
            &"schema-added /components/parameters/Page: no schema and no content; read as a string"
        ),
        "{report}"
    );
    assert!(added.contains(&"schema-added /paths/~1things/get/responses/200/headers/X-Total-Count: no schema and no content; read as a string"), "{report}");
    assert!(code.contains("(\"page\", &page)"), "{code}");
}

#[test]
fn a_reference_into_another_definition_is_replaced_by_its_target() {
    let raw = returning_thing(json!({ "type": "object", "properties": {
        "status": { "type": "string", "enum": ["NEW", "DONE"] },
        "again": { "$ref": "#/components/schemas/Thing/properties/status" }
    } }));
    let (n, report, code) = run(&raw);
    let props = &n.spec["components"]["schemas"]["Thing"]["properties"];
    assert_eq!(
        props["again"],
        json!({ "type": "string", "enum": ["NEW", "DONE"] })
    );
    assert_eq!(
        lines(&report, Rule::ReferenceRepaired),
        [
            "reference-repaired /components/schemas/Thing/properties/again: $ref \"#/components/schemas/Thing/properties/status\" points inside another definition, which progenitor cannot follow; the schema there is copied in",
        ]
    );
    assert!(
        code.contains("pub again: ::std::option::Option<ThingAgain>"),
        "{code}"
    );
}

#[test]
fn a_reference_to_a_missing_schema_is_refused_naming_the_operation() {
    let raw = returning_thing(json!({ "type": "object", "properties": {
        "gone": { "$ref": "#/components/schemas/Removed" }
    } }));
    let normalised = normalise(&raw).unwrap();
    assert_eq!(
        normalised.spec["components"]["schemas"]["Thing"]["properties"]["gone"],
        json!({ "$ref": "#/components/schemas/Removed" }),
        "a broken reference is not repaired"
    );
    let err = generate(&normalised.spec, &Default::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("cannot generate operation getThing (GET /thing):"),
        "{text}"
    );
    assert!(text.contains("#/components/schemas/Removed"), "{text}");
}

#[test]
fn defaults_that_do_not_fit_are_converted_or_dropped() {
    let raw = doc(
        json!({ "/things": { "get": { "operationId": "listThings",
            "parameters": [
                { "name": "size", "in": "query", "schema": { "type": "integer", "default": "20" } },
                { "name": "sort", "in": "query", "schema": { "type": "string", "enum": ["ASC", "DESC"], "default": "asc" } },
                { "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 1, "default": 0 } },
                { "name": "ids", "in": "query", "schema": { "type": "array", "items": { "type": "integer" }, "default": "7" } }
            ],
            "responses": { "200": ok("ok", json!({ "type": "string" })) } } } }),
        json!({}),
    );
    let (n, report, _) = run(&raw);
    let params = &n.spec["paths"]["/things"]["get"]["parameters"];
    assert_eq!(params[0]["schema"]["default"], json!(20));
    assert!(params[1]["schema"].get("default").is_none());
    assert!(params[2]["schema"].get("default").is_none());
    assert_eq!(params[3]["schema"]["default"], json!([7]));
    assert_eq!(
        lines(&report, Rule::DefaultDropped),
        [
            "default-dropped [lossy] /paths/~1things/get/parameters/1/schema: default \"asc\" dropped: not one of the enum values",
            "default-dropped [lossy] /paths/~1things/get/parameters/2/schema: default 0 dropped: below the minimum 1",
        ]
    );
    assert!(report.contains(
        "keyword-coerced /paths/~1things/get/parameters/0/schema: default \"20\" read as 20"
    ));
}

#[test]
fn list_valued_path_and_header_parameters_are_sent_as_text() {
    let raw = doc(
        json!({ "/cases/{ids}": { "get": { "operationId": "getCases",
            "parameters": [
                { "name": "ids", "in": "path", "required": true, "schema": { "type": "array", "items": { "type": "string" } } },
                { "name": "X-Roles", "in": "header", "schema": { "type": "array", "items": { "type": "string" } } }
            ],
            "responses": { "200": ok("ok", json!({ "type": "string" })) } } } }),
        json!({}),
    );
    let (n, report, code) = run(&raw);
    for p in n.spec["paths"]["/cases/{ids}"]["get"]["parameters"]
        .as_array()
        .unwrap()
    {
        assert_eq!(p["schema"], json!({ "type": "string" }), "{p}");
    }
    assert_eq!(
        lines(&report, Rule::ParameterWidened),
        [
            "parameter-widened [lossy] getCases (GET /cases/{ids}): path parameter \"ids\" sent as text: its schema is a list; pass its items joined by commas, as the simple style writes them",
            "parameter-widened [lossy] getCases (GET /cases/{ids}): header parameter \"X-Roles\" sent as text: its schema is a list; pass its items joined by commas, as the simple style writes them",
        ]
    );
    assert!(code.contains("encode_path(& ids.to_string())"), "{code}");
    assert!(code.contains("x_roles: Result<Option<::std::string::String>, String>"));
}

#[test]
fn operation_ids_that_clash_with_builder_imports_are_renamed() {
    let raw = doc(
        json!({ "/fail": { "get": { "operationId": "error", "responses": { "200": ok("ok", json!({ "type": "string" })) } } } }),
        json!({}),
    );
    let (n, report, code) = run(&raw);
    assert_eq!(
        n.spec["paths"]["/fail"]["get"]["operationId"],
        "errorOperation"
    );
    assert!(report.contains("operation-id-renamed [lossy] errorOperation (GET /fail): operationId \"error\" would shadow a method or a name of the generated client"));
    assert!(code.contains("pub struct ErrorOperation<'a>"));
}

#[test]
fn an_oauth_flow_without_scopes_is_read_as_one_with_none() {
    let mut raw = returning_thing(json!({ "type": "string" }));
    raw["components"]["securitySchemes"] = json!({ "oidc": { "type": "oauth2", "flows": {
        "clientCredentials": { "tokenUrl": "https://auth.example/token" } } } });
    let (n, report, _) = run(&raw);
    assert_eq!(
        n.spec["components"]["securitySchemes"]["oidc"]["flows"]["clientCredentials"]["scopes"],
        json!({})
    );
    assert!(report.contains("keyword-coerced /components/securitySchemes/oidc: OAuth flow clientCredentials without a map of scopes read as one with no scopes"));
}

#[test]
fn what_still_does_not_read_is_refused_naming_the_pointer() {
    let mut raw = returning_thing(json!({ "type": "string" }));
    // A response must have a description; nothing here can invent a sensible one.
    raw["components"]["responses"] = json!({ "Gone": { "content": {} } });
    let err = normalise(&raw).unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed OpenAPI document at /components/responses/Gone: missing field `description`"
    );
}

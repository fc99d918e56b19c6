//! Snapshots of what `openapi.json` generates. A change to the spec or to
//! the generator that changes the public Rust surface fails here until the
//! new snapshot is reviewed (`cargo insta review`) and committed. Under CI
//! (`CI=true` or `INSTA_UPDATE=no`) nothing is written and drift fails.

use std::path::PathBuf;

fn pipeline() -> (osigu_codegen::Normalised, osigu_codegen::Generated) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let raw: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let normalised = osigu_codegen::normalise(&raw).unwrap();
    let generated =
        osigu_codegen::generate(&normalised.spec, &osigu_codegen::GenerateOptions::osigu())
            .unwrap();
    (normalised, generated)
}

#[test]
fn surface_summary() {
    let (normalised, generated) = pipeline();
    let surface = osigu_codegen::surface(&normalised, &generated).unwrap();
    insta::assert_snapshot!("surface", surface.to_string());
}

#[test]
fn normalisation_report() {
    let (normalised, _) = pipeline();
    insta::assert_snapshot!("normalisation_report", normalised.report.to_string());
}

#[test]
fn generated_signatures() {
    let (_, generated) = pipeline();
    insta::assert_snapshot!(
        "signatures",
        osigu_codegen::rust_api(&generated).unwrap().to_string()
    );
}

/// Each generated method's rustdoc says how its path is evidenced and cites
/// the pages behind it, so `cargo doc` never presents a guess as fact.
/// While `openapi.json` is the reconstruction, that is every method; once an
/// official release replaces it, no method may claim evidence, as nothing
/// in Osigu's own file was guessed by us. Either way every generated method
/// is looked at.
#[test]
fn every_generated_method_documents_its_evidence() {
    let (normalised, generated) = pipeline();
    let surface = osigu_codegen::surface(&normalised, &generated).unwrap();
    let code = &generated.code;
    let reconstructed = normalised.spec["info"]["version"]
        .as_str()
        .is_some_and(|v| v.ends_with("-reconstructed"));
    let mut checked = 0;
    for line in &surface.operations {
        let osigu_codegen::Exposure::Generated { method, .. } = &line.exposure else {
            continue;
        };
        let signature = format!("pub fn {method}(");
        let at = code
            .match_indices(&signature)
            .map(|(at, _)| at)
            .find(|at| {
                code[at + signature.len()..]
                    .trim_start()
                    .starts_with("&self")
            })
            .unwrap_or_else(|| panic!("{method} not in the generated client"));
        // prettyplease prints a multi-line doc as one `/** … */` block.
        let start = code[..at].rfind("/**").unwrap_or(0);
        let doc = &code[start..at];
        // What the call does comes first; how it is retried and how its
        // shape is known follow.
        let first = doc.trim_start_matches("/**").trim_start();
        assert!(
            !first.starts_with("*Evidence") && !first.starts_with("**Retries"),
            "{method}: its rustdoc does not lead with what the call does"
        );
        assert!(
            doc.contains("**Retries:** "),
            "{method}: no retry rule in its rustdoc"
        );
        if reconstructed {
            assert!(
                ["documented", "inferred", "observed"]
                    .iter()
                    .any(|level| doc.contains(&format!("*Evidence: {level}*"))),
                "{method}: no evidence in its rustdoc"
            );
        } else {
            assert!(
                !doc.contains("*Evidence:"),
                "{method}: an official release, yet its rustdoc claims evidence"
            );
        }
        checked += 1;
    }
    let floor = if reconstructed { 60 } else { 1 };
    assert!(checked >= floor, "only {checked} generated methods");
}

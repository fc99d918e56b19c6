//! Every public springdoc spec in `../shared/reference/real-specs` (specs
//! nobody here wrote) must normalise and generate Rust that parses.
//! `cargo xtask corpus` goes further and compiles each one.

use std::path::PathBuf;

fn real_specs_dir() -> PathBuf {
    let dir = std::env::var_os("OSIGU_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference")
        });
    dir.join("real-specs")
}

#[test]
fn every_real_springdoc_spec_generates_rust_that_parses() {
    let dir = real_specs_dir();
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; set OSIGU_REFERENCE_DIR to the shared reference folder",
                dir.display()
            )
        })
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    specs.sort();
    assert_eq!(specs.len(), 10, "the corpus holds ten specs");

    for path in specs {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let raw: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let normalised = osigu_codegen::normalise(&raw).unwrap_or_else(|e| panic!("{name}: {e}"));
        let generated = osigu_codegen::generate(&normalised.spec, &Default::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let file = syn::parse_file(&generated.code)
            .unwrap_or_else(|e| panic!("{name}: generated code does not parse: {e}"));
        assert!(file.items.len() > 3, "{name}: suspiciously little code");

        let surface = osigu_codegen::surface(&normalised, &generated).unwrap();
        let missing: Vec<String> = surface
            .operations
            .iter()
            .filter(|l| l.exposure == osigu_codegen::Exposure::Missing)
            .map(|l| l.operation.to_string())
            .collect();
        assert!(
            missing.is_empty(),
            "{name}: operations absent from the generated client: {missing:?}"
        );
        // Every operation of the original is either generated or listed as hand-written.
        let original = raw["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|i| i.as_object().unwrap().keys())
            .filter(|k| osigu_codegen::HTTP_METHODS.contains(&k.as_str()))
            .count();
        assert_eq!(
            surface.operations.len(),
            original,
            "{name}: operations lost on the way"
        );
    }
}

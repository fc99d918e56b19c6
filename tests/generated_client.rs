//! The generated types as users see them.

use osigu::types;

#[test]
fn an_enum_value_the_sdk_does_not_know_is_kept_not_rejected() {
    let known: types::CoverageType = serde_json::from_str("\"HOSPITALIZATION\"").unwrap();
    assert_eq!(known, types::CoverageType::Hospitalization);
    assert!(known.is_known());

    let new: types::CoverageType =
        serde_json::from_str("\"COVERAGE_FROM_A_LATER_RELEASE\"").unwrap();
    assert_eq!(
        new,
        types::CoverageType::Unknown("COVERAGE_FROM_A_LATER_RELEASE".into())
    );
    assert!(!new.is_known());
    assert_eq!(new.to_string(), "COVERAGE_FROM_A_LATER_RELEASE");
    assert_eq!(
        serde_json::to_string(&new).unwrap(),
        "\"COVERAGE_FROM_A_LATER_RELEASE\""
    );
    assert_eq!(
        "HOSPITALIZATION".parse::<types::CoverageType>().unwrap(),
        known
    );
}

#[test]
fn the_client_builds_with_rustls_ring_and_keeps_its_base_url() {
    // Without a crypto provider reqwest would panic here.
    let sandbox = osigu::Osigu::builder()
        .credentials("id", "secret")
        .build()
        .unwrap();
    assert_eq!(sandbox.base_url(), "https://sandbox.osigu.com");
    let production = osigu::Osigu::builder()
        .environment(osigu::Environment::Production)
        .credentials("id", "secret")
        .build()
        .unwrap();
    assert_eq!(production.base_url(), "https://api.osigu.com");
}

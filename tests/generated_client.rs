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

#[test]
fn tls_is_rustls_only() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
    let packages: Vec<&str> = lock
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .map(|n| n.trim_end_matches('"'))
        .collect();
    assert!(packages.contains(&"rustls"));
    for banned in [
        "openssl",
        "openssl-sys",
        "native-tls",
        "aws-lc-rs",
        "aws-lc-sys",
    ] {
        assert!(
            !packages.contains(&banned),
            "{banned} is in the dependency tree"
        );
    }
}

#[test]
fn plain_http_is_refused_except_on_loopback() {
    for (url, ok) in [
        ("http://127.0.0.1:8080", true),
        ("http://localhost:8080", true),
        ("http://api.osigu.com", false),
        ("http://192.168.1.10:8080", false),
    ] {
        let built = osigu::Osigu::builder()
            .environment(osigu::Environment::Custom(url.into()))
            .credentials("id", "secret")
            .build();
        match built {
            Ok(_) => assert!(ok, "{url} was accepted"),
            Err(osigu::Error::Config { setting, .. }) => {
                assert!(!ok, "{url} was refused");
                assert_eq!(setting, "environment");
            }
            Err(other) => panic!("{url}: {other}"),
        }
    }
}

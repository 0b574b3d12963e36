//! The documentation keeps up with the code: every diagnostic code has an
//! entry in docs/errors.md.

use tocsin::diag::Code;

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/errors.md"))
        .unwrap_or_default();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !doc.contains(&format!("## {c}:")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/errors.md lacks sections for {missing:?}"
    );
}

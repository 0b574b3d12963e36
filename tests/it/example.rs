//! The shipped example (`rules/`, `indicators/`) checks clean and gives the
//! scenario's board.

use crate::common::{root, tocsin};

#[test]
fn the_example_checks_without_warnings() {
    let out = tocsin(root()).arg("check").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_scenario_board_of_mid_july_2025() {
    let out = tocsin(root())
        .args(["eval", "--at", "2025-07-20"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
    // The critical two-front alert fires, so CI gating on it fails.
    tocsin(root())
        .args(["eval", "--at", "2025-07-20", "--fail-on", "critical"])
        .assert()
        .code(1);
}

#[test]
fn every_status_appears_on_the_scenario_date() {
    let out = tocsin(root())
        .args(["eval", "--at", "2025-07-20", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let statuses: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    for s in ["met", "pending", "not_met", "unknown"] {
        assert!(statuses.contains(&s), "no {s} on the board");
    }
    let sources_cited = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| !r["sources"].as_array().unwrap().is_empty());
    assert!(sources_cited, "every rule cites a source");
}

#[test]
fn the_shipped_rule_tests_pass() {
    let out = tocsin(root()).arg("test").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = text.lines().last().unwrap_or_default();
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(
        passed >= 66,
        "every rule needs a met and a not_met test: {last}"
    );
    assert!(last.ends_with(" 0 failed"), "{last}");
}

//! `tocsin test --junit`: the XML is valid against the schema Jenkins
//! reads (junit-10.xsd of the xUnit plugin) and says why a suite could
//! not run. The schema is not kept here: `.ci/junit-xsd-setup` fetches it
//! and names it in `TOCSIN_JUNIT_XSD`; without it, or without `xmllint`,
//! the validation is skipped with a note.

use crate::common::{find_program, tocsin};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn suites() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ruletest")
}

/// `text` with every `time="…"` value replaced by `time="T"`: the times
/// vary from run to run.
pub fn without_times(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" time=\"") {
        let (head, tail) = rest.split_at(i + " time=\"".len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        out.push('T');
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Asserts that `xml` is valid against junit-10.xsd, when the schema and
/// `xmllint` are both at hand.
pub fn assert_valid(xml: &Path) {
    let Some(xsd) = std::env::var_os("TOCSIN_JUNIT_XSD")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
    else {
        eprintln!("note: TOCSIN_JUNIT_XSD names no schema file; JUnit XML not validated");
        return;
    };
    let Some(xmllint) = find_program("TOCSIN_XMLLINT", &["xmllint"]) else {
        eprintln!("note: no xmllint (Debian: libxml2-utils); JUnit XML not validated");
        return;
    };
    let out = std::process::Command::new(xmllint)
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(xml)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(xml).unwrap()
    );
}

/// Attribute `name` of the first element `tag` in `xml`.
fn attribute<'a>(xml: &'a str, tag: &str, name: &str) -> &'a str {
    let start = xml.find(&format!("<{tag} ")).expect(tag);
    let element = &xml[start..start + xml[start..].find('>').unwrap()];
    let at = element.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
    &element[at..at + element[at..].find('"').unwrap()]
}

#[test]
fn every_level_has_a_time_in_seconds() {
    let out = TempDir::new().unwrap();
    let xml = out.path().join("junit.xml");
    let status = tocsin(&suites().join("passing"))
        .args(["test", "--junit"])
        .arg(&xml)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0));
    let text = std::fs::read_to_string(&xml).unwrap();
    for tag in ["testsuites", "testsuite", "testcase"] {
        let time = attribute(&text, tag, "time");
        let (whole, millis) = time.split_once('.').unwrap_or_else(|| panic!("{time}"));
        assert!(
            !whole.is_empty() && millis.len() == 3 && time.parse::<f64>().is_ok(),
            "{tag} time={time}"
        );
    }
    assert_valid(&xml);
}

#[test]
fn a_suite_that_cannot_run_still_writes_its_errors_and_exits_2() {
    let out = TempDir::new().unwrap();
    let xml = out.path().join("junit.xml");
    let run = tocsin(&suites())
        .args(["test", "broken.test", "--rules", "passing/rules", "--junit"])
        .arg(&xml)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(String::from_utf8(run.stdout).unwrap(), "");
    let text = std::fs::read_to_string(&xml).unwrap();
    assert_eq!(attribute(&text, "testsuites", "errors"), "1", "{text}");
    assert_eq!(
        attribute(&text, "testcase", "name"),
        "broken.test",
        "{text}"
    );
    let message = attribute(&text, "error", "message");
    assert!(!message.is_empty(), "{text}");
    assert!(text.contains(">broken.test:"), "{text}");
    assert_valid(&xml);
    insta::assert_snapshot!(without_times(&text));
}

#[test]
fn broken_rules_are_an_error_of_the_rule_file() {
    let dir = crate::common::project(&[
        (
            "rules/a.rules",
            "indicator x { when: latest(gauge) >>> 1 }\n",
        ),
        (
            "rules/a.test",
            "test \"t\" { data gauge { 2025-01-01: 1 } at 2025-01-01 { x met } }\n",
        ),
    ]);
    let xml = dir.path().join("junit.xml");
    let run = tocsin(dir.path())
        .args(["test", "--junit", "junit.xml"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let text = std::fs::read_to_string(&xml).unwrap();
    assert_eq!(
        attribute(&text, "testcase", "name"),
        "rules/a.rules",
        "{text}"
    );
    assert!(text.contains("<error message=\""), "{text}");
    assert_valid(&xml);
}

#[test]
fn a_missing_test_path_is_an_error_case_too() {
    let out = TempDir::new().unwrap();
    let xml = out.path().join("junit.xml");
    let run = tocsin(&suites())
        .args([
            "test",
            "no-such.test",
            "--rules",
            "passing/rules",
            "--junit",
        ])
        .arg(&xml)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let text = std::fs::read_to_string(&xml).unwrap();
    assert_eq!(
        attribute(&text, "testcase", "name"),
        "tocsin test",
        "{text}"
    );
    assert!(
        attribute(&text, "error", "message").contains("no-such.test"),
        "{text}"
    );
    assert_valid(&xml);
}

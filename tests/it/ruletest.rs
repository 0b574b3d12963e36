//! `tocsin test`: exit codes, the report a person reads, JUnit XML, and
//! which rules a test file sees. The suites are under `tests/ruletest/`;
//! the commands run there, so that every path in the output is relative.

use crate::common::{project, tocsin};
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn suites() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ruletest")
}

/// Runs `tocsin test ARGS` in `dir`; returns exit code, stdout, stderr.
fn test_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = tocsin(dir).arg("test").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_passing_suite_exits_0() {
    let (code, stdout, stderr) = test_in(&suites().join("passing"), &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.ends_with("\n7 passed, 0 failed\n"), "{stdout}");
    assert_eq!(stderr, "");
}

#[test]
fn verbose_lists_every_test() {
    let (code, stdout, _) = test_in(&suites().join("passing"), &["--verbose"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

#[test]
fn failing_expectations_read_as_a_diff() {
    let (code, stdout, stderr) = test_in(&suites(), &["failing.test", "--rules", "passing/rules"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(stdout.lines().last(), Some("1 passed, 3 failed"));
    insta::assert_snapshot!(stdout);
}

#[test]
fn broken_test_files_exit_2_with_every_error_located() {
    let (code, stdout, stderr) = test_in(
        &suites(),
        &["broken.test", "misnamed.test", "--rules", "passing/rules"],
    );
    assert_eq!(code, 2);
    assert_eq!(stdout, "", "nothing is half-reported on stdout");
    for place in [
        "broken.test:4:38",
        "broken.test:8:24",
        "broken.test:17:46",
        "misnamed.test:3:6",
        "misnamed.test:4:6",
        "misnamed.test:8:5",
    ] {
        assert!(stderr.contains(place), "{place}:\n{stderr}");
    }
    insta::assert_snapshot!(stderr);
}

#[test]
fn junit_xml() {
    let out = TempDir::new().unwrap();
    let xml = out.path().join("junit.xml");
    let (code, stdout, _) = test_in(
        &suites(),
        &[
            "failing.test",
            "passing/rules",
            "--rules",
            "passing/rules",
            "--junit",
            xml.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(stdout.ends_with("\n8 passed, 3 failed\n"), "{stdout}");
    let text = std::fs::read_to_string(&xml).unwrap();
    crate::junit::assert_valid(&xml);
    insta::assert_snapshot!(crate::junit::without_times(&text));
}

#[test]
fn an_unwritable_junit_file_exits_2_before_reporting() {
    let (code, stdout, stderr) = test_in(
        &suites().join("passing"),
        &["--junit", "no/such/folder/junit.xml"],
    );
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("--junit no/such/folder/junit.xml"),
        "{stderr}"
    );
}

#[test]
fn tests_are_found_beside_the_rules() {
    let (code, stdout, _) = test_in(&suites(), &["--rules", "passing/rules"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("ok   passing/rules/nested/inline.test (1 test)"),
        "{stdout}"
    );
    assert!(stdout.contains("ok   passing/rules/theatre.test (6 tests)"));
}

const REPO_RULES: &str = "indicator high { when: latest(level) > 5 }\n";

#[test]
fn inline_rules_replace_the_repository_s() {
    let dir = project(&[
        ("rules/a.rules", REPO_RULES),
        // The repository's `high` means above 5 ...
        (
            "rules/repo.test",
            "data level { 2025-01-01: 7 }\ntest \"repo\" { at 2025-01-01 { high met } }\n",
        ),
        // ... this file's own `high` means above 10.
        (
            "rules/own.test",
            "indicator high { when: latest(level) > 10 }\ndata level { 2025-01-01: 7 }\ntest \"own\" { at 2025-01-01 { high not_met } }\n",
        ),
        // Rules of its own hide every repository rule.
        (
            "elsewhere/hidden.test",
            "indicator other { when: true }\ntest \"hidden\" { at 2025-01-01 { other met, high unknown } }\n",
        ),
    ]);
    let (code, stdout, stderr) = test_in(dir.path(), &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.ends_with("\n2 passed, 0 failed\n"), "{stdout}");
    let (code, stdout, stderr) = test_in(dir.path(), &["elsewhere"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("elsewhere/hidden.test:2:44")
            && stderr.contains("no indicator or alert is called `high`")
            && stderr.contains("this file has rules of its own"),
        "{stderr}"
    );
}

#[test]
fn the_repository_s_data_is_not_read() {
    // The indicator files would make `high` met; the test gives no data.
    let dir = project(&[
        ("rules/a.rules", REPO_RULES),
        ("indicators/level.csv", "date,value\n2025-01-01,9\n"),
        (
            "rules/a.test",
            "test \"hermetic\" { at 2025-01-01 { high unknown } }\n",
        ),
    ]);
    let (code, stdout, stderr) = test_in(dir.path(), &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn broken_repository_rules_exit_2() {
    let dir = project(&[
        (
            "rules/a.rules",
            "indicator high { when: latest(level) > }\n",
        ),
        (
            "rules/a.test",
            "test \"t\" { at 2025-01-01 { high unknown } }\n",
        ),
    ]);
    tocsin(dir.path())
        .arg("test")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("rules/a.rules:1:40"));
}

#[test]
fn no_test_files_is_a_warning() {
    let dir = project(&[("rules/a.rules", REPO_RULES)]);
    tocsin(dir.path())
        .arg("test")
        .assert()
        .code(0)
        .stdout("0 passed, 0 failed\n")
        .stderr(predicate::str::contains(
            "warning[W005]: no test files found",
        ));
}

#[test]
fn a_missing_path_exits_2() {
    let dir = project(&[]);
    tocsin(dir.path())
        .args(["test", "nowhere.test"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "nowhere.test: no such file or folder",
        ));
    tocsin(dir.path())
        .args(["test", "--rules", "nowhere"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--rules nowhere"));
}

/// A path that does not exist does not hide the errors of the files that
/// do: both are reported, in one run.
#[test]
fn a_missing_path_is_reported_with_the_other_files_errors() {
    let (code, stdout, stderr) = test_in(
        &suites(),
        &["nowhere.test", "broken.test", "--rules", "passing/rules"],
    );
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("error[E309]: test path nowhere.test: no such file or folder"),
        "{stderr}"
    );
    assert!(stderr.contains("broken.test:4:38"), "{stderr}");
    assert!(!stderr.contains("W005"), "{stderr}");
}

#[test]
fn check_and_eval_ignore_test_files() {
    let dir = project(&[
        ("rules/a.rules", REPO_RULES),
        ("rules/a.test", "this is not a rule file"),
        ("indicators/level.csv", "date,value\n2025-01-01,9\n"),
    ]);
    tocsin(dir.path()).arg("check").assert().code(0);
}

/// The fenced blocks of a Markdown file: (language tag, text).
fn fenced_blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in markdown.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(tag)) => open = Some((tag.trim().to_string(), String::new())),
            (Some(_), Some(_)) => blocks.extend(open.take()),
            (Some((_, text)), None) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
}

fn testing_md() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/testing.md")).unwrap()
}

#[test]
fn test_file_snippets_in_the_docs_parse() {
    use tocsin::diag::{render, FileId, SourceMap};
    let mut checked = 0;
    for (tag, text) in fenced_blocks(&testing_md()) {
        if !tag.is_empty() {
            continue;
        }
        let (_, diags) = tocsin::ruletest::parse_test_file(FileId(0), &text);
        let mut sources = SourceMap::new();
        sources.add("docs/testing.md", text.as_str());
        assert!(
            diags.is_empty(),
            "{}\n{text}",
            render::to_plain_string(&diags, &sources)
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} snippets");
}

/// The complete example of docs/testing.md passes, and the failing variant
/// it describes prints what the page shows.
#[test]
fn the_example_in_the_docs_runs_as_shown() {
    let blocks = fenced_blocks(&testing_md());
    let find = |first: &str| {
        blocks
            .iter()
            .find(|(_, text)| text.starts_with(first))
            .map(|(_, text)| text.clone())
            .unwrap_or_else(|| panic!("no block starting with {first:?}"))
    };
    let rules = find("# rules/example.rules\n");
    let tests = find("# rules/example.test\n");
    let dir = project(&[
        ("rules/example.rules", &rules),
        ("rules/example.test", &tests),
    ]);
    let (code, stdout, stderr) = test_in(dir.path(), &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        format!("$ tocsin test\n{stdout}"),
        find("$ tocsin test\nok ")
    );
    let broken = tests.replace(
        "at 2025-12-01 to 2025-12-29 { finland_buildup pending }",
        "at 2025-12-01 to 2025-12-31 { finland_buildup met }",
    );
    std::fs::write(dir.path().join("rules/example.test"), broken).unwrap();
    let (code, stdout, _) = test_in(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        format!("$ tocsin test\n{stdout}"),
        find("$ tocsin test\nFAIL ")
    );
}

#[test]
fn a_rule_file_named_as_a_test_is_refused_and_a_self_contained_file_says_where_series_come_from() {
    let dir = project(&[
        ("rules/a.rules", "indicator high { when: latest(gauge) > 4 }\n"),
        (
            "rules/x.test",
            "indicator other { when: latest(nodata) > 4 }\ntest \"t\" { at 2025-01-02 { other unknown } }\n",
        ),
    ]);
    let (code, _, err) = test_in(dir.path(), &["rules/a.rules"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error[E412]: rules/a.rules is a rule file: `tocsin test` runs `.test` files"),
        "{err}"
    );
    assert!(!err.contains("E101"), "{err}");
    let (code, _, err) = test_in(dir.path(), &["rules/x.test"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown series `nodata`"), "{err}");
    assert!(
        err.contains("give this series one (`data NAME {}` for none)"),
        "{err}"
    );
    assert!(!err.contains("--indicators"), "{err}");
}

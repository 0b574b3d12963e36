//! `tocsin fmt`: rewrites, `--check`, stdin, and formatting never changes
//! what a ruleset evaluates to.

use crate::common::{copy_dir, tocsin};
use predicates::prelude::*;
use std::path::Path;
use tempfile::TempDir;

const MESSY: &str = "# watch the gauge\nindicator   high{when:latest(gauge)>5 for:3d   # a trailing note\n}\nlet   x=1\n";

#[test]
fn check_lists_then_fmt_rewrites_then_check_passes() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/a.rules"), MESSY).unwrap();
    tocsin(dir.path())
        .args(["fmt", "--check"])
        .assert()
        .code(1)
        .stdout("rules/a.rules\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("rules/a.rules")).unwrap(),
        MESSY,
        "--check changes nothing"
    );
    tocsin(dir.path()).arg("fmt").assert().code(0);
    let formatted = std::fs::read_to_string(dir.path().join("rules/a.rules")).unwrap();
    insta::assert_snapshot!(formatted);
    tocsin(dir.path())
        .args(["fmt", "--check"])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn stdin_to_stdout_for_editors() {
    let dir = TempDir::new().unwrap();
    tocsin(dir.path())
        .args(["fmt", "-"])
        .write_stdin("let x=1")
        .assert()
        .code(0)
        .stdout("let x = 1\n");
    tocsin(dir.path())
        .args(["fmt", "-"])
        .write_stdin("let x = ")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("<stdin>:1:9"));
}

#[test]
fn a_file_that_does_not_parse_is_left_alone() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/a.rules"), "indicator x { when: }").unwrap();
    tocsin(dir.path())
        .arg("fmt")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rules/a.rules:1:21"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("rules/a.rules")).unwrap(),
        "indicator x { when: }"
    );
}

/// Every conformance case and the shipped example evaluate to the same
/// board before and after formatting.
#[test]
fn formatting_preserves_every_status() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut projects: Vec<(std::path::PathBuf, &str)> =
        std::fs::read_dir(root.join("tests/conformance"))
            .unwrap()
            .flatten()
            .map(|e| (e.path(), "2025-03-10"))
            .filter(|(p, _)| p.join("rules").is_dir())
            .collect();
    projects.push((root.to_path_buf(), "2025-07-20"));
    for (project, at) in projects {
        let board = |dir: &Path| {
            let out = tocsin(dir)
                .args(["eval", "--at", at, "--format", "json"])
                .output()
                .unwrap();
            (out.status.code(), String::from_utf8(out.stdout).unwrap())
        };
        let before = board(&project);
        let copy = TempDir::new().unwrap();
        for sub in ["rules", "indicators"] {
            copy_dir(&project.join(sub), &copy.path().join(sub));
        }
        tocsin(copy.path()).arg("fmt").assert().success();
        // Line numbers may move; statuses, values and summaries may not.
        let strip = |(code, json): (Option<i32>, String)| {
            let mut v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
            for key in ["results", "no_instances"] {
                for r in v[key].as_array_mut().into_iter().flatten() {
                    r.as_object_mut().unwrap().remove("line");
                }
            }
            (code, v)
        };
        assert_eq!(
            strip(before),
            strip(board(copy.path())),
            "{}",
            project.display()
        );
    }
}

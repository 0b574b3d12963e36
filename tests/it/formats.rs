//! Golden output of the machine- and CI-facing formats: what GitHub
//! Actions, a CI job summary and scripts read.

use crate::common::{project, tocsin};
use std::path::Path;

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = tocsin(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

const BROKEN: &[(&str, &str)] = &[
    ("indicators/gauge.csv", "date,value,actor\n2025-01-10,3,Houthi\n,,\n"),
    ("rules/a.rules", "indicator x {\n  when: latest(guage) > 1\n}\nindicator y { when: count(gauge[actr ~ \"h\"], 30d) > 0 }\n"),
];

#[test]
fn check_as_github_workflow_commands() {
    let dir = project(BROKEN);
    let (code, out) = run(dir.path(), &["check", "--format", "github"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(out);
}

/// `file=` is relative to `$GITHUB_WORKSPACE` when the file lies under it
/// (tocsin run in a subfolder here), and as named otherwise.
#[test]
fn github_paths_are_relative_to_the_workspace() {
    let files: Vec<(String, &str)> = BROKEN
        .iter()
        .map(|(p, t)| (format!("proj/{p}"), *t))
        .collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let dir = project(&files);
    let github = |workspace: Option<&Path>| {
        let mut cmd = tocsin(&dir.path().join("proj"));
        if let Some(w) = workspace {
            cmd.env("GITHUB_WORKSPACE", w);
        }
        let out = cmd.args(["check", "--format", "github"]).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let plain = github(None);
    assert!(
        plain.contains("::error file=rules/a.rules,line=2,"),
        "{plain}"
    );
    let inside = github(Some(dir.path()));
    assert!(
        inside.contains("::error file=proj/rules/a.rules,line=2,"),
        "{inside}"
    );
    assert_eq!(inside.replace("file=proj/", "file="), plain);
    let elsewhere = tempfile::TempDir::new().unwrap();
    assert_eq!(github(Some(elsewhere.path())), plain);
}

#[test]
fn check_as_json() {
    let dir = project(BROKEN);
    let (code, out) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(out);
}

fn example() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn eval_as_markdown_job_summary() {
    let (code, out) = run(
        example(),
        &["eval", "--at", "2025-07-20", "--format", "markdown"],
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn eval_as_json() {
    let (code, out) = run(
        example(),
        &["eval", "--at", "2025-07-20", "--format", "json"],
    );
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &doc["results"][0];
    insta::assert_snapshot!(serde_json::to_string_pretty(first).unwrap());
}

#[test]
fn completions_and_man_page_come_from_the_same_definitions() {
    let (code, bash) = run(example(), &["completions", "bash"]);
    assert_eq!(code, 0);
    for sub in ["check", "eval", "watch", "history"] {
        assert!(bash.contains(sub), "bash completion lacks {sub}");
    }
    let (code, zsh) = run(example(), &["completions", "zsh"]);
    assert_eq!(code, 0);
    assert!(zsh.contains("#compdef tocsin"));
    let (code, man) = run(example(), &["man"]);
    assert_eq!(code, 0);
    assert!(man.contains(".TH tocsin 1"));
    assert!(man.contains("eval"));
}

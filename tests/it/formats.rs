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

/// Rule text and label values in the Markdown board are escaped: nothing
/// of theirs renders as emphasis, code, a link, HTML or a new cell. When
/// python-markdown is installed, the rendered HTML is checked too.
#[test]
fn markdown_escapes_user_text_in_every_cell() {
    let dir = project(&[
        (
            "rules/a.rules",
            "indicator plain {\n  title: \"*bold* _it_ `code` [l](u) <b>x</b> a|b back\\\\slash\"\n  when:  latest(gauge) > 1\n}\n\nindicator grouped {\n  title:   \"grouped\"\n  by:      actor\n  when:    latest(gauge) > 0\n  summary: \"{actor} did *it*\"\n}\n",
        ),
        (
            "indicators/gauge.csv",
            "date,value,actor\n2025-01-10,3,*Star*_|x\n2025-01-10,2,[a](b)\n",
        ),
    ]);
    let (code, out) = run(
        dir.path(),
        &["eval", "--at", "2025-02-01", "--format", "markdown"],
    );
    assert_eq!(code, 0);
    for want in [
        r"\*bold\* \_it\_ \`code\` \[l\](u) &lt;b&gt;x&lt;/b&gt; a\|b back\\slash",
        r#"grouped{actor="\*Star\*\_\|x"}"#,
        r"\*Star\*\_\|x did \*it\*",
        r"\[a\](b) did \*it\*",
    ] {
        assert!(out.contains(want), "{want}\n{out}");
    }
    // Every table row has its six cells: no bar of the user's ended one.
    for line in out.lines().filter(|l| l.starts_with("| 🔴")) {
        let bars = line.matches('|').count() - line.matches("\\|").count();
        assert_eq!(bars, 7, "{line}");
    }
    let python = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, markdown; print(markdown.markdown(sys.stdin.read(), extensions=['tables']))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut python) = python else {
        eprintln!("note: no python3; Markdown rendering not checked");
        return;
    };
    use std::io::Write;
    python
        .stdin
        .take()
        .unwrap()
        .write_all(out.as_bytes())
        .unwrap();
    let done = python.wait_with_output().unwrap();
    if !done.status.success() {
        eprintln!("note: no python-markdown; Markdown rendering not checked");
        return;
    }
    let html = String::from_utf8(done.stdout).unwrap();
    for tag in ["<em>", "<code>code", "<a ", "<b>"] {
        assert!(!html.contains(tag), "{tag} in\n{html}");
    }
    assert!(
        html.contains("*bold* _it_ `code` [l](u) &lt;b&gt;x&lt;/b&gt; a|b back\\slash"),
        "{html}"
    );
}

/// A data file's format comes from its own name, whatever folders lead to
/// it: `../indicators/a.json` is JSON, not a CSV with one column `{`.
#[test]
fn data_reached_through_parent_folders_keeps_its_format() {
    let dir = project(&[
        ("work/.keep", ""),
        (
            "ind/gdp.json",
            r#"{"series": "gdp", "observations": [{"date": "2025-01-01", "value": 2}]}"#,
        ),
        ("ind/stream.ndjson", "{\"date\":\"2025-01-02\",\"value\":3}\n"),
        ("ind/lines.jsonl", "{\"date\":\"2025-01-03\",\"value\":4}\n"),
        ("ind/plain.csv", "date,value\n2025-01-04,5\n"),
        (
            "rules/a.rules",
            "indicator all_there { when: latest(gdp) + latest(stream) + latest(lines) + latest(plain) == 14 }\n",
        ),
    ]);
    let work = dir.path().join("work");
    for indicators in ["../ind", "./../ind", "../work/../ind"] {
        let (code, out) = run(
            &work,
            &[
                "eval",
                "--rules",
                "../rules",
                "--indicators",
                indicators,
                "--at",
                "2025-02-01",
                "--format",
                "json",
            ],
        );
        assert_eq!(code, 0, "{indicators}: {out}");
        assert!(out.contains("\"status\": \"met\""), "{indicators}: {out}");
    }
    let (code, out) = run(
        &work,
        &[
            "check",
            "--rules",
            "../rules",
            "--indicators",
            "../ind/gdp.json",
            "--indicators",
            "../ind/stream.ndjson",
            "--indicators",
            "../ind/lines.jsonl",
            "--indicators",
            "../ind/plain.csv",
        ],
    );
    assert_eq!(code, 0, "{out}");
}

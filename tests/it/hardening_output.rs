//! What tocsin prints about hostile files: no secret from the environment,
//! no more than an excerpt of a long or strange line, no terminal escape
//! sequence obeyed, no HTML or image in a job summary.

use crate::common::{project, Daemon};
use assert_cmd::Command;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc::channel;
use std::time::Duration;
use tempfile::TempDir;

const WEBHOOK: &str = "http://u:hunter2@127.0.0.1:1/x";

/// A fake `/proc/self/environ`: what a data file that is a link to it holds.
fn environ() -> String {
    format!(
        "TOCSIN_WEBHOOK={WEBHOOK}\0CI_TOKEN=ci-0123456789\0PATH=/usr/bin\0LONG={}\0HOME=/root\0",
        "L".repeat(5_000)
    )
}

const RULE: &str = "indicator x {\n  when: 1 > 0\n}\n";

/// `tocsin` in `dir`, also without the webhook secret, and stopped if it
/// hangs on a hostile file.
fn tocsin(dir: &Path) -> Command {
    let mut c = crate::common::tocsin(dir);
    c.timeout(Duration::from_secs(10));
    c
}

fn run(dir: &Path, args: &[&str]) -> (String, String) {
    let out = tocsin(dir)
        .env("TOCSIN_WEBHOOK", WEBHOOK)
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn no_raw_controls(s: &str) -> bool {
    !s.chars().any(|c| c.is_control() && c != '\n')
}

#[test]
fn an_environ_data_file_shows_no_secret_and_only_an_excerpt() {
    let dir = project(&[("rules/a.rules", RULE), ("indicators/env.csv", &environ())]);
    for args in [
        &["check"][..],
        &["check", "--format", "github"],
        &["check", "--format", "json"],
        &["eval"],
    ] {
        let (out, err) = run(dir.path(), args);
        let all = format!("{out}{err}");
        assert!(all.contains("E302"), "{args:?}: {all}");
        assert!(!all.contains("hunter2"), "{args:?}: {all}");
        assert!(!all.contains("L".repeat(300).as_str()), "{args:?}: {all}");
        assert!(all.len() < 3_000, "{args:?}: {} bytes: {all}", all.len());
        assert!(no_raw_controls(&all), "{args:?}: {all:?}");
    }
    let (_, err) = run(dir.path(), &["check"]);
    assert!(err.contains(r"TOCSIN_WEBHOOK=***\0CI_TOKEN="), "{err}");
    assert!(err.contains("more bytes]"), "{err}");
    let (out, _) = run(dir.path(), &["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["diagnostics"][0]["code"], "E302");
}

#[test]
fn the_daemon_error_event_for_an_environ_file_carries_no_secret() {
    let d = Daemon::start(
        &[("rules/a.rules", RULE), ("indicators/env.csv", &environ())],
        &["--at", "2025-01-10"],
        &[("TOCSIN_WEBHOOK", WEBHOOK)],
    );
    let error = d
        .startup
        .iter()
        .find(|e| e["event"] == "error")
        .unwrap_or_else(|| panic!("no error event: {:#?}", d.startup))
        .clone();
    assert_eq!(error["file"], "indicators/env.csv");
    let rendered = error["rendered"].as_str().unwrap();
    assert!(rendered.contains(r"TOCSIN_WEBHOOK=***\0"), "{rendered}");
    for e in &d.startup {
        let line = e.to_string();
        assert!(!line.contains("hunter2"), "{line}");
        assert!(line.len() < 3_000, "{} bytes: {line}", line.len());
    }
    d.terminate();
}

#[test]
fn megabyte_lines_give_a_short_report_at_the_right_place() {
    // Just under the 1 MiB record limit, so that the cell's own error is
    // the one reported, far along the line.
    let data = format!(
        "date,value\n2020-01-01,1\n2020-01-02,{}x\n",
        "9".repeat(1_000_000)
    );
    let rules = format!(
        "indicator y {{\n  when: 1 > 0{} + zzz\n}}\n",
        " + 1".repeat(1 << 19)
    );
    let dir = project(&[("rules/big.rules", &rules), ("indicators/big.csv", &data)]);
    let started = std::time::Instant::now();
    let out = tocsin(dir.path()).arg("check").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.len() < 10_000, "{} bytes of stderr", err.len());
    assert!(err.contains("indicators/big.csv:3:12"), "{err}");
    assert!(err.contains("rules/big.rules:2:"), "{err}");
    assert!(err.contains("more bytes]"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// Rule text and a data field holding escape sequences (ESC, BEL, CSI).
fn hostile() -> TempDir {
    project(&[
        (
            "rules/a.rules",
            "alert a {\n  severity: warning\n  title: \"T\x1b[31mred\"\n  when: count(ev, 30d) > 0\n  summary: \"S\x1b[2Jcleared\u{9b}31m <img src=x onerror=alert(1)> ![i](http://e/p.png) | *b*\"\n}\n",
        ),
        (
            "indicators/ev.csv",
            "date,value,note\n2025-01-02,1,\"x\x1b]0;pwn\x07y\"\n",
        ),
    ])
}

#[test]
fn eval_table_shows_escape_sequences_in_rule_text() {
    let dir = hostile();
    let (out, _) = run(dir.path(), &["eval", "--at", "2025-01-10"]);
    assert!(no_raw_controls(&out), "{out:?}");
    assert!(out.contains(r"S\e[2Jcleared\u{9b}31m"), "{out}");
}

#[test]
fn eval_markdown_brings_no_html_or_image_from_rule_text() {
    let dir = hostile();
    let (out, _) = run(
        dir.path(),
        &["eval", "--at", "2025-01-10", "--format", "markdown"],
    );
    assert!(no_raw_controls(&out), "{out:?}");
    assert!(!out.contains("<img"), "{out}");
    assert!(!out.contains("!["), "{out}");
    assert!(out.contains("&lt;img src=x onerror=alert(1)&gt;"), "{out}");
    assert!(out.contains(r"\!\[i\](http://e/p.png) \| \*b\*"), "{out}");
    // Still one row of six cells: the bar in the summary is escaped.
    let row = out.lines().find(|l| l.contains("`a`")).unwrap();
    assert_eq!(row.matches(" | ").count(), 5, "{row}");
}

#[test]
fn explain_shows_escape_sequences_in_data_fields() {
    let dir = hostile();
    let (out, _) = run(dir.path(), &["explain", "a", "--at", "2025-01-10"]);
    assert!(no_raw_controls(&out), "{out:?}");
    assert!(out.contains(r"note=x\e]0;pwn\x07y"), "{out}");
}

#[test]
fn a_quoted_source_line_shows_escape_sequences() {
    let dir = project(&[(
        "rules/a.rules",
        "indicator x {\n  when: \"\x1b[31m\x1b]0;t\x07\" > 1\n}\n",
    )]);
    let (_, err) = run(dir.path(), &["check"]);
    assert!(err.contains("rules/a.rules:2:"), "{err}");
    assert!(no_raw_controls(&err), "{err:?}");
    assert!(err.contains(r#""\e[31m\e]0;t\x07""#), "{err}");
}

#[test]
fn watch_text_and_history_show_escape_sequences_in_rule_text() {
    let dir = hostile();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tocsin"))
        .args(["watch", "--format", "text", "--at", "2025-01-10"])
        .current_dir(dir.path())
        .env_remove("TOCSIN_WEBHOOK")
        .env_remove("TOCSIN_ALERTMANAGER")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    while let Ok(line) = rx.recv_timeout(crate::common::WAIT) {
        let done = line.contains("reload on start");
        seen.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = seen.join("\n");
    assert!(text.contains("reload on start"), "{text}");
    assert!(no_raw_controls(&text), "{text:?}");
    assert!(text.contains(r"S\e[2Jcleared\u{9b}31m"), "{text}");

    let out = tocsin(dir.path()).arg("history").output().unwrap();
    let history = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{history}");
    assert!(history.contains("new → met"), "{history}");
    assert!(no_raw_controls(&history), "{history:?}");
    assert!(history.contains(r"\e[2J"), "{history}");
}

#[test]
fn a_long_cycle_is_named_by_its_ends() {
    let n = 3_000;
    let mut rules: String = (0..n)
        .map(|k| format!("let v{k} = v{} + 1\n", (k + 1) % n))
        .collect();
    rules.push_str("indicator c {\n  when: v0 > 1\n}\n");
    let dir = project(&[("rules/cycle.rules", &rules)]);
    let (_, err) = run(dir.path(), &["check"]);
    assert!(err.contains("E103"), "{err}");
    assert!(
        err.contains("`v0` → `v1` → `v2` → `v3` → … 2992 more … → `v2996` → `v2997` → `v2998` → `v2999` → `v0`"),
        "{err}"
    );
    assert!(err.len() < 5_000, "{} bytes: {err}", err.len());
}

#[test]
fn a_webhook_password_holding_a_slash_is_not_shown_as_the_host() {
    let dir = project(&[("rules/a.rules", RULE)]);
    for url in ["user:pa/ss@host:9/x", "user:pa?ss@host"] {
        let out = tocsin(dir.path())
            .args(["watch", "--format", "json", "--webhook", url])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {err}");
        assert!(err.contains("***@host"), "{url}: {err}");
        assert!(!err.contains("pa"), "{url}: {err}");
    }
}

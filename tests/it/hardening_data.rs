//! Hostile data files and paths: files that name a field per line or a
//! column per cell, lines past the limits, links to system files, pipes,
//! and folders that cannot be walked. Each is refused with a located error
//! (exit 2), quickly, without reading more than it must.

use crate::common::{write, Daemon};
use assert_cmd::Command;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const RULE: &str = "indicator busy { when: count(stream, 1y) >= 1 }\n";

fn tocsin(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("tocsin").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("TOCSIN_TODAY")
        .timeout(Duration::from_secs(20));
    c
}

/// A project with the rule and `files`.
fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    write(&dir.path().join("rules/a.rules"), RULE);
    for (p, text) in files {
        write(&dir.path().join(p), text);
    }
    dir
}

/// Runs `args` in `dir`: exit code, stdout, stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = tocsin(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn feed_line(i: usize) -> String {
    format!("{{\"date\":\"2025-01-01\",\"f{i}\":\"x{i}\"}}\n")
}

#[test]
fn a_field_name_per_line_loads_fast_up_to_the_cap_and_is_refused_past_it() {
    let text: String = (0..10_000).map(feed_line).collect();
    let dir = project(&[("indicators/stream.ndjson", &text)]);
    let started = Instant::now();
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    // Quadratic loading took 13 s and 2 GB here.
    assert!(started.elapsed() < Duration::from_secs(5));

    write(
        &dir.path().join("indicators/stream.ndjson"),
        &format!("{text}{}", feed_line(10_000)),
    );
    let (code, out, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(
            "error[E312]: more than 10000 field names in one file: 'f10000' is one too many"
        ),
        "{err}"
    );
    assert!(err.contains("indicators/stream.ndjson:10001:31"), "{err}");
}

#[test]
fn a_csv_header_past_ten_thousand_columns_is_refused() {
    let names: Vec<String> = (0..80_000).map(|i| format!("c{i}")).collect();
    let text = format!(
        "date,{}\n2025-01-01{}\n",
        names.join(","),
        ",v".repeat(80_000)
    );
    let dir = project(&[("indicators/stream.csv", &text)]);
    let started = Instant::now();
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        err.contains("error[E313]: the header has 80001 cells; tocsin reads at most 10000 columns"),
        "{err}"
    );
    assert!(err.contains("indicators/stream.csv:1:1"), "{err}");
}

#[test]
fn a_line_past_a_mebibyte_is_refused_in_every_format() {
    let long = "x".repeat((1 << 20) + 1);
    for (name, text, at) in [
        (
            "indicators/stream.csv",
            format!("date,note\n2025-01-01,a\n2025-01-02,{long}\n"),
            "indicators/stream.csv:3:1",
        ),
        (
            "indicators/stream.ndjson",
            format!(
                "{{\"date\":\"2025-01-01\"}}\n{{\"date\":\"2025-01-02\",\"note\":\"{long}\"}}\n"
            ),
            "indicators/stream.ndjson:2:1",
        ),
        (
            "indicators/stream.json",
            format!("{{\"observations\":[\n{{\"date\":\"2025-01-02\",\"note\":\"{long}\"}}]}}"),
            "indicators/stream.json:2:1",
        ),
    ] {
        let dir = project(&[(name, &text)]);
        let (code, _, err) = run(dir.path(), &["check"]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains("error[E314]"), "{name}: {err}");
        assert!(err.contains(at), "{name}: {err}");
        assert!(err.contains("1048576 bytes (1 MiB)"), "{name}: {err}");
    }
}

#[test]
fn a_link_to_the_environment_is_refused_naming_link_and_target() {
    let dir = project(&[("indicators/stream.csv", "date\n2025-01-01\n")]);
    symlink("/proc/self/environ", dir.path().join("indicators/env.csv")).unwrap();
    let out = tocsin(dir.path())
        .args(["check", "--format", "json"])
        .env("TOCSIN_WEBHOOK", "http://u:hunter2@127.0.0.1:9/x")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(!stdout.contains("hunter2") && !stderr.contains("hunter2"));
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "E315");
    assert_eq!(d["file"], "indicators/env.csv");
    assert_eq!(
        d["message"],
        "leads to /proc/self/environ, a system file under /proc: tocsin reads only regular files"
    );

    // Named on the command line, and through a linked folder.
    let (code, _, err) = run(dir.path(), &["check", "--indicators", "indicators/env.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("error[E315]: indicators/env.csv: leads to /proc/self/environ"));
    std::fs::remove_file(dir.path().join("indicators/env.csv")).unwrap();
    symlink("/proc/self", dir.path().join("linked")).unwrap();
    let (code, _, err) = run(dir.path(), &["check", "--indicators", "linked/environ"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[E315]: linked/environ: leads to /proc/"),
        "{err}"
    );
    assert!(err.contains("a system file under /proc"), "{err}");
}

#[test]
fn regular_files_reached_through_links_are_read() {
    // As a Kubernetes ConfigMap mounts them: visible names lead through
    // `..data` to a hidden, dated folder.
    let dir = project(&[(
        "indicators/..2025_01/feed.csv",
        "date,value\n2025-01-01,3\n",
    )]);
    let data = dir.path().join("indicators");
    symlink("..2025_01", data.join("..data")).unwrap();
    symlink("..data/feed.csv", data.join("stream.csv")).unwrap();
    let elsewhere = TempDir::new().unwrap();
    write(&elsewhere.path().join("more.csv"), "date\n2025-01-02\n");
    symlink(elsewhere.path().join("more.csv"), data.join("more.csv")).unwrap();
    let (code, out, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 series from 2 data files"), "{out}");
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_pipe_is_refused_at_once_not_waited_on() {
    let dir = project(&[("indicators/stream.csv", "date\n2025-01-01\n")]);
    mkfifo(&dir.path().join("pipe.csv"));
    mkfifo(&dir.path().join("pipe.rules"));
    mkfifo(&dir.path().join("indicators/found.csv"));
    for (args, named) in [
        (&["check", "--indicators", "pipe.csv"][..], "pipe.csv"),
        (&["check", "--rules", "pipe.rules"][..], "pipe.rules"),
        (
            &["eval", "--at", "2025-03-01", "--indicators", "pipe.csv"][..],
            "pipe.csv",
        ),
        (&["check"][..], "indicators/found.csv"),
    ] {
        let started = Instant::now();
        let (code, _, err) = run(dir.path(), args);
        assert!(started.elapsed() < Duration::from_secs(5), "{args:?}");
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(&format!(
                "error[E315]: {named}: is a FIFO (named pipe): tocsin reads only regular files"
            )),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn fmt_refuses_a_pipe_in_the_rules_folder() {
    let dir = project(&[]);
    mkfifo(&dir.path().join("rules/pipe.rules"));
    let started = Instant::now();
    let (code, _, err) = run(dir.path(), &["fmt", "--check"]);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[E315]: rules/pipe.rules: is a FIFO (named pipe)"),
        "{err}"
    );
}

#[test]
fn a_folder_that_cannot_be_walked_is_reported_not_skipped() {
    // Root reads any folder, so a link in a loop stands for one that
    // cannot be listed: the walk meets an error either way.
    let dir = project(&[("indicators/stream.csv", "date\n2025-01-01\n")]);
    symlink("sub", dir.path().join("indicators/sub")).unwrap();
    symlink(
        "/nonexistent/feed.csv",
        dir.path().join("indicators/gone.csv"),
    )
    .unwrap();
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[E301]: indicators/sub: cannot be read: a link to sub, which cannot be opened: Too many levels of symbolic links"),
        "{err}"
    );
    assert!(
        err.contains(
            "error[E301]: indicators/gone.csv: cannot be read: a link to /nonexistent/feed.csv"
        ),
        "{err}"
    );
}

#[test]
fn the_daemon_reports_a_pipe_like_an_unreadable_file() {
    let dir = project(&[("indicators/stream.csv", "date\n2025-01-01\n")]);
    mkfifo(&dir.path().join("indicators/pipe.csv"));
    let mut d = Daemon::start_in(dir, &["--at", "2025-03-01"], &[]);
    let refused = d
        .startup
        .iter()
        .find(|e| e["event"] == "error")
        .cloned()
        .unwrap_or_else(|| d.expect(|e| e["event"] == "error").0);
    assert_eq!(refused["file"], "indicators/pipe.csv");
    assert_eq!(refused["code"], "E315");
}

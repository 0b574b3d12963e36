//! What every command prints, byte for byte, on the shipped example and on
//! each conformance case: `eval` (JSON, and the table without colour),
//! `explain` of every rule and instance (text and JSON), `backtest`, `report` and
//! `check --format json`, at pinned dates. The golden outputs are in
//! `tests/it/guard/`; an internal change (a new module layout, a new
//! function) must leave every one of them as it is.
//!
//! A report page is kept as its length and an FNV-1a hash: it is a large
//! file, and the other outputs already show any change of values. On a
//! mismatch the page is written under `target/guard/` for a diff.
//!
//! When an output is meant to change, `TOCSIN_GUARD_BLESS=1 cargo test
//! --test it guard::` rewrites the golden files; review their diff.

use crate::common::{root, tocsin};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The date the other commands' "today" is pinned to, where one is read.
const TODAY: &str = "2025-07-20";
/// The backtest range: from before any data to after the last.
const FROM: &str = "2020-01-01";
const TO: &str = "2026-11-27";

/// One run of tocsin in `dir`: the command line, exit code, and both
/// streams with their lengths, so that a missing final newline shows.
fn record(dir: &Path, args: &[&str]) -> String {
    let out = tocsin(dir)
        .env("TOCSIN_TODAY", TODAY)
        .args(args)
        .output()
        .unwrap();
    let mut text = format!(
        "$ tocsin {}\nexit {:?}\n",
        args.join(" "),
        out.status.code()
    );
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let _ = writeln!(text, "--- {name} ({} bytes)", bytes.len());
        text.push_str(&String::from_utf8_lossy(bytes));
        text.push('\n');
    }
    text
}

/// 64-bit FNV-1a: small, and the same on every platform and toolchain.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `report` in `dir` at `at`, as a length and a hash; the page itself is
/// kept under `target/guard/` for when the hash differs.
fn report(dir: &Path, at: &str, label: &str) -> String {
    let out = tocsin(dir)
        .env("TOCSIN_TODAY", TODAY)
        .args(["report", "--at", at, "-o", "-"])
        .output()
        .unwrap();
    let keep = root().join("target/guard").join(format!("{label}.html"));
    std::fs::create_dir_all(keep.parent().unwrap()).unwrap();
    std::fs::write(&keep, &out.stdout).unwrap();
    format!(
        "$ tocsin report --at {at} -o -\nexit {:?}\n--- stdout: {} bytes, fnv1a {:016x}\n--- stderr ({} bytes)\n{}\n",
        out.status.code(),
        out.stdout.len(),
        fnv1a(&out.stdout),
        out.stderr.len(),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The rules `eval` lists at `at`, in its order; none when it fails.
fn rule_names(dir: &Path, at: &str) -> Vec<String> {
    let out = tocsin(dir)
        .args(["eval", "--at", at, "--format", "json"])
        .output()
        .unwrap();
    let Ok(board) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
        return Vec::new();
    };
    board["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let name = r["name"].as_str()?;
            // An instance of a rule with `by:` is explained as one.
            let labels: Vec<String> = r["labels"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            Some(match labels.is_empty() {
                true => name.to_string(),
                false => format!("{name}{{{}}}", labels.join(", ")),
            })
        })
        .collect()
}

/// Every output for `dir` at `at`.
fn outputs(dir: &Path, at: &str, label: &str) -> String {
    let mut text = String::new();
    text.push_str(&record(dir, &["eval", "--at", at, "--format", "json"]));
    text.push_str(&record(dir, &["eval", "--at", at]));
    text.push_str(&record(dir, &["check", "--format", "json"]));
    text.push_str(&record(dir, &["backtest", "--from", FROM, "--to", TO]));
    text.push_str(&report(dir, at, label));
    let names = rule_names(dir, at);
    // Explaining is one process a rule: run them on a few threads.
    let explained: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = names
            .chunks(names.len().div_ceil(4).max(1))
            .map(|chunk| {
                s.spawn(move || {
                    let mut part = String::new();
                    for name in chunk {
                        part.push_str(&record(dir, &["explain", name, "--at", at]));
                        part.push_str(&record(
                            dir,
                            &["explain", name, "--at", at, "--format", "json"],
                        ));
                    }
                    part
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    text.push_str(&explained.concat());
    text
}

/// Compares `actual` with the golden file `name`, or writes it when
/// blessing.
fn guard(name: &str, actual: &str) {
    let path: PathBuf = root().join("tests/it/guard").join(format!("{name}.txt"));
    if std::env::var_os("TOCSIN_GUARD_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} ({e}); TOCSIN_GUARD_BLESS=1 writes it", path.display()));
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        let context = |t: &str| {
            t.lines()
                .skip(first.saturating_sub(3))
                .take(8)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "{name}: output changed at line {}\n--- golden\n{}\n--- now\n{}",
            first + 1,
            context(&expected),
            context(actual)
        );
    }
}

#[test]
fn the_example_on_the_scenario_date() {
    guard(
        "example-2025-07-20",
        &outputs(root(), "2025-07-20", "example-2025-07-20"),
    );
}

#[test]
fn the_example_on_a_later_date() {
    guard(
        "example-2026-03-01",
        &outputs(root(), "2026-03-01", "example-2026-03-01"),
    );
}

/// The `--at` dates of a conformance case's runs, in order, once each.
fn case_dates(dir: &Path) -> Vec<String> {
    let expect: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expect.json")).unwrap()).unwrap();
    let mut dates: Vec<String> = Vec::new();
    for run in expect["runs"].as_array().unwrap() {
        let args: Vec<&str> = run["args"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        if let Some(i) = args.iter().position(|a| *a == "--at") {
            let at = args[i + 1].to_string();
            if !dates.contains(&at) {
                dates.push(at);
            }
        }
    }
    dates
}

/// Each conformance case: its own runs exactly as `expect.json` gives
/// them, then every output at each of their dates (or at the pinned day
/// when none has a date).
fn conformance_case(case: &str) {
    let dir = root().join("tests/conformance").join(case);
    let expect: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expect.json")).unwrap()).unwrap();
    let mut text = String::new();
    for run in expect["runs"].as_array().unwrap() {
        let args: Vec<&str> = run["args"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        text.push_str(&record(&dir, &args));
    }
    let mut dates = case_dates(&dir);
    if dates.is_empty() {
        dates.push(TODAY.to_string());
    }
    for at in dates {
        text.push_str(&outputs(&dir, &at, &format!("{case}-{at}")));
    }
    guard(case, &text);
}

#[test]
fn conformance_c01_windows() {
    conformance_case("c01_windows");
}

#[test]
fn conformance_c02_events_resumed() {
    conformance_case("c02_events_resumed");
}

#[test]
fn conformance_c03_for_and_alerts() {
    conformance_case("c03_for_and_alerts");
}

#[test]
fn conformance_c04_unknown() {
    conformance_case("c04_unknown");
}

#[test]
fn conformance_c05_errors() {
    conformance_case("c05_errors");
}

#[test]
fn conformance_c06_ndjson_and_series_column() {
    conformance_case("c06_ndjson_and_series_column");
}

#[test]
fn conformance_c07_feed_stale() {
    conformance_case("c07_feed_stale");
}

#[test]
fn conformance_c08_monthly_buckets() {
    conformance_case("c08_monthly_buckets");
}

#[test]
fn conformance_c09_breakdown() {
    conformance_case("c09_breakdown");
}

#[test]
fn conformance_c10_statistics() {
    conformance_case("c10_statistics");
}

#[test]
fn conformance_c11_formats() {
    conformance_case("c11_formats");
}

/// Every case folder has its guard above.
#[test]
fn every_conformance_case_is_guarded() {
    let mut cases: Vec<String> = std::fs::read_dir(root().join("tests/conformance"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    let source = include_str!("guard.rs");
    let missing: Vec<&String> = cases
        .iter()
        .filter(|c| !source.contains(&format!("conformance_case(\"{c}\")")))
        .collect();
    assert!(missing.is_empty(), "no guard for {missing:?}");
}

//! `tocsin backtest` on a small case with flapping, a `for:` window and a
//! lead time, in every format.

use crate::common::tocsin;
use tempfile::TempDir;

fn project() -> TempDir {
    crate::common::project(&[
        // Weekly readings: high, low, high again (a flap), then high for good.
        (
            "indicators/level.csv",
            "date,value\n2025-01-01,9\n2025-01-08,1\n2025-01-15,9\n2025-01-22,2\n2025-02-05,9\n2025-02-12,9\n",
        ),
        // The event the warning was meant to anticipate.
        ("indicators/attack.csv", "date,place\n2025-02-20,port\n"),
        (
            "rules/a.rules",
            "indicator high { when: latest(level) > 5 }\nalert sustained { severity: critical when: latest(level) > 5 for: 10d }\nindicator never { when: latest(level) > 100 }\n",
        ),
    ])
}

fn run(dir: &TempDir, format: &str) -> String {
    let out = tocsin(dir.path())
        .args([
            "backtest",
            "--from",
            "2025-01-01",
            "--to",
            "2025-02-28",
            "--outcome",
            "attack",
            "--format",
            format,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn backtest_table() {
    let dir = project();
    insta::assert_snapshot!(run(&dir, "table"));
}

#[test]
fn backtest_csv() {
    let dir = project();
    insta::assert_snapshot!(run(&dir, "csv"));
}

#[test]
fn backtest_json_tells_flaps_and_lead_time() {
    let dir = project();
    let doc: serde_json::Value = serde_json::from_str(&run(&dir, "json")).unwrap();
    assert_eq!(doc["steps"], 59);
    assert_eq!(doc["outcome"]["series"], "attack");
    assert_eq!(doc["outcome"]["first"], "2025-02-20");
    let high = &doc["rules"][0];
    assert_eq!(high["name"], "high");
    // met 01-01..07, not 01-08..14, met 01-15..21, not 01-22..02-04, met 02-05..
    assert_eq!(high["flaps"], 2);
    assert_eq!(high["first_met"], "2025-01-01");
    assert_eq!(high["lead_days"], 50);
    assert_eq!(high["met_steps"], 7 + 7 + 24);
    let sustained = &doc["rules"][1];
    // for: 10d: pending 02-05..02-13 (9 days), met from 02-14.
    assert_eq!(sustained["first_met"], "2025-02-14");
    assert_eq!(sustained["pending_steps"], 7 + 7 + 9);
    assert_eq!(sustained["lead_days"], 6);
    assert_eq!(doc["rules"][2]["first_met"], serde_json::Value::Null);
    assert_eq!(doc["rules"][2]["lead_days"], serde_json::Value::Null);
}

#[test]
fn bad_ranges_and_outcomes_exit_2() {
    let dir = project();
    tocsin(dir.path())
        .args(["backtest", "--from", "2025-03-01", "--to", "2025-02-01"])
        .assert()
        .code(2);
    let outcome_refused = |outcome: &str, why: &str| {
        tocsin(dir.path())
            .args(["backtest", "--from", "2025-01-01", "--to", "2025-02-01"])
            .args(["--outcome", outcome])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(why));
    };
    outcome_refused("atack", "did you mean `attack`?");
    // A rule is what is tested, not what happened.
    outcome_refused("high", "an indicator or alert, not a series");
    tocsin(dir.path())
        .args(["backtest", "--from", "2025-01-01", "--step", "3h"])
        .assert()
        .code(2);
}

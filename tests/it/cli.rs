//! The command line: exit codes, where errors point, and what reaches
//! stdout. Each test builds a small project in a temporary folder.

use crate::common::{project, root, tocsin};
use predicates::prelude::*;

const GAUGE: (&str, &str) = (
    "indicators/gauge.csv",
    "date,value\n2025-01-10,3\n2025-02-10,7\n",
);

/// Runs `check` and `eval` and asserts both exit 2 with `needles` on stderr
/// and nothing on stdout.
fn rejects(files: &[(&str, &str)], needles: &[&str]) {
    let dir = project(files);
    for args in [
        &["check"][..],
        &["eval", "--at", "2025-03-01", "--format", "json"][..],
    ] {
        let assert = tocsin(dir.path()).args(args).assert().code(2).stdout("");
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        for n in needles {
            assert!(
                stderr.contains(n),
                "{args:?}: stderr lacks {n:?}:\n{stderr}"
            );
        }
    }
}

#[test]
fn check_summarises_a_clean_project() {
    let dir = project(&[
        GAUGE,
        (
            "rules/a.rules",
            "indicator up { when: latest(gauge) > 5 }\nlet x = 1",
        ),
    ]);
    tocsin(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "ok: 1 rule file, 2 items, 1 series from 1 data file",
        ));
}

#[test]
fn syntax_errors_point_at_the_spot_and_every_item_is_reported() {
    rejects(
        &[GAUGE, ("rules/bad.rules", "indicator a {\n  when: latest(gauge) >\n}\nindicator b { when: latest(gauge) > 1 fro: 3d }\n")],
        &["rules/bad.rules:3:1", "expected an expression", "rules/bad.rules:4:39", "unknown field `fro`", "did you mean `for`?"],
    );
}

#[test]
fn unknown_names_suggest_the_near_one() {
    rejects(
        &[
            GAUGE,
            (
                "rules/x.rules",
                "indicator x {\n  when: latest(guage) > 1\n}\n",
            ),
        ],
        &["rules/x.rules:2:16", "did you mean `gauge`?"],
    );
}

#[test]
fn duplicates_cycles_and_types() {
    rejects(
        &[
            GAUGE,
            ("rules/a.rules", "let a = 1\n"),
            ("rules/b.rules", "let a = 2\n"),
        ],
        &[
            "rules/b.rules:1:5",
            "first defined here",
            "rules/a.rules:1:5",
        ],
    );
    rejects(
        &[
            GAUGE,
            (
                "rules/a.rules",
                "indicator p { when: q }\nindicator q { when: p }\n",
            ),
        ],
        &["rules/a.rules:1:11", "`p` → `q` → `p`"],
    );
    rejects(
        &[
            GAUGE,
            ("rules/a.rules", "indicator p {\n  when: latest(gauge)\n}\n"),
        ],
        &["rules/a.rules:2:9", "E202"],
    );
    rejects(
        &[GAUGE, ("rules/a.rules", "let d = 2027-01-01 > 3\n")],
        &["rules/a.rules:1:9", "cannot compare date with number"],
    );
    rejects(
        &[GAUGE, ("rules/a.rules", "let d = sum(gauge, 3d, 4d)\n")],
        &["rules/a.rules:1:9", "sum takes 2 arguments, found 3"],
    );
    rejects(
        &[GAUGE, ("rules/a.rules", "let d = 2025-02-30\n")],
        &["rules/a.rules:1:9", "not a valid date"],
    );
}

#[test]
fn data_errors_name_file_and_line() {
    rejects(
        &[(
            "indicators/adiz.csv",
            "date,value\n2025-01-01,1\n2025-13-01,2\n",
        )],
        &["indicators/adiz.csv:3:", "2025-13-01"],
    );
    rejects(
        &[("indicators/adiz.csv", "date,value\n13/02/2024,1\n")],
        &["indicators/adiz.csv:2:", "E304"],
    );
    rejects(
        &[("indicators/adiz.csv", "date,value\n2025-01-01,NaN\n")],
        &["indicators/adiz.csv:2:", "E305"],
    );
    rejects(
        &[("indicators/adiz.csv", "date,value\n2025-01-01,\n")],
        &["indicators/adiz.csv:2:", "E305"],
    );
    rejects(
        &[("indicators/adiz.csv", "date,value\n2025-01-01,1,9\n")],
        &["indicators/adiz.csv:2:", "E306"],
    );
    rejects(
        &[("indicators/m.csv", "series,date,value\n,2025-01-01,1\n")],
        &["indicators/m.csv:2:", "E307"],
    );
    rejects(
        &[("indicators/adiz.csv", "day,value\n2025-01-01,1\n")],
        &["indicators/adiz.csv:1:", "E302"],
    );
    rejects(
        &[(
            "indicators/g.json",
            "{\"observations\": [{\"date\": \"2025-01-01\", \"value\": \"x\"}]}",
        )],
        &["indicators/g.json:1:", "E305"],
    );
    rejects(
        &[("indicators/g.json", "{\"observations\": [\n")],
        &["indicators/g.json:", "E308"],
    );
    rejects(
        &[(
            "indicators/f.ndjson",
            "{\"date\": \"2025-01-01\"}\n{\"date\": \"2025-01-02\", \"value\": 1\n",
        )],
        &["indicators/f.ndjson:2:", "E308"],
    );
}

#[test]
fn invalid_utf8_names_the_byte() {
    let dir = project(&[("rules/a.rules", "let a = 1\n")]);
    std::fs::create_dir_all(dir.path().join("indicators")).unwrap();
    std::fs::write(
        dir.path().join("indicators/bad.csv"),
        b"date,value\n2025-01-01,1\xff\n",
    )
    .unwrap();
    tocsin(dir.path()).arg("check").assert().code(2).stderr(
        predicate::str::contains("indicators/bad.csv").and(predicate::str::contains("offset 23")),
    );
}

#[test]
fn explicit_paths_must_exist_but_defaults_may_not() {
    let dir = project(&[("rules/a.rules", "indicator t { when: now > 2020-01-01 }\n")]);
    tocsin(dir.path())
        .args(["eval", "--at", "2025-01-01"])
        .assert()
        .code(0);
    tocsin(dir.path())
        .args(["check", "--indicators", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--indicators nope"));
    tocsin(dir.path())
        .args(["eval", "--rules", "missing.rules"])
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn bad_arguments_exit_2() {
    let dir = project(&[]);
    tocsin(dir.path())
        .args(["eval", "--at", "2025-13-01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("YYYY-MM-DD"));
    tocsin(dir.path())
        .args(["eval", "--fail-on", "severe"])
        .assert()
        .code(2);
    tocsin(dir.path())
        .args(["eval", "--format", "xml"])
        .assert()
        .code(2);
    tocsin(dir.path()).arg("frobnicate").assert().code(2);
}

#[test]
fn fail_on_compares_severities() {
    let dir = project(&[GAUGE, ("rules/a.rules", "alert hot { severity: watch when: latest(gauge) > 5 }\nalert cold { severity: critical when: latest(gauge) < 0 }")]);
    let at = ["eval", "--at", "2025-03-01"];
    tocsin(dir.path())
        .args(at)
        .args(["--fail-on", "info"])
        .assert()
        .code(1);
    tocsin(dir.path())
        .args(at)
        .args(["--fail-on", "watch"])
        .assert()
        .code(1);
    tocsin(dir.path())
        .args(at)
        .args(["--fail-on", "warning"])
        .assert()
        .code(0);
    tocsin(dir.path()).args(at).assert().code(0);
    // Before the data shows it, nothing is met.
    tocsin(dir.path())
        .args(["eval", "--at", "2025-01-31", "--fail-on", "info"])
        .assert()
        .code(0);
}

#[test]
fn json_board_has_the_spec_keys_in_file_order() {
    let dir = project(&[
        GAUGE,
        (
            "rules/b.rules",
            "alert second { severity: critical when: latest(gauge) > 5 }",
        ),
        (
            "rules/a.rules",
            "# first\nindicator first {\n  title: \"Gauge up\"\n  when: latest(gauge) > 5\n}",
        ),
    ]);
    let out = tocsin(dir.path())
        .args(["eval", "--at", "2025-03-01", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["at"], "2025-03-01");
    let r = &doc["results"];
    assert_eq!(r[0]["name"], "first");
    assert_eq!(r[0]["kind"], "indicator");
    assert_eq!(r[0]["status"], "met");
    assert_eq!(r[0]["severity"], serde_json::Value::Null);
    assert_eq!(r[0]["title"], "Gauge up");
    assert_eq!(r[0]["file"], "rules/a.rules");
    assert_eq!(r[0]["line"], 2);
    assert_eq!(r[1]["severity"], "critical");
    assert_eq!(r[1]["values"][0]["expr"], "latest(gauge)");
    assert_eq!(r[1]["values"][0]["value"], 7.0);
}

#[test]
fn table_puts_alerts_and_what_fires_first() {
    let dir = project(&[GAUGE, ("rules/a.rules", "indicator calm { when: latest(gauge) < 0 }\nindicator up { when: latest(gauge) > 5 }\nalert hot { when: up summary: \"gauge at {latest(gauge)}\" }")]);
    let out = tocsin(dir.path())
        .args(["eval", "--at", "2025-03-01"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour when piped");
    let hot = text.find("hot").unwrap();
    let up = text.find("● met").unwrap();
    let calm = text.find("calm").unwrap();
    assert!(
        text.find("ALERTS").unwrap() < hot && hot < text.find("INDICATORS").unwrap(),
        "{text}"
    );
    assert!(up < calm, "{text}");
    assert!(text.contains("gauge at 7"), "{text}");
    assert!(text.contains("latest(gauge) = 7"), "{text}");
}

#[test]
fn markdown_is_a_table() {
    let dir = project(&[
        GAUGE,
        ("rules/a.rules", "alert hot { when: latest(gauge) > 5 }"),
    ]);
    tocsin(dir.path())
        .args(["eval", "--at", "2025-03-01", "--format", "markdown"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("| Status | Severity |").and(predicate::str::contains(
                "| 🔴 **met** | warning | alert | `hot` |",
            )),
        );
}

#[test]
fn warnings_do_not_fail_check() {
    let dir = project(&[
        (
            "indicators/acled.csv",
            "event_date,actor1\n2025-01-01,Houthi\n,\n",
        ),
        (
            "rules/a.rules",
            "indicator a { when: count(acled[actr1 ~ \"houthi\"], 30d) > 0 }",
        ),
    ]);
    tocsin(dir.path()).arg("check").assert().code(0).stderr(
        predicate::str::contains("W001")
            .and(predicate::str::contains("did you mean `actor1`?"))
            .and(predicate::str::contains("W003")),
    );
}

#[test]
fn ignored_and_hidden_files_are_skipped() {
    let dir = project(&[
        GAUGE,
        ("indicators/.hidden/x.csv", "broken"),
        ("indicators/gauge.csv~", "broken"),
        ("indicators/notes.md", "broken"),
        ("indicators/part.csv.part", "broken"),
        ("rules/a.rules", "indicator a { when: latest(gauge) > 1 }"),
        ("rules/.#a.rules", "broken"),
    ]);
    tocsin(dir.path()).arg("check").assert().code(0);
}

#[test]
fn deep_chains_are_refused_or_evaluated_never_crash() {
    // 1,000 indicators, each reading the next, each with a `for:` window.
    let mut rules = String::from("indicator r999 { when: true for: 3d }\n");
    for i in 0..999 {
        rules.push_str(&format!("indicator r{i} {{ when: r{} for: 2d }}\n", i + 1));
    }
    let dir = project(&[("rules/c.rules", &rules)]);
    let out = tocsin(dir.path())
        .args(["eval", "--at", "2025-01-01", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 20,000 lets, each reading the next: a clear error, not a stack overflow.
    let mut rules = String::from("let l19999 = 1\n");
    for i in 0..19_999 {
        rules.push_str(&format!("let l{i} = l{} + 1\n", i + 1));
    }
    let dir = project(&[("rules/c.rules", &rules)]);
    tocsin(dir.path()).arg("check").assert().code(2).stderr(
        predicate::str::contains("E208").and(predicate::str::contains("20000 levels deep")),
    );
    // Parentheses 150 deep.
    let dir = project(&[(
        "rules/c.rules",
        &format!("let x = {}1{}\n", "(".repeat(150), ")".repeat(150)),
    )]);
    tocsin(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nested more than 50 levels deep"));
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let dir = project(&[
        GAUGE,
        ("rules/a.rules", "indicator up { when: latest(gauge) > 5 }"),
    ]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tocsin"))
        .args(["eval", "--at", "2025-03-01", "--format", "json"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn absurd_literals_get_clear_errors() {
    rejects(
        &[
            GAUGE,
            ("rules/a.rules", "indicator a { when: now < 99999-01-01 }\n"),
        ],
        &[
            "E004",
            "rules/a.rules:1:27",
            "`99999-01-01` is not a valid date: the year has more than four digits",
        ],
    );
    rejects(
        &[
            GAUGE,
            (
                "rules/a.rules",
                "indicator a { when: sum(gauge, 99999999y) > 1 }\n",
            ),
        ],
        &[
            "E005",
            "rules/a.rules:1:32",
            "`99999999y` is too long a duration: at most 10000y",
        ],
    );
    rejects(
        &[
            GAUGE,
            (
                "rules/a.rules",
                "indicator a { when: latest(gauge) > 1e400 }\n",
            ),
        ],
        &[
            "E006",
            "rules/a.rules:1:37",
            "numbers are written without exponents",
        ],
    );
    // The longest durations allowed evaluate (to the whole history).
    let dir = project(&[
        GAUGE,
        (
            "rules/a.rules",
            "indicator a { when: count(gauge, 10000y) == 2 and count(gauge, 3652500d) == 2 }\n",
        ),
    ]);
    tocsin(dir.path())
        .args(["eval", "--at", "2025-03-01"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 met"));
}

#[test]
fn files_lines_and_items_over_the_limits_are_refused() {
    let long = format!(
        "indicator a {{ when: latest(gauge) > 1 {} }}\n",
        " ".repeat(70_000)
    );
    rejects(
        &[GAUGE, ("rules/a.rules", &long)],
        &[
            "E311",
            "rules/a.rules:1:65537",
            "rule file lines are limited to 65536",
        ],
    );
    let many: String = (0..100_001).map(|i| format!("let x{i} = 1\n")).collect();
    rejects(
        &[GAUGE, ("rules/a.rules", &many)],
        &[
            "E311",
            "rules/a.rules:100001:1",
            "more than 100000 items in one rule file",
        ],
    );
    let big = format!("# {}\n", "x".repeat(17 << 20));
    rejects(
        &[GAUGE, ("rules/a.rules", &big)],
        &[
            "E311",
            "rules/a.rules",
            "rule and test files are limited to 16 MiB",
        ],
    );
}

#[test]
fn a_pinned_date_that_is_not_one_is_refused() {
    for bad in ["2025-7-20", "yesterday"] {
        tocsin(root())
            .args(["eval"])
            .env("TOCSIN_TODAY", bad)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "error: TOCSIN_TODAY=\"{bad}\" is not a date; write YYYY-MM-DD"
            )));
    }
    // Blank, as a CI variable left empty: the clock's date.
    tocsin(root())
        .args(["check"])
        .env("TOCSIN_TODAY", " ")
        .assert()
        .success();
}

#[test]
fn fmt_and_test_take_the_inputs_every_command_takes() {
    tocsin(root())
        .args([
            "fmt",
            "--check",
            "--rules",
            "rules",
            "--indicators",
            "indicators",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: --indicators is not read by fmt",
        ));
    tocsin(root())
        .args(["test", "--rules", "rules", "--indicators", "indicators"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: --indicators is not read by test",
        ));
}

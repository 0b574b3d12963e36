//! Hostile rule files against the language's limits: long operator chains,
//! deep nesting and long `for:` windows get a clear error (or an answer)
//! from every command, never a stack overflow or a hang.

use crate::common::{project, tocsin};
use predicates::prelude::*;
use tocsin::workspace::{load, Contents, SourceFile};

const GAUGE: (&str, &str) = (
    "indicators/gauge.csv",
    "date,value\n2025-01-10,3\n2025-02-10,7\n",
);

/// A test file for `tocsin test` that reads the project's rules.
const TEST_FILE: (&str, &str) = (
    "rules/t.test",
    "data gauge {\n  every 1mo from 2025-01-10: 3 x 3\n}\n\ntest \"t\" {\n  at 2025-03-01 { big met }\n}\n",
);

/// Every command that reads rules, with the arguments it needs.
const COMMANDS: &[&[&str]] = &[
    &["check"],
    &["eval", "--at", "2025-03-01", "--format", "json"],
    &["explain", "big", "--at", "2025-03-01"],
    &["report", "--at", "2025-03-01", "--output", "board.html"],
    &["backtest", "--from", "2025-01-01", "--to", "2025-03-01"],
    &["test"],
    &["fmt", "--check"],
    &["fmt"],
];

/// `when:` of `1 +` 300,000 times over lines (1.2 MB).
fn sum_chain(n: usize) -> String {
    format!("indicator big {{\n  when: {}1 > 0\n}}\n", "1 +\n".repeat(n))
}

/// Runs every command on `files` and asserts a clear error, exit 2, with
/// each of `needles` on stderr; then the daemon, which reports it as an
/// error event and keeps running.
fn every_command_refuses(files: &[(&str, &str)], needles: &[&str]) {
    let dir = project(files);
    for args in COMMANDS {
        let out = tocsin(dir.path()).args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "{args:?}: no {needle:?} in {stderr}"
            );
        }
        assert!(!stderr.contains("overflow"), "{args:?}: {stderr}");
    }
    let dir_files: Vec<(String, String)> = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    let borrowed: Vec<(&str, &str)> = dir_files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let mut d = crate::common::Daemon::start(&borrowed, &[], &[]);
    let error = d
        .startup
        .iter()
        .find(|e| e["event"] == "error")
        .unwrap_or_else(|| panic!("no error event: {:?}", d.startup))
        .clone();
    let shown = error.to_string();
    for needle in needles {
        let code_or_text = needle.split(':').next().unwrap();
        assert!(shown.contains(code_or_text), "no {needle:?} in {shown}");
    }
    assert!(d.child.try_wait().unwrap().is_none(), "the daemon died");
    d.stop();
}

#[test]
fn a_long_sum_chain_is_refused_by_every_command() {
    // The 257th `+` (line 258, column 3) is one level too many.
    every_command_refuses(
        &[GAUGE, TEST_FILE, ("rules/a.rules", &sum_chain(300_000))],
        &[
            "E016",
            "expression more than 256 levels deep",
            "rules/a.rules:258:3",
            "split the expression with `let` items",
        ],
    );
}

#[test]
fn a_long_and_chain_is_refused_by_every_command() {
    // `latest(gauge) > 1` is two levels; each `and` adds one.
    let rules = format!(
        "indicator big {{\n  when: {}true\n}}\n",
        "latest(gauge) > 1 and\n".repeat(400)
    );
    every_command_refuses(
        &[GAUGE, TEST_FILE, ("rules/a.rules", &rules)],
        &["E016", "rules/a.rules:256:19"],
    );
}

#[test]
fn a_long_chain_in_a_summary_template_is_refused() {
    let rules = format!(
        "indicator big {{\n  when: latest(gauge) > 1\n  summary: \"total {{{}0}}\"\n}}\n",
        "latest(gauge) + ".repeat(300)
    );
    every_command_refuses(
        &[GAUGE, TEST_FILE, ("rules/a.rules", &rules)],
        &["E016", "rules/a.rules:3:"],
    );
}

#[test]
fn a_string_of_minus_signs_is_refused() {
    let rules = format!(
        "indicator big {{\n  when: {}latest(gauge) < 1\n}}\n",
        "- ".repeat(300)
    );
    every_command_refuses(
        &[GAUGE, TEST_FILE, ("rules/a.rules", &rules)],
        &["E001", "nested more than 50 levels deep"],
    );
}

/// Rules at every expression limit: chains 256 levels deep, nesting 50
/// levels deep (the outermost expression and a call's argument count).
fn rules_at_the_limits() -> String {
    let chain = |term: &str, op: &str, n: usize| vec![term; n].join(op);
    format!(
        "indicator big {{\n  when: {} > 0\n  summary: \"sum {{{}}}\"\n}}\n\
         indicator all {{ when: {} }}\n\
         indicator any {{ when: {} }}\n\
         indicator brackets {{ when: {}latest(gauge) > 1{} }}\n\
         indicator negated {{ when: {}latest(gauge) > 1 }}\n\
         indicator nots {{ when: {}latest(gauge) > 1 }}\n",
        // A call is one level, each `+` one more, the comparison the last.
        chain("latest(gauge)", " + ", 255),
        chain("latest(gauge)", " + ", 256),
        chain("latest(gauge) > 1", " and ", 255),
        chain("latest(gauge) > 9", " or ", 254) + " or true",
        "(".repeat(48),
        ")".repeat(48),
        "- ".repeat(48),
        "not not ".repeat(24),
    )
}

#[test]
fn expressions_at_the_limits_work_in_every_command() {
    let dir = project(&[GAUGE, TEST_FILE, ("rules/a.rules", &rules_at_the_limits())]);
    for args in COMMANDS {
        let out = tocsin(dir.path()).args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // `fmt --check` may find the layout to change: exit 1.
        assert!(
            out.status.code() == Some(0) || (args[0] == "fmt" && out.status.code() == Some(1)),
            "{args:?}: {stderr}"
        );
    }
    // What `fmt` wrote still checks, and says the same.
    tocsin(dir.path())
        .args(["eval", "--at", "2025-03-01", "--format", "json"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("\"status\":\"met\"")
                .or(predicate::str::contains("\"status\": \"met\"")),
        );
}

/// Every pass of the library (parse, check, evaluate, explain, backtest,
/// report, format) on rules at the limits, on a thread with a 2 MiB stack
/// (the default for threads): the limits leave room for each pass in a
/// debug build.
#[test]
fn every_pass_fits_a_small_stack_at_the_limits() {
    let rules = rules_at_the_limits();
    let outcome = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let file = |name: &str, text: &str| SourceFile {
                name: name.into(),
                contents: Contents::from_bytes(text.as_bytes().to_vec()),
            };
            let ws = load(&[file("rules/a.rules", &rules)], &[file(GAUGE.0, GAUGE.1)]);
            let model = ws
                .model
                .as_ref()
                .unwrap_or_else(|| panic!("{:?}", ws.diagnostics));
            let at = tocsin::time::Date::parse_iso("2025-03-01").unwrap();
            let from = tocsin::time::Date::parse_iso("2025-01-01").unwrap();
            let results = tocsin::eval::evaluate(model, at);
            assert!(
                results
                    .iter()
                    .all(|r| r.status == tocsin::eval::Status::Met),
                "{results:?}"
            );
            let mut ev = tocsin::eval::Evaluator::new(model);
            for r in 0..model.program.rules.len() {
                let ex = tocsin::eval::explain::explain(&mut ev, &ws.store, r, at);
                assert!(!format!("{ex:?}").is_empty());
            }
            let day = tocsin::time::Duration::Days(1);
            let days = tocsin::eval::backtest::steps(from, at, day);
            let history = tocsin::eval::backtest::run(model, &days, day, None, |_| {});
            let page = tocsin::report::render(&tocsin::report::Report {
                at,
                from,
                model,
                store: &ws.store,
                results: &results,
                backtest: &history,
                sources: &ws.sources,
            });
            assert!(page.contains("brackets"));
            let formatted = tocsin::lang::format::format_source(tocsin::diag::FileId(0), &rules)
                .unwrap_or_else(|e| panic!("{e:?}"));
            assert!(formatted.contains("indicator nots"));
        })
        .unwrap()
        .join();
    assert!(outcome.is_ok(), "a pass failed or overflowed a 2 MiB stack");
}

#[test]
fn a_for_window_over_ten_years_is_refused() {
    let rules = "indicator long {\n  when: latest(gauge) > 1\n  for: 10000y\n}\n\
                 indicator weeks { when: true for: 522w }\n\
                 indicator longest { when: true for: 10y }\n\
                 indicator days { when: true for: 3652d }\n";
    let dir = project(&[GAUGE, ("rules/a.rules", rules)]);
    for args in &COMMANDS[..5] {
        tocsin(dir.path()).args(*args).assert().code(2).stderr(
            predicate::str::contains("error[E209]: `for: 10000y` is longer than the limit of 10y")
                .and(predicate::str::contains("rules/a.rules:3:8"))
                .and(predicate::str::contains("error[E209]: `for: 3654d`"))
                .and(predicate::str::contains("rules/a.rules:5:"))
                .and(predicate::str::contains("shorten the window to 10y"))
                .and(predicate::str::contains("longest").not())
                .and(predicate::str::contains("3652d`").not()),
        );
    }
}

#[test]
fn a_ten_year_for_window_is_answered_by_report_and_backtest() {
    // `when` true every day for thirty years: each status looks back over
    // the whole ten-year window.
    let mut csv = String::from("date,value\n");
    for year in 1995..=2025 {
        csv.push_str(&format!("{year}-01-01,5\n"));
    }
    let rules = "indicator decade { when: latest(gauge) > 1 for: 10y }\n";
    let dir = project(&[("indicators/gauge.csv", &csv), ("rules/a.rules", rules)]);
    tocsin(dir.path())
        .args([
            "report",
            "--at",
            "2025-06-01",
            "--from",
            "2000-01-01",
            "--output",
            "board.html",
        ])
        .assert()
        .success();
    let page = std::fs::read_to_string(dir.path().join("board.html")).unwrap();
    assert!(page.contains("decade"));
    // Met from the day ten years after the first observation (the window
    // `(t - 10y, t)` holds only true days), pending before.
    tocsin(dir.path())
        .args([
            "backtest",
            "--from",
            "1995-01-01",
            "--to",
            "2025-06-01",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("\"first_met\":\"2004-12-31\"")
                .or(predicate::str::contains("\"first_met\": \"2004-12-31\"")),
        );
}

/// `defs` lets, each reading the next at the bottom of a chain of `+`
/// 250 levels tall, and an indicator reading the first.
fn tall_definitions(defs: usize) -> String {
    let mut rules = format!("let l{defs} = latest(gauge)\n");
    for i in 0..defs {
        rules.push_str(&format!("let l{i} = l{}{}\n", i + 1, " + 1".repeat(250)));
    }
    rules.push_str("indicator big { when: l0 > 0 }\n");
    rules
}

#[test]
fn definitions_nesting_tall_expressions_are_refused() {
    // 990 lets of 251 levels each: once a stack overflow in a debug build,
    // even with the command's 256 MiB stack.
    let dir = project(&[GAUGE, ("rules/a.rules", &tall_definitions(990))]);
    for args in [COMMANDS[0], COMMANDS[1], COMMANDS[3]] {
        tocsin(dir.path()).args(args).assert().code(2).stderr(
            predicate::str::contains(
                "error[E208]: definitions and their expressions nest 248494 levels deep (the limit is 20000): `big` → `l0` → … → `l989` → `l990`",
            )
            .and(predicate::str::contains("rules/a.rules:992:11")),
        );
    }
    // 79 of them, 19,832 levels, are evaluated.
    let dir = project(&[GAUGE, ("rules/a.rules", &tall_definitions(79))]);
    tocsin(dir.path())
        .args(["eval", "--at", "2025-03-01", "--format", "json"])
        .assert()
        .success();
}

#[test]
fn explain_of_tall_definitions_is_cut_not_quadratic() {
    // 79 lets of 251 levels: the whole tree, indented level by level, was
    // 600 MB of text.
    let dir = project(&[GAUGE, ("rules/a.rules", &tall_definitions(79))]);
    let out = tocsin(dir.path())
        .args(["explain", "big", "--at", "2025-03-01"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.len() < 1 << 20, "{} bytes", out.stdout.len());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("(not expanded: an explanation stops at 300 levels or 5000 parts)"),
        "{}",
        &text[..2000]
    );
    let out = tocsin(dir.path())
        .args(["explain", "big", "--at", "2025-03-01", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"not_expanded\": true"));
}

#[test]
fn a_long_chain_in_a_test_file_is_refused() {
    let test = format!(
        "data gauge {{\n  every 1mo from 2025-01-01: 3 x 3\n}}\ntest \"t\" {{\n  at 2025-03-01 {{\n    value {} == 3\n  }}\n}}\n",
        vec!["latest(gauge)"; 300].join(" + ")
    );
    let dir = project(&[
        (
            "rules/a.rules",
            "indicator big { when: latest(gauge) > 1 }\n",
        ),
        ("rules/a.test", &test),
    ]);
    for args in [&["test"][..], &["fmt", "--check"][..]] {
        tocsin(dir.path()).args(args).assert().code(2).stderr(
            predicate::str::contains("error[E016]: expression more than 256 levels deep")
                .and(predicate::str::contains("rules/a.test:6:4105")),
        );
    }
}

/// A byte-order mark before a rule or test file (Notepad writes one) is no
/// part of its text: the file checks, and columns on its first line are
/// those an editor shows.
#[test]
fn a_byte_order_mark_before_rules_and_tests_is_skipped() {
    let dir = project(&[
        ("indicators/gauge.csv", "date,value\n2025-01-01,5\n"),
        (
            "rules/a.rules",
            "\u{feff}indicator high { when: latest(gauge) > 4 }\n",
        ),
        (
            "rules/tests/a.test",
            "\u{feff}test \"high\" {\n  data gauge { 2025-01-01: 5 }\n  at 2025-01-02 { high met }\n}\n",
        ),
    ]);
    tocsin(dir.path()).arg("check").assert().success();
    tocsin(dir.path()).arg("test").assert().success();
    std::fs::write(
        dir.path().join("rules/a.rules"),
        "\u{feff}indicator high { when: latest(guage) > 4 }\n",
    )
    .unwrap();
    tocsin(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rules/a.rules:1:31"));
}

/// A block left open is named as such where the next item starts, and the
/// errors after it carry no note blaming the rule file as data.
#[test]
fn a_block_left_open_is_named_where_the_next_item_starts() {
    let dir = project(&[
        ("indicators/gauge.csv", "date,value\n2025-01-01,5\n"),
        (
            "rules/x.rules",
            "indicator high {\n  when: latest(gauge) > 4\n\nindicator low {\n  when: latest(guage) < 2\n}\n",
        ),
    ]);
    tocsin(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected `}` before `indicator`"))
        .stderr(predicate::str::contains("rules/x.rules:4:1"))
        .stderr(predicate::str::contains(
            "`indicator high` (line 1) is not closed",
        ))
        .stderr(predicate::str::contains("did you mean `gauge`?"))
        .stderr(predicate::str::contains("could not be loaded").not());
}

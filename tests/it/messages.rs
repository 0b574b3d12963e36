//! Messages that once misled a reader of real exports, as a person sees
//! them now: each is a golden text.

use crate::common::{project, tocsin, write, Daemon};
use tocsin::diag::render;
use tocsin::workspace::{load, Contents, SourceFile};

fn file(name: &str, text: &str) -> SourceFile {
    SourceFile {
        name: name.to_string(),
        contents: Contents::Text(text.to_string()),
    }
}

/// A few ACLED-style events, spelled as ACLED spells them.
const ACLED: &str = "\
EVENT_DATE,SUB_EVENT_TYPE,ACTOR1,FATALITIES
2024-01-10,Air/drone strike,Military Forces of Yemen (2017-) Houthi,0
2024-01-12,Shelling/artillery/missile attack,Military Forces of Yemen (2017-) Houthi,2
2024-01-15,Air/drone strike,Military Forces of the United States (2021-2025),1
2024-01-20,Change to group/activity,Military Forces of Yemen (2017-) Houthi,0
";

/// The diagnostics of one rule file checked against `acled.csv`.
fn diagnose(rules: &str, data: &str) -> String {
    let ws = load(
        &[file("rules/t.rules", rules)],
        &[file("indicators/acled.csv", data)],
    );
    render::to_plain_string(&ws.diagnostics, &ws.sources)
}

#[test]
fn ordering_comparison_with_a_quoted_number() {
    insta::assert_snapshot!(diagnose(
        "indicator deadly { when: count(acled[fatalities >= \"1\"], 30d) > 0 }\n",
        ACLED
    ));
}

#[test]
fn ordering_comparison_with_text() {
    insta::assert_snapshot!(diagnose(
        "indicator deadly { when: count(acled[actor1 > \"Houthi\"], 30d) > 0 }\n",
        ACLED
    ));
}

/// `explain` of a rule with `for:` states its actual status and why, at
/// one date of each status: before the data (unknown), while `when` is
/// false (not met), true but not for the whole window (pending) and true
/// throughout it (met).
#[test]
fn explain_for_window_states_each_status() {
    let dir = project(&[
        (
            "rules/r.rules",
            "indicator high {\n  when: latest(gauge) > 5\n  for: 3d\n}\n",
        ),
        (
            "indicators/gauge.csv",
            "date,value\n2025-01-01,3\n2025-01-05,7\n",
        ),
    ]);
    let mut shown = String::new();
    for at in ["2024-12-31", "2025-01-02", "2025-01-06", "2025-01-08"] {
        let out = tocsin(dir.path())
            .args(["explain", "high", "--at", at])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        shown.push_str(&text.lines().take(2).collect::<Vec<_>>().join("\n"));
        shown.push_str("\n\n");
    }
    insta::assert_snapshot!(shown);
}

/// `backtest --outcome` takes a `series` item of the rules (a filter of a
/// data series) as well as a data series; a name that is neither says so
/// and offers the near one.
#[test]
fn backtest_outcome_may_be_a_derived_series() {
    let dir = project(&[
        ("indicators/acled.csv", ACLED),
        (
            "rules/r.rules",
            "series strikes = acled[sub_event_type == \"Air/drone strike\"]\n\
             series shelling = acled[sub_event_type ~ \"shelling\"]\n\
             indicator busy { when: count(acled, 7d) >= 2 }\n",
        ),
    ]);
    let backtest = |outcome: &str| {
        tocsin(dir.path())
            .args(["backtest", "--from", "2024-01-11", "--to", "2024-01-31"])
            .args(["--outcome", outcome])
            .output()
            .unwrap()
    };
    let out = backtest("shelling");
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    // The first strike, 2024-01-10, is before the range: the one in it is
    // 2024-01-15.
    let strikes = String::from_utf8(backtest("strikes").stdout).unwrap();
    assert!(strikes.starts_with(
        "backtest 2024-01-11..2024-01-31 by 1d (21 steps); outcome `strikes` first on 2024-01-15\n"
    ));
    let wrong = backtest("strike");
    assert_eq!(wrong.status.code(), Some(2));
    let error = String::from_utf8(wrong.stderr).unwrap();
    insta::assert_snapshot!(format!("{table}\n{error}"));
}

/// The daemon started with a data file that is bad from the start reports
/// that file's error alone, as `check` does: the rules that read it are
/// taken (its series read as empty until the file is good: `latest` is
/// `none`) rather than refused for an unknown series, and the file is said to be left out, since no earlier
/// version of it is kept. Once fixed, it is read.
#[test]
fn daemon_started_with_a_bad_data_file_reports_it_alone() {
    let mut d = Daemon::start(
        &[
            (
                "rules/a.rules",
                "indicator high { when: latest(gauge) > 5 }\nindicator other { when: latest(ok) > 1 }\n",
            ),
            ("indicators/gauge.csv", "date,value\n2025-01-01,3\n2025-13-45,9\n"),
            ("indicators/ok.csv", "date,value\n2025-01-01,3\n"),
        ],
        &["--at", "2025-03-01"],
        &[],
    );
    let shown: Vec<String> = d
        .startup
        .iter()
        .map(|e| match e["event"].as_str() {
            Some("error") => format!(
                "error {} {} kept={}\n{}",
                e["code"],
                e["file"],
                e["kept"],
                e["rendered"].as_str().unwrap_or_default()
            ),
            Some("status") => format!("status {} -> {}", e["name"], e["to"]),
            Some("reload") => format!("reload {} rules={}", e["files"], e["rules"]),
            _ => e.to_string(),
        })
        .collect();
    insta::assert_snapshot!(shown.join("\n"));
    write(
        &d.path("indicators/gauge.csv"),
        "date,value\n2025-01-01,3\n2025-02-01,9\n",
    );
    let e = d.status("high", "met");
    assert_eq!(e["from"], "unknown");
    let (code, _) = d.terminate();
    assert_eq!(code, 0);
}

/// The codes of the diagnostics of one rule file against `acled.csv`.
fn codes(rules: &str, data: &str) -> Vec<&'static str> {
    let ws = load(
        &[file("rules/t.rules", rules)],
        &[file("indicators/acled.csv", data)],
    );
    ws.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn filter_text_no_observation_has_suggests_the_one_spelled_otherwise() {
    insta::assert_snapshot!(diagnose(
        "series strikes = acled[sub_event_type == \"Air/Drone strike\"]\n",
        ACLED
    ));
}

#[test]
fn filter_text_that_is_part_of_the_texts_suggests_a_partial_match() {
    insta::assert_snapshot!(diagnose(
        "series houthi = acled[actor1 in [\"Houthi\", \"Military Forces of Yemen (2017-) Houthi\"]]\n",
        ACLED
    ));
}

#[test]
fn filter_text_with_nothing_near_lists_the_commonest_texts() {
    // Seven distinct texts: the note shows the five most frequent.
    let mut data = String::from("date,kind\n");
    for (k, kind) in ["a", "a", "a", "b", "b", "c", "d", "e", "f", "g"]
        .iter()
        .enumerate()
    {
        data.push_str(&format!("2024-01-{:02},kind {kind}\n", k + 1));
    }
    let ws = load(
        &[file(
            "rules/t.rules",
            "series x = acled[kind == \"Protests\"]\n",
        )],
        &[file("indicators/acled.csv", &data)],
    );
    insta::assert_snapshot!(render::to_plain_string(&ws.diagnostics, &ws.sources));
}

#[test]
fn filter_texts_that_occur_are_not_warned_about() {
    // Present, though an earlier predicate leaves out every row with it.
    let narrowed =
        "series x = acled[fatalities >= 1, sub_event_type == \"Change to group/activity\"]\n";
    assert_eq!(codes(narrowed, ACLED), Vec::<&str>::new());
    // `""` is a text that a row without the field has.
    let blank = "date,a,b\n2024-01-01,x,\n2024-01-02,x,y\n";
    assert_eq!(
        codes("series x = acled[b == \"\"]\n", blank),
        Vec::<&str>::new()
    );
}

#[test]
fn filter_text_found_only_in_another_field_is_warned_about_once() {
    // "Houthi" is a text of the notes, not of ACTOR1; the derived series
    // repeats the filter but not the warning.
    let data = "date,actor1,notes\n2024-01-01,Houthi forces,Houthi\n2024-01-02,US Navy,\n";
    let rules = "series h = acled[actor1 == \"Houthi\"]\nseries hn = h[notes == \"x\"]\n";
    assert_eq!(codes(rules, data), ["W007", "W007"]);
    let ws = load(
        &[file("rules/t.rules", rules)],
        &[file("indicators/acled.csv", data)],
    );
    let texts: Vec<&str> = ws.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        texts,
        [
            "no observation of `acled` has actor1 \"Houthi\"; did you mean \"Houthi forces\"?",
            "no observation of `acled` has notes \"x\""
        ]
    );
}

/// The data of a rule test hold only what the test needs: a filter text
/// they lack is the quiet case being tested, not a mistake to warn about.
#[test]
fn rule_tests_do_not_warn_about_filter_texts_their_data_lack() {
    let dir = project(&[
        ("indicators/acled.csv", ACLED),
        (
            "rules/r.rules",
            "series strikes = acled[sub_event_type == \"Air/drone strike\"]\n\
             indicator striking { when: count(strikes, 7d) > 0 }\n",
        ),
        (
            "rules/r.test",
            "test \"protests alone are no strike\" {\n\
             \x20 data acled {\n\
             \x20   2025-01-01 {sub_event_type: \"Peaceful protest\"}\n\
             \x20 }\n\
             \x20 at 2025-01-02 {\n\
             \x20   striking not_met\n\
             \x20 }\n\
             }\n",
        ),
    ]);
    let out = tocsin(dir.path()).arg("test").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("W007"), "{stderr}");
    // `check` of the same project, whose data hold the text, is quiet too.
    let check = tocsin(dir.path()).arg("check").output().unwrap();
    assert!(!String::from_utf8_lossy(&check.stderr).contains("warning"));
}

/// A data file named like a reserved word gives a series no rule can
/// name: every place that tries says so, and how to fix it, the same way
/// whether the name stands alone as an argument or in an expression.
#[test]
fn a_series_named_like_a_reserved_word_is_refused_everywhere_with_the_fix() {
    let data = "date,value\n2025-01-01,1\n";
    for rules in [
        "indicator a { when: count(feed, 1y) > 0 }\n",
        "indicator a { when: latest(feed) > 0 }\n",
        "indicator a { when: feed > 0 }\n",
    ] {
        let ws = load(
            &[file("rules/t.rules", rules)],
            &[file("indicators/feed.csv", data)],
        );
        let text = render::to_plain_string(&ws.diagnostics, &ws.sources);
        assert!(ws.model.is_none(), "{rules}: {text}");
        assert!(
            text.contains("`feed` is a reserved word") && text.contains("must be renamed"),
            "{rules}: {text}"
        );
    }
}

#[test]
fn a_series_named_after_a_file_that_begins_with_a_digit() {
    let ws = load(
        &[file(
            "rules/t.rules",
            "indicator a { when: count(attacks, 30d) > 0 }\nindicator b { when: count(atacks_2024, 30d) > 0 }\n",
        )],
        &[file("indicators/2024-attacks.csv", "date,value\n2024-01-01,3\n")],
    );
    insta::assert_snapshot!(render::to_plain_string(&ws.diagnostics, &ws.sources));
}

#[test]
fn a_name_taken_by_a_data_series_names_its_file() {
    let ws = load(
        &[file("rules/t.rules", "let limit = 4\n")],
        &[file(
            "indicators/multi.csv",
            "date,series,value\n2024-01-01,limit,3\n",
        )],
    );
    let text = render::to_plain_string(&ws.diagnostics, &ws.sources);
    assert!(
        text.contains("error[E104]: `limit` is already the name of a data series"),
        "{text}"
    );
    assert!(
        text.contains("= the data series `limit` is read from indicators/multi.csv"),
        "{text}"
    );
}

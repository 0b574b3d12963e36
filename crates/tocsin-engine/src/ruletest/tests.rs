//! Suites from strings: data laid out, expectations checked, failures
//! explained, and every mistake in a test file reported with its place.

use super::*;
use crate::diag::{render, FileId, SourceMap};
use crate::time::Date;
use crate::workspace::{Contents, SourceFile};

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

/// Prepares one test file `t.test` against repository rules `r.rules`.
fn prepared(test: &str, rules: &str) -> Suite {
    prepare(
        &[SourceFile::text("t.test", test)],
        &[SourceFile::text("r.rules", rules)],
    )
}

/// The diagnostics of a suite, one line each.
fn errors(suite: &Suite) -> Vec<String> {
    suite
        .diagnostics
        .iter()
        .map(|d| render::one_line(d, &suite.sources))
        .collect()
}

/// Runs a suite that must be free of errors.
fn outcome(test: &str, rules: &str) -> Outcome {
    let suite = prepared(test, rules);
    assert!(
        !suite.has_errors(),
        "{}",
        render::to_plain_string(&suite.diagnostics, &suite.sources)
    );
    run(&suite)
}

fn failures(o: &Outcome) -> Vec<&Failure> {
    o.files
        .iter()
        .flat_map(|f| &f.tests)
        .flat_map(|t| &t.failures)
        .collect()
}

const RULES: &str = r#"
series aircraft = adiz[kind == "aircraft"]
let limit = 5
indicator surge {
  when: growth(aircraft, 1y) >= 300%
  for: 30d
  summary: "PLA air activity up {percent(growth(aircraft, 1y))}"
}
indicator strikes_resumed { when: resumed(strikes[actor ~ "houthi"], quiet: 6mo, within: 30d) }
indicator gauge_high { when: latest(gauge) > limit }
alert two_front {
  severity: critical
  when: surge and count_true(strikes_resumed, gauge_high) >= 1
}
"#;

/// A year of 10 aircraft a month, then a year of 40.
const ADIZ: &str =
    r#"data adiz { every 1mo from 2023-01-31 {kind: "aircraft"}: 10 x 12, 40 x 12 }"#;

mod data_layout {
    use super::*;
    use crate::ruletest::parser::parse_test_file;

    fn batch(text: &str) -> crate::data::Batch {
        let mut sources = SourceMap::new();
        let id = sources.add("t.test", text);
        let (tf, diags) = parse_test_file(id, text);
        assert!(diags.is_empty(), "{diags:?}");
        store::batch(id, &tf.data[0], &sources)
    }

    fn dates(text: &str) -> Vec<String> {
        batch(text).dates.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn month_steps_clamp_to_the_month_s_end_without_drifting() {
        assert_eq!(
            dates("data s { every 1mo from 2024-01-31: 1 x 5 }"),
            [
                "2024-01-31",
                "2024-02-29",
                "2024-03-31",
                "2024-04-30",
                "2024-05-31"
            ]
        );
        assert_eq!(
            dates("data s { every 1y from 2024-02-29: 1 x 5 }"),
            [
                "2024-02-29",
                "2025-02-28",
                "2026-02-28",
                "2027-02-28",
                "2028-02-29"
            ]
        );
        assert_eq!(
            dates("data s { every 2w from 2024-12-20: 1 x 3 }"),
            ["2024-12-20", "2025-01-03", "2025-01-17"]
        );
    }

    #[test]
    fn gaps_take_a_step_and_leave_no_observation() {
        let b = batch("data s {\n  every 1d from 2025-01-01: 1 _ 3\n    _ x 2 5\n}");
        let dates: Vec<String> = b.dates.iter().map(|d| d.to_string()).collect();
        assert_eq!(dates, ["2025-01-01", "2025-01-03", "2025-01-06"]);
        assert_eq!(b.values, [1.0, 3.0, 5.0]);
        assert_eq!(b.lines, [2, 2, 3]);
    }

    #[test]
    fn events_count_one_and_carry_their_fields() {
        let b = batch(
            "data s { 2025-01-05 {actor: \"Houthi\"}, 2025-01-06: 3 {target: \"tanker\", actor: \"x\"}, 2025-01-07 }",
        );
        assert_eq!(b.values, [1.0, 3.0, 1.0]);
        assert_eq!(b.field_names, ["actor", "target"]);
        let cells: Vec<&str> = b.cells.iter().map(|c| &**c).collect();
        assert_eq!(cells, ["Houthi", "", "x", "tanker", "", ""]);
    }

    #[test]
    fn runs_share_their_fields() {
        let b = batch("data s { every 1d from 2025-01-01 {kind: \"aircraft\", n: 2}: 4 5 }");
        assert_eq!(b.field_names, ["kind", "n"]);
        let cells: Vec<&str> = b.cells.iter().map(|c| &**c).collect();
        assert_eq!(cells, ["aircraft", "2", "aircraft", "2"]);
    }
}

#[test]
fn a_passing_suite() {
    let test = format!(
        r#"
{ADIZ}
test "a fourfold year is a surge" {{
  at 2024-12-31 {{
    surge met
    value growth(aircraft, 1y) == 300%
    value latest(adiz) >= 40
    summary surge ~ "up 300%"
    summary surge == "PLA air activity up 300%"
  }}
  at 2023-12-01 to 2023-12-31 {{ surge unknown, two_front not_met }}
}}
test "strikes after a pause open a second front" {{
  data strikes {{ 2024-01-05 {{actor: "Houthi"}}, 2024-12-20 {{actor: "Houthi"}} }}
  at 2024-12-31 {{ strikes_resumed met, two_front met, gauge_high unknown }}
}}
"#
    );
    let o = outcome(&test, RULES);
    assert_eq!((o.passed(), o.failed()), (2, 0), "{o:#?}");
    assert_eq!(o.files[0].tests[0].expectations, 7);
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
}

#[test]
fn a_failure_says_what_was_expected_what_came_out_and_why() {
    let test = format!("{ADIZ}\ntest \"t\" {{\n  at 2024-12-31 {{\n    two_front met\n  }}\n}}\n");
    let o = outcome(&test, RULES);
    assert_eq!((o.passed(), o.failed()), (0, 1));
    let f = failures(&o);
    assert_eq!(
        *f[0],
        Failure {
            file: "t.test".into(),
            line: 4,
            col: 5,
            at: d("2024-12-31"),
            days: None,
            expected: "two_front met".into(),
            got: "two_front not_met".into(),
            values: vec![
                "surge = met".into(),
                "count_true(strikes_resumed, gauge_high) = 0".into()
            ],
        }
    );
}

#[test]
fn value_failures_show_both_sides_and_the_values_inside() {
    let test = format!(
        "{ADIZ}\ntest \"t\" {{ at 2024-12-31 {{ value growth(aircraft, 1y) == 250%\n value sum(aircraft, 1y) + 1 < latest(adiz) * 2 }} }}"
    );
    let o = outcome(&test, RULES);
    let f = failures(&o);
    assert_eq!(f.len(), 2);
    assert_eq!(f[0].expected, "value growth(aircraft, 1y) == 250%");
    assert_eq!(f[0].got, "value growth(aircraft, 1y) = 300%");
    assert!(f[0].values.is_empty(), "{:?}", f[0].values);
    assert_eq!(
        f[1].got,
        "value sum(aircraft, 1y) + 1 = 481, latest(adiz) * 2 = 80"
    );
    assert_eq!(
        f[1].values,
        ["sum(aircraft, 1y) = 480", "latest(adiz) = 40"]
    );
}

#[test]
fn numbers_that_print_alike_show_every_digit() {
    let test =
        "data s { 2025-01-01: 2.999 }\ntest \"t\" { at 2025-01-01 { value latest(s) == 3 } }";
    let o = outcome(test, "indicator a { when: latest(s) > 1 }");
    assert_eq!(failures(&o)[0].got, "value latest(s) = 2.999");
}

#[test]
fn tolerances() {
    let rules = "indicator a { when: latest(s) > 1 }";
    let o = outcome(
        "data s { 2025-01-01: 0.1 }\ntest \"t\" { at 2025-01-01 {\n value latest(s) + 0.2 == 0.3\n value latest(s) == 0.12 within 0.05\n value latest(s) != 0.2 within 0.05\n value latest(s) == 11% within 1% } }",
        rules,
    );
    assert_eq!(o.failed(), 0, "{o:#?}");
    let o = outcome(
        "data s { 2025-01-01: 0.1 }\ntest \"t\" { at 2025-01-01 { value latest(s) == 0.2 within 0.05 } }",
        rules,
    );
    assert_eq!(o.failed(), 1);
}

#[test]
fn unknown_values_compare_equal_and_never_in_order() {
    let rules = "indicator a { when: latest(s) > 1 }";
    let o = outcome(
        "data s { 2025-01-01: 1 }\ntest \"t\" { at 2024-01-01 { value latest(s) == none, a unknown } }",
        rules,
    );
    assert_eq!(o.failed(), 0, "{o:#?}");
    let o = outcome(
        "data s { 2025-01-01: 1 }\ntest \"t\" { at 2024-01-01 { value latest(s) < 5 } }",
        rules,
    );
    assert_eq!(failures(&o)[0].got, "value latest(s) = unknown");
}

#[test]
fn a_range_reports_its_first_failing_day_and_how_many_failed() {
    let rules = "indicator high { when: latest(s) > 5 for: 3d }";
    let test = "data s { every 1d from 2025-01-01: 1 x 5, 9 x 10 }\ntest \"t\" { at 2025-01-06 to 2025-01-15 { high met } }";
    let o = outcome(test, rules);
    let f = failures(&o);
    assert_eq!(f[0].at, d("2025-01-06"));
    assert_eq!(f[0].days, Some((2, 10)));
    assert_eq!(f[0].got, "high pending");
    assert_eq!(
        f[0].values,
        [
            "latest(s) = 9",
            "for: 3d; `when` true only since 2025-01-06 (the window starts 2025-01-04)"
        ]
    );
}

#[test]
fn a_test_s_data_replaces_the_file_s_block_of_that_name_only() {
    let rules = "indicator a { when: latest(s) > 5 } indicator b { when: latest(t) > 5 }";
    let test = r#"
data s { 2025-01-01: 9 }
data t { 2025-01-01: 9 }
test "file data" { at 2025-01-01 { a met, b met } }
test "own data" { data s { 2025-01-01: 1 } at 2025-01-01 { a not_met, b met } }
test "no data" { data t { } at 2025-01-01 { b unknown } }
"#;
    let o = outcome(test, rules);
    assert_eq!((o.passed(), o.failed()), (3, 0), "{o:#?}");
}

#[test]
fn series_a_test_does_not_give_are_empty() {
    // The repository's rules read more series than the test gives; those
    // have no observations, whatever the repository's data holds.
    let o = outcome(
        "data gauge { 2025-01-01: 9 }\ntest \"t\" { at 2025-01-01 { gauge_high met, surge unknown, strikes_resumed not_met, two_front unknown } }",
        RULES,
    );
    assert_eq!(o.failed(), 0, "{o:#?}");
}

#[test]
fn inline_rules_replace_the_repository_s() {
    let test = "indicator mine { when: latest(s) > 1 }\ndata s { 2025-01-01: 2 }\ntest \"t\" { at 2025-01-01 { mine met, surge met } }";
    let suite = prepared(test, RULES);
    assert_eq!(
        errors(&suite),
        ["t.test:3:38: error[E402]: no indicator or alert is called `surge`"]
    );
    assert_eq!(
        suite.diagnostics[0].notes,
        ["this file has rules of its own, so its tests see only those"]
    );
}

#[test]
fn repository_rules_are_parsed_only_when_a_file_needs_them() {
    let test = "indicator mine { when: latest(s) > 1 }\ndata s { 2025-01-01: 2 }\ntest \"t\" { at 2025-01-01 { mine met } }";
    let suite = prepared(test, "indicator broken {");
    assert!(suite.diagnostics.is_empty(), "{:?}", suite.diagnostics);
    let suite = prepare(
        &[
            SourceFile::text("a.test", "test \"t\" { at 2025-01-01 { a met } }"),
            SourceFile::text("b.test", "test \"t\" { at 2025-01-01 { a met } }"),
        ],
        &[SourceFile::text("r.rules", "indicator a { when: }")],
    );
    assert_eq!(
        errors(&suite),
        ["r.rules:1:21: error[E001]: expected a condition, found `}`"]
    );
}

#[test]
fn repository_rule_errors_are_reported_once() {
    let suite = prepare(
        &[
            SourceFile::text("a.test", "test \"t\" { at 2025-01-01 { a met } }"),
            SourceFile::text("b.test", "test \"u\" { at 2025-01-01 { a met } }"),
        ],
        &[SourceFile::text(
            "r.rules",
            "indicator a { when: latest(s) + 1 }",
        )],
    );
    assert_eq!(
        errors(&suite),
        ["r.rules:1:21: error[E202]: `when:` must be a bool, found number"]
    );
}

#[test]
fn a_test_that_names_no_rule_gets_a_near_name() {
    let suite = prepared(
        "test \"t\" { at 2025-01-01 { srge met, limit met, aircraft met, zzz met } }",
        RULES,
    );
    assert_eq!(
        errors(&suite),
        [
            "t.test:1:28: error[E402]: no indicator or alert is called `srge`; did you mean `surge`?",
            "t.test:1:38: error[E402]: no indicator or alert is called `limit`",
            "t.test:1:49: error[E402]: no indicator or alert is called `aircraft`",
            "t.test:1:63: error[E402]: no indicator or alert is called `zzz`",
        ]
    );
    let notes: Vec<&str> = suite.diagnostics[1..]
        .iter()
        .map(|d| d.notes[0].as_str())
        .collect();
    assert_eq!(
        notes,
        [
            "`limit` is a let; check its value with `value limit == ...`",
            "`aircraft` is a series; check a value of it, such as `value latest(aircraft) == ...`",
            "this file has no rules of its own, so it tests the rules under --rules (default `rules`)",
        ]
    );
}

#[test]
fn value_expressions_are_checked_like_rules() {
    let suite = prepared(
        "data gauge { 2025-01-01: 1 }\ntest \"t\" { at 2025-01-01 {\n  value latest(guage) == 1\n  value latest(gauge) == \"x\"\n  value now < 3\n} }",
        RULES,
    );
    assert_eq!(
        errors(&suite),
        [
            "t.test:3:16: error[E101]: unknown series `guage`; did you mean `gauge`?",
            "t.test:4:9: error[E201]: cannot compare number with string",
            "t.test:5:9: error[E201]: cannot compare date with number",
        ]
    );
}

#[test]
fn data_that_no_rule_reads_is_an_error() {
    let suite = prepared(
        "data guage { 2025-01-01: 1 }\ntest \"t\" { data other { } at 2025-01-01 { gauge_high unknown } }",
        RULES,
    );
    assert_eq!(
        errors(&suite),
        [
            "t.test:1:6: error[E405]: no rule reads the series `guage`; did you mean `gauge`?",
            "t.test:2:17: error[E405]: no rule reads the series `other`",
        ]
    );
}

#[test]
fn data_named_like_a_rule_item_is_an_error() {
    let suite = prepared(
        "data aircraft { 2025-01-01: 1 }\ntest \"t\" { data limit { } at 2025-01-01 { surge unknown } }",
        RULES,
    );
    assert_eq!(
        errors(&suite),
        [
            "t.test:1:6: error[E406]: `aircraft` is a `series` item, not a data series",
            "t.test:2:17: error[E406]: `limit` is a `let`, not a data series",
        ]
    );
    assert_eq!(
        suite.diagnostics[0].notes,
        ["a derived series is computed from its data; give the data of `adiz` instead"]
    );
}

#[test]
fn mistakes_in_a_file_s_shape() {
    let suite = prepared(
        r#"
data adiz { }
data adiz { }
test "t" { at 2025-01-01 { surge unknown } }
test "t" { at 2025-01-01 { } }
test "u" { data gauge { } data gauge { } }
test "v" { at 2025-01-01 { value latest(adiz) == "3" within 1 summary two_front ~ "x" } }
"#,
        RULES,
    );
    let codes: Vec<String> = errors(&suite)
        .iter()
        .map(|e| e.split(": ").take(2).collect::<Vec<_>>().join(": "))
        .collect();
    assert_eq!(
        codes,
        [
            "t.test:3:6: error[E404]",
            "t.test:5:6: error[E403]",
            "t.test:5:12: error[E408]",
            "t.test:6:6: error[E408]",
            "t.test:6:32: error[E404]",
            "t.test:7:34: error[E201]",
            "t.test:7:71: error[E410]",
        ]
    );
}

#[test]
fn a_tolerance_on_text_is_an_error() {
    let suite = prepared(
        "test \"t\" { at 2025-01-01 { value percent(1) == \"100%\" within 1 } }",
        RULES,
    );
    assert_eq!(
        errors(&suite),
        ["t.test:1:55: error[E409]: a tolerance applies to numbers, not to a string"]
    );
}

#[test]
fn a_file_that_cannot_be_read() {
    let suite = prepare(
        &[SourceFile {
            name: "bad.test".into(),
            contents: Contents::NotUtf8 {
                offset: 3,
                line: 1,
                col: 4,
                utf16: false,
            },
        }],
        &[],
    );
    assert_eq!(
        errors(&suite),
        ["bad.test:1:4: error[E301]: not valid UTF-8 (byte offset 3)"]
    );
}

#[test]
fn warnings_about_the_tests_data_are_kept() {
    let o = outcome(
        "data adiz { 2025-01-01: 1 {type: \"aircraft\"} }\ntest \"t\" { at 2025-01-01 { surge unknown } }",
        RULES,
    );
    assert_eq!(o.warnings.len(), 1);
    assert!(
        o.warnings[0].message.contains("has a field `kind`"),
        "{:?}",
        o.warnings
    );
}

#[test]
fn the_text_report() {
    let test = format!(
        "{ADIZ}\ntest \"passes\" {{ at 2024-12-31 {{ surge met }} }}\ntest \"fails\" {{ at 2024-12-31 {{ surge pending }} }}\n"
    );
    let o = outcome(&test, RULES);
    assert_eq!(
        report::text(&o, false, false),
        "FAIL t.test (1 of 2 tests failed)
  FAIL \"fails\"
    t.test:3:32 at 2024-12-31
    - expected surge pending
    + got      surge met
        growth(aircraft, 1y) = 3
        for: 30d; `when` true throughout the window, since 2024-12-02

1 passed, 1 failed
"
    );
    assert!(report::text(&o, true, false).contains("  ok   \"passes\"\n"));
    let empty = Outcome {
        files: vec![],
        warnings: vec![],
    };
    assert_eq!(report::text(&empty, false, false), "0 passed, 0 failed\n");
}

#[test]
fn junit_attributes_keep_line_breaks_and_class_names_start_with_a_package() {
    let test = format!("{ADIZ}\ntest \"two\\nlines\" {{ at 2024-12-31 {{ surge met }} }}\n");
    let suite = prepare(
        &[SourceFile::text("/abs/rules/tests/t.test", test.as_str())],
        &[SourceFile::text("r.rules", RULES)],
    );
    let o = run_timed(&suite, &|| std::time::Duration::ZERO);
    let xml = report::junit(&o);
    assert!(
        xml.contains("<testcase name=\"two&#10;lines\" classname=\"abs.rules.tests.t\""),
        "{xml}"
    );
}

#[test]
fn junit_is_escaped() {
    assert_eq!(
        report::xml("a<b & \"c\" 'd'>\u{1}\n"),
        "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{FFFD}\n"
    );
    let test = format!(
        "{ADIZ}\ntest \"<ok> & fine\" {{ at 2024-12-31 {{ surge met }} }}\ntest \"fails\" {{ at 2024-12-31 {{ summary surge == \"<\" }} }}\n"
    );
    let o = outcome(&test, RULES);
    let xml = report::junit(&o);
    assert!(
        xml.contains("<testcase name=\"&lt;ok&gt; &amp; fine\" classname=\"t\" time=\"0.000\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"at 2024-12-31: expected summary surge == &quot;&lt;&quot;, got summary surge &quot;PLA air activity up 300%&quot;\" type=\"expectation\">"),
        "{xml}"
    );
    assert!(xml.contains(
        "<testsuites name=\"tocsin test\" tests=\"2\" failures=\"1\" errors=\"0\" time=\"0.000\">"
    ));
}

#[test]
fn junit_times_come_from_the_clock_given() {
    let suite = prepared(
        &format!("{ADIZ}\ntest \"a\" {{ at 2024-12-31 {{ surge met }} }}\n"),
        RULES,
    );
    let ticks = std::cell::Cell::new(0u64);
    // Each reading is 1.25 s after the one before.
    let now = || {
        ticks.set(ticks.get() + 1);
        std::time::Duration::from_millis(1250 * ticks.get())
    };
    let xml = report::junit(&crate::ruletest::run_timed(&suite, &now));
    assert!(
        xml.contains("failures=\"0\" errors=\"0\" time=\"1.250\">"),
        "{xml}"
    );
    assert!(xml.contains("classname=\"t\" time=\"1.250\"/>"), "{xml}");
}

#[test]
fn junit_of_a_suite_that_cannot_run_names_each_broken_file() {
    let suite = prepare(
        &[
            SourceFile::text("a.test", "test \"t\" { at 2025-01-01 { surge mett } }"),
            SourceFile::text("ok.test", "test \"t\" { at 2025-01-01 { surge met } }"),
        ],
        &[SourceFile::text("r.rules", RULES)],
    );
    assert!(suite.has_errors());
    let xml = report::junit_errors(&suite.diagnostics, &suite.sources);
    assert!(
        xml.contains("<testsuites name=\"tocsin test\" tests=\"1\" failures=\"0\" errors=\"1\""),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<testcase name=\"a.test\" classname=\"a\" time=\"0.000\">\n      <error message=\""
        ),
        "{xml}"
    );
    assert!(xml.contains(">a.test:1:"), "{xml}");
    assert!(!xml.contains("ok.test"), "{xml}");
}

#[test]
fn parse_errors_keep_a_file_from_running() {
    let suite = prepare(
        &[
            SourceFile::text("a.test", "test \"t\" { at 2025-01-01 { surge mett } }"),
            SourceFile::text("b.test", "test \"t\" { at 2025-01-01 { surge unknown } }"),
        ],
        &[SourceFile::text("r.rules", RULES)],
    );
    assert_eq!(suite.files.len(), 1);
    assert_eq!(suite.files[0].name, "b.test");
    assert_eq!(suite.files[0].id, FileId(1));
    assert!(suite.has_errors());
}

#[test]
fn a_field_given_twice_in_an_observation_is_an_error() {
    let suite = prepared(
        "data adiz { 2025-01-01 {kind: \"aircraft\", Kind: \"ship\"}, every 1d from 2025-01-02 {kind: \"a\", kind: \"b\"}: 1 }\ntest \"t\" { at 2025-01-02 { surge unknown } }",
        RULES,
    );
    let errors = errors(&suite);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| e.contains("error[E010]: the field `kind` is given twice in one observation")),
        "{errors:?}"
    );
}

use super::*;
use crate::diag::{render, SourceMap};
use crate::lang::ast::{BinOp, ExprKind};
use crate::lang::program::Status;
use crate::lang::testfile::ast::*;
use crate::time::{Date, Duration};

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

fn parse(text: &str) -> TestFile {
    let (file, diags) = parse_test_file(FileId(0), text);
    let mut sources = SourceMap::new();
    sources.add("x.test", text);
    assert!(
        diags.is_empty(),
        "{}",
        render::to_plain_string(&diags, &sources)
    );
    file
}

/// Each diagnostic as `x.test:LINE:COL: error[CODE]: message`.
fn errors(text: &str) -> Vec<String> {
    let (_, diags) = parse_test_file(FileId(0), text);
    let mut sources = SourceMap::new();
    sources.add("x.test", text);
    diags
        .iter()
        .map(|d| render::one_line(d, &sources))
        .collect()
}

fn points(block: &DataBlock) -> Vec<&Point> {
    block
        .entries
        .iter()
        .filter_map(|e| match e {
            Entry::Point(p) => Some(p),
            Entry::Run(_) => None,
        })
        .collect()
}

#[test]
fn parses_every_construct() {
    let text = r#"
# Inline rules: the tests below see only these.
series aircraft = adiz[kind == "aircraft"]
indicator surge { when: growth(aircraft, 1y) >= 300% for: 30d summary: "{percent(growth(aircraft, 1y))}" }

data adiz {
  every 1mo from 2024-01-31 {kind: "aircraft"}: 1 x 12, 4 x 12
}

test "a fourfold year is a surge" {
  data strikes {
    2025-01-05 {actor: "Houthi", "Event Type": "attack", deaths: 3},
    2025-05-10
    2025-06-01: -2.5
    2025-06-02: 40% {actor: "x"}
  }
  at 2025-12-31 {
    surge met
    value growth(aircraft, 1y) == 300% within 1%
    summary surge ~ "300%"
    summary surge == "300%"
  }
  at 2025-01-01 to 2025-01-31 { surge not_met, value latest(adiz) >= 1 }
}
"#;
    let f = parse(text);
    assert_eq!(f.rules.items.len(), 2);
    assert_eq!(f.data.len(), 1);
    let Entry::Run(run) = &f.data[0].entries[0] else {
        panic!("{:?}", f.data[0].entries)
    };
    assert_eq!(run.step, Duration::Months(1));
    assert_eq!(run.from, d("2024-01-31"));
    assert_eq!(run.fields[0].name, "kind");
    assert_eq!(run.fields[0].text, "aircraft");
    assert_eq!(run.steps(), 24);

    let t = &f.tests[0];
    assert_eq!(t.name.value, "a fourfold year is a surge");
    let strikes = points(&t.data[0]);
    assert_eq!(strikes.len(), 4);
    assert_eq!(strikes[0].value, None);
    let fields: Vec<(&str, &str)> = strikes[0]
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.text.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("actor", "Houthi"),
            ("Event Type", "attack"),
            ("deaths", "3")
        ]
    );
    assert_eq!(strikes[1].date, d("2025-05-10"));
    assert_eq!(strikes[2].value, Some(-2.5));
    assert_eq!(strikes[3].value, Some(0.4));
    assert_eq!(strikes[3].fields[0].text, "x");

    assert_eq!(t.checks.len(), 2);
    let first = &t.checks[0];
    assert_eq!((first.from, first.to), (d("2025-12-31"), d("2025-12-31")));
    assert!(matches!(
        &first.expects[0].kind,
        ExpectKind::Status { rule, status: Status::Met, .. } if rule.name == "surge"
    ));
    let ExpectKind::Value {
        lhs,
        op,
        rhs,
        within,
    } = &first.expects[1].kind
    else {
        panic!("{:?}", first.expects[1])
    };
    assert!(matches!(lhs.kind, ExprKind::Call { .. }));
    assert_eq!(*op, BinOp::Eq);
    assert_eq!(rhs.kind, ExprKind::Percent(3.0));
    assert_eq!(within.map(|w| w.0), Some(0.01));
    assert!(matches!(
        &first.expects[2].kind,
        ExpectKind::Summary { exact: false, text, .. } if text.value == "300%"
    ));
    assert!(matches!(
        &first.expects[3].kind,
        ExpectKind::Summary { exact: true, .. }
    ));
    let range = &t.checks[1];
    assert_eq!((range.from, range.to), (d("2025-01-01"), d("2025-01-31")));
    assert_eq!(range.expects.len(), 2);
    assert!(matches!(
        &range.expects[1].kind,
        ExpectKind::Value { op: BinOp::Ge, .. }
    ));
}

#[test]
fn runs_take_repeats_gaps_and_commas() {
    let f = parse("data s { every 7d from 2025-01-01: 1 2, 3 _ 9 x 3 _ x 2 4x2 -1 }");
    let Entry::Run(run) = &f.data[0].entries[0] else {
        panic!()
    };
    let values: Vec<(Option<f64>, u32)> = run.values.iter().map(|v| (v.value, v.count)).collect();
    assert_eq!(
        values,
        [
            (Some(1.0), 1),
            (Some(2.0), 1),
            (Some(3.0), 1),
            (None, 1),
            (Some(9.0), 3),
            (None, 2),
            (Some(4.0), 2),
            (Some(-1.0), 1)
        ]
    );
    assert_eq!(run.step, Duration::Days(7));
}

#[test]
fn a_run_ends_where_a_date_or_another_run_starts() {
    let f = parse(
        "data s {\n  every 1d from 2025-01-01: 1 2\n  2025-02-01: 5, every 1w from 2025-03-01: 7, 2025-04-01\n}",
    );
    let e = &f.data[0].entries;
    assert_eq!(e.len(), 4);
    assert!(matches!(&e[0], Entry::Run(r) if r.values.len() == 2));
    assert!(matches!(&e[1], Entry::Point(p) if p.value == Some(5.0)));
    assert!(matches!(&e[2], Entry::Run(r) if r.step == Duration::Days(7)));
    assert!(matches!(&e[3], Entry::Point(p) if p.value.is_none()));
}

#[test]
fn a_rule_called_value_can_still_be_expected() {
    let f = parse("test \"t\" { at 2025-01-01 { value met value value == 1 } }");
    let e = &f.tests[0].checks[0].expects;
    assert!(matches!(&e[0].kind, ExpectKind::Status { rule, .. } if rule.name == "value"));
    assert!(matches!(&e[1].kind, ExpectKind::Value { .. }));
}

#[test]
fn errors_point_where_the_user_went_wrong() {
    let cases = [
        (
            "test \"t\" { at 2025-01-01 { surge mett } }",
            "x.test:1:34: error[E401]: unknown status `mett`; did you mean `met`?",
        ),
        (
            "test \"t\" { at 2025-01-01 { surge not met } }",
            "x.test:1:34: error[E401]: unknown status `not`; did you mean `not_met`?",
        ),
        (
            "test t { }",
            "x.test:1:6: error[E001]: expected the test's name, a string, found `t`",
        ),
        (
            "test \"t\" { surge met }",
            "x.test:1:12: error[E001]: expected `at`, `data` or `}`, found `surge`",
        ),
        (
            "test \"t\" { at 2025 { } }",
            "x.test:1:15: error[E001]: expected a date such as 2025-07-20, found `2025`",
        ),
        (
            "test \"t\" { at 2025-02-30 { } }",
            "x.test:1:15: error[E004]: `2025-02-30` is not a valid date",
        ),
        (
            "test \"t\" { at 2025-01-01 { value latest(s) } }",
            "x.test:1:44: error[E001]: expected a comparison such as `== 3`, found `}`",
        ),
        (
            "test \"t\" { at 2025-01-01 { value latest(s) = 3 } }",
            "x.test:1:44: error[E001]: `=` is not a comparison",
        ),
        (
            "test \"t\" { at 2025-01-01 { value latest(s) > 3 within 1 } }",
            "x.test:1:48: error[E409]: a tolerance applies to `==` and `!=`, not to `>`",
        ),
        (
            "test \"t\" { at 2025-01-01 { summary a = \"x\" } }",
            "x.test:1:38: error[E001]: expected `==` or `~` (contains), found `=`",
        ),
        (
            "data s { 2025-01-01: 5d }",
            "x.test:1:22: error[E001]: expected a number",
        ),
        (
            "data s { every 1d 2025-01-01: 1 }",
            "x.test:1:19: error[E001]: expected `from`, found `2025`",
        ),
        (
            "data s { every 1d from 2025-01-01: }",
            "x.test:1:36: error[E001]: expected values after `:`, such as `1 2 4 8`, found `}`",
        ),
        (
            "data s { every 1d from 2025-01-01: 1 x 0 }",
            "x.test:1:40: error[E407]: a repeat count is a whole number from 1",
        ),
        (
            "data s { every 1d from 2025-01-01 {a 1}: 1 }",
            "x.test:1:38: error[E001]: expected `:`, found `1`",
        ),
        (
            "data s { x }",
            "x.test:1:10: error[E001]: expected `every`, `}` or a date such as 2025-01-01, found `x`",
        ),
        (
            "data for { }",
            "x.test:1:6: error[E008]: `for` is a reserved word and cannot be used as a name",
        ),
        (
            "tset \"t\" { }",
            "x.test:1:1: error[E001]: expected a `test` block, a `data` block or a rule item, found `tset`",
        ),
        (
            "indicator a { when: }",
            "x.test:1:21: error[E001]: expected a condition, found `}`",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(errors(text), [want], "{text}");
    }
}

#[test]
fn near_misses_get_a_note() {
    let (_, diags) = parse_test_file(FileId(0), "at 2025-01-01 { a met }");
    assert!(diags[0].notes[0].contains("inside a `test"), "{diags:?}");
    let (_, diags) = parse_test_file(FileId(0), "tset \"t\" { }");
    assert_eq!(diags[0].notes, ["did you mean `test`?"]);
    // Two value expectations joined with `and`: said so, not taken for a
    // rule named `and`.
    let (_, diags) = parse_test_file(
        FileId(0),
        "test \"t\" { at 2024-01-02 { value latest(s) == 3 and true } }",
    );
    assert!(
        diags[0].notes[0].starts_with("expectations are not joined with `and`"),
        "{diags:?}"
    );
}

#[test]
fn runs_that_cannot_be_laid_out_are_errors() {
    assert_eq!(
        errors("data s { every 0d from 2025-01-01: 1 }"),
        ["x.test:1:16: error[E407]: a run needs a step longer than zero"]
    );
    assert_eq!(
        errors("data s { every 1y from 9999-01-01: 1 2 }"),
        ["x.test:1:10: error[E407]: this run goes past the last date tocsin knows (9999-12-31)"]
    );
    assert_eq!(
        errors("data s { every 1d from 2000-01-01: 1 x 10000 2 }"),
        ["x.test:1:10: error[E407]: this run lays out 10001 values"]
    );
    assert_eq!(
        errors("test \"t\" { at 2025-01-02 to 2025-01-01 { a met } }"),
        ["x.test:1:12: error[E407]: the range ends (2025-01-01) before it starts (2025-01-02)"]
    );
    assert_eq!(
        errors("test \"t\" { at 2000-01-01 to 2025-01-01 { a met } }"),
        ["x.test:1:12: error[E407]: the range covers 9133 days"]
    );
}

#[test]
fn recovers_at_the_next_test_and_reports_every_broken_one() {
    let text = r#"
test "one" {
  data s { 2025-01-01: x }
  at 2025-01-01 { a met }
}
test "two" { at 2025-01-01 { a met } }
test "three" {
  at 2025-01-01 { a mett }
test "four" { at 2025-01-01 { b met } }
data s { 2025-01-01 {a: } }
let x = (1 +
test "five" { at 2025-01-01 { a pending } }
indicator a { when: true }
"#;
    let (file, diags) = parse_test_file(FileId(0), text);
    let mut sources = SourceMap::new();
    sources.add("x.test", text);
    let lines: Vec<String> = diags
        .iter()
        .map(|d| render::one_line(d, &sources))
        .collect();
    assert_eq!(
        lines,
        [
            "x.test:3:24: error[E001]: expected a number, found `x`",
            "x.test:8:21: error[E401]: unknown status `mett`; did you mean `met`?",
            "x.test:10:25: error[E001]: expected a string or a number, found `}`",
            "x.test:12:6: error[E001]: expected `)`, found `\"`",
        ]
    );
    let names: Vec<&str> = file.tests.iter().map(|t| t.name.value.as_str()).collect();
    assert_eq!(names, ["two", "four", "five"]);
    assert_eq!(file.rules.items.len(), 1);
}

#[test]
fn data_inside_a_broken_test_is_not_taken_for_the_file_s() {
    let text = "test \"t\" {\n  at 2025-01-01 { a ? }\n  data s { 2025-01-01: 1 }\n  at 2025-01-01 { a met }\n}\n";
    let (file, diags) = parse_test_file(FileId(0), text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(file.data.is_empty());
    assert!(file.tests.is_empty());
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "",
        "#",
        "test",
        "test \"",
        "test \"t\" {",
        "test \"t\" { at",
        "test \"t\" { at 2025-01-01 { value",
        "test \"t\" { at 2025-01-01 { value x ==",
        "data",
        "data s { every",
        "data s { every 1d from 2025-01-01: 1 x",
        "data s { 2025-01-01 {",
        "data s { 2025-01-01 {\"a\": \"",
        "é",
        "}}}}",
        "data s { 9x }",
    ] {
        let _ = parse_test_file(FileId(0), text);
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn test_like_text_parses_or_fails_cleanly(text in "(test|data|at|every|from|to|value|summary|met|x|_| |\\{|\\}|\"t\"|[a-z]{1,3}|[0-9]{1,4}|2025-01-0[1-9]|[-:,~=<>%]|1mo|7d|\\n|#)*") {
            let (_, diags) = parse_test_file(FileId(0), &text);
            for d in diags {
                let span = d.primary_span().unwrap();
                prop_assert!(span.end as usize <= text.len());
                prop_assert!(text.is_char_boundary(span.start as usize));
            }
        }
    }
}

#[test]
fn an_instance_is_named_with_its_labels() {
    let f = parse(
        "test \"t\" { at 2025-01-01 { busy{region=\"North\", kind = \"a\\\"b\"} met, busy{} pending } }",
    );
    let e = &f.tests[0].checks[0].expects;
    let ExpectKind::Status {
        rule,
        labels,
        status,
    } = &e[0].kind
    else {
        panic!("a status expectation");
    };
    assert_eq!((rule.name.as_str(), *status), ("busy", Status::Met));
    let shown: Vec<(&str, &str)> = labels
        .iter()
        .map(|(f, v)| (f.name.as_str(), v.value.as_str()))
        .collect();
    assert_eq!(shown, [("region", "North"), ("kind", "a\"b")]);
    assert!(matches!(&e[1].kind, ExpectKind::Status { labels, .. } if labels.is_empty()));
    for bad in [
        "test \"t\" { at 2025-01-01 { busy{region=North} met } }",
        "test \"t\" { at 2025-01-01 { busy{region=\"N\" met } }",
        "test \"t\" { at 2025-01-01 { busy{=\"N\"} met } }",
    ] {
        assert!(!errors(bad).is_empty(), "{bad}");
    }
}

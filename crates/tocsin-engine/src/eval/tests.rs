//! Evaluation tests: every function at its window boundaries, and `none`
//! through every operator.

use super::*;
use crate::data::{Batch, FileData, Store};
use crate::diag::{FileId, SourceMap};
use crate::lang::parser::parse_file;
use crate::library::check;

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

type Rows<'a> = &'a [(&'a str, f64)];

fn model(rules: &str, data: &[(&str, Rows)]) -> Model {
    let batches = data
        .iter()
        .map(|(name, rows)| Batch {
            series: name.to_string(),
            dates: rows.iter().map(|r| d(r.0)).collect(),
            values: rows.iter().map(|r| r.1).collect(),
            lines: std::iter::repeat_n(0, rows.len()).collect(),
            ..Batch::default()
        })
        .collect();
    let store = Store::build([&FileData {
        file: FileId(1),
        batches,
        ..FileData::default()
    }]);
    let mut sources = SourceMap::new();
    let id = sources.add("t.rules", rules);
    let (file, diags) = parse_file(id, rules);
    assert!(diags.is_empty(), "{diags:?}");
    let names: Vec<&str> = store.iter().map(|(_, s)| s.name.as_str()).collect();
    let checked = check(&[(id, &file)], &names);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    Model::build(checked.program, &store)
}

/// The value of `let x = EXPR` at `at`.
fn value(expr: &str, data: &[(&str, Rows)], at: &str) -> Value {
    let m = model(&format!("let x = {expr}"), data);
    Evaluator::new(&m).eval(&m.program.lets[0].value, d(at))
}

fn num(expr: &str, data: &[(&str, Rows)], at: &str) -> Option<f64> {
    match value(expr, data, at) {
        Value::Number(n) => Some(n),
        Value::None => None,
        other => panic!("{expr}: {other:?}"),
    }
}

const S: Rows = &[
    ("2025-01-01", 4.0),
    ("2025-02-01", 6.0),
    ("2025-03-01", 12.0),
];

#[test]
fn latest_and_ago() {
    let data = &[("s", S)];
    assert_eq!(num("latest(s)", data, "2024-12-31"), None);
    assert_eq!(num("latest(s)", data, "2025-01-01"), Some(4.0));
    assert_eq!(num("latest(s)", data, "2025-02-28"), Some(6.0));
    // ago: newest dated <= T - d; 2025-03-01 minus 1mo is 2025-02-01, which counts.
    assert_eq!(num("ago(s, 1mo)", data, "2025-03-01"), Some(6.0));
    assert_eq!(num("ago(s, 1mo)", data, "2025-02-28"), Some(4.0));
    assert_eq!(num("ago(s, 1mo)", data, "2025-01-31"), None);
    assert_eq!(num("change(s, 1mo)", data, "2025-03-10"), Some(6.0));
    assert_eq!(num("pct_change(s, 1mo)", data, "2025-03-10"), Some(1.0));
    assert_eq!(num("pct_change(s, 1mo)", data, "2025-01-10"), None);
    let zero: Rows = &[("2025-01-01", 0.0), ("2025-02-01", 5.0)];
    assert_eq!(
        num("pct_change(z, 1mo)", &[("z", zero)], "2025-02-01"),
        None
    );
    let neg: Rows = &[("2025-01-01", -4.0), ("2025-02-01", -2.0)];
    assert_eq!(
        num("pct_change(n, 1mo)", &[("n", neg)], "2025-02-01"),
        Some(0.5)
    );
}

#[test]
fn sum_count_avg_min_max_at_the_edges() {
    let data = &[("s", S)];
    // 30d at 2025-03-02 is (2025-01-31, 2025-03-02]: Feb 1 and Mar 1.
    assert_eq!(num("sum(s, 30d)", data, "2025-03-02"), Some(18.0));
    // At 2025-03-03 Feb 1 has left... no: (2025-02-01, 2025-03-03] excludes Feb 1.
    assert_eq!(num("sum(s, 30d)", data, "2025-03-03"), Some(12.0));
    // The day that enters: Mar 1 at T = Mar 1.
    assert_eq!(num("count(s, 1d)", data, "2025-03-01"), Some(1.0));
    assert_eq!(num("count(s, 1d)", data, "2025-03-02"), Some(0.0));
    assert_eq!(num("count(s, 90d)", data, "2025-03-10"), Some(3.0));
    assert_eq!(num("sum(s, 1d)", data, "2024-01-01"), Some(0.0));
    assert_eq!(num("avg(s, 1y)", data, "2025-03-10"), Some(22.0 / 3.0));
    assert_eq!(num("avg(s, 1d)", data, "2025-03-10"), None);
    assert_eq!(num("min(s, 1y)", data, "2025-03-10"), Some(4.0));
    assert_eq!(num("max(s, 1mo)", data, "2025-03-01"), Some(12.0));
    // 1mo at 2025-03-01 starts after 2025-02-01: Feb 1 is out.
    assert_eq!(num("min(s, 1mo)", data, "2025-03-01"), Some(12.0));
    assert_eq!(num("max(s, 5d)", data, "2025-03-10"), None);
    // An empty series still sums to 0 and counts 0.
    assert_eq!(num("count(e, 30d)", &[("e", &[])], "2025-03-10"), Some(0.0));
}

#[test]
fn month_end_and_leap_day_windows() {
    let data: Rows = &[
        ("2024-02-29", 1.0),
        ("2024-03-31", 2.0),
        ("2025-02-28", 4.0),
        ("2025-03-01", 8.0),
    ];
    let data = &[("s", data)];
    // 1y at 2025-02-28: (2024-02-28, 2025-02-28] holds the leap day.
    assert_eq!(num("sum(s, 1y)", data, "2025-02-28"), Some(7.0));
    // 1y at 2025-03-01: (2024-03-01, 2025-03-01].
    assert_eq!(num("sum(s, 1y)", data, "2025-03-01"), Some(14.0));
    // 1mo at 2024-03-31: (2024-02-29, 2024-03-31]: the leap day is out.
    assert_eq!(num("sum(s, 1mo)", data, "2024-03-31"), Some(2.0));
    // ago 1mo from 2024-03-31 is the newest <= 2024-02-29.
    assert_eq!(num("ago(s, 1mo)", data, "2024-03-31"), Some(1.0));
}

#[test]
fn growth_compares_two_equal_windows() {
    let data: Rows = &[
        ("2023-07-01", 10.0),
        ("2024-07-01", 40.0),
        ("2024-07-20", 0.0),
    ];
    let data = &[("s", data)];
    // (2023-07-20, 2024-07-20] vs (2022-07-20, 2023-07-20].
    assert_eq!(num("growth(s, 1y)", data, "2024-07-20"), Some(3.0));
    assert_eq!(num("growth(s, 1y)", data, "2024-06-30"), None);
    assert_eq!(num("growth(s, 1y)", data, "2025-07-10"), Some(-1.0));
    // The earlier window is empty: no baseline.
    assert_eq!(num("growth(s, 1y)", data, "2023-12-01"), None);
    // 6mo doubles to 12mo, not to twice six months back with clamping.
    let m: Rows = &[
        ("2024-08-31", 1.0),
        ("2024-09-01", 2.0),
        ("2025-03-01", 6.0),
    ];
    assert_eq!(num("growth(m, 6mo)", &[("m", m)], "2025-08-31"), Some(2.0));
}

#[test]
fn trend_zscore_days_since() {
    let line: Rows = &[
        ("2025-01-01", 1.0),
        ("2025-01-03", 5.0),
        ("2025-01-05", 9.0),
    ];
    assert_eq!(num("trend(l, 5d)", &[("l", line)], "2025-01-05"), Some(2.0));
    assert_eq!(num("trend(l, 2d)", &[("l", line)], "2025-01-05"), None);
    let z: Rows = &[
        ("2025-01-01", 2.0),
        ("2025-01-02", 4.0),
        ("2025-01-03", 6.0),
    ];
    // mean 4, population sd sqrt(8/3); latest 6.
    let want = 2.0 / (8.0f64 / 3.0).sqrt();
    assert!((num("zscore(z, 3d)", &[("z", z)], "2025-01-03").unwrap() - want).abs() < 1e-12);
    let flat: Rows = &[("2025-01-01", 2.0), ("2025-01-02", 2.0)];
    assert_eq!(num("zscore(f, 3d)", &[("f", flat)], "2025-01-02"), None);
    let ev: Rows = &[("2025-01-01", 1.0), ("2025-01-05", 0.0)];
    assert_eq!(num("days_since(e)", &[("e", ev)], "2025-01-10"), Some(9.0));
    assert_eq!(num("days_since(e)", &[("e", ev)], "2025-01-01"), Some(0.0));
    assert_eq!(num("days_since(e)", &[("e", ev)], "2024-12-31"), None);
}

#[test]
fn resumed_by_position_and_by_name() {
    let ev: Rows = &[("2025-01-05", 1.0), ("2025-05-10", 1.0)];
    let data = &[("e", ev)];
    assert_eq!(
        value("resumed(e, 3mo, 14d)", data, "2025-05-15"),
        Value::Bool(true)
    );
    assert_eq!(
        value("resumed(e, within: 14d, quiet: 3mo)", data, "2025-05-23"),
        Value::Bool(true)
    );
    // 2025-05-24 minus 14d is 2025-05-10: the event has left the window.
    assert_eq!(
        value("resumed(e, quiet: 3mo, within: 14d)", data, "2025-05-24"),
        Value::Bool(false)
    );
    assert_eq!(
        value("resumed(e, quiet: 5mo, within: 14d)", data, "2025-05-15"),
        Value::Bool(false)
    );
}

#[test]
fn none_propagates_through_every_operator() {
    let data = &[("s", S)];
    let at = "2024-01-01"; // latest(s) is none here
    for op in ["+", "-", "*", "/"] {
        assert_eq!(
            value(&format!("latest(s) {op} 1"), data, at),
            Value::None,
            "{op}"
        );
        assert_eq!(
            value(&format!("1 {op} latest(s)"), data, at),
            Value::None,
            "{op}"
        );
    }
    for op in ["==", "!=", "<", "<=", ">", ">="] {
        assert_eq!(
            value(&format!("latest(s) {op} 1"), data, at),
            Value::None,
            "{op}"
        );
    }
    assert_eq!(value("-latest(s)", data, at), Value::None);
    assert_eq!(value("not (latest(s) > 1)", data, at), Value::None);
    assert_eq!(
        value("false and latest(s) > 1", data, at),
        Value::Bool(false)
    );
    assert_eq!(
        value("latest(s) > 1 and false", data, at),
        Value::Bool(false)
    );
    assert_eq!(value("true and latest(s) > 1", data, at), Value::None);
    assert_eq!(value("true or latest(s) > 1", data, at), Value::Bool(true));
    assert_eq!(value("latest(s) > 1 or true", data, at), Value::Bool(true));
    assert_eq!(value("false or latest(s) > 1", data, at), Value::None);
    assert_eq!(
        value("count_true(latest(s) > 1, true)", data, at),
        Value::Number(1.0)
    );
    assert_eq!(value("abs(latest(s))", data, at), Value::None);
    assert_eq!(value("percent(latest(s))", data, at), Value::None);
    assert_eq!(value("none == none", data, at), Value::None);
    assert_eq!(value("now - none", data, at), Value::None);
    assert_eq!(value("1 / 0", data, at), Value::None);
    assert_eq!(value("1 / (2 - 2)", data, at), Value::None);
}

#[test]
fn dates_and_arithmetic() {
    assert_eq!(
        value("2026-01-01 - now", &[], "2025-03-02"),
        Value::Number(305.0)
    );
    assert_eq!(
        value("now + 1mo", &[], "2025-01-31"),
        Value::Date(d("2025-02-28"))
    );
    assert_eq!(
        value("now - 1y", &[], "2024-02-29"),
        Value::Date(d("2023-02-28"))
    );
    assert_eq!(
        value("percent(3)", &[], "2025-01-01"),
        Value::Str("300%".into())
    );
    assert_eq!(
        value("1 + 2 * 3 - -1", &[], "2025-01-01"),
        Value::Number(8.0)
    );
    assert_eq!(value("300% == 3", &[], "2025-01-01"), Value::Bool(true));
    // Ratios of decimal data meet the thresholds written for them.
    assert_eq!(
        value("5520 / 4800 - 1 >= 15%", &[], "2025-01-01"),
        Value::Bool(true)
    );
    assert_eq!(
        value("0.1 + 0.2 == 0.3", &[], "2025-01-01"),
        Value::Bool(true)
    );
    assert_eq!(value("0.15 > 0.1499", &[], "2025-01-01"), Value::Bool(true));
    assert_eq!(
        value("\"a\" != \"b\"", &[], "2025-01-01"),
        Value::Bool(true)
    );
    assert_eq!(value("9999-12-31 + 1d", &[], "2025-01-01"), Value::None);
}

fn statuses(rules: &str, data: &[(&str, Rows)], at: &str) -> Vec<(String, Status)> {
    let m = model(rules, data);
    evaluate(&m, d(at))
        .into_iter()
        .map(|r| (r.name, r.status))
        .collect()
}

#[test]
fn for_windows_need_every_day_true() {
    let level: Rows = &[("2025-04-01", 1.0), ("2025-04-03", 9.0)];
    let rules = "indicator high { when: latest(level) > 5 for: 3d }\nalert escalate { when: high }";
    let data = &[("level", level)];
    assert_eq!(
        statuses(rules, data, "2025-04-04"),
        [
            ("high".into(), Status::Pending),
            ("escalate".into(), Status::NotMet)
        ]
    );
    assert_eq!(
        statuses(rules, data, "2025-04-05"),
        [
            ("high".into(), Status::Met),
            ("escalate".into(), Status::Met)
        ]
    );
    assert_eq!(statuses(rules, data, "2025-04-02")[0].1, Status::NotMet);
    assert_eq!(statuses(rules, data, "2025-03-01")[0].1, Status::Unknown);
    // An unknown day inside the window keeps it pending.
    let gap = "indicator g { when: latest(level) > 0 for: 2d }";
    assert_eq!(statuses(gap, data, "2025-04-01")[0].1, Status::Pending);
    assert_eq!(statuses(gap, data, "2025-04-02")[0].1, Status::Met);
}

#[test]
fn weighted_and_summaries() {
    let rules = r#"
indicator a { when: latest(s) > 5 }
indicator b { when: latest(s) > 100 }
indicator c { when: latest(missing_data) > 1 }
let score = weighted(a: 2, b: 3, c: 10)
alert high_score { severity: critical when: score >= 2 summary: "score {score}, s at {latest(s)} ({percent(pct_change(s, 1mo))}) on {now}; {{ok}}" }
"#;
    let m = model(rules, &[("s", S), ("missing_data", &[])]);
    let res = evaluate(&m, d("2025-03-10"));
    let alert = &res[3];
    assert_eq!(alert.status, Status::Met);
    assert_eq!(
        alert.summary.as_deref(),
        Some("score 2, s at 12 (100%) on 2025-03-10; {ok}")
    );
    assert_eq!(res[2].status, Status::Unknown);
    assert_eq!(&*alert.evidence[0].expr, "score");
}

#[test]
fn filters_and_projections() {
    use crate::data::Batch;
    let batch = Batch {
        series: "acled".into(),
        dates: vec![d("2025-01-01"), d("2025-01-02"), d("2025-01-03")],
        values: vec![1.0, 1.0, 1.0],
        lines: [2, 3, 4].into_iter().collect(),
        field_names: vec!["ACTOR1".into(), "FATALITIES".into()],
        cells: ["Houthi forces", "3", "US Navy", "0", "houthis", ""]
            .into_iter()
            .map(Into::into)
            .collect(),
        ..Batch::default()
    };
    let store = Store::build([&FileData {
        file: FileId(1),
        batches: vec![batch],
        ..FileData::default()
    }]);
    let rules = r#"
series h = acled[actor1 ~ "HOUTHI"]
let a = count(h, 1y)
let b = sum(acled.fatalities, 1y)
let c = count(acled[fatalities >= 1], 1y)
let e = count(h[fatalities == 3], 1y)
let f = count(acled[actor1 in ["US Navy", "x"]], 1y)
let g = count(acled[actor1 != "US Navy", value == 1], 1y)
let i = count(acled[nope == ""], 1y)
let j = sum(h.fatalities, 1y) + count(h[value == 1].fatalities, 1y) * 10
"#;
    let mut sources = SourceMap::new();
    let id = sources.add("t.rules", rules);
    let (file, _) = parse_file(id, rules);
    let checked = check(&[(id, &file)], &["acled"]);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    let m = Model::build(checked.program, &store);
    let mut ev = Evaluator::new(&m);
    let got: Vec<Value> = m
        .program
        .lets
        .iter()
        .map(|l| ev.eval(&l.value, d("2025-02-01")))
        .collect();
    let want = [2.0, 3.0, 1.0, 1.0, 1.0, 2.0, 3.0, 13.0].map(Value::Number);
    assert_eq!(got, want);
    let codes: Vec<_> = m.warnings.iter().map(|w| w.code).collect();
    assert_eq!(
        codes,
        [
            crate::diag::Code::ProjectionSkipped,
            // "x" of `in ["US Navy", "x"]`.
            crate::diag::Code::FilterValueAbsent,
            crate::diag::Code::UnknownFilterField,
            crate::diag::Code::ProjectionSkipped,
            crate::diag::Code::ProjectionSkipped,
        ]
    );
    // Counted among the rows the filters before it kept.
    assert!(m.warnings[3].message.starts_with("1 of the 2 observations"));
    assert!(m.warnings[4].message.starts_with("1 of the 2 observations"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const RULES: &str = r#"
indicator a { when: growth(s, 1mo) > 0 for: 5d }
indicator b { when: pct_change(s, 10d) > 10% or zscore(s, 30d) > 1 }
indicator c { when: resumed(s, quiet: 15d, within: 10d) and trend(s, 20d) > 0 }
indicator d { when: days_since(s) < 5 and avg(s, 7d) > min(s, 60d) }
alert e { when: count_true(a, b, c, d) >= 2 for: 3d }
"#;

    fn rows() -> impl Strategy<Value = Vec<(i32, f64)>> {
        proptest::collection::vec((0i32..200, prop_oneof![Just(0.0), 0.0f64..20.0]), 0..80)
    }

    fn board(rows: &[(i32, f64)], t: Date) -> Vec<Status> {
        let mut rows = rows.to_vec();
        rows.sort_by_key(|r| r.0);
        let dates: Vec<String> = rows
            .iter()
            .map(|r| Date(20_000 + r.0).to_string())
            .collect();
        let data: Vec<(&str, f64)> = dates
            .iter()
            .map(String::as_str)
            .zip(rows.iter().map(|r| r.1))
            .collect();
        let m = model(RULES, &[("s", &data)]);
        evaluate(&m, t).into_iter().map(|r| r.status).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn observations_after_t_change_nothing(past in rows(), future in rows(), t in 0i32..200) {
            let t = Date(20_000 + t);
            let later: Vec<(i32, f64)> = future.iter().map(|r| (r.0 + 201, r.1)).collect();
            let mut all = past.clone();
            all.extend(later);
            prop_assert_eq!(board(&past, t), board(&all, t));
        }

        #[test]
        fn evaluation_is_deterministic(past in rows(), t in 0i32..200) {
            let t = Date(20_000 + t);
            prop_assert_eq!(board(&past, t), board(&past, t));
        }
    }
}

/// For every window function: an observation dated exactly `T - d` has
/// just left the window (the result is as if it did not exist), one dated
/// the day after has just entered (the result changes), over plain days,
/// a calendar month ending on the 31st and a year across a leap day.
#[test]
fn every_window_function_at_the_day_that_enters_and_the_day_that_leaves() {
    let base: Rows = &[
        ("2024-01-10", 3.0),
        ("2024-01-20", 5.0),
        ("2024-02-05", 8.0),
        ("2024-02-20", 2.0),
        ("2024-02-29", 6.0),
        ("2024-03-20", 4.0),
        ("2024-03-31", 9.0),
    ];
    let cases = [
        // (window, T, the day that leaves, the day that enters, the day
        // that leaves growth's earlier window)
        (
            "30d",
            "2024-03-31",
            "2024-03-01",
            "2024-03-02",
            "2024-01-31",
        ),
        (
            "1mo",
            "2024-03-31",
            "2024-02-29",
            "2024-03-01",
            "2024-01-31",
        ),
        ("1y", "2025-02-28", "2024-02-28", "2024-02-29", "2023-02-28"),
    ];
    let funcs = [
        "sum", "count", "avg", "min", "max", "trend", "zscore", "growth",
    ];
    for (window, t, leaves, enters, leaves_earlier) in cases {
        for f in funcs {
            let expr = format!("{f}(s, {window})");
            let with = |day: &str, value: f64| {
                let mut rows: Vec<(&str, f64)> =
                    base.iter().copied().filter(|r| r.0 != day).collect();
                rows.push((day, value));
                rows.sort_by_key(|r| d(r.0));
                value_of(&expr, &rows, t)
            };
            let without = |day: &str| {
                let rows: Vec<(&str, f64)> = base.iter().copied().filter(|r| r.0 != day).collect();
                value_of(&expr, &rows, t)
            };
            // A far-off value on the boundary day changes any function that
            // sees it (a large one for most, a small one for `min`).
            let leaves = if f == "growth" {
                leaves_earlier
            } else {
                leaves
            };
            for probe in [1000.0, -1000.0] {
                assert_eq!(
                    with(leaves, probe),
                    without(leaves),
                    "{expr} at {t}: {leaves} must be out"
                );
            }
            let seen = [1000.0, -1000.0]
                .iter()
                .any(|&p| with(enters, p) != without(enters));
            assert!(seen, "{expr} at {t}: {enters} must be in");
        }
    }
}

fn value_of(expr: &str, rows: &[(&str, f64)], at: &str) -> Value {
    value(expr, &[("s", rows)], at)
}

/// `for:` answered from the run of true days carried forward, against the
/// plain definition (met when `when` is true at `t` and on every day of
/// `(t - d, t)`), day by day on random data.
mod for_windows {
    use super::*;
    use crate::time::Duration;
    use proptest::prelude::*;

    fn board_model(rows: &[(i32, f64)], window: &str) -> Model {
        let mut rows = rows.to_vec();
        rows.sort_by_key(|r| r.0);
        rows.dedup_by_key(|r| r.0);
        let dates: Vec<String> = rows
            .iter()
            .map(|r| Date(20_000 + r.0).to_string())
            .collect();
        let data: Vec<(&str, f64)> = dates
            .iter()
            .map(String::as_str)
            .zip(rows.iter().map(|r| r.1))
            .collect();
        model(
            &format!("indicator a {{ when: latest(s) > 1 and days_since(s) < 20 for: {window} }}"),
            &[("s", &data)],
        )
    }

    /// The plain definition, from `when` alone.
    fn naive(ev: &mut Evaluator, t: Date, d: Duration) -> Status {
        match ev.when(0, t) {
            None => Status::Unknown,
            Some(false) => Status::NotMet,
            Some(true) => {
                let start = t.minus(d).unwrap_or(Date::MIN);
                let mut day = t.add_days(-1);
                while let Some(p) = day.filter(|p| *p > start) {
                    if ev.when(0, p) != Some(true) {
                        return Status::Pending;
                    }
                    day = p.add_days(-1);
                }
                Status::Met
            }
        }
    }

    fn window() -> impl Strategy<Value = (String, Duration)> {
        prop_oneof![
            (1i64..90).prop_map(|n| (format!("{n}d"), Duration::Days(n))),
            (1i64..4).prop_map(|n| (format!("{n}mo"), Duration::Months(n))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn the_carried_run_matches_the_plain_definition(
            rows in proptest::collection::vec((0i32..400, prop_oneof![Just(0.0), Just(5.0)]), 0..120),
            (text, d) in window(),
            reverse in any::<bool>(),
        ) {
            let m = board_model(&rows, &text);
            let mut days: Vec<Date> = (-10..420).map(|k| Date(20_000 + k)).collect();
            if reverse {
                days.reverse();
            }
            let (mut carried, mut plain) = (Evaluator::new(&m), Evaluator::new(&m));
            for t in days {
                prop_assert_eq!(carried.status(0, t), naive(&mut plain, t, d), "at {}", t);
            }
        }
    }

    #[test]
    fn walking_forward_looks_at_each_day_about_once() {
        let m = model("indicator a { when: true for: 10y }", &[]);
        let mut ev = Evaluator::new(&m);
        let days = 5 * 366;
        for k in 0..days {
            assert_eq!(ev.status(0, Date(20_000 + k)), Status::Met);
        }
        // The first day looks back over the whole window (3,653 days);
        // each later day at itself alone. Walking the window again every
        // day would take millions.
        let lookups = ev.when_lookups();
        assert!(lookups <= days as usize + 3_700, "{lookups} lookups");
    }
}

/// A chain of lets, each reading the next at the bottom of a tall chain of
/// `+`, is explained within the tree's bounds, cut where they are reached.
#[test]
fn an_explanation_of_tall_definitions_is_cut_at_its_bounds() {
    fn walk(e: &explain::Explained, depth: usize, stats: &mut (usize, usize, usize, usize)) {
        stats.0 += 1;
        stats.1 = stats.1.max(depth);
        stats.2 += usize::from(e.cut);
        stats.3 = stats.3.max(e.expr.chars().count());
        for c in &e.children {
            walk(c, depth + 1, stats);
        }
    }
    let run = || {
        let mut rules = String::from("let l6 = latest(s)\nindicator big { when: l0 > 0 }\n");
        for i in 0..6 {
            rules.push_str(&format!("let l{i} = l{}{}\n", i + 1, " + 1".repeat(250)));
        }
        let m = model(&rules, &[("s", S)]);
        let store = Store::default();
        let mut ev = Evaluator::new(&m);
        let ex = explain::explain(&mut ev, &store, 0, d("2025-03-01"));
        let mut stats = (0, 0, 0, 0);
        walk(&ex.when, 1, &mut stats);
        stats
    };
    // Lowering six lets of 251 levels needs more than a test thread's stack.
    let (nodes, depth, cut, longest) = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
    assert!(nodes <= explain::MAX_NODES, "{nodes} nodes");
    assert_eq!(depth, explain::MAX_TREE_DEPTH);
    assert_eq!(cut, 1);
    assert_eq!(longest, explain::MAX_EXPR_CHARS + 1);
}

/// The start of an expression's text, written up to a limit, is the start
/// of the whole text.
#[test]
fn the_start_of_a_long_text_is_the_start_of_the_text() {
    let chain = vec!["latest(s)"; 200].join(" - ");
    let m = model(
        &format!(
            "let x = not ({chain} > 1) or resumed(s, quiet: 1mo, within: 14d) and -(1 + 2) * 3 > 0"
        ),
        &[("s", S)],
    );
    let n = &m.program.lets[0].value;
    let whole = describe::show(n, &m.program);
    assert!(whole.starts_with("not latest(s) - latest(s)"), "{whole}");
    assert!(
        whole.ends_with("resumed(s, quiet: 1mo, within: 14d) and -(1 + 2) * 3 > 0"),
        "{whole}"
    );
    for limit in [0, 1, 10, 100, 1000, whole.len()] {
        let start = describe::show_upto(n, &m.program, limit);
        assert!(whole.starts_with(&start), "{limit}: {start}");
        assert!(start.len() >= limit.min(whole.len()), "{limit}: {start}");
        assert!(start.len() < limit + 20, "{limit}: {start}");
    }
}

/// A calendar bucket counts from the day the data completes it: its last
/// day on or before the newest observation dated `<= T`. Rows dated after
/// `T` must not complete it, so a rule reads the same at `T` with them as
/// without them (and a backtest says what the daemon said on the day).
#[test]
fn a_bucket_is_read_only_once_the_data_up_to_t_completes_it() {
    let rows: Rows = &[
        ("2025-01-05", 1.0),
        ("2025-02-10", 1.0),
        ("2025-02-11", 1.0),
        ("2025-03-05", 1.0),
        ("2025-03-06", 1.0),
        ("2025-03-20", 1.0),
        ("2025-04-15", 1.0),
    ];
    let cut: Rows = &rows[..6];
    let exprs = [
        "latest(monthly(ev, count))",
        "sum(monthly(ev, count), 60d)",
        "count(monthly(ev, sum), 1y)",
        "days_since(monthly(ev, count))",
        "latest(monthly(daily(ev, last), sum))",
    ];
    for at in ["2025-03-31", "2025-04-10", "2025-04-14"] {
        for e in exprs {
            let (all, before) = (value(e, &[("ev", rows)], at), value(e, &[("ev", cut)], at));
            assert_eq!(all, before, "{e} at {at}");
        }
    }
    // February is complete from 2025-03-05, March from 2025-04-15.
    let latest = |at| num("latest(monthly(ev, count))", &[("ev", rows)], at);
    assert_eq!(latest("2025-03-04"), Some(1.0));
    assert_eq!(latest("2025-03-05"), Some(2.0));
    assert_eq!(latest("2025-04-14"), Some(2.0));
    assert_eq!(latest("2025-04-15"), Some(3.0));
    assert_eq!(
        num(
            "days_since(monthly(ev, count))",
            &[("ev", rows)],
            "2025-04-14"
        ),
        Some(45.0)
    );
    // What is read before `T` is read as at `T`: January, complete from
    // 2025-02-10, is there for the value 30 days back and for the earlier
    // window of a growth at 2025-03-05 (February 2 against January 1).
    let at = |e: &str, at: &str| num(e, &[("ev", rows)], at);
    assert_eq!(at("ago(monthly(ev, count), 30d)", "2025-03-05"), Some(1.0));
    assert_eq!(
        at("growth(monthly(ev, count), 1mo)", "2025-03-05"),
        Some(1.0)
    );
    // Before the data completes January, neither is known.
    assert_eq!(at("ago(monthly(ev, count), 5d)", "2025-02-09"), None);
    for e in [
        "ago(monthly(ev, count), 30d)",
        "growth(monthly(ev, count), 1mo)",
    ] {
        for day in ["2025-03-05", "2025-04-10", "2025-04-14"] {
            assert_eq!(
                value(e, &[("ev", rows)], day),
                value(e, &[("ev", cut)], day),
                "{e} at {day}"
            );
        }
    }
}

/// An instance is named with its fields sorted, whatever the order `by:`
/// writes them in: the name the state folder, `history` and the daemon's
/// events give it.
#[test]
fn instance_names_sort_their_fields() {
    let labels = [("region", "North"), ("note", "a \"b\"")];
    assert_eq!(
        super::instance_name("busy", &labels),
        r#"busy{note="a \"b\"", region="North"}"#
    );
    let map: std::collections::BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(
        super::instance_name("busy", &labels),
        crate::change::instance_key("busy", &map)
    );
    assert_eq!(super::instance_name::<&str, &str>("busy", &[]), "busy");
}

/// A warning about a step that derived series repeat (a filter on a field
/// the data lacks) is said once, though each series names itself in it.
#[test]
fn a_step_shared_by_derived_series_is_warned_of_once() {
    use crate::workspace::{load, SourceFile};
    let rules = "series a = s[kind == \"x\"]\n\
                 series m = monthly(a, count)\n\
                 indicator i { when: count(a, 30d) > 0 and latest(m) > 0 }\n";
    let ws = load(
        &[SourceFile::text("r.rules", rules)],
        &[SourceFile::text("s.csv", "date,value\n2025-01-01,1\n")],
    );
    let w001: Vec<_> = ws
        .diagnostics
        .iter()
        .filter(|d| d.code == crate::diag::Code::UnknownFilterField)
        .collect();
    assert_eq!(w001.len(), 1, "{w001:?}");
}

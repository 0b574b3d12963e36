//! The evaluator: each window function on a ten-year daily series (one
//! call at a date, the dates spread over the series so that no answer is
//! served from a cache), and whole evaluations per rule·day — a daily
//! backtest of a small ruleset over a year, and a one-shot evaluation with
//! its evidence.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration as StdDuration;
use tocsin::eval::{backtest, evaluate, Evaluator, Model};
use tocsin::lang::program::{Node, NodeKind};
use tocsin::time::{Date, Duration};
use tocsin::workspace::{load, SourceFile};

/// One indicator per function; `s` is a daily series of ten years, `ev` an
/// event list over the same years (an event on about 5% of the days).
const WINDOWS: [(&str, &str); 13] = [
    ("latest", "latest(s) > 0"),
    ("ago 30d", "ago(s, 30d) > 0"),
    ("pct_change 30d", "pct_change(s, 30d) > 0"),
    ("sum 30d", "sum(s, 30d) > 0"),
    ("count 30d", "count(s, 30d) > 0"),
    ("avg 30d", "avg(s, 30d) > 0"),
    ("min 365d", "min(s, 365d) > 0"),
    ("max 365d", "max(s, 365d) > 0"),
    ("growth 365d", "growth(s, 365d) > 0"),
    ("trend 90d", "trend(s, 90d) > 0"),
    ("zscore 365d", "zscore(s, 365d) > 0"),
    ("days_since", "days_since(ev) > 0"),
    ("resumed 60d/30d", "resumed(ev, quiet: 60d, within: 30d)"),
];

fn model(rules: Vec<SourceFile>, data: Vec<SourceFile>) -> Model {
    let ws = load(&rules, &data);
    assert!(!ws.has_errors(), "the bench's rules do not check");
    ws.model.expect("a model")
}

/// The function call of a condition `CALL > 0` (or the whole condition).
fn call(when: &Node) -> &Node {
    match &when.kind {
        NodeKind::Binary(_, left, _) => left,
        _ => when,
    }
}

fn windows(c: &mut Criterion) {
    let ten_years = 3653;
    let mut rules = String::new();
    for (k, (_, when)) in WINDOWS.iter().enumerate() {
        rules.push_str(&format!("indicator w{k} {{ when: {when} }}\n"));
    }
    let model = model(
        vec![common::source("rules/w.rules", rules)],
        vec![
            common::source("indicators/s.csv", common::value_csv(ten_years, 1)),
            common::source("indicators/ev.csv", common::events_csv(ten_years, 0.05, 3)),
        ],
    );
    // 512 dates spread over the last eight years, visited in a scrambled
    // order.
    let all = common::days(ten_years);
    let dates: Vec<Date> = (0..512)
        .map(|k| all[ten_years - 1 - (k * 397) % (8 * 365)])
        .collect();
    let mut g = c.benchmark_group("window (10y daily series)");
    g.throughput(Throughput::Elements(1));
    for (k, (label, _)) in WINDOWS.iter().enumerate() {
        let node = call(&model.program.rules[k].when);
        let mut ev = Evaluator::new(&model);
        let mut i = 0usize;
        g.bench_function(*label, |b| {
            b.iter(|| {
                i = (i + 1) & 511;
                black_box(ev.eval(node, black_box(dates[i])))
            })
        });
    }
    g.finish();
}

fn rule_days(c: &mut Criterion) {
    // 40 rules with the generated mix (every fifth with `for: 7d`) over 40
    // daily series of three years; the backtest walks the last year.
    let rules = 40;
    let texts = common::rule_texts(rules, rules, 40, 11);
    let model = model(
        texts
            .into_iter()
            .enumerate()
            .map(|(i, t)| common::source(&format!("rules/r{i}.rules"), t))
            .collect(),
        common::data_files(40, 3 * 365 + 1),
    );
    let end = common::end();
    let from = end.add_days(-364).expect("in range");
    let dates = backtest::steps(from, end, Duration::Days(1));
    let mut g = c.benchmark_group("evaluation");
    g.throughput(Throughput::Elements((rules * dates.len()) as u64));
    g.bench_function("backtest 40 rules x 365 days (per rule-day)", |b| {
        b.iter(|| {
            black_box(backtest::run(
                &model,
                &dates,
                Duration::Days(1),
                None,
                |_| {},
            ))
        })
    });
    g.throughput(Throughput::Elements(rules as u64));
    g.bench_function("one date with evidence, 40 rules (per rule)", |b| {
        b.iter(|| black_box(evaluate(&model, black_box(end))))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(StdDuration::from_secs(2))
        .warm_up_time(StdDuration::from_millis(500))
        .sample_size(20);
    targets = windows, rule_days
}
criterion_main!(benches);

//! `percentile`, `median` and `distinct` the way a backtest asks for them:
//! over a one-year window, on every day of a ten-year daily series, through
//! the rank indexes, against the same answers computed by sorting (or
//! hashing) the window on each call.

mod common;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rustc_hash::FxHashSet;
use std::hint::black_box;
use std::time::Duration as StdDuration;
use tocsin::eval::{Evaluator, Model};
use tocsin::lang::program::{Node, NodeKind};
use tocsin::time::{Date, Duration};
use tocsin::workspace::{load, Workspace};

const TEN_YEARS: usize = 3653;
const YEAR: Duration = Duration::Days(365);

/// A ten-year daily series with a `station` field among 40 names.
fn workspace() -> Workspace {
    let days = common::days(TEN_YEARS);
    let values = common::walk(TEN_YEARS, 7);
    let mut rnd = common::Lcg::new(3);
    let mut csv = String::from("date,value,station\n");
    for (d, v) in days.iter().zip(values) {
        csv.push_str(&format!("{d},{v:.2},S{}\n", rnd.below(40)));
    }
    let rules = "indicator p { when: percentile(s, 365d, 90) > 0 }\n\
        indicator m { when: median(s, 365d) > 0 }\n\
        indicator d { when: distinct(s, 365d, station) > 0 }\n";
    let ws = load(
        &[common::source("rules/s.rules", rules.to_string())],
        &[common::source("indicators/s.csv", csv)],
    );
    assert!(!ws.has_errors(), "the bench's rules do not check");
    ws
}

/// The call of rule `r`'s condition `CALL > 0`.
fn call(model: &Model, r: usize) -> &Node {
    match &model.program.rules[r].when.kind {
        NodeKind::Binary(_, left, _) => left,
        _ => unreachable!("a comparison"),
    }
}

/// The 90th percentile of `values` by sorting a copy: the baseline.
fn sorted_percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut copy = values.to_vec();
    copy.sort_unstable_by(f64::total_cmp);
    let rank = (copy.len().checked_sub(1)? as f64) * p / 100.0;
    let k = rank.floor() as usize;
    let frac = rank - rank.floor();
    Some(match copy.get(k + 1) {
        Some(b) if frac > 0.0 => copy[k] + (b - copy[k]) * frac,
        _ => copy[k],
    })
}

fn every_day(c: &mut Criterion) {
    let ws = workspace();
    let model = ws.model.as_ref().expect("a model");
    let days: Vec<Date> = common::days(TEN_YEARS);
    let timeline = &model.timelines[0];
    let stations: Vec<String> = (0..timeline.len())
        .map(|i| {
            let row = model.origins[0]
                .row(i)
                .expect("a row: the series is not bucketed");
            let s = ws.store.series(model.origins[0].series.unwrap());
            s.fields
                .get(s.fields.column("station").unwrap(), row)
                .to_string()
        })
        .collect();
    let mut g = c.benchmark_group("1y window on every day of a 10y daily series");
    g.throughput(Throughput::Elements(TEN_YEARS as u64));
    for (label, r) in [
        ("percentile 90 (rank index)", 0),
        ("median (rank index)", 1),
        ("distinct (index of first occurrences)", 2),
    ] {
        let node = call(model, r);
        let mut ev = Evaluator::new(model);
        // The indexes are built by the first call, once per load; calls
        // are not memoised (only lets and rules are), so every day is
        // computed.
        ev.eval(node, days[TEN_YEARS - 1]);
        g.bench_function(label, |b| {
            b.iter(|| {
                for &t in &days {
                    black_box(ev.eval(node, t));
                }
            })
        });
    }
    g.bench_function("percentile 90 (sort per call, baseline)", |b| {
        b.iter(|| {
            for &t in &days {
                let w = timeline.window(t, YEAR);
                black_box(sorted_percentile(&timeline.values()[w.lo..w.hi], 90.0));
            }
        })
    });
    g.bench_function("distinct (hash set per call, baseline)", |b| {
        b.iter(|| {
            for &t in &days {
                let w = timeline.window(t, YEAR);
                let set: FxHashSet<&str> = stations[w.lo..w.hi]
                    .iter()
                    .map(String::as_str)
                    .filter(|s| !s.is_empty())
                    .collect();
                black_box(set.len());
            }
        })
    });
    // What a fresh load pays once: the first call builds the index.
    for (label, r) in [
        ("first percentile call (builds the index)", 0),
        ("first distinct call (builds the index)", 2),
    ] {
        g.throughput(Throughput::Elements(1));
        g.bench_function(label, |b| {
            b.iter_batched(
                || Model::build(model.program.clone(), &ws.store),
                |fresh| {
                    let mut ev = Evaluator::new(&fresh);
                    black_box(ev.eval(call(&fresh, r), days[TEN_YEARS - 1]));
                    fresh
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(StdDuration::from_secs(2))
        .warm_up_time(StdDuration::from_millis(500))
        .sample_size(20);
    targets = every_day
}
criterion_main!(benches);

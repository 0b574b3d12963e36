//! Synthetic inputs shared by the benches: daily series as CSV and NDJSON,
//! event lists with fields, and rule files with the language's function
//! mix (the shapes `bench/gen_prom.py` writes). Deterministic: a fixed
//! linear congruential generator, no dependency.

#![allow(dead_code)]

use std::fmt::Write;
use tocsin::time::Date;
use tocsin::workspace::{Contents, SourceFile};

/// A small deterministic random source.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407))
    }

    /// Uniform in [0, 1).
    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal, mean 0, standard deviation 1 (sum of uniforms).
    pub fn gauss(&mut self) -> f64 {
        (0..12).map(|_| self.next()).sum::<f64>() - 6.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() * n as f64) as usize % n
    }
}

/// The last day of every generated series.
pub fn end() -> Date {
    Date::from_ymd(2026, 11, 1).expect("valid date")
}

/// `days` consecutive dates ending with [`end`].
pub fn days(days: usize) -> Vec<Date> {
    let last = end();
    (0..days)
        .map(|k| last.add_days(k as i64 - days as i64 + 1).expect("in range"))
        .collect()
}

/// A daily random walk, values rounded to cents as a data file holds them.
pub fn walk(days: usize, seed: u64) -> Vec<f64> {
    let mut rnd = Lcg::new(seed);
    let mut level = 10.0 + 90.0 * rnd.next();
    (0..days)
        .map(|_| {
            level = (level + 2.0 * rnd.gauss()).max(0.0);
            (level * 100.0).round() / 100.0
        })
        .collect()
}

/// A CSV value file: `date,value`, one row a day.
pub fn value_csv(days_n: usize, seed: u64) -> String {
    let mut out = String::from("date,value\n");
    for (d, v) in days(days_n).iter().zip(walk(days_n, seed)) {
        let _ = writeln!(out, "{d},{v:.2}");
    }
    out
}

/// The same observations as NDJSON, one object a line.
pub fn value_ndjson(days_n: usize, seed: u64) -> String {
    let mut out = String::new();
    for (d, v) in days(days_n).iter().zip(walk(days_n, seed)) {
        let _ = writeln!(out, "{{\"date\":\"{d}\",\"value\":{v:.2}}}");
    }
    out
}

/// An event list with string fields: `date,actor,target,fatalities`, an
/// event on about `rate` of the days.
pub fn events_csv(days_n: usize, rate: f64, seed: u64) -> String {
    let actors = ["Houthi forces", "PLA Navy", "Unknown"];
    let targets = ["tanker", "bulk carrier", "naval", "container ship"];
    let mut rnd = Lcg::new(seed);
    let mut out = String::from("date,actor,target,fatalities\n");
    for d in days(days_n) {
        if rnd.next() < rate {
            let _ = writeln!(
                out,
                "{d},{},{},{}",
                actors[rnd.below(actors.len())],
                targets[rnd.below(targets.len())],
                rnd.below(4)
            );
        }
    }
    out
}

/// The conditions of generated rules, `{s}` standing for a series name:
/// the same mix as `bench/gen_prom.py`.
pub const SHAPES: [&str; 8] = [
    "growth({s}, 365d) >= 10%",
    "pct_change({s}, 30d) > 5%",
    "sum({s}, 30d) > 1500",
    "count(events[actor ~ \"houthi\"], 30d) >= 2",
    "resumed(events[actor ~ \"pla\"], quiet: 60d, within: 30d)",
    "trend({s}, 90d) > 0",
    "avg({s}, 7d) > max({s}, 365d) * 0.9",
    "zscore({s}, 365d) > 2",
];

/// `rules` rules over series `s0000`.. `s{series-1}` (and `events`),
/// `per_file` a file; every fifth with `for: 7d`, every fourth an alert.
pub fn rule_texts(rules: usize, per_file: usize, series: usize, seed: u64) -> Vec<String> {
    let mut rnd = Lcg::new(seed);
    let mut files = Vec::new();
    let mut k = 0;
    while k < rules {
        let mut text = String::new();
        for _ in 0..per_file.min(rules - k) {
            let s = format!("s{:04}", rnd.below(series));
            let when = SHAPES[k % SHAPES.len()].replace("{s}", &s);
            let kind = if k % 4 == 0 { "alert" } else { "indicator" };
            let _ = writeln!(text, "{kind} rule_{k:05} {{");
            if kind == "alert" {
                text.push_str("  severity: warning\n");
            }
            let _ = writeln!(text, "  when: {when}");
            if k % 5 == 0 {
                text.push_str("  for: 7d\n");
            }
            text.push_str("}\n\n");
            k += 1;
        }
        files.push(text);
    }
    files
}

/// A file for the workspace.
pub fn source(name: &str, text: String) -> SourceFile {
    SourceFile {
        name: name.to_string(),
        contents: Contents::Text(text),
    }
}

/// The data files for `series` value series of `days_n` days plus an
/// `events` list.
pub fn data_files(series: usize, days_n: usize) -> Vec<SourceFile> {
    let mut files: Vec<SourceFile> = (0..series)
        .map(|s| {
            source(
                &format!("indicators/s{s:04}.csv"),
                value_csv(days_n, s as u64 + 1),
            )
        })
        .collect();
    files.insert(
        0,
        source("indicators/events.csv", events_csv(days_n, 0.05, 99)),
    );
    files
}

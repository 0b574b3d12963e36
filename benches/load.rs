//! Loading indicator data, in MB/s: tocsin's CSV and NDJSON loaders on a
//! ten-year daily series and on an event list with string fields, beside
//! what it costs merely to split the same text — the `csv` crate reading
//! raw `ByteRecord`s, and `serde_json` skimming each NDJSON line — as the
//! ceiling a loader that checks every cell can approach.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde::de::IgnoredAny;
use std::hint::black_box;
use std::time::Duration;
use tocsin::data::{load_text, Format};
use tocsin::diag::FileId;

fn byte_records(text: &str) -> usize {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::ByteRecord::new();
    let mut n = 0;
    while reader.read_byte_record(&mut record).unwrap_or(false) {
        n += record.len();
    }
    n
}

fn skim_lines(text: &str) -> usize {
    text.lines()
        .filter(|l| serde_json::from_str::<IgnoredAny>(l).is_ok())
        .count()
}

fn bench(c: &mut Criterion) {
    let ten_years = 3653;
    let values = common::value_csv(ten_years, 1);
    let events = common::events_csv(ten_years, 0.5, 2);
    let ndjson = common::value_ndjson(ten_years, 1);

    let mut g = c.benchmark_group("csv");
    for (label, text) in [("daily values 10y", &values), ("event list 10y", &events)] {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("tocsin/{label}"), |b| {
            b.iter(|| {
                load_text(FileId(0), "s", Format::Csv, black_box(text)).map(|d| d.batches.len())
            })
        });
        g.bench_function(format!("csv ByteRecord (ceiling)/{label}"), |b| {
            b.iter(|| byte_records(black_box(text)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("ndjson");
    g.throughput(Throughput::Bytes(ndjson.len() as u64));
    g.bench_function("tocsin/daily values 10y", |b| {
        b.iter(|| {
            load_text(FileId(0), "s", Format::Ndjson, black_box(&ndjson)).map(|d| d.batches.len())
        })
    });
    g.bench_function("serde_json skim (ceiling)/daily values 10y", |b| {
        b.iter(|| skim_lines(black_box(&ndjson)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(20);
    targets = bench
}
criterion_main!(benches);

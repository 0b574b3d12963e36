//! Parsing rule files, in MB/s: the parser alone, then parsing and
//! checking (names, types, `for:` windows) as `tocsin check` does, on
//! 1,000 generated rules and on the shipped example's rules.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use tocsin::diag::FileId;
use tocsin::lang::parser::parse_file;
use tocsin::library::check;

fn shipped_rules() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "rules"));
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

fn bench(c: &mut Criterion) {
    let generated = common::rule_texts(1000, 100, 1000, 7);
    let names: Vec<String> = (0..1000)
        .map(|s| format!("s{s:04}"))
        .chain(["events".to_string()])
        .collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let shipped = shipped_rules();
    let mut g = c.benchmark_group("rules");
    for (label, files) in [
        ("1000 generated rules", &generated),
        ("shipped example", &shipped),
    ] {
        if files.is_empty() {
            continue;
        }
        let bytes: usize = files.iter().map(String::len).sum();
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function(format!("parse/{label}"), |b| {
            b.iter(|| {
                for (i, text) in files.iter().enumerate() {
                    black_box(parse_file(FileId(i as u32), black_box(text)));
                }
            })
        });
    }
    // Parse and check, as `tocsin check` does once the data's series names
    // are known.
    let bytes: usize = generated.iter().map(String::len).sum();
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("parse+check/1000 generated rules", |b| {
        b.iter(|| {
            let parsed: Vec<_> = generated
                .iter()
                .enumerate()
                .map(|(i, t)| (FileId(i as u32), parse_file(FileId(i as u32), t).0))
                .collect();
            let refs: Vec<_> = parsed.iter().map(|(id, rf)| (*id, rf)).collect();
            black_box(check(&refs, &name_refs))
        })
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

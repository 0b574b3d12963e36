//! The floor under a one-shot `tocsin eval`: read every data file and parse
//! it minimally — split records with the `csv` crate (`ByteRecord`), read
//! the date's digits and the value as an `f64`, keep (date, value) pairs —
//! spread over the cores as tocsin spreads its loading. Not a criterion
//! bench: `bench/run` runs the built binary as a cold process, as it runs
//! `tocsin eval`, with the data folder or files as arguments.
//!
//! Usage: floor [--threads N] PATH...   (a folder: every `.csv` under it)
//! Without a path (as `cargo bench` runs it) it does nothing.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

fn collect(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        if let Ok(entries) = std::fs::read_dir(p) {
            for e in entries.flatten() {
                collect(&e.path(), out);
            }
        }
    } else if p.extension().is_some_and(|e| e == "csv") {
        out.push(p.to_path_buf());
    }
}

fn digits(b: &[u8]) -> Option<i32> {
    b.iter().try_fold(0i32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0'))
    })
}

/// Days since 1970-01-01 of `YYYY-MM-DD` (proleptic Gregorian).
fn day_number(cell: &[u8]) -> Option<i32> {
    if cell.len() != 10 || cell[4] != b'-' || cell[7] != b'-' {
        return None;
    }
    let (y, m, d) = (
        digits(&cell[..4])?,
        digits(&cell[5..7])?,
        digits(&cell[8..])?,
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn parse(path: &Path) -> Vec<(i32, f64)> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(&bytes[..]);
    let mut record = csv::ByteRecord::new();
    let mut rows = Vec::new();
    while reader.read_byte_record(&mut record).unwrap_or(false) {
        let Some(date) = record.get(0).and_then(day_number) else {
            continue;
        };
        let value = record
            .get(1)
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(1.0);
        rows.push((date, value));
    }
    rows
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let mut paths = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--threads" {
            threads = it.next().and_then(|n| n.parse().ok()).unwrap_or(1).max(1);
        } else if !a.starts_with("--") {
            collect(Path::new(a), &mut paths);
        }
    }
    if paths.is_empty() {
        eprintln!("floor: no data files given; nothing to do (bench/run passes them)");
        return;
    }
    paths.sort();
    let next = AtomicUsize::new(0);
    let (rows, sum) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut kept = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(p) = paths.get(k) else { break };
                        kept.push(parse(p));
                    }
                    kept
                })
            })
            .collect();
        let all: Vec<Vec<(i32, f64)>> = workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect();
        let rows: usize = all.iter().map(Vec::len).sum();
        let sum: f64 = all.iter().flatten().map(|r| r.1 + f64::from(r.0)).sum();
        (rows, sum)
    });
    println!(
        "{} files, {rows} observations (checksum {sum:.1})",
        paths.len()
    );
}

//! The fuzz targets' checks, run on stable without libFuzzer: on every
//! input that once made a target fail (`tests/fuzz_regressions/<target>/`)
//! and on the committed seed corpus (`fuzz/corpus/<target>/`). The checks
//! are the very functions the fuzz targets call; see `docs/fuzzing.md`.

#[path = "../../fuzz/src/lib.rs"]
mod checks;

use std::path::{Path, PathBuf};
use tocsin::data::Format;

/// The files of a folder under the crate root, sorted; none if it is absent.
fn files_in(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `check` on every regression input and seed of `target`. Each input
/// runs on its own thread, with the stack the fuzzer's main thread has, so
/// that a failure names its file.
fn run_all(target: &str, check: fn(&[u8])) {
    let regressions = files_in(&format!("tests/fuzz_regressions/{target}"));
    let seeds = files_in(&format!("fuzz/corpus/{target}"));
    assert!(!seeds.is_empty(), "no seed corpus for {target}");
    for path in regressions.iter().chain(&seeds) {
        let input = std::fs::read(path).unwrap();
        let outcome = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || check(&input))
            .unwrap()
            .join();
        assert!(outcome.is_ok(), "{target} fails on {}", path.display());
    }
}

#[test]
fn parse_rules() {
    run_all("parse_rules", checks::parse_rules);
}

#[test]
fn check_rules() {
    run_all("check_rules", checks::check_rules);
}

#[test]
fn format_rules() {
    run_all("format_rules", checks::format_rules);
}

#[test]
fn load_csv() {
    run_all("load_csv", |input| checks::load_data(Format::Csv, input));
}

#[test]
fn load_json() {
    run_all("load_json", |input| checks::load_data(Format::Json, input));
}

#[test]
fn load_ndjson() {
    run_all("load_ndjson", |input| {
        checks::load_data(Format::Ndjson, input)
    });
}

#[test]
fn load_parquet() {
    run_all("load_parquet", |input| {
        checks::load_data(Format::Parquet, input)
    });
}

/// Every seed of `load_parquet` cut short at every length and with each
/// byte changed in turn: the decoder meets broken footers, page headers,
/// dictionaries and compressed pages, and each gives an error, never a
/// panic.
#[test]
fn broken_parquet_files_are_errors() {
    for path in files_in("fuzz/corpus/load_parquet") {
        let seed = std::fs::read(&path).unwrap();
        let mut inputs: Vec<Vec<u8>> = (0..seed.len()).map(|n| seed[..n].to_vec()).collect();
        for i in 0..seed.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut v = seed.clone();
                v[i] ^= flip;
                inputs.push(v);
            }
        }
        let name = path.display().to_string();
        let outcome = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || {
                for input in inputs {
                    checks::load_data(Format::Parquet, &input);
                }
            })
            .unwrap()
            .join();
        assert!(outcome.is_ok(), "a broken copy of {name} panics");
    }
}

#[test]
fn check_and_eval() {
    run_all("check_and_eval", checks::check_and_eval);
}

#[test]
fn long_chains() {
    run_all("long_chains", checks::long_chains);
}

#[test]
fn eval_inputs_split_into_rules_data_and_date() {
    let (rules, csv, date) =
        checks::split_eval_input(b"indicator x { when: true }\0date,value\n\x002025-07-20")
            .unwrap();
    assert_eq!(rules, "indicator x { when: true }");
    assert_eq!(csv, "date,value\n");
    assert_eq!(date, tocsin::time::Date::from_ymd(2025, 7, 20).unwrap());
    let (rules, csv, _) = checks::split_eval_input(b"only rules").unwrap();
    assert_eq!((rules, csv), ("only rules", ""));
    assert!(checks::split_eval_input(b"\xff").is_none());
}

#[test]
fn wide_fields() {
    run_all("wide_fields", checks::wide_fields);
}

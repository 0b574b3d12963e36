//! The checks behind the fuzz targets, one function per target.
//!
//! Each function takes the raw input bytes and panics when tocsin breaks
//! one of its promises (it must never panic on user input, formatting must
//! be stable, ...). The fuzz targets in `fuzz_targets/` call them under
//! libFuzzer; `tests/fuzz_regressions.rs` in the main crate includes this
//! file and calls them on every saved crash, so that the stable test suite
//! keeps guarding each fixed crash without libFuzzer.

use tocsin::data::{self, Format, Store};
use tocsin::diag::render::{self, to_plain_string};
use tocsin::diag::{Code, Diagnostic, SourceMap};
use tocsin::eval::evaluate;
use tocsin::lang::check::check;
use tocsin::lang::format::format_source;
use tocsin::lang::parser::parse_file;
use tocsin::time::Date;
use tocsin::workspace::{self, Contents, SourceFile};

/// The data series names that `check_rules` checks rule files against:
/// those of the seed corpus and of the shipped example.
pub const DATA_SERIES: &[&str] = &[
    "sorties",
    "strikes",
    "gauge",
    "level",
    "incidents",
    "spend_a",
    "red_sea_attacks",
    "pla_aircraft_monthly",
];

/// Renders diagnostics every way the command line can: rustc-style text,
/// one line each, and as JSON records.
fn render_all(diags: &[Diagnostic], sources: &SourceMap) {
    let text = to_plain_string(diags, sources);
    std::hint::black_box(text);
    for d in diags {
        std::hint::black_box(render::one_line(d, sources));
        let record = render::record(d, sources);
        std::hint::black_box(serde_json::to_string(&record).ok());
    }
}

/// `parse_rules`: any UTF-8 text parses (to items and diagnostics) and its
/// diagnostics render.
pub fn parse_rules(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let mut sources = SourceMap::new();
    let id = sources.add("rules/fuzz.rules", text);
    let (_file, diags) = parse_file(id, text);
    render_all(&diags, &sources);
}

/// `check_rules`: any UTF-8 text parses and checks against a few data
/// series names, and every diagnostic renders.
pub fn check_rules(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let mut sources = SourceMap::new();
    let id = sources.add("rules/fuzz.rules", text);
    let (file, mut diags) = parse_file(id, text);
    let checked = check(&[(id, &file)], DATA_SERIES);
    diags.extend(checked.diagnostics);
    render_all(&diags, &sources);
}

/// `format_rules`: when a file formats, the output formats to itself and
/// parses without a diagnostic; a file that parses always formats (the
/// formatter refuses only files with parse errors, or when it has a bug).
pub fn format_rules(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let mut sources = SourceMap::new();
    let id = sources.add("rules/fuzz.rules", text);
    match format_source(id, text) {
        Ok(once) => {
            let (_, diags) = parse_file(id, &once);
            assert!(
                diags.is_empty(),
                "formatted output does not parse:\n{once}\n{diags:?}"
            );
            match format_source(id, &once) {
                Ok(twice) => assert_eq!(once, twice, "formatting is not idempotent"),
                Err(diags) => panic!("formatted output does not format:\n{once}\n{diags:?}"),
            }
        }
        Err(diags) => {
            assert!(
                diags.iter().all(|d| d.code != Code::Unformattable),
                "a file that parses cannot be formatted:\n{text}"
            );
            render_all(&diags, &sources);
        }
    }
}

/// `load_csv`, `load_json`, `load_ndjson`: any UTF-8 text loads or is
/// rejected with a diagnostic that renders; loaded data builds a store.
pub fn load_data(format: Format, input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let name = match format {
        Format::Csv => "indicators/fuzz.csv",
        Format::Json => "indicators/fuzz.json",
        Format::Ndjson => "indicators/fuzz.ndjson",
    };
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    match data::load_text(id, "fuzz", format, text) {
        Ok(fd) => {
            render_all(&fd.warnings, &sources);
            let store = Store::build([&fd]);
            std::hint::black_box(store.observations());
        }
        Err(d) => render_all(&[d], &sources),
    }
}

/// The parts of a `check_and_eval` input: rule text, CSV text and a date.
///
/// The input is split at its first two NUL bytes: rules, then CSV, then an
/// optional third part. The date is the third part read as `YYYY-MM-DD`
/// when it is one, else a date in the years 1..=9999 picked by the bytes
/// of the whole input.
pub fn split_eval_input(input: &[u8]) -> Option<(&str, &str, Date)> {
    let text = std::str::from_utf8(input).ok()?;
    let mut parts = text.splitn(3, '\0');
    let rules = parts.next().unwrap_or("");
    let csv = parts.next().unwrap_or("");
    let rest = parts.next().unwrap_or("");
    let date = Date::parse_iso(rest.trim()).unwrap_or_else(|| {
        let hash = input
            .iter()
            .fold(0u32, |h, &b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        let span = (Date::MAX.0 - Date::MIN.0 + 1) as u32;
        Date(Date::MIN.0 + (hash % span) as i32)
    });
    Some((rules, csv, date))
}

/// `check_and_eval`: a rule file and a CSV file load into a workspace
/// whose diagnostics render; a model that comes out evaluates at a few
/// dates, the extremes included.
pub fn check_and_eval(input: &[u8]) {
    let Some((rules, csv, derived)) = split_eval_input(input) else {
        return;
    };
    let file = |name: &str, text: &str| SourceFile {
        name: name.to_string(),
        contents: Contents::Text(text.to_string()),
    };
    let ws = workspace::load(
        &[file("rules/fuzz.rules", rules)],
        &[file("indicators/data.csv", csv)],
    );
    render_all(&ws.diagnostics, &ws.sources);
    let Some(model) = &ws.model else {
        return;
    };
    let dates = [
        Date::from_ymd(2020, 1, 1),
        Date::from_ymd(2025, 7, 20),
        Some(derived),
        Some(Date::MIN),
        Some(Date::MAX),
    ];
    for t in dates.into_iter().flatten() {
        std::hint::black_box(evaluate(model, t));
    }
}

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
use tocsin::lang::format::format_source;
use tocsin::lang::parser::parse_file;
use tocsin::library::check;
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
    if format == Format::Parquet {
        return load_parquet(input);
    }
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let name = match format {
        Format::Csv => "indicators/fuzz.csv",
        Format::Tsv => "indicators/fuzz.tsv",
        Format::Json => "indicators/fuzz.json",
        Format::Ndjson => "indicators/fuzz.ndjson",
        Format::Parquet => unreachable!("read from its bytes above"),
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

/// `load_parquet`: any bytes load as a Parquet file or are rejected with
/// a diagnostic that renders; loaded data builds a store. The bytes go
/// through a file, as the file layer hands Parquet to the loader.
pub fn load_parquet(input: &[u8]) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "tocsin-fuzz-{}-{}.parquet",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, input).expect("a temporary file");
    let file = std::fs::File::open(&path).expect("the temporary file");
    let _ = std::fs::remove_file(&path);
    let mut sources = SourceMap::new();
    let id = sources.add("indicators/fuzz.parquet", "");
    match data::load_parquet(id, "fuzz", file, &data::ColumnSelection::All) {
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

/// Builds rule text with long operator chains from fuzz bytes: each byte
/// picks the next piece (a literal, a call, brackets, `not`, unary `-`, an
/// operator, or a chain whose length the next byte gives, up to 1,021
/// terms). Number and bool expressions are built apart, so that most
/// inputs type-check and reach evaluation.
pub struct ChainGen<'a> {
    bytes: &'a [u8],
    pos: usize,
    out: String,
}

/// How deeply the generator itself recurses: its own stack stays small,
/// while the chains it writes (built in loops) grow past every limit.
const GEN_DEPTH: u32 = 40;

/// Chain lengths are the byte times this, plus one.
const CHAIN_SCALE: usize = 4;

const NUM_OPS: [&str; 4] = [" + ", " - ", " * ", " / "];
const CMP_OPS: [&str; 6] = [" == ", " != ", " < ", " <= ", " > ", " >= "];
const NUM_LEAVES: [&str; 6] = ["latest(data)", "1", "2.5", "0", "count(data, 30d)", "none"];

impl<'a> ChainGen<'a> {
    /// A generator over `bytes`.
    pub fn new(bytes: &'a [u8]) -> ChainGen<'a> {
        ChainGen {
            bytes,
            pos: 0,
            out: String::new(),
        }
    }

    fn next(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    fn spent(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn chain_len(&mut self) -> usize {
        usize::from(self.next()) * CHAIN_SCALE + 1
    }

    fn num_leaf(&mut self, b: u8) {
        self.out
            .push_str(NUM_LEAVES[usize::from(b) % NUM_LEAVES.len()]);
    }

    /// A number expression.
    pub fn num(&mut self, depth: u32) {
        let b = self.next();
        if depth >= GEN_DEPTH || self.spent() {
            return self.num_leaf(b);
        }
        match b % 8 {
            0 | 1 => self.num_leaf(b / 8),
            2 => {
                self.out.push('-');
                self.num(depth + 1);
            }
            3 => {
                self.out.push('(');
                self.num(depth + 1);
                self.out.push(')');
            }
            4 | 5 => {
                // A long flat chain: the case that once overflowed the stack.
                let n = self.chain_len();
                self.num_leaf(b);
                for k in 0..n {
                    let op = self.next();
                    self.out
                        .push_str(NUM_OPS[(usize::from(op) + k) % NUM_OPS.len()]);
                    if op % 16 == 15 {
                        self.num(depth + 1);
                    } else {
                        self.num_leaf(op / 4);
                    }
                }
            }
            6 => {
                self.num(depth + 1);
                let op = self.next();
                self.out.push_str(NUM_OPS[usize::from(op) % NUM_OPS.len()]);
                self.num(depth + 1);
            }
            _ => {
                // Unary minus repeated: a string of signs.
                let n = usize::from(self.next() % 128);
                for _ in 0..n {
                    self.out.push_str("- ");
                }
                self.num_leaf(b / 8);
            }
        }
    }

    /// A bool expression.
    pub fn bool(&mut self, depth: u32) {
        let b = self.next();
        if depth >= GEN_DEPTH || self.spent() {
            self.out
                .push_str(["true", "false", "none"][usize::from(b) % 3]);
            return;
        }
        match b % 8 {
            0 => self
                .out
                .push_str(["true", "false", "none"][usize::from(b / 8) % 3]),
            1 => {
                self.out.push_str("not ");
                self.bool(depth + 1);
            }
            2 => {
                self.out.push('(');
                self.bool(depth + 1);
                self.out.push(')');
            }
            3 | 4 => {
                self.num(depth + 1);
                self.out
                    .push_str(CMP_OPS[usize::from(b / 8) % CMP_OPS.len()]);
                self.num(depth + 1);
            }
            5 | 6 => {
                let n = self.chain_len();
                self.out.push_str("latest(data) > 1");
                for k in 0..n {
                    let op = self.next();
                    self.out.push_str(if (usize::from(op) + k) % 2 == 0 {
                        " and "
                    } else {
                        " or "
                    });
                    match op % 8 {
                        0 => self.out.push_str("not true"),
                        1 => self.bool(depth + 1),
                        2 => self.out.push_str("count(data, 1y) >= 1"),
                        _ => self.out.push_str("latest(data) < 5"),
                    }
                }
            }
            _ => {
                self.bool(depth + 1);
                self.out.push_str(if b & 8 == 0 { " and " } else { " or " });
                self.bool(depth + 1);
            }
        }
    }

    /// The rule file: a let, an indicator with a `for:` and a summary, and
    /// an alert reading the indicator.
    pub fn rules(mut self) -> String {
        self.out.push_str("let n = ");
        self.num(0);
        self.out.push_str("\nindicator fuzz {\n  when: ");
        self.bool(0);
        let days = self.next() % 16;
        self.out
            .push_str(&format!("\n  for: {days}d\n  summary: \"at {{"));
        self.num(0);
        self.out.push_str("}\"\n}\nalert other {\n  when: fuzz or ");
        self.bool(0);
        self.out.push_str("\n}\n");
        self.out
    }
}

/// `long_chains`: rules with long chains of operators (built from the
/// input by [`ChainGen`]) parse, check, evaluate, explain and format
/// without panicking, on a thread with a 2 MiB stack (the default for
/// threads) so that the depth limits are held to what such a thread has.
pub fn long_chains(input: &[u8]) {
    let rules = ChainGen::new(input).rules();
    let run = move || long_chains_on(&rules);
    let outcome = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(run)
        .map(|h| h.join());
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        // No thread to be had: nothing was checked, nothing failed.
        Err(_) => {}
    }
}

fn long_chains_on(rules: &str) {
    let file = |name: &str, text: &str| SourceFile {
        name: name.to_string(),
        contents: Contents::Text(text.to_string()),
    };
    let ws = workspace::load(
        &[file("rules/fuzz.rules", rules)],
        &[file(
            "indicators/data.csv",
            "date,value\n2025-01-01,3\n2025-02-01,7\n2025-03-01,0\n",
        )],
    );
    render_all(&ws.diagnostics, &ws.sources);
    if let Some(model) = &ws.model {
        for t in [Date::from_ymd(2025, 2, 15), Some(Date::MIN)]
            .into_iter()
            .flatten()
        {
            std::hint::black_box(evaluate(model, t));
        }
        // Explaining evaluates every node of the tree: once is enough.
        if let Some(t) = Date::from_ymd(2025, 3, 1) {
            let mut ev = tocsin::eval::Evaluator::new(model);
            for r in 0..model.program.rules.len() {
                let ex = tocsin::eval::explain::explain(&mut ev, &ws.store, r, t);
                std::hint::black_box(ex);
            }
        }
    }
    let mut sources = SourceMap::new();
    let id = sources.add("rules/fuzz.rules", rules);
    match format_source(id, rules) {
        Ok(once) => {
            let (_, diags) = parse_file(id, &once);
            assert!(
                diags.is_empty(),
                "formatted output does not parse:\n{once}\n{diags:?}"
            );
        }
        Err(diags) => {
            assert!(
                diags.iter().all(|d| d.code != Code::Unformattable),
                "a file that parses cannot be formatted:\n{rules}"
            );
            render_all(&diags, &sources);
        }
    }
}

/// A file `wide_fields` builds, and what loading it must give.
struct WideFile {
    format: Format,
    text: String,
    /// The code of the error expected, or `None` when the file must load.
    error: Option<Code>,
    /// Each row's non-empty cells as (name in lower case, text), when the
    /// file must load.
    rows: Vec<Vec<(String, String)>>,
    /// Every field name written, in lower case.
    names: Vec<String>,
}

/// Builds a CSV or NDJSON file from fuzz bytes: the first byte picks the
/// format, whether one line is just past [`data::MAX_RECORD_BYTES`], and a
/// scale; the rest pick, row by row, which of many names are filled (up to
/// 11,908 distinct ones, past [`data::MAX_FIELD_NAMES`] and
/// [`data::MAX_CELLS`]) with what text, in which case.
fn wide_file(input: &[u8]) -> Option<WideFile> {
    use std::fmt::Write;
    let (&head, rest) = input.split_first()?;
    let rest = if rest.is_empty() { &[0u8][..] } else { rest };
    let csv = head & 1 == 0;
    let long_row = (head & 2 != 0).then_some(usize::from(rest[0]) % 8);
    let scale = usize::from(head >> 2);
    let span = 1 + scale * scale * 3;
    let long = "x".repeat(data::MAX_RECORD_BYTES + 1);
    let mut text = String::new();
    let mut rows = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut error = None;
    if csv {
        let width = span;
        text.push_str("date");
        for k in 0..width {
            let _ = write!(text, ",f{k}");
        }
        text.push('\n');
        let n_rows = (rest.len() * (1 + scale)).min(200_000 / (width + 1) + 1);
        for i in 0..n_rows {
            let b = usize::from(rest[i % rest.len()]);
            text.push_str("2025-01-01");
            let mut row = Vec::new();
            for k in 0..width {
                text.push(',');
                if Some(i) == long_row && k == 0 {
                    text.push_str(&long);
                    row.push((format!("f{k}"), long.clone()));
                } else if (b + k * 31) % 7 == 0 {
                    let v = format!("v{}", (b + k) % 5);
                    text.push_str(&v);
                    row.push((format!("f{k}"), v));
                }
            }
            text.push('\n');
            rows.push(row);
        }
        names = (0..width).map(|k| format!("f{k}")).collect();
        let long_record = long_row.is_some_and(|r| r < n_rows);
        if long_record {
            error = Some(Code::LongRecord);
        } else if width + 1 > data::MAX_CELLS {
            error = Some(Code::TooManyCells);
        }
    } else {
        let n_rows = rest.len() * (1 + scale * 4);
        for i in 0..n_rows {
            let b = usize::from(rest[i % rest.len()]);
            let mut line = String::from("{\"date\":\"2025-01-01\"");
            let mut row: Vec<(String, String)> = Vec::new();
            // Every key written on this line, empty values included: a key
            // twice in one object is a JSON error of its own.
            let mut written: Vec<String> = Vec::new();
            for j in 0..b % 4 {
                let idx = (i + j * (span / 3 + 1) + b) % span;
                let lower = format!("f{idx}");
                if written.contains(&lower) {
                    continue;
                }
                written.push(lower.clone());
                let name = if b & 0x80 != 0 {
                    format!("F{idx}")
                } else {
                    lower.clone()
                };
                let value = if Some(i % 8) == long_row && i < 8 && j == 0 {
                    long.clone()
                } else if (b + j) % 5 == 0 {
                    String::new()
                } else {
                    format!("v{}", b % 13)
                };
                let _ = write!(line, ",\"{name}\":\"{value}\"");
                if error.is_none() && seen.insert(lower.clone()) {
                    names.push(lower.clone());
                    if names.len() > data::MAX_FIELD_NAMES {
                        error = Some(Code::TooManyFields);
                    }
                }
                if !value.is_empty() {
                    row.push((lower, value));
                }
            }
            line.push('}');
            // A long line is refused before its names count.
            if error.is_none() && line.len() > data::MAX_RECORD_BYTES {
                error = Some(Code::LongRecord);
            }
            line.push('\n');
            text.push_str(&line);
            rows.push(row);
        }
    }
    let format = if csv { Format::Csv } else { Format::Ndjson };
    Some(WideFile {
        format,
        text,
        error,
        rows,
        names,
    })
}

/// `wide_fields`: files with many distinct or sparse field names and long
/// lines (see [`wide_file`]) load when within the limits, every cell
/// reading back as written, in the loaded batch and in the store; past a
/// limit they are refused with that limit's code, never a panic; every
/// diagnostic renders.
pub fn wide_fields(input: &[u8]) {
    let Some(file) = wide_file(input) else {
        return;
    };
    let name = match file.format {
        Format::Csv => "indicators/wide.csv",
        _ => "indicators/wide.ndjson",
    };
    let mut sources = SourceMap::new();
    let id = sources.add(name, file.text.as_str());
    match data::load_text(id, "wide", file.format, &file.text) {
        Err(d) => {
            assert_eq!(Some(d.code), file.error, "refused: {}", d.message);
            render_all(&[d], &sources);
        }
        Ok(fd) => {
            assert_eq!(file.error, None, "loaded a file past a limit");
            let rows = file.rows.len();
            let batch = fd.batches.first();
            assert!(fd.batches.len() <= 1);
            let store = Store::build([&fd]);
            let series = store.get("wide").map(|s| &store.series(s).fields);
            for fields in batch.map(|b| &b.fields).into_iter().chain(series) {
                assert_eq!(fields.rows(), rows);
                assert!(fields.names().len() <= data::MAX_FIELD_NAMES);
                for (r, row) in file.rows.iter().enumerate() {
                    for (n, text) in row {
                        let col = fields.column(n);
                        assert!(col.is_some(), "no column {n}");
                        assert_eq!(fields.get(col.unwrap_or(0), r), text, "row {r}, {n}");
                    }
                    // A name this row does not fill reads empty.
                    if let Some(other) = file.names.get(r % file.names.len().max(1)) {
                        if !row.iter().any(|(n, _)| n == other) {
                            let col = fields.column(other).unwrap_or(usize::MAX);
                            assert_eq!(fields.get(col, r), "", "row {r}, {other}");
                        }
                    }
                }
            }
        }
    }
}

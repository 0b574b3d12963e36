//! Indicator data: the loaders for CSV, JSON and NDJSON files and the store
//! of sorted series they feed.
//!
//! Loaders parse from text and never touch the file system; the caller
//! reads files (see `project::files`) and hands each one to [`load_text`]. A file
//! that cannot be read whole is rejected whole with one diagnostic naming
//! its line (and column where it helps).

mod csv;
mod date;
mod fields;
mod gzip;
mod json;
mod lines;
mod ndjson;
mod parquet;
mod selection;
mod store;

pub use csv::Streamed;
pub use date::{parse_date, DateError};
pub use fields::Fields;
pub use gzip::{gunzip, GzipError};
pub use lines::{Lines, Span as LineSpan};
pub use parquet::load as load_parquet;
pub use selection::{ColumnSelection, FieldNames};
pub use store::{Series, SeriesId, Store};

/// Longest line of a CSV or NDJSON file, CSV record (a quoted cell may
/// span lines) or observation of a JSON file, in bytes: past it a file is
/// refused rather than copied cell by cell.
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// Most cells in one CSV row, or keys in one observation.
pub const MAX_CELLS: usize = 10_000;
/// Most distinct field names in one data file.
pub const MAX_FIELD_NAMES: usize = 10_000;
/// Most field columns over all the series of one data file (a field
/// counts once for each series that has it), since each costs some memory
/// whether few or many rows fill it.
pub const MAX_FIELD_COLUMNS: usize = 1_000_000;

use crate::diag::{Code, Diagnostic, FileId};
use crate::time::Date;

/// The formats tocsin reads, chosen by file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.csv`: commas, or semicolons or tabs when the header row holds
    /// no comma.
    Csv,
    /// `.tsv`: CSV separated by tabs.
    Tsv,
    /// `.json`
    Json,
    /// `.ndjson` or `.jsonl`
    Ndjson,
    /// Read from its bytes with [`load_parquet`], never as text.
    Parquet,
}

/// The kinds of file tocsin reads, as a warning about other files lists
/// them.
pub const KINDS_READ: &str =
    ".csv, .tsv, .json, .ndjson and .jsonl, each also compressed with gzip (.gz), and .parquet";

impl Format {
    /// The format of a file name, or `None` for names that are ignored:
    /// hidden files, editor and download leftovers, unknown extensions.
    /// `NAME.EXT.gz` has the format of `NAME.EXT`. Folders before the
    /// name are not part of it: `../indicators/a.json` is JSON.
    pub fn of_file_name(name: &str) -> Option<Format> {
        let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
        if is_ignored(name) {
            return None;
        }
        let (name, compressed) = match strip_gz(name) {
            Some(base) => (base, true),
            None => (name, false),
        };
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            // Compressed inside, by column: never also gzipped.
            "parquet" if !compressed => Some(Format::Parquet),
            "csv" => Some(Format::Csv),
            "tsv" => Some(Format::Tsv),
            "json" => Some(Format::Json),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }
}

/// The name without its `.gz` suffix (in any case), if it has one.
fn strip_gz(name: &str) -> Option<&str> {
    let cut = name.len().checked_sub(3)?;
    let (base, ext) = (name.get(..cut)?, name.get(cut..)?);
    ext.eq_ignore_ascii_case(".gz").then_some(base)
}

/// True for a gzip-compressed file name (`NAME.EXT.gz`), which is
/// decompressed before it is read.
pub fn is_compressed(name: &str) -> bool {
    strip_gz(name).is_some()
}

/// The stem of a data file's path, which names its series where the file
/// does not: the base name without folders, without `.gz` and without its
/// extension (`indicators/acled.csv.gz` gives `acled`).
pub fn file_stem(path: &str) -> &str {
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let base = strip_gz(base).unwrap_or(base);
    base.rsplit_once('.').map_or(base, |(s, _)| s)
}

/// True for a file that a data walk neither reads nor ignores: not hidden
/// or left over, not a data, rule or test file, and not documentation
/// (`.md`, `.rst`, README, LICENSE, NOTICE). Such files are named in one
/// warning, so that data in a format tocsin does not read is never missing
/// without a word; a README beside the data is not data.
pub fn is_unknown_kind(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let documentation = [".md", ".markdown", ".rst"]
        .iter()
        .any(|e| lower.ends_with(e))
        || ["readme", "license", "licence", "notice"]
            .iter()
            .any(|d| lower.split('.').next() == Some(d));
    !is_ignored(name)
        && Format::of_file_name(name).is_none()
        && !name.ends_with(".rules")
        && !name.ends_with(".test")
        && !documentation
}

/// True for names that editors and downloaders leave behind (`.x`, `x~`,
/// `x.swp`, `x.tmp`, `x.part`); such files and folders are never read.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || [".swp", ".tmp", ".part"].iter().any(|s| name.ends_with(s))
}

/// The series name for a file stem or a `series` value: every character
/// outside `[A-Za-z0-9_]` becomes `_` (`pla-adiz` gives `pla_adiz`).
pub fn series_name(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The observations of one series as one file holds them, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    /// Normalised series name.
    pub series: String,
    /// Unit, from JSON files.
    pub unit: Option<String>,
    /// Description, from JSON files.
    pub description: Option<String>,
    /// One date per observation.
    pub dates: Vec<Date>,
    /// One value per observation (1 for events).
    pub values: Vec<f64>,
    /// 1-based line of each observation in its file.
    pub lines: Lines,
    /// The string fields, one row per observation, as the loaders give
    /// them.
    pub fields: Fields,
    /// Names of string fields given as a plain grid (batches built by hand
    /// rather than loaded), added to `fields` when the batch is stored.
    pub field_names: Vec<String>,
    /// Cells of the plain grid, row-major:
    /// `cells[row * field_names.len() + col]`.
    pub cells: Vec<Box<str>>,
    /// True while a store holds this batch's rows ([`Store::build_lending`]):
    /// the batch keeps only its name, unit and description until
    /// [`Store::give_back`] returns them.
    pub lent: bool,
}

impl Batch {
    /// Moves the rows out into a batch of the same series, leaving this
    /// one without rows.
    fn take_rows(&mut self) -> Batch {
        Batch {
            series: self.series.clone(),
            unit: self.unit.clone(),
            description: self.description.clone(),
            dates: std::mem::take(&mut self.dates),
            values: std::mem::take(&mut self.values),
            lines: std::mem::take(&mut self.lines),
            fields: std::mem::take(&mut self.fields),
            field_names: std::mem::take(&mut self.field_names),
            cells: std::mem::take(&mut self.cells),
            lent: false,
        }
    }

    /// Gives back the room its vectors were left by growing row by row: a
    /// file read as it streams is kept as long as it is in force.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.dates.shrink_to_fit();
        self.values.shrink_to_fit();
        self.lines.shrink_to_fit();
        self.fields.shrink_to_fit();
    }
}

#[cfg(test)]
impl Batch {
    /// The loaded field cells as a row-major grid, as `cells` lays out a
    /// batch built by hand.
    pub(crate) fn grid(&self) -> Vec<String> {
        let width = self.fields.names().len();
        (0..self.fields.rows())
            .flat_map(|r| (0..width).map(move |c| (r, c)))
            .map(|(r, c)| self.fields.get(c, r).to_string())
            .collect()
    }
}

/// Everything one data file holds.
#[derive(Clone, Debug, Default)]
pub struct FileData {
    /// The file the data came from.
    pub file: FileId,
    /// One batch per series, in order of first appearance.
    pub batches: Vec<Batch>,
    /// Warnings (rows skipped for want of a date).
    pub warnings: Vec<Diagnostic>,
    /// Line feeds in the file, when its loader counted them (a file read
    /// as it streams): what a reader of the file's tail numbers on from.
    pub newlines: Option<u64>,
}

impl FileData {
    /// Whether [`FileData::append`] takes `tail`: each of its batches
    /// continues one of these, of the same series.
    pub fn can_append(&self, tail: &FileData) -> bool {
        tail.batches
            .iter()
            .all(|t| self.batches.iter().any(|b| b.series == t.series))
    }

    /// Adds the rows of `tail` (read from lines after these, its lines
    /// numbered in this file) to the batches of their series, except to
    /// the batches [`Batch::lent`] to a store, whose rows are the store's
    /// to add ([`Store::append`]). `false`, and nothing added, when
    /// [`FileData::can_append`] does not hold.
    pub fn append(&mut self, tail: FileData) -> bool {
        if !self.can_append(&tail) {
            return false;
        }
        for t in tail.batches {
            let Some(b) = self.batches.iter_mut().find(|b| b.series == t.series) else {
                continue;
            };
            if b.lent {
                continue;
            }
            b.dates.extend_from_slice(&t.dates);
            b.values.extend_from_slice(&t.values);
            b.lines.extend_from(&t.lines);
            b.fields.append(&t.fields);
            b.fields.pad_rows(b.dates.len());
        }
        self.warnings.extend(tail.warnings);
        true
    }
}

/// Parses one data file. `stem` is the file name without its extension,
/// used as the series name where the file names none. A leading byte-order
/// mark is accepted; spans in diagnostics are offsets into `text` as given.
pub fn load_text(
    file: FileId,
    stem: &str,
    format: Format,
    text: &str,
) -> Result<FileData, Diagnostic> {
    load_selected(file, stem, format, text, &ColumnSelection::All)
}

/// Like [`load_text`], but keeps the cells of only the field columns that
/// `selection` names; every column's name is kept. Errors and warnings do
/// not depend on the selection: every cell is still read and checked.
pub fn load_selected(
    file: FileId,
    stem: &str,
    format: Format,
    text: &str,
    selection: &ColumnSelection,
) -> Result<FileData, Diagnostic> {
    match format {
        Format::Csv => csv::load(file, stem, text, None, selection),
        Format::Tsv => csv::load(file, stem, text, Some(b'\t'), selection),
        Format::Json => json::load(file, stem, text, selection),
        Format::Ndjson => ndjson::load(file, stem, text, selection),
        // The file layer hands a Parquet file over as bytes: text here is
        // a file not Parquet at all.
        Format::Parquet => Err(Diagnostic::error(
            Code::Undecodable,
            "cannot decode Parquet: the file is text, not Parquet",
        )
        .in_file(file)),
    }
}

/// Reads a CSV or TSV file from a stream, never holding it whole (see
/// `csv::stream`): the data [`load_selected`] would give the whole text.
/// `None` for other formats, and for a file that must be read whole
/// instead: one the fast reading does not take (an error in it, a quote
/// the `csv` crate reads as text, a row without a date), which the
/// whole read then reports, or a read that fails.
pub fn load_stream<R: std::io::Read + Send>(
    file: FileId,
    stem: &str,
    format: Format,
    reader: R,
    selection: &ColumnSelection,
) -> Option<Streamed> {
    match format {
        Format::Csv => csv::load_stream(file, stem, None, reader, selection),
        Format::Tsv => csv::load_stream(file, stem, Some(b'\t'), reader, selection),
        Format::Json | Format::Ndjson | Format::Parquet => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_stems_of_plain_and_compressed_names() {
        for (name, format, stem) in [
            ("indicators/a.csv", Some(Format::Csv), "a"),
            ("b.TSV", Some(Format::Tsv), "b"),
            ("acled.csv.gz", Some(Format::Csv), "acled"),
            ("x/feed.ndjson.GZ", Some(Format::Ndjson), "feed"),
            ("gdp.json.gz", Some(Format::Json), "gdp"),
            ("pla-adiz.tsv.gz", Some(Format::Tsv), "pla-adiz"),
            ("notes.gz", None, "notes"),
            ("a.xlsx", None, "a"),
            ("a.parquet", Some(Format::Parquet), "a"),
            ("a.PARQUET", Some(Format::Parquet), "a"),
            ("a.parquet.gz", None, "a"),
            (".a.csv.gz", None, ".a"),
            // Folders that start with a dot are not hidden files.
            ("../ind/j.json", Some(Format::Json), "j"),
            ("../../ind/f.jsonl", Some(Format::Ndjson), "f"),
            ("./ind/n.ndjson", Some(Format::Ndjson), "n"),
            ("..\\ind\\n.ndjson", Some(Format::Ndjson), "n"),
            ("../.hidden/a.csv", Some(Format::Csv), "a"),
            ("../ind/.a.csv", None, ".a"),
        ] {
            assert_eq!(Format::of_file_name(name), format, "{name}");
            assert_eq!(file_stem(name), stem, "{name}");
        }
        assert!(is_compressed("a.csv.gz") && !is_compressed("a.csv") && !is_compressed("gz"));
    }

    #[test]
    fn unknown_kinds_are_neither_read_nor_ignored() {
        for name in [
            "a.xlsx",
            "b.parquet.gz",
            "notes.gz",
            "c.txt",
            "READ.ME.xlsx",
        ] {
            assert!(is_unknown_kind(name), "{name}");
        }
        for name in [
            "a.csv",
            "a.tsv.gz",
            ".hidden.xlsx",
            "a.xlsx~",
            "a.part",
            "r.rules",
            "t.test",
        ] {
            assert!(!is_unknown_kind(name), "{name}");
        }
    }

    /// A file of `rows` rows in `format`, with fields `Actor1`, `notes`
    /// and `region`; `quoted` puts a quote in every CSV row, so that the
    /// general path (and past 16 KiB the chunked one) reads it.
    fn file(format: Format, rows: usize, quoted: bool) -> String {
        let mut s = match format {
            Format::Csv => "event_date,Actor1,notes,value,region\n".to_string(),
            _ => String::new(),
        };
        for i in 0..rows {
            let day = 1 + i % 28;
            let note = if quoted { "\"a, b\"" } else { "ab" };
            s += &match format {
                Format::Csv => format!("2025-02-{day:02},PLA {},{note},{i},East\n", i % 3),
                _ => format!(
                    "{{\"date\":\"2025-02-{day:02}\",\"Actor1\":\"PLA {}\",\"notes\":\"n{i}\",\"region\":\"East\"}}\n",
                    i % 3
                ),
            };
        }
        s
    }

    #[test]
    fn a_selected_column_is_kept_and_an_unselected_one_only_named() {
        let only = ColumnSelection::Only(FieldNames::new(["actor1", "REGION"]));
        for (format, rows, quoted) in [
            (Format::Csv, 10, false),
            (Format::Csv, 10, true),
            (Format::Csv, 2000, true),
            (Format::Ndjson, 10, false),
        ] {
            let text = file(format, rows, quoted);
            let all = load_selected(FileId(0), "acled", format, &text, &ColumnSelection::All);
            let some = load_selected(FileId(0), "acled", format, &text, &only);
            let (Ok(all), Ok(some)) = (all, some) else {
                panic!("{format:?} {rows} {quoted}")
            };
            let (a, s) = (&all.batches[0].fields, &some.batches[0].fields);
            assert_eq!(a.names(), s.names(), "{format:?} {rows} {quoted}");
            assert_eq!(s.rows(), rows);
            let col = |f: &Fields, name: &str| f.column(name).unwrap_or(usize::MAX);
            for r in 0..rows {
                for name in ["actor1", "region"] {
                    assert_eq!(s.get(col(s, name), r), a.get(col(a, name), r));
                    assert!(!s.get(col(s, name), r).is_empty());
                }
                assert!(!a.get(col(a, "notes"), r).is_empty());
                assert_eq!(s.get(col(s, "notes"), r), "", "{format:?} {rows} {quoted}");
            }
            assert!(s.lookup("ab").is_none() && s.lookup("n1").is_none());
            assert_eq!(all.batches[0].dates, some.batches[0].dates);
            assert_eq!(all.batches[0].values, some.batches[0].values);
        }
        // A JSON file's observations, with a field no rule reads.
        let json = r#"{"observations": [{"date": "2025-01-01", "actor1": "x", "notes": "y"}]}"#;
        let data = load_selected(FileId(0), "a", Format::Json, json, &only);
        let f = data
            .map(|d| d.batches[0].fields.clone())
            .unwrap_or_default();
        assert_eq!(f.names(), ["actor1", "notes"]);
        assert_eq!((f.get(0, 0), f.get(1, 0)), ("x", ""));
    }
}

//! CSV indicator files: a header row, then one observation a row.
//!
//! The `csv` crate splits records; this module picks the special columns
//! (date, `value`, `series`), checks every row and keeps the other columns
//! as string fields. The raw text is scanned again only to place an error:
//! [`cell_bounds`] finds a cell's bytes from its record's start.

use super::date::{date_diagnostic, is_date_name, parse_date, quote};
use super::{series_name, Batch, FileData};
use crate::diag::{Code, Diagnostic, FileId, Span};
use crate::fxhash::FxHashMap;
use ::csv::{Position, ReaderBuilder, StringRecord};

/// Parses a CSV file; see the module documentation and `spec/data.md`.
pub(super) fn load(file: FileId, stem: &str, text: &str) -> Result<FileData, Diagnostic> {
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let body = text.get(bom..).unwrap_or("");
    let mut data = FileData {
        file,
        ..FileData::default()
    };
    if body.trim().is_empty() {
        return Ok(data);
    }
    let src = Source { file, text, bom };
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(body.as_bytes());
    let header = reader.headers().map_err(|e| src.reader_error(&e))?.clone();
    let header_start = src.record_start(header.position()).0;
    let columns = Columns::of(&header).ok_or_else(|| src.no_date_column(header_start, &header))?;
    let mut batches = Batches::new(stem, columns.field_names(&header));
    let mut record = StringRecord::new();
    let mut last_start = header_start;
    let mut skipped = 0usize;
    let mut first_skipped = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(src.reader_error(&e)),
        }
        let (start, line) = src.record_start(record.position());
        last_start = start;
        match read_row(&src, &columns, &record, start, line, &mut batches) {
            Ok(Row::Kept | Row::Blank) => {}
            Ok(Row::NoDate) => {
                if skipped == 0 {
                    first_skipped = start;
                }
                skipped += 1;
            }
            // An unclosed quote swallows the rest of the file into one
            // record, whose cells are then wrong in every way: say why.
            Err(e) => return Err(src.unclosed_quote(start).unwrap_or(e)),
        }
    }
    if let Some(error) = src.unclosed_quote(last_start) {
        return Err(error);
    }
    data.batches = batches.batches;
    if skipped > 0 {
        data.warnings.push(src.rows_skipped(skipped, first_skipped));
    }
    Ok(data)
}

/// What became of a row.
enum Row {
    /// Added to its batch.
    Kept,
    /// A line of spaces, ignored like a blank line.
    Blank,
    /// Skipped for want of a date.
    NoDate,
}

/// Checks one row and adds it to its batch.
fn read_row(
    src: &Source,
    columns: &Columns,
    record: &StringRecord,
    start: usize,
    line: u32,
    batches: &mut Batches,
) -> Result<Row, Diagnostic> {
    if record.len() != columns.width {
        if record.len() == 1 && record.get(0).is_some_and(|c| c.trim().is_empty()) {
            return Ok(Row::Blank);
        }
        return Err(src.cell_count(start, record.len(), columns.width));
    }
    let date_cell = record.get(columns.date).unwrap_or("");
    if date_cell.trim().is_empty() {
        return Ok(Row::NoDate);
    }
    let date = parse_date(date_cell)
        .map_err(|e| date_diagnostic(e, date_cell, src.cell_span(start, columns.date)))?;
    let value = match columns.value {
        Some(i) => {
            let cell = record.get(i).unwrap_or("");
            parse_value(cell).ok_or_else(|| src.invalid_value(cell, src.cell_span(start, i)))?
        }
        None => 1.0,
    };
    let batch = match columns.series {
        Some(i) => {
            let cell = record.get(i).unwrap_or("");
            batches
                .named(cell)
                .ok_or_else(|| src.empty_series_cell(src.cell_span(start, i)))?
        }
        None => batches.first(),
    };
    batch.dates.push(date);
    batch.values.push(value);
    batch.lines.push(line);
    batch.cells.extend(
        columns
            .fields
            .iter()
            .map(|&i| Box::from(record.get(i).unwrap_or(""))),
    );
    Ok(Row::Kept)
}

/// A finite number, written as `str::parse` reads it (`20`, `20.0`, `-3.5`,
/// `1e3`), around spaces. `NaN`, `inf` and numbers too large for an `f64`
/// are refused.
fn parse_value(cell: &str) -> Option<f64> {
    cell.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Where the special columns are, by index in the header.
struct Columns {
    date: usize,
    value: Option<usize>,
    series: Option<usize>,
    /// Every other column, in header order.
    fields: Vec<usize>,
    /// Number of cells a row must have.
    width: usize,
}

impl Columns {
    /// The layout of a header; `None` without a date column. Where several
    /// headers qualify as the date, `value` or `series` column, the first
    /// one does and the others are fields.
    fn of(header: &StringRecord) -> Option<Columns> {
        let date = header.iter().position(is_date_name)?;
        let named = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let value = named("value");
        let series = named("series");
        let fields = (0..header.len())
            .filter(|&i| i != date && Some(i) != value && Some(i) != series)
            .collect();
        Some(Columns {
            date,
            value,
            series,
            fields,
            width: header.len(),
        })
    }

    /// The field names, trimmed, as written in the header.
    fn field_names(&self, header: &StringRecord) -> Vec<String> {
        self.fields
            .iter()
            .map(|&i| header.get(i).unwrap_or("").trim().to_string())
            .collect()
    }
}

/// The batches of one file: a single one named after the stem, or one per
/// `series` cell in order of first appearance.
struct Batches {
    stem: String,
    field_names: Vec<String>,
    batches: Vec<Batch>,
    /// Batch index by `series` cell as written (trimmed).
    by_cell: FxHashMap<Box<str>, usize>,
    /// Batch index by normalised name, so that `a-b` and `a b` share one.
    by_name: FxHashMap<String, usize>,
    /// The previous row's cell and batch: files usually list one series
    /// after another, so most rows skip the hash lookup.
    last: Option<(String, usize)>,
}

impl Batches {
    fn new(stem: &str, field_names: Vec<String>) -> Batches {
        Batches {
            stem: series_name(stem),
            field_names,
            batches: Vec::new(),
            by_cell: FxHashMap::default(),
            by_name: FxHashMap::default(),
            last: None,
        }
    }

    /// The one batch of a file without a `series` column.
    fn first(&mut self) -> &mut Batch {
        if self.batches.is_empty() {
            let batch = self.empty_batch(self.stem.clone());
            self.batches.push(batch);
        }
        let last = self.batches.len() - 1;
        &mut self.batches[last]
    }

    /// The batch for a `series` cell; `None` when the cell is empty.
    fn named(&mut self, cell: &str) -> Option<&mut Batch> {
        let cell = cell.trim();
        if cell.is_empty() {
            return None;
        }
        if self.last.as_ref().is_none_or(|(last, _)| last != cell) {
            let i = match self.by_cell.get(cell) {
                Some(&i) => i,
                None => {
                    let i = self.index_of(series_name(cell));
                    self.by_cell.insert(cell.into(), i);
                    i
                }
            };
            let last = self.last.get_or_insert_with(Default::default);
            last.0.clear();
            last.0.push_str(cell);
            last.1 = i;
        }
        let i = self.last.as_ref()?.1;
        self.batches.get_mut(i)
    }

    /// The index of the batch of a normalised series name, added if new.
    fn index_of(&mut self, name: String) -> usize {
        if let Some(&i) = self.by_name.get(&name) {
            return i;
        }
        self.batches.push(self.empty_batch(name.clone()));
        self.by_name.insert(name, self.batches.len() - 1);
        self.batches.len() - 1
    }

    fn empty_batch(&self, series: String) -> Batch {
        Batch {
            series,
            field_names: self.field_names.clone(),
            ..Batch::default()
        }
    }
}

/// The file being read, for placing diagnostics. Offsets from the `csv`
/// crate count from after the byte-order mark; spans count from the start
/// of `text`.
struct Source<'a> {
    file: FileId,
    text: &'a str,
    bom: usize,
}

impl Source<'_> {
    fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// The byte offset and 1-based line where a record starts. The `csv`
    /// crate places a record just after the previous one's terminator, so
    /// the rest of a CRLF and any blank lines are stepped over here.
    fn record_start(&self, position: Option<&Position>) -> (usize, u32) {
        let (byte, line) = position.map_or((0, 1), |p| (p.byte(), p.line()));
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .saturating_add(self.bom);
        let mut line = u32::try_from(line).unwrap_or(u32::MAX);
        while let Some(&c @ (b'\r' | b'\n')) = self.bytes().get(start) {
            line = line.saturating_add(u32::from(c == b'\n'));
            start += 1;
        }
        (start.min(self.text.len()), line)
    }

    /// The first line of the record starting at `start`.
    fn line_span(&self, start: usize) -> Span {
        let rest = self.bytes().get(start..).unwrap_or(&[]);
        let len = rest
            .iter()
            .position(|&c| c == b'\r' || c == b'\n')
            .unwrap_or(rest.len());
        Span::new(self.file, start, start + len)
    }

    /// Cell `index` of the record starting at `start`, without the spaces
    /// around an unquoted cell.
    fn cell_span(&self, start: usize, index: usize) -> Span {
        let (a, b) = cell_bounds(self.bytes(), start, index).unwrap_or((start, start));
        let raw = self.bytes().get(a..b).unwrap_or(&[]);
        let trimmed = raw.trim_ascii();
        if raw.first() == Some(&b'"') || trimmed.is_empty() {
            return Span::new(self.file, a, b);
        }
        let lead = raw.len() - raw.trim_ascii_start().len();
        Span::new(self.file, a + lead, a + lead + trimmed.len())
    }

    fn no_date_column(&self, header_start: usize, header: &StringRecord) -> Diagnostic {
        let names: Vec<String> = header.iter().take(12).map(quote).collect();
        let more = if header.len() > 12 { ", …" } else { "" };
        // A header right after the byte-order mark is marked from the
        // start of the file, so that it shows at column 1 like in an editor.
        let start = if header_start == self.bom {
            0
        } else {
            header_start
        };
        Diagnostic::error(
            Code::NoDateColumn,
            "no date column: no header is named date, at, time, timestamp or event_date",
        )
        .with_primary(self.line_span(start), "header row")
        .with_note(format!("the headers are {}{more}", names.join(", ")))
        .with_note("name the column that holds each row's date `date` (in any case)")
    }

    fn cell_count(&self, start: usize, found: usize, expected: usize) -> Diagnostic {
        let cells = |n: usize| {
            if n == 1 {
                "1 cell".to_string()
            } else {
                format!("{n} cells")
            }
        };
        Diagnostic::error(
            Code::CellCount,
            format!(
                "row has {} but the header has {}",
                cells(found),
                cells(expected)
            ),
        )
        .with_primary(self.line_span(start), format!("{} here", cells(found)))
        .with_note("a cell that holds a comma, a quote or a line break must be quoted: \"a, b\"")
    }

    fn invalid_value(&self, cell: &str, span: Span) -> Diagnostic {
        let message = if cell.trim().is_empty() {
            "value is empty: expected a finite number".to_string()
        } else {
            format!("value {} is not a finite number", quote(cell.trim()))
        };
        Diagnostic::error(Code::InvalidValue, message)
            .with_primary(span, "expected a number such as 20, 20.0, -3.5 or 1e3")
    }

    fn empty_series_cell(&self, span: Span) -> Diagnostic {
        Diagnostic::error(
            Code::EmptySeriesCell,
            "the `series` cell is empty: every row must name its series",
        )
        .with_primary(span, "empty series name")
    }

    fn rows_skipped(&self, count: usize, first: usize) -> Diagnostic {
        let message = if count == 1 {
            "1 row without a date was skipped".to_string()
        } else {
            format!("{count} rows without a date were skipped")
        };
        Diagnostic::warning(Code::RowsSkipped, message)
            .in_file(self.file)
            .with_primary(self.line_span(first), "first row without a date")
    }

    /// An error for a quote opened in the record starting at `start` and
    /// never closed: the `csv` crate reads such a quote to the end of the
    /// file, which would hide every row after it in one cell.
    fn unclosed_quote(&self, start: usize) -> Option<Diagnostic> {
        let open = scan_record(self.bytes(), start, usize::MAX).open_quote?;
        Some(
            Diagnostic::error(
                Code::UnclosedQuote,
                "a quoted cell is never closed: the quote runs to the end of the file",
            )
            .with_primary(Span::new(self.file, open, open + 1), "quote opened here")
            .with_note("close the cell with `\"`; write a quote inside a quoted cell as `\"\"`"),
        )
    }

    /// Errors of the `csv` crate itself, which cannot occur on `&str` input
    /// but are reported rather than unwrapped.
    fn reader_error(&self, error: &::csv::Error) -> Diagnostic {
        let start = self.record_start(error.position()).0;
        Diagnostic::error(Code::Unreadable, format!("cannot read CSV: {error}"))
            .with_primary(self.line_span(start), "")
    }
}

/// The byte range of cell `index` of the record starting at `start`
/// (quotes included), found by the rules the `csv` crate reads by: a quote
/// is special only at the start of a cell, `""` inside quotes is a quote,
/// and a record ends at a line break outside quotes.
fn cell_bounds(bytes: &[u8], start: usize, index: usize) -> Option<(usize, usize)> {
    scan_record(bytes, start, index).cell
}

struct Scan {
    /// The bounds of the cell asked for, if the record has it.
    cell: Option<(usize, usize)>,
    /// Where a quote opened that the end of the text left open.
    open_quote: Option<usize>,
}

fn scan_record(bytes: &[u8], start: usize, index: usize) -> Scan {
    #[derive(PartialEq)]
    enum State {
        CellStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::CellStart;
    let mut cell = 0;
    let mut cell_start = start;
    let mut quote_at = start;
    let mut i = start;
    while let Some(&c) = bytes.get(i) {
        let ends_cell = match state {
            State::CellStart | State::Unquoted | State::QuoteInQuoted => {
                matches!(c, b',' | b'\r' | b'\n')
            }
            State::Quoted => false,
        };
        if ends_cell {
            if cell == index {
                return Scan {
                    cell: Some((cell_start, i)),
                    open_quote: None,
                };
            }
            if c != b',' {
                return Scan {
                    cell: None,
                    open_quote: None,
                };
            }
            cell += 1;
            cell_start = i + 1;
            state = State::CellStart;
        } else {
            state = match (state, c) {
                (State::CellStart, b'"') => {
                    quote_at = i;
                    State::Quoted
                }
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::QuoteInQuoted, b'"') | (State::Quoted, _) => State::Quoted,
                _ => State::Unquoted,
            };
        }
        i += 1;
    }
    Scan {
        cell: (cell == index).then_some((cell_start, i)),
        open_quote: (state == State::Quoted).then_some(quote_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::render::one_line;
    use crate::diag::SourceMap;

    fn load_ok(text: &str) -> FileData {
        match load(FileId(0), "pla-adiz", text) {
            Ok(data) => data,
            Err(e) => panic!("{e:?}"),
        }
    }

    /// The error as `FILE:LINE:COL: error[CODE]: message`.
    fn load_err(text: &str) -> String {
        let mut sources = SourceMap::new();
        let file = sources.add("adiz.csv", text);
        match load(file, "adiz", text) {
            Ok(data) => panic!("loaded {:?}", data.batches),
            Err(e) => {
                assert!(
                    e.primary_span()
                        .is_some_and(|s| s.end as usize <= text.len()),
                    "{e:?}"
                );
                one_line(&e, &sources)
            }
        }
    }

    fn dates(batch: &Batch) -> Vec<String> {
        batch.dates.iter().map(|d| d.to_string()).collect()
    }

    fn cells(batch: &Batch) -> Vec<&str> {
        batch.cells.iter().map(|c| &**c).collect()
    }

    #[test]
    fn reads_dates_values_and_fields() {
        let data = load_ok(
            "date,value,actor\n2025-01-02,3,Group A\n2025/1/3,-3.5,\n2 Jan 2025,1e3,\"B, C\"\n",
        );
        let [b] = &data.batches[..] else {
            panic!("{:?}", data.batches)
        };
        assert_eq!(b.series, "pla_adiz");
        assert_eq!(dates(b), ["2025-01-02", "2025-01-03", "2025-01-02"]);
        assert_eq!(b.values, [3.0, -3.5, 1000.0]);
        assert_eq!(b.lines, [2, 3, 4]);
        assert_eq!(b.field_names, ["actor"]);
        assert_eq!(cells(b), ["Group A", "", "B, C"]);
        assert!(data.warnings.is_empty());
    }

    #[test]
    fn without_a_value_column_every_row_is_an_event() {
        let data = load_ok("date,actor\n2025-01-05,Group A\n2025-05-10,group a\n");
        let b = &data.batches[0];
        assert_eq!(b.values, [1.0, 1.0]);
        assert_eq!(cells(b), ["Group A", "group a"]);
    }

    #[test]
    fn without_field_columns_cells_stay_empty() {
        let data = load_ok("date,value\n2025-01-05,20.0\n");
        assert!(data.batches[0].field_names.is_empty());
        assert!(data.batches[0].cells.is_empty());
    }

    #[test]
    fn special_columns_ignore_case_and_the_first_date_column_wins() {
        let data = load_ok("ID,EVENT_DATE,Value,TIMESTAMP,Notes\nx1,2024-11-01,2,1753954407,n\n");
        let b = &data.batches[0];
        assert_eq!(dates(b), ["2024-11-01"]);
        assert_eq!(b.values, [2.0]);
        assert_eq!(b.field_names, ["ID", "TIMESTAMP", "Notes"]);
        assert_eq!(cells(b), ["x1", "1753954407", "n"]);
    }

    #[test]
    fn bom_and_crlf() {
        let text = "\u{feff}date,value,note\r\n2025-01-01,1,a\r\n2025-01-02,2,b\r\n";
        let data = load_ok(text);
        let b = &data.batches[0];
        assert_eq!(b.field_names, ["note"]);
        assert_eq!(cells(b), ["a", "b"]);
        assert_eq!(b.lines, [2, 3]);
        let err = load_err("\u{feff}date,value\r\n2025-01-01,1\r\n2025-01-02,x\r\n");
        assert_eq!(
            err,
            "adiz.csv:3:12: error[E305]: value 'x' is not a finite number"
        );
    }

    #[test]
    fn quoted_cells_may_hold_line_breaks_and_later_lines_stay_exact() {
        let text = "date,value,note\n2025-01-01,1,\"first\nsecond, \"\"quoted\"\"\"\n\n2025-01-02,2,plain\n2025-01-03,x,plain\n";
        let err = load_err(text);
        assert_eq!(
            err,
            "adiz.csv:6:12: error[E305]: value 'x' is not a finite number"
        );
        let data = load_ok(&text.replace(",x,", ",3,"));
        let b = &data.batches[0];
        assert_eq!(b.lines, [2, 5, 6]);
        assert_eq!(cells(b), ["first\nsecond, \"quoted\"", "plain", "plain"]);
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(
            load_err(&crlf),
            "adiz.csv:6:12: error[E305]: value 'x' is not a finite number"
        );
    }

    #[test]
    fn error_spans_point_into_quoted_and_multi_line_records() {
        let text = "note,date\n\"a\nb\",\"2025-13-01\"\n";
        assert_eq!(
            load_err(text),
            "adiz.csv:3:4: error[E303]: date '2025-13-01' is not a valid date"
        );
        let text = "note,value,date\n\"x,\"\"y\"\"\", 7 ,  13/02/2024 \n";
        assert_eq!(
            load_err(text),
            "adiz.csv:2:17: error[E304]: date '13/02/2024' is ambiguous: it could be read day-first or month-first"
        );
    }

    #[test]
    fn blank_lines_are_skipped() {
        let data = load_ok("\n\ndate,value\n\n2025-01-01,1\n   \n\r\n2025-01-02,2\n\n");
        assert_eq!(data.batches[0].lines, [5, 8]);
        assert!(data.warnings.is_empty());
    }

    #[test]
    fn series_column_gives_one_batch_per_series_in_order_of_first_appearance() {
        let text = "series,date,value,src\nspend-a,2024-01-01,10,x\nspend_b,2024-01-01,1,y\nspend-a,2025-01-01,15,z\nspend_a,2026-01-01,16,w\n";
        let data = load_ok(text);
        let [a, b] = &data.batches[..] else {
            panic!("{:?}", data.batches)
        };
        assert_eq!(
            (a.series.as_str(), b.series.as_str()),
            ("spend_a", "spend_b")
        );
        assert_eq!(a.values, [10.0, 15.0, 16.0]);
        assert_eq!(a.lines, [2, 4, 5]);
        assert_eq!(cells(a), ["x", "z", "w"]);
        assert_eq!(b.field_names, ["src"]);
        assert_eq!(cells(b), ["y"]);
    }

    #[test]
    fn empty_series_cell_is_an_error() {
        let err = load_err("series,date,value\na,2024-01-01,1\n  ,2024-01-02,1\n");
        assert_eq!(
            err,
            "adiz.csv:3:1: error[E307]: the `series` cell is empty: every row must name its series"
        );
    }

    #[test]
    fn wrong_cell_count_is_an_error() {
        let err = load_err("date,value\n2024-01-01,1\n2024-01-02,1,extra\n");
        assert_eq!(
            err,
            "adiz.csv:3:1: error[E306]: row has 3 cells but the header has 2 cells"
        );
        let err = load_err("date,value,note\r\n2024-01-01,1\r\n");
        assert_eq!(
            err,
            "adiz.csv:2:1: error[E306]: row has 2 cells but the header has 3 cells"
        );
    }

    #[test]
    fn bad_values_are_errors() {
        assert_eq!(
            load_err("date,value\n2024-01-01,NaN\n"),
            "adiz.csv:2:12: error[E305]: value 'NaN' is not a finite number"
        );
        assert_eq!(
            load_err("date,value\n2024-01-01,inf\n"),
            "adiz.csv:2:12: error[E305]: value 'inf' is not a finite number"
        );
        assert_eq!(
            load_err("date,value\n2024-01-01,-Infinity\n"),
            "adiz.csv:2:12: error[E305]: value '-Infinity' is not a finite number"
        );
        assert_eq!(
            load_err("date,value\n2024-01-01,1e400\n"),
            "adiz.csv:2:12: error[E305]: value '1e400' is not a finite number"
        );
        assert_eq!(
            load_err("date,value\n2024-01-01,1,5\n"),
            "adiz.csv:2:1: error[E306]: row has 3 cells but the header has 2 cells"
        );
        assert_eq!(
            load_err("date,value,n\n2024-01-01,,x\n"),
            "adiz.csv:2:12: error[E305]: value is empty: expected a finite number"
        );
        assert_eq!(
            load_err("date,value\n2024-01-01,\n"),
            "adiz.csv:2:12: error[E305]: value is empty: expected a finite number"
        );
    }

    #[test]
    fn bad_dates_are_errors() {
        assert_eq!(
            load_err("date,value\n2025-13-01,1\n"),
            "adiz.csv:2:1: error[E303]: date '2025-13-01' is not a valid date"
        );
        assert_eq!(
            load_err("value,date\n1,01/02/24\n"),
            "adiz.csv:2:3: error[E304]: date '01/02/24' is ambiguous: its two-digit year and the order of its parts could be read several ways"
        );
    }

    #[test]
    fn rows_without_a_date_are_skipped_with_one_warning() {
        let text = "date,year,value\n2025/1/1,,1.0\n,,\n,NaT,\n2025/1/2,,2.0\n  ,,\n";
        let data = load_ok(text);
        assert_eq!(data.batches[0].lines, [2, 5]);
        let [w] = &data.warnings[..] else {
            panic!("{:?}", data.warnings)
        };
        assert!(!w.is_error());
        assert_eq!(w.code, Code::RowsSkipped);
        let mut sources = SourceMap::new();
        let file = sources.add("adiz.csv", text);
        assert_eq!(file, FileId(0));
        assert_eq!(
            one_line(w, &sources),
            "adiz.csv:3:1: warning[W003]: 3 rows without a date were skipped"
        );
        let one = load_ok("date,v\n,1\n");
        assert_eq!(one.warnings[0].message, "1 row without a date was skipped");
        assert!(one.batches.is_empty());
    }

    #[test]
    fn empty_and_header_only_files_hold_nothing() {
        for text in [
            "",
            "\u{feff}",
            "\n\n",
            "date,value\n",
            "\u{feff}date,value",
            "date,value\r\n\r\n",
        ] {
            let data = load_ok(text);
            assert!(
                data.batches.is_empty() && data.warnings.is_empty(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_header_without_a_date_column_is_an_error() {
        let err = load_err("\u{feff}day,value\n2025-01-01,1\n");
        assert_eq!(err, "adiz.csv:1:1: error[E302]: no date column: no header is named date, at, time, timestamp or event_date");
        assert_eq!(load_err("\n\nvalue\n"), "adiz.csv:3:1: error[E302]: no date column: no header is named date, at, time, timestamp or event_date");
    }

    #[test]
    fn an_unclosed_quote_is_an_error_not_one_huge_cell() {
        let err = load_err("date,note\n2025-01-01,\"open\n2025-01-02,x\n2025-01-03,y\n");
        assert_eq!(err, "adiz.csv:2:12: error[E310]: a quoted cell is never closed: the quote runs to the end of the file");
        let err = load_err("date,note,value\n2025-01-01,\"open,1\n2025-01-02,x,2\n");
        assert_eq!(err, "adiz.csv:2:12: error[E310]: a quoted cell is never closed: the quote runs to the end of the file");
    }

    #[test]
    fn quotes_inside_unquoted_cells_are_text() {
        let data = load_ok("date,note\n2025-01-01,say \"hi\"\n2025-01-02,\"a\"b\n");
        assert_eq!(cells(&data.batches[0]), ["say \"hi\"", "ab"]);
    }

    #[test]
    fn cell_bounds_follow_the_csv_rules() {
        let text = b"a,\"b,\"\"c\"\"\",d\ne";
        assert_eq!(cell_bounds(text, 0, 0), Some((0, 1)));
        assert_eq!(cell_bounds(text, 0, 1), Some((2, 11)));
        assert_eq!(cell_bounds(text, 0, 2), Some((12, 13)));
        assert_eq!(cell_bounds(text, 0, 3), None);
        assert_eq!(cell_bounds(text, 14, 0), Some((14, 15)));
    }
}

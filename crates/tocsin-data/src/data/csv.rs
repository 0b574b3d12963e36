//! CSV indicator files: a header row, then one observation a row.
//!
//! Records laid out as CSV writers lay them out are split by hand (see
//! [`fast`]); at anything unusual the `csv` crate splits them instead and
//! places every problem. This module picks the special columns (date,
//! `value`, `series`), checks every row and keeps the field columns that
//! rules read as string fields. The raw text is scanned again only to
//! place an error: [`cell_bounds`] finds a cell's bytes from its record's
//! start. A large text is read in chunks on every core (see [`chunks`]),
//! and a large file as it streams, never held whole (see [`stream`]), both
//! with the one-thread read's result.

use super::date::{date_diagnostic, is_date_name, iso_numbers, parse_date, quote};
use super::{
    series_name, Batch, ColumnSelection, Fields, FileData, MAX_CELLS, MAX_FIELD_COLUMNS,
    MAX_RECORD_BYTES,
};
use crate::diag::{Code, Diagnostic, FileId, Span};
#[cfg(test)]
use crate::time::Date;
use ::csv::{Position, ReaderBuilder, StringRecord};
use rustc_hash::FxHashMap;

mod chunks;
mod fast;
mod narrow;
mod scan;
mod stream;

pub use stream::{load as load_stream, Streamed};

/// Parses a CSV file; see the module documentation and `spec/data.md`.
/// `delimiter` is given for `.tsv` files; without it the header row
/// chooses (see [`sniff_delimiter`]). Only the field columns `selection`
/// keeps get cells.
pub(super) fn load(
    file: FileId,
    stem: &str,
    text: &str,
    delimiter: Option<u8>,
    selection: &ColumnSelection,
) -> Result<FileData, Diagnostic> {
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
        // No header, no rows: the file's series exists, with nothing in it.
        data.batches = vec![Batch {
            series: series_name(stem),
            ..Batch::default()
        }];
        return Ok(data);
    }
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(body));
    let mut data = load_body(data, stem, text, bom, delimiter, selection)?;
    data.warnings
        .extend(duplicate_columns(file, text, bom, delimiter));
    Ok(data)
}

/// Two header cells that name one column, ignoring case (`actor` and
/// `ACTOR`, as merged spreadsheets hold): rules can read only one of them,
/// so the other's cells are out of reach. A warning, as the file is read
/// all the same.
pub(super) fn duplicate_columns(
    file: FileId,
    text: &str,
    bom: usize,
    delimiter: u8,
) -> Option<Diagnostic> {
    let body = text.get(bom..)?;
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body.as_bytes());
    let mut header = StringRecord::new();
    if !reader.read_record(&mut header).ok()? {
        return None;
    }
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let (first, again) = (0..names.len()).find_map(|j| {
        let i = names[..j]
            .iter()
            .position(|n| !n.is_empty() && *n == names[j])?;
        Some((i, j))
    })?;
    let start = bom + usize::try_from(header.position()?.byte()).ok()?;
    let line = text[start..].split(['\r', '\n']).next().unwrap_or("");
    let cell = |k: usize| header.get(k).unwrap_or("").trim();
    Some(
        Diagnostic::warning(
            Code::DuplicateColumns,
            format!(
                "columns {} (`{}`) and {} (`{}`) have one name, ignoring case: rules read only one of them",
                first + 1,
                cell(first),
                again + 1,
                cell(again)
            ),
        )
        .in_file(file)
        .with_primary(Span::new(file, start, start + line.len()), "one name twice")
        .with_note("as a field, each row's cell of the last of them is read; as the date, `value` or `series`, the first")
        .with_note("rename one of the columns so that each has a name of its own"),
    )
}

/// [`load`] of a file that is not empty, read with `delimiter`.
fn load_body(
    mut data: FileData,
    stem: &str,
    text: &str,
    bom: usize,
    delimiter: u8,
    selection: &ColumnSelection,
) -> Result<FileData, Diagnostic> {
    let file = data.file;
    let body = text.get(bom..).unwrap_or("");
    // A large file is read in chunks on every core (each by the fast path
    // where it can be) before anything is read on one thread.
    if body.len() >= chunks::MIN_SPLIT_BYTES {
        if let Some(data) = chunks::load(
            file,
            stem,
            text,
            bom,
            delimiter,
            MAX_FIELD_COLUMNS,
            chunks::CHUNK_BYTES,
            selection,
        ) {
            return Ok(data);
        }
    }
    let plain = match delimiter {
        b',' => load_plain::<b','>(stem, body, MAX_FIELD_COLUMNS, selection),
        b';' => load_plain::<b';'>(stem, body, MAX_FIELD_COLUMNS, selection),
        _ => load_plain::<b'\t'>(stem, body, MAX_FIELD_COLUMNS, selection),
    };
    if let Some(batches) = plain {
        data.batches = batches;
        return Ok(data);
    }
    load_by_csv_crate(
        data,
        stem,
        text,
        bom,
        delimiter,
        MAX_FIELD_COLUMNS,
        selection,
    )
}

/// The delimiter of a `.csv` file, from its header row (the first line
/// that is not blank): a comma, unless the header holds none but holds
/// semicolons or tabs (as European spreadsheets export), the more frequent
/// of the two then (a semicolon on a tie).
fn sniff_delimiter(body: &str) -> u8 {
    let header = body
        .split('\n')
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let count = |c: u8| header.bytes().filter(|&b| b == c).count();
    let (semicolons, tabs) = (count(b';'), count(b'\t'));
    if count(b',') > 0 || semicolons + tabs == 0 {
        b','
    } else if semicolons >= tabs {
        b';'
    } else {
        b'\t'
    }
}

/// The general path: records split by the `csv` crate, every problem
/// reported. `data` is the empty result for the file; `max_columns` is
/// [`MAX_FIELD_COLUMNS`] but in tests.
fn load_by_csv_crate(
    mut data: FileData,
    stem: &str,
    text: &str,
    bom: usize,
    delimiter: u8,
    max_columns: usize,
    selection: &ColumnSelection,
) -> Result<FileData, Diagnostic> {
    let body = text.get(bom..).unwrap_or("");
    let file = data.file;
    let src = Source {
        file,
        text,
        bom,
        delimiter,
    };
    if let Some((start, len, open)) = first_long_record(text.as_bytes(), bom, delimiter) {
        return Err(src.long_record(start, len, open));
    }
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body.as_bytes());
    let header = reader.headers().map_err(|e| src.reader_error(&e))?.clone();
    let header_start = src.record_start(header.position()).0;
    if header.len() > MAX_CELLS {
        return Err(src.wide_header(header_start, header.len()));
    }
    let mut columns =
        Columns::of(&header, delimiter).ok_or_else(|| src.no_date_column(header_start, &header))?;
    let mut batches = Batches::new(stem, columns.template(&header, selection), max_columns);
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
    data.batches = batches.finish(columns.series.is_some());
    if skipped > 0 {
        data.warnings.push(src.rows_skipped(skipped, first_skipped));
    }
    Ok(data)
}

/// The fast path, for the common file: records laid out as CSV writers
/// lay them out (see [`fast`]), read without the `csv` crate. It gives up
/// (`None`) at the first thing it does not handle — a quote the `csv`
/// crate would read as text, a lone carriage return, a blank first line,
/// a header without a date column, a row of the wrong width or without a
/// date, a cell that does not read — and the file is then read again by
/// the general path, so that results, warnings and errors are always the
/// general path's. It skips the `csv` crate's buffering, record copies
/// and UTF-8 checks (the text is already UTF-8), and copies only the cells
/// it keeps. The delimiter `D` is a constant, so that each delimiter's
/// loop is as tight as the comma's.
fn load_plain<const D: u8>(
    stem: &str,
    body: &str,
    max_columns: usize,
    selection: &ColumnSelection,
) -> Option<Vec<Batch>> {
    let bytes = body.as_bytes();
    if matches!(bytes.first(), Some(b'\n' | b'\r')) {
        return None;
    }
    let mut cells = Vec::new();
    // Records over the limit are reported by the general path.
    let fast::Split::Record { next, newlines } = fast::split::<D>(bytes, 0, true, &mut cells)
    else {
        return None;
    };
    if cells.len() > MAX_CELLS {
        return None;
    }
    let header = StringRecord::from(
        cells
            .iter()
            .map(|c| fast::text(bytes, c))
            .collect::<Option<Vec<_>>>()?
            .iter()
            .map(|c| c.as_ref())
            .collect::<Vec<&str>>(),
    );
    let mut columns = Columns::of(&header, D)?;
    let mut batches = Batches::new(stem, columns.template(&header, selection), max_columns);
    let line = newlines.checked_add(1)?;
    let read = fast::read_rows::<D>(
        fast::Text::str(body),
        next,
        bytes.len(),
        true,
        &columns,
        &mut batches,
        line,
    )?;
    if read.end != body.len() {
        return None;
    }
    Some(batches.finish(columns.series.is_some()))
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
        if let Some(at) = glued_at(record, columns) {
            return Err(src.glued_rows(start, record.len(), columns.width, at));
        }
        return Err(src.cell_count(start, record.len(), columns.width));
    }
    let date_cell = record.get(columns.date).unwrap_or("");
    if date_cell.trim().is_empty() {
        return Ok(Row::NoDate);
    }
    let date = parse_date(date_cell)
        .map_err(|e| {
            let d = date_diagnostic(e, date_cell, src.cell_span(start, columns.date));
            match d.code {
                Code::InvalidDate => d.with_note(format!(
                    "column {} ({}) is taken as the date column: it is the first named date, at, time, timestamp or event_date",
                    columns.date + 1,
                    quote(columns.date_name.trim())
                )),
                _ => d,
            }
        })?;
    let value = match columns.value {
        Some(i) => {
            let cell = record.get(i).unwrap_or("");
            let value = columns.parse_value(cell);
            value.ok_or_else(|| src.invalid_value(cell, src.cell_span(start, i)))?
        }
        None => 1.0,
    };
    let batch = match columns.series {
        Some(i) => {
            let cell = record.get(i).unwrap_or("");
            match batches.named(cell) {
                Some(batch) => batch,
                None if cell.trim().is_empty() => {
                    return Err(src.empty_series_cell(src.cell_span(start, i)))
                }
                None => {
                    return Err(src.too_many_field_columns(
                        cell.trim(),
                        columns,
                        batches.max_columns,
                        src.cell_span(start, i),
                    ))
                }
            }
        }
        None => batches.first(),
    };
    let row = batch.dates.len();
    batch.dates.push(date);
    batch.values.push(value);
    batch.lines.push(line);
    for &(i, col) in &columns.kept {
        columns.set_field(&mut batch.fields, col, row, record.get(i).unwrap_or(""));
    }
    Ok(Row::Kept)
}

/// A finite number, written as `str::parse` reads it (`20`, `20.0`, `-3.5`,
/// `1e3`), around spaces. `NaN`, `inf` and numbers too large for an `f64`
/// are refused.
#[inline]
fn parse_value(cell: &str) -> Option<f64> {
    let cell = trim(cell);
    match plain_decimal(cell.as_bytes()) {
        Some(v) => Some(v),
        None => cell.parse::<f64>().ok().filter(|v| v.is_finite()),
    }
}

/// A value written as most are (`-12.5`, `40.84`, `7`): an optional minus,
/// at most 15 digits and at most one point. Its digits as an integer and
/// the power of ten they are divided by are both exact in an `f64`, so the
/// one division is correctly rounded: the same value `str::parse` gives
/// (Clinger's fast path), without its general machinery. `None` for
/// anything else, which `str::parse` reads.
#[inline]
fn plain_decimal(cell: &[u8]) -> Option<f64> {
    let (negative, digits) = match cell {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, cell),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut m = 0u64;
    let mut count = 0usize;
    let mut point = None;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(b - b'0');
                count += 1;
            }
            b'.' if point.is_none() => point = Some(i),
            _ => return None,
        }
    }
    if count == 0 || count > 15 {
        return None;
    }
    let fraction = point.map_or(0, |p| digits.len() - p - 1);
    Some(exact_decimal(m, fraction, negative))
}

/// `m` (at most 15 digits) over ten to the `fraction` (at most 15), with
/// its sign: both exact in an `f64`, so the one division is correctly
/// rounded.
#[inline(always)]
fn exact_decimal(m: u64, fraction: usize, negative: bool) -> f64 {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let v = m as f64 / POW10[fraction];
    if negative {
        -v
    } else {
        v
    }
}

/// `cell.trim()`, without the search for Unicode spaces when the cell
/// starts and ends with a visible ASCII character, as nearly every cell
/// does: two trims a row were a tenth of reading ten years of daily files.
#[inline]
fn trim(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// A value written with a decimal comma (`14,25`, `-0,5`, `1,5e3`), as
/// semicolon files write them: one comma and no point. Grouped thousands
/// (`1.234,5`) are refused rather than guessed at.
#[cold]
fn parse_decimal_comma(cell: &str) -> Option<f64> {
    let cell = cell.trim();
    if cell.contains('.') || cell.bytes().filter(|&b| b == b',').count() != 1 {
        return None;
    }
    parse_value(&cell.replace(',', "."))
}

/// Where the special columns are, by index in the header.
struct Columns {
    date: usize,
    value: Option<usize>,
    series: Option<usize>,
    /// Every other column, in header order.
    fields: Vec<usize>,
    /// The columns whose cells are kept, by index in the header, with the
    /// column of [`Fields`] each fills (headers that differ only in case
    /// fill one, the last cell winning).
    kept: Vec<(usize, usize)>,
    /// Number of cells a row must have.
    width: usize,
    /// Values may be written with a decimal comma (semicolon files).
    decimal_comma: bool,
    /// The header of the date column, as written.
    date_name: String,
}

impl Columns {
    /// The layout of a header; `None` without a date column. Where several
    /// headers qualify as the date, `value` or `series` column, the first
    /// one does and the others are fields.
    fn of(header: &StringRecord, delimiter: u8) -> Option<Columns> {
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
            kept: Vec::new(),
            width: header.len(),
            decimal_comma: delimiter == b';',
            date_name: header.get(date).unwrap_or("").to_string(),
        })
    }

    /// Sets a field cell. In a semicolon file a number written with a
    /// decimal comma (`14,25`) is kept with a point (`14.25`), so that
    /// projections and numeric filters read it as the value column is
    /// read; other text is kept as written.
    #[inline]
    fn set_field(&self, fields: &mut Fields, col: usize, row: usize, cell: &str) {
        if self.decimal_comma && cell.contains(',') && parse_decimal_comma(cell).is_some() {
            fields.set(col, row, &cell.replace(',', "."));
        } else {
            fields.set(col, row, cell);
        }
    }

    /// A value cell, read as [`parse_value`] reads it, or with a decimal
    /// comma in a semicolon file.
    #[inline]
    fn parse_value(&self, cell: &str) -> Option<f64> {
        match parse_value(cell) {
            None if self.decimal_comma => parse_decimal_comma(cell),
            v => v,
        }
    }

    /// Empty fields with a column for each field header (trimmed, as
    /// written), which every batch starts from; sets `kept` to the columns
    /// `selection` keeps. Every header is named, kept or not.
    fn template(&mut self, header: &StringRecord, selection: &ColumnSelection) -> Fields {
        let mut fields = Fields::new();
        self.kept = self
            .fields
            .iter()
            .filter_map(|&i| {
                let name = header.get(i).unwrap_or("").trim();
                let col = fields.column_or_insert(name);
                selection.keeps(name).then_some((i, col))
            })
            .collect();
        fields
    }
}

/// The batches of one file: a single one named after the stem, or one per
/// `series` cell in order of first appearance.
struct Batches {
    stem: String,
    /// The fields every batch starts with: the columns, no rows.
    template: Fields,
    /// Field columns over all batches, against `max_columns`.
    field_columns: usize,
    /// [`MAX_FIELD_COLUMNS`], but in tests.
    max_columns: usize,
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
    fn new(stem: &str, template: Fields, max_columns: usize) -> Batches {
        Batches {
            stem: series_name(stem),
            template,
            field_columns: 0,
            max_columns,
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

    /// The batch for a `series` cell; `None` when the cell is empty, or
    /// when a new series would bring the file past its field columns.
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

    /// The batches, each with a row of fields for every observation (rows
    /// are counted once here rather than row by row). A file without a
    /// `series` column has its stem's series even without a row, so that a
    /// header-only file defines an empty series.
    fn finish(mut self, series_column: bool) -> Vec<Batch> {
        if !series_column {
            self.first();
        }
        let mut batches = self.batches;
        for b in &mut batches {
            b.fields.pad_rows(b.dates.len());
        }
        batches
    }

    /// The index of the batch of a normalised series name, added if new.
    fn index_of(&mut self, name: String) -> usize {
        if let Some(&i) = self.by_name.get(&name) {
            return i;
        }
        self.field_columns += self.template.names().len();
        if self.field_columns > self.max_columns {
            return usize::MAX;
        }
        self.batches.push(self.empty_batch(name.clone()));
        self.by_name.insert(name, self.batches.len() - 1);
        self.batches.len() - 1
    }

    fn empty_batch(&self, series: String) -> Batch {
        Batch {
            series,
            fields: self.template.clone(),
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
    delimiter: u8,
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
        let (a, b) =
            cell_bounds(self.bytes(), start, index, self.delimiter).unwrap_or((start, start));
        let raw = self.bytes().get(a..b).unwrap_or(&[]);
        let trimmed = raw.trim_ascii();
        if raw.first() == Some(&b'"') || trimmed.is_empty() {
            return Span::new(self.file, a, b);
        }
        let lead = raw.len() - raw.trim_ascii_start().len();
        Span::new(self.file, a + lead, a + lead + trimmed.len())
    }

    /// The first line of the record starting at `start`, cut to about
    /// [`MARK_BYTES`]: a mark that stays readable however long the line.
    fn short_line_span(&self, start: usize) -> Span {
        let line = self.line_span(start);
        Span::new(self.file, start, self.cut(start, line.end as usize))
    }

    /// `end`, or the last character boundary at most [`MARK_BYTES`] past
    /// `start`.
    fn cut(&self, start: usize, end: usize) -> usize {
        let mut end = end.min(start.saturating_add(MARK_BYTES));
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        end
    }

    /// A note for a header that holds another delimiter than the one it
    /// was read with: the likely reason no date column was found.
    fn delimiter_note(&self, line: &str) -> Option<String> {
        let other = [b',', b';', b'\t']
            .into_iter()
            .find(|&d| d != self.delimiter && line.as_bytes().contains(&d))?;
        let (used, seen) = (delimiter_name(self.delimiter), delimiter_name(other));
        Some(match (self.delimiter, other) {
            (b',', _) => format!(
                "the header holds {seen} but was read with commas, because it holds commas too: a .csv file is read with semicolons or tabs only when its header row holds no comma; if the file is separated by {seen}, remove the commas from its header row"
            ),
            (b'\t', b',') => "the header holds commas but was read with tabs, as .tsv files are: if the file is separated by commas, name it .csv".to_string(),
            (_, b'\t') => format!(
                "the header holds tabs but was read with {used}, which it holds more of: if the file is separated by tabs, name it .tsv"
            ),
            _ => format!(
                "the header holds {seen} but was read with {used}: if the file is separated by {seen}, name it .csv and keep {used} out of its header row"
            ),
        })
    }

    fn no_date_column(&self, header_start: usize, header: &StringRecord) -> Diagnostic {
        let names: Vec<String> = header.iter().take(12).map(quote).collect();
        let more = if header.len() > 12 { ", …" } else { "" };
        let line = self.line_span(header_start);
        let line = self
            .text
            .get(line.start as usize..line.end as usize)
            .unwrap_or("");
        let cells = if header.len() == 1 {
            "1 cell".to_string()
        } else {
            format!("{} cells", header.len())
        };
        // A header right after the byte-order mark is marked from the
        // start of the file, so that it shows at column 1 like in an editor.
        let start = if header_start == self.bom {
            0
        } else {
            header_start
        };
        let d = Diagnostic::error(
            Code::NoDateColumn,
            "no date column: no header is named date, at, time, timestamp or event_date",
        )
        .with_primary(self.short_line_span(start), "header row")
        .with_note(format!(
            "read with {}, the header has {cells}: {}{more}",
            delimiter_name(self.delimiter),
            names.join(", ")
        ));
        match self.delimiter_note(line) {
            Some(note) => d.with_note(note),
            None => d.with_note("name the column that holds each row's date `date` (in any case)"),
        }
    }

    /// The first character at `start`: a mark that stays short however
    /// long the line.
    fn point(&self, start: usize) -> Span {
        let end = self.text[start.min(self.text.len())..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
        Span::new(self.file, start, end)
    }

    fn too_many_field_columns(
        &self,
        series: &str,
        columns: &Columns,
        max: usize,
        span: Span,
    ) -> Diagnostic {
        Diagnostic::error(
            Code::TooManyFields,
            format!(
                "series {} takes the file past {max} field columns: each of its series has all {} field columns",
                quote(series),
                columns.fields.len()
            ),
        )
        .with_primary(span, "a new series")
        .with_note("split the file by series, or keep fewer columns")
    }

    fn long_record(&self, start: usize, len: usize, open_quote: bool) -> Diagnostic {
        let record = self.text.as_bytes().get(start..start + len).unwrap_or(&[]);
        let what = if !record.contains(&b'\n') {
            "line"
        } else {
            "record (a quoted cell spans lines)"
        };
        let d = Diagnostic::error(
            Code::LongRecord,
            format!(
                "{what} is {len} bytes long; tocsin reads CSV records of up to {MAX_RECORD_BYTES} bytes (1 MiB)"
            ),
        )
        .with_primary(self.point(start), "starts here");
        if open_quote {
            d.with_note("a quote opened in this record is never closed, so it runs to the end of the file: close it with `\"`")
        } else {
            d.with_note(
                "a data file holds one observation a line: keep long texts out of it, or cut them",
            )
        }
    }

    fn wide_header(&self, start: usize, cells: usize) -> Diagnostic {
        Diagnostic::error(
            Code::TooManyCells,
            format!("the header has {cells} cells; tocsin reads at most {MAX_CELLS} columns"),
        )
        .with_primary(self.point(start), "header row")
        .with_note("keep the columns that rules read, or split the file by column into several files (files of one series are merged)")
    }

    /// A row that looks like two (see [`glued_at`]): marked where the
    /// second row starts in the joined cell, `at` bytes into it, or at the
    /// whole cell when that is not known.
    fn glued_rows(&self, start: usize, found: usize, expected: usize, at: usize) -> Diagnostic {
        let (mut a, b) = cell_bounds(self.bytes(), start, expected - 1, self.delimiter)
            .unwrap_or((start, start));
        // Offsets into a quoted cell's text are not offsets into the file.
        if self.bytes().get(a) != Some(&b'"') && a + at < b {
            a += at;
        }
        Diagnostic::error(
            Code::CellCount,
            format!(
                "row has {found} cells but the header has {expected}: a line break may be missing"
            ),
        )
        .with_primary(
            Span::new(self.file, a, self.cut(a, b)),
            "the next row may start here",
        )
        .with_note("the row holds about twice the header's cells and a second date, as two rows written on one line do: put a line break where the second row starts")
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
        .with_primary(
            self.short_line_span(start),
            format!("{} here", cells(found)),
        )
        .with_note(format!(
            "a cell that holds {}, a quote or a line break must be quoted: \"a{} b\"",
            match self.delimiter {
                b',' => "a comma",
                b';' => "a semicolon",
                _ => "a tab",
            },
            char::from(self.delimiter)
        ))
    }

    fn invalid_value(&self, cell: &str, span: Span) -> Diagnostic {
        let message = if cell.trim().is_empty() {
            "value is empty: expected a finite number".to_string()
        } else {
            format!("value {} is not a finite number", quote(cell.trim()))
        };
        let d = Diagnostic::error(Code::InvalidValue, message)
            .with_primary(span, "expected a number such as 20, 20.0, -3.5 or 1e3");
        let cell = cell.trim();
        let digits_around = |c: char| {
            cell.split(c).count() == 2
                && cell.split(c).all(|p| {
                    !p.is_empty()
                        && p.trim_start_matches('-')
                            .chars()
                            .all(|d| d.is_ascii_digit() || d == '.')
                })
        };
        if cell.contains('.') && cell.contains(',') {
            // `1.234,5` or `1,234.5`: grouped thousands.
            d.with_note(
                "write the number without thousands separators, with a decimal point: 1234.5",
            )
        } else if digits_around(',') && self.delimiter != b';' {
            d.with_note("a decimal comma (14,25) is read only in files separated by semicolons; write 14.25")
        } else {
            d
        }
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
        let open = scan_record(self.bytes(), start, usize::MAX, self.delimiter).open_quote?;
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

/// Whether a row of the wrong width looks like two rows on one line, as a
/// writer that appends without ending the last line makes: about twice
/// the header's cells (the last cell of the first row and the first of the
/// second run together, hence one fewer), and a date where the second
/// row's date would be. Gives where the second row starts in the joined
/// cell (cell `width - 1`), in bytes (0 when only the cell is known).
fn glued_at(record: &StringRecord, columns: &Columns) -> Option<usize> {
    let width = columns.width;
    if width < 2 || (record.len() != 2 * width - 1 && record.len() != 2 * width) {
        return None;
    }
    let joined = width - 1;
    if columns.date > 0 {
        let date = record.get(joined + columns.date)?;
        return parse_date(date).is_ok().then_some(0);
    }
    // The second row's date ends the joined cell; dates are short, so only
    // the last 40 bytes are tried however long the cell. The longest date
    // found is taken (`2025-01-10` rather than `025-01-10`).
    let cell = record.get(joined)?.trim_end();
    let from = cell.len().saturating_sub(40).max(1);
    (from..cell.len().saturating_sub(7))
        .find(|&i| cell.get(i..).is_some_and(|tail| parse_date(tail).is_ok()))
}

/// Most bytes a label marks in a line: past it, a mark draws a wall of
/// carets and tells no more.
const MARK_BYTES: usize = 80;

/// A delimiter as a message names it.
fn delimiter_name(delimiter: u8) -> &'static str {
    match delimiter {
        b',' => "commas",
        b';' => "semicolons",
        _ => "tabs",
    }
}

/// The first record past [`MAX_RECORD_BYTES`], from `from` on: its start,
/// length and whether it is a quote never closed. Records end at a line
/// break outside quotes, as the `csv` crate splits them (see
/// [`scan_record`]), so that a record over the limit is refused before the
/// crate copies it.
fn first_long_record(bytes: &[u8], from: usize, delimiter: u8) -> Option<(usize, usize, bool)> {
    if bytes.len().saturating_sub(from) <= MAX_RECORD_BYTES {
        return None;
    }
    // 0: at a cell's start, 1: in an unquoted cell, 2: in quotes, 3: just
    // after a quote in quotes.
    let mut state = 0u8;
    let mut start = from;
    for (i, &c) in bytes.iter().enumerate().skip(from) {
        state = match (state, c) {
            (2, b'"') => 3,
            (2, _) | (3, b'"') => 2,
            (_, b'\r' | b'\n') => {
                if i - start > MAX_RECORD_BYTES {
                    return Some((start, i - start, false));
                }
                start = i + 1;
                0
            }
            (_, c) if c == delimiter => 0,
            (0, b'"') => 2,
            _ => 1,
        };
    }
    let len = bytes.len() - start;
    (len > MAX_RECORD_BYTES).then_some((start, len, state == 2))
}

/// The byte range of cell `index` of the record starting at `start`
/// (quotes included), found by the rules the `csv` crate reads by: a quote
/// is special only at the start of a cell, `""` inside quotes is a quote,
/// and a record ends at a line break outside quotes.
fn cell_bounds(bytes: &[u8], start: usize, index: usize, delimiter: u8) -> Option<(usize, usize)> {
    scan_record(bytes, start, index, delimiter).cell
}

struct Scan {
    /// The bounds of the cell asked for, if the record has it.
    cell: Option<(usize, usize)>,
    /// Where a quote opened that the end of the text left open.
    open_quote: Option<usize>,
}

fn scan_record(bytes: &[u8], start: usize, index: usize, delimiter: u8) -> Scan {
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
                c == delimiter || matches!(c, b'\r' | b'\n')
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
            if c != delimiter {
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

    /// Every column, as loaders without a selection keep.
    pub(super) const ALL: &ColumnSelection = &ColumnSelection::All;
    use crate::diag::SourceMap;

    fn load_ok(text: &str) -> FileData {
        match load(FileId(0), "pla-adiz", text, None, ALL) {
            Ok(data) => data,
            Err(e) => panic!("{e:?}"),
        }
    }

    /// The error as `FILE:LINE:COL: error[CODE]: message`.
    fn load_err(text: &str) -> String {
        let mut sources = SourceMap::new();
        let file = sources.add("adiz.csv", text);
        match load(file, "adiz", text, None, ALL) {
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

    fn cells(batch: &Batch) -> Vec<String> {
        batch.grid()
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
        assert_eq!(b.fields.names(), ["actor"]);
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
        assert!(data.batches[0].fields.names().is_empty());
        assert!(cells(&data.batches[0]).is_empty());
    }

    #[test]
    fn special_columns_ignore_case_and_the_first_date_column_wins() {
        let data = load_ok("ID,EVENT_DATE,Value,TIMESTAMP,Notes\nx1,2024-11-01,2,1753954407,n\n");
        let b = &data.batches[0];
        assert_eq!(dates(b), ["2024-11-01"]);
        assert_eq!(b.values, [2.0]);
        assert_eq!(b.fields.names(), ["ID", "TIMESTAMP", "Notes"]);
        assert_eq!(cells(b), ["x1", "1753954407", "n"]);
    }

    #[test]
    fn bom_and_crlf() {
        let text = "\u{feff}date,value,note\r\n2025-01-01,1,a\r\n2025-01-02,2,b\r\n";
        let data = load_ok(text);
        let b = &data.batches[0];
        assert_eq!(b.fields.names(), ["note"]);
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
        assert_eq!(b.fields.names(), ["src"]);
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
        assert_eq!(one.batches.len(), 1);
        assert!(one.batches[0].dates.is_empty());
    }

    #[test]
    fn empty_and_header_only_files_define_an_empty_series() {
        for text in [
            "",
            "\u{feff}",
            "\n\n",
            "date,value\n",
            "\u{feff}date,value",
            "date,value\r\n\r\n",
            "date;value\n",
            "date,actor,notes\n",
        ] {
            let data = load_ok(text);
            let [batch] = &data.batches[..] else {
                panic!("{text:?}: {:?}", data.batches)
            };
            assert_eq!(batch.series, "pla_adiz");
            assert!(
                batch.dates.is_empty() && data.warnings.is_empty(),
                "{text:?}"
            );
        }
        // Only rows name the series of a file with a `series` column.
        assert!(load_ok("series,date,value\n").batches.is_empty());
    }

    #[test]
    fn semicolons_and_tabs_are_found_from_the_header() {
        assert_eq!(sniff_delimiter("date,value\n"), b',');
        assert_eq!(sniff_delimiter("date;value\n1;2"), b';');
        assert_eq!(sniff_delimiter("\n\ndate\tvalue\n"), b'\t');
        // A comma anywhere in the header keeps commas.
        assert_eq!(sniff_delimiter("date,note;x\n"), b',');
        assert_eq!(sniff_delimiter("date\n"), b',');
        assert_eq!(sniff_delimiter("date;a;b\tc\n"), b';');
        assert_eq!(sniff_delimiter("date\ta\tb;c\n"), b'\t');
        let data = load_ok("date;value;actor\n2025-01-01;14,25;A, B\n2025-01-02;-3;0,5\n");
        let b = &data.batches[0];
        assert_eq!(b.values, [14.25, -3.0]);
        // Text keeps its comma; a number in a field takes a point, as
        // projections read it.
        assert_eq!(cells(b), ["A, B", "0.5"]);
        let tsv = load(
            FileId(0),
            "x",
            "date\tvalue\tnote\n2025-01-01\t2\ta,b\n",
            Some(b'\t'),
            ALL,
        );
        let tsv = tsv.map(|d| (d.batches[0].values.clone(), cells(&d.batches[0])));
        assert_eq!(tsv.ok(), Some((vec![2.0], vec!["a,b".to_string()])));
    }

    #[test]
    fn decimal_commas_read_only_in_semicolon_files() {
        assert_eq!(parse_decimal_comma("14,25"), Some(14.25));
        assert_eq!(parse_decimal_comma(" -0,5 "), Some(-0.5));
        assert_eq!(parse_decimal_comma("1,5e3"), Some(1500.0));
        for refused in ["1.234,5", "1,2,3", "1", ",", "a,b", "1,5;"] {
            assert_eq!(parse_decimal_comma(refused), None, "{refused}");
        }
        assert_eq!(
            load_err("date;value\n2025-01-01;1.234,5\n"),
            "adiz.csv:2:12: error[E305]: value '1.234,5' is not a finite number"
        );
        assert_eq!(
            load_err("date\tvalue\n2025-01-01\t1,5\n"),
            "adiz.csv:2:12: error[E305]: value '1,5' is not a finite number"
        );
    }

    /// The error's notes, in order.
    fn notes(text: &str, delimiter: Option<u8>) -> Vec<String> {
        match load(FileId(0), "adiz", text, delimiter, ALL) {
            Ok(data) => panic!("loaded {:?}", data.batches),
            Err(e) => e.notes,
        }
    }

    #[test]
    fn no_date_column_shows_the_header_as_read_and_the_delimiter() {
        assert_eq!(
            notes("day,value\n", None),
            [
                "read with commas, the header has 2 cells: 'day', 'value'",
                "name the column that holds each row's date `date` (in any case)"
            ]
        );
        // Semicolons and a comma: read with commas.
        let n = notes("Datum;Wert,Einheit\n", None);
        assert_eq!(
            n[0],
            "read with commas, the header has 2 cells: 'Datum;Wert', 'Einheit'"
        );
        assert!(
            n[1].starts_with("the header holds semicolons but was read with commas"),
            "{n:?}"
        );
        let n = notes("when\tvalue,x\n", None);
        assert!(
            n[1].starts_with("the header holds tabs but was read with commas"),
            "{n:?}"
        );
        // A .tsv file of commas.
        let n = notes("day,value\n", Some(b'\t'));
        assert_eq!(n[0], "read with tabs, the header has 1 cell: 'day,value'");
        assert!(n[1].ends_with("name it .csv"), "{n:?}");
        let n = notes("day;a;b\tc\n", None);
        assert!(
            n[0].starts_with("read with semicolons, the header has 3 cells"),
            "{n:?}"
        );
        assert!(n[1].ends_with("name it .tsv"), "{n:?}");
        // Long headers: twelve cells quoted, the mark kept short.
        let wide = format!("{}\n", vec!["x".repeat(50); 30].join(","));
        let n = notes(&wide, None);
        assert!(
            n[0].starts_with("read with commas, the header has 30 cells: 'xxx"),
            "{n:?}"
        );
        assert!(n[0].ends_with(", …") && n[0].len() < 700, "{}", n[0].len());
        let e = load(FileId(0), "adiz", &wide, None, ALL).err().unwrap();
        assert!(e.primary_span().is_some_and(|s| s.end - s.start == 80));
    }

    #[test]
    fn an_invalid_date_names_the_date_column() {
        let n = notes("id,Event_Date,value\n1,2025-13-01,1\n", None);
        assert_eq!(
            n.last().map(String::as_str),
            Some("column 2 ('Event_Date') is taken as the date column: it is the first named date, at, time, timestamp or event_date")
        );
    }

    #[test]
    fn two_rows_on_one_line_say_a_line_break_may_be_missing() {
        // The date first: the second date ends the joined cell.
        assert_eq!(
            load_err("date,value,actor\n2025-01-01,1,a\n2025-01-02,2,b2025-01-03,3,c\n"),
            "adiz.csv:3:15: error[E306]: row has 5 cells but the header has 3: a line break may be missing"
        );
        // The date elsewhere: found where the second row has it.
        assert_eq!(
            load_err("value,date\n1,2025-01-01\n2,2025-01-023,2025-01-03\n"),
            "adiz.csv:3:3: error[E306]: row has 3 cells but the header has 2: a line break may be missing"
        );
        // Twice as wide without a second date is an ordinary error.
        assert_eq!(
            load_err("date,value\n2025-01-01,1,5\n"),
            "adiz.csv:2:1: error[E306]: row has 3 cells but the header has 2 cells"
        );
        // In a long joined cell, the mark is on the second row's date.
        let long = format!("date,note\n2025-01-01,{}2025-01-02,y\n", "x".repeat(5000));
        let e = load(FileId(0), "adiz", &long, None, ALL).err().unwrap();
        assert!(e.message.ends_with("a line break may be missing"));
        let span = e.primary_span().unwrap();
        assert_eq!(&long[span.start as usize..span.end as usize], "2025-01-02");
        // Where the date is elsewhere, on the joined cell, kept short.
        let long = format!(
            "n,date,note\n1,2025-01-01,{}2,2025-01-02,y\n",
            "x".repeat(5000)
        );
        let e = load(FileId(0), "adiz", &long, None, ALL).err().unwrap();
        assert!(e.message.ends_with("a line break may be missing"));
        assert!(e.primary_span().is_some_and(|s| s.end - s.start == 80));
        // So is the row of an ordinary error.
        let wide = format!("date,value\n2025-01-01,1,{}\n", "y,".repeat(3000));
        let e = load(FileId(0), "adiz", &wide, None, ALL).err().unwrap();
        assert!(e.primary_span().is_some_and(|s| s.end - s.start == 80));
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
    fn records_over_a_mebibyte_are_refused_by_both_paths() {
        let long = "x".repeat(MAX_RECORD_BYTES);
        assert_eq!(
            load_err(&format!("date,note\n2025-01-01,a\n2025-01-02,{long}\n")),
            "adiz.csv:3:1: error[E314]: line is 1048587 bytes long; tocsin reads CSV records of up to 1048576 bytes (1 MiB)"
        );
        // Quoted, over several lines, and through the general path.
        let quoted = format!("date,note\r\n2025-01-01,\"a\n{long}\"\r\n");
        assert_eq!(
            load_err(&quoted),
            "adiz.csv:2:1: error[E314]: record (a quoted cell spans lines) is 1048591 bytes long; tocsin reads CSV records of up to 1048576 bytes (1 MiB)"
        );
        let open = format!("date,note\n2025-01-01,\"a\n{long}\n");
        let mut sources = SourceMap::new();
        let file = sources.add("adiz.csv", open.as_str());
        let e = load(file, "adiz", &open, None, ALL)
            .err()
            .map(|e| e.notes.join(" "));
        assert!(e.is_some_and(|n| n.contains("never closed")));
        // Just under the limit is read.
        let fits = "x".repeat(MAX_RECORD_BYTES - 11);
        let data = load_ok(&format!("date,note\n2025-01-01,{fits}\n"));
        assert_eq!(cells(&data.batches[0])[0].len(), fits.len());
    }

    #[test]
    fn headers_over_ten_thousand_cells_are_refused() {
        let header = |n: usize| {
            let names: Vec<String> = (1..n).map(|i| format!("c{i}")).collect();
            format!("date,{}\n", names.join(","))
        };
        let row = format!("2025-01-01{}\n", ",v".repeat(MAX_CELLS - 1));
        let data = load_ok(&format!("{}{row}", header(MAX_CELLS)));
        assert_eq!(data.batches[0].fields.names().len(), MAX_CELLS - 1);
        assert_eq!(
            load_err(&header(MAX_CELLS + 1)),
            "adiz.csv:1:1: error[E313]: the header has 10001 cells; tocsin reads at most 10000 columns"
        );
    }

    #[test]
    fn field_columns_over_all_series_are_capped() {
        // Three field columns a series; a limit of ten admits three series.
        let mut text = "series,date,a,b,c\n".to_string();
        for s in 0..4 {
            text.push_str(&format!("s{s},2025-01-01,x,,y\n"));
        }
        let mut sources = SourceMap::new();
        let file = sources.add("adiz.csv", text.as_str());
        let empty = FileData {
            file,
            ..FileData::default()
        };
        assert!(load_plain::<b','>("adiz", &text, 10, ALL).is_none());
        let ok = load_by_csv_crate(
            empty.clone(),
            "adiz",
            &text[..text.len() - 19],
            0,
            b',',
            10,
            ALL,
        );
        assert_eq!(ok.map(|d| d.batches.len()).ok(), Some(3));
        let err = load_by_csv_crate(empty, "adiz", &text, 0, b',', 10, ALL).err();
        assert_eq!(
            err.map(|e| one_line(&e, &sources)).as_deref(),
            Some("adiz.csv:5:1: error[E312]: series 's3' takes the file past 10 field columns: each of its series has all 3 field columns")
        );
        assert_eq!(
            load_plain::<b','>("adiz", &text, MAX_FIELD_COLUMNS, ALL).map(|b| b.len()),
            Some(4)
        );
    }

    #[test]
    fn numbers_written_the_european_way_get_a_note() {
        let note = |text: &str| match load(FileId(0), "adiz", text, None, ALL) {
            Ok(data) => panic!("loaded {:?}", data.batches),
            Err(e) => e.notes.join(" | "),
        };
        assert_eq!(
            note("date\tvalue\n2024-01-01\t14,25\n"),
            "a decimal comma (14,25) is read only in files separated by semicolons; write 14.25"
        );
        assert_eq!(
            note("date,value\n2024-01-01,\"1.234,5\"\n"),
            "write the number without thousands separators, with a decimal point: 1234.5"
        );
        assert_eq!(note("date,value\n2024-01-01,abc\n"), "");
    }

    #[test]
    fn headers_differing_in_case_fill_one_field_the_last_cell_winning() {
        let text = "\u{feff}date,Actor,actor\n2025-01-01,a,b\n2025-01-02,c,\n";
        let data = load_ok(text);
        let b = &data.batches[0];
        assert_eq!(b.fields.names(), ["Actor"]);
        assert_eq!(cells(b), ["b", ""]);
        // Said, with the header marked.
        let mut sources = SourceMap::new();
        sources.add("adiz.csv", text);
        let [w] = &data.warnings[..] else {
            panic!("{:?}", data.warnings)
        };
        assert_eq!(
            one_line(w, &sources),
            "adiz.csv:1:2: warning[W009]: columns 2 (`Actor`) and 3 (`actor`) have one name, ignoring case: rules read only one of them"
        );
        assert_eq!(w.primary_span().map(|s| s.end), Some(3 + 16));
        // The value column too; distinct names are not warned about.
        assert_eq!(
            load_ok("date;value;VALUE\n2025-01-01;1;2\n").warnings[0].code,
            Code::DuplicateColumns
        );
        assert!(load_ok("date,value,actor,actor2\n2025-01-01,1,a,b\n")
            .warnings
            .is_empty());
    }

    #[test]
    fn cell_bounds_follow_the_csv_rules() {
        let text = b"a,\"b,\"\"c\"\"\",d\ne";
        assert_eq!(cell_bounds(text, 0, 0, b','), Some((0, 1)));
        assert_eq!(cell_bounds(text, 0, 1, b','), Some((2, 11)));
        assert_eq!(cell_bounds(text, 0, 2, b','), Some((12, 13)));
        assert_eq!(cell_bounds(text, 0, 3, b','), None);
        assert_eq!(cell_bounds(text, 14, 0, b','), Some((14, 15)));
    }
}

#[cfg(test)]
mod properties {
    use super::tests::ALL;
    use super::*;
    use proptest::prelude::*;

    /// The delimiters a file may be read with.
    const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

    /// `text`, written with commas, rewritten with `delimiter`; a `\u{1}`
    /// stands for a comma inside a cell (a decimal comma, a comma in a
    /// semicolon file's text).
    fn with_delimiter(text: &str, delimiter: u8) -> String {
        text.replace(',', &char::from(delimiter).to_string())
            .replace('\u{1}', ",")
    }

    /// Files built from pieces that matter to either path: headers with and
    /// without special columns, good and bad dates and values, empty and
    /// blank cells, quotes, carriage returns, blank lines, a missing last
    /// line break; with any delimiter.
    fn file() -> impl Strategy<Value = (String, u8)> {
        let header = prop_oneof![
            Just("date,value"),
            Just("date,value,series"),
            Just("date,actor"),
            Just("Date , Value,notes"),
            Just("value,date"),
            Just("day,value"),
            Just("date"),
            Just(""),
        ];
        let cell = prop_oneof![
            Just("2025-01-02"),
            Just("2025-01-01"),
            Just("2025/1/3"),
            Just(" 2025-01-04 "),
            Just("1 Jan 2025"),
            Just("2025-13-01"),
            Just("2025-02-29"),
            Just("2024-02-29"),
            Just("2025-04-31"),
            Just("2025-04-30"),
            Just("2025-04-00"),
            Just("0000-01-01"),
            Just("01/02/2025"),
            Just("1"),
            Just(" 2.5"),
            Just("-3e2"),
            Just("x"),
            Just("NaN"),
            Just(""),
            Just(" "),
            Just("a"),
            Just("b-c"),
            Just("PLA é"),
            Just("\"q,uoted\""),
            Just("say \"hi\""),
            Just("14\u{1}25"),
            Just("1.234\u{1}5"),
            Just("a\u{1}b"),
            Just("\t"),
        ];
        let row = proptest::collection::vec(cell, 0..5).prop_map(|c| c.join(","));
        let end = prop_oneof![8 => Just("\n"), 1 => Just("\r\n"), 1 => Just("\n\n")];
        (
            header,
            proptest::collection::vec((row, end), 0..8),
            any::<bool>(),
            0..DELIMITERS.len(),
        )
            .prop_map(|(h, rows, last, d)| {
                let mut s = h.to_string();
                for (r, e) in rows {
                    s.push('\n');
                    s.push_str(&r);
                    if e != "\n" {
                        s.push_str(&e[..e.len() - 1]);
                    }
                }
                if last {
                    s.push('\n');
                }
                (with_delimiter(&s, DELIMITERS[d]), DELIMITERS[d])
            })
    }

    /// Files the fast path reads through: every row as wide as the
    /// header, dates and values that read, now and then a blank line;
    /// with any delimiter, and decimal commas in semicolon files.
    fn plain_file() -> impl Strategy<Value = (String, u8)> {
        let row = (
            0u32..3000,
            prop_oneof![
                Just("1"),
                Just("0"),
                Just("-2.5"),
                Just(" 7 "),
                Just("1e3"),
                Just("-0\u{1}5")
            ],
            prop_oneof![Just("a"), Just("b"), Just(" a"), Just("c-d")],
            prop_oneof![Just(""), Just("PLA"), Just("x y é")],
            any::<bool>(),
        );
        let files = (
            0usize..3,
            proptest::collection::vec(row, 0..20),
            any::<bool>(),
            any::<bool>(),
            0..DELIMITERS.len(),
        );
        files.prop_map(|(layout, rows, last, bom, d)| {
            let mut s = if bom { "\u{feff}" } else { "" }.to_string();
            s.push_str(["date,value", "series,date,value,actor", "Actor,DATE"][layout]);
            for (day, value, series, actor, blank) in rows {
                let date = Date(day as i32 + 20_000);
                s.push('\n');
                if blank {
                    s.push('\n');
                }
                s.push_str(&match layout {
                    0 => format!("{date},{value}"),
                    1 => format!("{series},{date},{value},{actor}"),
                    _ => format!("{actor},{date}"),
                });
            }
            if last {
                s.push('\n');
            }
            // A decimal comma reads only in a semicolon file.
            let s = if DELIMITERS[d] == b';' {
                s
            } else {
                s.replace("0\u{1}5", "0.5")
            };
            (with_delimiter(&s, DELIMITERS[d]), DELIMITERS[d])
        })
    }

    proptest! {
        #[test]
        fn plain_decimals_read_as_str_parse_reads_them(
            text in "-?[0-9]{0,9}(\\.[0-9]{0,9})?",
        ) {
            let want = text.parse::<f64>().ok();
            match plain_decimal(text.as_bytes()) {
                Some(v) => prop_assert_eq!(Some(v.to_bits()), want.map(f64::to_bits)),
                None => prop_assert!(want.is_none() || text.len() > 16),
            }
        }

        #[test]
        fn long_decimals_read_as_str_parse_reads_them(
            int in 0u64..1_000_000_000_000_000,
            scale in 0u32..16,
            negative in any::<bool>(),
        ) {
            let digits = int.to_string();
            let text = if scale as usize >= digits.len() {
                format!("0.{}{digits}", "0".repeat(scale as usize - digits.len()))
            } else {
                let (a, b) = digits.split_at(digits.len() - scale as usize);
                if b.is_empty() { a.to_string() } else { format!("{a}.{b}") }
            };
            let text = if negative { format!("-{text}") } else { text };
            if let Some(v) = plain_decimal(text.as_bytes()) {
                prop_assert_eq!(v.to_bits(), text.parse::<f64>().unwrap().to_bits(), "{}", text);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn the_fast_path_reads_plain_files_as_the_csv_crate_does((text, d) in plain_file()) {
            let id = FileId(0);
            let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
            let body = &text[bom..];
            let plain = match d {
                b',' => load_plain::<b','>("adiz", body, MAX_FIELD_COLUMNS, ALL),
                b';' => load_plain::<b';'>("adiz", body, MAX_FIELD_COLUMNS, ALL),
                _ => load_plain::<b'\t'>("adiz", body, MAX_FIELD_COLUMNS, ALL),
            };
            prop_assert!(plain.is_some());
            let fast = format!("{:?}", load(id, "adiz", &text, Some(d), ALL));
            // The header row alone chooses the same delimiter.
            let sniffed = format!("{:?}", load(id, "adiz", &text, None, ALL));
            prop_assert_eq!(&fast, &sniffed);
            let general = format!("{:?}", load_by_csv_crate(FileData { file: id, ..FileData::default() }, "adiz", &text, bom, d, MAX_FIELD_COLUMNS, ALL));
            prop_assert_eq!(fast, general);
        }
    }

    #[test]
    fn days_past_the_end_of_a_known_month_fall_back_to_the_general_error() {
        for text in [
            "date,value\n2025-01-30,1\n2025-01-31,2\n2025-01-32,3\n",
            "date,value\n2025-02-27,1\n2025-02-28,2\n2025-02-29,3\n",
            "date,value\n2024-02-28,1\n2024-02-29,2\n2024-02-30,3\n",
            "date,value\n2025-04-01,1\n2025-04-00,2\n",
            "date,value\n2025-04-30,1\n2025-13-01,2\n",
        ] {
            let id = FileId(0);
            let fast = load(id, "adiz", text, None, ALL);
            let general = load_by_csv_crate(
                FileData {
                    file: id,
                    ..FileData::default()
                },
                "adiz",
                text,
                0,
                b',',
                MAX_FIELD_COLUMNS,
                ALL,
            );
            assert!(fast.is_err(), "{text}");
            assert_eq!(format!("{fast:?}"), format!("{general:?}"));
        }
        let leap = load(
            FileId(0),
            "adiz",
            "date,value\n2024-02-28,1\n2024-02-29,2\n",
            None,
            ALL,
        );
        let dates: Vec<String> = leap
            .map(|d| d.batches[0].dates.iter().map(|d| d.to_string()).collect())
            .unwrap_or_default();
        assert_eq!(dates, ["2024-02-28", "2024-02-29"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn the_fast_path_reads_as_the_csv_crate_does((text, d) in file()) {
            // Blank files are settled before either path.
            prop_assume!(!text.trim().is_empty());
            let id = FileId(0);
            let fast = format!("{:?}", load(id, "adiz", &text, Some(d), ALL));
            let general = format!("{:?}", load_by_csv_crate(FileData { file: id, ..FileData::default() }, "adiz", &text, 0, d, MAX_FIELD_COLUMNS, ALL));
            prop_assert_eq!(fast, general);
        }

        #[test]
        fn trim_is_str_trim(cell in "[ \\t\u{a0}\u{3000}a-z0-9.,-]{0,8}") {
            prop_assert_eq!(trim(&cell), cell.trim());
        }
    }
}

//! Parquet indicator files (`.parquet`): one observation a row, columns as
//! in CSV (the date column by the same names, an optional `value` and
//! `series`, every other column a field).
//!
//! Only the columns some rule reads are decoded, row group by row group:
//! the date, the value, the series and the field columns `selection`
//! keeps. The other columns are only named, so a wide table costs little
//! more than its used columns. A row group whose date statistics say it
//! holds no date at all (every date null) is skipped whole.
//!
//! Dates: a `DATE` column, a `TIMESTAMP` (milli-, micro- or nanoseconds,
//! or the older `INT96`) taken as its UTC date, or text read as CSV cells
//! are. Values: any integer, decimal or floating-point column, or text.
//! Fields keep the text of their cells: strings as they are, numbers as
//! written by Rust's shortest round-trip form, dates as `YYYY-MM-DD`,
//! booleans as `true`/`false`, nulls as `""`.
//!
//! Parquet has no lines: an observation's line is its row number in the
//! file (from 1), and errors name the row and the column.

use super::date::is_date_name;
use super::{parse_date, series_name, Batch, ColumnSelection, DateError, Fields, FileData};
use super::{MAX_FIELD_NAMES, MAX_RECORD_BYTES};
use crate::diag::{Code, Diagnostic, FileId};
use crate::time::Date;
use parquet::basic::{ConvertedType, LogicalType, TimeUnit};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType, Int96};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, FileReader, RowGroupReader, SerializedFileReader};
use parquet::schema::types::ColumnDescriptor;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// Rows decoded at a time from one column.
const BATCH_ROWS: usize = 8192;

/// Reads a Parquet file from `reader` (the open file, or its bytes),
/// keeping the field columns `selection` keeps. Every column is named;
/// only the used ones are decoded.
pub fn load<R: ChunkReader + 'static>(
    file: FileId,
    stem: &str,
    reader: R,
    selection: &ColumnSelection,
) -> Result<FileData, Diagnostic> {
    // The decoder panics on some damaged files (a column chunk at a
    // negative offset, for one) instead of returning an error: such a
    // panic is this file's error, not the process's end.
    quiet_panics_while_decoding();
    DECODING.with(|d| d.set(true));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        load_unguarded(file, stem, reader, selection)
    }));
    DECODING.with(|d| d.set(false));
    outcome.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Diagnostic::error(
            Code::Undecodable,
            format!("cannot decode Parquet: the file is damaged ({why})"),
        )
        .in_file(file)
        .with_note("write the file again with a Parquet writer (DuckDB, Spark, pandas, Polars), or export it as CSV"))
    })
}

thread_local! {
    /// Set while this thread decodes a Parquet file.
    static DECODING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keeps the panic hook from printing the decoder's panics, which
/// [`load`] reports as the file's error; every other panic is printed as
/// before.
fn quiet_panics_while_decoding() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !DECODING.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
}

fn load_unguarded<R: ChunkReader + 'static>(
    file: FileId,
    stem: &str,
    reader: R,
    selection: &ColumnSelection,
) -> Result<FileData, Diagnostic> {
    let undecodable = |e: ParquetError| {
        let text = e.to_string();
        let why = text.strip_prefix("Parquet error: ").unwrap_or(&text);
        Diagnostic::error(Code::Undecodable, format!("cannot decode Parquet: {why}"))
            .in_file(file)
            .with_note("write the file again with a Parquet writer (DuckDB, Spark, pandas, Polars), or export it as CSV")
    };
    let reader = SerializedFileReader::new(reader).map_err(undecodable)?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let columns: Vec<&ColumnDescriptor> = schema.columns().iter().map(|c| &**c).collect();
    if columns.len() > MAX_FIELD_NAMES {
        return Err(Diagnostic::error(
            Code::TooManyFields,
            format!(
                "the file has {} columns; tocsin reads at most {MAX_FIELD_NAMES}",
                columns.len()
            ),
        )
        .in_file(file));
    }
    let layout = Layout::of(file, &columns, selection)?;
    let mut out = Reading {
        file,
        stem: series_name(stem),
        template: layout.template.clone(),
        batches: Vec::new(),
        by_name: FxHashMap::default(),
        last: None,
        skipped: 0,
        first_skipped: 0,
    };
    let mut row_base = 0usize;
    for g in 0..reader.num_row_groups() {
        let group = reader.get_row_group(g).map_err(undecodable)?;
        let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
        if rows == 0 {
            continue;
        }
        if layout.no_dates_in(&*group) {
            out.skip(row_base, rows);
            row_base += rows;
            continue;
        }
        let read = |i: usize| read_cells(&*group, i, columns[i]).map_err(undecodable);
        let dates = read(layout.date)?;
        let values = layout.value.map(read).transpose()?;
        let series = layout.series.map(read).transpose()?;
        let kept: Vec<(usize, Cells, &ColumnDescriptor)> = layout
            .kept
            .iter()
            .map(|&(i, col)| Ok((col, read(i)?, columns[i])))
            .collect::<Result<_, Diagnostic>>()?;
        // Per kept column: the batch, the bytes and the id of the last text.
        let mut last_ids: Vec<Option<(usize, ByteArray, u32)>> = vec![None; kept.len()];
        for r in 0..rows {
            let row = row_base + r;
            let at = |name: &str| Place {
                file,
                row,
                column: name.to_string(),
            };
            let Some(date) = dates
                .date(r, columns[layout.date])
                .map_err(|e| e.at(at(&layout.date_name)))?
            else {
                out.skip(row, 1);
                continue;
            };
            let value = match &values {
                Some(v) => v
                    .value(r, columns[layout.value.unwrap_or(0)])
                    .map_err(|e| e.at(at(&layout.name(layout.value))))?,
                None => 1.0,
            };
            let batch_index = match &series {
                Some(s) => {
                    let descr = columns[layout.series.unwrap_or(0)];
                    let cell = s.text(r, descr);
                    out.named(cell.as_deref().unwrap_or(""), || {
                        at(&layout.name(layout.series))
                    })?
                }
                None => out.first(),
            };
            let batch = &mut out.batches[batch_index];
            let index = batch.dates.len();
            batch.dates.push(date);
            batch.values.push(value);
            batch.lines.push(u32::try_from(row + 1).unwrap_or(u32::MAX));
            for ((col, cells, descr), last) in kept.iter().zip(&mut last_ids) {
                // Rows of one region or actor usually come together: the
                // text of the row before is not looked up again.
                if let (Cells::Bytes(v), Some((k, bytes, id))) = (cells, &*last) {
                    if *k == batch_index && v[r].as_ref().is_some_and(|b| b.data() == bytes.data())
                    {
                        batch.fields.set_id(*col, index, *id);
                        continue;
                    }
                }
                if let Some(text) = cells.text(r, descr) {
                    if text.len() > MAX_RECORD_BYTES {
                        return Err(
                            PlaceError::Long(text.len()).at(at(&batch.fields.names()[*col]))
                        );
                    }
                    let id = batch.fields.text_id(&text);
                    batch.fields.set_id(*col, index, id);
                    if let Cells::Bytes(v) = cells {
                        *last = v[r].clone().map(|b| (batch_index, b, id));
                    }
                }
            }
        }
        row_base += rows;
    }
    Ok(out.finish())
}

/// Which column is which.
struct Layout {
    /// Every column's name, as the file spells it.
    names: Vec<String>,
    date: usize,
    date_name: String,
    value: Option<usize>,
    series: Option<usize>,
    /// Field columns decoded: (index in the file, column in `template`).
    kept: Vec<(usize, usize)>,
    /// Every field column named, no rows.
    template: Fields,
}

impl Layout {
    fn of(
        file: FileId,
        columns: &[&ColumnDescriptor],
        selection: &ColumnSelection,
    ) -> Result<Layout, Diagnostic> {
        let name = |c: &ColumnDescriptor| c.path().parts().join(".");
        let Some(date) = columns.iter().position(|c| is_date_name(&name(c))) else {
            return Err(Diagnostic::error(
                Code::NoDateColumn,
                "the file has no date column: expected a column named date, at, time, timestamp or event_date",
            )
            .in_file(file));
        };
        let named = |n: &str| {
            columns
                .iter()
                .position(|c| name(c).trim().eq_ignore_ascii_case(n))
        };
        let value = named("value");
        let series = named("series");
        let mut template = Fields::new();
        let mut kept = Vec::new();
        for (i, c) in columns.iter().enumerate() {
            if i == date || Some(i) == value || Some(i) == series {
                continue;
            }
            let n = name(c);
            let col = template.column_or_insert(n.trim());
            if selection.keeps(n.trim()) {
                kept.push((i, col));
            }
        }
        for i in [Some(date), value, series]
            .into_iter()
            .flatten()
            .chain(kept.iter().map(|k| k.0))
        {
            let c = columns[i];
            if c.max_rep_level() > 0 || c.path().parts().len() > 1 {
                return Err(Diagnostic::error(
                    Code::Undecodable,
                    format!(
                        "column `{}` is nested (a list, map or struct): tocsin reads flat columns",
                        name(c)
                    ),
                )
                .in_file(file)
                .with_note("select the column's values into a flat column when writing the file"));
            }
        }
        Ok(Layout {
            names: columns.iter().map(|c| name(c)).collect(),
            date,
            date_name: name(columns[date]),
            value,
            series,
            kept,
            template,
        })
    }

    /// The name of column `i`, as the file spells it.
    fn name(&self, i: Option<usize>) -> String {
        i.and_then(|i| self.names.get(i))
            .cloned()
            .unwrap_or_default()
    }

    /// Whether `group`'s statistics say its date column is null in every
    /// row: then nothing in it is read.
    fn no_dates_in(&self, group: &dyn RowGroupReader) -> bool {
        let meta = group.metadata();
        let rows = u64::try_from(meta.num_rows()).unwrap_or(0);
        meta.column(self.date)
            .statistics()
            .and_then(|s| s.null_count_opt())
            .is_some_and(|nulls| nulls >= rows)
    }
}

/// The batches read so far.
struct Reading {
    file: FileId,
    stem: String,
    template: Fields,
    batches: Vec<Batch>,
    by_name: FxHashMap<String, usize>,
    /// The last `series` cell and its batch.
    last: Option<(String, usize)>,
    skipped: usize,
    first_skipped: usize,
}

impl Reading {
    fn skip(&mut self, row: usize, n: usize) {
        if self.skipped == 0 {
            self.first_skipped = row;
        }
        self.skipped += n;
    }

    /// The index of the one batch of a file without a `series` column.
    fn first(&mut self) -> usize {
        if self.batches.is_empty() {
            let series = self.stem.clone();
            self.push(series);
        }
        self.batches.len() - 1
    }

    /// The index of the batch of a `series` cell.
    fn named(&mut self, cell: &str, at: impl FnOnce() -> Place) -> Result<usize, Diagnostic> {
        let cell = cell.trim();
        if cell.is_empty() {
            return Err(PlaceError::EmptySeries.at(at()));
        }
        // Files usually list one series after another.
        if let Some((last, i)) = &self.last {
            if last == cell {
                return Ok(*i);
            }
        }
        let name = series_name(cell);
        let i = match self.by_name.get(&name) {
            Some(&i) => i,
            None => {
                self.by_name.insert(name.clone(), self.batches.len());
                self.push(name)
            }
        };
        self.last = Some((cell.to_string(), i));
        Ok(i)
    }

    fn push(&mut self, series: String) -> usize {
        self.batches.push(Batch {
            series,
            fields: self.template.clone(),
            ..Batch::default()
        });
        self.batches.len() - 1
    }

    fn finish(mut self) -> FileData {
        if self.batches.is_empty() {
            let series = self.stem.clone();
            self.push(series);
        }
        for b in &mut self.batches {
            b.fields.pad_rows(b.dates.len());
        }
        let mut warnings = Vec::new();
        if self.skipped > 0 {
            let message = if self.skipped == 1 {
                format!(
                    "1 row without a date was skipped (row {})",
                    self.first_skipped + 1
                )
            } else {
                format!(
                    "{} rows without a date were skipped (the first: row {})",
                    self.skipped,
                    self.first_skipped + 1
                )
            };
            warnings.push(Diagnostic::warning(Code::RowsSkipped, message).in_file(self.file));
        }
        FileData {
            file: self.file,
            batches: self.batches,
            warnings,
            newlines: None,
        }
    }
}

/// Where in the file a cell is.
struct Place {
    file: FileId,
    /// From 0.
    row: usize,
    column: String,
}

/// What is wrong with one cell.
enum PlaceError {
    Date(DateError, String),
    DateType(&'static str),
    Value(String),
    ValueType(&'static str),
    Null,
    EmptySeries,
    Long(usize),
}

impl PlaceError {
    fn at(self, p: Place) -> Diagnostic {
        let (row, column) = (p.row + 1, p.column);
        let (code, message, note) = match self {
            PlaceError::Date(DateError::Ambiguous, text) => (
                Code::AmbiguousDate,
                format!("row {row}, column `{column}`: date '{text}' is ambiguous: it could be read day-first or month-first"),
                "write dates as YYYY-MM-DD (ISO 8601)",
            ),
            PlaceError::Date(DateError::Invalid, text) => (
                Code::InvalidDate,
                format!("row {row}, column `{column}`: '{text}' is not a date"),
                "write dates as YYYY-MM-DD, or store them in a DATE or TIMESTAMP column",
            ),
            PlaceError::DateType(kind) => (
                Code::InvalidDate,
                format!("column `{column}` holds {kind}, not dates"),
                "store dates in a DATE or TIMESTAMP column, or as text YYYY-MM-DD",
            ),
            PlaceError::Value(text) => (
                Code::InvalidValue,
                format!("row {row}, column `{column}`: value '{text}' is not a finite number"),
                "a value must be a finite number",
            ),
            PlaceError::ValueType(kind) => (
                Code::InvalidValue,
                format!("column `{column}` holds {kind}, not numbers"),
                "store values in an integer, decimal or floating-point column",
            ),
            PlaceError::Null => (
                Code::InvalidValue,
                format!("row {row}, column `{column}`: the value is null"),
                "every observation needs a value; leave the `value` column out for an event list",
            ),
            PlaceError::EmptySeries => (
                Code::EmptySeriesCell,
                format!("row {row}: the `series` cell is empty: every row must name its series"),
                "fill the `series` column in every row",
            ),
            PlaceError::Long(n) => (
                Code::LongRecord,
                format!("row {row}, column `{column}`: the cell is {n} bytes long; tocsin reads at most {MAX_RECORD_BYTES} bytes (1 MiB) in one"),
                "keep long texts out of the columns the rules read",
            ),
        };
        Diagnostic::error(code, message)
            .in_file(p.file)
            .with_note(note)
    }
}

/// One column of one row group, decoded: a cell per row, `None` for null.
enum Cells {
    Bool(Vec<Option<bool>>),
    Int32(Vec<Option<i32>>),
    Int64(Vec<Option<i64>>),
    Int96(Vec<Option<Int96>>),
    Float(Vec<Option<f32>>),
    Double(Vec<Option<f64>>),
    Bytes(Vec<Option<ByteArray>>),
}

/// Decodes column `i` of `group`.
fn read_cells(
    group: &dyn RowGroupReader,
    i: usize,
    descr: &ColumnDescriptor,
) -> Result<Cells, ParquetError> {
    let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
    let max_def = descr.max_def_level();
    Ok(match group.get_column_reader(i)? {
        ColumnReader::BoolColumnReader(r) => Cells::Bool(read_all(r, max_def, rows)?),
        ColumnReader::Int32ColumnReader(r) => Cells::Int32(read_all(r, max_def, rows)?),
        ColumnReader::Int64ColumnReader(r) => Cells::Int64(read_all(r, max_def, rows)?),
        ColumnReader::Int96ColumnReader(r) => Cells::Int96(read_all(r, max_def, rows)?),
        ColumnReader::FloatColumnReader(r) => Cells::Float(read_all(r, max_def, rows)?),
        ColumnReader::DoubleColumnReader(r) => Cells::Double(read_all(r, max_def, rows)?),
        ColumnReader::ByteArrayColumnReader(r) => Cells::Bytes(read_all(r, max_def, rows)?),
        ColumnReader::FixedLenByteArrayColumnReader(r) => Cells::Bytes(
            read_all(r, max_def, rows)?
                .into_iter()
                .map(|v| v.map(ByteArray::from))
                .collect(),
        ),
    })
}

/// Every cell of a flat column: the values placed by their definition
/// levels, `None` where the level says null.
fn read_all<T: DataType>(
    mut reader: ColumnReaderImpl<T>,
    max_def: i16,
    rows: usize,
) -> Result<Vec<Option<T::T>>, ParquetError> {
    let mut out = Vec::with_capacity(rows);
    let mut values = Vec::with_capacity(BATCH_ROWS);
    let mut defs = Vec::with_capacity(BATCH_ROWS);
    while out.len() < rows {
        values.clear();
        defs.clear();
        let want = BATCH_ROWS.min(rows - out.len());
        let levels = (max_def > 0).then_some(&mut defs);
        let (records, _, _) = reader.read_records(want, levels, None, &mut values)?;
        if records == 0 {
            break;
        }
        if max_def == 0 {
            out.extend(values.drain(..).map(Some));
        } else {
            let mut next = values.drain(..);
            for &d in &defs {
                out.push(if d == max_def { next.next() } else { None });
            }
        }
    }
    if out.len() < rows {
        return Err(ParquetError::General(format!(
            "a column holds {} of its row group's {rows} rows",
            out.len()
        )));
    }
    Ok(out)
}

/// How an `INT64` column counts time, from its logical or converted type.
fn time_unit(descr: &ColumnDescriptor) -> Option<i64> {
    const DAY_MS: i64 = 86_400_000;
    match descr.logical_type_ref() {
        Some(LogicalType::Timestamp(t)) => Some(match t.unit {
            TimeUnit::MILLIS => DAY_MS,
            TimeUnit::MICROS => DAY_MS * 1_000,
            TimeUnit::NANOS => DAY_MS * 1_000_000,
        }),
        _ => match descr.converted_type() {
            ConvertedType::TIMESTAMP_MILLIS => Some(DAY_MS),
            ConvertedType::TIMESTAMP_MICROS => Some(DAY_MS * 1_000),
            _ => None,
        },
    }
}

fn is_date_type(descr: &ColumnDescriptor) -> bool {
    matches!(descr.logical_type_ref(), Some(LogicalType::Date))
        || descr.converted_type() == ConvertedType::DATE
}

/// The decimal scale of an integer column (0 for a plain integer).
fn scale(descr: &ColumnDescriptor) -> i32 {
    match descr.logical_type_ref() {
        Some(LogicalType::Decimal(d)) => d.scale,
        _ if descr.converted_type() == ConvertedType::DECIMAL => descr.type_scale(),
        _ => 0,
    }
}

/// A date from days since 1970-01-01, within the years tocsin reads.
fn from_days(days: i64) -> Option<Date> {
    let d = i32::try_from(days).ok().map(Date)?;
    (Date::MIN..=Date::MAX).contains(&d).then_some(d)
}

fn out_of_range(days: i64) -> PlaceError {
    PlaceError::Date(DateError::Invalid, format!("{days} days from 1970-01-01"))
}

impl Cells {
    /// The date of row `r`; `None` for a null cell (a row to skip, as an
    /// empty date cell in CSV).
    fn date(&self, r: usize, descr: &ColumnDescriptor) -> Result<Option<Date>, PlaceError> {
        let day = |days: i64| from_days(days).ok_or_else(|| out_of_range(days)).map(Some);
        match self {
            Cells::Int32(v) if is_date_type(descr) => v[r].map_or(Ok(None), |d| day(d.into())),
            Cells::Int64(v) => match time_unit(descr) {
                Some(per_day) => v[r].map_or(Ok(None), |t| day(t.div_euclid(per_day))),
                None => Err(PlaceError::DateType("integers")),
            },
            Cells::Int96(v) => v[r].map_or(Ok(None), |t| day(t.to_seconds().div_euclid(86_400))),
            Cells::Bytes(v) => match &v[r] {
                None => Ok(None),
                Some(b) => {
                    let text = String::from_utf8_lossy(b.data());
                    if text.trim().is_empty() {
                        return Ok(None);
                    }
                    parse_date(&text)
                        .map(Some)
                        .map_err(|e| PlaceError::Date(e, text.into_owned()))
                }
            },
            Cells::Int32(_) => Err(PlaceError::DateType("integers")),
            Cells::Bool(_) => Err(PlaceError::DateType("booleans")),
            Cells::Float(_) | Cells::Double(_) => {
                Err(PlaceError::DateType("floating-point numbers"))
            }
        }
    }

    /// The value of row `r`.
    fn value(&self, r: usize, descr: &ColumnDescriptor) -> Result<f64, PlaceError> {
        let scaled = |v: f64| v / 10f64.powi(scale(descr));
        let finite = |v: f64| {
            if v.is_finite() {
                Ok(v)
            } else {
                Err(PlaceError::Value(v.to_string()))
            }
        };
        match self {
            Cells::Int32(v) => v[r].map(|x| scaled(x.into())).ok_or(PlaceError::Null),
            // A count or an amount in an INT64: exact up to 2^53, as any
            // value tocsin reads.
            #[allow(clippy::cast_precision_loss)]
            Cells::Int64(v) => v[r].map(|x| scaled(x as f64)).ok_or(PlaceError::Null),
            Cells::Float(v) => v[r].ok_or(PlaceError::Null).and_then(|x| finite(x.into())),
            Cells::Double(v) => v[r].ok_or(PlaceError::Null).and_then(finite),
            Cells::Bytes(v) => {
                let b = v[r].as_ref().ok_or(PlaceError::Null)?;
                let text = String::from_utf8_lossy(b.data());
                text.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| PlaceError::Value(text.into_owned()))
            }
            Cells::Bool(_) => Err(PlaceError::ValueType("booleans")),
            Cells::Int96(_) => Err(PlaceError::ValueType("timestamps")),
        }
    }

    /// The text of row `r` as a field keeps it; `None` for null.
    fn text(&self, r: usize, descr: &ColumnDescriptor) -> Option<Cow<'_, str>> {
        let date = |days: i64| from_days(days).map_or_else(String::new, |d| d.to_string());
        let number = |v: i64| match scale(descr) {
            0 => v.to_string(),
            // As the value column reads it.
            #[allow(clippy::cast_precision_loss)]
            s => (v as f64 / 10f64.powi(s)).to_string(),
        };
        Some(match self {
            Cells::Bool(v) => Cow::Borrowed(if v[r]? { "true" } else { "false" }),
            Cells::Int32(v) if is_date_type(descr) => Cow::Owned(date(v[r]?.into())),
            Cells::Int32(v) => Cow::Owned(number(v[r]?.into())),
            Cells::Int64(v) => Cow::Owned(match time_unit(descr) {
                Some(per_day) => date(v[r]?.div_euclid(per_day)),
                None => number(v[r]?),
            }),
            Cells::Int96(v) => Cow::Owned(date(v[r]?.to_seconds().div_euclid(86_400))),
            Cells::Float(v) => Cow::Owned(v[r]?.to_string()),
            Cells::Double(v) => Cow::Owned(v[r]?.to_string()),
            Cells::Bytes(v) => String::from_utf8_lossy(v[r].as_ref()?.data()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::render::one_line;
    use crate::diag::SourceMap;
    use parquet::data_type::{ByteArrayType, DoubleType, Int32Type, Int64Type, Int96Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;

    /// The cells of one column to write; `None` is null.
    enum Col {
        I32(Vec<Option<i32>>),
        I64(Vec<Option<i64>>),
        I96(Vec<Option<Int96>>),
        F64(Vec<Option<f64>>),
        Text(Vec<Option<&'static str>>),
    }

    /// The values and definition levels of `cells`.
    fn split<T: Clone>(cells: &[Option<T>]) -> (Vec<T>, Vec<i16>) {
        let values = cells.iter().flatten().cloned().collect();
        let defs = cells.iter().map(|c| i16::from(c.is_some())).collect();
        (values, defs)
    }

    /// A Parquet file of `schema` with one row group per item of `groups`.
    fn write(schema: &str, groups: Vec<Vec<Col>>) -> std::fs::File {
        let schema = Arc::new(parse_message_type(schema).unwrap());
        let file = tempfile::tempfile().unwrap();
        let props = Arc::new(WriterProperties::builder().build());
        let mut w = SerializedFileWriter::new(file.try_clone().unwrap(), schema, props).unwrap();
        for group in groups {
            let mut g = w.next_row_group().unwrap();
            for col in group {
                let mut c = g.next_column().unwrap().unwrap();
                match col {
                    Col::I32(v) => {
                        let (vals, defs) = split(&v);
                        c.typed::<Int32Type>()
                            .write_batch(&vals, Some(&defs), None)
                            .unwrap();
                    }
                    Col::I64(v) => {
                        let (vals, defs) = split(&v);
                        c.typed::<Int64Type>()
                            .write_batch(&vals, Some(&defs), None)
                            .unwrap();
                    }
                    Col::I96(v) => {
                        let (vals, defs) = split(&v);
                        c.typed::<Int96Type>()
                            .write_batch(&vals, Some(&defs), None)
                            .unwrap();
                    }
                    Col::F64(v) => {
                        let (vals, defs) = split(&v);
                        c.typed::<DoubleType>()
                            .write_batch(&vals, Some(&defs), None)
                            .unwrap();
                    }
                    Col::Text(v) => {
                        let v: Vec<Option<ByteArray>> =
                            v.iter().map(|s| s.map(ByteArray::from)).collect();
                        let (vals, defs) = split(&v);
                        c.typed::<ByteArrayType>()
                            .write_batch(&vals, Some(&defs), None)
                            .unwrap();
                    }
                }
                c.close().unwrap();
            }
            g.close().unwrap();
        }
        w.close().unwrap();
        file
    }

    fn load_all(file: std::fs::File, selection: &ColumnSelection) -> Result<FileData, String> {
        let mut sources = SourceMap::new();
        let id = sources.add("daily.parquet", "");
        load(id, "daily", file, selection).map_err(|d| one_line(&d, &sources))
    }

    fn day(s: &str) -> i32 {
        Date::parse_iso(s).unwrap().0
    }

    #[test]
    fn typed_columns_give_dates_values_and_field_texts() {
        let file = write(
            "message m { optional int32 Date (DATE); optional int64 value (DECIMAL(10,2)); \
             optional binary country (UTF8); optional double score; optional int64 fatalities; \
             optional binary notes (UTF8); }",
            vec![
                vec![
                    Col::I32(vec![Some(day("2025-01-02")), Some(day("2025-01-01"))]),
                    Col::I64(vec![Some(1250), Some(-5)]),
                    Col::Text(vec![Some("Yemen"), None]),
                    Col::F64(vec![Some(0.5), Some(2.0)]),
                    Col::I64(vec![Some(3), None]),
                    Col::Text(vec![Some("long notes no rule reads"), Some("x")]),
                ],
                vec![
                    Col::I32(vec![Some(day("2025-01-03"))]),
                    Col::I64(vec![Some(100)]),
                    Col::Text(vec![Some("Sudan")]),
                    Col::F64(vec![None]),
                    Col::I64(vec![Some(0)]),
                    Col::Text(vec![Some("y")]),
                ],
            ],
        );
        let keep = ColumnSelection::Only(crate::data::FieldNames::new([
            "COUNTRY",
            "score",
            "fatalities",
        ]));
        let data = load_all(file, &keep).unwrap();
        let [b] = &data.batches[..] else { panic!() };
        assert_eq!(b.series, "daily");
        assert_eq!(
            b.dates.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["2025-01-02", "2025-01-01", "2025-01-03"]
        );
        assert_eq!(b.values, [12.5, -0.05, 1.0]);
        assert_eq!(b.lines, [1, 2, 3]);
        assert_eq!(
            b.fields.names(),
            ["country", "score", "fatalities", "notes"]
        );
        assert_eq!(
            b.grid(),
            ["Yemen", "0.5", "3", "", "", "2", "", "", "Sudan", "", "0", ""]
        );
        assert!(data.warnings.is_empty());
    }

    #[test]
    fn timestamps_are_taken_as_their_utc_date() {
        // 2025-03-01T23:59:59Z and 1969-12-31T12:00:00Z (before the epoch).
        let micros = [1_740_873_599_000_000i64, -43_200_000_000];
        let file = write(
            "message m { required int64 timestamp (TIMESTAMP(MICROS,true)); }",
            vec![vec![Col::I64(micros.iter().map(|&m| Some(m)).collect())]],
        );
        let data = load_all(file, &ColumnSelection::All).unwrap();
        let dates: Vec<String> = data.batches[0]
            .dates
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(dates, ["2025-03-01", "1969-12-31"]);
        assert_eq!(data.batches[0].values, [1.0, 1.0], "an event list");

        let mut t = Int96::new();
        // Julian day 2460736 is 2025-03-01 (2440588 is 1970-01-01); 23 hours
        // in nanoseconds.
        let nanos: u64 = 23 * 3_600 * 1_000_000_000;
        t.set_data(nanos as u32, (nanos >> 32) as u32, 2_460_736);
        let file = write(
            "message m { optional int96 date; }",
            vec![vec![Col::I96(vec![Some(t)])]],
        );
        let data = load_all(file, &ColumnSelection::All).unwrap();
        assert_eq!(data.batches[0].dates[0].to_string(), "2025-03-01");
    }

    #[test]
    fn text_columns_are_read_as_csv_cells_and_a_series_column_splits_the_file() {
        let file = write(
            "message m { optional binary series (UTF8); optional binary event_date (UTF8); \
             optional binary value (UTF8); }",
            vec![vec![
                Col::Text(vec![Some("pla-adiz"), Some("red sea"), Some("pla adiz")]),
                Col::Text(vec![Some("01 November 2024"), Some("2024/11/2"), None]),
                Col::Text(vec![Some(" 20 "), Some("1e3"), Some("4")]),
            ]],
        );
        let data = load_all(file, &ColumnSelection::All).unwrap();
        let names: Vec<&str> = data.batches.iter().map(|b| b.series.as_str()).collect();
        assert_eq!(names, ["pla_adiz", "red_sea"]);
        assert_eq!(data.batches[0].values, [20.0]);
        assert_eq!(data.batches[1].values, [1000.0]);
        let mut sources = SourceMap::new();
        sources.add("daily.parquet", "");
        assert_eq!(
            one_line(&data.warnings[0], &sources),
            "daily.parquet: warning[W003]: 1 row without a date was skipped (row 3)"
        );
    }

    #[test]
    fn errors_name_the_row_and_the_column() {
        let one = |schema: &str, cols: Vec<Col>| {
            load_all(write(schema, vec![cols]), &ColumnSelection::All)
        };
        assert_eq!(
            one(
                "message m { optional binary date (UTF8); optional double value; }",
                vec![Col::Text(vec![Some("2025-01-01"), Some("03/02/2025")]), Col::F64(vec![Some(1.0), Some(2.0)])]
            )
            .err()
            .unwrap(),
            "daily.parquet: error[E304]: row 2, column `date`: date '03/02/2025' is ambiguous: it could be read day-first or month-first"
        );
        assert_eq!(
            one(
                "message m { optional int32 date (DATE); optional double value; }",
                vec![
                    Col::I32(vec![Some(0), Some(1)]),
                    Col::F64(vec![Some(1.0), None])
                ]
            )
            .err()
            .unwrap(),
            "daily.parquet: error[E305]: row 2, column `value`: the value is null"
        );
        assert_eq!(
            one(
                "message m { optional int32 date (DATE); optional double value; }",
                vec![Col::I32(vec![Some(0)]), Col::F64(vec![Some(f64::NAN)])]
            )
            .err()
            .unwrap(),
            "daily.parquet: error[E305]: row 1, column `value`: value 'NaN' is not a finite number"
        );
        assert_eq!(
            one(
                "message m { optional int32 date; }",
                vec![Col::I32(vec![Some(20250101)])]
            )
            .err()
            .unwrap(),
            "daily.parquet: error[E303]: column `date` holds integers, not dates"
        );
        assert_eq!(
            one("message m { optional int32 day (DATE); }", vec![Col::I32(vec![Some(1)])])
                .err()
                .unwrap(),
            "daily.parquet: error[E302]: the file has no date column: expected a column named date, at, time, timestamp or event_date"
        );
        assert_eq!(
            one(
                "message m { optional int32 date (DATE); optional binary series (UTF8); }",
                vec![Col::I32(vec![Some(1)]), Col::Text(vec![Some(" ")])]
            )
            .err()
            .unwrap(),
            "daily.parquet: error[E307]: row 1: the `series` cell is empty: every row must name its series"
        );
        let mut sources = SourceMap::new();
        let id = sources.add("daily.parquet", "");
        let e = load(
            id,
            "daily",
            tempfile::tempfile().unwrap(),
            &ColumnSelection::All,
        )
        .err()
        .unwrap();
        assert!(
            one_line(&e, &sources)
                .starts_with("daily.parquet: error[E316]: cannot decode Parquet: "),
            "{e:?}"
        );
    }

    #[test]
    fn a_row_group_without_any_date_is_skipped_whole() {
        let file = write(
            "message m { optional int32 date (DATE); optional double value; }",
            vec![
                vec![Col::I32(vec![None, None]), Col::F64(vec![Some(1.0), None])],
                vec![Col::I32(vec![Some(5)]), Col::F64(vec![Some(2.0)])],
            ],
        );
        // The null value in the first group would be an error if it were
        // read: the statistics say there is no date to read it for.
        let data = load_all(file, &ColumnSelection::All).unwrap();
        assert_eq!(data.batches[0].values, [2.0]);
        assert_eq!(data.batches[0].lines, [3]);
        assert_eq!(data.warnings.len(), 1);
    }
}

//! One large CSV file read on every core: cut into chunks at record
//! starts, each chunk read by the `csv` crate on a thread of its own, the
//! results joined in file order.
//!
//! The result must be the one-thread read's to the byte, so this path
//! only ever returns a file read without a single error: at anything else
//! (an error in any chunk, a record over the limit, a quote the quick scan
//! of [`record_starts`] cannot place) it gives up, and the file is read
//! again on one thread, which reports the first error in file order as
//! it always did. Warnings (rows skipped for want of a date) are counted
//! per chunk and joined.

use super::{fast, first_long_record, read_row, Batches, Columns, Row, Source};
use crate::data::{Batch, ColumnSelection, FileData, MAX_CELLS};
use crate::diag::FileId;
use ::csv::{Position, ReaderBuilder, StringRecord};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// Files (after the byte-order mark) smaller than this are read on one
/// thread: below it the threads cost about what they save. (Tests read
/// files of a few kilobytes in chunks of a few hundred bytes.)
pub(super) const MIN_SPLIT_BYTES: usize = if cfg!(test) { 16 << 10 } else { 16 << 20 };

/// Bytes a chunk holds, about: small enough that the cores stay busy to
/// the end of the file, large enough that each chunk's fixed costs (a
/// reader, a set of batches, their joining) do not show.
pub(super) const CHUNK_BYTES: usize = if cfg!(test) { 512 } else { 4 << 20 };

/// The UTF-8 byte-order mark, which the `csv` crate drops at the start of
/// its input: a chunk must not start with one, or its first cell would
/// lose it.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// The file read in chunks of about `chunk` bytes on the threads of the
/// current rayon pool (or of a pool of its own, one thread a core, when
/// called outside one); `None` when the file must be read on one thread
/// instead (see the module documentation). Only the field columns
/// `selection` keeps get cells.
// The file, how it is laid out and what to keep of it: grouping them
// would only move the list into a struct built at the one call.
#[allow(clippy::too_many_arguments)]
pub(super) fn load(
    file: FileId,
    stem: &str,
    text: &str,
    bom: usize,
    delimiter: u8,
    max_columns: usize,
    chunk: usize,
    selection: &ColumnSelection,
) -> Option<FileData> {
    if rayon::current_thread_index().is_some() {
        return load_in_pool(
            file,
            stem,
            text,
            bom,
            delimiter,
            max_columns,
            chunk,
            selection,
        );
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 {
        return None;
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|k| format!("tocsin-csv-{k}"))
        .build_scoped(
            |thread| thread.run(),
            |pool| {
                pool.install(|| {
                    load_in_pool(
                        file,
                        stem,
                        text,
                        bom,
                        delimiter,
                        max_columns,
                        chunk,
                        selection,
                    )
                })
            },
        )
        .ok()
        .flatten()
}

/// What one chunk gave.
pub(super) struct Chunk {
    /// Its batches, in order of first appearance in the chunk; lines count
    /// from 1 at the chunk's start.
    pub(super) batches: Vec<Batch>,
    /// Rows skipped for want of a date, and where the first one starts.
    pub(super) skipped: usize,
    pub(super) first_skipped: usize,
    /// Line breaks in the chunk, to place the next chunk's lines.
    pub(super) newlines: usize,
}

#[allow(clippy::too_many_arguments)]
fn load_in_pool(
    file: FileId,
    stem: &str,
    text: &str,
    bom: usize,
    delimiter: u8,
    max_columns: usize,
    chunk: usize,
    selection: &ColumnSelection,
) -> Option<FileData> {
    let bytes = text.as_bytes();
    let body = text.get(bom..)?;
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body.as_bytes());
    let header = reader.headers().ok()?.clone();
    let after_header = reader.position().clone();
    let data_start = bom + usize::try_from(after_header.byte()).ok()?;
    let first_line = u32::try_from(after_header.line()).ok()?;
    if header.len() > MAX_CELLS || first_long_record(&bytes[..data_start], bom, delimiter).is_some()
    {
        return None;
    }
    let mut columns = Columns::of(&header, delimiter)?;
    let template = columns.template(&header, selection);
    let starts = record_starts(bytes, data_start, chunk, delimiter)?;
    let ranges: Vec<(usize, usize)> = starts
        .iter()
        .zip(starts.iter().skip(1).chain([&bytes.len()]))
        .map(|(&a, &b)| (a, b))
        .collect();
    let src = Source {
        file,
        text,
        bom,
        delimiter,
    };
    let failed = AtomicBool::new(false);
    let read = |&(a, b): &(usize, usize)| {
        let batches = || Batches::new(stem, template.clone(), max_columns);
        let chunk = read_fast(&src, &columns, batches(), a, b)
            .or_else(|| read_chunk(&src, &columns, batches(), a, b, &failed));
        if chunk.is_none() {
            failed.store(true, Ordering::Relaxed);
        }
        chunk
    };
    let mut joined = Joined {
        batches: Batches::new(stem, template.clone(), max_columns),
        series_column: columns.series.is_some(),
        skipped: 0,
        first_skipped: 0,
        line_base: first_line - 1,
    };
    // Chunks are read a group at a time, each group while the one before
    // is joined (which, texts being numbered in file order, is one
    // thread's work): the joining hides behind the reading, and only two
    // groups of chunks are held at once.
    let group = 4 * rayon::current_num_threads();
    let mut ready: Vec<Option<Chunk>> = Vec::new();
    for next in ranges.chunks(group) {
        let (done, read_next) = rayon::join(
            || joined.add_all(std::mem::take(&mut ready)),
            || next.par_iter().with_max_len(1).map(read).collect(),
        );
        done?;
        ready = read_next;
    }
    joined.add_all(ready)?;
    let mut data = FileData {
        file,
        batches: joined.batches.finish(joined.series_column),
        ..FileData::default()
    };
    if joined.skipped > 0 {
        let warning = src.rows_skipped(joined.skipped, joined.first_skipped);
        data.warnings.push(warning);
    }
    Some(data)
}

/// The chunks joined so far, in file order.
pub(super) struct Joined {
    pub(super) batches: Batches,
    pub(super) series_column: bool,
    /// Rows skipped for want of a date, and where the first one starts.
    pub(super) skipped: usize,
    pub(super) first_skipped: usize,
    /// Lines before the next chunk's first.
    pub(super) line_base: u32,
}

impl Joined {
    /// Adds chunks, in order; `None` if one failed, or brings a series
    /// past the field columns (the one-thread read then reports it).
    fn add_all(&mut self, chunks: Vec<Option<Chunk>>) -> Option<()> {
        for chunk in chunks {
            self.add(chunk?)?;
        }
        Some(())
    }

    pub(super) fn add(&mut self, chunk: Chunk) -> Option<()> {
        for mut batch in chunk.batches {
            let i = if self.series_column {
                self.batches.index_of(batch.series.clone())
            } else {
                self.batches.first();
                self.batches.batches.len() - 1
            };
            let into = self.batches.batches.get_mut(i)?;
            let lines = std::mem::take(&mut batch.lines).shifted(self.line_base)?;
            into.fields.pad_rows(into.dates.len());
            batch.fields.pad_rows(batch.dates.len());
            into.fields.append_in_order(batch.fields);
            into.dates.append(&mut batch.dates);
            into.values.append(&mut batch.values);
            into.lines.extend_from(&lines);
        }
        if self.skipped == 0 {
            self.first_skipped = chunk.first_skipped;
        }
        self.skipped += chunk.skipped;
        let newlines = u32::try_from(chunk.newlines).ok()?;
        self.line_base = self.line_base.checked_add(newlines)?;
        Some(())
    }
}

/// [`read_chunk`] by the fast reading of [`super::fast`]; `None` where
/// it gives up.
fn read_fast(
    src: &Source,
    columns: &Columns,
    mut batches: Batches,
    a: usize,
    b: usize,
) -> Option<Chunk> {
    let read = match src.delimiter {
        b',' => fast::read_rows::<b','>(
            fast::Text::str(src.text),
            a,
            b,
            true,
            columns,
            &mut batches,
            1,
        ),
        b';' => fast::read_rows::<b';'>(
            fast::Text::str(src.text),
            a,
            b,
            true,
            columns,
            &mut batches,
            1,
        ),
        _ => fast::read_rows::<b'\t'>(
            fast::Text::str(src.text),
            a,
            b,
            true,
            columns,
            &mut batches,
            1,
        ),
    }?;
    if read.end != b {
        return None;
    }
    Some(Chunk {
        batches: batches.batches,
        skipped: 0,
        first_skipped: 0,
        newlines: usize::try_from(read.newlines).ok()?,
    })
}

/// Reads the records from `a` (a record start) to `b` (just past a line
/// break outside quotes, or the end of the file) into `batches`; `None` at
/// the first error, or once another chunk has failed.
fn read_chunk(
    src: &Source,
    columns: &Columns,
    mut batches: Batches,
    a: usize,
    b: usize,
    failed: &AtomicBool,
) -> Option<Chunk> {
    let bytes = src.text.as_bytes();
    if failed.load(Ordering::Relaxed) || first_long_record(&bytes[..b], a, src.delimiter).is_some()
    {
        return None;
    }
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(src.delimiter)
        .from_reader(&bytes[a..b]);
    let mut record = StringRecord::new();
    let mut position = Position::new();
    let (mut skipped, mut first_skipped) = (0, 0);
    let mut rows = 0u32;
    while reader.read_record(&mut record).ok()? {
        rows = rows.wrapping_add(1);
        if rows.is_multiple_of(4096) && failed.load(Ordering::Relaxed) {
            return None;
        }
        let p = record.position()?;
        position.set_byte(u64::try_from(a - src.bom).ok()? + p.byte());
        position.set_line(p.line());
        let (start, line) = src.record_start(Some(&position));
        match read_row(src, columns, &record, start, line, &mut batches).ok()? {
            Row::Kept | Row::Blank => {}
            Row::NoDate => {
                if skipped == 0 {
                    first_skipped = start;
                }
                skipped += 1;
            }
        }
    }
    Some(Chunk {
        batches: batches.batches,
        skipped,
        first_skipped,
        newlines: memchr::memchr_iter(b'\n', &bytes[a..b]).count(),
    })
}

/// Where records start, from `from` (a record start) on: `from`, then
/// the first record start at least `chunk` bytes past the previous one,
/// and so on. Only line breaks outside quotes end records, so quotes are
/// followed with a quick scan that looks at quotes and line breaks alone
/// (with `memchr`), which is exact where every quote opens at the start of
/// a cell and closes at its end, as CSV writers quote: elsewhere the
/// `csv` crate takes a quote as text, and rather than follow its rules
/// byte by byte the scan gives up (`None`), as it does at a quote never
/// closed and at a record start that begins with a byte-order mark.
pub(super) fn record_starts(
    bytes: &[u8],
    from: usize,
    chunk: usize,
    delimiter: u8,
) -> Option<Vec<usize>> {
    if bytes.get(from..)?.starts_with(BOM) {
        return None;
    }
    let chunk = chunk.max(1);
    let mut starts = vec![from];
    let mut target = from.saturating_add(chunk);
    let mut pos = from;
    // Just past the last closing quote: a quote there is a `""` inside
    // quotes, which the scan sees as closing and opening again.
    let mut after_close = usize::MAX;
    loop {
        let open = memchr::memchr(b'"', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        while target < open {
            let t = target.max(pos);
            let Some(i) = memchr::memchr(b'\n', &bytes[t..open]) else {
                break;
            };
            let start = t + i + 1;
            if start < bytes.len() {
                if bytes[start..].starts_with(BOM) {
                    return None;
                }
                starts.push(start);
            }
            target = start.saturating_add(chunk);
        }
        if open == bytes.len() {
            return Some(starts);
        }
        let cell_start = open == from
            || open == after_close
            || matches!(bytes[open - 1], b'\n' | b'\r')
            || bytes[open - 1] == delimiter;
        if !cell_start {
            return None;
        }
        let close = open + 1 + memchr::memchr(b'"', &bytes[open + 1..])?;
        match bytes.get(close + 1) {
            None | Some(b'"' | b'\n' | b'\r') => {}
            Some(&c) if c == delimiter => {}
            Some(_) => return None,
        }
        after_close = close + 1;
        pos = close + 1;
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::load_by_csv_crate;
    use super::*;
    use crate::data::MAX_FIELD_COLUMNS;
    use proptest::prelude::*;

    const ALL: &ColumnSelection = &ColumnSelection::All;

    /// Everything a caller can see of a read: the batches, warnings and
    /// errors, and how each batch numbers its texts.
    pub(in crate::data::csv) fn observed(
        result: &Result<FileData, crate::diag::Diagnostic>,
    ) -> String {
        let mut s = format!("{result:?}");
        if let Ok(data) = result {
            for b in &data.batches {
                let f = &b.fields;
                s += &format!("\n{:?}", f.distinct().collect::<Vec<_>>());
                for col in 0..f.names().len() {
                    let ids: Vec<u32> = (0..f.rows()).map(|r| f.cell_id(col, r)).collect();
                    s += &format!("\n{ids:?} {:?}", f.counts_in(col));
                }
            }
        }
        s
    }

    pub(in crate::data::csv) fn one_thread(
        text: &str,
        delimiter: u8,
    ) -> Result<FileData, crate::diag::Diagnostic> {
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let data = FileData {
            file: FileId(0),
            ..FileData::default()
        };
        load_by_csv_crate(data, "adiz", text, bom, delimiter, MAX_FIELD_COLUMNS, ALL)
    }

    fn chunked(text: &str, delimiter: u8, chunk: usize) -> Option<FileData> {
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        load(
            FileId(0),
            "adiz",
            text,
            bom,
            delimiter,
            MAX_FIELD_COLUMNS,
            chunk,
            ALL,
        )
    }

    #[test]
    fn line_breaks_inside_quotes_are_not_record_starts() {
        let text = b"a,\"x\ny\",b\nc,\"\"\"\n\",d\ne\n";
        let starts = record_starts(text, 0, 1, b',');
        assert_eq!(starts, Some(vec![0, 10, 20]));
    }

    #[test]
    fn records_after_crlf_start_past_the_line_feed() {
        let text = b"a,\"x\r\ny\"\r\nb,c\r\n\r\nd\r\n";
        assert_eq!(record_starts(text, 0, 1, b','), Some(vec![0, 10, 15, 17]));
        assert_eq!(record_starts(text, 0, 12, b','), Some(vec![0, 15]));
    }

    #[test]
    fn quotes_the_quick_scan_cannot_place_give_up() {
        // A quote inside an unquoted cell is text to the `csv` crate.
        assert_eq!(record_starts(b"a,b\"c\nd\n", 0, 1, b','), None);
        // Text after a closing quote.
        assert_eq!(record_starts(b"a,\"b\"c\nd\n", 0, 1, b','), None);
        // A quote never closed.
        assert_eq!(record_starts(b"a,\"b\nd\n", 0, 1, b','), None);
        // A record that starts with a byte-order mark.
        assert_eq!(record_starts("a\n\u{feff}b\n".as_bytes(), 0, 1, b','), None);
        // Quotes open after any delimiter and close before it.
        assert_eq!(
            record_starts(b"\"a\";\"b\"\n\"c\"\n", 0, 1, b';'),
            Some(vec![0, 8])
        );
        assert_eq!(record_starts(b"a;\"b\"c\n", 0, 1, b';'), None);
    }

    #[test]
    fn errors_leave_the_file_to_one_thread() {
        let text = "date,value\n2025-01-01,1\n2025-01-02,x\n2025-01-03,3\n";
        assert!(chunked(text, b',', 1).is_none());
        let text = "date,value\n2025-01-01,1\n2025-01-02,1,2\n2025-01-03,3\n";
        assert!(chunked(text, b',', 1).is_none());
    }

    /// A file past [`MIN_SPLIT_BYTES`] in the layout of ACLED exports: a
    /// long quoted note on several lines in every row.
    fn large_file(rows: usize) -> String {
        let mut s = "event_id_cnty,event_date,year,actor1,notes,fatalities\r\n".to_string();
        for i in 0..rows {
            let day = 1 + i % 28;
            s += &format!(
                "TWN{i},2025-02-{day:02},2025,\"PLA, Navy\",\"On {day} February, \"\"ships\"\"\r\nwere seen near {i}.\",{}\r\n",
                i % 3
            );
        }
        s
    }

    #[test]
    fn large_files_are_read_in_chunks_as_on_one_thread() {
        let text = large_file(400);
        assert!(text.len() > MIN_SPLIT_BYTES);
        assert!(chunked(&text, b',', CHUNK_BYTES).is_some());
        let read = super::super::load(FileId(0), "adiz", &text, None, ALL);
        assert_eq!(observed(&read), observed(&one_thread(&text, b',')));
        let [batch] = read.as_ref().map(|d| &d.batches[..]).unwrap_or_default() else {
            panic!("{read:?}")
        };
        assert_eq!(batch.lines.get(399), Some(2 + 2 * 399));
    }

    #[test]
    fn an_error_late_in_a_large_file_is_reported_as_on_one_thread() {
        let mut text = large_file(400);
        text += "TWN,2025-02-30,2025,a,b,0\r\nTWN,x,2025,a,b,0\r\n";
        let read = super::super::load(FileId(0), "adiz", &text, None, ALL);
        assert!(read.is_err());
        assert_eq!(observed(&read), observed(&one_thread(&text, b',')));
    }

    #[test]
    fn a_header_only_file_reads_as_on_one_thread() {
        for text in ["date,value", "date,value\n", "date,notes\r\n\r\n"] {
            let read = chunked(text, b',', 1).map(Ok);
            assert_eq!(
                read.as_ref().map(observed),
                Some(observed(&one_thread(text, b',')))
            );
        }
    }

    /// A cell as a CSV writer quotes it.
    fn quoted(cell: &str) -> String {
        format!("\"{}\"", cell.replace('"', "\"\""))
    }

    /// Files with long quoted cells holding delimiters, quotes and line
    /// breaks, rows without a date, blank lines, CRLF, a byte-order mark,
    /// decimal commas and series; now and then an error. Gives the text,
    /// its delimiter and whether an error was put in.
    pub(in crate::data::csv) fn file() -> impl Strategy<Value = (String, u8, bool)> {
        let note = "[a-c ,;\t\"\n\r]{0,12}";
        let row = (
            prop_oneof![
                6 => Just("2025-01-02"),
                2 => Just(" 2025-01-03"),
                1 => Just("2 Jan 2025"),
                1 => Just(""),
            ],
            prop_oneof![Just("1"), Just("-2.5"), Just("1,5"), Just("\"3\"")],
            prop_oneof![Just("a"), Just("b"), Just("\"c d\""), Just("a ")],
            (note, any::<bool>()),
            prop_oneof![8 => Just("\n"), 2 => Just("\r\n"), 1 => Just("\n\n")],
            prop_oneof![
                40 => Just(""),
                1 => Just("bad date"),
                1 => Just("bad value"),
                1 => Just("cells"),
                1 => Just("stray quote"),
            ],
        );
        let layout = prop_oneof![
            Just("date,value,notes"),
            Just("series,date,value,notes"),
            Just("notes,event_date,Notes"),
        ];
        (
            layout,
            proptest::collection::vec(row, 0..24),
            any::<bool>(),
            any::<bool>(),
            0..3usize,
        )
            .prop_map(|(layout, rows, bom, last, d)| {
                let delimiter = [b',', b';', b'\t'][d];
                let sep = char::from(delimiter).to_string();
                let mut s = if bom { "\u{feff}" } else { "" }.to_string();
                s += &layout.replace(',', &sep);
                let mut broken = false;
                for (date, value, series, (note, quote_it), end, error) in rows {
                    s += if s.ends_with('\n') { "" } else { "\n" };
                    let value = match (value, delimiter) {
                        ("1,5", b',') => "\"1,5\"",
                        ("1,5", b'\t') => "1.5",
                        (v, _) => v,
                    };
                    let note =
                        if quote_it || note.contains(['"', '\n', '\r', char::from(delimiter)]) {
                            quoted(&note)
                        } else {
                            note
                        };
                    let (date, value) = match error {
                        "bad date" => ("2025-13-01", value),
                        "bad value" => (date, "x"),
                        _ => (date, value),
                    };
                    let mut cells = match layout {
                        "date,value,notes" => vec![date.to_string(), value.to_string(), note],
                        "series,date,value,notes" => {
                            vec![
                                series.to_string(),
                                date.to_string(),
                                value.to_string(),
                                note,
                            ]
                        }
                        _ => vec![note.clone(), date.to_string(), note],
                    };
                    match error {
                        "cells" => drop(cells.pop()),
                        "stray quote" => cells[0] += "x\"y",
                        _ => {}
                    }
                    broken |= !error.is_empty();
                    s += &cells.join(&sep);
                    s += end;
                }
                if !last && s.ends_with('\n') && !s.ends_with("\n\n") {
                    s.pop();
                    if s.ends_with('\r') {
                        s.pop();
                    }
                }
                (s, delimiter, broken)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]
        #[test]
        fn chunks_read_as_one_thread_does((text, d, broken) in file(), chunk in 1usize..64) {
            let whole = one_thread(&text, d);
            match chunked(&text, d, chunk) {
                Some(data) => prop_assert_eq!(observed(&Ok(data)), observed(&whole)),
                None => prop_assert!(broken || whole.is_err(), "gave up on {:?}", text),
            }
        }
    }
}

//! The fast reading of records as CSV writers lay them out: a cell is
//! either unquoted (no quote, carriage return or line break in it) or
//! quoted from its first byte to its last, with `""` for a quote inside;
//! lines end in `\n` or `\r\n`. Within those records it splits exactly as
//! the `csv` crate does; at anything else (a quote inside an unquoted cell,
//! text after a closing quote, a lone carriage return, a record over the
//! limit, a row the rows of [`super::load_plain`] would not take) it gives
//! up, and the caller reads the text with the `csv` crate instead, which
//! places every problem. Rows are found by [`super::scan`], 64 bytes at a
//! time; [`split`] reads one record a byte at a time (a header row, and the
//! reference the scan is tested against). Only the cells some column keeps
//! are ever copied.

use super::narrow::{self, Months};
use super::scan::Records;
use super::{iso_numbers, parse_date, trim, Batches, Columns, MAX_RECORD_BYTES};
use std::borrow::Cow;

/// One cell of a record: the bytes between its delimiters, without the
/// quotes of a quoted cell (whose `""` [`text`] reads as `"`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Cell {
    a: usize,
    b: usize,
    quoted: bool,
}

impl Cell {
    /// The cell of `bytes[a..b]` as a record split it: quoted when it
    /// starts with a quote (and then it ends with one).
    pub(super) fn of(bytes: &[u8], a: usize, b: usize) -> Cell {
        if a < b && bytes[a] == b'"' {
            Cell {
                a: a + 1,
                b: b - 1,
                quoted: true,
            }
        } else {
            Cell {
                a,
                b,
                quoted: false,
            }
        }
    }
}

/// A text being read: its bytes, and the same bytes as a `str` when they
/// are known to be UTF-8, so that a cell's text is a slice of it rather
/// than checked again.
#[derive(Clone, Copy)]
pub(super) struct Text<'t> {
    bytes: &'t [u8],
    utf8: Option<&'t str>,
}

impl<'t> Text<'t> {
    /// A text known to be UTF-8.
    pub(super) fn str(text: &'t str) -> Self {
        Text {
            bytes: text.as_bytes(),
            utf8: Some(text),
        }
    }

    /// A text not checked yet: each cell read is checked.
    pub(super) fn bytes(bytes: &'t [u8]) -> Self {
        Text { bytes, utf8: None }
    }

    /// The text of `cell`, as [`text`] gives it.
    fn cell(&self, cell: &Cell) -> Option<Cow<'t, str>> {
        // A cell starts and ends at an ASCII byte (a delimiter, a quote,
        // a line break) or at an end of the text: on a character boundary.
        let raw = match self.utf8 {
            Some(s) => s.get(cell.a..cell.b)?,
            None => std::str::from_utf8(self.bytes.get(cell.a..cell.b)?).ok()?,
        };
        Some(unescape(raw, cell.quoted))
    }
}

/// How a record ended.
#[derive(Debug, PartialEq)]
pub(super) enum Split {
    /// The next record starts at `next`; `newlines` line breaks were
    /// crossed (the terminator's included).
    Record { next: usize, newlines: u32 },
    /// The text ends inside the record, and more may come.
    Incomplete,
    /// A record the fast reading does not take.
    GiveUp,
}

/// Splits the record starting at `start` (not a blank line) into `cells`,
/// a byte at a time (with `memchr` across a quoted cell). `eof` says that the text ends where `bytes` does; otherwise a record
/// that reaches the end is [`Split::Incomplete`]. Records over
/// [`MAX_RECORD_BYTES`] are the `csv` crate's to refuse.
pub(super) fn split<const D: u8>(
    bytes: &[u8],
    start: usize,
    eof: bool,
    cells: &mut Vec<Cell>,
) -> Split {
    match split_record::<D>(bytes, start, eof, cells) {
        Split::Record { next, .. } if next - start > MAX_RECORD_BYTES => Split::GiveUp,
        Split::Incomplete if bytes.len() - start > MAX_RECORD_BYTES => Split::GiveUp,
        split => split,
    }
}

fn split_record<const D: u8>(
    bytes: &[u8],
    start: usize,
    eof: bool,
    cells: &mut Vec<Cell>,
) -> Split {
    cells.clear();
    let end_of_text = |i: usize, newlines: u32| {
        if eof {
            Split::Record { next: i, newlines }
        } else {
            Split::Incomplete
        }
    };
    let mut newlines = 0u32;
    let mut i = start;
    loop {
        if bytes.get(i) == Some(&b'"') {
            let a = i + 1;
            let mut j = a;
            let close = loop {
                let Some(k) = memchr::memchr2(b'"', b'\n', &bytes[j..]) else {
                    return if eof {
                        Split::GiveUp
                    } else {
                        Split::Incomplete
                    };
                };
                let p = j + k;
                if bytes[p] == b'\n' {
                    newlines += 1;
                    j = p + 1;
                    continue;
                }
                match bytes.get(p + 1) {
                    Some(b'"') => j = p + 2,
                    None if !eof => return Split::Incomplete,
                    _ => break p,
                }
            };
            cells.push(Cell {
                a,
                b: close,
                quoted: true,
            });
            i = close + 1;
            match bytes.get(i) {
                None => return end_of_text(i, newlines),
                Some(&c) if c == D => i += 1,
                Some(b'\n') => {
                    return Split::Record {
                        next: i + 1,
                        newlines: newlines + 1,
                    }
                }
                Some(b'\r') => return crlf(bytes, i, eof, newlines),
                Some(_) => return Split::GiveUp,
            }
            continue;
        }
        let a = i;
        loop {
            match bytes.get(i) {
                None => {
                    cells.push(Cell {
                        a,
                        b: i,
                        quoted: false,
                    });
                    return end_of_text(i, newlines);
                }
                Some(&c) if c == D => {
                    cells.push(Cell {
                        a,
                        b: i,
                        quoted: false,
                    });
                    i += 1;
                    break;
                }
                Some(b'\n') => {
                    cells.push(Cell {
                        a,
                        b: i,
                        quoted: false,
                    });
                    return Split::Record {
                        next: i + 1,
                        newlines: newlines + 1,
                    };
                }
                Some(b'\r') => {
                    cells.push(Cell {
                        a,
                        b: i,
                        quoted: false,
                    });
                    return crlf(bytes, i, eof, newlines);
                }
                Some(b'"') => return Split::GiveUp,
                Some(_) => i += 1,
            }
        }
    }
}

/// The end of a record at the carriage return at `i`: one followed by a
/// line feed; a lone one (which the `csv` crate also takes as an end)
/// is left to the `csv` crate.
fn crlf(bytes: &[u8], i: usize, eof: bool, newlines: u32) -> Split {
    match bytes.get(i + 1) {
        Some(b'\n') => Split::Record {
            next: i + 2,
            newlines: newlines + 1,
        },
        None if !eof => Split::Incomplete,
        _ => Split::GiveUp,
    }
}

/// The text of a cell, with `""` read as `"` (an unquoted cell holds no
/// quote); `None` if it is not UTF-8. Only the cells a reading keeps are
/// looked at as text.
pub(super) fn text<'t>(bytes: &'t [u8], cell: &Cell) -> Option<Cow<'t, str>> {
    Text::bytes(bytes).cell(cell)
}

/// A quoted cell's text with `""` read as `"`.
fn unescape(raw: &str, quoted: bool) -> Cow<'_, str> {
    if quoted && raw.contains('"') {
        Cow::Owned(raw.replace("\"\"", "\""))
    } else {
        Cow::Borrowed(raw)
    }
}

/// What [`read_rows`] read.
#[derive(Debug, PartialEq)]
pub(super) struct Read {
    /// Where the record after the last one read starts.
    pub end: usize,
    /// Line breaks crossed, blank lines included.
    pub newlines: u32,
    /// Every block the reading looked at was ASCII: the text from `from`
    /// to `end` (and a little past it) is UTF-8 with no further check.
    pub ascii: bool,
}

/// Reads the records of `text` that start from `from` (a record start)
/// up to `to` into `batches`, numbering lines from `line`: every record
/// that starts before `to`, the last one read to its end even past `to`.
/// `eof` as for [`split`]; a record that the text cuts short ends the
/// reading before it (see [`Read::end`]). `None` where the fast reading
/// gives up, or at a row that [`super::load_plain`] would not take.
pub(super) fn read_rows<const D: u8>(
    text: Text<'_>,
    from: usize,
    to: usize,
    eof: bool,
    columns: &Columns,
    batches: &mut Batches,
    mut line: u32,
) -> Option<Read> {
    let bytes = text.bytes;
    let mut cells: Vec<Cell> = Vec::with_capacity(columns.width);
    let has_fields = !columns.kept.is_empty();
    let mut months = Months::default();
    let narrow = narrow::applies(columns);
    if narrow {
        narrow::reserve(batches.first(), bytes, from, to);
    }
    let mut records = Records::<D>::new(bytes, from, eof);
    // Whether the readers of records replaced so far saw only ASCII.
    let mut ascii = true;
    let mut pos = from;
    let mut newlines = 0u32;
    while pos < to && pos < bytes.len() {
        if narrow {
            let taken = narrow::read::<D>(bytes, pos, to, eof, batches.first(), line, &mut months);
            if taken.rows > 0 {
                line = line.checked_add(taken.newlines)?;
                newlines = newlines.checked_add(taken.newlines)?;
                pos = taken.end;
                ascii &= records.ascii();
                records = Records::<D>::new(bytes, pos, eof);
                continue;
            }
        }
        let (next, crossed) = match records.next(&mut cells) {
            Split::Record { next, newlines } => (next, newlines),
            Split::Incomplete => break,
            Split::GiveUp => return None,
        };
        if bytes[pos] == b'\n' {
            // A blank line, which the `csv` crate skips too.
            pos = next;
            newlines = newlines.checked_add(1)?;
            line = line.checked_add(1)?;
            continue;
        }
        if cells.len() != columns.width {
            return None;
        }
        let cell = |i: usize| cells.get(i).and_then(|c| text.cell(c));
        let date_cell = cell(columns.date)?;
        if trim(&date_cell).is_empty() {
            return None;
        }
        let date = match iso_numbers(date_cell.as_bytes()) {
            Some((y, m, d)) => months.date(y, m, d)?,
            None => parse_date(&date_cell).ok()?,
        };
        let value = match columns.value {
            Some(i) => columns.parse_value(&cell(i)?)?,
            None => 1.0,
        };
        let batch = match columns.series {
            Some(i) => batches.named(&cell(i)?)?,
            None => batches.first(),
        };
        batch.dates.push(date);
        batch.values.push(value);
        batch.lines.push(line);
        if has_fields {
            let row = batch.dates.len() - 1;
            for &(i, col) in &columns.kept {
                columns.set_field(&mut batch.fields, col, row, &cell(i)?);
            }
        }
        line = line.checked_add(crossed)?;
        newlines = newlines.checked_add(crossed)?;
        pos = next;
    }
    if narrow {
        narrow::trim_room(batches.first());
    }
    Some(Read {
        end: pos,
        newlines,
        ascii: ascii && records.ascii(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(text: &str, eof: bool) -> (Split, Vec<String>) {
        let mut cells = Vec::new();
        let split = split::<b','>(text.as_bytes(), 0, eof, &mut cells);
        let shown = cells
            .iter()
            .map(|c| text_of(text, c).into_owned())
            .collect();
        (split, shown)
    }

    fn text_of<'t>(body: &'t str, c: &Cell) -> Cow<'t, str> {
        text(body.as_bytes(), c).unwrap()
    }

    #[test]
    fn quoted_cells_with_doubled_quotes_and_line_breaks() {
        let (split, shown) = cells("a,\"b \"\"c\"\"\nd\",\"\",e\nnext", true);
        assert_eq!(
            split,
            Split::Record {
                next: 19,
                newlines: 2
            }
        );
        assert_eq!(shown, ["a", "b \"c\"\nd", "", "e"]);
    }

    #[test]
    fn crlf_ends_a_record_and_a_lone_carriage_return_gives_up() {
        let (split, shown) = cells("a,\"b\"\r\nc", true);
        assert_eq!(
            split,
            Split::Record {
                next: 7,
                newlines: 1
            }
        );
        assert_eq!(shown, ["a", "b"]);
        assert_eq!(cells("a,b\rc\n", true).0, Split::GiveUp);
    }

    #[test]
    fn quotes_the_csv_crate_reads_otherwise_give_up() {
        assert_eq!(cells("a,b\"c\n", true).0, Split::GiveUp);
        assert_eq!(cells("a,\"b\"c\n", true).0, Split::GiveUp);
        assert_eq!(cells("a,\"b\n", true).0, Split::GiveUp);
    }

    #[test]
    fn a_record_cut_short_is_incomplete_unless_the_text_ends_there() {
        assert_eq!(cells("a,\"b", false).0, Split::Incomplete);
        assert_eq!(cells("a,\"b\"", false).0, Split::Incomplete);
        assert_eq!(cells("a,b", false).0, Split::Incomplete);
        assert_eq!(cells("a,b\r", false).0, Split::Incomplete);
        let (split, shown) = cells("a,\"b\"", true);
        assert_eq!(
            split,
            Split::Record {
                next: 5,
                newlines: 0
            }
        );
        assert_eq!(shown, ["a", "b"]);
        assert_eq!(cells("a,b", true).1, ["a", "b"]);
    }
}

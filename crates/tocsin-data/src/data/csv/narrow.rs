//! The rows of a narrow daily file (`date,value`, as the spec's first
//! example and most hand-kept tallies and exports write them) read
//! without splitting records: a row is an ISO date of ten bytes, the
//! delimiter, a plain decimal and a line break, checked in place. Such a
//! row is read exactly as [`super::fast::read_rows`] reads it; at the
//! first row of any other shape (a quote, a blank line, a space, an
//! exponent, a date of another form, a day the month lacks) this reading
//! stops before it, the record reading takes that row, and this reading
//! goes on after it. Every byte it takes is ASCII.

use super::{exact_decimal, Batch, Columns};
use crate::time::{month_length, Date};

/// The longest value cell read here; longer ones are the record
/// reading's.
const MAX_VALUE: usize = 32;

/// Whether a file of these columns has the narrow layout: a date and a
/// value column and nothing else, no series column, no field kept.
pub(super) fn applies(columns: &Columns) -> bool {
    columns.width == 2
        && columns.date == 0
        && columns.value == Some(1)
        && columns.series.is_none()
        && columns.kept.is_empty()
}

/// Makes room in an empty `batch` for the rows of `bytes[from..to]`,
/// guessed from the first row's length with a sixteenth to spare: a file
/// of thousands of rows then fills its lists without copying them at each
/// doubling (and without faulting in the pages of every copy).
pub(super) fn reserve(batch: &mut Batch, bytes: &[u8], from: usize, to: usize) {
    if !batch.dates.is_empty() || to <= from {
        return;
    }
    let Some(first) = memchr::memchr(b'\n', &bytes[from..to.min(bytes.len())]) else {
        return;
    };
    // A narrow row takes 12 bytes at least (a blank first line must not
    // make the guess one row a byte).
    let rows = (to - from) / (first + 1).max(12);
    let rows = rows + rows / 16 + 1;
    batch.dates.reserve_exact(rows);
    batch.values.reserve_exact(rows);
}

/// Gives back the room [`reserve`] guessed too much of, when it is more
/// than a sixteenth: shrinking in place costs no copy.
pub(super) fn trim_room(batch: &mut Batch) {
    let spare = batch.values.capacity() - batch.values.len();
    if spare > batch.values.len() / 16 + 64 {
        batch.dates.shrink_to_fit();
        batch.values.shrink_to_fit();
    }
}

/// The first day of the month of the last date read, so that a row of
/// the same month costs an addition.
#[derive(Default)]
pub(super) struct Months {
    last: Option<(u32, u32, Date, u32)>,
}

impl Months {
    /// `Date::from_ymd(y, m, d)`, as `parse_date` gives it for `YYYY-MM-DD`.
    #[inline]
    pub(super) fn date(&mut self, y: u32, m: u32, d: u32) -> Option<Date> {
        let (first, length) = match self.last {
            Some((py, pm, first, length)) if (py, pm) == (y, m) => (first, length),
            _ => {
                let year = i32::try_from(y).ok()?;
                let first = Date::from_ymd(year, m, 1)?;
                let length = month_length(year, m);
                self.last = Some((y, m, first, length));
                (first, length)
            }
        };
        if d == 0 || d > length {
            return None;
        }
        Some(Date(first.0 + i32::try_from(d).ok()? - 1))
    }
}

/// What [`read`] took.
pub(super) struct Taken {
    /// Where the row after the last one taken starts.
    pub end: usize,
    /// Rows taken.
    pub rows: u32,
    /// Line breaks crossed: one a row, but none for a last row that ends
    /// the text without one.
    pub newlines: u32,
}

/// Reads narrow rows into `batch` from `from` (a record start) while they
/// start before `to`, numbering them from `line`. `eof` as for
/// [`super::fast::split`]: without it, a row that reaches the end of the
/// text is left for the record reading (which waits for more).
#[inline]
pub(super) fn read<const D: u8>(
    bytes: &[u8],
    from: usize,
    to: usize,
    eof: bool,
    batch: &mut Batch,
    line: u32,
    months: &mut Months,
) -> Taken {
    let mut pos = from;
    let mut taken = Taken {
        end: from,
        rows: 0,
        newlines: 0,
    };
    // Every row but a last one at the end of the text crosses one line
    // break, so row `k` is on line `line + k`: the rows' lines are one
    // run, added once at the end.
    let last = u32::MAX - line;
    while pos < to && taken.rows <= last {
        let Some((date, value, next, crossed)) = row::<D>(bytes, pos, eof, months) else {
            break;
        };
        batch.dates.push(date);
        batch.values.push(value);
        taken.rows += 1;
        taken.newlines += crossed;
        pos = next;
    }
    batch.lines.push_span(crate::data::LineSpan {
        line,
        step: 1,
        count: taken.rows as usize,
    });
    taken.end = pos;
    taken
}

/// The narrow row at `p`: its date, value, the next row's start and the
/// line breaks it crossed.
#[inline(always)]
fn row<const D: u8>(
    bytes: &[u8],
    p: usize,
    eof: bool,
    months: &mut Months,
) -> Option<(Date, f64, usize, u32)> {
    let b = bytes.get(p..)?;
    if b.len() < 12 || b[10] != D {
        return None;
    }
    let (y, m, d) = super::iso_numbers(&b[..10])?;
    let (value, len, crossed) = value(&b[11..], eof)?;
    let date = months.date(y, m, d)?;
    Some((date, value, p + 11 + len, crossed))
}

/// The value cell at the start of `rest` and its line break, in one pass:
/// the value, the bytes to the next row and the line breaks crossed.
/// Exactly what [`plain_decimal`] takes (a leading minus, at most 15
/// digits and one point, nothing else), so that the cell needs no
/// trimming and `str::parse` would read the same.
#[inline(always)]
fn value(rest: &[u8], eof: bool) -> Option<(f64, usize, u32)> {
    let negative = rest.first() == Some(&b'-');
    let start = usize::from(negative);
    let mut m = 0u64;
    let mut count = 0u32;
    let mut point = None;
    let mut i = start;
    let (end, next, crossed) = loop {
        let Some(&c) = rest.get(i) else {
            if !eof {
                return None;
            }
            break (i, i, 0);
        };
        match c {
            b'0'..=b'9' => {
                m = m.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                count += 1;
            }
            b'.' if point.is_none() => point = Some(i),
            b'\n' => break (i, i + 1, 1),
            b'\r' if rest.get(i + 1) == Some(&b'\n') => break (i, i + 2, 1),
            _ => return None,
        }
        i += 1;
        if i > MAX_VALUE {
            return None;
        }
    };
    let digits = end - start;
    if digits == 0 || digits > 16 || count == 0 || count > 15 {
        return None;
    }
    let fraction = point.map_or(0, |p| end - p - 1);
    Some((exact_decimal(m, fraction, negative), next, crossed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str, eof: bool) -> (Vec<i32>, Vec<f64>, Vec<u32>, usize, u32) {
        let mut batch = Batch::default();
        let mut months = Months::default();
        let t = read::<b','>(
            text.as_bytes(),
            0,
            text.len(),
            eof,
            &mut batch,
            2,
            &mut months,
        );
        let dates = batch.dates.iter().map(|d| d.0).collect();
        (dates, batch.values, batch.lines.to_vec(), t.end, t.newlines)
    }

    #[test]
    fn room_is_guessed_from_the_first_row_and_given_back_when_too_much() {
        let text: String = (0..1000)
            .map(|k| format!("2024-01-01,{}\n", k * 1000))
            .collect();
        let mut batch = Batch::default();
        reserve(&mut batch, text.as_bytes(), 0, text.len());
        // The first row is the shortest: the guess is too many rows.
        assert!(
            batch.values.capacity() > 1300,
            "{}",
            batch.values.capacity()
        );
        let mut months = Months::default();
        let t = read::<b','>(
            text.as_bytes(),
            0,
            text.len(),
            true,
            &mut batch,
            2,
            &mut months,
        );
        assert_eq!(t.rows, 1000);
        trim_room(&mut batch);
        assert!(
            batch.values.capacity() < 1100,
            "{}",
            batch.values.capacity()
        );
        assert_eq!(batch.lines.get(999), Some(1001));
        // A blank first line does not make the guess a row a byte.
        let mut blank = Batch::default();
        let text = format!("\n{text}");
        reserve(&mut blank, text.as_bytes(), 0, text.len());
        assert!(blank.values.capacity() <= text.len() / 12 + text.len() / 192 + 1);
    }

    #[test]
    fn reads_plain_rows_and_stops_before_any_other() {
        let text = "2024-01-31,1.5\n2024-02-01,-2\r\n2024-02-02, 3\n2024-02-03,4\n";
        let (dates, values, lines, end, newlines) = read_all(text, true);
        let jan31 = Date::from_ymd(2024, 1, 31).unwrap().0;
        assert_eq!(dates, [jan31, jan31 + 1]);
        assert_eq!(values, [1.5, -2.0]);
        assert_eq!(lines, [2, 3]);
        assert_eq!(&text[end..], "2024-02-02, 3\n2024-02-03,4\n");
        assert_eq!(newlines, 2);
    }

    #[test]
    fn a_last_row_without_a_line_break_is_read_only_at_the_end_of_the_text() {
        assert_eq!(read_all("2024-01-01,7", true).1, [7.0]);
        assert_eq!(read_all("2024-01-01,7", false).1, Vec::<f64>::new());
        assert_eq!(read_all("2024-01-01,7\r", true).1, Vec::<f64>::new());
    }

    #[test]
    fn values_are_plain_decimals_as_the_record_reading_reads_them() {
        for cell in [
            "0",
            "-0",
            "7",
            "-12.5",
            "40.84",
            ".5",
            "-.5",
            "5.",
            "123456789012345",
            "1234567890123456",
            "12345678901234.5",
            "0.000000000000001",
            "-",
            ".",
            "1.2.3",
            "--1",
            "1-",
            "+1",
            "1 ",
            "0x1",
            "1e3",
            "٣",
        ] {
            let got = value(format!("{cell}\n").as_bytes(), true).map(|v| v.0);
            assert_eq!(
                got.map(f64::to_bits),
                super::super::plain_decimal(cell.as_bytes()).map(f64::to_bits),
                "{cell:?}"
            );
            if let Some(v) = got {
                assert_eq!(Ok(v), cell.parse::<f64>(), "{cell:?}");
            }
        }
    }

    #[test]
    fn what_the_record_reading_must_place_is_left_to_it() {
        for text in [
            "2024-02-30,1\n",
            "\"2024-01-01\",1\n",
            "2024-01-01,1e3\n",
            "2024-01-01,\n",
            "2024-01-01,1,2\n",
            "\n2024-01-01,1\n",
            "2024-1-01,1\n",
            "2024-01-01,12345678901234567\n",
        ] {
            assert!(read_all(text, true).1.is_empty(), "{text:?}");
        }
    }
}

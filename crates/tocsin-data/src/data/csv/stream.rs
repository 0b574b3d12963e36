//! One large CSV file read as it streams in, never held whole: a round of
//! [`ROUND_BYTES`] is read, cut into chunks at line starts, and the chunks
//! are read by [`super::fast`] on every core (and checked as UTF-8 unless
//! the reading saw only ASCII); the round's last record, if the round cuts
//! it short, starts the next round.
//!
//! A chunk starts at the first line start past its share of the round,
//! which is a guess: the line break before it may sit inside a quoted
//! cell. The chunks are joined in file order, and a chunk is kept only if
//! it starts where the chunk before it ended; otherwise it is read again
//! from there. So no scan of the quotes is needed ahead of the reading,
//! and a wrong guess costs one chunk read twice.
//!
//! Like the fast path it builds on, this reading gives up (`None`) at
//! anything it does not handle; the caller then reads the file whole and
//! the general path reports what is wrong with it.

use super::chunks::{Chunk, Joined};
use super::{fast, sniff_delimiter, Batches, Columns};
use crate::data::{
    Batch, ColumnSelection, FileData, MAX_CELLS, MAX_FIELD_COLUMNS, MAX_RECORD_BYTES,
};
use crate::diag::FileId;
use ::csv::StringRecord;
use rayon::prelude::*;
use std::io::Read;

/// Bytes read a round: the text held at once, besides the record a round
/// cuts short.
pub(super) const ROUND_BYTES: usize = if cfg!(test) { 256 } else { 32 << 20 };

/// Bytes of a chunk, about; a round has [`ROUND_BYTES`] / `CHUNK_BYTES`
/// chunks, enough that the cores stay busy to the end of each round.
pub(super) const CHUNK_BYTES: usize = if cfg!(test) { 64 } else { 2 << 20 };

/// Room kept in front of each round for the record the round before cut
/// short: a record is never longer.
const GAP: usize = MAX_RECORD_BYTES + 1;

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// What a stream gave: the data, and the bytes read.
pub struct Streamed {
    /// The file's data, as [`crate::data::load_selected`] would give it.
    pub data: FileData,
    /// Bytes read from the stream.
    pub bytes: u64,
}

/// Reads a CSV file from `reader` (see the module documentation);
/// `delimiter` as for [`super::load`]. `None` where the file must be read
/// whole instead.
pub fn load<R: Read + Send>(
    file: FileId,
    stem: &str,
    delimiter: Option<u8>,
    reader: R,
    selection: &ColumnSelection,
) -> Option<Streamed> {
    load_sized(
        file,
        stem,
        delimiter,
        reader,
        selection,
        (ROUND_BYTES, CHUNK_BYTES),
    )
}

/// [`load`] with rounds and chunks of the sizes given (tests vary them).
pub(super) fn load_sized<R: Read + Send>(
    file: FileId,
    stem: &str,
    delimiter: Option<u8>,
    mut reader: R,
    selection: &ColumnSelection,
    (round, chunk): (usize, usize),
) -> Option<Streamed> {
    let mut buf = Vec::new();
    let mut bytes = 0u64;
    let mut eof = fill(&mut reader, &mut buf, round, &mut bytes)?;
    // The header row's first line, read whole: it chooses the delimiter.
    while !eof && memchr::memchr(b'\n', &buf).is_none() && buf.len() <= MAX_RECORD_BYTES {
        let want = buf.len() + round;
        eof = fill(&mut reader, &mut buf, want, &mut bytes)?;
    }
    let bom = if buf.starts_with(BOM) { BOM.len() } else { 0 };
    let body = buf.get(bom..)?;
    // A blank file, or one whose header row is not first, is the general
    // path's.
    if matches!(body.first(), None | Some(b'\n' | b'\r' | b' ' | b'\t')) {
        return None;
    }
    let header_line = memchr::memchr(b'\n', body).map_or(body, |n| &body[..n]);
    let delimiter = match delimiter {
        Some(d) => d,
        None => sniff_delimiter(std::str::from_utf8(header_line).ok()?),
    };
    // What is read so far holds the header row (its first line at least;
    // a quoted cell may run on).
    let read = match std::str::from_utf8(&buf) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&buf[..e.valid_up_to()]).unwrap_or(""),
    };
    let duplicate = super::duplicate_columns(file, read, bom, delimiter);
    let mut reading = Reading {
        reader,
        buf,
        spare: Vec::new(),
        pos: bom,
        eof,
        bytes,
        round,
        chunk,
    };
    let mut data = match delimiter {
        b',' => reading.read::<b','>(file, stem, selection),
        b';' => reading.read::<b';'>(file, stem, selection),
        _ => reading.read::<b'\t'>(file, stem, selection),
    }?;
    data.warnings.extend(duplicate);
    Some(Streamed {
        data,
        bytes: reading.bytes,
    })
}

/// A stream being read: `buf[pos..]` is text not read yet, starting at a
/// record start.
struct Reading<R> {
    reader: R,
    buf: Vec<u8>,
    /// The buffer the next round is read into.
    spare: Vec<u8>,
    pos: usize,
    eof: bool,
    bytes: u64,
    round: usize,
    chunk: usize,
}

impl<R: Read + Send> Reading<R> {
    fn read<const D: u8>(
        &mut self,
        file: FileId,
        stem: &str,
        selection: &ColumnSelection,
    ) -> Option<FileData> {
        let mut cells = Vec::new();
        let (next, newlines) = loop {
            match fast::split::<D>(&self.buf, self.pos, self.eof, &mut cells) {
                fast::Split::Record { next, newlines } => break (next, newlines),
                fast::Split::Incomplete => {
                    let want = self.buf.len() + self.round;
                    self.eof = fill(&mut self.reader, &mut self.buf, want, &mut self.bytes)?;
                }
                fast::Split::GiveUp => return None,
            }
        };
        if cells.len() > MAX_CELLS {
            return None;
        }
        let header = self.buf.get(self.pos..next)?;
        std::str::from_utf8(header).ok()?;
        let names = cells
            .iter()
            .map(|c| fast::text(&self.buf, c))
            .collect::<Option<Vec<_>>>()?;
        let header = StringRecord::from(names.iter().map(|n| n.as_ref()).collect::<Vec<&str>>());
        let mut columns = Columns::of(&header, D)?;
        let template = columns.template(&header, selection);
        let mut joined = Joined {
            batches: Batches::new(stem, template.clone(), MAX_FIELD_COLUMNS),
            series_column: columns.series.is_some(),
            skipped: 0,
            first_skipped: 0,
            line_base: newlines,
        };
        self.pos = next;
        let new_batches = || Batches::new(stem, template.clone(), MAX_FIELD_COLUMNS);
        loop {
            // The next round is read while this one is parsed, into a
            // buffer with room in front for the record this one cuts
            // short (never longer than `GAP`, or the reading gave up).
            let Reading {
                reader,
                buf,
                spare,
                pos,
                eof,
                bytes,
                round,
                chunk,
            } = self;
            let text = &buf[*pos..];
            let (next, end) = rayon::join(
                || {
                    if *eof {
                        return Some((Vec::new(), true, 0));
                    }
                    // The buffer of the round before, reused: a fresh one
                    // would be zeroed page by page by the system.
                    let mut next = std::mem::take(spare);
                    next.clear();
                    next.resize(GAP, 0);
                    let mut read = 0;
                    let eof = fill(reader, &mut next, GAP + *round, &mut read)?;
                    Some((next, eof, read))
                },
                || read_round::<D>(text, *eof, *chunk, &columns, &new_batches, &mut joined),
            );
            let end = *pos + end?;
            if *eof {
                // The last round reads to the end of the text, or gives up.
                if end != buf.len() {
                    return None;
                }
                break;
            }
            let (mut next, next_eof, read) = next?;
            let carry = buf.get(end..)?;
            let start = GAP.checked_sub(carry.len())?;
            next.get_mut(start..GAP)?.copy_from_slice(carry);
            *spare = std::mem::replace(buf, next);
            *pos = start;
            *eof = next_eof;
            *bytes = bytes.checked_add(read)?;
        }
        let mut batches = joined.batches.finish(joined.series_column);
        batches.iter_mut().for_each(Batch::shrink_to_fit);
        Some(FileData {
            file,
            batches,
            newlines: Some(u64::from(joined.line_base)),
            ..FileData::default()
        })
    }
}

/// Reads from `reader` until `buf` holds `want` bytes or the stream ends;
/// `Some(true)` at its end, `None` at a read error (the whole read then
/// reports it).
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>, want: usize, bytes: &mut u64) -> Option<bool> {
    let have = buf.len();
    let more = u64::try_from(want.saturating_sub(have)).ok()?;
    let got = reader.by_ref().take(more).read_to_end(buf).ok()?;
    *bytes = bytes.checked_add(u64::try_from(got).ok()?)?;
    Some(buf.len() < want)
}

/// What one chunk of a round gave.
struct Part {
    /// Where it started (a guess but for the first).
    start: usize,
    /// Where the next part starts.
    to: usize,
    /// Its bytes, up to the next part's start, are UTF-8 (the last part:
    /// but for a character the round cuts short).
    utf8: bool,
    /// What reading from `start` gave, with where it ended.
    read: Option<(Chunk, usize)>,
}

/// Reads the records of `text` (a round, from a record start) into
/// `joined`, and gives where the first record it did not read starts: the
/// end of the text when `eof`, or the start of the record the round cuts
/// short. `None` where the reading gives up.
fn read_round<const D: u8>(
    text: &[u8],
    eof: bool,
    chunk: usize,
    columns: &Columns,
    new_batches: &(impl Fn() -> Batches + Sync),
    joined: &mut Joined,
) -> Option<usize> {
    let starts = chunk_starts(text, chunk);
    let ends: Vec<usize> = starts.iter().skip(1).copied().chain([text.len()]).collect();
    let last = starts.len() - 1;
    let parts: Vec<Part> = starts
        .par_iter()
        .zip(ends.par_iter())
        .enumerate()
        .with_max_len(1)
        .map(|(k, (&start, &to))| {
            let read = read_part::<D>(text, start, to, eof, columns, new_batches());
            // The reading saw whether its bytes were ASCII; the UTF-8
            // check proper is left to the parts with other bytes.
            let utf8 = match &read {
                Some((_, end, true)) if *end >= to => true,
                _ => match std::str::from_utf8(&text[start..to]) {
                    Ok(_) => true,
                    // A character the round cuts short is read whole with
                    // the next round.
                    Err(e) => k == last && !eof && e.error_len().is_none(),
                },
            };
            let read = read.filter(|_| utf8).map(|(chunk, end, _)| (chunk, end));
            Part {
                start,
                to,
                utf8,
                read,
            }
        })
        .collect();
    let mut expected = 0;
    for part in parts {
        if !part.utf8 {
            return None;
        }
        let (chunk, end) = match part.read {
            Some(read) if part.start == expected => read,
            // The guess fell inside a record: read again from where the
            // part before ended.
            _ => {
                let (chunk, end, _) =
                    read_part::<D>(text, expected, part.to, eof, columns, new_batches())?;
                (chunk, end)
            }
        };
        joined.add(chunk)?;
        expected = end;
    }
    Some(expected)
}

/// Where the chunks of a round start: 0, then past each multiple of
/// `chunk` the first line feed outside quotes, by the parity of the
/// quotes before it (counted on every core). For text quoted as CSV
/// quotes it (quotes at cell edges, `""` inside) these are record
/// starts, so no chunk is read twice even where quoted cells hold line
/// breaks, as ACLED's notes do. Other text may make them wrong, which
/// costs a chunk read again and nothing else (see the module
/// documentation).
fn chunk_starts(text: &[u8], chunk: usize) -> Vec<usize> {
    let chunk = chunk.max(1);
    let cuts: Vec<usize> = (chunk..text.len()).step_by(chunk).collect();
    let odd: Vec<bool> = cuts
        .par_iter()
        .enumerate()
        .map(|(k, &cut)| {
            let from = k * chunk;
            memchr::memchr_iter(b'"', &text[from..cut]).count() % 2 == 1
        })
        .collect();
    let mut starts = vec![0];
    let mut inside = false;
    for (&cut, odd) in cuts.iter().zip(odd) {
        inside ^= odd;
        // Unbalanced quotes may leave no line feed outside them near the
        // cut: the first line feed is then the guess, as any guess checked
        // at the join.
        let start = line_start(text, cut, inside)
            .or_else(|| memchr::memchr(b'\n', &text[cut..]).map(|n| cut + n + 1));
        let Some(start) = start else {
            break;
        };
        if start < text.len() && Some(&start) > starts.last() {
            starts.push(start);
        }
    }
    starts
}

/// The position after the first line feed at or past `from` outside
/// quotes, `inside` saying whether `from` is inside them. Looked for no
/// further than a record can be long, so that a stray quote costs no scan
/// of the rest of the round at every cut.
fn line_start(text: &[u8], from: usize, mut inside: bool) -> Option<usize> {
    let near = &text[from..text.len().min(from + MAX_RECORD_BYTES + 1)];
    for n in memchr::memchr2_iter(b'"', b'\n', near) {
        if text[from + n] == b'"' {
            inside = !inside;
        } else if !inside {
            return Some(from + n + 1);
        }
    }
    None
}

/// The records of `text` starting from `start` up to `to`, as a chunk,
/// with where the reading ended and whether the bytes it read were ASCII.
fn read_part<const D: u8>(
    text: &[u8],
    start: usize,
    to: usize,
    eof: bool,
    columns: &Columns,
    mut batches: Batches,
) -> Option<(Chunk, usize, bool)> {
    let read = fast::read_rows::<D>(
        fast::Text::bytes(text),
        start,
        to,
        eof,
        columns,
        &mut batches,
        1,
    )?;
    let chunk = Chunk {
        batches: batches.batches,
        skipped: 0,
        first_skipped: 0,
        newlines: usize::try_from(read.newlines).ok()?,
    };
    Some((chunk, read.end, read.ascii))
}

#[cfg(test)]
mod tests {
    use super::super::chunks::tests::{file, observed, one_thread};
    use super::*;
    use proptest::prelude::*;

    const ALL: &ColumnSelection = &ColumnSelection::All;

    fn streamed(text: &str, d: u8, round: usize, chunk: usize) -> Option<FileData> {
        let delimiter = (d == b'\t').then_some(b'\t');
        let s = load_sized(
            FileId(0),
            "adiz",
            delimiter,
            text.as_bytes(),
            ALL,
            (round, chunk),
        )?;
        assert_eq!(s.bytes, text.len() as u64);
        // Every line feed is counted, quoted ones too.
        let newlines = text.bytes().filter(|&b| b == b'\n').count() as u64;
        let mut data = s.data;
        assert_eq!(data.newlines.take(), Some(newlines), "{text:?}");
        Some(data)
    }

    #[test]
    fn a_note_whose_line_breaks_fool_the_chunk_guesses_reads_as_on_one_thread() {
        let mut text = "date,notes,value\n".to_string();
        for i in 0..200 {
            text += &format!("2025-01-{:02},\"a\nb \"\"{i}\"\"\nc\",{i}\r\n", 1 + i % 28);
        }
        for (round, chunk) in [(1, 1), (7, 3), (64, 16), (1000, 5), (1 << 20, 1 << 10)] {
            let read = streamed(&text, b',', round, chunk);
            assert!(read.is_some(), "{round} {chunk}");
            assert_eq!(
                observed(&Ok(read.unwrap())),
                observed(&one_thread(&text, b','))
            );
        }
    }

    #[test]
    fn a_file_read_in_rounds_keeps_no_room_its_growth_left() {
        let mut text = "date,kind,value\n".to_string();
        for i in 0..1000 {
            text += &format!("2025-01-{:02},k{},{i}\n", 1 + i % 28, i % 3);
        }
        let data = streamed(&text, b',', 64, 16).unwrap();
        let b = &data.batches[0];
        assert_eq!(b.dates.len(), 1000);
        assert_eq!(b.dates.capacity(), b.dates.len());
        assert_eq!(b.values.capacity(), b.values.len());
        assert_eq!(
            observed(&Ok(data.clone())),
            observed(&one_thread(&text, b','))
        );
    }

    #[test]
    fn invalid_utf8_anywhere_gives_up() {
        let mut bytes = b"date,notes\n2025-01-01,abc\n".to_vec();
        for _ in 0..50 {
            bytes.extend_from_slice(b"2025-01-02,\"x y\"\n");
        }
        bytes.extend_from_slice(b"2025-01-03,\xff\n");
        let read = load_sized(FileId(0), "a", None, &bytes[..], ALL, (16, 4));
        assert!(read.is_none());
    }

    #[test]
    fn a_character_cut_by_a_round_is_read_whole() {
        let mut text = "date,notes\n".to_string();
        for i in 0..100 {
            text += &format!("2025-01-01,\"é€{i}😀\"\n");
        }
        for round in 1..40 {
            let read = streamed(&text, b',', round, 3).expect("read");
            assert_eq!(observed(&Ok(read)), observed(&one_thread(&text, b',')));
        }
    }

    #[test]
    fn chunks_start_at_records_whatever_line_breaks_their_quoted_cells_hold() {
        let mut text = "date,notes,value\n".to_string();
        for i in 0..300 {
            let note = "a\nb \"\"q\"\"\n".repeat(i % 4);
            text += &format!("2025-01-01,\"{note}x\",{i}\n");
        }
        let record_starts: Vec<usize> = {
            let mut starts = vec![0];
            let mut inside = false;
            for (i, b) in text.bytes().enumerate() {
                match b {
                    b'"' => inside = !inside,
                    b'\n' if !inside && i + 1 < text.len() => starts.push(i + 1),
                    _ => {}
                }
            }
            starts
        };
        for chunk in [1, 7, 64, 500, 100_000] {
            let starts = chunk_starts(text.as_bytes(), chunk);
            assert!(starts.windows(2).all(|w| w[0] < w[1]), "{chunk}");
            assert!(
                starts.iter().all(|s| record_starts.contains(s)),
                "{chunk}: {starts:?}"
            );
            if chunk < text.len() / 2 {
                assert!(starts.len() > 1, "{chunk}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]
        #[test]
        fn streams_read_as_one_thread_does(
            (text, d, broken) in file(),
            round in 1usize..96,
            chunk in 1usize..48,
        ) {
            // The stream also says what the whole-text loader's caller
            // says of the header.
            let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
            let whole = one_thread(&text, d).map(|mut w| {
                w.warnings.extend(super::super::duplicate_columns(FileId(0), &text, bom, d));
                w
            });
            match streamed(&text, d, round, chunk) {
                Some(data) => prop_assert_eq!(observed(&Ok(data)), observed(&whole)),
                None => prop_assert!(
                    broken || whole.as_ref().map_or(true, |d| !d.warnings.is_empty()),
                    "gave up on {:?}", text
                ),
            }
        }
    }
}

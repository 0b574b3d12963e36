//! Records found 64 bytes at a time: each block of text is classified
//! into bit masks (quotes, delimiters, line feeds, carriage returns,
//! bytes over 127) with the SSE2 compares every x86-64 processor has, and
//! the quote parity of every byte is the prefix XOR of the quote mask.
//! Delimiters and line feeds outside quotes end cells and records; a
//! record is then its cells' boundaries, found by counting trailing zeros,
//! never by looking at each byte. A long quoted cell (ACLED's notes) costs
//! its blocks' compares and nothing else.
//!
//! It reads what [`super::fast::split`] reads, and gives up where it gives
//! up, from the same masks: an opening quote must start a cell (follow the
//! record start, a delimiter, a line feed or a closing quote), a closing
//! quote must end one or be half of a `""` (a quote, a delimiter, a line
//! break or the end of the text follows it), and a carriage return
//! outside quotes must be followed by a line feed. A byte that breaks one
//! of these is a stop in the record that holds it, so bytes past the last
//! record read never make the reading give up.

use super::fast::{Cell, Split};
use super::MAX_RECORD_BYTES;

/// The masks of one block; bit `i` is the block's byte `i`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Masks {
    quote: u64,
    delim: u64,
    newline: u64,
    cr: u64,
    high: u64,
}

/// The masks of `block` with SSE2, 16 bytes a compare.
#[cfg(target_arch = "x86_64")]
fn classify(block: &[u8; 64], delim: u8) -> Masks {
    use safe_arch::{cmp_eq_mask_i8_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i};
    let splat = |b: u8| set_splat_i8_m128i(i8::from_ne_bytes([b]));
    let (q, d, n, r) = (splat(b'"'), splat(delim), splat(b'\n'), splat(b'\r'));
    let bits = |v: m128i| u64::from(move_mask_i8_m128i(v) as u32 & 0xffff);
    let mut m = Masks::default();
    for (k, part) in block.chunks_exact(16).enumerate() {
        let mut lane = [0u8; 16];
        lane.copy_from_slice(part);
        let x = m128i::from(lane);
        let shift = 16 * k;
        m.quote |= bits(cmp_eq_mask_i8_m128i(x, q)) << shift;
        m.delim |= bits(cmp_eq_mask_i8_m128i(x, d)) << shift;
        m.newline |= bits(cmp_eq_mask_i8_m128i(x, n)) << shift;
        m.cr |= bits(cmp_eq_mask_i8_m128i(x, r)) << shift;
        m.high |= bits(x) << shift;
    }
    m
}

/// The masks of `block`, a byte at a time (other processors).
#[cfg(not(target_arch = "x86_64"))]
fn classify(block: &[u8; 64], delim: u8) -> Masks {
    classify_bytes(block, delim)
}

/// The masks of `block`, a byte at a time: the reference the compares
/// are tested against.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify_bytes(block: &[u8; 64], delim: u8) -> Masks {
    let mut m = Masks::default();
    for (i, &b) in block.iter().enumerate() {
        let bit = 1u64 << i;
        match b {
            b'"' => m.quote |= bit,
            b'\n' => m.newline |= bit,
            b'\r' => m.cr |= bit,
            _ if b == delim => m.delim |= bit,
            _ => {}
        }
        if b >= 0x80 {
            m.high |= bit;
        }
    }
    m
}

/// Bit `i` is the XOR of bits `0..=i`: inside quotes after byte `i`.
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Bits `0..=b`.
fn through(b: u32) -> u64 {
    if b >= 63 {
        u64::MAX
    } else {
        (1u64 << (b + 1)) - 1
    }
}

/// The records of a text from a record start on, one after another.
pub(super) struct Records<'t, const D: u8> {
    bytes: &'t [u8],
    eof: bool,
    /// Where the next record starts.
    pos: usize,
    /// The current block's start, and the next block's.
    base: usize,
    next_base: usize,
    /// Ends of cells (delimiters and line feeds outside quotes) and stops
    /// of the current block not yet passed; which of them are delimiters.
    pending: u64,
    stops: u64,
    delims: u64,
    /// The line feeds inside quotes of the current block (most blocks
    /// have none, and a record's own line feed is counted as it ends).
    quoted_lines: u64,
    /// All ones when the byte before the next block is inside quotes.
    in_quotes: u64,
    /// 1 when the byte before the next block lets a quote open a cell.
    opens: u64,
    /// Line feeds inside quotes in the blocks before the current one,
    /// and before `pos`.
    quoted_before: u64,
    quoted_at_pos: u64,
    /// A byte over 127 was in a block read.
    high: bool,
}

impl<'t, const D: u8> Records<'t, D> {
    /// Records of `bytes` from `from`, a record start; `eof` says that the
    /// text ends where `bytes` does (as for [`super::fast::split`]).
    pub(super) fn new(bytes: &'t [u8], from: usize, eof: bool) -> Self {
        Records {
            bytes,
            eof,
            pos: from,
            base: from,
            next_base: from,
            pending: 0,
            stops: 0,
            delims: 0,
            quoted_lines: 0,
            in_quotes: 0,
            opens: 1,
            quoted_before: 0,
            quoted_at_pos: 0,
            high: false,
        }
    }

    /// Whether every block read so far was ASCII (so the text they cover
    /// is UTF-8).
    pub(super) fn ascii(&self) -> bool {
        !self.high
    }

    /// The next record's cells, as [`super::fast::split`] gives them for
    /// the record at the current position.
    pub(super) fn next(&mut self, cells: &mut Vec<Cell>) -> Split {
        cells.clear();
        let bytes = self.bytes;
        let start = self.pos;
        let mut cell = start;
        loop {
            // The block's state in locals: the loop over its bits is the
            // reading's innermost.
            let (base, stops, delims) = (self.base, self.stops, self.delims);
            let mut pending = self.pending;
            while pending != 0 {
                let b = pending.trailing_zeros();
                pending &= pending - 1;
                let p = base + b as usize;
                if stops >> b & 1 == 1 || p + 1 - start > MAX_RECORD_BYTES {
                    return Split::GiveUp;
                }
                if delims >> b & 1 == 1 {
                    cells.push(Cell::of(bytes, cell, p));
                    cell = p + 1;
                    continue;
                }
                self.pending = pending;
                let end = if p > cell && bytes[p - 1] == b'\r' {
                    p - 1
                } else {
                    p
                };
                cells.push(Cell::of(bytes, cell, end));
                let quoted = match self.quoted_lines {
                    0 => self.quoted_before,
                    q => self.quoted_before + u64::from((q & through(b)).count_ones()),
                };
                return self.record(p + 1, quoted, 1);
            }
            self.pending = 0;
            if self.next_base >= bytes.len() {
                return self.end_of_text(start, cell, cells);
            }
            self.load();
        }
    }

    /// The record ends before `next`, with `quoted` line feeds inside
    /// quotes before it and `own` line feed of its own.
    fn record(&mut self, next: usize, quoted: u64, own: u64) -> Split {
        let Ok(newlines) = u32::try_from(quoted - self.quoted_at_pos + own) else {
            return Split::GiveUp;
        };
        self.quoted_at_pos = quoted;
        self.pos = next;
        Split::Record { next, newlines }
    }

    /// The record from `start` reaches the end of the text.
    fn end_of_text(&mut self, start: usize, cell: usize, cells: &mut Vec<Cell>) -> Split {
        let len = self.bytes.len();
        if len - start > MAX_RECORD_BYTES {
            return Split::GiveUp;
        }
        if !self.eof {
            return Split::Incomplete;
        }
        if self.in_quotes != 0 {
            return Split::GiveUp;
        }
        cells.push(Cell::of(self.bytes, cell, len));
        let quoted = self.quoted_before + u64::from(self.quoted_lines.count_ones());
        self.record(len, quoted, 0)
    }

    /// Reads the block at `next_base` into the masks.
    fn load(&mut self) {
        let bytes = self.bytes;
        let base = self.next_base;
        let valid = (bytes.len() - base).min(64);
        let m = match bytes.get(base..base + 64) {
            Some(full) => classify(full.try_into().unwrap_or(&[0; 64]), D),
            None => {
                let mut block = [0u8; 64];
                block[..valid].copy_from_slice(&bytes[base..]);
                classify(&block, D)
            }
        };
        let inside = prefix_xor(m.quote) ^ self.in_quotes;
        let opening = m.quote & inside;
        let closing = m.quote & !inside;
        let ends = (m.delim | m.newline) & !inside;
        let lets_open = ends | closing;
        let bad_open = opening & !((lets_open << 1) | self.opens);
        // What follows the block's last byte; the end of the text ends a
        // record, or cuts it short when more may come.
        let last = valid as u32 - 1;
        let (follows, line_feed) = match bytes.get(base + valid) {
            Some(&c) => (matches!(c, b'"' | b'\n' | b'\r') || c == D, c == b'\n'),
            None => (true, !self.eof),
        };
        let closes = ((m.quote | m.delim | m.newline | m.cr) >> 1) | (u64::from(follows) << last);
        let bad_close = closing & !closes;
        let crlf = (m.newline >> 1) | (u64::from(line_feed) << last);
        let bad_cr = m.cr & !inside & !crlf;
        self.stops = bad_open | bad_close | bad_cr;
        self.pending = ends | self.stops;
        self.delims = m.delim & !inside;
        if self.quoted_lines != 0 {
            self.quoted_before += u64::from(self.quoted_lines.count_ones());
        }
        self.quoted_lines = m.newline & inside;
        self.in_quotes = if inside >> 63 == 1 { u64::MAX } else { 0 };
        self.opens = lets_open >> 63;
        self.high |= m.high != 0;
        self.base = base;
        self.next_base = base + valid;
    }
}

#[cfg(test)]
mod tests {
    use super::super::fast::split;
    use super::*;
    use proptest::prelude::*;

    /// How the reading of one record ended, with its cells.
    type Outcome = (Split, Vec<Cell>);

    /// Every record of `text` by [`Records`] and by [`split`], up to the
    /// first that is not a record (whose cells do not count).
    fn both<const D: u8>(text: &[u8], eof: bool) -> (Vec<Outcome>, Vec<Outcome>) {
        let mut records = Records::<D>::new(text, 0, eof);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let mut pos = 0;
        let mut cells = Vec::new();
        while pos < text.len() {
            let got = records.next(&mut cells);
            let next = match got {
                Split::Record { next, .. } => Some(next),
                _ => None,
            };
            if next.is_none() {
                cells.clear();
            }
            a.push((got, cells.clone()));
            let reference = if text[pos] == b'\n' {
                cells.clear();
                cells.push(Cell::of(text, pos, pos));
                Split::Record {
                    next: pos + 1,
                    newlines: 1,
                }
            } else {
                split::<D>(text, pos, eof, &mut cells)
            };
            if !matches!(reference, Split::Record { .. }) {
                cells.clear();
            }
            b.push((reference, cells.clone()));
            match next {
                Some(n) => pos = n,
                None => break,
            }
        }
        (a, b)
    }

    #[test]
    fn the_compares_classify_as_the_bytes_do() {
        let mut block = [0u8; 64];
        for start in 0..=255u8 {
            for (i, b) in block.iter_mut().enumerate() {
                *b = start.wrapping_add((i as u8).wrapping_mul(37));
            }
            for d in [b',', b';', b'\t'] {
                assert_eq!(classify(&block, d), classify_bytes(&block, d));
            }
        }
    }

    #[test]
    fn records_over_blocks_with_quotes_and_line_breaks() {
        let note = "\"long \"\"note\"\", with, commas\nand a line break\"";
        let text = format!("a,{note},1\r\nb,\"\",2\n\nc,x,3");
        for eof in [true, false] {
            let (a, b) = both::<b','>(text.as_bytes(), eof);
            assert_eq!(a, b);
        }
        let (a, _) = both::<b','>(text.as_bytes(), true);
        assert_eq!(
            a[0].0,
            Split::Record {
                next: note.len() + 6,
                newlines: 2
            }
        );
    }

    #[test]
    fn quotes_out_of_place_and_lone_carriage_returns_give_up() {
        for text in ["a,b\"c\n", "a,\"b\"c\n", "a,\"b\n", "a,b\rc\n", "a\r"] {
            let (a, b) = both::<b','>(text.as_bytes(), true);
            assert_eq!(a, b, "{text:?}");
            assert_eq!(a.last().map(|r| &r.0), Some(&Split::GiveUp), "{text:?}");
        }
    }

    #[test]
    fn a_stop_after_the_last_record_read_is_not_looked_at() {
        let text = b"a,b\nc,d\"e\n";
        let mut records = Records::<b','>::new(text, 0, true);
        let mut cells = Vec::new();
        assert_eq!(
            records.next(&mut cells),
            Split::Record {
                next: 4,
                newlines: 1
            }
        );
        assert_eq!(records.next(&mut cells), Split::GiveUp);
    }

    fn csvish() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"\"".to_vec()),
            Just(b"\"\"".to_vec()),
            Just(b",".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\r".to_vec()),
            Just("é".as_bytes().to_vec()),
            "[a-z0-9 ]{0,70}".prop_map(String::into_bytes),
        ];
        prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn reads_every_text_as_split_does(text in csvish(), eof in any::<bool>()) {
            let (a, b) = both::<b','>(&text, eof);
            prop_assert_eq!(a, b);
        }

        #[test]
        fn quoted_texts_read_as_split_does(
            cells in prop::collection::vec("[a-z\",;\n\r]{0,90}", 1..12),
            eof in any::<bool>(),
        ) {
            let text: String = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let end = if i % 3 == 2 { "\n" } else { ";" };
                    format!("\"{}\"{end}", c.replace('"', "\"\""))
                })
                .collect();
            let (a, b) = both::<b';'>(text.as_bytes(), eof);
            prop_assert_eq!(a, b);
        }
    }
}

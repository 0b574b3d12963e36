//! Reading a file of JSON lines the way a crash may have left it: the last
//! line may be cut short, and is then dropped rather than fatal.

use serde::de::DeserializeOwned;

/// A line that could not be read, skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedLine {
    /// Line number, from 1.
    pub line: usize,
    /// Why it could not be read.
    pub reason: String,
}

/// The unfinished last line a crash in the middle of a write leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TornTail {
    /// Line number, from 1.
    pub line: usize,
    /// How many bytes were dropped.
    pub bytes: u64,
}

/// What a file of JSON lines holds.
pub(crate) struct Scan<T> {
    /// The lines read, in file order, with their line numbers (from 1).
    pub items: Vec<(usize, T)>,
    /// Where each of `items` is in the bytes, its newline included.
    pub spans: Vec<std::ops::Range<usize>>,
    /// Lines in the middle that could not be read.
    pub skipped: Vec<SkippedLine>,
    /// The last line, if it was unfinished or unreadable.
    pub torn: Option<TornTail>,
    /// Where the good part of the file ends: the length to truncate to.
    pub good_len: u64,
}

/// Reads `bytes` as JSON lines. The last line is torn if it has no newline
/// or does not parse: an append that did not finish can leave either (a
/// file system may also leave zeros where data did not reach the disk).
/// Other unreadable lines are skipped and reported. Blank lines are ignored.
pub(crate) fn scan<T: DeserializeOwned>(bytes: &[u8]) -> Scan<T> {
    let mut scan = Scan {
        items: Vec::new(),
        spans: Vec::new(),
        skipped: Vec::new(),
        torn: None,
        good_len: bytes.len() as u64,
    };
    let mut start = 0;
    let mut number = 0;
    while start < bytes.len() {
        number += 1;
        let (end, terminated) = match bytes[start..].iter().position(|&b| b == b'\n') {
            Some(i) => (start + i + 1, true),
            None => (bytes.len(), false),
        };
        let text = &bytes[start..end];
        let is_last = end == bytes.len();
        let parsed = if terminated {
            parse::<T>(text)
        } else {
            Err("no end of line".to_string())
        };
        match parsed {
            Ok(Some(item)) => {
                scan.items.push((number, item));
                scan.spans.push(start..end);
            }
            Ok(None) => {}
            Err(_) if is_last => {
                scan.torn = Some(TornTail {
                    line: number,
                    bytes: text.len() as u64,
                });
                scan.good_len = start as u64;
            }
            Err(reason) => scan.skipped.push(SkippedLine {
                line: number,
                reason,
            }),
        }
        start = end;
    }
    scan
}

/// One line: `Ok(None)` for a blank line.
fn parse<T: DeserializeOwned>(line: &[u8]) -> Result<Option<T>, String> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(line)
        .map(Some)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Item {
        n: u32,
    }

    #[test]
    fn clean_file() {
        let s = scan::<Item>(b"{\"n\":1}\n\n{\"n\":2}\n");
        assert_eq!(s.items, vec![(1, Item { n: 1 }), (3, Item { n: 2 })]);
        assert_eq!(s.spans, vec![0..8, 9..17]);
        assert!(s.skipped.is_empty() && s.torn.is_none());
        assert_eq!(s.good_len, 17);
    }

    #[test]
    fn unterminated_last_line_is_torn_even_if_it_parses() {
        let s = scan::<Item>(b"{\"n\":1}\n{\"n\":2}");
        assert_eq!(s.items, vec![(1, Item { n: 1 })]);
        assert_eq!(s.torn, Some(TornTail { line: 2, bytes: 7 }));
        assert_eq!(s.good_len, 8);
    }

    #[test]
    fn unreadable_last_line_is_torn() {
        let s = scan::<Item>(b"{\"n\":1}\n\0\0\0\n");
        assert_eq!(s.items, vec![(1, Item { n: 1 })]);
        assert_eq!(s.torn, Some(TornTail { line: 2, bytes: 4 }));
        assert_eq!(s.good_len, 8);
    }

    #[test]
    fn unreadable_middle_line_is_skipped() {
        let s = scan::<Item>(b"{\"n\":1}\n{\"n\":\n{\"n\":3}\n");
        assert_eq!(s.items, vec![(1, Item { n: 1 }), (3, Item { n: 3 })]);
        assert_eq!(s.skipped.len(), 1);
        assert_eq!(s.skipped[0].line, 2);
        assert!(s.torn.is_none());
    }

    #[test]
    fn empty_file() {
        let s = scan::<Item>(b"");
        assert!(s.items.is_empty() && s.torn.is_none());
        assert_eq!(s.good_len, 0);
    }
}

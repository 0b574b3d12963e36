//! Gzip-compressed data files (`NAME.EXT.gz`), decompressed whole before
//! they are read as `NAME.EXT`. The decompressed size is bounded as a
//! plain file's size is, so that a small file that inflates to gigabytes
//! is refused once past the limit instead of filling memory.

use flate2::read::MultiGzDecoder;
use std::io::Read;

/// Why a compressed file could not be decompressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GzipError {
    /// The bytes do not start as a gzip stream does.
    NotGzip,
    /// The stream is corrupt or cut short; the decoder's words.
    Corrupt(String),
    /// Decompressed, the file holds more than `limit` bytes.
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
}

impl std::fmt::Display for GzipError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GzipError::NotGzip => {
                f.write_str("it is not gzip data (it does not start with the gzip signature 1f 8b)")
            }
            GzipError::Corrupt(why) => write!(f, "the gzip stream is corrupt or cut short: {why}"),
            GzipError::TooLarge { limit } => {
                write!(f, "decompressed, it holds more than {limit} bytes")
            }
        }
    }
}

/// The first bytes of every gzip stream.
const MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Decompresses gzip data read from `input`, stopping at the first
/// byte past `limit` and holding at most `limit` bytes meanwhile. Several gzip members one after the other (what appending
/// to a `.gz` file with `gzip -c >>` makes) are read as one stream. An
/// empty input is an empty file: a writer may create it before it writes.
pub fn gunzip(input: impl Read, limit: u64) -> Result<Vec<u8>, GzipError> {
    let mut input = input;
    let mut head = [0u8; 2];
    let mut got = 0;
    while got < head.len() {
        match input.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(GzipError::Corrupt(e.to_string())),
        }
    }
    if got == 0 {
        return Ok(Vec::new());
    }
    if head[..got] != MAGIC[..got] || got < MAGIC.len() {
        return Err(GzipError::NotGzip);
    }
    let mut decoder = MultiGzDecoder::new(std::io::Cursor::new(head).chain(input));
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    // Grown by doubling as `read_to_end` would, but never past `limit`:
    // doubling alone would reserve up to twice the limit for a bomb.
    let mut out: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let n = match decoder.read(&mut chunk) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(GzipError::Corrupt(e.to_string())),
        };
        if out.len().saturating_add(n) > limit {
            return Err(GzipError::TooLarge {
                limit: limit as u64,
            });
        }
        if out.capacity() - out.len() < n {
            let want = (out.capacity() * 2).max(out.len() + n).min(limit);
            out.reserve_exact(want - out.len());
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn decompresses_one_or_several_members() {
        let text = b"date,value\n2025-01-01,1\n";
        assert_eq!(gunzip(&gz(text)[..], 1 << 20).unwrap(), text);
        let mut two = gz(b"date,value\n");
        two.extend(gz(b"2025-01-01,1\n"));
        assert_eq!(gunzip(&two[..], 1 << 20).unwrap(), text);
        assert_eq!(gunzip(&gz(b"")[..], 10).unwrap(), b"");
        assert_eq!(gunzip(&b""[..], 10).unwrap(), b"");
    }

    #[test]
    fn other_data_is_not_gzip() {
        for data in [
            &b"date,value\n"[..],
            b"\x1f",
            b"\x1f\x8c rest",
            b"PK\x03\x04",
        ] {
            assert_eq!(gunzip(data, 1 << 20), Err(GzipError::NotGzip), "{data:?}");
        }
    }

    #[test]
    fn corrupt_and_truncated_streams_are_refused() {
        let whole = gz(&b"date,value\n2025-01-01,1\n".repeat(100));
        for cut in [3, 10, whole.len() / 2, whole.len() - 4] {
            let e = gunzip(&whole[..cut], 1 << 20);
            assert!(matches!(e, Err(GzipError::Corrupt(_))), "{cut}: {e:?}");
        }
        let mut flipped = whole.clone();
        flipped[20] ^= 0xff;
        assert!(matches!(
            gunzip(&flipped[..], 1 << 20),
            Err(GzipError::Corrupt(_))
        ));
        let mut trailing = whole;
        trailing.extend(b"junk");
        assert!(matches!(
            gunzip(&trailing[..], 1 << 20),
            Err(GzipError::Corrupt(_))
        ));
    }

    #[test]
    fn a_bomb_stops_past_the_limit_without_holding_more() {
        let bomb = gz(&vec![0u8; 4 << 20]);
        assert!(bomb.len() < 8 << 10);
        assert_eq!(
            gunzip(&bomb[..], 1 << 20),
            Err(GzipError::TooLarge { limit: 1 << 20 })
        );
        let exact = gunzip(&bomb[..], 4 << 20).unwrap();
        assert_eq!(exact.len(), 4 << 20);
        assert_eq!(exact.capacity(), 4 << 20);
    }
}

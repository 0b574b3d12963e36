//! Compaction: folding the journal into the snapshot so that it does not
//! grow forever, without losing or repeating any entry if the process dies
//! at any point of it.
//!
//! The steps, each complete on disk before the next begins:
//! 1. journal entries not yet in `history.ndjson` are appended to it and
//!    flushed (the history is ordered by `seq`, so "not yet there" is
//!    "after its last `seq`");
//! 2. `snapshot.json` is replaced atomically by the current ledger;
//! 3. `journal.ndjson` is replaced atomically by an empty file.
//!
//! A crash during 1 leaves a torn history line, cut off by the next
//! compaction, which appends the rest. After 1, the journal still holds
//! everything, and the next compaction finds it all in the history. After
//! 2, the journal's entries are all at or below the snapshot's `seq`, and
//! [`State::open`] ignores them.

use super::durable::{self, AppendError};
#[cfg(test)]
use super::entry::Entry;
use super::error::StateError;
use super::lines;
use super::store::State;
use super::{snapshot, HISTORY, SNAPSHOT};
use std::path::Path;

impl State {
    /// Folds the journal into `snapshot.json` and starts an empty journal,
    /// after copying its entries to `history.ndjson`. Safe to interrupt at
    /// any point. Called by the daemon when [`State::needs_compaction`]
    /// says so; an error leaves the state as it was, usable.
    pub fn compact(&mut self) -> Result<(), StateError> {
        self.check_usable()?;
        if self.journal_len == 0 {
            return Ok(());
        }
        let bytes = durable::read_all(&mut self.journal, &self.journal_path)?;
        copy_to_history(&self.dir.join(HISTORY), entries_of(&bytes))?;
        snapshot::store(&self.dir.join(SNAPSHOT), &self.ledger)?;
        self.empty_journal()
    }

    /// Step 3, also used by tests to stop a compaction half way.
    fn empty_journal(&mut self) -> Result<(), StateError> {
        let fresh = durable::swap_in(&self.journal_path, b"")?;
        // From the rename on, the old file is gone from the folder: the new
        // one must be the one written to even if flushing the folder fails.
        self.journal = fresh;
        self.journal_len = 0;
        durable::sync_dir(&self.dir)
    }
}

/// The one field of an entry that compaction reads: the lines are copied
/// as they are, not read whole and written again (a first start records
/// a change for every rule and instance, tens of thousands at a time).
#[derive(serde::Deserialize)]
struct Seq {
    seq: u64,
}

/// The readable entries of a journal, each its `seq` and its line.
fn entries_of(journal: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    let scan = lines::scan::<Seq>(journal);
    scan.items
        .into_iter()
        .zip(scan.spans)
        .map(move |((_, e), span)| (e.seq, &journal[span]))
}

/// Where the history ends: its last `seq`, and the length to cut it to
/// when its last line is torn.
struct HistoryEnd {
    last: u64,
    good_len: u64,
    torn: bool,
}

/// The bytes of the history's end read first; doubled until they hold a
/// readable line, or the whole file.
const HISTORY_TAIL: u64 = 64 * 1024;

/// Reads the end of the history, not the whole of it: the history only
/// grows (by every change, for as long as the daemon runs), and a
/// compaction needs only its last `seq` and whether its last line is
/// torn. Lines are appended in `seq` order, so the last readable one holds
/// the greatest; a window that starts inside a line skips to the next.
fn history_end(file: &mut std::fs::File, path: &Path) -> Result<HistoryEnd, StateError> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata().map_err(StateError::at(path, "read"))?.len();
    let mut window = HISTORY_TAIL;
    loop {
        let from = len.saturating_sub(window);
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(from))
            .and_then(|_| file.read_to_end(&mut bytes))
            .map_err(StateError::at(path, "read"))?;
        // A window from the file's start begins at a line; any other
        // begins after its first line feed.
        let skip = match from {
            0 => 0,
            _ => bytes
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| i + 1),
        };
        let scan = lines::scan::<Seq>(&bytes[skip..]);
        if from == 0 || !scan.items.is_empty() {
            return Ok(HistoryEnd {
                last: scan.items.iter().map(|(_, e)| e.seq).max().unwrap_or(0),
                good_len: from + skip as u64 + scan.good_len,
                torn: scan.torn.is_some(),
            });
        }
        window = window.saturating_mul(2);
    }
}

/// Appends to the history the entries (each its `seq` and its line as the
/// journal holds it) that it does not hold yet, flushed.
fn copy_to_history<'a>(
    path: &Path,
    entries: impl Iterator<Item = (u64, &'a [u8])>,
) -> Result<(), StateError> {
    let (mut file, created) = durable::open_append(path)?;
    if created {
        durable::sync_dir(durable::folder_of(path))?;
    }
    let end = history_end(&mut file, path)?;
    if end.torn {
        durable::truncate(&file, path, end.good_len)?;
    }
    let mut last = end.last;
    let mut lines = Vec::new();
    for (seq, line) in entries {
        if seq > last {
            last = seq;
            lines.extend_from_slice(line);
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    durable::append_flushed(&mut file, path, end.good_len, &lines).map_err(|e| match e {
        // Either way the next compaction cuts a torn tail and starts over.
        AppendError::Undone(e) | AppendError::Unrepaired(e) => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Announced;
    use crate::state::entry::tests::change;
    use crate::state::{history, JOURNAL};

    fn seqs(dir: &Path) -> Vec<u64> {
        let bytes = std::fs::read(dir.join(HISTORY)).unwrap_or_default();
        lines::scan::<Entry>(&bytes)
            .items
            .into_iter()
            .map(|(_, e)| e.seq)
            .collect()
    }

    #[test]
    fn compaction_moves_the_journal_to_history_and_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = State::open(dir.path()).unwrap();
        let a = s
            .record(&change("a", None, Announced::Met), &["webhook"])
            .unwrap();
        s.record(&change("b", None, Announced::NotMet), &[])
            .unwrap();
        s.delivered(a, "webhook").unwrap();
        s.compact().unwrap();
        assert_eq!(
            std::fs::metadata(dir.path().join(JOURNAL)).unwrap().len(),
            0
        );
        assert_eq!(seqs(dir.path()), vec![1, 2, 3]);
        let id = s.record(&change("a", Some(Announced::Met), Announced::NotMet), &[]);
        assert_eq!(id.unwrap(), 4);
        drop(s);
        let (s, r) = State::open(dir.path()).unwrap();
        assert!(r.is_clean());
        assert_eq!(s.announced()["a"].status, Announced::NotMet);
        assert_eq!(s.last_seq(), 4);
    }

    #[test]
    fn crash_after_history_then_compact_again_repeats_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = State::open(dir.path()).unwrap();
        s.record(&change("a", None, Announced::Met), &["webhook"])
            .unwrap();
        s.record(&change("b", None, Announced::Met), &[]).unwrap();
        // Step 1 only, as if the process died right after it.
        let bytes = std::fs::read(dir.path().join(JOURNAL)).unwrap();
        copy_to_history(&dir.path().join(HISTORY), entries_of(&bytes)).unwrap();
        drop(s);
        let (mut s, r) = State::open(dir.path()).unwrap();
        assert!(r.is_clean());
        assert_eq!(s.announced().len(), 2);
        s.record(&change("c", None, Announced::Met), &[]).unwrap();
        s.compact().unwrap();
        assert_eq!(seqs(dir.path()), vec![1, 2, 3]);
        assert_eq!(history::history(dir.path(), None).unwrap().len(), 3);
    }

    #[test]
    fn crash_after_snapshot_ignores_the_old_journal() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = State::open(dir.path()).unwrap();
        s.record(&change("a", None, Announced::Met), &["webhook"])
            .unwrap();
        let bytes = std::fs::read(dir.path().join(JOURNAL)).unwrap();
        let journal = lines::scan::<Seq>(&bytes);
        let entries = journal
            .items
            .iter()
            .zip(&journal.spans)
            .map(|((_, e), span)| (e.seq, &bytes[span.clone()]));
        copy_to_history(&dir.path().join(HISTORY), entries).unwrap();
        snapshot::store(&dir.path().join(SNAPSHOT), &s.ledger).unwrap();
        drop(s);
        let (mut s, r) = State::open(dir.path()).unwrap();
        assert_eq!(r.already_in_snapshot, 1);
        assert_eq!(s.undelivered("webhook").len(), 1);
        assert_eq!(
            s.record(&change("b", None, Announced::Met), &[]).unwrap(),
            2
        );
        s.compact().unwrap();
        assert_eq!(seqs(dir.path()), vec![1, 2]);
    }

    #[test]
    fn the_end_of_a_long_history_is_found_from_its_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(HISTORY);
        // Lines longer than the first window, so that it holds none whole.
        let long = "x".repeat(HISTORY_TAIL as usize);
        let mut text = String::new();
        for seq in 1..=5 {
            text += &format!("{{\"seq\":{seq},\"pad\":\"{long}\"}}\n");
        }
        let whole = text.len() as u64;
        for (tail, last, good_len, torn) in [
            ("", 5, whole, false),
            ("{\"seq\":6,\"pa", 5, whole, true),
            ("\0\0\0\n", 5, whole, true),
        ] {
            std::fs::write(&path, format!("{text}{tail}")).unwrap();
            let mut file = std::fs::File::open(&path).unwrap();
            let end = history_end(&mut file, &path).unwrap();
            assert_eq!(
                (end.last, end.good_len, end.torn),
                (last, good_len, torn),
                "{tail:?}"
            );
        }
        std::fs::write(&path, "").unwrap();
        let end = history_end(&mut std::fs::File::open(&path).unwrap(), &path).unwrap();
        assert_eq!((end.last, end.good_len, end.torn), (0, 0, false));
    }

    #[test]
    fn torn_history_tail_is_cut_before_appending() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = State::open(dir.path()).unwrap();
        s.record(&change("a", None, Announced::Met), &[]).unwrap();
        std::fs::write(dir.path().join(HISTORY), b"{\"seq\":1,\"ts\":\"2025").unwrap();
        s.compact().unwrap();
        assert_eq!(seqs(dir.path()), vec![1]);
        let bytes = std::fs::read(dir.path().join(HISTORY)).unwrap();
        assert!(bytes.starts_with(b"{\"seq\":1,") && bytes.ends_with(b"}\n"));
    }

    #[test]
    fn empty_journal_keeps_the_handle_right() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = State::open(dir.path()).unwrap();
        s.record(&change("a", None, Announced::Met), &[]).unwrap();
        s.empty_journal().unwrap();
        s.record(&change("b", None, Announced::Met), &[]).unwrap();
        let bytes = std::fs::read(dir.path().join(JOURNAL)).unwrap();
        assert_eq!(lines::scan::<Entry>(&bytes).items.len(), 1);
    }
}

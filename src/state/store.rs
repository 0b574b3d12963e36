//! [`State`]: the open state folder of a running daemon.

use super::durable::{self, AppendError};
use super::entry::{now, Body, Entry, StatusLine};
use super::error::StateError;
use super::ledger::{Ledger, RuleRecord};
use super::lines::{self, SkippedLine};
use super::lock::{self, FolderLock};
use super::recovery::Recovery;
use super::{history, snapshot, HISTORY, JOURNAL, SNAPSHOT};
use crate::change::StatusChange;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// Journal size from which [`State::needs_compaction`] says yes: 1 MiB,
/// a few thousand changes, read in a blink on restart.
pub const COMPACT_AFTER_BYTES: u64 = 1 << 20;

/// The state folder, open and locked: the last announced status of every
/// rule and the changes sinks have not delivered, kept on disk so that
/// none is lost or announced twice across restarts.
///
/// Every change is written and flushed to the journal before the call that
/// records it returns, so a change the daemon announces after
/// [`State::record`] returned is never forgotten.
#[derive(Debug)]
pub struct State {
    pub(super) dir: PathBuf,
    pub(super) journal_path: PathBuf,
    /// Open for appending; always the file now named `journal.ndjson`.
    pub(super) journal: File,
    /// The journal's length: where a failed append is cut back to.
    pub(super) journal_len: u64,
    pub(super) ledger: Ledger,
    /// A failed append could not be undone: writing more could put a good
    /// line after half a line, so nothing more is written.
    pub(super) broken: bool,
    _lock: FolderLock,
}

impl State {
    /// Opens the state folder `dir`, creating it if missing, and locks it
    /// for this process. Loads the snapshot, then replays the journal
    /// entries that came after it. An unfinished last journal line (a crash
    /// during a write) is dropped and cut from the file; unreadable lines
    /// before it are skipped. Both are reported in the [`Recovery`], never
    /// an error.
    ///
    /// Fails if another process holds the folder ([`StateError::Locked`]),
    /// if the folder cannot be written, or if the snapshot cannot be read.
    pub fn open(dir: &Path) -> Result<(State, Recovery), StateError> {
        fs::create_dir_all(dir).map_err(StateError::at(dir, "create the state folder"))?;
        let lock = lock::lock(dir)?;
        let journal_path = dir.join(JOURNAL);
        let mut recovery = Recovery {
            journal: journal_path.clone(),
            ..Recovery::default()
        };

        // Left by a compaction interrupted before its rename; the file it
        // was to replace is intact.
        for name in [SNAPSHOT, JOURNAL] {
            let tmp = durable::temp_path(&dir.join(name));
            if tmp.exists() {
                fs::remove_file(&tmp).map_err(StateError::at(&tmp, "remove"))?;
                recovery.removed_temp_files.push(tmp);
            }
        }

        let snapshot = snapshot::load(&dir.join(SNAPSHOT))?;
        let has_snapshot = snapshot.is_some();
        let mut ledger = snapshot.unwrap_or_default();
        let snapshot_seq = ledger.seq;

        let (mut journal, created) = durable::open_append(&journal_path)?;
        if created {
            durable::sync_dir(dir)?;
        }
        let bytes = durable::read_all(&mut journal, &journal_path)?;
        let scan = lines::scan::<Entry>(&bytes);
        if scan.torn.is_some() {
            durable::truncate(&journal, &journal_path, scan.good_len)?;
        }
        recovery.torn = scan.torn;
        recovery.skipped = scan.skipped;

        let mut last = snapshot_seq;
        for (line, entry) in scan.items {
            if entry.seq <= snapshot_seq {
                // A compaction wrote the snapshot, then stopped before
                // emptying the journal.
                recovery.already_in_snapshot += 1;
            } else if entry.seq <= last {
                recovery.skipped.push(SkippedLine {
                    line,
                    reason: format!("sequence number {} does not follow {last}", entry.seq),
                });
            } else {
                last = entry.seq;
                ledger.apply(&entry);
            }
        }
        recovery.skipped.sort_by_key(|s| s.line);
        ledger.settle(0);

        if !has_snapshot {
            // Without a snapshot the journal may not hold the highest
            // number used; the history does, and numbers must not repeat.
            let in_history = history::read_entries(&dir.join(HISTORY))?;
            let highest = in_history.iter().map(|e| e.seq).max().unwrap_or(0);
            ledger.seq = ledger.seq.max(highest);
        }

        if ledger.seq == u64::MAX {
            return Err(StateError::Exhausted { path: journal_path });
        }

        let state = State {
            dir: dir.to_path_buf(),
            journal_path,
            journal,
            journal_len: scan.good_len,
            ledger,
            broken: false,
            _lock: lock,
        };
        Ok((state, recovery))
    }

    /// Records a change of status, to be delivered by `sinks`, and returns
    /// its id. The entry is flushed to the disk before this returns: call
    /// it before announcing the change. If it fails, nothing was recorded
    /// and the change must not be announced.
    ///
    /// The announced status of the rule (or instance) becomes `change.to`;
    /// [`crate::change::Announced::Removed`] takes it out of
    /// [`State::announced`] (its history stays).
    pub fn record(&mut self, change: &StatusChange, sinks: &[&str]) -> Result<u64, StateError> {
        let mut names: Vec<String> = Vec::with_capacity(sinks.len());
        for sink in sinks {
            if !names.iter().any(|n| n == sink) {
                names.push(sink.to_string());
            }
        }
        let entry = Entry {
            seq: self.next_seqs(1)?,
            ts: now(),
            body: Body::Status {
                change: change.clone(),
                sinks: names,
            },
        };
        self.append(&entry)?;
        Ok(entry.seq)
    }

    /// Records several changes with one flush to the disk (one evaluation's
    /// changes: at a first start, every rule at once). All are recorded, or
    /// none; their ids are returned in order.
    pub fn record_all(
        &mut self,
        changes: &[StatusChange],
        sinks: &[&str],
    ) -> Result<Vec<u64>, StateError> {
        self.check_usable()?;
        let mut names: Vec<String> = Vec::with_capacity(sinks.len());
        for sink in sinks {
            if !names.iter().any(|n| n == sink) {
                names.push(sink.to_string());
            }
        }
        let ts = now();
        let first = if changes.is_empty() {
            0
        } else {
            self.next_seqs(changes.len())?
        };
        let mut bytes: Vec<u8> = Vec::new();
        for (k, change) in changes.iter().enumerate() {
            let line = StatusLine {
                seq: first + k as u64,
                ts: &ts,
                kind: "status",
                change,
                sinks: &names,
            };
            line.write_to(&mut bytes);
        }
        if bytes.is_empty() {
            return Ok(Vec::new());
        }
        match durable::append_flushed(
            &mut self.journal,
            &self.journal_path,
            self.journal_len,
            &bytes,
        ) {
            Ok(()) => {
                self.journal_len += bytes.len() as u64;
                let before = self.ledger.announced.len();
                for (k, change) in changes.iter().enumerate() {
                    self.ledger
                        .apply_status(first + k as u64, &ts, change, &names);
                }
                self.ledger.settle(before);
                Ok((0..changes.len() as u64).map(|k| first + k).collect())
            }
            Err(AppendError::Undone(e)) => Err(e),
            Err(AppendError::Unrepaired(e)) => {
                self.broken = true;
                Err(e)
            }
        }
    }

    /// Records that `sink` delivered the change `id`, flushed to the disk
    /// before this returns. Reporting a delivery that is not owed (already
    /// reported, or never asked of that sink) writes nothing and is not an
    /// error, so a sink may report again after a retry.
    pub fn delivered(&mut self, id: u64, sink: &str) -> Result<(), StateError> {
        if !self.ledger.owes(id, sink) {
            return Ok(());
        }
        let entry = Entry {
            seq: self.next_seqs(1)?,
            ts: now(),
            body: Body::Delivered {
                id,
                sink: sink.to_string(),
            },
        };
        self.append(&entry)
    }

    /// Records that `sink` refused the change `id` for good (`reason`
    /// says how), flushed to the disk before this returns: it is owed no
    /// more, and [`history()`](super::history()) shows it dead-lettered.
    /// Like [`State::delivered`], writes nothing when it is not owed.
    pub fn dead_lettered(&mut self, id: u64, sink: &str, reason: &str) -> Result<(), StateError> {
        if !self.ledger.owes(id, sink) {
            return Ok(());
        }
        let entry = Entry {
            seq: self.next_seqs(1)?,
            ts: now(),
            body: Body::DeadLettered {
                id,
                sink: sink.to_string(),
                reason: reason.to_string(),
            },
        };
        self.append(&entry)
    }

    /// The last announced status of every rule still in the ruleset (of
    /// every instance, for a rule with `by:`), by
    /// [`StatusChange::key`]: what a new evaluation is compared with.
    pub fn announced(&self) -> &BTreeMap<Box<str>, RuleRecord> {
        &self.ledger.announced
    }

    /// The changes `sink` has not delivered, with their ids, oldest first:
    /// what a sink sends again after a restart.
    pub fn undelivered(&self, sink: &str) -> Vec<(u64, StatusChange)> {
        self.ledger.undelivered(sink)
    }

    /// Like [`State::undelivered`], with the time each change was
    /// recorded (RFC 3339 UTC): `(id, ts, change)`.
    pub fn owed(&self, sink: &str) -> Vec<(u64, String, StatusChange)> {
        self.ledger
            .owed_by(sink)
            .map(|o| (o.seq, o.ts.clone(), o.change.clone()))
            .collect()
    }

    /// How many changes `sink` has not delivered yet.
    pub fn owed_count(&self, sink: &str) -> usize {
        self.ledger.owed_by(sink).count()
    }

    /// When change `id` was recorded (RFC 3339 UTC), while some sink still
    /// owes it.
    pub fn recorded_at(&self, id: u64) -> Option<&str> {
        self.ledger.owed.get(&id).map(|o| o.ts.as_str())
    }

    /// The last sequence number used (0 for a new folder).
    pub fn last_seq(&self) -> u64 {
        self.ledger.seq
    }

    /// The state folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The journal's size in bytes.
    pub fn journal_bytes(&self) -> u64 {
        self.journal_len
    }

    /// Whether the journal has grown past [`COMPACT_AFTER_BYTES`] and
    /// [`State::compact`] should be called. Compaction is never started by
    /// `record` or `delivered`: its failure must not look like a failure to
    /// record, so the daemon calls it between evaluations.
    pub fn needs_compaction(&self) -> bool {
        self.journal_len >= COMPACT_AFTER_BYTES
    }

    /// The first of `n` new sequence numbers, all above the last used;
    /// refused, never wrapped to numbers already used, when there are not
    /// that many left.
    fn next_seqs(&self, n: usize) -> Result<u64, StateError> {
        let last = u64::try_from(n)
            .ok()
            .and_then(|n| self.ledger.seq.checked_add(n));
        match last {
            Some(_) => Ok(self.ledger.seq + 1),
            None => Err(StateError::Exhausted {
                path: self.journal_path.clone(),
            }),
        }
    }

    /// Appends `entry` to the journal, flushed, then counts it.
    fn append(&mut self, entry: &Entry) -> Result<(), StateError> {
        self.check_usable()?;
        let line = entry.to_line();
        match durable::append_flushed(
            &mut self.journal,
            &self.journal_path,
            self.journal_len,
            &line,
        ) {
            Ok(()) => {
                self.journal_len += line.len() as u64;
                self.ledger.apply(entry);
                Ok(())
            }
            Err(AppendError::Undone(e)) => Err(e),
            Err(AppendError::Unrepaired(e)) => {
                self.broken = true;
                Err(e)
            }
        }
    }

    /// Refuses to write after a failed append that could not be undone,
    /// unless cutting the journal back to its last whole entry now works
    /// (the disk that was full or failing has recovered).
    pub(super) fn check_usable(&mut self) -> Result<(), StateError> {
        if self.broken {
            if durable::truncate(&self.journal, &self.journal_path, self.journal_len).is_err() {
                return Err(StateError::Broken {
                    path: self.journal_path.clone(),
                });
            }
            self.broken = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Announced;
    use crate::state::entry::tests::change;

    /// A state folder whose journal's last entry is numbered `seq`.
    fn folder_at(seq: u64) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let entry = Entry {
            seq,
            ts: now(),
            body: Body::Status {
                change: change("a", None, Announced::Met),
                sinks: vec!["webhook".into()],
            },
        };
        fs::write(dir.path().join(JOURNAL), entry.to_line()).unwrap();
        dir
    }

    #[test]
    fn the_last_sequence_number_is_used_then_writes_are_refused() {
        let dir = folder_at(u64::MAX - 1);
        let (mut state, _) = State::open(dir.path()).unwrap();
        // Two at once do not fit: neither is recorded.
        let two = [
            change("a", Some(Announced::Met), Announced::NotMet),
            change("b", None, Announced::Met),
        ];
        assert!(matches!(
            state.record_all(&two, &[]),
            Err(StateError::Exhausted { .. })
        ));
        assert_eq!(state.last_seq(), u64::MAX - 1);
        assert_eq!(state.record(&two[0], &[]).unwrap(), u64::MAX);
        // No number is left: refused, never wrapped round to 0 or 1.
        let before = fs::read(dir.path().join(JOURNAL)).unwrap();
        let refused = state.record(&two[1], &[]).unwrap_err();
        assert!(matches!(refused, StateError::Exhausted { .. }));
        assert!(matches!(
            state.delivered(u64::MAX - 1, "webhook"),
            Err(StateError::Exhausted { .. })
        ));
        assert_eq!(fs::read(dir.path().join(JOURNAL)).unwrap(), before);
        assert_eq!(state.announced()["a"].status, Announced::NotMet);
        drop(state);
        // And the folder is refused at start, saying what to do.
        let e = State::open(dir.path()).unwrap_err();
        assert!(e.to_string().contains("move the state folder"), "{e}");
    }
}

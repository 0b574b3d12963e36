//! `snapshot.json`: the ledger as of a sequence number, so that the journal
//! can start empty. Only ever replaced whole, never edited.

use super::durable;
use super::entry::now;
use super::error::StateError;
use super::ledger::{Ledger, Owed, RuleRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The snapshot format version this code writes and reads.
const VERSION: u32 = 1;

/// The content of `snapshot.json`, as read.
#[derive(Deserialize)]
struct Snapshot {
    version: u32,
    /// The last sequence number folded in: journal entries up to it are
    /// already counted.
    seq: u64,
    // `ts`, when it was written, is for people reading the file.
    /// The last announced status of every rule.
    announced: BTreeMap<Box<str>, RuleRecord>,
    /// Status entries some sink has not delivered, oldest first, each with
    /// the sinks that still owe it.
    undelivered: Vec<Owed>,
}

/// The content of `snapshot.json`, as written: borrowed from the ledger,
/// whose records (one per rule and instance, tens of thousands) are not
/// copied to be written.
#[derive(Serialize)]
struct SnapshotRef<'a> {
    version: u32,
    seq: u64,
    ts: String,
    announced: &'a BTreeMap<Box<str>, RuleRecord>,
    undelivered: Vec<&'a Owed>,
}

/// Reads the snapshot, or `None` if there is none. A snapshot is replaced
/// atomically, so one that does not read is not a crash's doing: it is an
/// error rather than a reason to start over and announce everything again.
pub(crate) fn load(path: &Path) -> Result<Option<Ledger>, StateError> {
    let Some(bytes) = durable::read_if_exists(path)? else {
        return Ok(None);
    };
    let corrupt = |message: String| StateError::Corrupt {
        path: path.to_path_buf(),
        message,
    };
    let snapshot: Snapshot =
        serde_json::from_slice(&bytes).map_err(|e| corrupt(format!("not a snapshot: {e}")))?;
    if snapshot.version != VERSION {
        return Err(corrupt(format!(
            "snapshot version {} (this tocsin reads version {VERSION})",
            snapshot.version
        )));
    }
    let owed = snapshot
        .undelivered
        .into_iter()
        .map(|o| (o.seq, o))
        .collect();
    Ok(Some(Ledger::loaded(snapshot.seq, snapshot.announced, owed)))
}

/// Writes `ledger` as the new snapshot, atomically.
pub(crate) fn store(path: &Path, ledger: &Ledger) -> Result<(), StateError> {
    let snapshot = SnapshotRef {
        version: VERSION,
        seq: ledger.seq,
        ts: now(),
        announced: &ledger.announced,
        undelivered: ledger.owed.values().collect(),
    };
    #[allow(
        clippy::expect_used,
        reason = "snapshots hold strings and numbers only, with string keys"
    )]
    let mut bytes = serde_json::to_vec_pretty(&snapshot).expect("snapshots serialize");
    bytes.push(b'\n');
    durable::replace(path, &bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_is_none_and_garbage_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot.json");
        assert!(load(&path).unwrap().is_none());
        std::fs::write(&path, "{").unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains("snapshot.json: not a snapshot"), "{e}");
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot.json");
        let ledger = Ledger::loaded(12, BTreeMap::new(), BTreeMap::new());
        store(&path, &ledger).unwrap();
        assert_eq!(load(&path).unwrap(), Some(ledger));
    }
}

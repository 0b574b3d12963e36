//! Reading the story of status changes: `history.ndjson`, where compaction
//! moves journal entries, then the current journal. Read-only and without
//! the lock, so it works while a daemon runs.

use super::durable;
use super::entry::{Body, Entry};
use super::error::StateError;
use super::lines;
use super::{HISTORY, JOURNAL};
use crate::change::StatusChange;
use std::collections::BTreeMap;
use std::path::Path;

/// One recorded change of status.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    /// Its id.
    pub seq: u64,
    /// When it was recorded (RFC 3339 UTC).
    pub ts: String,
    /// The change.
    pub change: StatusChange,
    /// The sinks that were to deliver it.
    pub sinks: Vec<String>,
    /// The deliveries recorded so far, in order.
    pub deliveries: Vec<Delivery>,
    /// The sinks that refused it for good, in order.
    pub dead_letters: Vec<DeadLetter>,
}

/// A sink's refusal of a change, for good: it was not retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    /// The sink.
    pub sink: String,
    /// When the refusal was recorded (RFC 3339 UTC).
    pub ts: String,
    /// What the sink answered (URLs in it redacted).
    pub reason: String,
}

/// A sink's delivery of a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The sink.
    pub sink: String,
    /// When the delivery was recorded (RFC 3339 UTC).
    pub ts: String,
}

impl HistoryEntry {
    /// The sinks that were to deliver it and have not (yet), nor refused
    /// it.
    pub fn pending(&self) -> Vec<&str> {
        self.sinks
            .iter()
            .filter(|s| !self.deliveries.iter().any(|d| &d.sink == *s))
            .filter(|s| !self.dead_letters.iter().any(|d| &d.sink == *s))
            .map(String::as_str)
            .collect()
    }
}

/// Every change of status recorded in the state folder `dir`, oldest
/// first, only those of the rule `name` if given (a rule with `by:`: all
/// its instances, or one when `name` is written `rule{field="value"}` as
/// [`crate::change::instance_key`] writes it), each with its deliveries. Unreadable lines are left out (the daemon reports them).
pub fn history(dir: &Path, name: Option<&str>) -> Result<Vec<HistoryEntry>, StateError> {
    history_where(dir, |change| {
        name.is_none_or(|n| n == change.name || n == change.key())
    })
}

/// Every change of status recorded in the state folder `dir` that `keep`
/// keeps, oldest first, each with its deliveries (see [`history`]).
pub fn history_where(
    dir: &Path,
    keep: impl Fn(&crate::change::StatusChange) -> bool,
) -> Result<Vec<HistoryEntry>, StateError> {
    if !dir.is_dir() {
        return Err(StateError::Missing {
            dir: dir.to_path_buf(),
        });
    }
    // The journal first: a compaction running meanwhile moves entries from
    // the journal to the history, never back, so whatever the journal no
    // longer holds when read, the history read after it does.
    let journal = read_entries(&dir.join(JOURNAL))?;
    let history = read_entries(&dir.join(HISTORY))?;
    // By seq: sorted, and an entry both in the history and in the journal
    // (a compaction interrupted before emptying it) counts once.
    let entries: BTreeMap<u64, Entry> = history
        .into_iter()
        .chain(journal)
        .map(|e| (e.seq, e))
        .collect();

    let mut out: Vec<HistoryEntry> = Vec::new();
    let mut index: BTreeMap<u64, usize> = BTreeMap::new();
    for entry in entries.into_values() {
        match entry.body {
            Body::Status { change, sinks } => {
                if !keep(&change) {
                    continue;
                }
                index.insert(entry.seq, out.len());
                out.push(HistoryEntry {
                    seq: entry.seq,
                    ts: entry.ts,
                    change,
                    sinks,
                    deliveries: Vec::new(),
                    dead_letters: Vec::new(),
                });
            }
            Body::Delivered { id, sink } => {
                if let Some(&i) = index.get(&id) {
                    out[i].deliveries.push(Delivery { sink, ts: entry.ts });
                }
            }
            Body::DeadLettered { id, sink, reason } => {
                if let Some(&i) = index.get(&id) {
                    out[i].dead_letters.push(DeadLetter {
                        sink,
                        ts: entry.ts,
                        reason,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The readable entries of a journal or history file; none if it does not
/// exist.
pub(crate) fn read_entries(path: &Path) -> Result<Vec<Entry>, StateError> {
    let Some(bytes) = durable::read_if_exists(path)? else {
        return Ok(Vec::new());
    };
    Ok(lines::scan::<Entry>(&bytes)
        .items
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

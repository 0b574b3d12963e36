//! The daemon's durable state: what it announced, so that a restart
//! announces neither twice nor too little, and what its sinks have not
//! delivered yet, so that no notification is lost.
//!
//! A state folder (`.tocsin/` by default, chosen by the caller) holds:
//!
//! - `lock`: held with an exclusive lock by the one process using the
//!   folder; it contains that process's id.
//! - `journal.ndjson`: one JSON object a line, appended and flushed before
//!   the call that writes it returns. Every entry has `seq` (strictly
//!   increasing over the life of the folder) and `ts` (RFC 3339 UTC):
//!   ```text
//!   {"seq":7,"ts":"2025-07-20T09:14:03.512Z","type":"status","change":{..},"sinks":["webhook","alertmanager"]}
//!   {"seq":8,"ts":"2025-07-20T09:14:04.120Z","type":"delivered","id":7,"sink":"webhook"}
//!   ```
//!   `change` is a [`crate::change::StatusChange`]; `sinks` are those that
//!   must deliver it; `id` is the `seq` of the status entry delivered. A
//!   sink that refuses a change for good leaves
//!   `{"seq":9,"ts":..,"type":"dead_lettered","id":7,"sink":"webhook","reason":".."}`
//!   instead: the change is owed no more.
//! - `snapshot.json`: the journal folded up to its `seq`: the last
//!   announced status of every rule and the changes some sink still owes.
//!   Replaced atomically by [`State::compact`], which then empties the
//!   journal.
//! - `history.ndjson`: every journal entry ever compacted, same format,
//!   ordered by `seq`. With the journal, the whole story ([`history()`]).
//!
//! Opening replays the journal entries after the snapshot's `seq`. Every
//! write is arranged so that a crash at any instant loses nothing that a
//! call reported as done and repeats nothing (see `compact.rs`).

mod compact;
mod durable;
mod entry;
mod error;
mod history;
mod labels;
mod ledger;
mod lines;
mod lock;
mod recovery;
mod snapshot;
mod store;
mod story;

pub use error::StateError;
pub use history::{history, history_where, DeadLetter, Delivery, HistoryEntry};
pub use labels::Labels;
pub use ledger::RuleRecord;
pub use lines::{SkippedLine, TornTail};
pub use recovery::Recovery;
pub use store::{State, COMPACT_AFTER_BYTES};
pub use story::format_history;

/// The journal's file name.
pub const JOURNAL: &str = "journal.ndjson";
/// The snapshot's file name.
pub const SNAPSHOT: &str = "snapshot.json";
/// The history's file name.
pub const HISTORY: &str = "history.ndjson";

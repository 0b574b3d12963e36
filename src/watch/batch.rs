//! File events gathered into one reload, and when that reload is due.
//!
//! A reload waits for the events to pause ([`DEBOUNCE`]), so that a burst
//! of writes is read once; but never longer than [`MAX_WAIT`] after the
//! first event, so that a feed appended to without pause is still read
//! every second or so rather than never.
//!
//! A file renamed into place is whole. A file written in place may be read
//! half done, so one still open for writing (no close seen since it was
//! last written) is read only once its size and modification time have not
//! changed for [`SETTLE`] — a writer that pauses mid-file is waited for —
//! or when [`MAX_WAIT`] runs out.

use super::project::Fingerprint;
use super::scope;
use super::{Roots, Scope};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long file events must pause before a reload.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// The longest a reload waits after the first event of a batch.
pub const MAX_WAIT: Duration = Duration::from_secs(1);

/// How long a file still open for writing must stay unchanged to be read.
pub const SETTLE: Duration = Duration::from_millis(500);

/// How often a settling file is looked at.
const LOOK: Duration = Duration::from_millis(50);

/// What a file event says about the files it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Touch {
    /// Created or written in place: maybe not whole yet.
    Written,
    /// Closed by a writer: whole, as far as that writer goes.
    Closed,
    /// Renamed, removed, its metadata changed: nothing half done.
    Other,
}

/// A file written in place since the batch began.
struct Settling {
    /// No close seen since it was last written.
    open: bool,
    print: Option<Fingerprint>,
    /// Since when `print` has not changed.
    since: Instant,
}

/// The events not yet reloaded.
#[derive(Default)]
pub(super) struct Batch {
    /// The first event's time and the last's; none while empty.
    times: Option<(Instant, Instant)>,
    /// The paths named; `None` once an event names none.
    named: Option<Vec<PathBuf>>,
    /// Everything must be read again (the watcher lost events).
    everything: bool,
    settling: HashMap<PathBuf, Settling>,
}

impl Batch {
    fn touch(&mut self, now: Instant) {
        let first = self.times.map_or(now, |(first, _)| first);
        self.times = Some((first, now));
    }

    /// Adds an event naming `paths` (none when it named none).
    pub(super) fn files(&mut self, paths: Vec<PathBuf>, touch: Touch, roots: &Roots, now: Instant) {
        if self.times.is_none() {
            self.named = Some(Vec::new());
        }
        self.touch(now);
        for p in &paths {
            match touch {
                Touch::Written if scope::is_input(roots, p) => {
                    let print = Fingerprint::of(p);
                    self.settling.insert(
                        p.clone(),
                        Settling {
                            open: true,
                            print,
                            since: now,
                        },
                    );
                }
                Touch::Closed => {
                    if let Some(s) = self.settling.get_mut(p) {
                        s.open = false;
                    }
                }
                _ => {}
            }
        }
        match &mut self.named {
            Some(all) if !paths.is_empty() => all.extend(paths),
            _ => self.named = None,
        }
    }

    /// Adds a lost track of events: every file is read again.
    pub(super) fn everything(&mut self, now: Instant) {
        self.touch(now);
        self.everything = true;
    }

    /// How long until the batch is due: zero when it is, `None` when the
    /// batch is empty. Looks at the files still settling.
    pub(super) fn due_in(&mut self, now: Instant) -> Option<Duration> {
        let (first, last) = self.times?;
        let cap = (first + MAX_WAIT).saturating_duration_since(now);
        let quiet = (last + DEBOUNCE).saturating_duration_since(now);
        if cap.is_zero() || !quiet.is_zero() {
            return Some(quiet.min(cap));
        }
        let mut wait = Duration::ZERO;
        for (p, s) in self.settling.iter_mut().filter(|(_, s)| s.open) {
            let print = Fingerprint::of(p);
            if print != s.print {
                s.print = print;
                s.since = now;
            }
            let left = (s.since + SETTLE).saturating_duration_since(now);
            wait = wait.max(left.min(LOOK));
        }
        Some(wait.min(cap))
    }

    /// What the reload reads; empties the batch.
    pub(super) fn take(&mut self) -> Scope {
        let batch = std::mem::take(self);
        match (batch.everything, batch.named) {
            (true, _) => Scope::Everything,
            (false, Some(paths)) => Scope::Paths(paths),
            (false, None) => Scope::Changed,
        }
    }
}

#[cfg(test)]
mod tests;

//! The file watcher: notify with a debouncer, on folders only, so that
//! saves by rename, deletions, new files and swapped links are all seen.

use super::{Msg, Roots, DEBOUNCE};
use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

/// The file watcher: the rule and data folders, recursively; a root that
/// is a file is watched through its folder, and a root that does not exist
/// yet through its nearest existing ancestor until it appears.
pub(super) struct Watcher {
    debouncer: notify_debouncer_full::Debouncer<
        notify::RecommendedWatcher,
        notify_debouncer_full::RecommendedCache,
    >,
    watched: HashSet<(PathBuf, bool)>,
}

impl Watcher {
    pub(super) fn start(roots: &Roots, tx: Sender<Msg>) -> Result<Watcher, String> {
        let debouncer = new_debouncer(DEBOUNCE, None, move |res: DebounceEventResult| {
            let msg = match res {
                // Reading a file is an event too (tocsin's own reads among
                // them); only changes matter.
                Ok(events)
                    if events
                        .iter()
                        .all(|e| matches!(e.kind, notify::EventKind::Access(_))) =>
                {
                    return
                }
                // The queue overflowed somewhere: events were lost.
                Ok(events) if events.iter().any(|e| e.need_rescan()) => {
                    Msg::Rescan("the event queue overflowed".into())
                }
                Ok(events) => Msg::Files(
                    events
                        .iter()
                        .filter(|e| !matches!(e.kind, notify::EventKind::Access(_)))
                        .flat_map(|e| e.paths.iter().cloned())
                        .collect(),
                ),
                Err(errors) => Msg::Rescan(
                    errors
                        .iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            let _ = tx.send(msg);
        })
        .map_err(|e| e.to_string())?;
        let mut w = Watcher {
            debouncer,
            watched: HashSet::new(),
        };
        w.refresh(roots);
        Ok(w)
    }

    /// Makes sure every root is watched the best way it can be now.
    pub(super) fn refresh(&mut self, roots: &Roots) {
        for root in roots.rules.iter().chain(&roots.data) {
            let target = watch_target(root);
            if let Some((path, recursive)) = target {
                if self.watched.contains(&(path.clone(), recursive)) {
                    continue;
                }
                let mode = if recursive {
                    RecursiveMode::Recursive
                } else {
                    RecursiveMode::NonRecursive
                };
                if self.debouncer.watch(&path, mode).is_ok() {
                    self.watched.insert((path, recursive));
                }
            }
        }
    }
}

fn watch_target(root: &Path) -> Option<(PathBuf, bool)> {
    match std::fs::metadata(root) {
        Ok(m) if m.is_dir() => Some((root.to_path_buf(), true)),
        Ok(_) => Some((parent_of(root), false)),
        Err(_) => {
            let mut p = parent_of(root);
            loop {
                if p.is_dir() {
                    return Some((p, false));
                }
                let next = parent_of(&p);
                if next == p {
                    return None;
                }
                p = next;
            }
        }
    }
}

fn parent_of(p: &Path) -> PathBuf {
    match p.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

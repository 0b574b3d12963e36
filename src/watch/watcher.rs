//! The file watcher: notify, on folders only, so that saves by rename,
//! deletions, new files and swapped links are all seen. Its events go to
//! the daemon as they come; the daemon gathers them ([`super::batch`]).

use super::batch::Touch;
use super::{Msg, Roots};
use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher as _};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

/// The file watcher: the rule and data folders, recursively; a root that
/// is a file is watched through its folder, and a root that does not exist
/// yet through its nearest existing ancestor until it appears.
pub(super) struct Watcher {
    inner: notify::RecommendedWatcher,
    watched: HashSet<(PathBuf, bool)>,
}

/// What an event says about its files; `None` when it says nothing that
/// matters (reading a file is an event too, tocsin's own reads among
/// them).
fn touch(kind: &EventKind) -> Option<Touch> {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Some(Touch::Closed),
        EventKind::Access(_) => None,
        EventKind::Modify(ModifyKind::Name(_) | ModifyKind::Metadata(_)) | EventKind::Remove(_) => {
            Some(Touch::Other)
        }
        _ => Some(Touch::Written),
    }
}

impl Watcher {
    pub(super) fn start(roots: &Roots, tx: Sender<Msg>) -> Result<Watcher, String> {
        let inner = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let msg = match res {
                // The queue overflowed somewhere: events were lost.
                Ok(e) if e.need_rescan() => Msg::Rescan("the event queue overflowed".into()),
                Ok(e) => match touch(&e.kind) {
                    Some(t) => Msg::Files(e.paths, t),
                    None => return,
                },
                Err(e) => Msg::Rescan(e.to_string()),
            };
            let _ = tx.send(msg);
        })
        .map_err(|e| e.to_string())?;
        let mut w = Watcher {
            inner,
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
                if self.inner.watch(&path, mode).is_ok() {
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

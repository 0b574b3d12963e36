//! The file watcher: notify, on folders, so that saves by rename,
//! deletions, new files and swapped links are all seen. Its events go to
//! the daemon as they come; the daemon gathers them ([`super::batch`]).
//!
//! A watch follows what its path led to when it was set: a root folder
//! deleted and made again, or a root that is a link swapped to another
//! folder, leaves it on the old one. So each watch remembers the device
//! and inode it was set on, and is set again when the path leads
//! elsewhere or when an event names the path as made, removed or renamed
//! (a folder made again often gets its old inode back); the folder
//! holding each root is watched too, so that the root itself being
//! replaced is seen. A file linked into a folder from outside it is
//! watched through the link, and the folder holding what a link leads to
//! as well, so that the file edited, deleted or made again is seen. A
//! watch set after the files were read is followed by a look at every
//! file (the caller's), for what changed in between.

use super::batch::Touch;
use super::{Msg, Roots};
use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher as _};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

/// Where a path led when it was watched: device and inode.
type Identity = (u64, u64);

/// The file watcher: the rule and data folders, recursively; a root that
/// is a file is watched through its folder, and a root that does not exist
/// yet through its nearest existing ancestor until it appears.
pub(super) struct Watcher {
    inner: notify::RecommendedWatcher,
    /// Each watched path: whether recursively, and what it led to.
    watched: HashMap<PathBuf, (bool, Option<Identity>)>,
    /// Roots (and links) that events named as made, removed or renamed,
    /// since the last refresh: their watches are set again whatever they
    /// lead to now (a folder deleted and made again often gets its old
    /// inode back).
    replaced: Arc<Mutex<Vec<PathBuf>>>,
    /// Where each link watched leads (absolute), with the link: the
    /// folder holding the target is watched too, so that a target deleted
    /// and made again, or made after the link, is seen.
    targets: Arc<Mutex<Vec<(PathBuf, PathBuf)>>>,
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

/// Where `path` leads now, following links.
fn identity(path: &Path) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// The roots, as absolute paths (the watcher names files by absolute
/// paths; roots may be relative).
fn absolute_roots(roots: &Roots) -> Vec<PathBuf> {
    roots
        .rules
        .iter()
        .chain(&roots.data)
        .map(|r| std::path::absolute(r).unwrap_or_else(|_| r.clone()))
        .collect()
}

/// Whether an event's path can matter: under a root, a root, or a folder
/// on the way to one. The folders holding the roots are watched to see a
/// root replaced; what else happens in them (a log file written beside
/// the rules) is no change of the project, and must not become a reload.
fn matters(roots: &[PathBuf], path: &Path) -> bool {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    roots
        .iter()
        .any(|r| path.starts_with(r) || r.starts_with(&path))
}

impl Watcher {
    pub(super) fn start(roots: &Roots, tx: Sender<Msg>) -> Result<Watcher, String> {
        let absolute = absolute_roots(roots);
        let given: Vec<PathBuf> = roots.rules.iter().chain(&roots.data).cloned().collect();
        let replaced = Arc::new(Mutex::new(Vec::new()));
        let noted = Arc::clone(&replaced);
        let targets: Arc<Mutex<Vec<(PathBuf, PathBuf)>>> = Arc::new(Mutex::new(Vec::new()));
        let led = Arc::clone(&targets);
        let inner = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let msg = match res {
                // The queue overflowed somewhere: events were lost.
                Ok(e) if e.need_rescan() => Msg::Rescan("the event queue overflowed".into()),
                Ok(e) => match touch(&e.kind) {
                    Some(t) => {
                        let data = matches!(e.kind, EventKind::Modify(ModifyKind::Data(_)));
                        if !data {
                            note_replaced(&absolute, &given, &e.paths, &noted);
                        }
                        // An event naming where a link leads: the link's
                        // watch is set again, and the files compared.
                        let through = through_links(&lock(&led), &e.paths);
                        if !through.is_empty() && !data {
                            lock(&noted).extend(through.iter().cloned());
                        }
                        let named = !e.paths.is_empty();
                        let paths: Vec<PathBuf> = e
                            .paths
                            .into_iter()
                            .filter(|p| matters(&absolute, p))
                            .chain(through)
                            .collect();
                        if named && paths.is_empty() {
                            return;
                        }
                        Msg::Files(paths, t)
                    }
                    None => return,
                },
                Err(e) => Msg::Rescan(e.to_string()),
            };
            let _ = tx.send(msg);
        })
        .map_err(|e| e.to_string())?;
        let mut w = Watcher {
            inner,
            watched: HashMap::new(),
            replaced,
            targets,
        };
        w.refresh(roots, &[]);
        Ok(w)
    }

    /// Makes sure every root is watched the best way it can be now, with
    /// the folder holding it, and every file in `linked` (the files in
    /// force that are links) through its link. True when a watch was set
    /// anew: what changed there since the reload read it and before the
    /// watch was set was seen by no watch, so the caller looks again.
    pub(super) fn refresh(&mut self, roots: &Roots, linked: &[PathBuf]) -> bool {
        let mut set = false;
        let mut wanted: Vec<(PathBuf, bool)> = Vec::new();
        for root in roots.rules.iter().chain(&roots.data) {
            let Some(target) = watch_target(root) else {
                continue;
            };
            if target.1 {
                // A folder: the one holding it, to see it replaced.
                wanted.push((parent_of(root), false));
            }
            wanted.push(target);
        }
        // Named as the project names them, as the roots' events name
        // their files.
        wanted.extend(linked.iter().map(|p| (p.clone(), false)));
        // Where each link leads (a root that is a link, a linked file):
        // the folder holding that, to see it deleted and made again.
        // A target under a root folder is seen by that folder's watch.
        let folders: Vec<PathBuf> = roots
            .rules
            .iter()
            .chain(&roots.data)
            .filter_map(|r| std::fs::canonicalize(r).ok())
            .filter(|r| r.is_dir())
            .collect();
        let mut targets = Vec::new();
        for link in roots.rules.iter().chain(&roots.data).chain(linked) {
            if let Some(target) = link_target(link) {
                // The nearest folder there is on the way to it: a target
                // whose folders are not made yet is seen as they come.
                let mut holder = parent_of(&target);
                while !holder.is_dir() && holder.parent().is_some() {
                    holder = parent_of(&holder);
                }
                if holder.is_dir() && !folders.iter().any(|f| holder.starts_with(f)) {
                    wanted.push((holder, false));
                }
                targets.push((target, link.clone()));
            }
        }
        *lock(&self.targets) = targets;
        // One watch a path: a folder that holds one root and is another
        // (`--rules x --indicators x/data`, or a root `.`) is watched
        // recursively, once; two watches of one path would each replace
        // the other at every refresh.
        wanted.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        wanted.dedup_by(|later, first| later.0 == first.0);
        let replaced = std::mem::take(&mut *lock(&self.replaced));
        for root in replaced {
            self.forget(&root);
        }
        for (path, recursive) in wanted {
            let now = identity(&path);
            if self.watched.get(&path) == Some(&(recursive, now)) {
                continue;
            }
            // Set on what the path led to before: set again.
            self.forget(&path);
            let mode = if recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            if self.inner.watch(&path, mode).is_ok() {
                self.watched.insert(path, (recursive, now));
                set = true;
            }
        }
        set
    }
}

/// The lock of `m`, poisoned or not (what it guards is a list, whole).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where the link at `p` leads, absolute (its target need not exist);
/// `None` when `p` is no link.
fn link_target(p: &Path) -> Option<PathBuf> {
    let to = std::fs::read_link(p).ok()?;
    let to = if to.is_relative() {
        parent_of(p).join(to)
    } else {
        to
    };
    // Its folder resolved (`..`, links), as the watcher names what it
    // sees there; the name kept, since the target may not exist.
    Some(crate::project::files::with_folder_resolved(&to))
}

/// The links among `targets` (where a link leads, and the link) that
/// `paths` reach: the target itself, or a path under it.
fn through_links(targets: &[(PathBuf, PathBuf)], paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut links = Vec::new();
    for p in paths {
        let p = std::path::absolute(p).unwrap_or_else(|_| p.clone());
        for (target, link) in targets {
            // The target, under it, or a folder on the way to it.
            let reaches = p.starts_with(target) || target.starts_with(&p);
            if reaches && !links.contains(link) {
                links.push(link.clone());
            }
        }
    }
    links
}

/// Notes each root among `paths` (an event named it: made, removed,
/// renamed) in `replaced`, as the roots were given.
fn note_replaced(
    absolute: &[PathBuf],
    given: &[PathBuf],
    paths: &[PathBuf],
    replaced: &Mutex<Vec<PathBuf>>,
) {
    for p in paths {
        let p = std::path::absolute(p).unwrap_or_else(|_| p.clone());
        if let Some(k) = absolute.iter().position(|r| *r == p) {
            lock(replaced).push(given[k].clone());
        }
    }
}

impl Watcher {
    /// Drops the watch on `path`, and those under it, which notify drops
    /// with it (a linked file's, under a root folder).
    fn forget(&mut self, path: &Path) {
        if self.watched.remove(path).is_some() {
            let _ = self.inner.unwatch(path);
        }
        self.watched.retain(|p, _| !p.starts_with(path));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A root `.`, and a root inside another, ask for one watch a path:
    /// a second refresh sets nothing (two watches of a path replaced each
    /// other at every refresh, a reload each time).
    #[test]
    fn a_refresh_of_nested_roots_sets_nothing_the_second_time() {
        let dir = tempfile::TempDir::new().unwrap();
        let x = dir.path().join("x");
        std::fs::create_dir_all(x.join("data")).unwrap();
        for roots in [
            Roots {
                rules: vec![x.clone()],
                data: vec![x.join("data")],
            },
            Roots {
                rules: vec![x.join(".")],
                data: vec![x.join("data")],
            },
        ] {
            let (tx, _rx) = std::sync::mpsc::channel();
            let mut w = Watcher::start(&roots, tx).unwrap();
            assert!(!w.refresh(&roots, &[]), "{roots:?}");
            assert!(!w.refresh(&roots, &[]), "{roots:?}");
        }
    }

    #[test]
    fn only_paths_under_on_or_above_a_root_matter() {
        let roots = vec![PathBuf::from("/p/rules"), PathBuf::from("/p/indicators")];
        for (path, want) in [
            ("/p/rules/a.rules", true),
            ("/p/rules", true),
            ("/p", true),
            ("/p/indicators/x/y.csv", true),
            ("/p/events.log", false),
            ("/p/.tocsin", false),
            ("/p/rules.new", false),
        ] {
            assert_eq!(matters(&roots, Path::new(path)), want, "{path}");
        }
    }
}

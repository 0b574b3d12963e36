//! Which files a batch of watcher events touched, so that a reload can look
//! at those alone instead of walking every folder again. When the events
//! cannot say for sure — a folder came or went, a link was swapped, a root
//! is not a folder — the answer is "walk everything".

use super::Roots;
use crate::data::{is_ignored, is_unknown_kind};
use crate::project::files::{resolved, wanted, Kind};
use std::path::{Path, PathBuf};

/// A file the events name, of the kind its root and name give.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Touched {
    /// A rule file: new, changed or gone.
    Rule(PathBuf),
    /// A data file: new, changed or gone.
    Data(PathBuf),
    /// A file of a kind tocsin does not read, under a data folder: new,
    /// changed or gone (the daemon names such files in a warning).
    Skipped(PathBuf),
}

/// The rule and data files `paths` name, or `None` when only a walk of
/// every folder can tell what changed. `had_under(p)` says whether a file
/// in force lies under `p` (so that a vanished `p` was a folder).
pub(super) fn touched(
    roots: &Roots,
    paths: &[PathBuf],
    had_under: impl Fn(&Path) -> bool,
) -> Option<Vec<Touched>> {
    if paths.is_empty() || !roots.rules.iter().chain(&roots.data).all(|r| r.is_dir()) {
        return None;
    }
    let mut out = Vec::new();
    for p in paths {
        let name = p.file_name()?.to_string_lossy();
        // The path as a walk of the root names it, and its part under the
        // root: an event may name it from another root that holds this
        // one, spelled otherwise (`--rules rules --indicators $PWD`).
        let under = |rs: &[PathBuf]| -> Option<(PathBuf, PathBuf)> {
            rs.iter().find_map(|r| {
                let rel = match p.strip_prefix(r) {
                    Ok(rel) => rel.to_path_buf(),
                    // Resolved (`..`, links of folders): a root may be
                    // `../here`; the path may be gone (its folder is
                    // resolved, its name kept).
                    Err(_) => resolved(p).strip_prefix(resolved(r)).ok()?.to_path_buf(),
                };
                Some((r.join(&rel), rel))
            })
        };
        let rule = under(&roots.rules);
        let data = under(&roots.data);
        let rel = rule
            .as_ref()
            .or(data.as_ref())
            .map(|(_, rel)| rel.as_path())?;
        // Under a hidden folder (a Kubernetes `..2024_...` one among
        // them), which a walk skips: only a walk knows what is visible.
        if rel.parent().is_some_and(|parent| {
            parent
                .components()
                .any(|c| is_ignored(&c.as_os_str().to_string_lossy()))
        }) {
            return None;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => return None,
            Ok(_) => {}
            Err(_) if had_under(p) => return None,
            Err(_) => {}
        }
        match (rule, data) {
            (Some((spelled, _)), _) if wanted(Kind::Rules, &name) => {
                out.push(Touched::Rule(spelled));
            }
            (_, Some((spelled, _))) if wanted(Kind::Data, &name) => {
                out.push(Touched::Data(spelled));
            }
            (_, Some((spelled, _))) if is_unknown_kind(&name) => {
                out.push(Touched::Skipped(spelled));
            }
            _ => {}
        }
        // Anything else under a root is litter (`.swp`, `~`) that no walk
        // would read either.
    }
    out.sort_by(|a, b| key(a).cmp(key(b)));
    out.dedup();
    Some(out)
}

/// Whether `path` is a file a reload would read: a root given as a file,
/// or a rule or data file under a root folder (not litter, not under a
/// hidden folder).
pub(super) fn is_input(roots: &Roots, path: &Path) -> bool {
    // The watcher names files by absolute paths; roots may be relative.
    let absolute = |rs: &[PathBuf]| -> Vec<PathBuf> {
        rs.iter()
            .map(|r| std::path::absolute(r).unwrap_or_else(|_| r.clone()))
            .collect()
    };
    let (rules, data) = (absolute(&roots.rules), absolute(&roots.data));
    if rules.iter().chain(&data).any(|r| r == path) {
        return true;
    }
    let Some(name) = path.file_name() else {
        return false;
    };
    let name = name.to_string_lossy();
    let under = |rs: &[PathBuf], kind| {
        rs.iter().any(|r| {
            path.strip_prefix(r).is_ok_and(|rel| {
                !rel.parent().is_some_and(|parent| {
                    parent
                        .components()
                        .any(|c| is_ignored(&c.as_os_str().to_string_lossy()))
                })
            })
        }) && wanted(kind, &name)
    };
    under(&rules, Kind::Rules) || under(&data, Kind::Data)
}

fn key(t: &Touched) -> &Path {
    match t {
        Touched::Rule(p) | Touched::Data(p) | Touched::Skipped(p) => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, Roots) {
        let dir = tempfile::tempdir().unwrap();
        for p in [
            "rules/a.rules",
            "rules/sub/b.rules",
            "data/g.csv",
            "data/notes.txt",
        ] {
            let p = dir.path().join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let roots = Roots {
            rules: vec![dir.path().join("rules")],
            data: vec![dir.path().join("data")],
        };
        (dir, roots)
    }

    /// A file named from a root that holds another, spelled otherwise
    /// (`--rules rules --indicators <the folder holding it>`), is the
    /// other root's file, spelled as that root's walk spells it.
    #[test]
    fn a_file_named_through_another_root_is_spelled_as_its_own_root() {
        let (dir, _) = setup();
        let roots = Roots {
            rules: vec![dir.path().join("./rules")],
            data: vec![dir.path().to_path_buf()],
        };
        let got = touched(&roots, &[dir.path().join("rules/a.rules")], |_| false);
        assert_eq!(
            got,
            Some(vec![Touched::Rule(dir.path().join("./rules/a.rules"))])
        );
    }

    #[test]
    fn files_are_sorted_into_rules_and_data_and_litter_dropped() {
        let (dir, roots) = setup();
        let j = |p: &str| dir.path().join(p);
        let got = touched(
            &roots,
            &[
                j("data/g.csv"),
                j("rules/sub/b.rules"),
                j("rules/.a.rules.swp"),
                j("data/notes.txt"),
                j("data/g.csv"),
            ],
            |_| false,
        );
        assert_eq!(
            got,
            Some(vec![
                Touched::Data(j("data/g.csv")),
                Touched::Skipped(j("data/notes.txt")),
                Touched::Rule(j("rules/sub/b.rules"))
            ])
        );
        // Files of the new kinds are data.
        assert_eq!(
            touched(&roots, &[j("data/a.tsv"), j("data/b.csv.gz")], |_| false),
            Some(vec![
                Touched::Data(j("data/a.tsv")),
                Touched::Data(j("data/b.csv.gz"))
            ])
        );
        // A file that is gone is still named, so that it can be removed.
        assert_eq!(
            touched(&roots, &[j("rules/gone.rules")], |_| false),
            Some(vec![Touched::Rule(j("rules/gone.rules"))])
        );
    }

    #[test]
    fn inputs_are_rule_and_data_files_and_file_roots() {
        let (dir, roots) = setup();
        let j = |p: &str| dir.path().join(p);
        for p in [
            "rules/a.rules",
            "rules/sub/new.rules",
            "data/g.csv",
            "data/t.tsv",
            "data/g.ndjson.gz",
        ] {
            assert!(is_input(&roots, &j(p)), "{p}");
        }
        for p in [
            "rules/.a.rules.swp",
            "data/g.csv.tmp",
            "data/notes.txt",
            "data/..2024_01/g.csv",
            "elsewhere/g.csv",
        ] {
            assert!(!is_input(&roots, &j(p)), "{p}");
        }
        let file_root = Roots {
            rules: roots.rules.clone(),
            data: vec![j("feed.log")],
        };
        assert!(is_input(&file_root, &j("feed.log")));
        // Relative roots, absolute paths (as the watcher names them).
        let relative = Roots {
            rules: vec![PathBuf::from("rules")],
            data: vec![PathBuf::from("data")],
        };
        let cwd = std::env::current_dir().unwrap();
        assert!(is_input(&relative, &cwd.join("data/g.csv")));
        assert!(!is_input(&relative, &cwd.join("data/g.csv.tmp")));
    }

    #[test]
    fn folders_links_and_strangers_need_a_walk() {
        let (dir, roots) = setup();
        let j = |p: &str| dir.path().join(p);
        // A folder, present or gone.
        assert_eq!(touched(&roots, &[j("rules/sub")], |_| false), None);
        assert_eq!(
            touched(&roots, &[j("rules/old")], |p| p.ends_with("old")),
            None
        );
        // A swapped link to a hidden folder, and a file under one.
        std::fs::create_dir_all(j("rules/..2024_01")).unwrap();
        std::os::unix::fs::symlink(j("rules/..2024_01"), j("rules/..data")).unwrap();
        assert_eq!(touched(&roots, &[j("rules/..data")], |_| false), None);
        assert_eq!(
            touched(&roots, &[j("rules/..2024_01/a.rules")], |_| false),
            None
        );
        // Outside every root, or nothing named at all.
        assert_eq!(
            touched(&roots, &[dir.path().to_path_buf()], |_| false),
            None
        );
        assert_eq!(touched(&roots, &[], |_| false), None);
        // A root that is a file.
        let file_root = Roots {
            rules: vec![j("rules/a.rules")],
            data: roots.data.clone(),
        };
        assert_eq!(touched(&file_root, &[j("rules/a.rules")], |_| false), None);
    }
}

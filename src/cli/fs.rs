//! The file system: finding rule and data files and reading them. The only
//! place the one-shot commands touch files.

use crate::data::{is_ignored, Format};
use crate::workspace::{Contents, SourceFile};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A path on the command line that does not exist.
#[derive(Debug)]
pub struct Missing {
    /// The path as given.
    pub path: PathBuf,
    /// `--rules` or `--indicators`.
    pub flag: &'static str,
}

/// Which files a walk keeps.
#[derive(Clone, Copy)]
pub enum Kind {
    /// `*.rules`
    Rules,
    /// CSV, JSON, NDJSON
    Data,
    /// `*.test`
    Tests,
}

fn wanted(kind: Kind, name: &str) -> bool {
    match kind {
        Kind::Rules => !is_ignored(name) && name.ends_with(".rules"),
        Kind::Data => Format::of_file_name(name).is_some(),
        Kind::Tests => !is_ignored(name) && name.ends_with(".test"),
    }
}

/// Finds the files under `paths`, sorted by path. A default path that does
/// not exist holds nothing; an explicit one is an error.
pub fn discover(paths: &[PathBuf], kind: Kind, explicit: bool) -> Result<Vec<PathBuf>, Missing> {
    let flag = match kind {
        Kind::Rules => "--rules",
        Kind::Data => "--indicators",
        Kind::Tests => "test path",
    };
    let mut out = Vec::new();
    let mut seen_dirs = HashSet::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, kind, &mut out, &mut seen_dirs),
            // A file named on the command line is read whatever its name; a
            // default one only if it is of the kind sought.
            Ok(_)
                if explicit
                    || p.file_name()
                        .is_some_and(|n| wanted(kind, &n.to_string_lossy())) =>
            {
                out.push(p.clone())
            }
            Ok(_) => {}
            Err(_) if !explicit => {}
            Err(_) => {
                return Err(Missing {
                    path: p.clone(),
                    flag,
                })
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, kind: Kind, out: &mut Vec<PathBuf>, seen: &mut HashSet<PathBuf>) {
    // Symbolic links are followed; the canonical path guards against loops.
    let Ok(canonical) = std::fs::canonicalize(dir) else {
        return;
    };
    if !seen.insert(canonical) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // Hidden entries are skipped, `..data` too: in a mounted
        // configuration the visible names are links that lead through it.
        if is_ignored(&name) {
            continue;
        }
        let path = entry.path();
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, kind, out, seen),
            Ok(m) if m.is_file() && wanted(kind, &name) => out.push(path),
            _ => {}
        }
    }
}

/// Reads files for the workspace, naming each by its path as found.
pub fn read_all(paths: &[PathBuf]) -> Vec<SourceFile> {
    paths
        .iter()
        .map(|p| SourceFile {
            name: display(p),
            contents: read(p),
        })
        .collect()
}

/// Reads one file for the workspace.
pub fn read(path: &Path) -> Contents {
    match std::fs::read(path) {
        Ok(bytes) => Contents::from_bytes(bytes),
        Err(e) => Contents::Unreadable(e.to_string()),
    }
}

/// A path as shown to the user: as given, with `./` dropped.
pub fn display(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

//! The file system: finding rule, data and test files and reading them.
//! The only place the one-shot commands and the daemon read the project.

use crate::data::{gunzip, is_compressed, is_ignored, is_unknown_kind, Format, KINDS_READ};
use crate::diag::{Code, Diagnostic};
use crate::workspace::{size_limit, Contents, SourceFile, MAX_STREAMED_DATA_FILE};
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
    /// CSV, TSV, JSON, NDJSON, each also gzip-compressed
    Data,
    /// `*.test`
    Tests,
}

/// Whether a walk for `kind` reads a file of this name.
pub fn wanted(kind: Kind, name: &str) -> bool {
    match kind {
        Kind::Rules => !is_ignored(name) && name.ends_with(".rules"),
        Kind::Data => Format::of_file_name(name).is_some(),
        Kind::Tests => !is_ignored(name) && name.ends_with(".test"),
    }
}

/// Finds the files under `paths`, sorted by path. A default path that does
/// not exist holds nothing; an explicit one is an error.
pub fn discover(paths: &[PathBuf], kind: Kind, explicit: bool) -> Result<Vec<PathBuf>, Missing> {
    discover_noting(paths, kind, explicit, &mut Vec::new())
}

/// Like [`discover`] for data files, also giving the files of a kind
/// tocsin does not read that the walk skipped (see
/// [`crate::data::is_unknown_kind`]), sorted by path, for
/// [`skipped_warning`].
pub fn discover_data(
    paths: &[PathBuf],
    explicit: bool,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Missing> {
    let mut skipped = Vec::new();
    let found = discover_noting(paths, Kind::Data, explicit, &mut skipped)?;
    skipped.sort();
    skipped.dedup();
    Ok((found, skipped))
}

/// Most bytes of file names a warning's message holds (messages are cut
/// at 400 bytes when shown); the files past it are counted.
const NAMES_BYTES: usize = 280;

/// The warning naming the files a data walk skipped, if any.
pub fn skipped_warning(skipped: &[PathBuf]) -> Option<Diagnostic> {
    let n = skipped.len();
    if n == 0 {
        return None;
    }
    let mut names: Vec<String> = Vec::new();
    let mut bytes = 0;
    for p in skipped {
        let name = display(p);
        // The first name always, however long.
        if !names.is_empty() && bytes + name.len() > NAMES_BYTES {
            break;
        }
        bytes += name.len() + 2;
        names.push(name);
    }
    if names.len() < n {
        names.push(format!("and {} more", n - names.len()));
    }
    let what = if n == 1 {
        "1 file of a kind tocsin does not read was skipped".to_string()
    } else {
        format!("{n} files of a kind tocsin does not read were skipped")
    };
    Some(
        Diagnostic::warning(Code::SkippedFiles, format!("{what}: {}", names.join(", ")))
            .with_note(format!("tocsin reads {KINDS_READ}"))
            .with_note("convert the data to one of these (CSV is read by every spreadsheet), or move other files out of the data folder"),
    )
}

/// [`discover`], adding the files of unknown kind a data walk skips to
/// `skipped`.
fn discover_noting(
    paths: &[PathBuf],
    kind: Kind,
    explicit: bool,
    skipped: &mut Vec<PathBuf>,
) -> Result<Vec<PathBuf>, Missing> {
    let flag = match kind {
        Kind::Rules => "--rules",
        Kind::Data => "--indicators",
        Kind::Tests => "test path",
    };
    let mut out = Vec::new();
    let mut seen_dirs = HashSet::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, kind, &mut out, &mut seen_dirs, skipped),
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
    // One file named two ways (`rules/a.rules` and its absolute path, or
    // through `..`) is read once, under the first of its names. Its folder
    // is resolved, not the file: two links to one file are two files (a
    // data file's name names its series).
    if paths.len() > 1 {
        let mut seen = HashSet::new();
        out.retain(|p| seen.insert(with_folder_resolved(p)));
    }
    Ok(out)
}

/// `p` with its folder resolved (links, `..`, relative to absolute), its
/// own name kept: what a file is, whether or not it exists or is a link.
pub fn with_folder_resolved(p: &Path) -> PathBuf {
    let folder = match p.parent() {
        Some(f) if !f.as_os_str().is_empty() => f,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(folder), p.file_name()) {
        (Ok(f), Some(name)) => f.join(name),
        _ => std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()),
    }
}

/// `p` resolved whole when it exists (a root folder given as a link is
/// the folder it leads to), else as [`with_folder_resolved`].
pub fn resolved(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| with_folder_resolved(p))
}

/// Adds the wanted files under `dir` to `out`. A folder that cannot be
/// listed and a link that leads nowhere readable are added too, so that
/// reading them reports why (see [`read`]) instead of their files going
/// missing without a word.
fn walk(
    dir: &Path,
    kind: Kind,
    out: &mut Vec<PathBuf>,
    seen: &mut HashSet<PathBuf>,
    skipped: &mut Vec<PathBuf>,
) {
    // Symbolic links are followed; the canonical path guards against loops.
    let canonical = match std::fs::canonicalize(dir) {
        Ok(c) => c,
        Err(_) => return out.push(dir.to_path_buf()),
    };
    if !seen.insert(canonical) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(_) => return out.push(dir.to_path_buf()),
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // Hidden entries are skipped, `..data` too: in a mounted
        // configuration the visible names are links that lead through it.
        if is_ignored(&name) {
            continue;
        }
        let path = entry.path();
        // The listing tells a plain file or folder from the rest without a
        // `stat` each (10,000 data files took about 50 ms of them, before
        // any file was read); a link, or an entry of a kind the listing
        // does not give, is looked at through `metadata`, which follows it.
        let is_dir = match entry.file_type() {
            Ok(t) if t.is_file() || t.is_dir() => Ok(t.is_dir()),
            _ => std::fs::metadata(&path).map(|m| m.is_dir()),
        };
        match is_dir {
            Ok(true) => walk(&path, kind, out, seen, skipped),
            // Devices, pipes and sockets of a wanted name too, which
            // reading refuses with a word.
            Ok(false) if wanted(kind, &name) => out.push(path),
            Ok(false) if matches!(kind, Kind::Data) && is_unknown_kind(&name) => skipped.push(path),
            Ok(false) => {}
            Err(e) => {
                // A link in a loop, or whose target may not be looked at,
                // may stand for a folder: reported whatever its name. A
                // link to nothing only under a wanted name; a file gone
                // since the listing not at all.
                let link = entry.file_type().is_ok_and(|t| t.is_symlink());
                let missing = e.kind() == std::io::ErrorKind::NotFound;
                if link && (!missing || wanted(kind, &name)) {
                    out.push(path);
                }
            }
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

/// Reads a file whole, unless it is over its [`size_limit`]: the size is
/// looked at before reading, and the read stops one byte past the limit in
/// case the file grew meanwhile. A `.gz` file is decompressed, within the
/// same limit. Only regular files outside `/proc` and
/// `/sys` are read (see `refusal`); a folder gives why it could not be
/// listed.
pub fn read(p: &Path) -> Contents {
    if is_parquet(p) {
        return match open_within(p, MAX_STREAMED_DATA_FILE) {
            Ok((_, size)) => parquet(p, size),
            Err(refused) => refused,
        };
    }
    match open(p) {
        Ok((file, size)) => read_open(p, file, size),
        Err(refused) => refused,
    }
}

fn is_parquet(p: &Path) -> bool {
    crate::data::Format::of_file_name(&p.to_string_lossy()) == Some(crate::data::Format::Parquet)
}

/// A Parquet file, looked at: [`Contents::Large`], read when parsed, from
/// the file itself, so that only the column chunks the rules use are
/// read from disk.
fn parquet(p: &Path, size: u64) -> Contents {
    let path = p.to_path_buf();
    Contents::Large {
        size,
        read: crate::workspace::Deferred(std::sync::Arc::new(move |id, selection| {
            let (file, _) = open_within(&path, MAX_STREAMED_DATA_FILE)?;
            let name = path.to_string_lossy();
            crate::data::load_parquet(id, crate::data::file_stem(&name), file, selection)
                .map_err(|d| Contents::Rejected(Box::new(d)))
        })),
    }
}

/// Data files at least this large, plain CSV or TSV, are read as they
/// stream (see [`read_or_defer`]).
pub const STREAM_MIN_BYTES: u64 = 32 << 20;

/// Like [`read`], but a plain (not compressed) CSV or TSV file of
/// [`STREAM_MIN_BYTES`] or more is only looked at: [`Contents::Large`],
/// which [`stream`] reads later without ever holding it whole.
pub fn read_or_defer(p: &Path) -> Contents {
    let name = p.to_string_lossy();
    let csv = matches!(
        crate::data::Format::of_file_name(&name),
        Some(crate::data::Format::Csv | crate::data::Format::Tsv)
    ) && !is_compressed(&name);
    if is_parquet(p) {
        return read(p);
    }
    // A plain CSV file over the whole-file limit is still read: as it
    // streams.
    let limit = if csv {
        MAX_STREAMED_DATA_FILE
    } else {
        size_limit(&name)
    };
    let (file, size) = match open_within(p, limit) {
        Ok(open) => open,
        Err(refused) => return refused,
    };
    if size >= STREAM_MIN_BYTES && csv {
        let path = p.to_path_buf();
        return Contents::Large {
            size,
            read: crate::workspace::Deferred(std::sync::Arc::new(move |id, selection| {
                stream(id, &path, selection)
            })),
        };
    }
    read_open(p, file, size)
}

/// Reads a [`Contents::Large`] file as it streams, keeping the field
/// columns `selection` keeps; where that reading gives up (see
/// [`crate::data::load_stream`]), the file read whole, for the general
/// path to parse and to quote in its diagnostics.
fn stream(
    id: crate::diag::FileId,
    path: &Path,
    selection: &crate::data::ColumnSelection,
) -> Result<crate::data::FileData, Contents> {
    let name = path.to_string_lossy();
    let format = crate::data::Format::of_file_name(&name);
    let streamed = match (open_within(path, MAX_STREAMED_DATA_FILE), format) {
        (Ok((file, _)), Some(format)) => {
            let stem = crate::data::file_stem(&name);
            crate::data::load_stream(id, stem, format, file, selection)
        }
        (Err(refused), _) => return Err(refused),
        (Ok(_), None) => None,
    };
    match streamed {
        Some(s) if s.bytes <= MAX_STREAMED_DATA_FILE => Ok(s.data),
        _ => Err(match read(path) {
            Contents::TooLarge { size, .. } => Contents::NotStreamed { size },
            whole => whole,
        }),
    }
}

/// Opens a file for reading, with its size, or says why it is not read:
/// not a regular file, under `/proc` or `/sys`, or over its
/// [`size_limit`].
fn open(p: &Path) -> Result<(std::fs::File, u64), Contents> {
    open_within(p, size_limit(&p.to_string_lossy()))
}

/// [`open`], with the size limit `limit`.
fn open_within(p: &Path, limit: u64) -> Result<(std::fs::File, u64), Contents> {
    match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => {
            let why = std::fs::read_dir(p).err().map_or_else(
                || "a folder where a file was expected".to_string(),
                |e| format!("a folder that cannot be listed: {e}"),
            );
            return Err(Contents::Unreadable(why));
        }
        // Looked at before opening: opening a pipe waits for a writer.
        Ok(m) if !m.is_file() => return Err(refusal(p, kind(&m.file_type()))),
        Ok(_) => {}
        Err(e) => {
            let why = match std::fs::read_link(p) {
                Ok(to) => format!("a link to {}, which cannot be opened: {e}", to.display()),
                Err(_) => e.to_string(),
            };
            return Err(Contents::Unreadable(why));
        }
    }
    let file = match std::fs::File::open(p) {
        Ok(f) => f,
        Err(e) => return Err(Contents::Unreadable(e.to_string())),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return Err(Contents::Unreadable(e.to_string())),
    };
    // Replaced since it was looked at: refused all the same.
    if !meta.is_file() {
        return Err(refusal(p, kind(&meta.file_type())));
    }
    if let Some(dir) = on_virtual_device(&meta)
        .then(|| system_folder(&file, p))
        .flatten()
    {
        return Err(refusal(p, format!("a system file under {dir}")));
    }
    let size = meta.len();
    if size > limit {
        return Err(Contents::TooLarge { size, limit });
    }
    Ok((file, size))
}

/// Reads a file [`open`] opened.
fn read_open(p: &Path, file: std::fs::File, size: u64) -> Contents {
    use std::io::Read;
    let limit = size_limit(&p.to_string_lossy());
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    match file.take(limit + 1).read_to_end(&mut bytes) {
        Ok(n) if n as u64 > limit => Contents::TooLarge {
            size: n as u64,
            limit,
        },
        Ok(_) if is_compressed(&p.to_string_lossy()) => match gunzip(&bytes[..], limit) {
            Ok(text) => Contents::from_bytes(text),
            Err(e) => Contents::Undecodable(e),
        },
        Ok(_) => without_mark(p, Contents::from_bytes(bytes)),
        Err(e) => Contents::Unreadable(e.to_string()),
    }
}

/// A rule or test file without the byte-order mark some editors (Notepad)
/// write first: it is no part of the text, and left in it would be a
/// stray character before the first item and one column too many on the
/// first line. Data files keep theirs: their loaders skip it.
fn without_mark(p: &Path, contents: Contents) -> Contents {
    let name = p.to_string_lossy();
    let rules = name.ends_with(".rules") || name.ends_with(".test");
    match contents {
        Contents::Text(t) if rules && t.starts_with('\u{feff}') => {
            Contents::Text(t['\u{feff}'.len_utf8()..].to_string())
        }
        other => other,
    }
}

/// What a file that is not regular is: a device, pipe or socket.
fn kind(t: &std::fs::FileType) -> String {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "not a regular file"
    }
    .to_string()
}

/// Whether a file lies on a device without a disk (major number 0), as
/// every file under `/proc` and `/sys` does (and files in memory or in a
/// container's overlay): files on a disk need no more looking at.
fn on_virtual_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let dev = meta.dev();
    !cfg!(target_os = "linux") || ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff) == 0
}

/// `/proc` or `/sys` when the open `file` lies under it, wherever links
/// led: the kernel makes up the text of those files, and
/// `/proc/self/environ` holds the environment, secrets and all. The path is
/// the one the kernel gives for the open file (one call, and no race with
/// links changed meanwhile), else the resolved `p`. Regular files elsewhere
/// are read wherever links lead, as configuration mounts need.
fn system_folder(file: &std::fs::File, p: &Path) -> Option<&'static str> {
    use std::os::fd::AsRawFd;
    let real = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd()))
        .or_else(|_| std::fs::canonicalize(p))
        .ok()?;
    ["/proc", "/sys"].into_iter().find(|d| real.starts_with(d))
}

/// The refusal of the file at `p`, which is `what`, naming where the links
/// it is reached through lead, if any: as the link says when the file is
/// one, else as they all resolve.
fn refusal(p: &Path, what: String) -> Contents {
    let target = match std::fs::read_link(p) {
        Ok(link) => Some(link),
        Err(_) => std::fs::canonicalize(p)
            .ok()
            .filter(|t| std::path::absolute(p).ok().as_deref() != Some(t.as_path())),
    };
    Contents::Special {
        what,
        target: target.map(|t| t.to_string_lossy().into_owned()),
    }
}

/// A path as shown to the user: as given, with `./` dropped.
pub fn display(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

#[cfg(test)]
mod tests {
    /// A rule file named by a relative and an absolute path is found once;
    /// two links to one file in a folder are two files.
    #[test]
    fn one_file_named_two_ways_is_found_once() {
        let dir = tempfile::tempdir().unwrap();
        let rules = dir.path().join("rules");
        std::fs::create_dir_all(&rules).unwrap();
        std::fs::write(rules.join("a.rules"), "").unwrap();
        std::os::unix::fs::symlink(rules.join("a.rules"), rules.join("b.rules")).unwrap();
        let twice = [rules.join("a.rules"), rules.join("../rules")];
        let found = super::discover(&twice, super::Kind::Rules, true).unwrap();
        let names: Vec<_> = found.iter().map(|p| p.file_name().unwrap()).collect();
        assert_eq!(names, ["a.rules", "b.rules"], "{found:?}");
    }
}

//! Writing so that a crash at any instant leaves either the old or the new
//! content: appends are flushed before they count, whole files are replaced
//! by renaming a flushed copy over them.

use super::error::StateError;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Opens `path` for reading and appending, creating it if missing. Returns
/// whether it was created, since a new name must be flushed to the folder.
pub(crate) fn open_append(path: &Path) -> Result<(File, bool), StateError> {
    let existed = path.exists();
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(StateError::at(path, "open"))?;
    Ok((file, !existed))
}

/// The whole content of an open file, from its start.
pub(crate) fn read_all(file: &mut File, path: &Path) -> Result<Vec<u8>, StateError> {
    use std::io::Seek;
    let mut bytes = Vec::new();
    file.rewind()
        .and_then(|_| file.read_to_end(&mut bytes))
        .map_err(StateError::at(path, "read"))?;
    Ok(bytes)
}

/// The content of `path`, or nothing if it does not exist.
pub(crate) fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, StateError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StateError::io(path, "read", e)),
    }
}

/// Appends `bytes` to `file` (of length `len`) and flushes them to the
/// disk. On failure the file is cut back to `len`, so that a later append
/// does not follow half a line; if even that fails,
/// [`AppendError::Unrepaired`] says the end of the file is unknown.
pub(crate) fn append_flushed(
    file: &mut File,
    path: &Path,
    len: u64,
    bytes: &[u8],
) -> Result<(), AppendError> {
    let written = file
        .write_all(bytes)
        .map_err(StateError::at(path, "append to"))
        .and_then(|_| file.sync_data().map_err(StateError::at(path, "flush")));
    match written {
        Ok(()) => Ok(()),
        Err(e) => {
            let undone = file.set_len(len).and_then(|_| file.sync_data());
            Err(match undone {
                Ok(()) => AppendError::Undone(e),
                Err(_) => AppendError::Unrepaired(e),
            })
        }
    }
}

/// A failed append.
pub(crate) enum AppendError {
    /// Nothing of it remains in the file.
    Undone(StateError),
    /// Part of it may remain: the end of the file is unknown.
    Unrepaired(StateError),
}

/// Cuts `file` back to `len` and flushes: drops a torn last line.
pub(crate) fn truncate(file: &File, path: &Path, len: u64) -> Result<(), StateError> {
    file.set_len(len)
        .and_then(|_| file.sync_data())
        .map_err(StateError::at(path, "repair"))
}

/// Flushes the folder itself, so that a created or renamed name survives
/// a crash (on Linux a file's flush does not cover its name).
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StateError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StateError::at(dir, "flush the folder"))
}

/// The folder holding `path` (`.` for a bare file name).
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `path` with `.tmp` added: where the next version is written.
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Replaces `path` by a file holding `bytes`: written to `path.tmp`,
/// flushed, renamed over `path`, and the folder flushed. A crash leaves
/// either the old file or the new one, never a mix.
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    swap_in(path, bytes)?;
    sync_dir(folder_of(path))
}

/// [`replace`] without flushing the folder: the caller flushes it, after
/// taking the returned file, open for appending, which is now the one at
/// `path` (the journal goes on writing to it, with no window in which
/// reopening could fail).
pub(crate) fn swap_in(path: &Path, bytes: &[u8]) -> Result<File, StateError> {
    let tmp = temp_path(path);
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(&tmp)
        .map_err(StateError::at(&tmp, "create"))?;
    let written = file
        .set_len(0)
        .and_then(|_| file.write_all(bytes))
        .and_then(|_| file.sync_all())
        .map_err(StateError::at(&tmp, "write"))
        .and_then(|_| fs::rename(&tmp, path).map_err(StateError::at(path, "replace")));
    if let Err(e) = written {
        // A half-written copy would keep the space a full disk needs.
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot.json");
        fs::write(&path, "old").unwrap();
        replace(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert!(!temp_path(&path).exists());
        let mut file = swap_in(&path, b"new").unwrap();
        // The returned handle is the file now at `path`.
        file.write_all(b"er").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"newer");
    }

    #[test]
    fn append_flushed_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.ndjson");
        let (mut file, created) = open_append(&path).unwrap();
        assert!(created);
        assert!(append_flushed(&mut file, &path, 0, b"a\n").is_ok());
        assert!(append_flushed(&mut file, &path, 2, b"b\n").is_ok());
        assert_eq!(read_all(&mut file, &path).unwrap(), b"a\nb\n");
    }
}

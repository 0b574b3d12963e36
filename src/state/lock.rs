//! One daemon per state folder: two writers appending to one journal would
//! interleave sequence numbers and announce twice.

use super::error::StateError;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// The exclusive lock on a state folder, held while this value lives. The
/// operating system releases it when the process ends, even by a crash, so
/// a stale lock file never blocks a restart.
#[derive(Debug)]
pub(crate) struct FolderLock {
    /// The folder itself, locked: deleting the `lock` file (taking it for
    /// a stale one) cannot let a second daemon in.
    _dir: File,
    _file: File,
}

/// Takes the lock of `dir` (its `lock` file), or says who holds it.
// `File::try_lock` needs Rust 1.89.
#[allow(clippy::incompatible_msrv)]
pub(crate) fn lock(dir: &Path) -> Result<FolderLock, StateError> {
    let path = dir.join("lock");
    let folder = File::open(dir).map_err(StateError::at(dir, "open"))?;
    match folder.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            return Err(StateError::Locked {
                dir: dir.to_path_buf(),
                holder: (!holder.is_empty()).then(|| holder.to_string()),
            });
        }
        Err(TryLockError::Error(e)) => return Err(StateError::io(dir, "lock", e)),
    }
    // Not truncated on open: until the lock is ours, the content is the
    // holder's process id.
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(StateError::at(&path, "create"))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(StateError::Locked {
                dir: dir.to_path_buf(),
                holder: (!holder.is_empty()).then(|| holder.to_string()),
            });
        }
        Err(TryLockError::Error(e)) => return Err(StateError::io(&path, "lock", e)),
    }
    // The process id is only a hint for the message above; failing to
    // write it does not matter.
    let _ = file
        .set_len(0)
        .and_then(|_| file.rewind())
        .and_then(|_| writeln!(file, "{}", std::process::id()));
    Ok(FolderLock {
        _dir: folder,
        _file: file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_fails_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path()).unwrap();
        match lock(dir.path()) {
            Err(StateError::Locked { holder, .. }) => {
                assert_eq!(holder, Some(std::process::id().to_string()))
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(first);
        assert!(lock(dir.path()).is_ok());
    }

    /// The `lock` file deleted while a daemon runs (taken for a stale
    /// one) lets no second daemon in: the folder itself is locked.
    #[test]
    fn deleting_the_lock_file_does_not_free_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path()).unwrap();
        std::fs::remove_file(dir.path().join("lock")).unwrap();
        assert!(matches!(lock(dir.path()), Err(StateError::Locked { .. })));
        drop(first);
        assert!(lock(dir.path()).is_ok());
    }
}

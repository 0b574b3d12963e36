//! What can go wrong with the state folder, said so that a person can act
//! on it: which file, what tocsin was doing, and why it failed.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// An error of the state folder. Every variant names the file or folder.
#[derive(Debug)]
pub enum StateError {
    /// A file operation failed.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What tocsin was doing, as a verb phrase ("append to").
        action: &'static str,
        /// The error from the operating system.
        source: io::Error,
    },
    /// Another process holds the folder's lock.
    Locked {
        /// The state folder.
        dir: PathBuf,
        /// What the holder wrote in the lock file (its process id), if read.
        holder: Option<String>,
    },
    /// A file that is only ever replaced whole (the snapshot) cannot be read.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Why it cannot be used.
        message: String,
    },
    /// A write to the journal failed and could not be undone, so the end of
    /// the journal is unknown: nothing more is written until cutting it
    /// back works (tried at each write) or a restart repairs it.
    Broken {
        /// The journal.
        path: PathBuf,
    },
    /// The journal has used the last sequence number there is: numbers
    /// must never repeat, so nothing more can be recorded in this folder.
    Exhausted {
        /// The journal.
        path: PathBuf,
    },
    /// There is no state folder (for reading the history).
    Missing {
        /// The folder asked for.
        dir: PathBuf,
    },
}

impl StateError {
    pub(crate) fn io(path: &Path, action: &'static str, source: io::Error) -> StateError {
        StateError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }

    /// Wraps an `io::Result` with the file and the action.
    pub(crate) fn at<'a>(
        path: &'a Path,
        action: &'static str,
    ) -> impl FnOnce(io::Error) -> StateError + 'a {
        move |source| StateError::io(path, action, source)
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::Io {
                path,
                action,
                source,
            } => {
                let path_shown = path.display();
                match source.kind() {
                    io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => write!(
                        f,
                        "cannot {action} {path_shown}: the disk is full ({source})"
                    ),
                    io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                        // The folder is what the user fixes (permissions, a
                        // read-only mount), so it leads the message.
                        let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
                        match folder {
                            // A file that is there: it may be this file
                            // alone (another owner, its mode), not the
                            // folder.
                            Some(folder)
                                if source.kind() == io::ErrorKind::PermissionDenied
                                    && path.exists() =>
                            {
                                write!(
                                    f,
                                    "cannot {action} {path_shown} ({source}): check the owner and mode of this file and of the state folder {}",
                                    folder.display()
                                )
                            }
                            Some(folder) => write!(
                                f,
                                "state folder {} is read-only: cannot {action} {path_shown} ({source})",
                                folder.display()
                            ),
                            None => write!(f, "cannot {action} {path_shown}: {source}"),
                        }
                    }
                    _ => write!(f, "cannot {action} {path_shown}: {source}"),
                }
            }
            StateError::Locked { dir, holder } => {
                write!(f, "another tocsin holds the state folder {}", dir.display())?;
                if let Some(pid) = holder {
                    write!(f, " (process {pid})")?;
                }
                write!(
                    f,
                    "; stop it, or give this one another folder with --state"
                )
            }
            StateError::Corrupt { path, message } => {
                write!(f, "cannot use {}: {message}", path.display())
            }
            StateError::Broken { path } => write!(
                f,
                "a write to {} failed and could not be undone yet; it is tried again at the next write, and a restart repairs it",
                path.display()
            ),
            StateError::Exhausted { path } => {
                let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
                let folder = folder.map_or_else(|| ".".into(), |p| p.display().to_string());
                write!(
                    f,
                    "{} has used the last sequence number ({}), so no change can be recorded: \
                     move the state folder {folder} aside (keep it for its history) or give \
                     --state a new folder; tocsin then starts afresh and announces every \
                     rule's status once",
                    path.display(),
                    u64::MAX
                )
            }
            StateError::Missing { dir } => {
                write!(f, "no state folder at {}", dir.display())
            }
        }
    }
}

impl std::error::Error for StateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StateError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_full_reads_well() {
        let e = StateError::io(
            Path::new(".tocsin/journal.ndjson"),
            "append to",
            io::Error::from(io::ErrorKind::StorageFull),
        );
        let text = e.to_string();
        assert!(text.starts_with("cannot append to .tocsin/journal.ndjson: the disk is full"));
    }

    #[test]
    fn read_only_names_the_folder() {
        let e = StateError::io(
            Path::new(".tocsin/lock"),
            "create",
            io::Error::from(io::ErrorKind::ReadOnlyFilesystem),
        );
        assert!(e
            .to_string()
            .starts_with("state folder .tocsin is read-only: cannot create .tocsin/lock"));
    }

    /// A file that is there but may not be written is not called a
    /// read-only folder: it may be the file alone.
    #[test]
    fn a_file_denied_names_the_file_and_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.ndjson");
        std::fs::write(&journal, "").unwrap();
        let e = StateError::io(
            &journal,
            "append to",
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        let text = e.to_string();
        assert!(!text.contains("read-only"), "{text}");
        assert!(
            text.contains("check the owner and mode of this file and of the state folder"),
            "{text}"
        );
        let new = StateError::io(
            &dir.path().join("snapshot.tmp"),
            "create",
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        assert!(new.to_string().starts_with("state folder"), "{new}");
    }

    #[test]
    fn exhausted_says_how_to_start_afresh() {
        let e = StateError::Exhausted {
            path: PathBuf::from(".tocsin/journal.ndjson"),
        };
        let text = e.to_string();
        assert!(text.starts_with(
            ".tocsin/journal.ndjson has used the last sequence number (18446744073709551615)"
        ));
        assert!(
            text.contains("move the state folder .tocsin aside"),
            "{text}"
        );
    }

    #[test]
    fn locked_names_the_holder() {
        let e = StateError::Locked {
            dir: PathBuf::from(".tocsin"),
            holder: Some("4242".into()),
        };
        assert_eq!(
            e.to_string(),
            "another tocsin holds the state folder .tocsin (process 4242); \
             stop it, or give this one another folder with --state"
        );
    }
}

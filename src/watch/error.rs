//! Why the daemon could not start. The command line prints it and maps it
//! to its exit code; the daemon itself knows nothing of exit codes.

use std::fmt;

/// A reason the daemon could not start.
#[derive(Debug)]
pub enum Error {
    /// A signal handler could not be installed.
    Signal(String),
    /// The state folder could not be opened or recovered.
    State(String),
    /// A sink's URL or settings were refused.
    Sinks(String),
    /// `--listen` could not be served.
    Listen(String),
    /// The rule and data files could not be watched.
    Watch(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Signal(m) | Error::State(m) | Error::Sinks(m) | Error::Listen(m) => {
                f.write_str(m)
            }
            Error::Watch(e) => write!(f, "cannot watch files: {e}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_reads_as_the_message_the_daemon_printed() {
        let cases = [
            (
                Error::Listen("cannot listen on x: invalid socket address".into()),
                "cannot listen on x: invalid socket address",
            ),
            (
                Error::State("cannot create the state folder s: File exists".into()),
                "cannot create the state folder s: File exists",
            ),
            (
                Error::Watch("too many watches".into()),
                "cannot watch files: too many watches",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }
}

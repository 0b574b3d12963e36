//! What can go wrong when sending to a sink.

use std::fmt;

/// A sink could not be set up or could not deliver.
///
/// Every URL held here is already redacted (see [`redact`](super::redact)),
/// so the error can be printed or logged as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SinkError {
    /// The URL given for a sink cannot be used.
    InvalidUrl {
        /// The URL, redacted.
        url: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The server answered with a status other than 2xx.
    Status {
        /// The URL posted to, redacted.
        url: String,
        /// The HTTP status code.
        code: u16,
    },
    /// The request did not complete: no connection, a timeout, a broken
    /// response.
    Transport {
        /// The URL posted to, redacted.
        url: String,
        /// What happened, free of any secret from the URL.
        message: String,
    },
}

impl fmt::Display for SinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SinkError::InvalidUrl { url, reason } => write!(f, "invalid URL {url}: {reason}"),
            SinkError::Status { url, code } => write!(f, "POST {url}: HTTP status {code}"),
            SinkError::Transport { url, message } => write!(f, "POST {url}: {message}"),
        }
    }
}

impl std::error::Error for SinkError {}

//! What can go wrong when sending to a sink.

use std::fmt;
use std::time::Duration;

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
        /// How long the server asked to wait before trying again
        /// (`Retry-After`), if it said.
        retry_after: Option<Duration>,
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
            SinkError::Status { url, code, .. } => write!(f, "POST {url}: HTTP status {code}"),
            SinkError::Transport { url, message } => write!(f, "POST {url}: {message}"),
        }
    }
}

impl SinkError {
    /// Whether trying again cannot help: a `4xx` answer other than `408`
    /// (Request Timeout) and `429` (Too Many Requests) says the request
    /// itself is refused, and the same request will be refused again. A
    /// notification refused so is dead-lettered rather than retried.
    pub fn is_permanent(&self) -> bool {
        match self {
            SinkError::Status { code, .. } => {
                (400..500).contains(code) && ![408, 429].contains(code)
            }
            SinkError::InvalidUrl { .. } | SinkError::Transport { .. } => false,
        }
    }

    /// The wait the server asked for with `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SinkError::Status { retry_after, .. } => *retry_after,
            SinkError::InvalidUrl { .. } | SinkError::Transport { .. } => None,
        }
    }
}

impl std::error::Error for SinkError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> SinkError {
        SinkError::Status {
            url: "http://h/".into(),
            code,
            retry_after: None,
        }
    }

    #[test]
    fn only_a_refusal_of_the_request_itself_is_permanent() {
        for code in [400, 401, 403, 404, 410, 413, 422] {
            assert!(status(code).is_permanent(), "{code}");
        }
        for code in [408, 429, 500, 502, 503, 504, 302] {
            assert!(!status(code).is_permanent(), "{code}");
        }
        let transport = SinkError::Transport {
            url: "http://h/".into(),
            message: "connection failed".into(),
        };
        assert!(!transport.is_permanent());
    }
}

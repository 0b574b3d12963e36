//! The HTTP client the sinks share: JSON POSTs with bounded time.

use super::url::scrub;
use super::SinkError;
use std::time::Duration;

/// How long to wait for a TCP (and TLS) connection.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a whole request may take, connection included.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A ureq agent set up for sinks: bounded time, no redirects followed (a
/// POST that is redirected is reported, not silently turned into a GET), and
/// every status answered returned so that the caller decides.
#[derive(Clone)]
pub(crate) struct HttpClient {
    agent: ureq::Agent,
}

impl HttpClient {
    pub(crate) fn new() -> HttpClient {
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("tocsin/", env!("CARGO_PKG_VERSION")))
            .build();
        HttpClient {
            agent: ureq::Agent::new_with_config(config),
        }
    }

    /// POSTs `body` as JSON to `url`; any 2xx answer is success. Errors name
    /// the URL by its `redacted` form only.
    pub(crate) fn post_json(
        &self,
        url: &str,
        redacted: &str,
        body: &[u8],
    ) -> Result<(), SinkError> {
        let response = self
            .agent
            .post(url)
            .header("Content-Type", "application/json")
            .send(body)
            .map_err(|e| SinkError::Transport {
                url: redacted.to_string(),
                message: describe(&e, url),
            })?;
        let code = response.status().as_u16();
        if (200..300).contains(&code) {
            Ok(())
        } else {
            Err(SinkError::Status {
                url: redacted.to_string(),
                code,
            })
        }
    }
}

/// Says what went wrong without repeating the URL: some ureq errors quote
/// the URL they were given, which may hold a secret.
fn describe(error: &ureq::Error, url: &str) -> String {
    use ureq::Error as E;
    match error {
        E::Timeout(what) => format!("timed out ({what})"),
        E::HostNotFound => "host not found".to_string(),
        E::ConnectionFailed => "connection failed".to_string(),
        E::Io(io) => io.to_string(),
        E::BadUri(_) => "the URL was refused by the HTTP client".to_string(),
        other => scrub(&other.to_string(), url),
    }
}

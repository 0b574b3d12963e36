//! The HTTP client the sinks share: JSON POSTs with bounded time.

use super::url::scrub;
use super::SinkError;
use std::time::{Duration, SystemTime};

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
        self.post(url, redacted, "application/json", &[], body)
    }

    /// POSTs `body` with `content_type` and the `headers` given; any 2xx
    /// answer is success. Another answer is an error with its status code
    /// and its `Retry-After`, if it has one. Errors name the URL by its
    /// `redacted` form only.
    pub(crate) fn post(
        &self,
        url: &str,
        redacted: &str,
        content_type: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Result<(), SinkError> {
        let mut request = self.agent.post(url).header("Content-Type", content_type);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send(body).map_err(|e| SinkError::Transport {
            url: redacted.to_string(),
            message: describe(&e, url),
        })?;
        let code = response.status().as_u16();
        if (200..300).contains(&code) {
            Ok(())
        } else {
            let retry_after = response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| retry_after(v, SystemTime::now()));
            Err(SinkError::Status {
                url: redacted.to_string(),
                code,
                retry_after,
            })
        }
    }
}

/// The wait a `Retry-After` value asks for at `now`: a number of seconds, or
/// an HTTP date (a date already past is no wait). `None` for a value that
/// is neither.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Sun, 20 Jul 2025 09:14:00 GMT").unwrap();
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        // The three forms of HTTP date.
        for date in [
            "Sun, 20 Jul 2025 09:14:30 GMT",
            "Sunday, 20-Jul-25 09:14:30 GMT",
            "Sun Jul 20 09:14:30 2025",
        ] {
            assert_eq!(
                retry_after(date, now),
                Some(Duration::from_secs(30)),
                "{date}"
            );
        }
        assert_eq!(
            retry_after("Sun, 20 Jul 2025 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        for bad in ["", "-1", "1.5", "soon"] {
            assert_eq!(retry_after(bad, now), None, "{bad}");
        }
    }
}

//! A webhook: each status change POSTed as one JSON object.

use super::format::WebhookFormat;
use super::http::HttpClient;
use super::notification::Notification;
use super::signature::Secret;
use super::url::{check_http_url, redact};
use super::{Sink, SinkError};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// The header holding the notification's id, the same in every attempt.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// A webhook endpoint. Each notification is POSTed to it as one JSON
/// object, by default ([`WebhookFormat::Tocsin`]) the status event the
/// daemon prints with what a receiver needs to trust it:
///
/// ```json
/// {"event": "status", "version": 1, "id": "3f1c…", "seq": 7,
///  "ts": "2025-07-20T09:14:03.512Z", "name": "...", "labels": {},
///  "kind": "alert", "from": "pending", "to": "met", "at": "2025-07-20",
///  "severity": "critical", "title": "...", "summary": "...",
///  "description": "...", "sources": [], "tags": []}
/// ```
///
/// (`labels` holds an instance's `by:` fields and values, such as
/// `{"country": "Yemen"}`, and is `{}` for a rule without `by:`; `id` is
/// [`notification_id`](super::notification_id)), with the id again in an
/// `Idempotency-Key` header, and, given a [`Secret`], the signature headers
/// of [`Secret::sign`]. A 2 s connect timeout and 10 s for the whole
/// request. Any 2xx answer counts as delivered.
///
/// The URL may hold secrets (a password, a token in the query): it is never
/// shown, not even by `Debug`; [`Webhook::redacted_url`] is what may be.
pub struct Webhook {
    url: String,
    redacted: String,
    client: HttpClient,
    format: WebhookFormat,
    secret: Option<Secret>,
}

impl Webhook {
    /// A webhook posting to `url`, which must be an `http` or `https` URL
    /// with a host, in the tocsin format, unsigned.
    pub fn new(url: &str) -> Result<Webhook, SinkError> {
        check_http_url(url)?;
        Ok(Webhook {
            url: url.to_string(),
            redacted: redact(url),
            client: HttpClient::new(),
            format: WebhookFormat::Tocsin,
            secret: None,
        })
    }

    /// Posts bodies in `format`.
    pub fn with_format(mut self, format: WebhookFormat) -> Webhook {
        self.format = format;
        self
    }

    /// Signs every body with `secret`.
    pub fn with_secret(mut self, secret: Secret) -> Webhook {
        self.secret = Some(secret);
        self
    }

    /// The URL with its secrets replaced by `***`.
    pub fn redacted_url(&self) -> &str {
        &self.redacted
    }

    /// The exact bytes posted for `n`.
    pub fn body(&self, n: &Notification) -> Vec<u8> {
        #[allow(clippy::expect_used, reason = "JSON values always serialise")]
        serde_json::to_vec(&self.format.body(n)).expect("a notification serialises")
    }

    /// POSTs `n`; an error for no answer in time, no connection, or an
    /// answer other than 2xx (with its status code and `Retry-After`).
    pub fn send(&self, n: &Notification) -> Result<(), SinkError> {
        let body = self.body(n);
        let mut headers = vec![(IDEMPOTENCY_HEADER, n.id())];
        if let Some(secret) = &self.secret {
            // Signed at each attempt, so that the timestamp tells a
            // receiver how old this copy is.
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            headers.extend(secret.sign(now, &body));
        }
        self.client.post(
            &self.url,
            &self.redacted,
            self.format.content_type(),
            &headers,
            &body,
        )
    }
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.redacted)
            .field("format", &self.format)
            .field("signed", &self.secret.is_some())
            .finish_non_exhaustive()
    }
}

impl Sink for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn deliver(&mut self, n: &Notification) -> Result<(), SinkError> {
        self.send(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sinks::notification::tests::notification;

    #[test]
    fn the_body_is_the_format_s() {
        let n = notification();
        let hook = Webhook::new("http://example.com/h").unwrap();
        let body: serde_json::Value = serde_json::from_slice(&hook.body(&n)).unwrap();
        assert_eq!(body, n.body());
        let hook = hook.with_format(WebhookFormat::CloudEvents);
        let body: serde_json::Value = serde_json::from_slice(&hook.body(&n)).unwrap();
        assert_eq!(body["specversion"], "1.0");
    }

    #[test]
    fn new_checks_the_url_and_debug_hides_secrets() {
        assert!(Webhook::new("ftp://example.com").is_err());
        let hook = Webhook::new("https://u:SECRET@example.com/h?token=SECRET")
            .unwrap()
            .with_secret(Secret::new("SECRET-KEY").unwrap());
        assert_eq!(hook.redacted_url(), "https://***@example.com/***?token=***");
        assert!(!format!("{hook:?}").contains("SECRET"));
    }
}

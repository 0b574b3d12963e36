//! Signing webhook bodies, so that a receiver can tell a notification from
//! tocsin from one anybody could have posted.

use super::notification::hex;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// The header holding the time of signing, in Unix seconds.
pub const TIMESTAMP_HEADER: &str = "X-Tocsin-Timestamp";
/// The header holding the signature: `sha256=<lowercase hex>`.
pub const SIGNATURE_HEADER: &str = "X-Tocsin-Signature";

/// The shared secret bodies are signed with (from `TOCSIN_WEBHOOK_SECRET`).
/// It is never shown, not even by `Debug`.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// A secret from its text; `None` for an empty one, which would sign
    /// nothing worth checking.
    pub fn new(text: &str) -> Option<Secret> {
        (!text.is_empty()).then(|| Secret(text.as_bytes().to_vec()))
    }

    /// The headers that sign `body` at `timestamp` (Unix seconds): the
    /// timestamp itself, and `sha256=` then the lowercase hex HMAC-SHA256,
    /// keyed with the secret, of the timestamp in decimal, a `.`, and the
    /// body's bytes exactly as sent.
    ///
    /// The timestamp is signed with the body so that a receiver can refuse
    /// a notification replayed long after it was sent, as Stripe's and the
    /// Standard Webhooks' signatures do.
    pub fn sign(&self, timestamp: u64, body: &[u8]) -> [(&'static str, String); 2] {
        #[allow(clippy::expect_used, reason = "HMAC takes a key of any length")]
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        let signature = hex(&mac.finalize().into_bytes());
        [
            (TIMESTAMP_HEADER, timestamp.to_string()),
            (SIGNATURE_HEADER, format!("sha256={signature}")),
        ]
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // The same MAC computed over the signed text in one piece.
        let secret = Secret::new("Jefe").unwrap();
        let [(t_name, t), (s_name, s)] = secret.sign(1_753_002_843, b"{\"a\":1}");
        assert_eq!((t_name, t.as_str()), (TIMESTAMP_HEADER, "1753002843"));
        assert_eq!(s_name, SIGNATURE_HEADER);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"1753002843.{\"a\":1}");
        assert_eq!(s, format!("sha256={}", hex(&mac.finalize().into_bytes())));
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // Test case 2 of RFC 4231: the primitive the signature is built on.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn an_empty_secret_is_none_and_debug_hides_it() {
        assert!(Secret::new("").is_none());
        let secret = Secret::new("s1gning-key").unwrap();
        assert!(!format!("{secret:?}").contains("s1gning"));
    }
}

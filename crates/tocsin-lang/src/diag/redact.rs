//! Secrets kept out of diagnostics.
//!
//! A data file may be a link to `/proc/self/environ`, or quote a webhook
//! URL; its text then reaches diagnostics. The command line builds one
//! [`Redactor`] from the secrets it knows (the sink URLs and the parts of
//! them that are credentials) and [`install`]s it before doing anything
//! else; every renderer in [`super::render`] replaces each occurrence of a
//! secret by `***`. The library itself never reads the environment.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

/// What replaces a secret.
pub const MASK: &str = "***";

/// Secrets shorter than this are replaced only as part of a longer one
/// (the whole URL, `user:password`): masking every `ci` or `u` in a
/// message would make it unreadable and hide nothing worth hiding.
pub const MIN_SECRET_BYTES: usize = 4;

/// A set of secret strings to mask wherever they appear.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Longest first, so that a secret holding another is masked whole.
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// A redactor masking each of `secrets` (those shorter than
    /// [`MIN_SECRET_BYTES`] are ignored).
    pub fn new<S: Into<String>>(secrets: impl IntoIterator<Item = S>) -> Redactor {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .map(Into::into)
            .filter(|s| s.len() >= MIN_SECRET_BYTES)
            .collect();
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Redactor { secrets }
    }

    /// True when there is nothing to mask.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// Length of the longest secret, in bytes.
    pub fn longest(&self) -> usize {
        self.secrets.first().map_or(0, String::len)
    }

    /// Byte ranges of `text` holding a secret, sorted, overlapping ones
    /// merged.
    pub fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        let mut found: Vec<Range<usize>> = self
            .secrets
            .iter()
            .flat_map(|s| text.match_indices(s.as_str()).map(|(i, m)| i..i + m.len()))
            .collect();
        found.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(found.len());
        for r in found {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }

    /// `text` with every secret replaced by [`MASK`].
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let ranges = self.ranges(text);
        if ranges.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for r in ranges {
            out.push_str(&text[at..r.start]);
            out.push_str(MASK);
            at = r.end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }
}

static INSTALLED: OnceLock<Redactor> = OnceLock::new();

/// Makes `redactor` the one every renderer uses, for the rest of the
/// process. Only the first call counts: the secrets do not change while
/// the program runs.
pub fn install(redactor: Redactor) {
    let _ = INSTALLED.set(redactor);
}

/// The installed redactor (one masking nothing when none was installed).
pub fn installed() -> &'static Redactor {
    static NONE: Redactor = Redactor {
        secrets: Vec::new(),
    };
    INSTALLED.get().unwrap_or(&NONE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_is_masked_longest_first() {
        let r = Redactor::new(["u:hunter2", "hunter2", "u", "http://u:hunter2@h/x"]);
        assert_eq!(
            r.redact("A=http://u:hunter2@h/x B=hunter2 C=u:hunter2 u"),
            "A=*** B=*** C=*** u"
        );
        assert_eq!(r.redact("nothing here"), "nothing here");
        assert!(!format!("{r:?}").contains("hunter2"));
    }

    #[test]
    fn overlapping_secrets_merge() {
        let r = Redactor::new(["abcdef", "defghi"]);
        assert_eq!(r.ranges("xxabcdefghixx"), vec![2..11]);
        assert_eq!(r.redact("xxabcdefghixx"), "xx***xx");
    }
}

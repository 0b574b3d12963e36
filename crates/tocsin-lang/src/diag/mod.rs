//! Diagnostics as data: what went wrong, where, and how to fix it.
//!
//! Every part of tocsin reports problems as [`Diagnostic`] values; only the
//! edge of the program turns them into text (see [`render`]). Codes are
//! stable and never reused; `docs/errors.md` documents each one.

mod code;
mod escape;
mod excerpt;
pub mod redact;
pub mod render;
mod source;

pub use code::Code;
pub use escape::{cut, escape_controls, is_unsafe_control, EXCERPT_BYTES, MESSAGE_BYTES};
pub use redact::Redactor;
pub use source::{FileId, SourceMap};

use serde::Serialize;

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file the range lies in.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span over `start..end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The byte range as `usize`s.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Reported, but the input is still used.
    Warning,
    /// The input cannot be used.
    Error,
}

/// A marked span with a short message under it.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// The primary label marks where the problem is; secondary ones mark
    /// related places (the first definition of a duplicate name, say).
    pub primary: bool,
    /// Where.
    pub span: Span,
    /// What to print under the span (may be empty).
    pub message: String,
}

/// One problem found in a rule or data file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// Stable code, such as `E101`.
    pub code: Code,
    /// One line saying what is wrong.
    pub message: String,
    /// The file the diagnostic is about, used when there is no label (for
    /// example a file that is not valid UTF-8).
    pub file: Option<FileId>,
    /// Line and column (1-based, the column in characters) in `file` where
    /// no label can mark them: in a file that is not text, whose lines
    /// cannot be shown.
    pub position: Option<(usize, usize)>,
    /// Marked spans; the first primary one gives the location.
    pub labels: Vec<Label>,
    /// Extra lines: what was expected, a suggested fix.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A new error.
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Error,
            code,
            message: message.into(),
            file: None,
            position: None,
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A new warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Adds the primary label.
    pub fn with_primary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.file.get_or_insert(span.file);
        self.labels.push(Label {
            primary: true,
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            primary: false,
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Names the file for a diagnostic without labels.
    pub fn in_file(mut self, file: FileId) -> Diagnostic {
        self.file = Some(file);
        self
    }

    /// True for errors (as opposed to warnings).
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// The primary span, if any.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or(self.labels.first())
            .map(|l| l.span)
    }
}

/// Near names for a "did you mean" note: the candidates closest to `name`
/// by edit distance, ignoring case, best first.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter_map(|c| {
            // An ASCII candidate whose length differs by more than the
            // limit is as far, and near only if it holds the name: refused
            // here without the distance, as most of a large ruleset's
            // names are.
            if c.is_ascii() && lower.is_ascii() {
                let holds = lower.len() >= 3
                    && c.as_bytes()
                        .windows(lower.len())
                        .any(|w| w.eq_ignore_ascii_case(lower.as_bytes()));
                if c.len().abs_diff(lower.len()) > limit && !holds {
                    return None;
                }
            }
            let c_lower = c.to_lowercase();
            let dist = edit_distance(&lower, &c_lower);
            (dist <= limit || c_lower.contains(&lower) && lower.len() >= 3).then_some((dist, c))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Damerau–Levenshtein distance (optimal string alignment), so that a swap
/// of two letters (`guage`) counts as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposition_is_one_edit() {
        assert_eq!(edit_distance("guage", "gauge"), 1);
        assert_eq!(edit_distance("adiz_aircarft", "adiz_aircraft"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn suggests_the_nearest_name() {
        let names = ["gauge", "gate", "level"];
        assert_eq!(did_you_mean("guage", names), Some("gauge"));
        assert_eq!(did_you_mean("LEVEL", names), Some("level"));
        assert_eq!(did_you_mean("zzzzzz", names), None);
    }

    #[test]
    fn a_name_held_in_a_longer_one_is_near() {
        let names = ["pla_aircraft_sorties", "gauge"];
        assert_eq!(
            did_you_mean("AIRCRAFT", names),
            Some("pla_aircraft_sorties")
        );
        assert_eq!(did_you_mean("ai", ["pla_aircraft_sorties"]), None);
        assert_eq!(did_you_mean("gaugé", ["gauge", "gaugeé_x"]), Some("gauge"));
    }
}

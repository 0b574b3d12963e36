//! The parser's error type: where parsing stopped and what would have been
//! accepted there, or a specific problem found in a token.

use crate::diag::{Code, Diagnostic, FileId, Span};
use nom::error::{ErrorKind, ParseError};
use nom_locate::LocatedSpan;

/// Parser input: the text with its offset and file.
pub type In<'a> = LocatedSpan<&'a str, FileId>;

/// Parser result.
pub type PResult<'a, T> = nom::IResult<In<'a>, T, PError>;

/// A parse error.
#[derive(Clone, Debug, PartialEq)]
pub struct PError {
    /// Byte offset where the problem is.
    pub offset: usize,
    /// What would have been accepted at `offset` (for "expected ...").
    pub expected: Expected,
    /// A specific problem (bad literal, chained comparison, ...), which
    /// takes precedence over `expected`.
    pub problem: Option<Box<Problem>>,
}

/// How many labels [`Expected`] holds without allocating.
const INLINE: usize = 4;

/// What would have been accepted at one position: a set of labels.
///
/// A parser tries many alternatives and rejects most of them, and each
/// rejection is an error; only the error finally reported is shown. The
/// first few labels are therefore held inline, so that a rejected
/// alternative costs no allocation, and only a larger set spills to the
/// heap. Order and repeats do not matter: the message sorts the labels.
#[derive(Clone, Debug, Default)]
pub struct Expected {
    inline: [&'static str; INLINE],
    len: usize,
    spill: Vec<&'static str>,
}

impl Expected {
    /// The one label `what`.
    pub fn one(what: &'static str) -> Expected {
        let mut inline = [""; INLINE];
        inline[0] = what;
        Expected {
            inline,
            len: 1,
            spill: Vec::new(),
        }
    }

    /// The labels in `what`.
    pub fn of(what: &[&'static str]) -> Expected {
        let mut set = Expected::default();
        for w in what {
            set.insert(w);
        }
        set
    }

    /// Adds a label (once).
    pub fn insert(&mut self, what: &'static str) {
        if self.iter().any(|w| w == what) {
            return;
        }
        if self.len < INLINE {
            self.inline[self.len] = what;
            self.len += 1;
        } else {
            self.spill.push(what);
        }
    }

    /// The labels, in the order first added.
    pub fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.inline[..self.len].iter().chain(&self.spill).copied()
    }

    /// True when nothing is expected.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl PartialEq for Expected {
    fn eq(&self, other: &Expected) -> bool {
        self.iter().eq(other.iter())
    }
}

/// A specific problem with a token.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Diagnostic code.
    pub code: Code,
    /// Message.
    pub message: String,
    /// The bytes of the offending token.
    pub len: usize,
    /// Label under the span.
    pub label: String,
    /// Notes.
    pub notes: Vec<String>,
}

impl PError {
    /// "expected `what`" at the input's position.
    pub fn expected(i: In, what: &'static str) -> PError {
        PError {
            offset: i.location_offset(),
            expected: Expected::one(what),
            problem: None,
        }
    }

    /// "expected `a`, `b` or ..." at the input's position.
    pub fn expected_any(i: In, what: &[&'static str]) -> PError {
        PError {
            offset: i.location_offset(),
            expected: Expected::of(what),
            problem: None,
        }
    }

    /// A specific problem at `offset`, spanning `len` bytes.
    pub fn problem(
        offset: usize,
        len: usize,
        code: Code,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> PError {
        PError {
            offset,
            expected: Expected::default(),
            problem: Some(Box::new(Problem {
                code,
                message: message.into(),
                len,
                label: label.into(),
                notes: Vec::new(),
            })),
        }
    }

    /// Adds a note to a specific problem.
    pub fn note(mut self, note: impl Into<String>) -> PError {
        if let Some(p) = &mut self.problem {
            p.notes.push(note.into());
        }
        self
    }

    /// Turns the error into a diagnostic against `text` (the whole file).
    pub fn into_diagnostic(self, file: FileId, text: &str) -> Diagnostic {
        if let Some(p) = self.problem {
            let mut d = Diagnostic::error(p.code, p.message)
                .with_primary(Span::new(file, self.offset, self.offset + p.len), p.label);
            d.notes = p.notes;
            return d;
        }
        let (found, len) = describe_token(text, self.offset);
        let mut expected: Vec<&str> = self.expected.iter().collect();
        expected.sort_unstable();
        expected.dedup();
        let message = match expected.as_slice() {
            [] => format!("unexpected {found}"),
            [one] => format!("expected {one}, found {found}"),
            many => {
                let (last, rest) = many.split_last().unwrap_or((&"", &[]));
                format!("expected {} or {last}, found {found}", rest.join(", "))
            }
        };
        let label = match expected.as_slice() {
            [one] => format!("expected {one}"),
            _ => "unexpected here".to_string(),
        };
        let mut d = Diagnostic::error(Code::Syntax, message)
            .with_primary(Span::new(file, self.offset, self.offset + len), label);
        // A misspelt keyword (`indicatr`): the nearest of those expected.
        if let Some(word) = found.strip_prefix('`').and_then(|w| w.strip_suffix('`')) {
            let keywords = expected
                .iter()
                .filter_map(|e| e.strip_prefix('`')?.strip_suffix('`'))
                .filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            if let Some(near) = crate::diag::did_you_mean(word, keywords) {
                d = d.with_note(format!("did you mean `{near}`?"));
            }
        }
        // A reserved word where a name was wanted: most often a data file
        // named like one (`feed.csv`), whose series no rule can name.
        let wants_name = expected
            .iter()
            .any(|e| matches!(*e, "an expression" | "a condition" | "a series name"));
        if wants_name && found.starts_with("keyword") {
            let word = &text[self.offset..self.offset + len];
            let rest = &text[self.offset + len..];
            let after = rest.trim_start();
            // `indicator high`, not `latest(feed)`, which names a data file.
            let item = matches!(word, "series" | "let" | "indicator" | "alert" | "feed")
                && after.len() < rest.len()
                && after.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '"');
            if after.starts_with(':') || item {
                // The next field or item: what came before it was cut short.
                let next = if item { "item" } else { "field" };
                let shown = if item {
                    word.to_string()
                } else {
                    format!("{word}:")
                };
                d = d.with_note(format!(
                    "`{shown}` begins the next {next}: the expression before it is missing or incomplete"
                ));
            } else if !matches!(
                word,
                "and" | "or" | "not" | "in" | "true" | "false" | "none" | "now"
            ) {
                d = d.with_note(format!(
                    "`{word}` is a reserved word and cannot name a series, let or rule; a data file named `{word}` must be renamed for rules to read it"
                ));
            }
        }
        d
    }
}

/// Describes the token at `offset` for "found ..." and gives its length.
fn describe_token(text: &str, offset: usize) -> (String, usize) {
    let rest = text.get(offset..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return ("end of file".to_string(), 0);
    };
    if c.is_alphanumeric() || c == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let what = if super::lexical::is_reserved(&word) {
            "keyword"
        } else {
            ""
        };
        let shown = if what.is_empty() {
            format!("`{word}`")
        } else {
            format!("{what} `{word}`")
        };
        return (shown, word.len());
    }
    if c == '\n' {
        return ("end of line".to_string(), 1);
    }
    (format!("`{c}`"), c.len_utf8())
}

impl ParseError<In<'_>> for PError {
    fn from_error_kind(input: In, _kind: ErrorKind) -> Self {
        PError {
            offset: input.location_offset(),
            expected: Expected::default(),
            problem: None,
        }
    }

    fn append(_input: In, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        // The branch that got furthest explains the problem best; at the
        // same spot, every alternative was possible.
        match self.offset.cmp(&other.offset) {
            std::cmp::Ordering::Greater => self,
            std::cmp::Ordering::Less => other,
            std::cmp::Ordering::Equal => {
                if self.problem.is_some() {
                    return self;
                }
                if other.problem.is_some() {
                    return other;
                }
                let mut merged = self;
                for what in other.expected.iter() {
                    merged.expected.insert(what);
                }
                merged
            }
        }
    }
}

/// Labels what a parser expects: an error at the very position where the
/// parser started is replaced by "expected `what`".
pub fn expect<'a, T>(
    what: &'static str,
    mut p: impl FnMut(In<'a>) -> PResult<'a, T>,
) -> impl FnMut(In<'a>) -> PResult<'a, T> {
    move |i: In<'a>| match p(i) {
        Err(nom::Err::Error(e)) if e.offset == i.location_offset() && e.problem.is_none() => {
            Err(nom::Err::Error(PError::expected(i, what)))
        }
        other => other,
    }
}

/// Fails with "expected `what`" at `i`.
pub fn fail_expected<'a, T>(i: In<'a>, what: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Error(PError::expected(i, what)))
}

/// Fails hard (no backtracking) with a specific problem.
pub fn fail_problem<'a, T>(e: PError) -> PResult<'a, T> {
    Err(nom::Err::Failure(e))
}

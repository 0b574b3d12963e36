//! Turning diagnostics into text: rustc-style reports through
//! codespan-reporting for people, plain records for machines.
//!
//! This is the edge where file text meets a terminal or a log, so every
//! form goes through the same two steps: messages, notes, labels and file
//! names through [`shown`], quoted lines through an excerpt (see
//! `excerpt.rs`). Both mask the installed [`super::redact`] secrets, cut
//! long text and escape control characters.

use super::escape::{cut, escape_controls, MESSAGE_BYTES};
use super::excerpt::Excerpt;
use super::redact::Redactor;
use super::{Diagnostic, FileId, Level, SourceMap};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term::{self, termcolor::WriteColor, Config};
use serde::Serialize;

/// `text` as any renderer may show it: secrets masked, cut to
/// [`MESSAGE_BYTES`], control characters escaped.
pub fn shown(text: &str) -> String {
    shown_with(super::redact::installed(), text)
}

fn shown_with(redactor: &Redactor, text: &str) -> String {
    escape_controls(&cut(&redactor.redact(text), MESSAGE_BYTES)).into_owned()
}

fn to_codespan(
    d: &Diagnostic,
    excerpt: &Excerpt,
    sources: &SourceMap,
    redactor: &Redactor,
) -> cs::Diagnostic<FileId> {
    let severity = match d.level {
        Level::Error => cs::Severity::Error,
        Level::Warning => cs::Severity::Warning,
    };
    let message = match (d.labels.is_empty(), d.file, d.position) {
        (true, Some(file), Some((line, col))) => {
            format!("{}:{line}:{col}: {}", sources.name(file), d.message)
        }
        (true, Some(file), None) => format!("{}: {}", sources.name(file), d.message),
        _ => d.message.clone(),
    };
    let labels = d
        .labels
        .iter()
        .map(|l| {
            let style = if l.primary {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            let range = excerpt.offset(l.span.file, l.span.start as usize)
                ..excerpt.offset(l.span.file, l.span.end as usize);
            cs::Label::new(style, l.span.file, range).with_message(shown_with(redactor, &l.message))
        })
        .collect();
    let notes = d.notes.iter().map(|n| shown_with(redactor, n)).collect();
    cs::Diagnostic::new(severity)
        .with_code(d.code.as_str())
        .with_message(shown_with(redactor, &message))
        .with_labels(labels)
        .with_notes(notes)
}

/// Renders diagnostics as plain text (no colour), as a terminal would show
/// them without colour support. Used by tests, the daemon's events, and
/// when stderr is not a terminal.
pub fn to_plain_string(diags: &[Diagnostic], sources: &SourceMap) -> String {
    to_plain_string_with(diags, sources, super::redact::installed())
}

fn to_plain_string_with(diags: &[Diagnostic], sources: &SourceMap, redactor: &Redactor) -> String {
    let config = Config::default();
    let mut out = String::new();
    for d in diags {
        let excerpt = Excerpt::new(d, sources, redactor);
        let cd = to_codespan(d, &excerpt, sources, redactor);
        if term::emit_to_string(&mut out, &config, &excerpt, &cd).is_err() {
            out.push_str(&one_line(d, sources));
            out.push('\n');
        }
    }
    out
}

/// Writes diagnostics to a colour-capable writer.
pub fn emit(
    w: &mut dyn WriteColor,
    diags: &[Diagnostic],
    sources: &SourceMap,
) -> std::io::Result<()> {
    let config = Config::default();
    let redactor = super::redact::installed();
    for d in diags {
        let excerpt = Excerpt::new(d, sources, redactor);
        let cd = to_codespan(d, &excerpt, sources, redactor);
        if term::emit_to_write_style(w, &config, &excerpt, &cd).is_err() {
            writeln!(w, "{}", one_line(d, sources))?;
        }
    }
    Ok(())
}

/// `FILE:LINE:COL` of a diagnostic's primary location (or just `FILE`).
pub fn location(d: &Diagnostic, sources: &SourceMap) -> Option<(String, usize, usize)> {
    match d.primary_span() {
        Some(span) => {
            let (line, col) = sources.line_col(span.file, span.start as usize);
            Some((sources.name(span.file).to_string(), line, col))
        }
        None => d.file.map(|f| {
            let (line, col) = d.position.unwrap_or((0, 0));
            (sources.name(f).to_string(), line, col)
        }),
    }
}

/// One line per diagnostic: `FILE:LINE:COL: error[CODE]: message`.
pub fn one_line(d: &Diagnostic, sources: &SourceMap) -> String {
    shown(&one_line_raw(d, sources))
}

fn one_line_raw(d: &Diagnostic, sources: &SourceMap) -> String {
    let level = match d.level {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    match location(d, sources) {
        Some((file, 0, _)) => format!("{file}: {level}[{}]: {}", d.code, d.message),
        Some((file, line, col)) => {
            format!("{file}:{line}:{col}: {level}[{}]: {}", d.code, d.message)
        }
        None => format!("{level}[{}]: {}", d.code, d.message),
    }
}

/// A diagnostic as a plain record for JSON output.
#[derive(Serialize, Debug)]
pub struct Record {
    /// `error` or `warning`.
    pub level: Level,
    /// Stable code.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// File name, if the diagnostic is about a file.
    pub file: Option<String>,
    /// 1-based line (absent when unknown).
    pub line: Option<usize>,
    /// 1-based column (absent when unknown).
    pub col: Option<usize>,
    /// Notes and suggestions.
    pub notes: Vec<String>,
}

/// Converts a diagnostic into a [`Record`].
pub fn record(d: &Diagnostic, sources: &SourceMap) -> Record {
    let loc = location(d, sources);
    let (file, line, col) = match loc {
        Some((f, 0, _)) => (Some(f), None, None),
        Some((f, l, c)) => (Some(f), Some(l), Some(c)),
        None => (None, None, None),
    };
    Record {
        level: d.level,
        code: d.code.as_str(),
        message: shown(&d.message),
        file: file.map(|f| shown(&f)),
        line,
        col,
        notes: d.notes.iter().map(|n| shown(n)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::redact::Redactor;
    use crate::diag::{Code, Span};

    #[test]
    fn renders_location_and_note() {
        let mut m = SourceMap::new();
        let f = m.add(
            "rules/bad.rules",
            "indicator x {\n  when: latest(guage) > 1\n}\n",
        );
        let d = Diagnostic::error(Code::UnknownName, "unknown series 'guage'")
            .with_primary(Span::new(f, 29, 34), "not defined")
            .with_note("did you mean 'gauge'?");
        let text = to_plain_string(std::slice::from_ref(&d), &m);
        assert!(text.contains("rules/bad.rules:2:16"), "{text}");
        assert!(text.contains("did you mean 'gauge'?"), "{text}");
        assert_eq!(
            one_line(&d, &m),
            "rules/bad.rules:2:16: error[E101]: unknown series 'guage'"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn any_text_and_spans_render_without_raw_controls(
            text in "(?s)[a-c\n\r\t\x00\x1b\x07\u{9b}é✓ ]{0,600}",
            spans in proptest::collection::vec((0usize..700, 0usize..700, proptest::bool::ANY), 1..4),
        ) {
            let mut m = SourceMap::new();
            let f = m.add("p.rules", text.as_str());
            let mut d = Diagnostic::error(Code::Syntax, "x");
            for (a, b, primary) in spans {
                let span = Span::new(f, a.min(b), a.max(b));
                d = if primary { d.with_primary(span, "p") } else { d.with_secondary(span, "s") };
            }
            let out = render(&d, &m, &Redactor::new(["abca", "b\u{1b}c"]));
            proptest::prop_assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{:?}", out);
            proptest::prop_assert!(!out.contains(&one_line(&d, &m)), "fell back: {}", out);
        }
    }

    fn render(d: &Diagnostic, m: &SourceMap, r: &Redactor) -> String {
        to_plain_string_with(std::slice::from_ref(d), m, r)
    }

    #[test]
    fn a_long_line_is_quoted_in_a_window_with_the_real_column() {
        let mut m = SourceMap::new();
        let line = format!("{}BAD{}", "a".repeat(100_000), "z".repeat(100_000));
        let f = m.add("data/x.csv", format!("date,v\n{line}\n"));
        let at = 7 + 100_000;
        let d = Diagnostic::error(Code::UnknownName, "bad value")
            .with_primary(Span::new(f, at, at + 3), "here");
        let text = render(&d, &m, &Redactor::default());
        assert!(text.len() < 2_000, "{} bytes:\n{text}", text.len());
        assert!(text.contains("data/x.csv:2:100001"), "{text}");
        assert!(text.contains("[99960 bytes] …"), "{text}");
        assert!(text.contains("… [99843 more bytes]"), "{text}");
        // The caret is under the bad value in the window.
        let quoted = text.lines().find(|l| l.contains("BAD")).unwrap_or_default();
        let marks = text.lines().find(|l| l.contains("^^^")).unwrap_or_default();
        let column = |l: &str, pat: &str| l.find(pat).map(|i| l[..i].chars().count());
        assert_eq!(column(quoted, "BAD"), column(marks, "^^^"), "{text}");
    }

    #[test]
    fn a_quoted_line_shows_controls_escaped_and_secrets_masked() {
        let mut m = SourceMap::new();
        let f = m.add(
            "indicators/env.csv",
            "A=1\0TOCSIN_WEBHOOK=http://u:hunter2@h/x\0B=\x1b[2J\u{9b}\n",
        );
        let d = Diagnostic::error(Code::UnknownName, "saw hunter2 in 'u:hunter2'")
            .with_primary(Span::new(f, 0, 50), "header row hunter2")
            .with_note("note: hunter2\x1b]0;x\x07");
        let r = Redactor::new(["http://u:hunter2@h/x", "u:hunter2", "hunter2"]);
        let text = render(&d, &m, &r);
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(
            text.contains(r"A=1\0TOCSIN_WEBHOOK=***\0B=\e[2J\u{9b}"),
            "{text}"
        );
        assert!(text.contains(r"note: ***\e]0;x\x07"), "{text}");
        assert!(text.contains("indicators/env.csv:1:1"), "{text}");
    }

    #[test]
    fn a_secret_across_the_edge_of_the_window_is_masked_whole() {
        let mut m = SourceMap::new();
        let secret = "s3cr3t-t0ken-value";
        // The window of 200 bytes from the mark ends inside the secret.
        let line = format!("{}{secret}{}", "a".repeat(230), "b".repeat(1000));
        let f = m.add("x.csv", line);
        let d = Diagnostic::error(Code::UnknownName, "bad").with_primary(Span::new(f, 80, 81), "");
        let text = render(&d, &m, &Redactor::new([secret]));
        assert!(!text.contains("s3cr"), "{text}");
        assert!(text.contains("a***… [1000 more bytes]"), "{text}");
        let none = render(&d, &m, &Redactor::default());
        assert!(none.contains("aaas3cr"), "{none}");
    }

    #[test]
    fn marks_far_apart_and_across_lines_still_render() {
        let mut m = SourceMap::new();
        let text: String = (0..50).map(|k| format!("let v{k} = 1\n")).collect();
        let f = m.add("a.rules", text.as_str());
        let start = text.find("let v10").unwrap_or(0);
        let end = text.find("let v40").unwrap_or(0) + 3;
        let d = Diagnostic::error(Code::Cycle, "x")
            .with_primary(Span::new(f, start, end), "block")
            .with_secondary(Span::new(f, 0, 3), "first")
            .with_secondary(Span::new(f, text.len(), text.len()), "end");
        let out = render(&d, &m, &Redactor::default());
        assert!(out.contains("a.rules:11:1"), "{out}");
        assert!(out.contains("41 │ │ let v40"), "{out}");
        assert!(!out.contains("error[E103]: x\nx"), "{out}");
        assert!(
            !out.contains(&one_line(&d, &m)),
            "fell back to one line: {out}"
        );
    }
}

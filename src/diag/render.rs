//! Turning diagnostics into text: rustc-style reports through
//! codespan-reporting for people, plain records for machines.

use super::{Diagnostic, FileId, Level, SourceMap};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, termcolor::WriteColor, Config};
use serde::Serialize;

impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(SourceMap::name(self, id))
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(self.text(id))
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self
            .line_starts(id)
            .partition_point(|&s| s <= byte_index)
            .saturating_sub(1))
    }

    fn line_range(
        &'a self,
        id: FileId,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, FilesError> {
        let starts = self.line_starts(id);
        let len = self.text(id).len();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })?;
        let end = starts.get(line_index + 1).copied().unwrap_or(len);
        Ok(start..end)
    }
}

fn to_codespan(d: &Diagnostic, sources: &SourceMap) -> cs::Diagnostic<FileId> {
    let severity = match d.level {
        Level::Error => cs::Severity::Error,
        Level::Warning => cs::Severity::Warning,
    };
    let message = match (d.labels.is_empty(), d.file) {
        (true, Some(file)) => format!("{}: {}", sources.name(file), d.message),
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
            cs::Label::new(style, l.span.file, l.span.range()).with_message(&l.message)
        })
        .collect();
    let notes = d.notes.iter().map(|n| n.to_string()).collect();
    cs::Diagnostic::new(severity)
        .with_code(d.code.as_str())
        .with_message(message)
        .with_labels(labels)
        .with_notes(notes)
}

/// Renders diagnostics as plain text (no colour), as a terminal would show
/// them without colour support. Used by tests and when stderr is not a
/// terminal.
pub fn to_plain_string(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let config = Config::default();
    let mut out = String::new();
    for d in diags {
        let cd = to_codespan(d, sources);
        if term::emit_to_string(&mut out, &config, sources, &cd).is_err() {
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
    for d in diags {
        let cd = to_codespan(d, sources);
        if term::emit_to_write_style(w, &config, sources, &cd).is_err() {
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
        None => d.file.map(|f| (sources.name(f).to_string(), 0, 0)),
    }
}

/// One line per diagnostic: `FILE:LINE:COL: error[CODE]: message`.
pub fn one_line(d: &Diagnostic, sources: &SourceMap) -> String {
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
        message: d.message.clone(),
        file,
        line,
        col,
        notes: d.notes.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}

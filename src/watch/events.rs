//! The daemon's event stream: one JSON object a line (the default when
//! stdout is not a terminal), or lines for a person to read.

use super::project::Problem;
use crate::change::StatusChange;
use serde::Serialize;
use std::io::Write;

/// One event.
#[derive(Serialize, Debug)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event<'a> {
    /// A rule's status changed (or an instance's, for a rule with `by:`).
    Status(&'a StatusChange),
    /// Files were reloaded (or the date moved) and everything re-evaluated.
    Reload {
        /// Why: `start`, `change`, `signal` or `date`.
        reason: &'a str,
        /// The files whose new version is now in force.
        files: &'a [String],
        /// Rule files in force.
        rule_files: usize,
        /// Data files in force.
        data_files: usize,
        /// Indicators and alerts.
        rules: usize,
        /// Series loaded.
        series: usize,
        /// The evaluation date.
        at: String,
        /// Time to reload and evaluate, in milliseconds.
        duration_ms: f64,
    },
    /// A file was rejected; its last good version stays in force, or, when
    /// it has none, it is left out.
    Error(ProblemEvent<'a>),
    /// A warning about the files in force.
    Warning(ProblemEvent<'a>),
    /// Something about the daemon itself (state recovered, a sink failing).
    Notice {
        /// What happened.
        message: &'a str,
    },
    /// The daemon stops.
    Stop {
        /// Why.
        reason: &'a str,
    },
}

/// A diagnostic as an event.
#[derive(Serialize, Debug)]
pub struct ProblemEvent<'a> {
    /// File name.
    pub file: Option<&'a str>,
    /// 1-based line (absent when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column (absent when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub col: Option<usize>,
    /// Diagnostic code.
    pub code: &'static str,
    /// What is wrong (as every renderer shows it: secrets masked, cut,
    /// control characters escaped).
    pub message: String,
    /// Notes and suggestions, likewise.
    pub notes: Vec<String>,
    /// The diagnostic as a terminal shows it.
    pub rendered: &'a str,
    /// For an error: true when the file's last good version stays in
    /// force, false when it has none and is left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<bool>,
}

impl<'a> ProblemEvent<'a> {
    /// The event for a problem.
    pub fn of(p: &'a Problem) -> ProblemEvent<'a> {
        ProblemEvent {
            file: p.file.as_deref(),
            line: (p.line > 0).then_some(p.line),
            col: (p.col > 0).then_some(p.col),
            code: p.diagnostic.code.as_str(),
            message: crate::diag::render::shown(&p.diagnostic.message),
            notes: p
                .diagnostic
                .notes
                .iter()
                .map(|n| crate::diag::render::shown(n))
                .collect(),
            rendered: &p.rendered,
            kept: p.diagnostic.is_error().then_some(p.kept),
        }
    }
}

/// How events are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// NDJSON.
    Json,
    /// Lines for a person.
    Text,
}

/// Prints events to stdout, one at a time, flushed.
pub struct Output {
    format: Format,
    /// Set once stdout is found closed (a reader such as `head` gone).
    closed: std::sync::atomic::AtomicBool,
}

impl Output {
    /// An output in this format.
    pub fn new(format: Format) -> Output {
        Output {
            format,
            closed: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Whether stdout was found closed: nothing printed since was read.
    /// The daemon stops then unless a sink still gets every change.
    pub fn closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Prints one event, noting a closed stdout.
    pub fn emit(&self, event: &Event) {
        let line = match self.format {
            Format::Json => serde_json::to_string(event).unwrap_or_default(),
            // Rule text and file names may hold terminal escape sequences.
            Format::Text => crate::diag::escape_controls(&text(event)).into_owned(),
        };
        let mut out = std::io::stdout().lock();
        let written = writeln!(out, "{line}").and_then(|()| out.flush());
        if written.is_err_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) {
            self.closed
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

fn text(event: &Event) -> String {
    let now = chrono::Utc::now().format("%H:%M:%S");
    match event {
        Event::Status(c) => {
            let from = c.from.map_or("new", |f| f.as_str());
            let sev = c
                .severity
                .map(|s| format!(" [{}]", s.as_str()))
                .unwrap_or_default();
            let summary = c
                .summary
                .as_deref()
                .or(c.title.as_deref())
                .map(|s| format!("  {s}"))
                .unwrap_or_default();
            format!(
                "{now} {} {}{sev}: {from} → {}{summary}",
                c.kind,
                c.key(),
                c.to.as_str()
            )
        }
        Event::Reload {
            reason,
            files,
            rules,
            series,
            at,
            duration_ms,
            ..
        } => {
            let which = if files.is_empty() {
                String::new()
            } else {
                format!(" ({})", files.join(", "))
            };
            format!("{now} reload on {reason}{which}: {rules} rules, {series} series at {at} in {duration_ms:.1} ms")
        }
        Event::Error(p) => {
            let what = if p.kept == Some(false) {
                "left out until a good version comes (none was loaded before)"
            } else {
                "last good version kept"
            };
            format!("{now} rejected, {what}:\n{}", p.rendered.trim_end())
        }
        Event::Warning(p) => format!("{now} {}", p.rendered.trim_end()),
        Event::Notice { message } => format!("{now} {message}"),
        Event::Stop { reason } => format!("{now} stopping ({reason})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Diagnostic};

    fn error_text(kept: bool) -> String {
        let p = Problem {
            diagnostic: Diagnostic::error(Code::InvalidDate, "bad"),
            file: Some("indicators/gauge.csv".into()),
            line: 3,
            col: 1,
            rendered: "error[E303]: bad\n".into(),
            kept,
            told: false,
        };
        text(&Event::Error(ProblemEvent::of(&p)))
    }

    #[test]
    fn an_instance_is_named_with_its_labels_and_its_event_carries_them() {
        let change = StatusChange {
            name: "busy".into(),
            labels: [("region".to_string(), "North".to_string())].into(),
            kind: "indicator".into(),
            from: None,
            to: crate::change::Announced::Met,
            at: "2025-04-05".into(),
            severity: None,
            title: None,
            summary: None,
            description: None,
            sources: vec![],
            tags: vec![],
        };
        assert!(text(&Event::Status(&change))
            .ends_with(r#" indicator busy{region="North"}: new → met"#));
        let json = serde_json::to_string(&Event::Status(&change)).unwrap();
        assert!(
            json.starts_with(
                r#"{"event":"status","name":"busy","labels":{"region":"North"},"kind":"indicator","from":null"#
            ),
            "{json}"
        );
    }

    #[test]
    fn a_rejected_file_is_kept_or_left_out_as_it_is() {
        assert!(error_text(true).ends_with(" rejected, last good version kept:\nerror[E303]: bad"));
        assert!(error_text(false).ends_with(
            " rejected, left out until a good version comes (none was loaded before):\nerror[E303]: bad"
        ));
    }
}

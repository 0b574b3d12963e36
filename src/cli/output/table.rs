//! `eval --format table`: the board a person reads first. Alerts come
//! before indicators and what fires comes first, with the values that
//! decided under each line. Colour only when asked for.

use super::{values_line, Board, Row};
use crate::diag::escape_controls;
use crate::eval::Status;

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn status(&self, status: Status, padded: &str) -> String {
        let code = match status {
            Status::Met => "1;31",
            Status::Pending => "1;33",
            Status::Unknown => "35",
            Status::NotMet => "32",
        };
        self.wrap(code, padded)
    }
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Met => "● met",
        Status::Pending => "◐ pending",
        Status::Unknown => "? unknown",
        Status::NotMet => "○ not met",
    }
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// Renders the board as an aligned table.
pub fn table(board: &Board, colour: bool) -> String {
    let paint = Paint(colour);
    let rows = board.reading_order();
    let tally: Vec<String> = board
        .tally()
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| paint.status(*s, &format!("{n} {}", s.as_str().replace('_', " "))))
        .collect();
    let mut out = format!(
        "{} at {}: {}\n",
        paint.wrap("1", "tocsin board"),
        board.at,
        if tally.is_empty() {
            "no rules".to_string()
        } else {
            tally.join(", ")
        }
    );
    let name_w = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    let status_w = 10;
    let sev_w = 9;
    let indent = 2 + status_w + 1 + sev_w + 1 + name_w + 2;
    for (kind, heading) in [("alert", "ALERTS"), ("indicator", "INDICATORS")] {
        let group: Vec<&&Row> = rows.iter().filter(|r| r.kind == kind).collect();
        if group.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&paint.wrap("1", heading));
        out.push('\n');
        for r in group {
            // Rule text may hold terminal escape sequences: shown, not
            // obeyed (the colours are added after).
            let text = escape_controls(r.summary.as_deref().or(r.title.as_deref()).unwrap_or(""));
            out.push_str(&format!(
                "  {} {} {}  {}\n",
                paint.status(r.status, &pad(mark(r.status), status_w)),
                pad(r.severity.unwrap_or(""), sev_w),
                pad(&escape_controls(&r.name), name_w),
                text
            ));
            let values = escape_controls(&values_line(r)).into_owned();
            if !values.is_empty() {
                out.push_str(&format!(
                    "{}{}\n",
                    " ".repeat(indent),
                    paint.wrap("2", &values)
                ));
            }
        }
    }
    out.push_str(&feeds(board, &paint));
    out
}

/// The FEEDS section: each data series the rules read, its newest
/// observation and whether its feed calls it stale.
fn feeds(board: &Board, paint: &Paint) -> String {
    if board.feeds.is_empty() {
        return String::new();
    }
    let name_w = board
        .feeds
        .iter()
        .map(|f| f.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("\n{}\n", paint.wrap("1", "FEEDS"));
    for f in &board.feeds {
        let (mark, code) = match (f.stale, &f.stale_after) {
            (true, _) => ("✗ stale", "1;33"),
            (false, Some(_)) => ("✓ fresh", "32"),
            (false, None) => ("", "0"),
        };
        let mut facts = match (&f.newest, f.age_days) {
            (Some(n), Some(1)) => format!("newest {n}, 1 day old"),
            (Some(n), Some(age)) => format!("newest {n}, {age} days old"),
            _ => "no observation yet".to_string(),
        };
        if let Some(after) = &f.stale_after {
            facts.push_str(&format!("; stale after {after}"));
        }
        out.push_str(&format!(
            "  {} {}  {}\n",
            paint.wrap(code, &pad(mark, 10)),
            pad(&escape_controls(&f.name), name_w),
            facts
        ));
    }
    out
}

//! `eval --format table`: the board a person reads first. Alerts come
//! before indicators and what fires comes first, with the values that
//! decided under each line. Colour only when asked for.

use super::{values_line, Board, Row};
use crate::board::Entry;
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

/// Columns `s` takes on a terminal: two for a CJK character, none for a
/// combining mark.
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// A rule's text on the one line the board gives it: a line break inside
/// (a field's multi-line text in a summary) read as a space.
fn one_line(s: &str) -> String {
    s.replace("\r\n", " ").replace(['\n', '\r'], " ")
}

/// Renders the board as an aligned table.
pub fn table(board: &Board, colour: bool) -> String {
    let paint = Paint(colour);
    let rows = board.reading_order();
    let mut tally: Vec<String> = board
        .tally()
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| paint.status(*s, &format!("{n} {}", s.as_str().replace('_', " "))))
        .collect();
    match board.no_instances.len() {
        0 => {}
        1 => tally.push("1 rule with no instance".to_string()),
        n => tally.push(format!("{n} rules with no instance")),
    }
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
        .map(|r| {
            if r.grouped {
                width(&escape_controls(&r.name))
            } else {
                width(&escape_controls(&r.display))
            }
        })
        .chain(
            board
                .no_instances
                .iter()
                .map(|n| width(&escape_controls(&n.name))),
        )
        .max()
        .unwrap_or(0);
    let status_w = 10;
    let sev_w = 9;
    let indent = 2 + status_w + 1 + sev_w + 1 + name_w + 2;
    let entries = board.entries();
    for (kind, heading) in [("alert", "ALERTS"), ("indicator", "INDICATORS")] {
        let group: Vec<&Entry> = entries.iter().filter(|e| e.kind() == kind).collect();
        let empty: Vec<_> = board
            .no_instances
            .iter()
            .filter(|n| n.kind == kind)
            .collect();
        if group.is_empty() && empty.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&paint.wrap("1", heading));
        out.push('\n');
        // Last, as nothing of them fires: a rule with `by:` whose data
        // names no instance yet.
        let mut nothing = String::new();
        for n in empty {
            nothing.push_str(&format!(
                "  {} {} {}  {}\n",
                pad("– none", status_w),
                pad(n.severity.unwrap_or(""), sev_w),
                pad(&escape_controls(&n.name), name_w),
                paint.wrap("2", &format!("no instance at {}", board.at))
            ));
        }
        for e in group {
            match e {
                Entry::Rule(r) => row(&mut out, &paint, r, &r.display, 2, name_w, indent),
                Entry::Grouped(rows) => {
                    // One heading for the rule, with its instances' counts;
                    // met and pending instances under it, the rest counted.
                    let first = rows[0];
                    out.push_str(&format!(
                        "  {} {} {}  {}\n",
                        paint.status(first.status, &pad(mark(first.status), status_w)),
                        pad(first.severity.unwrap_or(""), sev_w),
                        pad(&escape_controls(&first.name), name_w),
                        paint.wrap(
                            "2",
                            &format!(
                                "{} instance{}: {}",
                                rows.len(),
                                if rows.len() == 1 { "" } else { "s" },
                                Entry::counts(rows)
                            )
                        )
                    ));
                    let shown = Entry::shown(rows);
                    let inner_w = rows[..shown]
                        .iter()
                        .map(|r| width(&escape_controls(&r.display)))
                        .max()
                        .unwrap_or(0);
                    for r in &rows[..shown] {
                        row(
                            &mut out,
                            &paint,
                            r,
                            &r.display,
                            4,
                            inner_w,
                            4 + status_w + 1 + sev_w + 1 + inner_w + 2,
                        );
                    }
                    // With none shown, the heading's counts say it all.
                    if shown > 0 && shown < rows.len() {
                        let rest = &rows[shown..];
                        out.push_str(&format!(
                            "    {}\n",
                            paint.wrap(
                                "2",
                                &format!("… {} more: {}", rest.len(), Entry::counts(rest))
                            )
                        ));
                    }
                }
            }
        }
        out.push_str(&nothing);
    }
    out.push_str(&feeds(board, &paint));
    out
}

/// One rule or instance: its status, severity, name and text, and the
/// values that decided under it.
fn row(
    out: &mut String,
    paint: &Paint,
    r: &Row,
    name: &str,
    lead: usize,
    name_w: usize,
    indent: usize,
) {
    // Rule text may hold terminal escape sequences: shown, not obeyed
    // (the colours are added after).
    let text = escape_controls(&one_line(
        r.summary.as_deref().or(r.title.as_deref()).unwrap_or(""),
    ))
    .into_owned();
    out.push_str(&format!(
        "{}{} {} {}  {}\n",
        " ".repeat(lead),
        paint.status(r.status, &pad(mark(r.status), 10)),
        pad(r.severity.unwrap_or(""), 9),
        pad(&escape_controls(name), name_w),
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

/// The FEEDS section: each data series the rules read, its newest
/// observation and whether its feed calls it stale.
fn feeds(board: &Board, paint: &Paint) -> String {
    if board.feeds.is_empty() {
        return String::new();
    }
    let name_w = board
        .feeds
        .iter()
        .map(|f| width(&f.name))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_by_display_width_and_texts_keep_to_one_line() {
        // A CJK character takes two columns, a combining mark none.
        assert_eq!(pad("日本", 6), "日本  ");
        assert_eq!(pad("e\u{301}", 3), "e\u{301}  ");
        assert_eq!(pad("long name", 4), "long name");
        assert_eq!(one_line("two\nlines\r\nand\rmore"), "two lines and more");
    }
}

//! The history as a person reads it: one line per change, oldest first.

use super::history::HistoryEntry;
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// How much of a summary or title a line shows.
const TEXT_CHARS: usize = 48;

/// One line per change, columns aligned:
///
/// ```text
/// 2025-07-20  09:14:03Z  second_front_alert  not_met → met  (critical)  Taiwan pressure up 320%…  delivered: webhook 09:14:04Z
/// ```
///
/// `name` is the rule the entries were filtered to, if any: it words the
/// line printed when there is nothing to show.
pub fn format_history(entries: &[HistoryEntry], name: Option<&str>) -> String {
    if entries.is_empty() {
        return match name {
            Some(n) => format!("no change of status recorded for {n}\n"),
            None => "no change of status recorded yet\n".to_string(),
        };
    }
    let rows: Vec<[String; 6]> = entries.iter().map(row).collect();
    let mut widths = [0; 6];
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (i, cell) in r.iter().enumerate() {
            if cell.is_empty() && widths[i] == 0 {
                continue;
            }
            if !line.is_empty() {
                line.push_str("  ");
            }
            let pad = widths[i] - cell.chars().count();
            let _ = write!(line, "{cell}{:pad$}", "");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The cells of a line: date, time, rule, transition, severity, then the
/// text and the deliveries together (the last column is not padded).
fn row(e: &HistoryEntry) -> [String; 6] {
    let when = parse(&e.ts);
    let (date, time) = match when {
        Some(t) => (
            t.format("%Y-%m-%d").to_string(),
            t.format("%H:%M:%SZ").to_string(),
        ),
        None => (e.ts.clone(), String::new()),
    };
    let c = &e.change;
    let from = c.from.map_or("new", |f| f.as_str());
    let transition = format!("{from} → {}", c.to.as_str());
    let severity = c
        .severity
        .map_or(String::new(), |s| format!("({})", s.as_str()));

    let mut tail = Vec::new();
    if c.at != date {
        // Evaluated for another day than it was recorded (a catch-up).
        tail.push(format!("[at {}]", c.at));
    }
    if let Some(text) = c.summary.as_deref().or(c.title.as_deref()) {
        tail.push(shorten(text));
    }
    let delivered: Vec<String> = e
        .deliveries
        .iter()
        .map(|d| format!("{} {}", d.sink, delivery_time(&d.ts, &date)))
        .collect();
    if !delivered.is_empty() {
        tail.push(format!("delivered: {}", delivered.join(", ")));
    }
    let refused: Vec<String> = e
        .dead_letters
        .iter()
        .map(|d| format!("{} {} ({})", d.sink, delivery_time(&d.ts, &date), d.reason))
        .collect();
    if !refused.is_empty() {
        tail.push(format!("dead-lettered: {}", refused.join(", ")));
    }
    let pending = e.pending();
    if !pending.is_empty() {
        tail.push(format!("pending: {}", pending.join(", ")));
    }
    [date, time, c.key(), transition, severity, tail.join("  ")]
}

fn parse(ts: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The time of a delivery; with its date too if not the change's day.
fn delivery_time(ts: &str, change_date: &str) -> String {
    match parse(ts) {
        Some(t) if t.format("%Y-%m-%d").to_string() == change_date => {
            t.format("%H:%M:%SZ").to_string()
        }
        Some(t) => t.format("%Y-%m-%d %H:%M:%SZ").to_string(),
        None => ts.to_string(),
    }
}

/// The first line of `text`, cut to [`TEXT_CHARS`] with an ellipsis.
fn shorten(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    if first.chars().count() <= TEXT_CHARS && !text.trim().contains('\n') {
        return first.to_string();
    }
    let cut: String = first.chars().take(TEXT_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::{Announced, StatusChange};
    use crate::lang::ast::Severity;
    use crate::state::history::{DeadLetter, Delivery};

    fn entry(
        seq: u64,
        ts: &str,
        name: &str,
        from: Option<Announced>,
        to: Announced,
    ) -> HistoryEntry {
        HistoryEntry {
            seq,
            ts: ts.into(),
            change: StatusChange {
                name: name.into(),
                labels: Default::default(),
                kind: "alert".into(),
                from,
                to,
                at: "2025-07-20".into(),
                severity: Some(Severity::Critical),
                title: Some("Second front".into()),
                summary: Some(
                    "Taiwan pressure up 320% while the Korean peninsula escalates further".into(),
                ),
                description: None,
                sources: vec![],
                tags: vec![],
            },
            sinks: vec!["webhook".into(), "alertmanager".into()],
            deliveries: vec![Delivery {
                sink: "webhook".into(),
                ts: "2025-07-20T09:14:04.120Z".into(),
            }],
            dead_letters: vec![],
        }
    }

    #[test]
    fn one_aligned_line_per_change() {
        let mut b = entry(
            2,
            "2025-07-21T00:00:01.000Z",
            "pla",
            None,
            Announced::Pending,
        );
        b.change.severity = None;
        b.change.summary = None;
        b.sinks = vec![];
        b.deliveries = vec![];
        let text = format_history(
            &[
                entry(
                    1,
                    "2025-07-20T09:14:03.500Z",
                    "second_front_alert",
                    Some(Announced::NotMet),
                    Announced::Met,
                ),
                b,
            ],
            None,
        );
        assert_eq!(
            text,
            "2025-07-20  09:14:03Z  second_front_alert  not_met → met  (critical)  \
             Taiwan pressure up 320% while the Korean penins…  \
             delivered: webhook 09:14:04Z  pending: alertmanager\n\
             2025-07-21  00:00:01Z  pla                 new → pending              \
             [at 2025-07-20]  Second front\n"
        );
    }

    #[test]
    fn a_dead_letter_is_shown_with_its_reason_and_is_not_pending() {
        let mut e = entry(1, "2025-07-20T09:14:03.500Z", "a", None, Announced::Met);
        e.change.summary = None;
        e.dead_letters = vec![DeadLetter {
            sink: "alertmanager".into(),
            ts: "2025-07-20T09:14:05.000Z".into(),
            reason: "HTTP status 400".into(),
        }];
        let text = format_history(&[e], None);
        assert!(
            text.ends_with(
                "delivered: webhook 09:14:04Z  dead-lettered: alertmanager 09:14:05Z (HTTP status 400)\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn nothing_to_tell() {
        assert_eq!(
            format_history(&[], Some("pla")),
            "no change of status recorded for pla\n"
        );
        assert_eq!(
            format_history(&[], None),
            "no change of status recorded yet\n"
        );
    }
}

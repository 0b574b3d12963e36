//! The board as cards: alerts first, what fires first, each with its
//! status in colour and in words, severity, title, summary, the values
//! that decided, since when it has had its status, sources and tags.

use super::feeds::feed_anchor;
use super::html::{code_spans, esc, rule_anchor, status_class, status_label, status_words};
use super::unknown::Why;
use super::Report;
use crate::board::{Board, Entry, Row};
use crate::eval::Status;
use crate::time::Date;
use std::collections::HashMap;
use std::fmt::Write;

/// The `Alerts` and `Indicators` sections; `why` holds the reasons of the
/// unknown rules.
pub fn section(r: &Report, board: &Board, why: &HashMap<String, Why>) -> String {
    let entries = board.entries();
    let mut s = String::from("<section id=\"board\" aria-label=\"The board\">\n");
    for (kind, id, heading) in [
        ("alert", "alerts", "Alerts"),
        ("indicator", "indicators", "Indicators"),
    ] {
        let group: Vec<&Entry> = entries.iter().filter(|x| x.kind() == kind).collect();
        if group.is_empty() {
            continue;
        }
        // A rule with `by:` counts once: met when some instance is.
        let fired = group
            .iter()
            .filter(|x| match x {
                Entry::Rule(row) => row.status == Status::Met,
                Entry::Grouped(rows) => rows.iter().any(|row| row.status == Status::Met),
            })
            .count();
        let _ = write!(
            s,
            "<h2 id=\"{id}\">{heading} <span class=\"count\">{} met of {}</span></h2>\n<div class=\"cards\">\n",
            fired,
            group.len()
        );
        for entry in group {
            match entry {
                Entry::Rule(row) => s.push_str(&card(r, row, why.get(&row.name))),
                Entry::Grouped(rows) => {
                    s.push_str(&super::instances::card(r, rows, why.get(&rows[0].name)))
                }
            }
        }
        s.push_str("</div>\n");
    }
    s.push_str("</section>\n");
    s
}

/// Since when the rule has had its status, from the status history.
fn since(r: &Report, row: &Row) -> Option<String> {
    let h = super::history::of(r, row)?;
    let last = h.periods.last()?;
    if last.to != r.at {
        return None;
    }
    Some(if last.from > r.backtest.from {
        format!("since {}", last.from)
    } else {
        format!("since ≤ {}", last.from)
    })
}

/// For a pending rule, the day it will be met if its condition holds:
/// the first day whose `for:` window starts on or after the day the
/// condition became true.
fn met_if_it_holds(r: &Report, row: &Row) -> Option<Date> {
    let name = row.name.as_str();
    let h = super::history::of(r, row)?;
    let last = h.periods.last().filter(|p| p.status == Status::Pending)?;
    let d = r.model.program.rules[r.model.program.rule(name)?].for_?;
    let mut day = r.at;
    for _ in 0..=4000 {
        if day.minus(d)?.add_days(1)? >= last.from {
            return Some(day);
        }
        day = day.add_days(1)?;
    }
    None
}

/// The rule's status over the history, as a thin band.
fn mini_history(r: &Report, row: &Row) -> String {
    let Some(h) = super::history::of(r, row) else {
        return String::new();
    };
    let changes = h.periods.len().saturating_sub(1);
    format!(
        "<div class=\"mini\">{}<p><span>{}</span><span>{}</span><span>{}</span></p></div>\n",
        super::svg::status_band(
            &h.periods,
            r.backtest.from,
            r.backtest.to,
            &[],
            &super::history::band_title(h)
        ),
        r.backtest.from,
        if changes == 0 {
            "no change".to_string()
        } else {
            super::html::plural(changes, "change", "changes")
        },
        r.backtest.to
    )
}

fn card(r: &Report, row: &Row, why: Option<&Why>) -> String {
    let anchor = rule_anchor(&row.name);
    let class = status_class(row.status);
    let mut s = format!(
        "<article class=\"card {class}\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\">\n<div class=\"card-top\"><span class=\"status {class}\">{}</span>",
        status_label(row.status)
    );
    if let Some(sev) = row.severity {
        let _ = write!(
            s,
            "<span class=\"sev sev-{sev}\" title=\"Severity\">{sev}</span>"
        );
    }
    if why.is_some_and(Why::stale) {
        s.push_str("<span class=\"stale-mark\" title=\"A data series it reads is stale\">✗ stale feed</span>");
    }
    if let Some(since) = since(r, row) {
        let _ = write!(s, "<span class=\"since\">{}</span>", esc(&since));
    }
    s.push_str("</div>\n");
    let heading = row.title.as_deref().unwrap_or(&row.name);
    let _ = write!(
        s,
        "<h3 id=\"{anchor}-h\">{}</h3>\n<p class=\"rule-id\"><code>{}</code> <span>{} · {}:{}</span></p>\n",
        esc(heading),
        esc(&row.name),
        row.kind,
        esc(&row.file),
        row.line
    );
    if let Some(summary) = &row.summary {
        let _ = writeln!(s, "<p class=\"summary\">{}</p>", esc(summary));
    }
    if let Some(day) = met_if_it_holds(r, row) {
        let _ = writeln!(
            s,
            "<p class=\"note\">Met on {day} if the condition still holds then (<code>for: {}</code>).</p>",
            esc(row.for_.as_deref().unwrap_or(""))
        );
    }
    if let Some(description) = &row.description {
        let _ = writeln!(s, "<p class=\"description\">{}</p>", esc(description));
    }
    s.push_str(&evidence(row));
    if let Some(why) = why {
        s.push_str(&reasons(r, why));
    }
    let _ = write!(
        s,
        "<p class=\"condition\"><span class=\"label\">when</span> <code>{}</code>",
        esc(&row.when)
    );
    if let Some(f) = &row.for_ {
        let _ = write!(
            s,
            " <span class=\"label\">for</span> <code>{}</code>",
            esc(f)
        );
    }
    s.push_str("</p>\n");
    if !row.sources.is_empty() || !row.tags.is_empty() {
        s.push_str("<div class=\"meta\">");
        if !row.sources.is_empty() {
            let _ = write!(
                s,
                "<p class=\"label\">{}</p><ul class=\"sources\">",
                if row.sources.len() == 1 {
                    "Source"
                } else {
                    "Sources"
                }
            );
            for src in &row.sources {
                let _ = write!(s, "<li>{}</li>", esc(src));
            }
            s.push_str("</ul>");
        }
        if !row.tags.is_empty() {
            s.push_str("<ul class=\"tags\" aria-label=\"Tags\">");
            for t in &row.tags {
                let _ = write!(s, "<li>{}</li>", esc(t));
            }
            s.push_str("</ul>");
        }
        s.push_str("</div>\n");
    }
    s.push_str(&mini_history(r, row));
    s.push_str("</article>\n");
    s
}

/// Why an unknown rule is unknown, stale feeds first and linked to their
/// row in the `Feeds` section.
pub(super) fn reasons(r: &Report, why: &Why) -> String {
    if why.reasons.is_empty() {
        return String::new();
    }
    let mut s = String::from("<div class=\"why\"><p class=\"label\">Unknown because</p><ul>");
    for reason in &why.reasons {
        match reason.stale.and_then(|i| r.model.data.get(i)) {
            Some(d) => {
                let _ = write!(
                    s,
                    "<li class=\"feed-stale\">{} <a href=\"#{}\">feed</a></li>",
                    code_spans(&reason.text),
                    feed_anchor(&d.series)
                );
            }
            None => {
                let _ = write!(s, "<li>{}</li>", code_spans(&reason.text));
            }
        }
    }
    if why.omitted > 0 {
        let _ = write!(s, "<li class=\"more\">and {} more</li>", why.omitted);
    }
    s.push_str("</ul></div>\n");
    s
}

/// The values that decided, as a definition list.
fn evidence(row: &Row) -> String {
    if row.values.is_empty() {
        return String::new();
    }
    let mut s = String::from("<dl class=\"evidence\" aria-label=\"Values that decided\">");
    for e in &row.values {
        let value = shown_value(e);
        // A rule's value is its status: shown as one.
        let status = match value.as_str() {
            "met" => Some(Status::Met),
            "pending" => Some(Status::Pending),
            "unknown" => Some(Status::Unknown),
            "not_met" => Some(Status::NotMet),
            _ => None,
        };
        let shown = match status {
            Some(st) if matches!(e.value, crate::eval::Value::Str(_)) => format!(
                "<span class=\"chip {}\">{}</span>",
                status_class(st),
                status_words(st)
            ),
            _ => format!("<strong>{}</strong>", esc(&value)),
        };
        let _ = write!(s, "<div><dt><code>{}</code></dt><dd>{shown}", esc(&e.expr));
        if let Some(w) = &e.window {
            let _ = write!(s, " <span class=\"window\">over {}</span>", esc(w));
        }
        s.push_str("</dd></div>");
    }
    s.push_str("</dl>\n");
    s
}

/// The value as the threshold beside it is written: `320%` next to
/// `>= 300%`, not `3.2`.
pub(super) fn shown_value(e: &crate::eval::describe::Evidence) -> String {
    match e.value {
        crate::eval::Value::Number(n) if e.percent => crate::eval::value::format_percent(n),
        _ => e.value.display(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::describe::Evidence;
    use crate::eval::Value;

    fn ev(value: Value, percent: bool) -> Evidence {
        Evidence {
            expr: "growth(adiz, 1y)".into(),
            value,
            window: None,
            percent,
        }
    }

    #[test]
    fn a_value_compared_with_a_percent_is_shown_as_one() {
        assert_eq!(shown_value(&ev(Value::Number(3.2), true)), "320%");
        assert_eq!(shown_value(&ev(Value::Number(0.125), true)), "12.5%");
        assert_eq!(shown_value(&ev(Value::Number(3.2), false)), "3.2");
        assert_eq!(shown_value(&ev(Value::None, true)), "unknown");
    }
}

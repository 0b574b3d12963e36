//! The status history: for every rule, in the board's order, a band
//! coloured by status over the range, and the dates its status changed.

use super::axis;
use super::html::{esc, plural, rule_anchor, status_class, status_label, status_words};
use super::svg::{self, Scale};
use super::Report;
use crate::board::Board;
use crate::eval::backtest::RuleHistory;
use crate::eval::Status;
use std::fmt::Write;

/// How many changes are listed per rule, newest first.
const LISTED: usize = 6;

/// The `Status history` section.
pub fn section(r: &Report, board: &Board) -> String {
    let (from, to) = (r.backtest.from, r.backtest.to);
    // Labels that would overlap even on a wide screen are left out; those
    // that fit only there are hidden on narrow ones.
    let all = svg::date_ticks(from, to, 8);
    let wide = axis::fitting(&all, from, to, axis::WIDE_PX);
    let ticks: Vec<_> = all
        .into_iter()
        .zip(wide)
        .filter_map(|(t, keep)| keep.then_some(t))
        .collect();
    let narrow = axis::fitting(&ticks, from, to, axis::NARROW_PX);
    let end = to.add_days(1).unwrap_or(to);
    let pct = Scale::dates(from, end, 0.0, 100.0);
    let mut s = format!(
        "<section id=\"history\" aria-labelledby=\"history-h\">\n<h2 id=\"history-h\">Status history <span class=\"count\">{} to {}, by day</span></h2>\n<p class=\"lede\">Each rule's status on every day from {} to {}, as tocsin would have reported it with the data now on file, and the dates it changed (newest first).</p>\n",
        from, to, from, to
    );
    s.push_str("<ul class=\"legend\" aria-label=\"Colours\">");
    for st in [
        Status::Met,
        Status::Pending,
        Status::Unknown,
        Status::NotMet,
    ] {
        let _ = write!(
            s,
            "<li><span class=\"swatch {}\" aria-hidden=\"true\"></span>{}</li>",
            status_class(st),
            status_words(st)
        );
    }
    s.push_str("</ul>\n<table class=\"history\">\n<caption class=\"visually-hidden\">Status of every rule by day</caption>\n<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\" class=\"axis-cell\"><span class=\"visually-hidden\">Status over time</span><div class=\"axis\" aria-hidden=\"true\">");
    for ((d, label), on_phone) in ticks.iter().zip(&narrow) {
        let _ = write!(
            s,
            "<span{} style=\"left:{}%\">{}</span>",
            if *on_phone {
                ""
            } else {
                " class=\"wide-only\""
            },
            svg::num(pct.date(*d)),
            esc(label)
        );
    }
    s.push_str("</div></th><th scope=\"col\" class=\"changes\">Changes</th></tr></thead>\n");
    let tick_dates: Vec<_> = ticks.iter().map(|(d, _)| *d).collect();
    let rows = board.reading_order();
    for (kind, heading) in [("alert", "Alerts"), ("indicator", "Indicators")] {
        let group: Vec<_> = rows.iter().filter(|x| x.kind == kind).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "<tbody><tr class=\"group\"><th colspan=\"3\" scope=\"rowgroup\">{heading}</th></tr>"
        );
        for row in group {
            let Some(h) = of(r, row) else {
                continue;
            };
            let _ = writeln!(
                s,
                "<tr><th scope=\"row\"><a href=\"#{}\"><code>{}</code></a><span class=\"sub\">{}{}</span></th><td class=\"band-cell\">{}</td><td class=\"changes\">{}</td></tr>",
                rule_anchor(&row.name),
                esc(&row.display),
                status_label(row.status),
                row.severity.map_or(String::new(), |sev| format!(" · {sev}")),
                svg::status_band(&h.periods, from, to, &tick_dates, &band_title(h)),
                changes(h)
            );
        }
        s.push_str("</tbody>\n");
    }
    s.push_str("</table>\n</section>\n");
    s
}

/// The history of a board row: its rule's, or its instance's.
pub fn of<'a>(r: &'a Report, row: &crate::board::Row) -> Option<&'a RuleHistory> {
    r.backtest.rules.iter().find(|h| {
        h.name == row.name
            && h.labels.len() == row.labels.len()
            && h.labels
                .iter()
                .all(|(k, v)| row.labels.get(&**k).is_some_and(|x| **x == **v))
    })
}

/// The band's accessible name: its periods in words.
pub fn band_title(h: &RuleHistory) -> String {
    let shown: Vec<String> = h
        .periods
        .iter()
        .take(12)
        .map(|p| {
            if p.from == p.to {
                format!("{} on {}", status_words(p.status), p.from)
            } else {
                format!("{} from {} to {}", status_words(p.status), p.from, p.to)
            }
        })
        .collect();
    let more = h.periods.len().saturating_sub(12);
    let tail = if more > 0 {
        format!("; and {more} more periods")
    } else {
        String::new()
    };
    format!("{}: {}{tail}", h.display_name(), shown.join("; "))
}

/// The dates the status changed, newest first.
fn changes(h: &RuleHistory) -> String {
    let Some(first) = h.periods.first() else {
        return String::new();
    };
    if h.periods.len() == 1 {
        return format!(
            "<span class=\"steady\">{} throughout</span>",
            status_words(first.status)
        );
    }
    let mut s = String::from("<ol reversed>");
    for p in h.periods.iter().skip(1).rev().take(LISTED) {
        let _ = write!(
            s,
            "<li><time datetime=\"{d}\">{d}</time> <span class=\"chip {}\">{}</span></li>",
            status_class(p.status),
            status_words(p.status),
            d = p.from
        );
    }
    s.push_str("</ol>");
    let earlier = h.periods.len() - 1 - (h.periods.len() - 1).min(LISTED);
    if earlier > 0 {
        let _ = write!(
            s,
            "<span class=\"more\">and {} earlier</span>",
            plural(earlier, "change", "changes")
        );
    }
    s
}

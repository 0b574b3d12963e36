//! A rule with `by:` as one card holding a compact table of its instances
//! (met and pending first), each with its status, the value that decided
//! and a sparkline of the series it reads, instead of one card each.

use super::html::{esc, plural, rule_anchor, status_class, status_label};
use super::svg::num;
use super::unknown::Why;
use super::Report;
use crate::board::{Entry, Row};
use crate::eval::{instance_labels, Timeline};
use crate::lang::program::{Node, NodeKind, Program};
use crate::time::Date;
use std::collections::BTreeMap;
use std::fmt::Write;

/// How many instances that are neither met nor pending the table lists;
/// the rest are counted in a last row.
const QUIET_ROWS: usize = 12;

/// Points of a sparkline: the range is cut into this many equal parts.
const SPARK_STEPS: usize = 40;

/// The card of a rule with `by:`; `rows` are its instances in reading
/// order (met first).
pub fn card(r: &Report, rows: &[&Row], why: Option<&Why>) -> String {
    let first = rows[0];
    let anchor = rule_anchor(&first.name);
    let class = status_class(first.status);
    let met = rows
        .iter()
        .filter(|x| x.status == crate::eval::Status::Met)
        .count();
    let mut s = format!(
        "<article class=\"card grouped {class}\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\">\n<div class=\"card-top\"><span class=\"status {class}\">{}</span>",
        status_label(first.status)
    );
    if let Some(sev) = first.severity {
        let _ = write!(
            s,
            "<span class=\"sev sev-{sev}\" title=\"Severity\">{sev}</span>"
        );
    }
    // Unknown for a stale feed: said as a rule without `by:` says it.
    let unknown = rows
        .iter()
        .any(|x| x.status == crate::eval::Status::Unknown);
    let why = why.filter(|_| unknown);
    if why.is_some_and(Why::stale) {
        s.push_str("<span class=\"stale-mark\" title=\"A data series it reads is stale\">✗ stale feed</span>");
    }
    let _ = writeln!(
        s,
        "<span class=\"since\">{met} met of {}</span></div>",
        plural(rows.len(), "instance", "instances")
    );
    let by: Vec<&str> = first.labels.keys().map(String::as_str).collect();
    let _ = write!(
        s,
        "<h3 id=\"{anchor}-h\">{}</h3>\n<p class=\"rule-id\"><code>{}</code> <span>{} · by {} · {}:{}</span></p>\n",
        esc(first.title.as_deref().unwrap_or(&first.name)),
        esc(&first.name),
        first.kind,
        esc(&by.join(", ")),
        esc(&first.file),
        first.line
    );
    s.push_str(&table(r, rows));
    if let Some(why) = why {
        s.push_str(&super::board::reasons(r, why));
    }
    let _ = write!(
        s,
        "<p class=\"condition\"><span class=\"label\">when</span> <code>{}</code>",
        esc(&first.when)
    );
    if let Some(f) = &first.for_ {
        let _ = write!(
            s,
            " <span class=\"label\">for</span> <code>{}</code>",
            esc(f)
        );
    }
    s.push_str("</p>\n</article>\n");
    s
}

/// The table of instances: met and pending ones all, the others up to
/// [`QUIET_ROWS`], then a count.
fn table(r: &Report, rows: &[&Row]) -> String {
    let model = r.model;
    let rule = model.program.rule(&rows[0].name);
    // Each instance's index, by its labels, to find its narrowed series.
    let index: BTreeMap<BTreeMap<String, String>, u32> = rule
        .map(|k| {
            model
                .instances
                .at(k, r.at)
                .into_iter()
                .map(|i| (crate::eval::labels_map(&instance_labels(model, k, i)), i))
                .collect()
        })
        .unwrap_or_default();
    let slot = rule.and_then(|k| first_series(&model.program.rules[k].when, &model.program, 0));
    let series_name = slot
        .and_then(|sl| model.program.series.get(sl))
        .map(|x| x.label.clone())
        .unwrap_or_default();
    let shown = Entry::shown(rows);
    let quiet = (rows.len() - shown).min(QUIET_ROWS);
    let listed = &rows[..shown + quiet];
    let sparks: Vec<String> = listed
        .iter()
        .map(|row| match (rule, slot, index.get(&row.labels)) {
            (Some(k), Some(sl), Some(&i)) => {
                let tl = model
                    .instances
                    .group_of(k)
                    .and_then(|g| model.instances.groups[g].series(sl, i as usize))
                    .map(|(tl, _)| tl.as_ref())
                    .or_else(|| model.timelines.get(sl).map(|t| t.as_ref()));
                tl.map(|tl| sparkline(tl, r.from, r.at, &row.display))
                    .unwrap_or_default()
            }
            _ => String::new(),
        })
        .collect();
    // A series no instance can be drawn from would leave an empty column.
    let with_spark = sparks.iter().any(|x| !x.is_empty());
    let mut s = String::from("<table class=\"instances\"><thead><tr><th scope=\"col\">Instance</th><th scope=\"col\">Status</th><th scope=\"col\">Value</th>");
    if with_spark {
        let _ = write!(
            s,
            "<th scope=\"col\" class=\"spark-cell\">{}</th>",
            esc(&series_name)
        );
    }
    s.push_str("</tr></thead><tbody>\n");
    for (row, spark) in listed.iter().zip(&sparks) {
        let labels: Vec<String> = row
            .labels
            .iter()
            .map(|(k, v)| format!("<span class=\"lk\">{}</span>={}", esc(k), esc(v)))
            .collect();
        let value = row
            .values
            .first()
            .map(|e| {
                format!(
                    "<code>{}</code> = <strong>{}</strong>",
                    esc(&e.expr),
                    esc(&super::board::shown_value(e))
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "<tr class=\"{}\"><th scope=\"row\">{}</th><td><span class=\"chip {}\">{}</span></td><td>{value}</td>{}</tr>",
            status_class(row.status),
            labels.join(", "),
            status_class(row.status),
            status_label(row.status),
            if with_spark {
                format!("<td class=\"spark-cell\">{spark}</td>")
            } else {
                String::new()
            }
        );
    }
    let rest = &rows[shown + quiet..];
    if !rest.is_empty() {
        let _ = writeln!(
            s,
            "<tr class=\"more\"><td colspan=\"{}\">and {} more: {}</td></tr>",
            if with_spark { 4 } else { 3 },
            plural(rest.len(), "instance", "instances"),
            esc(&Entry::counts(rest))
        );
    }
    s.push_str("</tbody></table>\n");
    s
}

/// The first series that `n` reads, through lets (not through rules).
fn first_series(n: &Node, program: &Program, depth: usize) -> Option<usize> {
    if depth > 64 {
        return None;
    }
    match &n.kind {
        NodeKind::Series(s) => Some(*s),
        NodeKind::Let(i) => first_series(&program.lets[*i].value, program, depth + 1),
        NodeKind::Unary(_, e) => first_series(e, program, depth + 1),
        NodeKind::Binary(_, l, r) => {
            first_series(l, program, depth + 1).or_else(|| first_series(r, program, depth + 1))
        }
        NodeKind::Call(_, args) => args
            .iter()
            .find_map(|a| first_series(a, program, depth + 1)),
        _ => None,
    }
}

/// A small line of `tl` from `from` to `to`: for a list of events (every
/// value 1) the events a day in each of [`SPARK_STEPS`] parts, from a zero
/// baseline (parts hold whole days, not all as many: a steady rate draws a
/// flat line); else the newest value of each part (carried over an empty
/// part).
fn sparkline(tl: &Timeline, from: Date, to: Date, label: &str) -> String {
    let (w, h) = (120.0, 22.0);
    let days = to.days_since(from).max(1) as f64;
    let part_of = |offset: i64| {
        let k = ((offset as f64 / days) * (SPARK_STEPS - 1) as f64).round() as usize;
        k.min(SPARK_STEPS - 1)
    };
    let mut days_in = [0u32; SPARK_STEPS];
    for offset in 0..=to.days_since(from).max(0) {
        days_in[part_of(offset)] += 1;
    }
    let events = tl.values().iter().all(|v| *v == 1.0);
    let mut parts: Vec<Option<f64>> = vec![None; SPARK_STEPS];
    let mut last = None;
    // Up to what an evaluation at `to` reads (calendar buckets complete
    // by then).
    let readable = tl.upto(to);
    for (d, v) in tl.dates()[..readable].iter().zip(tl.values()) {
        if *d < from {
            last = Some(*v);
            continue;
        }
        let k = part_of(d.days_since(from));
        parts[k] = Some(if events {
            parts[k].unwrap_or(0.0) + v
        } else {
            *v
        });
    }
    let mut points = Vec::new();
    for (k, p) in parts.iter().enumerate() {
        let v = if events {
            (days_in[k] > 0).then(|| p.unwrap_or(0.0) / f64::from(days_in[k]))
        } else {
            if p.is_some() {
                last = *p;
            }
            last
        };
        if let Some(v) = v.filter(|v| v.is_finite()) {
            points.push((k as f64, v));
        }
    }
    if points.is_empty() {
        return "<span class=\"spark-none\">no data</span>".to_string();
    }
    let lo = if events {
        0.0
    } else {
        points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min)
    };
    let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let line: Vec<String> = points
        .iter()
        .map(|(k, v)| {
            let x = k / (SPARK_STEPS - 1) as f64 * w;
            let y = h - 1.0 - (v - lo) / span * (h - 2.0);
            format!("{},{}", num(x), num(y))
        })
        .collect();
    format!(
        "<svg class=\"spark\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{0} from {from} to {to}\"><title>{0} from {from} to {to}</title><polyline points=\"{1}\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.2\"/></svg>",
        esc(label),
        line.join(" "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The heights of a sparkline's points.
    fn heights(svg: &str) -> Vec<String> {
        let points = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        points
            .split(' ')
            .map(|p| p.split(',').nth(1).unwrap().to_string())
            .collect()
    }

    #[test]
    fn a_steady_rate_of_events_draws_a_flat_line_above_zero() {
        let from = Date::parse_iso("2025-05-01").unwrap();
        let to = Date::parse_iso("2025-06-30").unwrap();
        let dates: Vec<Date> = (0..=60).map(|i| from.add_days(i).unwrap()).collect();
        let tl = Timeline::new(dates, vec![1.0; 61]);
        let h = heights(&sparkline(&tl, from, to, "busy"));
        assert_eq!(h.len(), SPARK_STEPS);
        assert!(h.iter().all(|y| *y == h[0]), "{h:?}");
        // None at all: flat at the bottom, not the middle.
        let none = Timeline::new(vec![], vec![]);
        assert!(heights(&sparkline(&none, from, to, "busy"))
            .iter()
            .all(|y| y == "21"));
    }
}

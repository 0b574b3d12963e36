//! A figure for every series the rules read: its history (a line for
//! values, daily counts for event lists) with the windows read at the
//! evaluation date shaded and the constants compared with its own values
//! drawn; under it, each other function of the series that a rule
//! compares with a constant, day by day, with that constant.

use super::html::{esc, id_safe, plural, rule_anchor};
use super::reads::{Comparison, SeriesReads};
use super::svg::{self, Chart, Marks, Threshold};
use super::Report;
use crate::eval::{Evaluator, Timeline};
use crate::lang::ast::{BinOp, FieldTest};
use crate::lang::program::{Node, NodeKind, SeriesDef, Step};
use crate::library::Scale;
use crate::time::Date;
use std::fmt::Write;

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 170.0;
const EVENTS_HEIGHT: f64 = 100.0;
const METRIC_HEIGHT: f64 = 120.0;

/// The `Indicator data` section.
pub fn section(r: &Report, reads: &[SeriesReads], ev: &mut Evaluator) -> String {
    let mut s = format!(
        "<section id=\"data\" aria-labelledby=\"data-h\">\n<h2 id=\"data-h\">Indicator data <span class=\"count\">{}</span></h2>\n<p class=\"lede\">Every series the rules read, from {} to {}. Shaded: the windows the rules read at {}. Dashed red lines: the constants a rule compares with (its name on the line). Under a chart: each function of the series a rule compares with a constant, day by day.</p>\n<div class=\"figures\">\n",
        plural(r.model.program.series.len(), "series", "series"),
        r.from,
        r.at,
        r.at
    );
    for (slot, def) in r.model.program.series.iter().enumerate() {
        s.push_str(&figure(r, ev, slot, def, &reads[slot]));
    }
    s.push_str("</div>\n</section>\n");
    s
}

/// A series' definition as written: `red_sea_attacks[actor ~ "houthi"]`.
fn definition(def: &SeriesDef) -> String {
    let field = |f: &crate::lang::ast::FieldRef| {
        if f.quoted {
            format!("{:?}", f.name)
        } else {
            f.name.clone()
        }
    };
    let mut out = def.root.clone();
    for step in &def.steps {
        match step {
            Step::Project(f) => {
                out.push('.');
                out.push_str(&field(f));
            }
            Step::Filter(preds) => {
                let parts: Vec<String> = preds
                    .iter()
                    .map(|(f, test)| {
                        let t = match test {
                            FieldTest::TextEq(v) => format!("== {v:?}"),
                            FieldTest::TextNe(v) => format!("!= {v:?}"),
                            FieldTest::Contains(v) => format!("~ {v:?}"),
                            FieldTest::In(list) => format!("in {list:?}"),
                            FieldTest::Num(op, n) => {
                                format!("{} {}", op.as_str(), crate::eval::value::format_number(*n))
                            }
                        };
                        format!("{} {t}", field(f))
                    })
                    .collect();
                let _ = write!(out, "[{}]", parts.join(", "));
            }
            Step::Bucket(p, a) => out = format!("{}({out}, {})", p.as_str(), a.as_str()),
        }
    }
    out
}

/// True when every observation is worth 1: rows of an event list.
fn is_event_list(tl: &Timeline) -> bool {
    !tl.is_empty() && tl.values().iter().all(|v| *v == 1.0)
}

/// Events per day, for the days in `from..=to` that have any.
fn daily_counts(tl: &Timeline, from: Date, to: Date) -> Vec<(Date, f64)> {
    let mut out: Vec<(Date, f64)> = Vec::new();
    let readable = tl.upto(to);
    for (d, v) in tl.dates()[..readable].iter().zip(tl.values()) {
        if *d < from {
            continue;
        }
        match out.last_mut() {
            Some((last, n)) if last == d => *n += v,
            _ => out.push((*d, *v)),
        }
    }
    out
}

fn op_text(op: BinOp) -> &'static str {
    match op {
        BinOp::Ge => "≥",
        BinOp::Le => "≤",
        BinOp::Ne => "≠",
        BinOp::Eq => "=",
        other => other.as_str(),
    }
}

fn threshold(r: &Report, c: &Comparison) -> Threshold {
    let value = if c.percent {
        crate::eval::value::format_percent(c.value)
    } else {
        crate::eval::value::format_number(c.value)
    };
    Threshold {
        value: c.value,
        label: format!(
            "{} {value} · {}",
            op_text(c.op),
            r.model.program.rules[c.rule].name
        ),
    }
}

/// The value of a function of the series on every day of the range.
fn daily(r: &Report, ev: &mut Evaluator, c: &Comparison) -> Vec<(Date, Option<f64>)> {
    crate::eval::backtest::steps(r.from, r.at, crate::time::Duration::Days(1))
        .into_iter()
        .map(|d| (d, ev.eval(&c.metric, d).as_number()))
        .collect()
}

fn rule_links(r: &Report, rules: &[usize]) -> String {
    rules
        .iter()
        .map(|i| {
            let name = &r.model.program.rules[*i].name;
            format!(
                "<a href=\"#{}\"><code>{}</code></a>",
                rule_anchor(name),
                esc(name)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn figure(
    r: &Report,
    ev: &mut Evaluator,
    slot: usize,
    def: &SeriesDef,
    reads: &SeriesReads,
) -> String {
    let tl = &r.model.timelines[slot];
    let id = format!("series-{slot}-{}", id_safe(&def.label));
    let events = is_event_list(tl);
    let data = r.store.get(&def.root).map(|sid| r.store.series(sid));
    let mut s = format!(
        "<figure class=\"series\" id=\"{}\">\n<figcaption>\n<h3><code>{}</code></h3>\n",
        esc(&id),
        esc(&def.label)
    );
    let written = definition(def);
    let mut facts: Vec<String> = Vec::new();
    if written != def.label {
        facts.push(format!("<code>{}</code>", esc(&written)));
    }
    facts.push(if events { "event list" } else { "values" }.to_string());
    if let Some(unit) = data.and_then(|d| d.unit.as_deref()) {
        facts.push(format!("unit: {}", esc(unit)));
    }
    // Read as the evaluation at `at` reads them: a calendar bucket the
    // data does not complete by then is not counted.
    let in_range = tl.dates()[..tl.upto(r.at)]
        .iter()
        .filter(|d| **d >= r.from && **d <= r.at)
        .count();
    facts.push(if events {
        plural(in_range, "event", "events") + " in the range"
    } else {
        plural(in_range, "observation", "observations") + " in the range"
    });
    if let Some(i) = tl.last_at(r.at) {
        if !events {
            facts.push(format!(
                "newest {} on {}",
                crate::eval::value::format_number(tl.values()[i]),
                tl.dates()[i]
            ));
        } else {
            facts.push(format!("newest on {}", tl.dates()[i]));
        }
    }
    let _ = writeln!(s, "<p class=\"facts\">{}</p>", facts.join(" · "));
    if let Some(desc) = data.and_then(|d| d.description.as_deref()) {
        let _ = writeln!(s, "<p class=\"series-desc\">{}</p>", esc(desc));
    }
    if !reads.rules.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"read-by\">Read by {}</p>",
            rule_links(r, &reads.rules)
        );
    }
    if !reads.mentions.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"read-by\">Quoted in the summary of {}</p>",
            rule_links(r, &reads.mentions)
        );
    }
    s.push_str("</figcaption>\n");

    // The history itself, with what is compared on its own scale.
    let same: Vec<&Comparison> = reads.comparisons.iter().filter(|c| c.same_scale).collect();
    let overlay_from = same
        .iter()
        .find(|c| scale(&c.metric) != Some(Scale::Newest));
    let overlay = overlay_from.map(|c| daily(r, ev, c));
    let windows: Vec<&str> = reads.shades.iter().map(|w| w.label.as_str()).collect();
    let mut description = format!(
        "{} of {} from {} to {}",
        if events { "Events per day" } else { "Values" },
        def.label,
        r.from,
        r.at
    );
    if !windows.is_empty() {
        let _ = write!(
            description,
            "; shaded, the windows read at {}: {}",
            r.at,
            windows.join(", ")
        );
    }
    for c in &same {
        let _ = write!(description, "; line at {}", threshold(r, c).label);
    }
    let chart = Chart {
        id: id.clone(),
        title: format!(
            "{}: {}",
            def.label,
            if events { "events per day" } else { "values" }
        ),
        description,
        width: WIDTH,
        height: if events { EVENTS_HEIGHT } else { HEIGHT },
        from: r.from,
        to: r.at,
        marks: if events {
            Marks::Bars(daily_counts(tl, r.from, r.at))
        } else {
            // What an evaluation at the report's date reads: a calendar
            // bucket the data does not complete by then is not drawn.
            Marks::Line(
                tl.dates()[..tl.upto(r.at)]
                    .iter()
                    .copied()
                    .zip(tl.values().iter().copied())
                    .collect(),
            )
        },
        overlay,
        thresholds: same.iter().map(|c| threshold(r, c)).collect(),
        shades: reads.shades.clone(),
        percent: !same.is_empty() && same.iter().all(|c| c.percent),
        integer: events,
    };
    s.push_str(&svg::chart_pair(&chart));
    s.push('\n');
    if let Some(c) = overlay_from {
        let _ = writeln!(
            s,
            "<p class=\"key\"><span class=\"swatch overlay\" aria-hidden=\"true\"></span><code>{}</code> on each day</p>",
            esc(&c.expr)
        );
    }

    // Every other compared function, one small chart each.
    let mut metrics: Vec<(&str, Vec<&Comparison>)> = Vec::new();
    for c in reads.comparisons.iter().filter(|c| !c.same_scale) {
        match metrics.iter_mut().find(|(e, _)| *e == c.expr) {
            Some((_, list)) => list.push(c),
            None => metrics.push((&c.expr, vec![c])),
        }
    }
    for (k, (expr, list)) in metrics.iter().enumerate() {
        let integer = match scale(&list[0].metric) {
            Some(Scale::Whole) => true,
            Some(Scale::WholeForEvents) => events,
            Some(Scale::Newest | Scale::Series | Scale::Other) | None => false,
        };
        let lines: Vec<Threshold> = list.iter().map(|c| threshold(r, c)).collect();
        let chart = Chart {
            id: format!("{id}-m{k}"),
            title: format!("{expr} on each day"),
            description: format!(
                "{expr} on each day from {} to {}, with {}",
                r.from,
                r.at,
                lines
                    .iter()
                    .map(|l| format!("a line at {}", l.label))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            width: WIDTH,
            height: METRIC_HEIGHT,
            from: r.from,
            to: r.at,
            marks: Marks::Daily(daily(r, ev, list[0])),
            overlay: None,
            thresholds: lines,
            shades: Vec::new(),
            percent: list.iter().any(|c| c.percent),
            integer,
        };
        let _ = writeln!(
            s,
            "<p class=\"metric-title\"><code>{}</code> on each day</p>",
            esc(expr)
        );
        s.push_str(&svg::chart_pair(&chart));
        s.push('\n');
    }
    s.push_str("</figure>\n");
    s
}

/// What the values of a call are, when `n` is one.
fn scale(n: &Node) -> Option<Scale> {
    match &n.kind {
        NodeKind::Call(f, _) => crate::library::get(*f).map(|b| b.scale()),
        _ => None,
    }
}

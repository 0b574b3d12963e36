//! SVG in small pure functions: scales, ticks, paths, and the two charts
//! of the report (a series over time with thresholds and windows, and a
//! rule's status periods as a band). Every coordinate goes through
//! [`num`], so no `NaN` or `inf` can reach the page.

use super::html::esc;
pub use super::ticks::{date_ticks, tick_label, value_ticks};
use crate::eval::backtest::Period;
use crate::time::Date;
use std::fmt::Write;

/// A linear map from a domain of values to a range of coordinates. A
/// domain of one point maps to the middle of the range; a value that is
/// not finite maps there too.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// The map sending `d0` to `r0` and `d1` to `r1`.
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        let finite = [d0, d1, r0, r1].iter().all(|v| v.is_finite());
        if finite {
            Scale { d0, d1, r0, r1 }
        } else {
            Scale {
                d0: 0.0,
                d1: 1.0,
                r0: 0.0,
                r1: 0.0,
            }
        }
    }

    /// The dates `from..=to` spread over `r0..r1`, `from` at `r0` and `to`
    /// at `r1`.
    pub fn dates(from: Date, to: Date, r0: f64, r1: f64) -> Scale {
        Scale::new(f64::from(from.0), f64::from(to.0), r0, r1)
    }

    /// The coordinate of `v`.
    pub fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if !v.is_finite() || span == 0.0 {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }

    /// The coordinate of a date.
    pub fn date(&self, d: Date) -> f64 {
        self.map(f64::from(d.0))
    }
}

/// A coordinate as written in SVG: at most one decimal, `0` for anything
/// that is not a finite number.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".to_string()
    } else if r == r.trunc() && r.abs() < 1e15 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// Drops the points of a polyline that lie on the straight line through
/// their neighbours (within a tenth of a unit), so that a flat or steady
/// run of daily values costs two points.
pub fn simplify(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    for &p in points {
        if out.last() == Some(&p) {
            continue;
        }
        while out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let (dx, dy) = (p.0 - a.0, p.1 - a.1);
            let len = (dx * dx + dy * dy).sqrt();
            let off = if len > 0.0 {
                ((b.0 - a.0) * dy - (b.1 - a.1) * dx).abs() / len
            } else {
                0.0
            };
            let between = (b.0 - a.0) * (p.0 - b.0) + (b.1 - a.1) * (p.1 - b.1) >= 0.0;
            if off < 0.1 && between {
                out.pop();
            } else {
                break;
            }
        }
        out.push(p);
    }
    out
}

/// Path data for polylines: one `M ... L ...` subpath per run.
pub fn path(runs: &[Vec<(f64, f64)>]) -> String {
    let mut d = String::new();
    for run in runs {
        for (i, (x, y)) in run.iter().enumerate() {
            if !d.is_empty() {
                d.push(' ');
            }
            d.push(if i == 0 { 'M' } else { 'L' });
            let _ = write!(d, "{} {}", num(*x), num(*y));
        }
    }
    d
}

/// What a chart draws over time.
#[derive(Clone, Debug, PartialEq)]
pub enum Marks {
    /// Observations joined by a line (dots too, when they are few).
    Line(Vec<(Date, f64)>),
    /// One bar per date: counts of events.
    Bars(Vec<(Date, f64)>),
    /// A value on every day, unknown on some (the line breaks there).
    Daily(Vec<(Date, Option<f64>)>),
}

impl Marks {
    fn values(&self) -> Vec<f64> {
        let all: Vec<f64> = match self {
            Marks::Line(p) | Marks::Bars(p) => p.iter().map(|(_, v)| *v).collect(),
            Marks::Daily(p) => p.iter().filter_map(|(_, v)| *v).collect(),
        };
        all.into_iter().filter(|v| v.is_finite()).collect()
    }
}

/// A horizontal line a rule compares against.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    /// Its value.
    pub value: f64,
    /// Its label (`>= 4 houthi_tempo_high`).
    pub label: String,
}

/// How a stretch of dates is marked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShadeKind {
    /// A window a function reads at the evaluation date.
    Window,
    /// The earlier window `growth` compares with.
    Earlier,
    /// A single date a function reads (`ago`, `change`): a vertical line.
    Point,
}

/// Dates marked on a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Shade {
    /// First date.
    pub first: Date,
    /// Last date.
    pub last: Date,
    /// Its label (`30d`).
    pub label: String,
    /// How it is drawn.
    pub kind: ShadeKind,
}

/// A chart of values over `from..=to`.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Unique among the page's ids.
    pub id: String,
    /// Accessible name.
    pub title: String,
    /// Accessible description.
    pub description: String,
    /// Size in CSS pixels.
    pub width: f64,
    /// Height in CSS pixels, without the lanes that name the windows
    /// (added above the plot, one per window, up to four).
    pub height: f64,
    /// First date shown (the left edge).
    pub from: Date,
    /// Last date shown (the right edge).
    pub to: Date,
    /// The data.
    pub marks: Marks,
    /// A daily curve over the data (a rolling average, say).
    pub overlay: Option<Vec<(Date, Option<f64>)>>,
    /// Horizontal lines.
    pub thresholds: Vec<Threshold>,
    /// Windows.
    pub shades: Vec<Shade>,
    /// Label the value axis as percentages.
    pub percent: bool,
    /// The values are counts: whole-number ticks.
    pub integer: bool,
}

const TOP: f64 = 10.0;
const RIGHT: f64 = 12.0;
const BOTTOM: f64 = 22.0;
/// Height of a lane above the plot that names a window.
const LANE: f64 = 13.0;
/// At most this many lanes; more windows share them.
const LANES: usize = 4;

/// Width of a chart's phone copy in CSS px: about what a 390 px wide
/// screen leaves it, so that it is drawn near 1:1 and its text, sized in
/// CSS px, keeps its size.
pub const NARROW_WIDTH: f64 = 320.0;

/// The chart twice: as drawn for wide screens, and as drawn for phones
/// (`NARROW_WIDTH` wide, its ids suffixed `-n`); the style sheet shows one.
/// Scaling the wide one down to a phone would shrink its text below 8 px.
pub fn chart_pair(c: &Chart) -> String {
    let narrow = Chart {
        id: format!("{}-n", c.id),
        width: NARROW_WIDTH,
        ..c.clone()
    };
    let mut s = chart(c).replacen("<svg class=\"chart\"", "<svg class=\"chart wide\"", 1);
    s.push_str(&chart(&narrow).replacen("<svg class=\"chart\"", "<svg class=\"chart narrow\"", 1));
    s
}

/// The chart as an `<svg>` element.
pub fn chart(c: &Chart) -> String {
    let in_range = |d: &Date| *d >= c.from && *d <= c.to;
    let marks = match &c.marks {
        Marks::Line(p) => Marks::Line(p.iter().copied().filter(|(d, _)| in_range(d)).collect()),
        Marks::Bars(p) => Marks::Bars(p.iter().copied().filter(|(d, _)| in_range(d)).collect()),
        Marks::Daily(p) => Marks::Daily(p.iter().copied().filter(|(d, _)| in_range(d)).collect()),
    };
    let overlay: Vec<(Date, Option<f64>)> = c
        .overlay
        .iter()
        .flatten()
        .copied()
        .filter(|(d, _)| in_range(d))
        .collect();
    let data = marks.values();
    let mut all = data.clone();
    all.extend(
        overlay
            .iter()
            .filter_map(|(_, v)| *v)
            .filter(|v| v.is_finite()),
    );
    all.extend(
        c.thresholds
            .iter()
            .map(|t| t.value)
            .filter(|v| v.is_finite()),
    );
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if all.is_empty() {
        (0.0, 1.0)
    } else {
        (lo.min(0.0), hi.max(0.0))
    };
    let ticks = value_ticks(lo, hi, 4, c.integer);
    let step = match ticks.as_slice() {
        [a, b, ..] => b - a,
        _ => 1.0,
    };
    let labels: Vec<String> = ticks
        .iter()
        .map(|t| tick_label(*t, step, c.percent))
        .collect();
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    let left = (widest as f64 * 6.6 + 10.0).max(30.0);
    let (x0, x1) = (left, c.width - RIGHT);
    let lanes = c.shades.len().min(LANES) as f64 * LANE;
    let height = c.height + lanes;
    let (y0, y1) = (height - BOTTOM, TOP + lanes);
    let x = Scale::dates(c.from, c.to, x0, x1);
    let y = Scale::new(
        ticks.first().copied().unwrap_or(0.0),
        ticks.last().copied().unwrap_or(1.0),
        y0,
        y1,
    );
    let mut s = open(c, height);
    // Value grid and labels.
    if !data.is_empty() {
        s.push_str("<g class=\"grid\">");
        for (t, label) in ticks.iter().zip(&labels) {
            let ty = num(y.map(*t));
            let _ = write!(
                s,
                "<line x1=\"{}\" x2=\"{}\" y1=\"{ty}\" y2=\"{ty}\"/><text class=\"tick\" x=\"{}\" y=\"{ty}\" dy=\"3.5\" text-anchor=\"end\">{}</text>",
                num(x0),
                num(x1),
                num(x0 - 6.0),
                esc(label)
            );
        }
        s.push_str("</g>");
    }
    s.push_str(&shades(c, &x, x0, (y0, y1)));
    s.push_str(&time_axis(
        c.from,
        c.to,
        &x,
        y0,
        ((x1 - x0) / 60.0) as usize,
    ));
    if data.is_empty() {
        let _ = write!(
            s,
            "<text class=\"no-data\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{} from {} to {}</text>",
            num((x0 + x1) / 2.0),
            num((y0 + y1) / 2.0 + 4.0),
            if matches!(marks, Marks::Daily(_)) {
                "Unknown on every day"
            } else {
                "No data"
            },
            c.from,
            c.to
        );
    } else {
        s.push_str(&draw_marks(&marks, &x, &y, c.from, c.to));
    }
    if !overlay.is_empty() {
        let _ = write!(
            s,
            "<path class=\"overlay\" d=\"{}\"/>",
            path(&daily_runs(&overlay, &x, &y))
        );
    }
    if !data.is_empty() {
        s.push_str(&thresholds(&c.thresholds, &y, x0, x1, y1));
    }
    s.push_str("</svg>");
    s
}

fn open(c: &Chart, height: f64) -> String {
    let id = esc(&c.id);
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(&c.title),
        esc(&c.description),
        w = num(c.width),
        h = num(height),
    )
}

/// Runs of pixel points of a daily curve, broken where it is unknown.
fn daily_runs(points: &[(Date, Option<f64>)], x: &Scale, y: &Scale) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut run = Vec::new();
    for (d, v) in points {
        match v.filter(|v| v.is_finite()) {
            Some(v) => run.push((x.date(*d), y.map(v))),
            None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs.into_iter().map(|r| simplify(&r)).collect()
}

fn draw_marks(marks: &Marks, x: &Scale, y: &Scale, from: Date, to: Date) -> String {
    let mut s = String::new();
    match marks {
        Marks::Line(points) => {
            let px: Vec<(f64, f64)> = points
                .iter()
                .map(|(d, v)| (x.date(*d), y.map(*v)))
                .collect();
            let _ = write!(s, "<path class=\"line\" d=\"{}\"/>", path(&[simplify(&px)]));
            if points.len() <= 60 {
                s.push_str("<g class=\"dots\">");
                for (px, py) in &px {
                    let _ = write!(
                        s,
                        "<circle cx=\"{}\" cy=\"{}\" r=\"2.2\"/>",
                        num(*px),
                        num(*py)
                    );
                }
                s.push_str("</g>");
            }
        }
        Marks::Bars(points) => {
            let days = (to.days_since(from) + 1).max(1) as f64;
            let w = ((x.date(to) - x.date(from)) / days * 0.8).max(1.6);
            let base = y.map(0.0);
            s.push_str("<g class=\"bars\">");
            for (d, v) in points {
                let top = y.map(*v);
                let _ = write!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                    num(x.date(*d) - w / 2.0),
                    num(top.min(base)),
                    num(w),
                    num((base - top).abs().max(1.0))
                );
            }
            s.push_str("</g>");
        }
        Marks::Daily(points) => {
            let _ = write!(
                s,
                "<path class=\"line\" d=\"{}\"/>",
                path(&daily_runs(points, x, y))
            );
        }
    }
    s
}

/// Windows: a light fill over the plot, and a bar with its label in a
/// lane above it (widest on top), so that overlapping windows stay apart.
fn shades(c: &Chart, x: &Scale, x0: f64, (y0, y1): (f64, f64)) -> String {
    let mut list: Vec<&Shade> = c.shades.iter().collect();
    list.sort_by_key(|s| std::cmp::Reverse(s.last.days_since(s.first)));
    let mut fills = String::from("<g class=\"windows\">");
    let mut lanes = String::from("<g class=\"lanes\">");
    let mut labels = String::new();
    for (i, sh) in list.iter().enumerate() {
        let first = sh.first.max(c.from);
        let last = sh.last.min(c.to);
        if first > c.to || last < c.from {
            continue;
        }
        let (a, b) = (x.date(first), x.date(last));
        let mid = TOP + (i % LANES) as f64 * LANE + LANE / 2.0;
        let label = esc(&sh.label);
        let width = sh.label.chars().count() as f64 * 6.0;
        // The label goes left of the bar when there is room, else on it.
        let (lx, anchor) = if a - x0 >= width + 6.0 {
            (a - 4.0, "end")
        } else {
            (a + 3.0, "start")
        };
        let _ = write!(
            labels,
            "<text class=\"window-label\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{label}</text>",
            num(lx),
            num(mid + 3.5)
        );
        match sh.kind {
            ShadeKind::Point => {
                let _ = write!(
                    fills,
                    "<line class=\"point\" x1=\"{a}\" x2=\"{a}\" y1=\"{}\" y2=\"{}\"/>",
                    num(y0),
                    num(mid),
                    a = num(a),
                );
            }
            ShadeKind::Window | ShadeKind::Earlier => {
                let class = if sh.kind == ShadeKind::Window {
                    "window"
                } else {
                    "window earlier"
                };
                let _ = write!(
                    fills,
                    "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                    num(a),
                    num(y1),
                    num((b - a).max(1.0)),
                    num(y0 - y1),
                );
                let _ = write!(
                    lanes,
                    "<rect class=\"lane-bar{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"4\" rx=\"1\"/>",
                    if sh.kind == ShadeKind::Earlier { " earlier" } else { "" },
                    num(a),
                    num(mid - 2.0),
                    num((b - a).max(1.0)),
                );
            }
        }
    }
    fills.push_str("</g>");
    lanes.push_str(&labels);
    lanes.push_str("</g>");
    fills + &lanes
}

fn time_axis(from: Date, to: Date, x: &Scale, y0: f64, max: usize) -> String {
    let mut s = format!(
        "<g class=\"axis\"><line x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/>",
        num(x.date(from)),
        num(x.date(to)),
        y = num(y0)
    );
    for (d, label) in date_ticks(from, to, max.max(2)) {
        let tx = num(x.date(d));
        let _ = write!(
            s,
            "<line x1=\"{tx}\" x2=\"{tx}\" y1=\"{}\" y2=\"{}\"/><text class=\"tick\" x=\"{tx}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            num(y0),
            num(y0 + 4.0),
            num(y0 + 15.0),
            esc(&label)
        );
    }
    s.push_str("</g>");
    s
}

fn thresholds(list: &[Threshold], y: &Scale, x0: f64, x1: f64, top: f64) -> String {
    let mut s = String::from("<g class=\"thresholds\">");
    let mut sorted: Vec<&Threshold> = list.iter().collect();
    sorted.sort_by(|a, b| b.value.total_cmp(&a.value));
    let mut last_label: Option<f64> = None;
    for t in sorted {
        let ty = y.map(t.value);
        // Above the line, unless that would run into the label above or
        // out of the plot.
        let mut ly = ty - 4.0;
        if ly < top + 8.0 || last_label.is_some_and(|l| ly - l < 11.0) {
            ly = ty + 11.0;
        }
        last_label = Some(ly);
        let _ = write!(
            s,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{ty}\" y2=\"{ty}\"/><text class=\"threshold-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            num(x0),
            num(x1),
            num(x1 - 2.0),
            num(ly),
            esc(&t.label),
            ty = num(ty),
        );
    }
    s.push_str("</g>");
    s
}

/// A rule's status over `from..=to` as a band of coloured periods, each
/// day as wide as the others; `ticks` are dates for faint vertical lines.
pub fn status_band(
    periods: &[Period],
    from: Date,
    to: Date,
    ticks: &[Date],
    title: &str,
) -> String {
    const W: f64 = 1000.0;
    const H: f64 = 16.0;
    let end = to.add_days(1).unwrap_or(to);
    let x = Scale::dates(from, end, 0.0, W);
    let mut s = format!(
        "<svg class=\"band\" viewBox=\"0 0 {W} {H}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        esc(title),
        esc(title)
    );
    for p in periods {
        let a = x.date(p.from.max(from));
        let b = x.date(p.to.min(to).add_days(1).unwrap_or(p.to));
        let _ = write!(
            s,
            "<rect class=\"{}\" x=\"{}\" y=\"0\" width=\"{}\" height=\"{H}\"/>",
            super::html::status_class(p.status),
            num(a),
            num((b - a).max(0.5)),
        );
    }
    for d in ticks {
        let tx = num(x.date(*d));
        let _ = write!(
            s,
            "<line class=\"tick\" x1=\"{tx}\" x2=\"{tx}\" y1=\"0\" y2=\"{H}\"/>"
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Status;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn numbers_in(svg: &str, attr: &str) -> Vec<f64> {
        let key = format!(" {attr}=\"");
        svg.match_indices(&key)
            .map(|(i, _)| {
                let rest = &svg[i + key.len()..];
                rest[..rest.find('"').unwrap()].parse::<f64>().unwrap()
            })
            .collect()
    }

    fn no_bad_numbers(svg: &str) {
        for bad in ["NaN", "inf", "Infinity"] {
            assert!(!svg.contains(bad), "{bad} in {svg}");
        }
    }

    fn sample(marks: Marks) -> Chart {
        Chart {
            id: "c".into(),
            title: "t".into(),
            description: "d".into(),
            width: 600.0,
            height: 200.0,
            from: d("2025-01-01"),
            to: d("2025-12-31"),
            marks,
            overlay: None,
            thresholds: vec![],
            shades: vec![],
            percent: false,
            integer: false,
        }
    }

    #[test]
    fn scales_map_the_domain_ends_to_the_range_ends() {
        let x = Scale::dates(d("2025-01-01"), d("2025-12-31"), 40.0, 588.0);
        assert_eq!(x.date(d("2025-01-01")), 40.0);
        assert_eq!(x.date(d("2025-12-31")), 588.0);
        let y = Scale::new(0.0, 10.0, 178.0, 10.0);
        assert_eq!(y.map(0.0), 178.0);
        assert_eq!(y.map(10.0), 10.0);
        assert_eq!(y.map(5.0), 94.0);
    }

    #[test]
    fn degenerate_scales_give_finite_coordinates() {
        let one_day = Scale::dates(d("2025-01-01"), d("2025-01-01"), 0.0, 100.0);
        assert_eq!(one_day.date(d("2025-01-01")), 50.0);
        let y = Scale::new(f64::NAN, 1.0, 0.0, 100.0);
        assert!(y.map(0.5).is_finite());
        assert_eq!(Scale::new(0.0, 1.0, 0.0, 100.0).map(f64::NAN), 50.0);
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(f64::INFINITY), "0");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(40.0), "40");
    }

    #[test]
    fn first_and_last_points_sit_on_the_plot_edges() {
        let svg = chart(&sample(Marks::Line(vec![
            (d("2025-01-01"), 1.0),
            (d("2025-06-01"), 5.0),
            (d("2025-12-31"), 3.0),
        ])));
        no_bad_numbers(&svg);
        let cx = numbers_in(&svg, "cx");
        assert_eq!(cx.len(), 3);
        // Left edge: after the value labels; right edge: width - RIGHT.
        let axis = &svg[svg.find("<g class=\"axis\">").unwrap()..];
        let x1 = numbers_in(axis, "x1")[0];
        let x2 = numbers_in(axis, "x2")[0];
        assert_eq!(cx[0], x1);
        assert_eq!(cx[2], x2);
        assert_eq!(x2, 600.0 - RIGHT);
    }

    #[test]
    fn a_threshold_line_sits_at_its_value() {
        let mut c = sample(Marks::Line(vec![
            (d("2025-01-01"), 0.0),
            (d("2025-12-31"), 8.0),
        ]));
        c.thresholds = vec![Threshold {
            value: 5.0,
            label: ">= 5 high".into(),
        }];
        let svg = chart(&c);
        // Ticks 0, 2, ..., 8 over y from 178 (200 - BOTTOM) to 10 (TOP).
        let t = &svg[svg.find("<g class=\"thresholds\">").unwrap()..];
        let y1 = numbers_in(t, "y1")[0];
        let expected = 178.0 - 5.0 / 8.0 * 168.0;
        assert!((y1 - expected).abs() < 0.06, "{y1} vs {expected}");
        assert!(t.contains("&gt;= 5 high"));
    }

    #[test]
    fn a_threshold_beyond_the_data_widens_the_axis() {
        let mut c = sample(Marks::Bars(vec![(d("2025-03-01"), 1.0)]));
        c.integer = true;
        c.thresholds = vec![Threshold {
            value: 4.0,
            label: "x".into(),
        }];
        let svg = chart(&c);
        let t = &svg[svg.find("<g class=\"thresholds\">").unwrap()..];
        assert!(numbers_in(t, "y1")[0] >= TOP);
        assert!(svg.contains(">4</text>"));
    }

    #[test]
    fn an_empty_series_gives_a_no_data_chart() {
        for marks in [
            Marks::Line(vec![]),
            Marks::Bars(vec![]),
            Marks::Line(vec![(d("2025-02-01"), f64::NAN)]),
            Marks::Line(vec![(d("2020-01-01"), 3.0)]),
        ] {
            let mut c = sample(marks);
            c.thresholds = vec![Threshold {
                value: 2.0,
                label: "t".into(),
            }];
            let svg = chart(&c);
            assert!(
                svg.contains("No data from 2025-01-01 to 2025-12-31"),
                "{svg}"
            );
            no_bad_numbers(&svg);
        }
        let svg = chart(&sample(Marks::Daily(vec![(d("2025-02-01"), None)])));
        assert!(svg.contains("Unknown on every day from 2025-01-01"));
        no_bad_numbers(&svg);
        // A one-day range and a constant series.
        let mut c = sample(Marks::Line(vec![(d("2025-01-01"), 7.0)]));
        c.to = c.from;
        let svg = chart(&c);
        no_bad_numbers(&svg);
        assert!(!svg.contains("No data"));
    }

    #[test]
    fn user_text_comes_out_inert() {
        let mut c = sample(Marks::Line(vec![(d("2025-03-01"), 1.0)]));
        c.title = "<script>alert(1)</script>".into();
        c.id = "a\"b".into();
        c.thresholds = vec![Threshold {
            value: 1.0,
            label: "</svg><script>".into(),
        }];
        let svg = chart(&c);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("a&quot;b-t"));
        assert_eq!(svg.matches("</svg>").count(), 1);
    }

    #[test]
    fn windows_are_shaded_between_their_dates() {
        let mut c = sample(Marks::Line(vec![
            (d("2025-01-01"), 0.0),
            (d("2025-12-31"), 1.0),
        ]));
        c.shades = vec![Shade {
            first: d("2025-12-02"),
            last: d("2025-12-31"),
            label: "30d".into(),
            kind: ShadeKind::Window,
        }];
        let svg = chart(&c);
        let w = &svg[svg.find("<rect class=\"window\"").unwrap()..];
        let x = numbers_in(w, "x")[0];
        let width = numbers_in(w, "width")[0];
        assert!((x + width - (600.0 - RIGHT)).abs() < 0.11);
        assert!(width > 0.0 && width < 60.0);
    }

    #[test]
    fn simplify_keeps_corners_only() {
        let pts: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, 5.0)).collect();
        assert_eq!(simplify(&pts), vec![(0.0, 5.0), (9.0, 5.0)]);
        let step = [(0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (3.0, 2.0), (4.0, 2.0)];
        assert_eq!(
            simplify(&step),
            vec![(0.0, 1.0), (2.0, 1.0), (3.0, 2.0), (4.0, 2.0)]
        );
        assert_eq!(path(&[vec![(0.0, 1.0), (2.5, 3.04)]]), "M0 1 L2.5 3");
    }

    #[test]
    fn status_bands_cover_their_days() {
        let periods = vec![
            Period {
                status: Status::NotMet,
                from: d("2025-01-01"),
                to: d("2025-01-02"),
                steps: 2,
            },
            Period {
                status: Status::Met,
                from: d("2025-01-03"),
                to: d("2025-01-04"),
                steps: 2,
            },
        ];
        let svg = status_band(&periods, d("2025-01-01"), d("2025-01-04"), &[], "x <y>");
        assert!(svg.contains("class=\"not-met\" x=\"0\" y=\"0\" width=\"500\""));
        assert!(svg.contains("class=\"met\" x=\"500\" y=\"0\" width=\"500\""));
        assert!(svg.contains("x &lt;y&gt;"));
        no_bad_numbers(&svg);
    }

    #[test]
    fn a_chart_comes_in_a_wide_and_a_phone_copy() {
        let c = sample(Marks::Line(vec![
            (d("2025-01-01"), 1.0),
            (d("2025-06-01"), 5.0),
        ]));
        let pair = chart_pair(&c);
        assert_eq!(pair.matches("<svg class=\"chart wide\"").count(), 1);
        assert_eq!(pair.matches("<svg class=\"chart narrow\"").count(), 1);
        assert!(pair.contains(&format!("viewBox=\"0 0 {} ", num(NARROW_WIDTH))));
        assert!(pair.contains(&format!("id=\"{}-n-t\"", c.id)));
    }
}

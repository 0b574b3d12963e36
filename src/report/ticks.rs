//! Ticks for the axes of the charts: round values, and dates on the first
//! days of months (or years, or days for short ranges), with their labels.

use crate::time::Date;
use chrono::Datelike;

/// Round tick values covering `lo..=hi`, about `target` intervals apart,
/// at steps of 1, 2, 2.5 or 5 times a power of ten (at least 1 when
/// `integer`). The first tick is `<= lo`, the last `>= hi`.
pub fn value_ticks(lo: f64, hi: f64, target: usize, integer: bool) -> Vec<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo.min(hi), lo.max(hi))
    } else {
        (0.0, 1.0)
    };
    let hi = if hi > lo { hi } else { lo + lo.abs().max(1.0) };
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let mut step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag);
    if integer {
        step = step.max(1.0).round();
    }
    let start = (lo / step + 1e-9).floor() * step;
    let mut ticks = Vec::new();
    let mut k = 0.0;
    loop {
        let t = start + k * step;
        // Snap away the float noise of `k * step`.
        let t = (t / step).round() * step;
        ticks.push(if t == 0.0 { 0.0 } else { t });
        if t >= hi - step * 1e-9 || ticks.len() > 50 {
            break;
        }
        k += 1.0;
    }
    ticks
}

/// A tick value as a label: thousands grouped, as many decimals as the
/// step between ticks needs, or as a percentage.
pub fn tick_label(v: f64, step: f64, percent: bool) -> String {
    let (v, step) = if percent {
        (v * 100.0, step * 100.0)
    } else {
        (v, step)
    };
    let decimals = if step > 0.0 && step.is_finite() {
        let mut d = 0;
        while d < 6 && ((step * 10f64.powi(d)).round() - step * 10f64.powi(d)).abs() > 1e-6 {
            d += 1;
        }
        d as usize
    } else {
        0
    };
    let text = format!("{v:.decimals$}");
    let text = if text.chars().all(|c| matches!(c, '-' | '0' | '.')) {
        "0".to_string()
    } else {
        group_thousands(&text)
    };
    if percent {
        format!("{text}%")
    } else {
        text
    }
}

fn group_thousands(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    if int.len() <= 4 {
        return text.to_string();
    }
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Dates for the ticks of a time axis from `from` to `to`, at most about
/// `max` of them: first days of months (every 1, 2, 3, 6 or 12 months, or
/// whole years), or days for a range of two months or less. Each comes
/// with its label.
pub fn date_ticks(from: Date, to: Date, max: usize) -> Vec<(Date, String)> {
    let days = to.days_since(from);
    let max = max.max(2) as i64;
    if days < 0 {
        return Vec::new();
    }
    if days <= 62 {
        let step = [1, 2, 7, 14, 31]
            .into_iter()
            .find(|s| days / s <= max)
            .unwrap_or(31);
        return (0..=days / step)
            .filter_map(|k| from.add_days(k * step))
            .map(|d| {
                let n = d.to_naive();
                (d, format!("{} {}", MONTHS[n.month0() as usize], n.day()))
            })
            .collect();
    }
    let months = days / 30;
    let step = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200]
        .into_iter()
        .find(|s| months / s <= max)
        .unwrap_or(1200);
    let start = from.to_naive();
    let index = |y: i32, m0: u32| i64::from(y) * 12 + i64::from(m0);
    let mut k = index(start.year(), start.month0());
    if start.day() != 1 {
        k += 1;
    }
    k += (step - k.rem_euclid(step)) % step;
    let mut out = Vec::new();
    while let Some(d) = Date::from_ymd((k / 12) as i32, (k % 12) as u32 + 1, 1) {
        if d > to {
            break;
        }
        let label = if step >= 12 {
            format!("{}", k / 12)
        } else if k % 12 == 0 || out.is_empty() {
            format!("{} {}", MONTHS[(k % 12) as usize], k / 12)
        } else {
            MONTHS[(k % 12) as usize].to_string()
        };
        out.push((d, label));
        k += step;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            value_ticks(0.0, 8.0, 4, false),
            vec![0.0, 2.0, 4.0, 6.0, 8.0]
        );
        assert_eq!(value_ticks(0.0, 1.0, 4, true), vec![0.0, 1.0]);
        assert_eq!(value_ticks(0.0, 5447.0, 4, false).last(), Some(&6000.0));
        let t = value_ticks(0.0, 3.2, 4, false);
        assert_eq!(t.first(), Some(&0.0));
        assert!(*t.last().unwrap() >= 3.2);
        assert_eq!(
            value_ticks(f64::NAN, 1.0, 4, false),
            vec![0.0, 0.25, 0.5, 0.75, 1.0]
        );
        assert_eq!(value_ticks(3.0, 3.0, 4, false).first(), Some(&3.0));
        assert_eq!(tick_label(5000.0, 1000.0, false), "5000");
        assert_eq!(tick_label(12000.0, 2000.0, false), "12,000");
        assert_eq!(tick_label(0.5, 0.25, false), "0.50");
        assert_eq!(tick_label(3.0, 1.0, true), "300%");
        assert_eq!(tick_label(-0.0, 1.0, false), "0");
        assert_eq!(tick_label(-0.001, 0.25, false), "0");
    }

    #[test]
    fn date_ticks_fall_on_month_starts() {
        let t = date_ticks(d("2023-07-20"), d("2025-07-20"), 8);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["Oct 2023", "Jan 2024", "Apr", "Jul", "Oct", "Jan 2025", "Apr", "Jul"]
        );
        assert_eq!(t[0].0, d("2023-10-01"));
        let short = date_ticks(d("2025-07-01"), d("2025-07-20"), 8);
        assert_eq!(short[0].1, "Jul 1");
        assert!(date_ticks(d("2025-07-20"), d("2025-07-01"), 8).is_empty());
        let long = date_ticks(d("2000-01-01"), d("2025-07-20"), 8);
        assert!(long.len() <= 8 && long[0].1 == "2000");
    }
}

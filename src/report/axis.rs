//! Which labels of the status history's date axis fit side by side. The
//! labels are HTML, centred on their tick, so whether two overlap depends
//! on the axis's width in CSS px: every label is kept that fits on a wide
//! screen, and those that would not fit at 390 px are hidden there.

use super::svg::Scale;
use crate::time::Date;

/// The axis's width in CSS px on a 390 px wide screen, a little under
/// what the narrow layout of `style.css` gives it (about 200 px).
pub const NARROW_PX: f64 = 180.0;
/// The axis's width in CSS px on a 1280 px wide screen (about 520 px).
pub const WIDE_PX: f64 = 480.0;
/// The labels' font size in CSS px (`.history thead th`).
const FONT_PX: f64 = 12.0;
/// The least space between two labels, in CSS px.
const GAP_PX: f64 = 6.0;

/// A label's estimated width in CSS px: 0.6 em a character, wider than
/// the digits and most letters of the page's sans-serif font.
pub fn label_px(label: &str) -> f64 {
    label.chars().count() as f64 * 0.6 * FONT_PX
}

/// For each tick (its date and label), whether it is shown on an axis `px`
/// wide: every `k`-th from the first, for the least `k` with which no two
/// shown labels overlap.
pub fn fitting(ticks: &[(Date, String)], from: Date, to: Date, px: f64) -> Vec<bool> {
    let end = to.add_days(1).unwrap_or(to);
    let x = Scale::dates(from, end, 0.0, px);
    let at: Vec<f64> = ticks.iter().map(|(d, _)| x.date(*d)).collect();
    let fits = |k: usize| {
        let shown: Vec<usize> = (0..ticks.len()).step_by(k).collect();
        shown.windows(2).all(|w| {
            let need = (label_px(&ticks[w[0]].1) + label_px(&ticks[w[1]].1)) / 2.0 + GAP_PX;
            at[w[1]] - at[w[0]] >= need
        })
    };
    let k = (1..ticks.len().max(1))
        .find(|&k| fits(k))
        .unwrap_or(ticks.len().max(1));
    (0..ticks.len()).map(|i| i % k == 0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::svg::date_ticks;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    /// The shown labels' boxes, left and right edges in px.
    fn boxes(from: &str, to: &str, px: f64) -> Vec<(f64, f64)> {
        let (from, to) = (d(from), d(to));
        let ticks = date_ticks(from, to, 8);
        let keep = fitting(&ticks, from, to, px);
        let x = Scale::dates(from, to.add_days(1).unwrap(), 0.0, px);
        ticks
            .iter()
            .zip(keep)
            .filter(|(_, k)| *k)
            .map(|((day, label), _)| {
                let (c, w) = (x.date(*day), label_px(label));
                (c - w / 2.0, c + w / 2.0)
            })
            .collect()
    }

    #[test]
    fn no_two_labels_overlap_on_a_phone_or_a_desktop() {
        for (from, to) in [
            // The shipped example's range, a long one and a short one.
            ("2023-07-20", "2025-07-20"),
            ("2000-01-01", "2025-07-20"),
            ("2025-07-01", "2025-07-20"),
            ("2025-01-01", "2025-07-20"),
        ] {
            for px in [NARROW_PX, WIDE_PX] {
                let b = boxes(from, to, px);
                assert!(!b.is_empty(), "{from} {to} {px}");
                for w in b.windows(2) {
                    assert!(w[0].1 + GAP_PX <= w[1].0, "{from} {to} {px}: {b:?}");
                }
            }
        }
        // A phone shows fewer labels than a desktop, but more than one.
        assert!(boxes("2023-07-20", "2025-07-20", NARROW_PX).len() >= 2);
        assert!(
            boxes("2023-07-20", "2025-07-20", NARROW_PX).len()
                < boxes("2023-07-20", "2025-07-20", WIDE_PX).len()
        );
    }
}

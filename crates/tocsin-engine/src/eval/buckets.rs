//! Calendar buckets of a series: one observation per complete period,
//! computed once per load.

use crate::lang::bucket::{Agg, Period};
use crate::time::Date;

/// The observations `dates`/`values` (dates ascending, load order within
/// a date) bucketed by `period` with `agg`. A bucket is emitted only when
/// it is complete: its last day is on or before `complete_through` (the
/// newest observation of the data series underneath, before any filter).
/// With `sum` and `count`, every complete bucket from the one holding the
/// first observation on is emitted, 0 when nothing fell in it.
pub fn bucket(
    dates: &[Date],
    values: &[f64],
    period: Period,
    agg: Agg,
    complete_through: Option<Date>,
) -> (Vec<Date>, Vec<f64>) {
    let (mut out_dates, mut out_values) = (Vec::new(), Vec::new());
    let (Some(&first), Some(limit)) = (dates.first(), complete_through) else {
        return (out_dates, out_values);
    };
    let mut i = 0;
    // The end of the bucket of `first`; `None` only past the calendar's end.
    let mut end = period.last_day(first);
    while let Some(e) = end {
        if e > limit {
            break;
        }
        let j = run_end(dates, i, e);
        if let Some(v) = agg.of(&values[i..j]) {
            out_dates.push(e);
            out_values.push(v);
        }
        i = j;
        end = if agg.fills_empty() {
            period.next_last_day(e)
        } else {
            // Empty buckets are left out: go straight to the next
            // observation's.
            dates.get(i).and_then(|&d| period.last_day(d))
        };
    }
    (out_dates, out_values)
}

/// The end of the run of `dates` from `i` on that fall on or before `e`:
/// a galloping search, so that a bucket costs the logarithm of its own
/// length rather than of the rest of the series (a daily bucket of a daily
/// series is a step or two, not a binary search over ten years).
fn run_end(dates: &[Date], i: usize, e: Date) -> usize {
    let (mut lo, mut step) = (i, 1);
    // Every date of `dates[i..lo]` is on or before `e`.
    while lo + step <= dates.len() && dates[lo + step - 1] <= e {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step).min(dates.len());
    lo + dates[lo..hi].partition_point(|d| *d <= e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn run(rows: &[(&str, f64)], p: Period, a: Agg, through: &str) -> Vec<(String, f64)> {
        let dates: Vec<Date> = rows.iter().map(|r| d(r.0)).collect();
        let values: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let (ds, vs) = bucket(&dates, &values, p, a, Some(d(through)));
        ds.iter().map(|x| x.to_string()).zip(vs).collect()
    }

    const ROWS: &[(&str, f64)] = &[
        ("2025-01-15", 10.0),
        ("2025-01-15", 12.0),
        ("2025-01-20", 5.0),
        ("2025-03-10", 3.0),
        ("2025-04-02", 1.0),
    ];

    #[test]
    fn sums_fill_empty_months_and_stop_at_the_last_complete_one() {
        let got = run(ROWS, Period::Monthly, Agg::Sum, "2025-04-02");
        assert_eq!(
            got,
            [
                ("2025-01-31".into(), 27.0),
                ("2025-02-28".into(), 0.0),
                ("2025-03-31".into(), 3.0)
            ]
        );
        // Complete through the end of April: April counts too.
        let got = run(ROWS, Period::Monthly, Agg::Count, "2025-04-30");
        assert_eq!(got.len(), 4);
        assert_eq!(got[3], ("2025-04-30".into(), 1.0));
    }

    #[test]
    fn other_aggregates_leave_empty_buckets_out() {
        let got = run(ROWS, Period::Monthly, Agg::Avg, "2025-12-31");
        assert_eq!(
            got,
            [
                ("2025-01-31".into(), 9.0),
                ("2025-03-31".into(), 3.0),
                ("2025-04-30".into(), 1.0)
            ]
        );
        let got = run(ROWS, Period::Daily, Agg::Last, "2025-04-01");
        assert_eq!(
            got,
            [
                ("2025-01-15".into(), 12.0),
                ("2025-01-20".into(), 5.0),
                ("2025-03-10".into(), 3.0)
            ]
        );
        let got = run(ROWS, Period::Daily, Agg::First, "2025-01-15");
        assert_eq!(got, [("2025-01-15".into(), 10.0)]);
    }

    #[test]
    fn weeks_are_iso_weeks_and_nothing_is_emitted_without_data() {
        // 2025-01-15 is a Wednesday: its week ends Sunday the 19th.
        let got = run(ROWS, Period::Weekly, Agg::Max, "2025-01-26");
        assert_eq!(
            got,
            [("2025-01-19".into(), 12.0), ("2025-01-26".into(), 5.0)]
        );
        assert!(run(&[], Period::Monthly, Agg::Sum, "2025-12-31").is_empty());
        let (ds, _) = bucket(&[d("2025-01-01")], &[1.0], Period::Yearly, Agg::Sum, None);
        assert!(ds.is_empty());
    }

    proptest! {
        /// The galloping search finds what a binary search over the rest
        /// of the series finds.
        #[test]
        fn run_end_matches_a_binary_search(
            mut days in proptest::collection::vec(0i32..300, 0..200),
            from in 0usize..200,
            e in -5i32..310,
        ) {
            days.sort_unstable();
            let dates: Vec<Date> = days.iter().map(|&x| Date(x)).collect();
            let i = from.min(dates.len());
            prop_assert_eq!(run_end(&dates, i, Date(e)), i + dates[i..].partition_point(|d| d.0 <= e));
        }

        /// Every bucket's value is what a plain grouping of the
        /// observations by bucket gives.
        #[test]
        fn buckets_match_a_plain_grouping(
            mut rows in proptest::collection::vec((0i32..400, -5i32..5), 0..60),
            through in 0i32..420,
            p in 0usize..5,
            a in 0usize..7,
        ) {
            rows.sort_by_key(|r| r.0);
            let base = d("2024-12-01").0;
            let dates: Vec<Date> = rows.iter().map(|r| Date(base + r.0)).collect();
            let values: Vec<f64> = rows.iter().map(|r| f64::from(r.1)).collect();
            let (period, agg) = (Period::ALL[p], Agg::ALL[a]);
            let limit = Date(base + through);
            let (ds, vs) = bucket(&dates, &values, period, agg, Some(limit));
            let mut want: Vec<(Date, f64)> = Vec::new();
            if let Some(&first) = dates.first() {
                let mut end = period.last_day(first).unwrap();
                while end <= limit {
                    let inside: Vec<f64> = dates
                        .iter()
                        .zip(&values)
                        .filter(|(x, _)| period.last_day(**x).unwrap() == end)
                        .map(|(_, v)| *v)
                        .collect();
                    if let Some(v) = agg.of(&inside) {
                        want.push((end, v));
                    }
                    end = period.next_last_day(end).unwrap();
                }
            }
            let got: Vec<(Date, f64)> = ds.into_iter().zip(vs).collect();
            prop_assert_eq!(got, want);
        }
    }
}

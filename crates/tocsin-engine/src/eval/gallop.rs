//! Searches of sorted dates that start from a nearby answer.
//!
//! A backtest asks for the window of each day right after the window of
//! the day before: its bounds move by a few observations, which a search
//! outward from the old bounds finds in a few probes, where a binary
//! search of the whole series takes its logarithm, each probe waiting on
//! memory.

use crate::time::Date;

/// The number of dates `<= x` in `dates` (sorted ascending), as
/// `partition_point` gives it, searched outward from position `near`:
/// steps of 1, 2, 4, ... away from it, then a binary search of the last
/// step. Costs the logarithm of the distance to the answer.
pub fn upto_from(dates: &[Date], x: Date, near: usize) -> usize {
    let n = dates.len();
    let near = near.min(n);
    let (lo, hi) = if near < n && dates[near] <= x {
        // Every date before `lo` is `<= x`.
        let mut lo = near + 1;
        let mut step = 1;
        loop {
            let probe = lo + step - 1;
            if probe >= n {
                break (lo, n);
            }
            if dates[probe] > x {
                break (lo, probe);
            }
            lo = probe + 1;
            step *= 2;
        }
    } else {
        // Every date from `hi` on is `> x`.
        let mut hi = near;
        let mut step = 1;
        loop {
            let Some(probe) = hi.checked_sub(step) else {
                break (0, hi);
            };
            if dates[probe] <= x {
                break (probe + 1, hi);
            }
            hi = probe;
            step *= 2;
        }
    };
    lo + dates[lo..hi].partition_point(|d| *d <= x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_a_binary_search_from_anywhere() {
        // Repeated dates, gaps, and dates before and after every one.
        let dates: Vec<Date> = [1, 3, 3, 3, 4, 8, 9, 9, 15, 20, 21, 22, 22, 40]
            .into_iter()
            .map(Date)
            .collect();
        for len in 0..=dates.len() {
            let dates = &dates[..len];
            for x in -1..45 {
                let want = dates.partition_point(|d| d.0 <= x);
                for near in 0..=len + 2 {
                    assert_eq!(upto_from(dates, Date(x), near), want, "{len} {x} {near}");
                }
            }
        }
    }
}

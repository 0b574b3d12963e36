//! A series prepared for window queries: dates sorted once, prefix sums
//! built once, so that every window is two binary searches and a
//! subtraction, whatever its length.

use super::wavelet::WaveletMatrix;
use crate::time::{Date, Duration};
use std::sync::{Arc, OnceLock};

/// Observations in date order with the indexes that answer windows.
#[derive(Debug, Default)]
pub struct Timeline {
    /// Shared with the store for a series read whole, so that the
    /// observations are held once.
    dates: Arc<Vec<Date>>,
    values: Arc<Vec<f64>>,
    /// Built on the first window sum asked of the series: `check` asks
    /// none, and a series that no rule sums holds none (16 bytes an
    /// observation).
    sums: OnceLock<Sums>,
    /// Positions of active observations (value not 0), built on the first
    /// `days_since` or `resumed` asked of the series; `None` inside when
    /// every observation is active, as in most series of measurements.
    active: OnceLock<Option<Vec<u32>>>,
    extremes: OnceLock<BlockExtremes>,
    /// The values in order, for `median` and `percentile`: built on the
    /// first window too long to select from directly.
    order: OnceLock<Order>,
    /// For calendar buckets, the date from which each may be read: the
    /// data series' first observation on or after the bucket's last day,
    /// which makes it complete. A bucket dated before `T` is not yet
    /// complete at `T` when the data has nothing from its last day to `T`
    /// (later rows must not complete it). `None`: each observation is read
    /// from its date.
    ready: Option<Arc<[Date]>>,
}

/// Prefix sums: entry `i` is the sum of the first `i` values.
#[derive(Debug)]
enum Sums {
    /// Every value a whole number from 0 and the total under 2^32, as in
    /// counts and tallies of fatalities: each sum exact in four bytes.
    Whole(Vec<u32>),
    /// Compensated: `hi[i] + lo[i]`, kept in two parts so that a window
    /// far from the start loses no precision to the values before it.
    Float {
        hi: Vec<f64>,
        /// Empty when every compensation is 0, as for sums of whole
        /// numbers, which are exact: half the memory of the sums.
        lo: Vec<f64>,
    },
}

impl Sums {
    /// The prefix sums of `values`.
    fn of(values: &[f64]) -> Sums {
        Sums::Whole(vec![0]).after(values)
    }

    /// These prefix sums continued over `values`: whole while every value
    /// lets them be, compensated from the first that does not.
    fn after(self, values: &[f64]) -> Sums {
        let (mut hi, mut lo) = match self {
            Sums::Whole(mut sums) => {
                if push_whole(&mut sums, values) {
                    return Sums::Whole(sums);
                }
                (sums.iter().map(|&s| f64::from(s)).collect(), Vec::new())
            }
            Sums::Float { hi, lo } => (hi, lo),
        };
        if lo.is_empty() {
            lo = vec![0.0; hi.len()];
        }
        hi.reserve_exact(values.len());
        lo.reserve_exact(values.len());
        push_sums(&mut hi, &mut lo, values);
        if lo.iter().all(|l| *l == 0.0) {
            lo = Vec::new();
        }
        Sums::Float { hi, lo }
    }

    /// The sum of the values in `w`.
    fn of_window(&self, w: Window) -> f64 {
        match self {
            Sums::Whole(sums) => f64::from(sums[w.hi] - sums[w.lo]),
            Sums::Float { hi, lo } => {
                let sum = hi[w.hi] - hi[w.lo];
                if lo.is_empty() {
                    sum
                } else {
                    sum + (lo[w.hi] - lo[w.lo])
                }
            }
        }
    }

    /// A copy to continue, as [`Sums::after`] takes its sums whole.
    fn copy(&self) -> Sums {
        match self {
            Sums::Whole(sums) => Sums::Whole(sums.clone()),
            Sums::Float { hi, lo } => Sums::Float {
                hi: hi.clone(),
                lo: lo.clone(),
            },
        }
    }
}

/// Adds the prefix sums of `values` to `sums` (which holds at least the
/// sum of nothing) when every value is a whole number from 0 and the
/// total stays under 2^32; false, and `sums` as it was, otherwise.
fn push_whole(sums: &mut Vec<u32>, values: &[f64]) -> bool {
    let start = sums.len();
    sums.reserve_exact(values.len());
    let mut total = sums.last().copied().unwrap_or(0);
    for &v in values {
        // Also false for NaN, and for -0.0 and other values `as` would
        // not give back.
        let n = v as u32;
        let next = total.checked_add(n);
        match next {
            Some(next) if f64::from(n).to_bits() == v.to_bits() => {
                total = next;
                sums.push(total);
            }
            _ => {
                sums.truncate(start);
                return false;
            }
        }
    }
    true
}

/// The fewest observations whose values, all 1, are shared with other
/// timelines rather than held (below, the sharing costs more than it saves).
const SHARED_ONES: usize = 64;

/// Values all 1 (the events of an event list, counted) shared by every
/// timeline that has them, each reading as many as it has observations:
/// the longest made so far, lengthened by doubling, and freed with the
/// last timeline that reads it.
static ONES: std::sync::Mutex<std::sync::Weak<Vec<f64>>> =
    std::sync::Mutex::new(std::sync::Weak::new());

/// `values` as a timeline holds them: the shared ones when all are 1.
pub(super) fn held(values: Vec<f64>) -> Arc<Vec<f64>> {
    held_in(&ONES, values)
}

/// [`held`], with the ones shared through `slot`.
fn held_in(slot: &std::sync::Mutex<std::sync::Weak<Vec<f64>>>, values: Vec<f64>) -> Arc<Vec<f64>> {
    if values.len() < SHARED_ONES || values.iter().any(|v| *v != 1.0) {
        return Arc::new(values);
    }
    let Ok(mut ones) = slot.lock() else {
        return Arc::new(values);
    };
    let current = ones.upgrade();
    match current {
        Some(shared) if shared.len() >= values.len() => shared,
        _ => {
            let len = current.map_or(0, |o| o.len() * 2).max(values.len());
            let shared = Arc::new(vec![1.0; len]);
            *ones = Arc::downgrade(&shared);
            shared
        }
    }
}

/// Adds the prefix sums of `values` after those of `sum_hi` and `sum_lo`
/// (which hold at least the sum of nothing).
fn push_sums(sum_hi: &mut Vec<f64>, sum_lo: &mut Vec<f64>, values: &[f64]) {
    let (mut hi, mut lo) = (
        sum_hi.last().copied().unwrap_or(0.0),
        sum_lo.last().copied().unwrap_or(0.0),
    );
    // Sized first and written in place: a push a value keeps the two
    // running sums in memory around its capacity check.
    let start = sum_hi.len();
    sum_hi.resize(start + values.len(), 0.0);
    sum_lo.resize(start + values.len(), 0.0);
    let slots = sum_hi[start..].iter_mut().zip(&mut sum_lo[start..]);
    for ((h, l), &v) in slots.zip(values) {
        // Neumaier summation. The larger and smaller addend are picked
        // rather than branched on: which one is larger follows the data.
        let t = hi + v;
        let (big, small) = if hi.abs() >= v.abs() {
            (hi, v)
        } else {
            (v, hi)
        };
        lo += (big - t) + small;
        hi = t;
        *h = hi;
        *l = lo;
    }
}

/// A half-open range of observation positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// First position in the window.
    pub lo: usize,
    /// One past the last position.
    pub hi: usize,
}

impl Window {
    /// Number of observations.
    pub fn len(self) -> usize {
        self.hi - self.lo
    }

    /// True when the window holds no observation.
    pub fn is_empty(self) -> bool {
        self.hi == self.lo
    }
}

impl Timeline {
    /// Builds the indexes. `dates` must be sorted ascending.
    pub fn new(dates: Vec<Date>, values: Vec<f64>) -> Timeline {
        Timeline::shared(Arc::new(dates), held(values))
    }

    /// Like [`Timeline::new`], over dates and values held elsewhere too
    /// (the store's, for a series read whole), without copying them.
    pub fn shared(dates: Arc<Vec<Date>>, values: Arc<Vec<f64>>) -> Timeline {
        debug_assert!(dates.windows(2).all(|w| w[0] <= w[1]));
        Timeline::with_sums(dates, values, OnceLock::new())
    }

    /// This timeline with observations added after its last: `dates` and
    /// `values` are the whole series, which begins with these. Prefix sums
    /// already built go on from where they end, so the result is the one
    /// [`Timeline::shared`] builds from the whole series, in the time of
    /// copying them.
    pub fn extended(&self, dates: Arc<Vec<Date>>, values: Arc<Vec<f64>>) -> Timeline {
        debug_assert!(dates.starts_with(&self.dates) && values.len() >= dates.len());
        let (n, new) = (self.len(), dates.len());
        let sums = OnceLock::new();
        if let Some(old) = self.sums.get() {
            let _ = sums.set(old.copy().after(&values[n..new]));
        }
        Timeline::with_sums(dates, values, sums)
    }

    fn with_sums(dates: Arc<Vec<Date>>, values: Arc<Vec<f64>>, sums: OnceLock<Sums>) -> Timeline {
        Timeline {
            dates,
            values,
            sums,
            active: OnceLock::new(),
            extremes: OnceLock::new(),
            order: OnceLock::new(),
            ready: None,
        }
    }

    /// This timeline of calendar buckets, each read from the first date of
    /// `data` (the data series' dates, ascending) on or after its own: the
    /// day the data shows it complete.
    pub fn completed_by(mut self, data: &[Date]) -> Timeline {
        let mut k = 0;
        let ready: Vec<Date> = self
            .dates
            .iter()
            .map(|&d| {
                k += data[k..].partition_point(|x| *x < d);
                data.get(k).copied().unwrap_or(Date::MAX)
            })
            .collect();
        // Most buckets are ready on their own date (the data has a row on
        // their last day): nothing to hold then.
        if ready.iter().zip(self.dates.iter()).any(|(r, d)| r != d) {
            self.ready = Some(ready.into());
        }
        self
    }

    /// This timeline with `dates` and `values` added after its last.
    pub fn appended(&self, dates: &[Date], values: &[f64]) -> Timeline {
        let mut d = Vec::with_capacity(self.len() + dates.len());
        d.extend_from_slice(&self.dates);
        d.extend_from_slice(dates);
        let mut v = Vec::with_capacity(self.len() + values.len());
        v.extend_from_slice(self.values());
        v.extend_from_slice(values);
        self.extended(Arc::new(d), held(v))
    }

    /// Dates, ascending.
    pub fn dates(&self) -> &[Date] {
        &self.dates
    }

    /// Values, one per date.
    pub fn values(&self) -> &[f64] {
        // Shared ones may be longer than this timeline.
        &self.values[..self.dates.len()]
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when there is no observation.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// Number of observations dated `<= t` (that may be read at `t`).
    pub fn upto(&self, t: Date) -> usize {
        self.upto_seen(t, t)
    }

    /// Number of observations dated `<= last` that an evaluation at `seen`
    /// (on or after `last`) may read: all of them, but calendar buckets
    /// the data up to `seen` does not complete.
    pub fn upto_seen(&self, last: Date, seen: Date) -> usize {
        let n = self.dates.partition_point(|d| *d <= last);
        match &self.ready {
            None => n,
            Some(ready) => n.min(ready.partition_point(|d| *d <= seen)),
        }
    }

    /// The observations dated in `(after, until]`.
    pub fn between(&self, after: Date, until: Date) -> Window {
        self.between_seen(after, until, until)
    }

    /// The observations dated in `(after, until]` that an evaluation at
    /// `seen` may read (see [`Timeline::upto_seen`]).
    pub fn between_seen(&self, after: Date, until: Date, seen: Date) -> Window {
        let hi = self.upto_seen(until, seen);
        let lo = self.dates[..hi].partition_point(|d| *d <= after);
        Window { lo, hi }
    }

    /// The observations dated in `(after, until]` (from the first when
    /// `after` is `None`), found by searching outward from `near`, the
    /// window of a query close to this one: cheaper than
    /// [`Timeline::between`] when it is close.
    pub fn between_near(
        &self,
        after: Option<Date>,
        until: Date,
        seen: Date,
        near: Window,
    ) -> Window {
        if self.ready.is_some() {
            let hi = self.upto_seen(until, seen);
            let lo = after.map_or(0, |a| self.dates[..hi].partition_point(|d| *d <= a));
            return Window { lo, hi };
        }
        let hi = super::gallop::upto_from(&self.dates, until, near.hi);
        let lo = match after {
            Some(after) => super::gallop::upto_from(&self.dates[..hi], after, near.lo),
            None => 0,
        };
        Window { lo, hi }
    }

    /// The window of duration `d` at `t`: `(t - d, t]`. `None` when `t - d`
    /// falls outside the calendar (the window then reaches back before
    /// every possible observation).
    pub fn window(&self, t: Date, d: Duration) -> Window {
        match t.minus(d) {
            Some(start) => self.between(start, t),
            None => Window {
                lo: 0,
                hi: self.upto(t),
            },
        }
    }

    /// Position of the newest observation dated `<= t`.
    pub fn last_at(&self, t: Date) -> Option<usize> {
        self.upto(t).checked_sub(1)
    }

    /// Sum of the values in a window.
    pub fn sum(&self, w: Window) -> f64 {
        if w.is_empty() {
            return 0.0;
        }
        self.sums
            .get_or_init(|| Sums::of(self.values()))
            .of_window(w)
    }

    /// Smallest and largest value in a non-empty window.
    pub fn extremes(&self, w: Window) -> Option<(f64, f64)> {
        if w.is_empty() {
            return None;
        }
        Some(
            self.extremes
                .get_or_init(|| BlockExtremes::new(self.values()))
                .query(self.values(), w.lo, w.hi),
        )
    }

    /// Least-squares slope of value against date, per day.
    pub fn slope(&self, w: Window) -> Option<f64> {
        if w.len() < 2 || self.dates[w.lo] == self.dates[w.hi - 1] {
            return None;
        }
        // Centred on the window so that large day numbers cost no precision.
        let n = w.len() as f64;
        let x0 = f64::from(self.dates[w.lo].0);
        let xs = self.dates[w.lo..w.hi].iter().map(|d| f64::from(d.0) - x0);
        let mean_x = xs.clone().sum::<f64>() / n;
        let mean_y = self.sum(w) / n;
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for (x, y) in xs.zip(&self.values()[w.lo..w.hi]) {
            sxy += (x - mean_x) * (y - mean_y);
            sxx += (x - mean_x) * (x - mean_x);
        }
        (sxx > 0.0).then(|| sxy / sxx)
    }

    /// Mean and population standard deviation of a window with at least two
    /// observations.
    pub fn mean_stddev(&self, w: Window) -> Option<(f64, f64)> {
        if w.len() < 2 {
            return None;
        }
        let n = w.len() as f64;
        let mean = self.sum(w) / n;
        let var = self.values()[w.lo..w.hi]
            .iter()
            .map(|v| (v - mean) * (v - mean))
            .sum::<f64>()
            / n;
        Some((mean, var.sqrt()))
    }

    /// Builds the rank index that [`Timeline::percentile`] would build at
    /// its first long window, so that it can be built ahead, on another
    /// thread; nothing for a series too short to need it.
    pub fn prepare_ranks(&self) {
        if self.len() > SELECT_DIRECTLY {
            self.order.get_or_init(|| Order::new(self.values()));
        }
    }

    /// The `p`th percentile (`p` from 0 to 100) of the values of a
    /// non-empty window: rank `(n - 1) × p / 100` of its sorted values
    /// (0-based), linear between the two nearest ranks.
    pub fn percentile(&self, w: Window, p: f64) -> Option<f64> {
        if w.is_empty() || !(0.0..=100.0).contains(&p) {
            return None;
        }
        let rank = (w.len() - 1) as f64 * p / 100.0;
        let below = rank.floor();
        let (k, frac) = (below as usize, rank - below);
        let pair = if w.len() <= SELECT_DIRECTLY {
            select_pair(&self.values()[w.lo..w.hi], k)
        } else {
            let order = self.order.get_or_init(|| Order::new(self.values()));
            (order.kth(w, k)?, order.kth(w, k + 1).unwrap_or(f64::NAN))
        };
        Some(match pair {
            (a, _) if frac == 0.0 => a,
            (a, b) => a + (b - a) * frac,
        })
    }

    /// Positions of the active observations; `None` when all are.
    fn active(&self) -> Option<&[u32]> {
        self.active
            .get_or_init(|| {
                let values = self.values();
                let zeros = values.iter().filter(|v| **v == 0.0).count();
                (zeros > 0).then(|| {
                    let mut active = Vec::with_capacity(values.len() - zeros);
                    active.extend(
                        values
                            .iter()
                            .enumerate()
                            .filter(|(_, v)| **v != 0.0)
                            .map(|(i, _)| i as u32),
                    );
                    active
                })
            })
            .as_deref()
    }

    /// Number of active observations that may be read at `t`.
    fn active_upto(&self, t: Date) -> usize {
        let n = self.upto(t);
        match self.active() {
            None => n,
            Some(active) => active.partition_point(|&i| (i as usize) < n),
        }
    }

    /// Number of active observations dated `<= t`, ready or not.
    fn active_dated_upto(&self, t: Date) -> usize {
        let n = self.dates.partition_point(|d| *d <= t);
        match self.active() {
            None => n,
            Some(active) => active.partition_point(|&i| (i as usize) < n),
        }
    }

    /// Date of the `k`th active observation.
    fn active_date(&self, k: usize) -> Date {
        let i = self.active().map_or(k, |a| a[k] as usize);
        self.dates[i]
    }

    /// Date of the newest active observation dated `<= t`.
    pub fn last_active(&self, t: Date) -> Option<Date> {
        let k = self.active_upto(t);
        k.checked_sub(1).map(|k| self.active_date(k))
    }

    /// True if an active observation dated in `(after, until]` follows an
    /// earlier active observation at least `quiet` before it, with no active
    /// observation between them.
    pub fn resumed(&self, after: Date, until: Date, quiet: Duration) -> bool {
        let date = |k: usize| self.active_date(k);
        let lo = self.active_dated_upto(after);
        let hi = self.active_upto(until);
        (lo.max(1)..hi).any(|k| {
            let prev = date(k - 1);
            prev.plus(quiet).is_some_and(|end| end <= date(k))
        })
    }
}

/// Windows up to this length are ranked by selecting in a copy of their
/// values (a few dozen comparisons), longer ones through the [`Order`]
/// index, so that a one-off question about a short window of a long series
/// does not build the index.
const SELECT_DIRECTLY: usize = 16;

/// The `k`th and `k + 1`th smallest of a short slice (NaN for a missing
/// second).
fn select_pair(values: &[f64], k: usize) -> (f64, f64) {
    let mut copy: Vec<f64> = values.to_vec();
    copy.sort_unstable_by(f64::total_cmp);
    (copy[k], copy.get(k + 1).copied().unwrap_or(f64::NAN))
}

/// The values' order, for ranks within any window in `O(log n)`: the
/// values sorted once, and a wavelet matrix over the rank of each
/// position (ties broken by position, so that ranks are all different).
/// The `k`th smallest value of a window is the value of the `k`th
/// smallest rank among its positions.
#[derive(Debug)]
struct Order {
    sorted: Vec<f64>,
    ranks: WaveletMatrix,
}

impl Order {
    fn new(values: &[f64]) -> Order {
        let by_value = super::radix::positions_by_value(values);
        let mut ranks = vec![0u32; values.len()];
        for (rank, &i) in by_value.iter().enumerate() {
            ranks[i as usize] = rank as u32;
        }
        let sorted = by_value.iter().map(|&i| values[i as usize]).collect();
        let max = values.len().saturating_sub(1) as u32;
        Order {
            sorted,
            ranks: WaveletMatrix::new(&ranks, max),
        }
    }

    /// The `k`th smallest value of window `w`.
    fn kth(&self, w: Window, k: usize) -> Option<f64> {
        let rank = self.ranks.kth_smallest(w.lo, w.hi, k)?;
        self.sorted.get(rank as usize).copied()
    }
}

/// Observations per block of the min/max index.
const BLOCK: usize = 64;

/// Range minimum and maximum in O(n) memory, built only for series that
/// `min` or `max` is asked of: the extremes of each block of [`BLOCK`]
/// observations, and a sparse table over those blocks. A window is the
/// blocks it covers whole (two look-ups in the sparse table) and the partial
/// blocks at its ends (scanned, fewer than `2 × BLOCK` values). A sparse
/// table over every observation would answer without the scans, but costs
/// `16 × log2(n)` bytes per observation; this one costs about
/// `16 × log2(n / 64) / 64`.
#[derive(Debug)]
struct BlockExtremes {
    /// `min[k][b]` is the smallest value in blocks `b .. b + 2^k`.
    min: Vec<Vec<f64>>,
    /// `max[k][b]` is the largest value in blocks `b .. b + 2^k`.
    max: Vec<Vec<f64>>,
}

impl BlockExtremes {
    fn new(values: &[f64]) -> BlockExtremes {
        let whole = values.len() / BLOCK;
        let (bmin, bmax) = values
            .chunks_exact(BLOCK)
            .map(scan)
            .unzip::<f64, f64, Vec<f64>, Vec<f64>>();
        debug_assert_eq!(bmin.len(), whole);
        let mut min = vec![bmin];
        let mut max = vec![bmax];
        let mut width = 1;
        while width * 2 <= whole {
            let (pmin, pmax) = (&min[min.len() - 1], &max[max.len() - 1]);
            let n = whole - width * 2 + 1;
            let lmin = (0..n).map(|i| pmin[i].min(pmin[i + width])).collect();
            let lmax = (0..n).map(|i| pmax[i].max(pmax[i + width])).collect();
            min.push(lmin);
            max.push(lmax);
            width *= 2;
        }
        BlockExtremes { min, max }
    }

    /// Smallest and largest of `values[lo..hi]`, `lo < hi`; `values` must be
    /// the slice the index was built from.
    fn query(&self, values: &[f64], lo: usize, hi: usize) -> (f64, f64) {
        // Whole blocks inside the window: `first .. last`.
        let (first, last) = (lo.div_ceil(BLOCK), hi / BLOCK);
        if first >= last {
            return scan(&values[lo..hi]);
        }
        let level = (usize::BITS - 1 - (last - first).leading_zeros()) as usize;
        let r = last - (1 << level);
        let (head_min, head_max) = scan(&values[lo..first * BLOCK]);
        let (tail_min, tail_max) = scan(&values[last * BLOCK..hi]);
        (
            self.min[level][first]
                .min(self.min[level][r])
                .min(head_min.min(tail_min)),
            self.max[level][first]
                .max(self.max[level][r])
                .max(head_max.max(tail_max)),
        )
    }
}

/// Smallest and largest of a slice, by a plain scan; infinities for an
/// empty one. Four running extremes rather than one, so that each
/// comparison does not wait for the one before it (a window's partial
/// blocks are scanned four times as fast).
fn scan(values: &[f64]) -> (f64, f64) {
    let mut min = [f64::INFINITY; 4];
    let mut max = [f64::NEG_INFINITY; 4];
    let quads = values.chunks_exact(4);
    for &v in quads.remainder() {
        min[0] = min[0].min(v);
        max[0] = max[0].max(v);
    }
    for quad in quads {
        for j in 0..4 {
            min[j] = min[j].min(quad[j]);
            max[j] = max[j].max(quad[j]);
        }
    }
    (
        min[0].min(min[1]).min(min[2].min(min[3])),
        max[0].max(max[1]).max(max[2].max(max[3])),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn tl(rows: &[(&str, f64)]) -> Timeline {
        Timeline::new(
            rows.iter().map(|r| d(r.0)).collect(),
            rows.iter().map(|r| r.1).collect(),
        )
    }

    #[test]
    fn values_all_one_are_shared_and_read_as_long_as_the_timeline() {
        let a = daily(vec![1.0; 100]);
        let b = daily(vec![1.0; 300]);
        let c = daily(vec![1.0; 80]);
        // Shared: 80 read from a buffer of at least 300 (another test may
        // have lengthened it meanwhile).
        assert!(c.values.len() >= 300);
        assert_eq!(
            (a.values().len(), b.values().len(), c.values().len()),
            (100, 300, 80)
        );
        assert_eq!(c.sum(Window { lo: 10, hi: 80 }), 70.0);
        assert_eq!(c.extremes(Window { lo: 0, hi: 80 }), Some((1.0, 1.0)));
        // Appended values that are not all 1 are held by the timeline.
        let d = c.appended(&[Date(80), Date(81)], &[1.0, 5.0]);
        assert_eq!(d.values().len(), 82);
        assert_eq!(d.values()[81], 5.0);
        assert_eq!(d.sum(Window { lo: 0, hi: 82 }), 86.0);
        assert!(!Arc::ptr_eq(&d.values, &c.values));
        // Too short to share, or not all 1: held as given.
        assert_eq!(daily(vec![1.0; 3]).values.len(), 3);
        assert_eq!(daily(vec![2.0; 100]).values.len(), 100);
    }

    #[test]
    fn shared_ones_double_and_are_freed_with_their_last_reader() {
        let slot = std::sync::Mutex::new(std::sync::Weak::new());
        let a = held_in(&slot, vec![1.0; 100]);
        let b = held_in(&slot, vec![1.0; 150]);
        let c = held_in(&slot, vec![1.0; 120]);
        assert_eq!((a.len(), b.len(), c.len()), (100, 200, 200));
        assert!(Arc::ptr_eq(&b, &c));
        let weak = Arc::downgrade(&b);
        drop((a, b, c));
        assert!(weak.upgrade().is_none());
        // None alive: made afresh, as long as asked.
        assert_eq!(held_in(&slot, vec![1.0; 90]).len(), 90);
    }

    #[test]
    fn exact_sums_keep_no_compensation_and_inexact_ones_do() {
        let counts = daily((0..1000).map(|i| (i % 7) as f64).collect());
        let w = Window { lo: 3, hi: 997 };
        let want: f64 = counts.values()[3..997].iter().sum();
        assert_eq!(counts.sum(w), want);
        assert!(matches!(counts.sums.get(), Some(Sums::Whole(_))));
        // Continued with values whose sums round: compensated from there
        // on, and as exact as a timeline built whole.
        let fractions: Vec<f64> = (0..500).map(|i| 1e16 + f64::from(i) * 0.1).collect();
        let longer = counts.appended(&(1000..1500).map(Date).collect::<Vec<_>>(), &fractions);
        let whole = daily(longer.values().to_vec());
        for w in [Window { lo: 0, hi: 1500 }, Window { lo: 990, hi: 1200 }, w] {
            assert_eq!(longer.sum(w), whole.sum(w));
        }
        assert!(matches!(longer.sums.get(), Some(Sums::Float { lo, .. }) if !lo.is_empty()));
    }

    #[test]
    fn whole_sums_hold_counts_and_give_way_to_any_other_value() {
        let float = |v: &[f64]| {
            let (mut hi, mut lo) = (vec![0.0], vec![0.0]);
            push_sums(&mut hi, &mut lo, v);
            hi
        };
        let windows =
            |n: usize| (0..=n).flat_map(move |lo| (lo..=n).map(move |hi| Window { lo, hi }));
        let cases: [Vec<f64>; 6] = [
            vec![3.0, 0.0, 7.0, 1.0],
            // Negative, fractional, -0.0 and NaN: not whole.
            vec![3.0, -2.0, 7.0],
            vec![3.0, 0.5, 7.0],
            vec![3.0, -0.0, 7.0],
            vec![3.0, f64::NAN, 7.0],
            // Whole, but the total passes 2^32.
            vec![4e9, 4e9, 1.0],
        ];
        for (k, values) in cases.iter().enumerate() {
            let sums = Sums::of(values);
            assert_eq!(matches!(sums, Sums::Whole(_)), k == 0, "case {k}");
            let want = float(values);
            for w in windows(values.len()) {
                let got = sums.of_window(w);
                let expected = want[w.hi] - want[w.lo];
                assert!(
                    got.to_bits() == expected.to_bits() || (got.is_nan() && expected.is_nan()),
                    "case {k} {w:?}"
                );
            }
            // Whole sums continued past 2^32 go on as floats, exactly.
            let grown = Sums::of(&[1.0, 2.0]).after(values);
            let all = [&[1.0, 2.0][..], values].concat();
            let want = float(&all);
            for w in windows(all.len()) {
                let (got, expected) = (grown.of_window(w), want[w.hi] - want[w.lo]);
                assert!(
                    got.to_bits() == expected.to_bits() || (got.is_nan() && expected.is_nan()),
                    "case {k} grown {w:?}"
                );
            }
        }
    }

    #[test]
    fn window_is_half_open() {
        let t = tl(&[
            ("2025-01-01", 1.0),
            ("2025-01-31", 2.0),
            ("2025-02-01", 4.0),
        ]);
        // 30d at 2025-01-31 is (2025-01-01, 2025-01-31]: the 1st has left.
        assert_eq!(t.sum(t.window(d("2025-01-31"), Duration::Days(30))), 2.0);
        // One day earlier the 1st is the first day in.
        assert_eq!(t.sum(t.window(d("2025-01-30"), Duration::Days(30))), 1.0);
        // The evaluation day itself is in.
        assert_eq!(t.sum(t.window(d("2025-02-01"), Duration::Days(1))), 4.0);
        assert!(t.window(d("2024-12-31"), Duration::Days(30)).is_empty());
    }

    #[test]
    fn calendar_windows_clamp_at_month_ends_and_leap_days() {
        let t = tl(&[
            ("2024-02-28", 1.0),
            ("2024-02-29", 2.0),
            ("2024-03-01", 4.0),
            ("2024-03-31", 8.0),
        ]);
        // 1mo at 2024-03-31 starts after 2024-02-29.
        assert_eq!(t.sum(t.window(d("2024-03-31"), Duration::Months(1))), 12.0);
        // 1y at 2025-02-28 starts after 2024-02-28: the leap day is in.
        assert_eq!(t.sum(t.window(d("2025-02-28"), Duration::Months(12))), 14.0);
        // 1y at 2024-02-29 starts after 2023-02-28.
        assert_eq!(t.sum(t.window(d("2024-02-29"), Duration::Months(12))), 3.0);
    }

    #[test]
    fn extremes_slope_and_spread() {
        let t = tl(&[
            ("2025-01-01", 3.0),
            ("2025-01-02", 1.0),
            ("2025-01-03", 5.0),
            ("2025-01-04", 2.0),
            ("2025-01-05", 7.0),
        ]);
        let all = t.window(d("2025-01-05"), Duration::Days(10));
        assert_eq!(t.extremes(all), Some((1.0, 7.0)));
        assert_eq!(t.extremes(Window { lo: 1, hi: 4 }), Some((1.0, 5.0)));
        let line = tl(&[
            ("2025-01-01", 1.0),
            ("2025-01-03", 5.0),
            ("2025-01-05", 9.0),
        ]);
        assert_eq!(
            line.slope(line.window(d("2025-01-05"), Duration::Days(5))),
            Some(2.0)
        );
        let same_day = tl(&[("2025-01-01", 1.0), ("2025-01-01", 5.0)]);
        assert_eq!(same_day.slope(Window { lo: 0, hi: 2 }), None);
        let (mean, sd) = tl(&[("2025-01-01", 2.0), ("2025-01-02", 4.0)])
            .mean_stddev(Window { lo: 0, hi: 2 })
            .unwrap();
        assert_eq!((mean, sd), (3.0, 1.0));
    }

    /// The timeline of `values` on consecutive days.
    fn daily(values: Vec<f64>) -> Timeline {
        let dates = (0..values.len() as i32).map(Date).collect();
        Timeline::new(dates, values)
    }

    #[test]
    fn block_extremes_match_a_scan_inside_across_and_on_block_edges() {
        // 5 blocks and a partial one; a distinct extreme at the edges of
        // each block so that an off-by-one shows.
        let n = 5 * BLOCK + 17;
        let values: Vec<f64> = (0..n)
            .map(|i| match i % BLOCK {
                0 => -((i / BLOCK) as f64) - 100.0,
                63 => (i / BLOCK) as f64 + 100.0,
                _ => ((i * 37) % 11) as f64,
            })
            .collect();
        let t = daily(values.clone());
        let b = BLOCK;
        let windows = [
            (0, 1),
            (3, 9),                  // inside one block
            (0, b),                  // exactly one block
            (b, 2 * b),              // exactly the second block
            (b - 1, b + 1),          // across one edge, no whole block
            (1, b - 1),              // inside, without either edge
            (b - 1, 2 * b + 1),      // one whole block and both partials
            (b, 3 * b),              // two whole blocks, no partials
            (5, 4 * b + 3),          // several whole blocks
            (0, n),                  // everything, with the partial tail
            (5 * b, n),              // only the partial tail
            (4 * b + 63, 5 * b + 1), // two single values around an edge
        ];
        for (lo, hi) in windows {
            let want = values[lo..hi]
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, z), &v| {
                    (a.min(v), z.max(v))
                });
            assert_eq!(t.extremes(Window { lo, hi }), Some(want), "{lo}..{hi}");
        }
        assert_eq!(t.extremes(Window { lo: b, hi: b }), None);
        assert_eq!(daily(vec![]).extremes(Window { lo: 0, hi: 0 }), None);
    }

    #[test]
    fn prefix_sums_keep_precision_far_from_the_start() {
        let mut rows = vec![1e16; 10];
        rows.extend([0.1, 0.2]);
        let dates = (0..rows.len() as i32).map(Date).collect();
        let t = Timeline::new(dates, rows);
        assert_eq!(t.sum(Window { lo: 10, hi: 12 }), 0.1 + 0.2);
    }

    #[test]
    fn resumed_needs_a_quiet_gap_before_an_event_in_the_window() {
        let t = tl(&[
            ("2025-01-05", 1.0),
            ("2025-05-10", 1.0),
            ("2025-05-12", 1.0),
        ]);
        let q = Duration::Months(3);
        assert!(t.resumed(d("2025-05-01"), d("2025-05-15"), q));
        // The event after the gap has left the window.
        assert!(!t.resumed(d("2025-05-18"), d("2025-06-01"), q));
        // No earlier activity at all: not a resumption.
        assert!(!t.resumed(d("2024-12-01"), d("2025-01-10"), q));
        // Zero values are not activity.
        let z = tl(&[
            ("2025-01-01", 1.0),
            ("2025-03-01", 0.0),
            ("2025-05-01", 1.0),
        ]);
        assert!(z.resumed(d("2025-04-20"), d("2025-05-01"), q));
        assert_eq!(z.last_active(d("2025-04-01")), Some(d("2025-01-01")));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn series() -> impl Strategy<Value = Vec<(i32, f64)>> {
        proptest::collection::vec((0i32..400, prop_oneof![Just(0.0), -50.0f64..50.0]), 0..60)
            .prop_map(|mut v| {
                v.sort_by_key(|r| r.0);
                v
            })
    }

    fn duration() -> impl Strategy<Value = Duration> {
        prop_oneof![
            (0i64..120).prop_map(Duration::Days),
            (0i64..14).prop_map(Duration::Months)
        ]
    }

    proptest! {
        #[test]
        fn windows_match_a_plain_scan(rows in series(), t in 0i32..420, d in duration()) {
            let tl = Timeline::new(rows.iter().map(|r| Date(r.0)).collect(), rows.iter().map(|r| r.1).collect());
            let t = Date(t);
            let start = t.minus(d).unwrap();
            let inside: Vec<f64> = rows.iter().filter(|r| Date(r.0) > start && Date(r.0) <= t).map(|r| r.1).collect();
            let w = tl.window(t, d);
            prop_assert_eq!(w.len(), inside.len());
            let naive: f64 = inside.iter().sum();
            prop_assert!((tl.sum(w) - naive).abs() < 1e-9);
            let min = inside.iter().copied().fold(f64::INFINITY, f64::min);
            let max = inside.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert_eq!(tl.extremes(w), (!inside.is_empty()).then_some((min, max)));
            let active: Vec<i32> = rows.iter().filter(|r| r.1 != 0.0 && Date(r.0) <= t).map(|r| r.0).collect();
            prop_assert_eq!(tl.last_active(t), active.last().map(|&x| Date(x)));
        }

        #[test]
        fn an_extended_timeline_sums_as_one_built_whole(
            values in proptest::collection::vec(-1e6f64..1e6, 0..300),
            cut in 0usize..300,
            summed_before in any::<bool>(),
        ) {
            let cut = cut.min(values.len());
            let dates: Vec<Date> = (0..values.len() as i32).map(Date).collect();
            let whole = Timeline::new(dates.clone(), values.clone());
            let old = Timeline::new(dates[..cut].to_vec(), values[..cut].to_vec());
            if summed_before {
                old.sum(Window { lo: 0, hi: cut });
            }
            let grown = old.extended(Arc::new(dates), Arc::new(values.clone()));
            for lo in 0..=values.len() {
                let w = Window { lo, hi: values.len() };
                prop_assert_eq!(grown.sum(w).to_bits(), whole.sum(w).to_bits());
            }
        }

        #[test]
        fn block_extremes_match_a_plain_scan(
            values in proptest::collection::vec(-1e6f64..1e6, 0..700),
            a in 0usize..700,
            b in 0usize..700,
        ) {
            let dates = (0..values.len() as i32).map(Date).collect();
            let tl = Timeline::new(dates, values.clone());
            let (lo, hi) = (a.min(b).min(values.len()), a.max(b).min(values.len()));
            let inside = &values[lo..hi];
            let min = inside.iter().copied().fold(f64::INFINITY, f64::min);
            let max = inside.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert_eq!(tl.extremes(Window { lo, hi }), (!inside.is_empty()).then_some((min, max)));
        }

        #[test]
        fn percentiles_match_a_sort_of_the_window(
            values in proptest::collection::vec(prop_oneof![-5.0f64..5.0, (-3i32..3).prop_map(f64::from)], 0..200),
            a in 0usize..200,
            b in 0usize..200,
            p in prop_oneof![Just(0.0), Just(50.0), Just(100.0), 0.0f64..=100.0],
        ) {
            let dates = (0..values.len() as i32).map(Date).collect();
            let tl = Timeline::new(dates, values.clone());
            let (lo, hi) = (a.min(b).min(values.len()), a.max(b).min(values.len()));
            let mut sorted = values[lo..hi].to_vec();
            sorted.sort_by(f64::total_cmp);
            let want = (!sorted.is_empty()).then(|| {
                let rank = (sorted.len() - 1) as f64 * p / 100.0;
                let (k, frac) = (rank.floor() as usize, rank - rank.floor());
                if frac == 0.0 { sorted[k] } else { sorted[k] + (sorted[k + 1] - sorted[k]) * frac }
            });
            prop_assert_eq!(tl.percentile(Window { lo, hi }, p), want);
        }

        #[test]
        fn resumed_matches_its_definition(rows in series(), t in 0i32..420, quiet in duration(), within in duration()) {
            let tl = Timeline::new(rows.iter().map(|r| Date(r.0)).collect(), rows.iter().map(|r| r.1).collect());
            let t = Date(t);
            let after = t.minus(within).unwrap();
            let active: Vec<Date> = rows.iter().filter(|r| r.1 != 0.0).map(|r| Date(r.0)).collect();
            let want = (1..active.len()).any(|k| {
                let e = active[k];
                e > after && e <= t && active[k - 1].plus(quiet).unwrap() <= e
            });
            prop_assert_eq!(tl.resumed(after, t, quiet), want);
        }
    }
}

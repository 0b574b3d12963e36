//! The line of each observation of a batch, kept per run of rows whose
//! lines step evenly: a file of one row a line is one run, whatever its
//! length. A loader writes 4 bytes a row less than a plain list, which on
//! millions of rows is fresh memory the kernel no longer has to fault in
//! and clear.

/// Rows `row ..` (up to the next run) are at lines `line`, `line + step`,
/// `line + 2 × step`, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    row: u32,
    line: u32,
    step: u32,
}

/// 1-based lines of rows in order, as a list of evenly stepping runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lines {
    runs: Vec<Run>,
    rows: usize,
}

/// One run as [`Lines::runs`] gives it: `count` rows at lines `line`,
/// `line + step`, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// The first row's line.
    pub line: u32,
    /// Lines between one row and the next.
    pub step: u32,
    /// Rows in the run.
    pub count: usize,
}

impl Span {
    /// The line of the run's row `k`.
    pub fn line_at(&self, k: usize) -> u64 {
        u64::from(self.line) + u64::from(self.step) * k as u64
    }

    /// Whether rows `k..` of this run go on an open run of `rows` rows at
    /// `line`, `line + step`, ...: true only once that run has two rows or
    /// more, so that its step is known.
    fn goes_on(&self, k: usize, line: u32, step: u32, rows: usize) -> bool {
        rows > 1
            && step == self.step
            && u64::from(line) + u64::from(step) * rows as u64 == self.line_at(k)
    }
}

impl Lines {
    /// No rows.
    pub fn new() -> Lines {
        Lines::default()
    }

    /// Gives back the room left by growing.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.runs.shrink_to_fit();
    }

    /// Rows held.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no rows are held.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Adds a row at `line`.
    #[inline]
    pub fn push(&mut self, line: u32) {
        if let Some(r) = self.runs.last_mut() {
            let k = (self.rows - r.row as usize) as u64;
            if k == 1 && line >= r.line {
                r.step = line - r.line;
                self.rows += 1;
                return;
            }
            if k > 1 && u64::from(line) == u64::from(r.line) + u64::from(r.step) * k {
                self.rows += 1;
                return;
            }
        }
        self.runs.push(Run {
            row: self.rows as u32,
            line,
            step: 0,
        });
        self.rows += 1;
    }

    /// The line of `row`, if there is such a row.
    pub fn get(&self, row: usize) -> Option<u32> {
        if row >= self.rows {
            return None;
        }
        let k = self.runs.partition_point(|r| r.row as usize <= row);
        let r = self.runs.get(k.checked_sub(1)?)?;
        let line = u64::from(r.line) + u64::from(r.step) * (row - r.row as usize) as u64;
        u32::try_from(line).ok()
    }

    /// The runs, in row order.
    pub fn runs(&self) -> impl Iterator<Item = Span> + '_ {
        self.runs.iter().enumerate().map(|(k, r)| {
            let end = self.runs.get(k + 1).map_or(self.rows, |n| n.row as usize);
            Span {
                line: r.line,
                step: r.step,
                count: end - r.row as usize,
            }
        })
    }

    /// Every row's line, in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.runs()
            .flat_map(|s| (0..s.count).map(move |k| s.line_at(k) as u32))
    }

    /// Every row's line, as a list.
    pub fn to_vec(&self) -> Vec<u32> {
        self.iter().collect()
    }

    /// Adds `count` rows at `line`, `line + step`, ...: one step when they
    /// continue the open run.
    pub fn push_span(&mut self, s: Span) {
        let mut k = 0;
        while k < s.count {
            if let Some(r) = self.runs.last() {
                if s.goes_on(k, r.line, r.step, self.rows - r.row as usize) {
                    self.rows += s.count - k;
                    return;
                }
            }
            self.push(u32::try_from(s.line_at(k)).unwrap_or(u32::MAX));
            k += 1;
        }
    }

    /// Adds the rows of `other` after these.
    pub fn extend_from(&mut self, other: &Lines) {
        for s in other.runs() {
            self.push_span(s);
        }
    }

    /// Every line moved down by `by`; `None` when one would pass
    /// `u32::MAX`.
    pub fn shifted(mut self, by: u32) -> Option<Lines> {
        for r in &mut self.runs {
            r.line = r.line.checked_add(by)?;
        }
        let last = self.runs().last();
        if let Some(s) = last {
            u32::try_from(s.line_at(s.count.saturating_sub(1))).ok()?;
        }
        Some(self)
    }

    /// Every line passed through `f`, row by row; `None` when `f` gives
    /// `None` for one.
    pub fn try_map(&self, mut f: impl FnMut(u32) -> Option<u32>) -> Option<Lines> {
        let mut out = Lines::new();
        for line in self.iter() {
            out.push(f(line)?);
        }
        Some(out)
    }
}

impl FromIterator<u32> for Lines {
    fn from_iter<I: IntoIterator<Item = u32>>(iter: I) -> Lines {
        let mut out = Lines::new();
        for line in iter {
            out.push(line);
        }
        out
    }
}

impl<const N: usize> PartialEq<[u32; N]> for Lines {
    fn eq(&self, other: &[u32; N]) -> bool {
        self.len() == N && self.iter().eq(other.iter().copied())
    }
}

impl PartialEq<Vec<u32>> for Lines {
    fn eq(&self, other: &Vec<u32>) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_file_of_one_row_a_line_is_one_run() {
        let lines: Lines = (2..10_002).collect();
        assert_eq!(lines.runs.len(), 1);
        assert_eq!(lines.get(0), Some(2));
        assert_eq!(lines.get(9_999), Some(10_001));
        assert_eq!(lines.get(10_000), None);
        // A last row moved past the largest line is refused.
        let end: Lines = [u32::MAX - 1, u32::MAX].into_iter().collect();
        assert_eq!(end.clone().shifted(0), Some(end.clone()));
        assert_eq!(end.shifted(1), None);
    }

    proptest! {
        #[test]
        fn lines_give_back_every_row(
            jumps in proptest::collection::vec(0u32..12, 0..80),
            cut in 0usize..80,
            by in 0u32..1000,
        ) {
            // Lines that mostly step evenly, as files give them, with jumps.
            let mut line = 0u32;
            let want: Vec<u32> = jumps
                .iter()
                .map(|&j| {
                    line += if j < 8 { 1 } else { j };
                    line
                })
                .collect();
            let lines: Lines = want.iter().copied().collect();
            prop_assert_eq!(lines.to_vec(), want.clone());
            prop_assert_eq!(lines.len(), want.len());
            for (row, w) in want.iter().enumerate() {
                prop_assert_eq!(lines.get(row), Some(*w));
            }
            prop_assert_eq!(lines.get(want.len()), None);
            // Split anywhere and joined again, as chunks of a file are.
            let cut = cut.min(want.len());
            let mut joined: Lines = want[..cut].iter().copied().collect();
            joined.extend_from(&want[cut..].iter().copied().collect());
            prop_assert_eq!(&joined, &lines);
            // Moved down, as a chunk's lines are by the lines before it.
            let moved = lines.clone().shifted(by).unwrap();
            let want_moved: Vec<u32> = want.iter().map(|l| l + by).collect();
            prop_assert_eq!(moved.to_vec(), want_moved);
            prop_assert_eq!(lines.try_map(|l| l.checked_add(by)), Some(moved));
        }
    }
}

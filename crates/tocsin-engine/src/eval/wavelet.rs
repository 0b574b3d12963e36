//! A wavelet matrix: a sequence of small integers indexed so that, for any
//! range of positions, the `k`th smallest integer in it and how many of its
//! integers lie below a bound are each found in `O(log σ)` steps (σ the
//! largest integer), whatever the length of the range. `percentile` and
//! `median` ask it for ranks of a window's values, `distinct` for a count of
//! first occurrences; either would otherwise sort or hash the whole window
//! on every day of a backtest.
//!
//! Memory: one bit per integer per level (`log2 σ` levels), plus a 32-bit
//! count per 64 bits so that a rank is one look-up and one popcount.

/// The index; see the module documentation.
#[derive(Debug, Default)]
pub struct WaveletMatrix {
    /// One per bit of the integers, the highest first.
    levels: Vec<Level>,
    len: usize,
}

/// The bits of one level, in the order the level above leaves them: the
/// integers whose higher bit was 0 first, each part in sequence order.
#[derive(Debug)]
struct Level {
    words: Vec<u64>,
    /// `ones[w]`: how many 1 bits the words before `w` hold.
    ones: Vec<u32>,
    /// How many 0 bits the level holds.
    zeros: usize,
}

impl Level {
    /// How many of the first `i` bits are 1.
    fn rank1(&self, i: usize) -> usize {
        let (w, b) = (i / 64, i % 64);
        let before = self.ones[w] as usize;
        if b == 0 {
            return before;
        }
        before + (self.words[w] & ((1u64 << b) - 1)).count_ones() as usize
    }

    /// How many of the first `i` bits are 0.
    fn rank0(&self, i: usize) -> usize {
        i - self.rank1(i)
    }
}

impl WaveletMatrix {
    /// Indexes `values`, each at most `max`.
    pub fn new(values: &[u32], max: u32) -> WaveletMatrix {
        let bits = (u32::BITS - max.leading_zeros()) as usize;
        let mut current: Vec<u32> = values.to_vec();
        let mut next: Vec<u32> = vec![0; values.len()];
        let mut high: Vec<u32> = vec![0; values.len()];
        let mut levels = Vec::with_capacity(bits);
        // Ranks are as often 0 as 1 at every level, so a branch per integer
        // would be mispredicted half the time: the bits and the stable
        // partition below are written without one (a third of the cost of
        // a cold `eval` of percentiles over ten years went to branches).
        for bit in (0..bits).rev() {
            let mut words = vec![0u64; values.len() / 64 + 1];
            for (word, chunk) in words.iter_mut().zip(current.chunks(64)) {
                for (i, v) in chunk.iter().enumerate() {
                    *word |= u64::from((v >> bit) & 1) << i;
                }
            }
            let mut ones = Vec::with_capacity(words.len());
            let mut total = 0u32;
            for w in &words {
                ones.push(total);
                total += w.count_ones();
            }
            // Stable: zeros keep their order, then ones keep theirs. Each
            // integer is written to both places, and only one advances.
            let (mut zeros, mut set) = (0, 0);
            for &v in &current {
                let one = ((v >> bit) & 1) as usize;
                next[zeros] = v;
                high[set] = v;
                zeros += 1 - one;
                set += one;
            }
            next[zeros..].copy_from_slice(&high[..set]);
            std::mem::swap(&mut current, &mut next);
            levels.push(Level { words, ones, zeros });
        }
        WaveletMatrix {
            levels,
            len: values.len(),
        }
    }

    /// The `k`th smallest (0-based) of the integers at positions
    /// `lo..hi`; `None` unless `k < hi - lo` and `hi <= len`.
    pub fn kth_smallest(&self, mut lo: usize, mut hi: usize, mut k: usize) -> Option<u32> {
        if lo > hi || hi > self.len || k >= hi - lo {
            return None;
        }
        let mut value = 0u32;
        for level in &self.levels {
            let (zeros_lo, zeros_hi) = (level.rank0(lo), level.rank0(hi));
            let zeros = zeros_hi - zeros_lo;
            value <<= 1;
            if k < zeros {
                (lo, hi) = (zeros_lo, zeros_hi);
            } else {
                k -= zeros;
                value |= 1;
                (lo, hi) = (level.zeros + (lo - zeros_lo), level.zeros + (hi - zeros_hi));
            }
        }
        Some(value)
    }

    /// How many of the integers at positions `lo..hi` are less than
    /// `bound`.
    pub fn count_less(&self, mut lo: usize, mut hi: usize, bound: u32) -> usize {
        if lo >= hi || hi > self.len {
            return 0;
        }
        let bits = self.levels.len();
        if bits < 32 && bound >> bits != 0 {
            // Above every integer the levels can hold.
            return hi - lo;
        }
        let mut less = 0;
        for (depth, level) in self.levels.iter().enumerate() {
            let bit = bits - 1 - depth;
            let (zeros_lo, zeros_hi) = (level.rank0(lo), level.rank0(hi));
            if (bound >> bit) & 1 == 1 {
                // Every integer with a 0 here (and the same higher bits)
                // is below the bound.
                less += zeros_hi - zeros_lo;
                (lo, hi) = (level.zeros + (lo - zeros_lo), level.zeros + (hi - zeros_hi));
            } else {
                (lo, hi) = (zeros_lo, zeros_hi);
            }
        }
        less
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kth_and_counts_on_a_small_sequence() {
        let v = [5, 1, 4, 1, 0, 7, 3];
        let m = WaveletMatrix::new(&v, 7);
        assert_eq!(m.kth_smallest(0, 7, 0), Some(0));
        assert_eq!(m.kth_smallest(0, 7, 6), Some(7));
        assert_eq!(m.kth_smallest(1, 4, 1), Some(1));
        assert_eq!(m.kth_smallest(1, 4, 2), Some(4));
        assert_eq!(m.kth_smallest(2, 2, 0), None);
        assert_eq!(m.kth_smallest(0, 8, 0), None);
        assert_eq!(m.count_less(0, 7, 4), 4);
        assert_eq!(m.count_less(0, 7, 100), 7);
        assert_eq!(m.count_less(3, 3, 100), 0);
        let empty = WaveletMatrix::new(&[], 0);
        assert_eq!(empty.kth_smallest(0, 0, 0), None);
        assert_eq!(empty.count_less(0, 0, 1), 0);
        let zeros = WaveletMatrix::new(&[0, 0, 0], 0);
        assert_eq!(zeros.kth_smallest(0, 3, 2), Some(0));
        assert_eq!(zeros.count_less(0, 3, 1), 3);
        assert_eq!(zeros.count_less(0, 3, 0), 0);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn answers_match_a_sort_of_the_range(
            values in proptest::collection::vec(0u32..300, 0..200),
            a in 0usize..200,
            b in 0usize..200,
            k in 0usize..200,
            bound in 0u32..320,
        ) {
            let max = values.iter().copied().max().unwrap_or(0);
            let m = WaveletMatrix::new(&values, max);
            let (lo, hi) = (a.min(b).min(values.len()), a.max(b).min(values.len()));
            let mut sorted = values[lo..hi].to_vec();
            sorted.sort_unstable();
            prop_assert_eq!(m.kth_smallest(lo, hi, k), sorted.get(k).copied());
            let below = sorted.iter().filter(|v| **v < bound).count();
            prop_assert_eq!(m.count_less(lo, hi, bound), below);
        }
    }
}

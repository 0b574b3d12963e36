//! The text of one field on each observation of a timeline, for the
//! functions that read fields (`field`, `distinct`): taken from the data
//! series once per load, so that a call reads the observations it needs
//! and nothing else.

use super::timeline::Window;
use super::wavelet::WaveletMatrix;
use std::sync::{Arc, OnceLock};

/// One field of a timeline's observations.
#[derive(Debug, Default)]
pub struct FieldColumn {
    /// The text of each observation, by id into `texts`; 0 is empty.
    ids: Vec<u32>,
    /// The different texts; `texts[0]` is `""`.
    texts: Vec<Arc<str>>,
    /// For `distinct` over long windows, built on the first one: for each
    /// observation, one more than the position of the previous observation
    /// with the same text (0 for the first), or one more than its own
    /// position when its text is empty. The observations of a window
    /// `lo..hi` whose key is at most `lo` are the first of their text in
    /// it: counting them counts the texts.
    firsts: OnceLock<WaveletMatrix>,
}

/// Windows up to this length are counted by sorting a copy of their ids,
/// longer ones through the index (as `percentile` does).
const COUNT_DIRECTLY: usize = 16;

impl FieldColumn {
    /// A column from the ids of each observation and the text of each id
    /// (`texts[0]` must be `""`, and every id must index `texts`).
    pub fn new(ids: Vec<u32>, texts: Vec<Arc<str>>) -> FieldColumn {
        debug_assert!(texts.first().is_some_and(|t| t.is_empty()));
        FieldColumn {
            ids,
            texts,
            firsts: OnceLock::new(),
        }
    }

    /// The column of the observations at `positions` (ascending), as a
    /// series narrowed to an instance holds them.
    pub fn pick(&self, positions: &[u32]) -> FieldColumn {
        FieldColumn::new(
            positions
                .iter()
                .map(|&j| self.ids.get(j as usize).copied().unwrap_or(0))
                .collect(),
            if self.texts.is_empty() {
                vec![Arc::from("")]
            } else {
                self.texts.clone()
            },
        )
    }

    /// The text of observation `i`; `None` when it is empty or there is no
    /// such observation.
    pub fn text(&self, i: usize) -> Option<&str> {
        match self.ids.get(i) {
            Some(&id) if id != 0 => Some(&self.texts[id as usize]),
            _ => None,
        }
    }

    /// How many different non-empty texts the observations of `w` hold.
    pub fn distinct(&self, w: Window) -> usize {
        let hi = w.hi.min(self.ids.len());
        let lo = w.lo.min(hi);
        if hi - lo <= COUNT_DIRECTLY {
            let mut ids: Vec<u32> = self.ids[lo..hi]
                .iter()
                .copied()
                .filter(|&id| id != 0)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            return ids.len();
        }
        let firsts = self.firsts.get_or_init(|| self.first_keys());
        firsts.count_less(lo, hi, lo as u32 + 1)
    }

    fn first_keys(&self) -> WaveletMatrix {
        let mut last: Vec<u32> = vec![0; self.texts.len()];
        let keys: Vec<u32> = self
            .ids
            .iter()
            .enumerate()
            .map(|(i, &id)| {
                let here = i as u32 + 1;
                if id == 0 {
                    return here;
                }
                std::mem::replace(&mut last[id as usize], here)
            })
            .collect();
        WaveletMatrix::new(&keys, self.ids.len() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(cells: &[&str]) -> FieldColumn {
        let mut texts: Vec<Arc<str>> = vec![Arc::from("")];
        let ids = cells
            .iter()
            .map(|c| match texts.iter().position(|t| &**t == *c) {
                Some(k) => k as u32,
                None => {
                    texts.push(Arc::from(*c));
                    texts.len() as u32 - 1
                }
            })
            .collect();
        FieldColumn::new(ids, texts)
    }

    #[test]
    fn texts_and_counts() {
        let c = column(&["A", "", "B", "A", "b"]);
        assert_eq!(c.text(0), Some("A"));
        assert_eq!(c.text(1), None);
        assert_eq!(c.text(9), None);
        assert_eq!(c.distinct(Window { lo: 0, hi: 5 }), 3);
        assert_eq!(c.distinct(Window { lo: 1, hi: 2 }), 0);
        assert_eq!(c.distinct(Window { lo: 3, hi: 3 }), 0);
    }

    proptest::proptest! {
        #[test]
        fn distinct_matches_a_set_of_the_window(
            cells in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(String::new()), "[a-e]"], 0..150),
            a in 0usize..150,
            b in 0usize..150,
        ) {
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            let c = column(&refs);
            let (lo, hi) = (a.min(b).min(cells.len()), a.max(b).min(cells.len()));
            let want: std::collections::BTreeSet<&str> =
                refs[lo..hi].iter().copied().filter(|t| !t.is_empty()).collect();
            proptest::prop_assert_eq!(c.distinct(Window { lo, hi }), want.len());
        }
    }
}

//! The rows of a data series that a timeline's observations come from,
//! held in about two bytes each.
//!
//! A breakdown keeps, for every observation of every instance, the row it
//! came from (for `explain`, the instance's field columns and rows
//! appended later): 3,000,000 of them for 100 rules over 1,000,000 events.
//! The rows of one timeline ascend and lie close together, so each is held
//! as its distance from the row that starts its stride of [`STRIDE`].

/// Rows a base is kept for: the rows of a stride must lie within
/// `u16::MAX` of its first.
const STRIDE: usize = 16;

/// Row numbers, in the order of a timeline's observations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rows {
    /// Each row as it is: rows that do not ascend, or that lie too far
    /// apart.
    Plain(Vec<u32>),
    /// The first row of every stride, and each row's distance from it.
    Packed { bases: Vec<u32>, offsets: Vec<u16> },
}

impl Default for Rows {
    fn default() -> Rows {
        Rows::Plain(Vec::new())
    }
}

impl Rows {
    /// Row `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<u32> {
        match self {
            Rows::Plain(rows) => rows.get(i).copied(),
            Rows::Packed { bases, offsets } => {
                let offset = *offsets.get(i)?;
                Some(bases.get(i / STRIDE)? + u32::from(offset))
            }
        }
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        match self {
            Rows::Plain(rows) => rows.len(),
            Rows::Packed { offsets, .. } => offsets.len(),
        }
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// These rows followed by `more`.
    pub fn extended(&self, more: &[u32]) -> Rows {
        let mut all = Vec::with_capacity(self.len() + more.len());
        all.extend(self.iter());
        all.extend_from_slice(more);
        Rows::from(all)
    }
}

impl From<Vec<u32>> for Rows {
    /// Packed when every row lies within `u16::MAX` after the first of its
    /// stride; as given otherwise.
    fn from(rows: Vec<u32>) -> Rows {
        if rows.is_empty() {
            return Rows::Plain(rows);
        }
        let mut offsets = Vec::with_capacity(rows.len());
        for stride in rows.chunks(STRIDE) {
            let base = stride[0];
            for &r in stride {
                match r.checked_sub(base).and_then(|d| u16::try_from(d).ok()) {
                    Some(d) => offsets.push(d),
                    None => return Rows::Plain(rows),
                }
            }
        }
        let bases = rows.iter().step_by(STRIDE).copied().collect();
        Rows::Packed { bases, offsets }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn close_ascending_rows_are_packed_and_others_kept_as_they_are() {
        let close: Vec<u32> = (0..100).map(|i| 1_000_000 + i * 700).collect();
        let packed = Rows::from(close.clone());
        assert!(matches!(packed, Rows::Packed { .. }));
        assert_eq!(packed.iter().collect::<Vec<_>>(), close);
        assert_eq!(packed.get(100), None);
        for rows in [vec![5, 3], vec![0, 70_000], vec![]] {
            assert_eq!(Rows::from(rows.clone()), Rows::Plain(rows));
        }
        let more = packed.extended(&[2_000_000]);
        assert_eq!(more.len(), 101);
        assert_eq!(more.get(100), Some(2_000_000));
        assert!(matches!(more, Rows::Plain(_)));
    }

    proptest! {
        #[test]
        fn rows_read_back_as_given(
            first in 0u32..u32::MAX / 2,
            steps in proptest::collection::vec(0u32..9_000, 0..200),
            cut in 0usize..200,
        ) {
            let mut rows = vec![first];
            for s in steps {
                let next = rows[rows.len() - 1].saturating_add(s);
                rows.push(next);
            }
            let held = Rows::from(rows.clone());
            prop_assert_eq!(held.len(), rows.len());
            prop_assert_eq!(held.iter().collect::<Vec<_>>(), rows.clone());
            let cut = cut.min(rows.len());
            let head = Rows::from(rows[..cut].to_vec());
            let joined = head.extended(&rows[cut..]);
            prop_assert_eq!(joined.iter().collect::<Vec<_>>(), rows);
        }
    }
}

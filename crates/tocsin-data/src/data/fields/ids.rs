//! The ids of a dense column, two bytes each while every id fits.
//!
//! A series' texts are numbered in one table for all its columns; an
//! export of a million events whose kept columns hold a few hundred
//! distinct texts (countries, event types, small counts) then needs two
//! bytes a cell, not four. A column widens to four bytes, once, at its
//! first id past `u16::MAX`.

/// One id per row.
#[derive(Clone, Debug)]
pub(super) enum Ids {
    /// Every id under 65,536.
    Narrow(Vec<u16>),
    /// Some id above.
    Wide(Vec<u32>),
}

impl Default for Ids {
    fn default() -> Ids {
        Ids::Narrow(Vec::new())
    }
}

/// Equal when the ids are, however wide they are held.
impl PartialEq for Ids {
    fn eq(&self, other: &Ids) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Ids {
    /// `len` empty cells (id 0).
    pub fn zeros(len: usize) -> Ids {
        Ids::Narrow(vec![0; len])
    }

    pub fn len(&self) -> usize {
        match self {
            Ids::Narrow(v) => v.len(),
            Ids::Wide(v) => v.len(),
        }
    }

    pub fn get(&self, row: usize) -> Option<u32> {
        match self {
            Ids::Narrow(v) => v.get(row).map(|&id| u32::from(id)),
            Ids::Wide(v) => v.get(row).copied(),
        }
    }

    /// Sets the id of `row`, which must be under [`Ids::len`].
    pub fn set(&mut self, row: usize, id: u32) {
        self.fit(id);
        match self {
            Ids::Narrow(v) => {
                if let (Some(cell), Ok(id)) = (v.get_mut(row), u16::try_from(id)) {
                    *cell = id;
                }
            }
            Ids::Wide(v) => {
                if let Some(cell) = v.get_mut(row) {
                    *cell = id;
                }
            }
        }
    }

    /// Adds empty cells up to `len` rows, then `id`.
    pub fn push_at(&mut self, len: usize, id: u32) {
        self.fit(id);
        match self {
            Ids::Narrow(v) => {
                v.resize(len, 0);
                v.push(u16::try_from(id).unwrap_or(0));
            }
            Ids::Wide(v) => {
                v.resize(len, 0);
                v.push(id);
            }
        }
    }

    /// Gives back the room left by growing.
    pub fn shrink_to_fit(&mut self) {
        match self {
            Ids::Narrow(v) => v.shrink_to_fit(),
            Ids::Wide(v) => v.shrink_to_fit(),
        }
    }

    /// The ids in row order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = u32> + '_> {
        match self {
            Ids::Narrow(v) => Box::new(v.iter().map(|&id| u32::from(id))),
            Ids::Wide(v) => Box::new(v.iter().copied()),
        }
    }

    /// Row `i` of the result is row `order[i]` here (0 past the end).
    pub fn permuted(&self, order: &[u32]) -> Ids {
        match self {
            Ids::Narrow(v) => Ids::Narrow(
                order
                    .iter()
                    .map(|&r| v.get(r as usize).copied().unwrap_or(0))
                    .collect(),
            ),
            Ids::Wide(v) => Ids::Wide(
                order
                    .iter()
                    .map(|&r| v.get(r as usize).copied().unwrap_or(0))
                    .collect(),
            ),
        }
    }

    /// Widens the cells if `id` does not fit them.
    fn fit(&mut self, id: u32) {
        if let Ids::Narrow(v) = self {
            if u16::try_from(id).is_err() {
                *self = Ids::Wide(v.iter().map(|&id| u32::from(id)).collect());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_until_an_id_does_not_fit_then_wide_with_every_id_kept() {
        let mut ids = Ids::default();
        ids.push_at(0, 7);
        ids.push_at(3, 65_535);
        assert!(matches!(ids, Ids::Narrow(_)));
        ids.set(1, 70_000);
        assert!(matches!(ids, Ids::Wide(_)));
        ids.push_at(5, 9);
        assert_eq!(ids.iter().collect::<Vec<_>>(), [7, 70_000, 0, 65_535, 0, 9]);
        assert_eq!(ids.get(3), Some(65_535));
        assert_eq!(ids.get(6), None);
        // Equal by value, whatever the width.
        assert_eq!(Ids::Narrow(vec![1, 2]), Ids::Wide(vec![1, 2]));
        assert_ne!(Ids::Narrow(vec![1, 2]), Ids::Wide(vec![1, 2, 0]));
        assert_eq!(
            ids.permuted(&[5, 1, 9]).iter().collect::<Vec<_>>(),
            [9, 70_000, 0]
        );
    }
}

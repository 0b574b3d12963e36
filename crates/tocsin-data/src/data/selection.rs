//! Which field columns a loader keeps. A wide export may hold dozens of
//! columns that no rule reads; interning and storing their cells was most
//! of the time and memory of loading it. The names of every column are
//! kept whatever the selection, so that a filter on a field a file lacks
//! is reported with the same suggestions.

use rustc_hash::FxHashSet;
use std::sync::Arc;

/// The field columns a loader keeps cells of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ColumnSelection {
    /// Every column: for callers that show whole observations.
    #[default]
    All,
    /// The columns with these names, ignoring case as filters do.
    Only(FieldNames),
}

/// A set of field names, compared ignoring case; cheap to clone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldNames(Arc<FxHashSet<Box<str>>>);

/// A name as it is compared: lower-case, as [`crate::data::Fields::column`]
/// finds a column.
fn folded(name: &str) -> std::borrow::Cow<'_, str> {
    if name
        .bytes()
        .any(|b| !b.is_ascii() || b.is_ascii_uppercase())
    {
        std::borrow::Cow::Owned(name.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

impl FieldNames {
    /// The set of `names`.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> FieldNames {
        FieldNames(Arc::new(
            names.into_iter().map(|n| folded(n).into()).collect(),
        ))
    }

    /// Whether `name` is one of them, ignoring case.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains(&*folded(name))
    }

    /// Whether every name of `other` is one of these.
    pub fn is_superset(&self, other: &FieldNames) -> bool {
        other.0.iter().all(|n| self.0.contains(n))
    }

    /// The names, lower-case, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|n| &**n)
    }
}

impl ColumnSelection {
    /// Whether the cells of the column named `name` are kept.
    pub fn keeps(&self, name: &str) -> bool {
        match self {
            ColumnSelection::All => true,
            ColumnSelection::Only(names) => names.contains(name),
        }
    }

    /// Whether data loaded with this selection holds every column that
    /// `wanted` keeps, so that it need not be loaded again.
    pub fn covers(&self, wanted: &ColumnSelection) -> bool {
        match (self, wanted) {
            (ColumnSelection::All, _) => true,
            (ColumnSelection::Only(_), ColumnSelection::All) => false,
            (ColumnSelection::Only(have), ColumnSelection::Only(want)) => have.is_superset(want),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_ignoring_case() {
        let only = ColumnSelection::Only(FieldNames::new(["Actor1", "événement"]));
        assert!(only.keeps("actor1"));
        assert!(only.keeps("ACTOR1"));
        assert!(only.keeps("ÉVÉNEMENT"));
        assert!(!only.keeps("actor2"));
        assert!(ColumnSelection::All.keeps("anything"));
    }

    #[test]
    fn a_selection_covers_its_subsets() {
        let one = ColumnSelection::Only(FieldNames::new(["a"]));
        let two = ColumnSelection::Only(FieldNames::new(["A", "b"]));
        assert!(two.covers(&one));
        assert!(!one.covers(&two));
        assert!(!two.covers(&ColumnSelection::All));
        assert!(ColumnSelection::All.covers(&two));
        assert!(one.covers(&ColumnSelection::Only(FieldNames::default())));
    }
}

//! The one namespace of a ruleset: every item and data series by name,
//! with duplicates reported naming both places.

use crate::diag::{Code, Diagnostic, FileId, Span};
use crate::lang::ast::{FeedItem, Item, LetItem, RuleFile, RuleItem, SeriesItem};
use rustc_hash::FxHashMap;

/// What a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Def {
    /// A data series from the indicator files.
    Data,
    /// A `series` item, by index.
    Series(usize),
    /// A `let`, by index.
    Let(usize),
    /// An indicator or alert, by index.
    Rule(usize),
}

/// The items of a ruleset, by kind, and its names.
#[derive(Clone)]
pub struct Defs<'a> {
    pub series: Vec<&'a SeriesItem>,
    pub lets: Vec<&'a LetItem>,
    pub rules: Vec<(FileId, &'a RuleItem)>,
    /// Feeds describe data series: they take no name of their own.
    pub feeds: Vec<(FileId, &'a FeedItem)>,
    pub names: FxHashMap<&'a str, Def>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Defs<'a> {
    /// Number of items.
    pub fn item_count(&self) -> usize {
        self.series.len() + self.lets.len() + self.rules.len()
    }

    /// Where a definition's name is written (none for data series).
    pub fn name_span(&self, def: Def) -> Option<Span> {
        match def {
            Def::Data => None,
            Def::Series(i) => Some(self.series[i].name.span),
            Def::Let(i) => Some(self.lets[i].name.span),
            Def::Rule(i) => Some(self.rules[i].1.name.span),
        }
    }

    /// The name of a definition.
    pub fn name_of(&self, def: Def) -> &'a str {
        match def {
            Def::Data => "",
            Def::Series(i) => &self.series[i].name.name,
            Def::Let(i) => &self.lets[i].name.name,
            Def::Rule(i) => &self.rules[i].1.name.name,
        }
    }

    /// Every name, for "did you mean".
    pub fn all_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.names.keys().copied()
    }
}

/// Collects the items of all files and reports names defined twice or
/// taken from a data series.
pub fn collect<'a>(files: &[(FileId, &'a RuleFile)], data: &[&'a str]) -> Defs<'a> {
    let items: usize = files.iter().map(|(_, rf)| rf.items.len()).sum();
    let mut defs = Defs {
        series: Vec::new(),
        lets: Vec::new(),
        rules: Vec::with_capacity(items),
        feeds: Vec::new(),
        // Sized once: growing would hash every name again.
        names: FxHashMap::with_capacity_and_hasher(data.len() + items, Default::default()),
        diagnostics: Vec::new(),
    };
    for name in data {
        defs.names.insert(name, Def::Data);
    }
    for (file, rf) in files {
        for item in &rf.items {
            let def = match item {
                Item::Series(s) => {
                    defs.series.push(s);
                    Def::Series(defs.series.len() - 1)
                }
                Item::Let(l) => {
                    defs.lets.push(l);
                    Def::Let(defs.lets.len() - 1)
                }
                Item::Rule(r) => {
                    defs.rules.push((*file, r));
                    Def::Rule(defs.rules.len() - 1)
                }
                Item::Feed(f) => {
                    defs.feeds.push((*file, f));
                    continue;
                }
            };
            let name = item.name();
            match defs.names.get(name.name.as_str()).copied() {
                None => {
                    defs.names.insert(&name.name, def);
                }
                Some(Def::Data) => defs.diagnostics.push(
                    Diagnostic::error(Code::NameTakenBySeries, format!("`{}` is already the name of a data series", name.name))
                        .with_primary(name.span, "taken by a data series")
                        .with_note("rule items share one namespace with the series of the indicator files; choose another name"),
                ),
                Some(first) => {
                    let mut d = Diagnostic::error(Code::DuplicateName, format!("`{}` is defined twice", name.name))
                        .with_primary(name.span, "defined again here");
                    if let Some(span) = defs.name_span(first) {
                        d = d.with_secondary(span, "first defined here");
                    }
                    defs.diagnostics.push(d.with_note("series, lets, indicators and alerts share one namespace across all rule files; rename one of them"));
                }
            }
        }
    }
    defs
}

//! W007: a text of a filter's `==` or `in` test that no observation has in
//! that field. Known from the cell texts the filter met anyway; only when
//! it met none equal to the text does one pass over the column's cells
//! (not its rows) decide, and give the texts to suggest instead.

use crate::data::Series;
use crate::diag::{did_you_mean, Code, Diagnostic, Span};
use crate::lang::ast::FieldRef;

/// Most texts a note lists when none is near the one written.
const LISTED: usize = 5;
/// Longest text a note shows whole, in characters.
const SHOWN_CHARS: usize = 40;

/// A filter test of one field column against texts, as the filter ran it.
pub(super) struct TextTest<'a> {
    /// The series filtered.
    pub series: &'a Series,
    /// The field, as written.
    pub field: &'a FieldRef,
    /// Its column in `series.fields`.
    pub column: usize,
    /// The texts of the `==` or `in` test.
    pub texts: &'a [String],
    /// Where each text is written.
    pub spans: &'a [Span],
    /// True when the filter tested every row of the series (none was left
    /// out by an earlier step).
    pub all_rows: bool,
}

impl TextTest<'_> {
    /// Warns for each text that no observation has in the column; `met(id)`
    /// tells whether the filter met the cell text `id` in the rows it
    /// tested.
    pub fn warn_absent(&self, met: impl Fn(u32) -> bool, warnings: &mut Vec<Diagnostic>) {
        // A series with no observation yet (a header-only file) is not
        // wrong: its events have not happened.
        if self.series.is_empty() {
            return;
        }
        let fields = &self.series.fields;
        let mut counts: Option<Vec<u32>> = None;
        for (k, text) in self.texts.iter().enumerate() {
            let occurs = match fields.lookup(text) {
                None => false,
                Some(id) if met(id) => true,
                Some(_) if self.all_rows => false,
                Some(id) => {
                    counts.get_or_insert_with(|| fields.counts_in(self.column))[id as usize] > 0
                }
            };
            if occurs {
                continue;
            }
            let counts = counts.get_or_insert_with(|| fields.counts_in(self.column));
            let span = self.spans.get(k).copied().unwrap_or(self.field.span);
            warnings.push(self.warning(text, span, counts));
        }
    }

    fn warning(&self, text: &str, span: Span, counts: &[u32]) -> Diagnostic {
        let fields = &self.series.fields;
        let (series, field) = (&self.series.name, &self.field.name);
        // The texts the column holds, most frequent first.
        let mut held: Vec<(u32, &str)> = counts
            .iter()
            .enumerate()
            .skip(1)
            .filter(|&(_, &n)| n > 0)
            .map(|(id, &n)| (n, fields.text_of(id as u32)))
            .collect();
        held.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let mut d = Diagnostic::warning(
            Code::FilterValueAbsent,
            format!("no observation of `{series}` has {field} {text:?}"),
        )
        .with_primary(span, "no observation has this text");
        match near(text, held.iter().map(|&(_, t)| t)) {
            Some(near) => {
                d.message.push_str(&format!("; did you mean {near:?}?"));
                if near.to_lowercase() == text.to_lowercase() {
                    d = d.with_note(
                        "`==` and `in` compare texts exactly, case included; `~` matches a part of the text, ignoring case",
                    );
                }
            }
            None if held.is_empty() => {
                d = d.with_note(format!(
                    "no observation of `{series}` has a text in {field}"
                ));
            }
            None => {
                let parts = part_of(text, &held);
                let listed: Vec<String> = held
                    .iter()
                    .take(LISTED)
                    .map(|&(_, t)| format!("{:?}", shorten(t)))
                    .collect();
                d = d.with_note(if parts > 0 {
                    format!(
                        "`==` and `in` compare whole texts; `~` matches a part, ignoring case: `{field} ~ {text:?}` keeps {parts} observations"
                    )
                } else if held.len() <= LISTED {
                    format!("{field} of `{series}` holds {}", listed.join(", "))
                } else {
                    format!(
                        "{field} of `{series}` holds {} distinct texts, most often {}",
                        held.len(),
                        listed.join(", ")
                    )
                });
            }
        }
        d
    }
}

/// The text of `held` nearest `text`: equal ignoring case, else a near
/// spelling. Texts far longer or shorter are not compared letter by letter
/// (a column of long notes would cost much and suggest nothing).
fn near<'a>(text: &str, held: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    let lower = text.to_lowercase();
    if let Some(same) = held.clone().find(|t| t.to_lowercase() == lower) {
        return Some(same);
    }
    did_you_mean(text, held.filter(|t| t.len() <= 2 * text.len() + 8))
}

/// How many observations hold a text of `held` (count, text) that contains
/// `text`, ignoring case.
fn part_of(text: &str, held: &[(u32, &str)]) -> u32 {
    let lower = text.to_lowercase();
    held.iter()
        .filter(|(_, t)| t.to_lowercase().contains(&lower))
        .map(|&(n, _)| n)
        .sum()
}

/// `text` cut to [`SHOWN_CHARS`] characters.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::data::{Batch, FileData, Store};
    use crate::diag::{Code, FileId};
    use crate::eval::Model;
    use crate::lang::parser::parse_file;
    use crate::library::check;
    use crate::time::Date;

    /// The W007 messages of `rules` over one series `acled` with a field
    /// `kind`, one row per text of `kinds`, each with the text its label
    /// is under.
    fn absent(rules: &str, kinds: &[&str]) -> Vec<(String, String)> {
        let batch = Batch {
            series: "acled".into(),
            dates: vec![Date::parse_iso("2025-01-01").unwrap(); kinds.len()],
            values: vec![1.0; kinds.len()],
            lines: vec![2; kinds.len()],
            field_names: vec!["kind".into()],
            cells: kinds.iter().map(|&k| k.into()).collect(),
            ..Batch::default()
        };
        let store = Store::build([&FileData {
            file: FileId(1),
            batches: vec![batch],
            warnings: vec![],
        }]);
        let (file, diags) = parse_file(FileId(0), rules);
        assert!(diags.is_empty(), "{diags:?}");
        let checked = check(&[(FileId(0), &file)], &["acled"]);
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        Model::build(checked.program, &store)
            .warnings
            .iter()
            .filter(|d| d.code == Code::FilterValueAbsent)
            .map(|d| {
                let s = d.labels[0].span;
                (
                    d.message.clone(),
                    rules[s.start as usize..s.end as usize].to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn a_series_without_observations_is_not_warned_about() {
        let rules = "series x = acled[kind == \"Battles\"]\n";
        assert_eq!(absent(rules, &[]), []);
        assert_eq!(absent(rules, &["Riots"]).len(), 1);
    }

    #[test]
    fn each_text_of_in_is_checked_and_the_span_is_its_own() {
        let rules = "series x = acled[kind in [\"Riots\", \"battles\", \"Nope\"]]\n";
        let warned = absent(rules, &["Riots", "Battles"]);
        let texts: Vec<(&str, &str)> = warned
            .iter()
            .map(|(m, t)| (m.as_str(), t.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                (
                    "no observation of `acled` has kind \"battles\"; did you mean \"Battles\"?",
                    "\"battles\""
                ),
                ("no observation of `acled` has kind \"Nope\"", "\"Nope\"")
            ]
        );
    }

    #[test]
    fn long_texts_are_shortened_in_the_note() {
        assert_eq!(super::shorten("short"), "short");
        let long = "x".repeat(50);
        assert_eq!(super::shorten(&long), format!("{}…", "x".repeat(40)));
    }
}

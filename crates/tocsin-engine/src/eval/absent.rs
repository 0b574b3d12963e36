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
/// Longest text, in bytes, for which a near spelling is looked for.
const MAX_SPELLED: usize = 200;

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

/// Most texts of one test warned about; the rest are counted in the last
/// warning's note.
const MAX_WARNED: usize = 10;
/// Most texts of a column, the most frequent first, compared letter by
/// letter with a text for a near spelling.
const MAX_COMPARED: usize = 10_000;

/// The texts a column holds, most frequent first, for suggestions.
struct Held<'a> {
    /// (observations, text, text in lower case).
    texts: Vec<(u32, &'a str, String)>,
}

impl<'a> Held<'a> {
    fn new(series: &'a Series, counts: &[u32]) -> Held<'a> {
        let fields = &series.fields;
        let mut texts: Vec<(u32, &str, String)> = counts
            .iter()
            .enumerate()
            .skip(1)
            .filter(|&(_, &n)| n > 0)
            .map(|(id, &n)| {
                let t = fields.text_of(id as u32);
                (n, t, t.to_lowercase())
            })
            .collect();
        texts.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        Held { texts }
    }

    /// The text nearest `text`: equal ignoring case, else a near spelling.
    /// Spellings are compared letter by letter (a cost of the product of
    /// the lengths) only for a short `text`, the most frequent texts, and
    /// those not much longer: a column of long notes would cost much and
    /// suggest nothing.
    fn near(&self, text: &str) -> Option<&'a str> {
        let lower = text.to_lowercase();
        if let Some(&(_, same, _)) = self.texts.iter().find(|(_, _, l)| *l == lower) {
            return Some(same);
        }
        if text.len() > MAX_SPELLED {
            return None;
        }
        // What `did_you_mean` could take: a spelling within a third of the
        // letters (so a length as near), or a text containing this one.
        let chars = text.chars().count();
        let limit = (chars / 3).max(1);
        let candidates = self
            .texts
            .iter()
            .take(MAX_COMPARED)
            .filter(|(_, t, l)| {
                t.len() <= 2 * text.len() + 8
                    && (t.chars().count().abs_diff(chars) <= limit || l.contains(&lower))
            })
            .map(|&(_, t, _)| t);
        did_you_mean(text, candidates)
    }

    /// How many observations hold a text that contains `text`, ignoring
    /// case.
    fn part_of(&self, text: &str) -> u32 {
        let lower = text.to_lowercase();
        self.texts
            .iter()
            .filter(|(_, _, l)| l.contains(&lower))
            .map(|&(n, _, _)| n)
            .sum()
    }
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
        let mut held: Option<Held> = None;
        let mut warned = 0;
        let mut more = 0;
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
            if warned == MAX_WARNED {
                more += 1;
                continue;
            }
            let counts = counts.get_or_insert_with(|| fields.counts_in(self.column));
            let held = held.get_or_insert_with(|| Held::new(self.series, counts));
            let span = self.spans.get(k).copied().unwrap_or(self.field.span);
            warnings.push(self.warning(text, span, held));
            warned += 1;
        }
        if let (Some(last), true) = (warnings.last_mut(), more > 0) {
            last.notes.push(format!(
                "and {more} more texts of this test that no observation has in {}",
                self.field.name
            ));
        }
    }

    fn warning(&self, text: &str, span: Span, held: &Held) -> Diagnostic {
        let (series, field) = (&self.series.name, &self.field.name);
        let mut d = Diagnostic::warning(
            Code::FilterValueAbsent,
            format!("no observation of `{series}` has {field} {text:?}"),
        )
        .with_primary(span, "no observation has this text");
        match held.near(text) {
            Some(near) => {
                d.message.push_str(&format!("; did you mean {near:?}?"));
                if near.to_lowercase() == text.to_lowercase() {
                    d = d.with_note(
                        "`==` and `in` compare texts exactly, case included; `~` matches a part of the text, ignoring case",
                    );
                }
            }
            None if held.texts.is_empty() => {
                d = d.with_note(format!(
                    "no observation of `{series}` has a text in {field}"
                ));
            }
            None => {
                let parts = held.part_of(text);
                let listed: Vec<String> = held
                    .texts
                    .iter()
                    .take(LISTED)
                    .map(|&(_, t, _)| format!("{:?}", shorten(t)))
                    .collect();
                d = d.with_note(if parts > 0 {
                    format!(
                        "`==` and `in` compare whole texts; `~` matches a part, ignoring case: `{} ~ {}` keeps {parts} observations",
                        crate::lang::format::field_name(self.field),
                        crate::lang::format::quote(text, false)
                    )
                } else if held.texts.len() <= LISTED {
                    format!("{field} of `{series}` holds {}", listed.join(", "))
                } else {
                    format!(
                        "{field} of `{series}` holds {} distinct texts, most often {}",
                        held.texts.len(),
                        listed.join(", ")
                    )
                });
            }
        }
        d
    }
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
    /// is under and its notes.
    fn absent(rules: &str, kinds: &[&str]) -> Vec<(String, String, Vec<String>)> {
        let batch = Batch {
            series: "acled".into(),
            dates: vec![Date::parse_iso("2025-01-01").unwrap(); kinds.len()],
            values: vec![1.0; kinds.len()],
            lines: std::iter::repeat_n(2, kinds.len()).collect(),
            field_names: vec!["kind".into()],
            cells: kinds.iter().map(|&k| k.into()).collect(),
            ..Batch::default()
        };
        let store = Store::build([&FileData {
            file: FileId(1),
            batches: vec![batch],
            ..FileData::default()
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
                let under = rules[s.start as usize..s.end as usize].to_string();
                (d.message.clone(), under, d.notes.clone())
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
            .map(|(m, t, _)| (m.as_str(), t.as_str()))
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
    fn a_long_text_against_long_notes_is_answered_at_once() {
        // 2,000 distinct notes of 2,000 bytes, and a 10,000-byte text: a
        // spelling compared letter by letter would take minutes.
        let notes: Vec<String> = (0..2_000)
            .map(|k| format!("{k:04}{}", "n".repeat(1_996)))
            .collect();
        let kinds: Vec<&str> = notes.iter().map(String::as_str).collect();
        let rules = format!("series x = acled[kind == \"{}\"]\n", "n".repeat(10_000));
        // Its speed is measured by bench/, not timed here.
        assert_eq!(absent(&rules, &kinds).len(), 1);
    }

    #[test]
    fn a_long_in_list_against_many_texts_is_answered_at_once() {
        // 20,000 distinct short texts, and an `in` list of 2,000 that
        // none of them is: ten warnings, the rest counted.
        let held: Vec<String> = (0..20_000).map(|k| format!("text {k}")).collect();
        let kinds: Vec<&str> = held.iter().map(String::as_str).collect();
        let list: Vec<String> = (0..2_000).map(|k| format!("\"other {k}\"")).collect();
        let rules = format!("series x = acled[kind in [{}]]\n", list.join(",\n"));
        let warned = absent(&rules, &kinds);
        assert_eq!(warned.len(), 10);
        assert!(warned[9]
            .0
            .starts_with("no observation of `acled` has kind \"other 9\""));
        assert_eq!(
            warned[9].2.last().map(String::as_str),
            Some("and 1990 more texts of this test that no observation has in kind")
        );
    }

    #[test]
    fn long_texts_are_shortened_in_the_note() {
        assert_eq!(super::shorten("short"), "short");
        let long = "x".repeat(50);
        assert_eq!(super::shorten(&long), format!("{}…", "x".repeat(40)));
    }
}

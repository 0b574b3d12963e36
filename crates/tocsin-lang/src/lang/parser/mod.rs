//! The rule-file parser, built with nom. The grammar reads top-down like
//! the spec: [`items`] for items and fields, [`expr`] for expressions,
//! [`lexical`] for tokens. After a syntax error the parser resumes at the
//! next item keyword, so one run reports the errors of every item.

pub(crate) mod error;
pub(crate) mod expr;
pub(crate) mod items;
pub(crate) mod lexical;

pub use error::PError;
pub use lexical::{is_reserved, RESERVED};

use crate::diag::{Code, Diagnostic, FileId, Span};
use crate::lang::ast::RuleFile;
use error::In;
use nom::Input;

/// Parses one rule file. Returns every item that parsed and a diagnostic
/// for each one that did not.
pub fn parse_file(file: FileId, text: &str) -> (RuleFile, Vec<Diagnostic>) {
    // Room for an item every 64 bytes, more than most files need: growing
    // by doubling would touch each item's memory about twice, while room
    // never used is never touched.
    let mut items = Vec::with_capacity(text.len() / 64 + 1);
    let mut diags = Vec::new();
    if let Some(d) = long_line(file, text) {
        return (RuleFile { items }, vec![d]);
    }
    let mut i = In::new_extra(text, file);
    while let Ok((rest, _)) = lexical::ws(i) {
        if rest.fragment().is_empty() {
            break;
        }
        match items::item(rest) {
            Ok((after, item)) => {
                if items.len() == MAX_ITEMS {
                    let at = rest.location_offset();
                    diags.push(
                        Diagnostic::error(
                            Code::OverLimit,
                            format!("more than {MAX_ITEMS} items in one rule file"),
                        )
                        .with_primary(Span::new(file, at, at + 1), "the first item over the limit")
                        .with_note("split the rules into several files"),
                    );
                    break;
                }
                items.push(item);
                i = after;
            }
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                diags.push(e.into_diagnostic(file, text));
                let resume = next_item_start(text, rest.location_offset() + 1);
                i = rest.take_from(resume - rest.location_offset());
            }
            Err(nom::Err::Incomplete(_)) => break,
        }
    }
    (RuleFile { items }, diags)
}

/// Most items one rule file may hold.
pub const MAX_ITEMS: usize = 100_000;
/// Longest line of a rule file, in bytes.
pub const MAX_LINE: usize = 64 * 1024;

/// The first line over [`MAX_LINE`], as an error pointing at where it
/// passes the limit.
fn long_line(file: FileId, text: &str) -> Option<Diagnostic> {
    let mut start = 0;
    for (n, line) in text.split('\n').enumerate() {
        if line.len() > MAX_LINE {
            let mut at = start + MAX_LINE;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            return Some(
                Diagnostic::error(
                    Code::OverLimit,
                    format!(
                        "line {} is {} bytes long; rule file lines are limited to {MAX_LINE}",
                        n + 1,
                        line.len()
                    ),
                )
                .with_primary(Span::new(file, at, at + 1), "the limit is passed here")
                .with_note("break the line: blanks and newlines may go between any two tokens"),
            );
        }
        start += line.len() + 1;
    }
    None
}

/// The offset of the next item keyword at or after `from`, outside strings
/// and comments, followed by a blank and a name (so that a field called
/// `series` inside a filter is not taken for an item); the end of the text
/// if there is none. A keyword that begins its line may be followed by
/// what is not a name (`let 2nd`, `indicator "b"`): the item is then
/// parsed, and its own error reported, rather than skipped.
fn next_item_start(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let mut k = from.min(b.len());
    // Start at a character boundary.
    while k < b.len() && !text.is_char_boundary(k) {
        k += 1;
    }
    let word_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while k < b.len() {
        match b[k] {
            b'#' => {
                while k < b.len() && b[k] != b'\n' {
                    k += 1;
                }
            }
            b'"' => {
                k += 1;
                while k < b.len() && b[k] != b'"' {
                    k += if b[k] == b'\\' { 2 } else { 1 };
                }
                k += 1;
            }
            c if word_char(c) => {
                let start = k;
                while k < b.len() && word_char(b[k]) {
                    k += 1;
                }
                let word = &text[start..k];
                let at_boundary = start == 0 || !word_char(b[start - 1]);
                if at_boundary && matches!(word, "series" | "let" | "indicator" | "alert" | "feed")
                {
                    let mut j = k;
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    let line_start = text[..start]
                        .bytes()
                        .rev()
                        .take_while(|&c| c != b'\n')
                        .all(|c| c == b' ' || c == b'\t' || c == b'\r');
                    let named = |c: u8| c.is_ascii_alphabetic() || c == b'_';
                    let begins = |c: u8| named(c) || c.is_ascii_digit() || c == b'"';
                    if j > k && j < b.len() && (named(b[j]) || line_start && begins(b[j])) {
                        return start;
                    }
                }
            }
            _ => k += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{render, Code, SourceMap};
    use crate::lang::ast::*;

    fn parse(text: &str) -> (RuleFile, Vec<Diagnostic>) {
        parse_file(FileId(0), text)
    }

    #[test]
    fn parses_the_spec_example() {
        let text = r#"
# rules/taiwan.rules
series adiz_aircraft = adiz[kind == "aircraft"]

let davidson_window = 2027-01-01

indicator pla_pressure_surge {
  title:  "PLA military pressure on Taiwan up 300% in a year"
  when:   growth(adiz_aircraft, 1y) >= 300%
  for:    30d
  source: "INDOPACOM commander, Senate Armed Services testimony, April 2025"
}

indicator houthi_strikes_resumed {
  title: "Houthi strikes on shipping resumed after a long pause"
  when:  resumed(red_sea_attacks[actor ~ "houthi"], quiet: 6mo, within: 30d)
}

alert two_front_pressure {
  severity: critical
  when:     pla_pressure_surge and count_true(houthi_strikes_resumed, finland_buildup) >= 1
  summary:  "Taiwan pressure up {growth(adiz_aircraft, 1y)}; second front active"
}
"#;
        let (file, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(file.items.len(), 5);
        let Item::Rule(alert) = &file.items[4] else {
            panic!()
        };
        assert_eq!(alert.kind, RuleKind::Alert);
        let Some(Field {
            value: FieldValue::Template(t),
            ..
        }) = alert.field(FieldKey::Summary)
        else {
            panic!()
        };
        assert_eq!(t.parts.len(), 3);
        assert!(matches!(&t.parts[1], TemplatePart::Hole(_)));
    }

    #[test]
    fn one_line_items_with_several_fields() {
        let (file, diags) = parse("indicator high { when: latest(level) > 5 for: 3d }\nalert escalate { severity: warning when: high }");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(file.items.len(), 2);
    }

    #[test]
    fn recovers_at_the_next_item() {
        let text = "indicator a { when: latest(x) > }\nindicator b { when: true }\nlet c = (1 + \nalert d { when: b wen: 1 }\nlet e = 1";
        let (file, diags) = parse(text);
        let names: Vec<_> = file.items.iter().map(|i| i.name().name.as_str()).collect();
        assert_eq!(names, ["b", "e"]);
        assert_eq!(diags.len(), 3, "{diags:?}");
        assert_eq!(diags[2].code, Code::UnknownField);
        let mut sources = SourceMap::new();
        sources.add("x.rules", text);
        assert_eq!(
            render::one_line(&diags[0], &sources),
            "x.rules:1:33: error[E001]: expected an expression, found `}`"
        );
    }

    /// Each of `diags`, found in `text`, as `x.rules:LINE:COL: ...`.
    fn one_lines(text: &str, diags: &[Diagnostic]) -> Vec<String> {
        let mut sources = SourceMap::new();
        sources.add("x.rules", text);
        diags
            .iter()
            .map(|d| render::one_line(d, &sources))
            .collect()
    }

    #[test]
    fn an_item_whose_name_is_wrong_is_reported_after_an_error_before_it() {
        let text = "let a =\nlet 2nd = 3\nlet b = 1 +\nlet c = 2\nindicator x { when: true and }\nindicator \"y\" { when: true }\nseries s = t[\n  series == \"a\"]\nlet z = (";
        let (file, diags) = parse(text);
        let names: Vec<_> = file.items.iter().map(|i| i.name().name.as_str()).collect();
        assert_eq!(names, ["c", "s"]);
        let lines = one_lines(text, &diags);
        assert_eq!(
            lines,
            [
                "x.rules:2:1: error[E001]: expected an expression, found keyword `let`",
                "x.rules:2:5: error[E001]: expected a name, found `2nd`",
                "x.rules:4:1: error[E001]: expected an expression, found keyword `let`",
                "x.rules:5:30: error[E001]: expected an expression, found `}`",
                "x.rules:6:11: error[E001]: expected a name, found `\"`",
                "x.rules:9:10: error[E001]: expected an expression, found end of file",
            ],
            "{lines:#?}"
        );
    }

    #[test]
    fn a_missing_operand_before_the_next_field_or_item_says_so() {
        let note = |text: &str| parse(text).1[0].notes.join(" | ");
        assert_eq!(
            note("indicator x {\n  when: sum(s, 30d) >=\n  summary: \"n\"\n}"),
            "`summary:` begins the next field: the expression before it is missing or incomplete"
        );
        assert_eq!(
            note("let threshold =\n\nindicator high { when: true }"),
            "`indicator` begins the next item: the expression before it is missing or incomplete"
        );
        // A reserved word where a name was meant keeps its own note.
        assert!(note("indicator x { when: 1 + feed > 1 }").contains("a data file named `feed`"));
    }

    #[test]
    fn a_string_in_a_template_hole_says_to_use_a_let() {
        let one = |text: &str| {
            let (_, diags) = parse(text);
            (
                one_lines(text, &diags).remove(0),
                diags[0].notes.join(" | "),
            )
        };
        let (line, note) = one("indicator t { when: true summary: \"{field(s, \"ACTOR\")}\" }");
        assert_eq!(
            line,
            "x.rules:1:36: error[E014]: unclosed `{` in a template"
        );
        assert!(note.contains("put the expression in a `let`"), "{note}");
        let (line, note) = one("indicator t { when: true summary: \"{field(s, \\\"ACTOR\\\")}\" }");
        assert_eq!(
            line,
            "x.rules:1:46: error[E014]: a string literal in a template hole"
        );
        assert!(note.contains("put the expression in a `let`"), "{note}");
        // A hole merely left open keeps its own advice.
        let (_, note) = one("indicator t { when: true summary: \"{latest(s)\" }");
        assert!(note.contains("close the expression with `}`"), "{note}");
    }

    #[test]
    fn a_misspelt_item_keyword_gets_a_near_one() {
        let (_, diags) = parse("indicatr foo { when: true }");
        assert_eq!(diags[0].notes, ["did you mean `indicator`?"]);
        let (_, diags) = parse("sereis foo = bar");
        assert_eq!(diags[0].notes, ["did you mean `series`?"]);
        // Nothing near: no note.
        let (_, diags) = parse("banana foo { when: true }");
        assert!(diags[0].notes.is_empty(), "{diags:?}");
    }

    #[test]
    fn errors_point_after_the_keyword() {
        let (_, diags) = parse("indicator { when: true }");
        let mut sources = SourceMap::new();
        sources.add("x.rules", "indicator { when: true }");
        assert_eq!(
            render::one_line(&diags[0], &sources),
            "x.rules:1:11: error[E001]: expected a name, found `{`"
        );
        let (_, diags) = parse("indicator for { when: true }");
        assert_eq!(diags[0].code, Code::ReservedWord);
    }

    #[test]
    fn template_braces() {
        let (file, diags) = parse(r#"indicator a { when: true summary: "{{x}} {1 + 2} \"q\"" }"#);
        assert!(diags.is_empty(), "{diags:?}");
        let Item::Rule(r) = &file.items[0] else {
            panic!()
        };
        let Some(Field {
            value: FieldValue::Template(t),
            ..
        }) = r.field(FieldKey::Summary)
        else {
            panic!()
        };
        assert_eq!(t.parts[0], TemplatePart::Text("{x} ".into()));
        assert_eq!(t.parts[2], TemplatePart::Text(" \"q\"".into()));
        let (_, diags) = parse(r#"indicator a { when: true summary: "a } b" }"#);
        assert_eq!(diags[0].code, Code::BadTemplate);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "",
            "#",
            "indicator",
            "series x = ",
            "let = ",
            "\"",
            "alert a { tags: [\"a\" \"b\"] }",
            "indicator a { when: x[",
            "é",
            "let x = 1 +",
            "indicator a { when: f(a: ) }",
        ] {
            let _ = parse(text);
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_parses_or_fails_cleanly(text in "\\PC*") {
            let _ = parse_file(FileId(0), &text);
        }

        #[test]
        fn rule_like_text_parses_or_fails_cleanly(text in "(indicator|alert|let|series| |\\{|\\}|when:|for:|[a-z]{1,4}|[0-9]{1,4}|[-+*/<>=!~%.,:\\[\\]()\"]|mo|\\n|#)*") {
            let (_, diags) = parse_file(FileId(0), &text);
            for d in diags {
                let span = d.primary_span().unwrap();
                prop_assert!(span.end as usize <= text.len());
                prop_assert!(text.is_char_boundary(span.start as usize));
            }
        }
    }
}

//! The test-file parser, built from the rule parser's pieces: its tokens,
//! its error type, its expression and item grammar. The grammar reads
//! top-down: [`blocks`] for `test` blocks and their expectations, [`data`]
//! for `data` blocks. After a syntax error the parser resumes at the next
//! `test` block (or the next top-level `data` block or rule item), so one
//! run reports every broken test.

mod blocks;
mod data;

pub use data::run_date;

use super::ast::{DataBlock, Test, TestFile};
use crate::diag::{did_you_mean, Code, Diagnostic, FileId};
use crate::lang::ast::{Item, RuleFile};
use crate::lang::parser::error::{In, PError, PResult};
use crate::lang::parser::items::item;
use crate::lang::parser::lexical::{any_word, keyword, ws};
use nom::Input;

/// The keywords that start something at the top level of a test file.
const TOP_KEYWORDS: [&str; 6] = ["test", "data", "series", "let", "indicator", "alert"];

/// What the top level of a test file holds.
enum Top {
    Test(Test),
    Data(DataBlock),
    Rule(Item),
}

/// Parses one test file. Returns every block that parsed and a diagnostic
/// for each one that did not.
pub fn parse_test_file(file: FileId, text: &str) -> (TestFile, Vec<Diagnostic>) {
    let mut out = TestFile {
        rules: RuleFile { items: Vec::new() },
        data: Vec::new(),
        tests: Vec::new(),
    };
    let mut diags = Vec::new();
    let mut i = In::new_extra(text, file);
    while let Ok((rest, _)) = ws(i) {
        if rest.fragment().is_empty() {
            break;
        }
        match top(rest) {
            Ok((after, parsed)) => {
                match parsed {
                    Top::Test(t) => out.tests.push(t),
                    Top::Data(d) => out.data.push(d),
                    Top::Rule(r) => out.rules.items.push(r),
                }
                i = after;
            }
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                diags.push(e.into_diagnostic(file, text));
                let resume = next_block_start(text, rest.location_offset());
                i = rest.take_from(resume - rest.location_offset());
            }
            Err(nom::Err::Incomplete(_)) => break,
        }
    }
    (out, diags)
}

fn top(i: In<'_>) -> PResult<'_, Top> {
    if keyword("test")(i).is_ok() {
        let (rest, t) = blocks::test_block(i)?;
        return Ok((rest, Top::Test(t)));
    }
    if keyword("data")(i).is_ok() {
        let (rest, d) = data::data_block(i)?;
        return Ok((rest, Top::Data(d)));
    }
    match item(i) {
        Ok((rest, r)) => Ok((rest, Top::Rule(r))),
        Err(nom::Err::Error(e)) if e.offset == i.location_offset() && e.problem.is_none() => {
            Err(nom::Err::Error(unexpected_at_top(i)))
        }
        Err(e) => Err(e),
    }
}

/// A failure (no backtracking) saying what would have been accepted.
fn expected_here<'a, T>(i: In<'a>, expected: &[&'static str]) -> PResult<'a, T> {
    Err(nom::Err::Failure(PError::expected_any(i, expected)))
}

/// The error for a word (or anything else) that cannot start a block.
fn unexpected_at_top(i: In) -> PError {
    let expected = PError::expected_any(
        i,
        &[
            "`test`",
            "`data`",
            "`series`",
            "`let`",
            "`indicator`",
            "`alert`",
        ],
    );
    let Ok((_, word)) = any_word(i) else {
        return expected;
    };
    let problem = |note: String| {
        PError::problem(
            i.location_offset(),
            word.name.len(),
            Code::Syntax,
            format!(
                "expected a `test` block, a `data` block or a rule item, found `{}`",
                word.name
            ),
            "not a block",
        )
        .note(note)
    };
    if word.name == "at" || word.name == "value" {
        return problem(format!(
            "`{}` goes inside a `test \"...\" {{ ... }}` block",
            word.name
        ));
    }
    match did_you_mean(&word.name, TOP_KEYWORDS) {
        Some(near) => problem(format!("did you mean `{near}`?")),
        None => expected,
    }
}

/// Where to resume after an error in the block that starts at `start`:
/// just after the brace that closes the block, or at the next `test "`
/// anywhere, or at the next `data` block or rule item outside braces; the
/// end of the text if there is none. Strings and comments are skipped.
/// Braces are counted from `start`, so that the `data` blocks inside a
/// broken test are not taken for top-level ones.
fn next_block_start(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut k = (start + 1).min(b.len());
    while k < b.len() && !text.is_char_boundary(k) {
        k += 1;
    }
    let word_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut depth: usize = 0;
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
            b'{' => {
                depth += 1;
                k += 1;
            }
            b'}' => {
                k += 1;
                if depth == 1 {
                    return k;
                }
                depth = depth.saturating_sub(1);
            }
            c if word_char(c) => {
                let begin = k;
                while k < b.len() && word_char(b[k]) {
                    k += 1;
                }
                if begin > 0 && word_char(b[begin - 1]) {
                    continue;
                }
                let mut j = k;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                let next = b.get(j).copied().filter(|_| j > k);
                let word = &text[begin..k];
                if word == "test" && next == Some(b'"') {
                    return begin;
                }
                let starts_name = next.is_some_and(|c| c.is_ascii_alphabetic() || c == b'_');
                if depth == 0 && starts_name && TOP_KEYWORDS[1..].contains(&word) {
                    return begin;
                }
            }
            _ => k += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests;

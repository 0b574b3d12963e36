//! The canonical layout of rule files.
//!
//! [`format_source`] parses a file and writes it back in one layout. Only
//! blanks, line breaks and the spelling of strings change: every value,
//! every parenthesis and every comment stays, and formatting twice gives
//! the same text as formatting once.
//!
//! # The layout
//!
//! **Items.** One item after another, separated by one empty line. `let`
//! and `series` items written on consecutive lines stay grouped; between
//! them an empty line is kept only where one was written. `series NAME =
//! EXPR` and `let NAME = EXPR` take one line.
//!
//! **Indicators and alerts.** `indicator NAME {`, then one field per line
//! indented two spaces, then `}` alone on its line. Fields keep the order
//! they were written in. The values of an item's fields line up: each
//! `key:` is padded to the longest key of the item plus one blank.
//! An empty line written between two fields is kept. An item without
//! fields is written `indicator NAME {}`.
//!
//! ```text
//! indicator pla_sorties_rising {
//!   title:   "PLA aircraft sorties around Taiwan up 15% or more"
//!   when:    growth(pla_sorties, 1y) >= 15%
//!   tags:    ["taiwan", "pla"]
//! }
//! ```
//!
//! **Expressions.** One blank on each side of a binary operator and after
//! `not`; none after `-`, inside parentheses or brackets, or before a
//! comma; one after a comma and after the colon of a named argument:
//! `resumed(s[actor ~ "houthi", fatalities >= 1], quiet: 6mo, within: 30d)`,
//! `s."fatal count"`. Parentheses stay where they were written and none
//! are added.
//!
//! **Literals.** Numbers, percents, durations and dates are written as they
//! were (`3.50`, `300%`, `2w`). Strings are written with the escapes `\"`,
//! `\\` and `\n` and nothing else escaped; a line break inside a string
//! becomes `\n`. Templates keep their text and `{{`/`}}`; their `{EXPR}`
//! holes are laid out like any expression, on one line (a hole that holds
//! a comment is kept as written).
//!
//! **Long lines.** A `when:` or `let` whose expression would run past
//! column 100 is broken before each `and` / `or` that is not inside
//! parentheses or a call; the continuation lines of a `when:` start at the
//! column of its value, those of a `let` at column 4. A call, filter, `in`
//! list or tags list written with a line break right after its opening
//! bracket or right before its closing one is laid out one element per
//! line, indented two more than the line it starts on, with its closing
//! bracket back on that indentation; the named arguments of such a call
//! line their values up like fields:
//!
//! ```text
//! let warning_score = weighted(
//!   pla_pressure_surge: 3,
//!   finland_buildup:    2
//! )
//! ```
//!
//! Any other list stays on one line.
//!
//! **Comments.** A comment on a line of its own stays on its own line,
//! above the token it stood above, indented like the line that follows
//! (the item, the field, the list element, or the expression's
//! continuation). A comment at the end of a line stays at the end of the
//! line of the token it followed, one blank after it; the next token then
//! starts a new line (at the value's column inside a field, after the
//! opening bracket inside a one-line list, at column 4 elsewhere in an
//! item). One exception: a trailing comma at the end of a list is
//! dropped, and a comment that stood after it alone on its line moves to
//! a line of its own if the line before already ends in a comment.
//! Empty lines before a comment are kept (at most one) between items and
//! between fields, and dropped elsewhere. The file ends with exactly one
//! newline and has no trailing blanks.
//!
//! # Test files
//!
//! [`format_test_source`] lays out test files (`.test`) with the same
//! promises: a file that does not parse is refused, every comment keeps
//! its place, formatting twice changes nothing, and the result is checked
//! to parse to the same test file (spans aside, see
//! [`test_file_without_spans`]) before it is returned.
//!
//! **Top level.** Rule items, `data` blocks and `test` blocks stay in the
//! order written, one empty line apart; rule items are laid out exactly as
//! in a rule file (consecutive `let` and `series` stay grouped).
//!
//! **Blocks.** `data NAME {`, `test "NAME" {` and `at DATE [to DATE] {`
//! hold one entry (a point or a run), child block (`data` or `at`) or
//! expectation per line, indented two more than the block, which closes
//! with `}` alone on its line. An empty block is `data NAME {}`. A `data`
//! or `at` block that holds a single entry is written on one line,
//! `at 2025-12-31 { pla_pressure_surge met }`, when it was written with
//! that entry on the line of its braces, holds no comment and fits in
//! 100 columns; a `test` block never is. An empty line written between two
//! entries of a block is kept (at most one), not before the first or after
//! the last. The optional commas between entries and expectations are
//! dropped, except after a value expectation without a tolerance that is
//! followed by the status of a rule called `within`.
//!
//! **Entries and expectations.** Dates, durations, numbers, percents,
//! tolerances and numeric field values are written as they were
//! (`2.50`, `40%`, `1mo`); strings are escaped as in rule files, and a
//! field name written as a string stays one. Fields are written
//! `{name: "text", n: 3}`, no blank inside the braces; an empty `{}` after
//! a date stays.
//!
//! ```text
//! 2025-03-02: 2.5 {"Event Type": "Explosions", fatalities: 3}
//! every 1mo from 2023-01-31 {kind: "aircraft"}: 100 x 24, 400 x 12
//! value avg(adiz, 30d) == 12.5 within 0.5
//! summary two_front_pressure ~ "second front"
//! ```
//!
//! A run stays on one line however long: its values one blank apart,
//! `9x30` written `9 x 30`, and a comma after each value with a repeat
//! count that another value follows. The expressions of value
//! expectations are laid out as in rule files.
//!
//! **Comments** follow the rules of rule files: on its own line, a comment
//! stays above the entry, expectation or block it stood above, indented
//! like it; at the end of a line, it stays at the end of the line of the
//! token it followed. A comment that breaks an entry, an expectation or a
//! block's head in two puts the rest on a line indented four more than
//! its start (inside brackets, as in rule files). As there, a comment that
//! stood alone on a line after a comma that is dropped moves to a line of
//! its own if the line before already ends in a comment.

mod erase;
mod print;
mod scan;
mod testfile;
mod writer;

#[cfg(test)]
mod testfile_tests;
#[cfg(test)]
mod tests;

use crate::diag::{Code, Diagnostic, FileId};
use crate::lang::ast::RuleFile;
use crate::lang::parser::parse_file;
use crate::lang::testfile::ast::TestFile;
use crate::lang::testfile::parse_test_file;

pub use erase::{test_file_without_spans, without_spans};
pub use print::{field_name, quote};
pub use testfile::looks_like_tests;

/// The file in the canonical layout, or the parse errors if it does not
/// parse (a file that does not parse is never formatted).
///
/// The result is checked before it is returned: it must parse to the same
/// syntax tree (spans aside) and hold the same comments in the same order.
/// If it does not, the file is not formatted and an error says so.
pub fn format_source(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let (ast, diags) = parse_file(file, text);
    if !diags.is_empty() {
        return Err(diags);
    }
    let out = print::Printer::new(text).file(&ast);
    let (again, diags) = parse_file(file, &out);
    checked(
        file,
        text,
        out,
        diags.is_empty() && same_syntax(&ast, &again),
    )
}

/// A test file (`.test`) in the canonical layout, with the guarantees of
/// [`format_source`]: a file that does not parse is refused with its parse
/// errors, and the result parses to the same test file (spans aside) with
/// the same comments, or the file is not formatted.
pub fn format_test_source(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let (ast, diags) = parse_test_file(file, text);
    if !diags.is_empty() {
        return Err(diags);
    }
    let out = print::Printer::new(text).test_file(&ast);
    let (again, diags) = parse_test_file(file, &out);
    checked(
        file,
        text,
        out,
        diags.is_empty() && same_test_syntax(&ast, &again),
    )
}

/// `out` if it says what `text` says (`same`) and holds its comments.
fn checked(file: FileId, text: &str, out: String, same: bool) -> Result<String, Vec<Diagnostic>> {
    let comments = |t| scan::comments(t).into_iter().map(|c| c.text);
    if same && comments(text).eq(comments(&out)) {
        Ok(out)
    } else {
        Err(vec![Diagnostic::error(
            Code::Unformattable,
            "this file cannot be formatted without changing what it says",
        )
        .in_file(file)
        .with_note(
            "the file is left as written; this is a bug in the formatter",
        )])
    }
}

/// True when two parsed files hold the same items, fields and expressions,
/// wherever they are written.
pub fn same_syntax(a: &RuleFile, b: &RuleFile) -> bool {
    without_spans(a) == without_spans(b)
}

/// True when two parsed test files hold the same rules, data, tests and
/// expectations, wherever they are written.
pub fn same_test_syntax(a: &TestFile, b: &TestFile) -> bool {
    test_file_without_spans(a) == test_file_without_spans(b)
}

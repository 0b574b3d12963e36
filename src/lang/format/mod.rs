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

mod erase;
mod print;
mod scan;
mod writer;

#[cfg(test)]
mod tests;

use crate::diag::{Code, Diagnostic, FileId};
use crate::lang::ast::RuleFile;
use crate::lang::parser::parse_file;

pub use erase::without_spans;

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
    let comments = |t| scan::comments(t).into_iter().map(|c| c.text);
    if diags.is_empty() && same_syntax(&ast, &again) && comments(text).eq(comments(&out)) {
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

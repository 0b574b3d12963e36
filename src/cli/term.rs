//! The terminal: whether to use colour, and printing diagnostics.

use crate::diag::{render, Diagnostic, SourceMap};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use std::io::IsTerminal;

/// True when colour is wanted on a stream: a terminal, and `NO_COLOR`
/// unset or empty.
pub fn colour(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints diagnostics to stderr, rustc-style.
pub fn print_diagnostics(diags: &[Diagnostic], sources: &SourceMap) {
    let choice = if colour(std::io::stderr().is_terminal()) {
        ColorChoice::Always
    } else {
        ColorChoice::Never
    };
    let mut out = StandardStream::stderr(choice);
    if render::emit(&mut out, diags, sources).is_err() {
        for d in diags {
            eprintln!("{}", render::one_line(d, sources));
        }
    }
}

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

/// Writes `text` to stdout. A reader that went away (`| head`) is not an
/// error worth a panic: the rest is simply not written.
pub fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// [`out`] with a line end.
pub fn outln(text: &str) {
    out(&format!("{text}\n"));
}

//! `tocsin fmt [--check] [PATH...]`: rule files (`.rules`) and test files
//! (`.test`) in the one canonical layout.
//!
//! Folders are searched for both kinds; a file named on the command line
//! is formatted as a test file if its name ends in `.test`, as a rule file
//! otherwise. `-` formats standard input to standard output: as a test file
//! when it holds a `test "..."` or `data NAME {` block (outside comments and
//! strings), as a rule file otherwise.

use super::{term, Config, BAD_INPUT, FAILED, OK};
use crate::diag::{Diagnostic, FileId, SourceMap};
use crate::lang::format::{format_source, format_test_source, looks_like_tests};
use crate::project::files::{self, Kind};
use crate::project::Paths;
use crate::workspace::{unreadable, Contents};
use std::io::Read;
use std::path::PathBuf;

/// Runs `fmt`.
pub fn run(cfg: &Config, paths: &Paths, check: bool) -> u8 {
    let colour = cfg.colour_err;
    if paths.explicit && paths.paths.len() == 1 && paths.paths[0].as_os_str() == "-" {
        return stdin(colour);
    }
    let (roots, explicit) = (&paths.paths, paths.explicit);
    let found = files::discover(roots, Kind::Rules, explicit).and_then(|mut rules| {
        rules.extend(files::discover(roots, Kind::Tests, explicit)?);
        rules.sort();
        rules.dedup();
        Ok(rules)
    });
    let files = match found {
        Ok(f) => f,
        Err(missing) => {
            eprintln!(
                "error[E309]: {}: no such file or folder",
                files::display(&missing.path)
            );
            return BAD_INPUT;
        }
    };
    let (mut changed, mut broken) = (Vec::new(), 0);
    for path in &files {
        let name = files::display(path);
        // Read as `check` reads: a pipe found in a folder is refused, not
        // waited on.
        let text = match files::read(path) {
            Contents::Text(t) => t,
            other => {
                let mut sources = SourceMap::new();
                let id = sources.add(name.clone(), "");
                if let Some(d) = unreadable(id, &other) {
                    term::print_diagnostics(&[d], &sources, colour);
                }
                broken += 1;
                continue;
            }
        };
        let mut sources = SourceMap::new();
        let id = sources.add(name.clone(), text.as_str());
        let is_test = path.extension().is_some_and(|e| e == "test");
        match format_as(is_test, id, &text) {
            Ok(out) if out == text => {}
            Ok(out) => {
                if check {
                    super::term::outln(&name.to_string());
                } else if let Err(e) = write_atomically(path, &out) {
                    eprintln!("error[E301]: {name}: cannot be written: {e}");
                    broken += 1;
                    continue;
                }
                changed.push(name);
            }
            Err(diags) => {
                term::print_diagnostics(&diags, &sources, colour);
                broken += 1;
            }
        }
    }
    let n = files.len();
    let plural = |k: usize| if k == 1 { "" } else { "s" };
    if check {
        eprintln!(
            "{} of {n} file{} would be reformatted",
            changed.len(),
            plural(n)
        );
    } else {
        eprintln!("{} of {n} file{} reformatted", changed.len(), plural(n));
    }
    if broken > 0 {
        BAD_INPUT
    } else if check && !changed.is_empty() {
        FAILED
    } else {
        OK
    }
}

/// Formats standard input to standard output, for editors.
fn stdin(colour: bool) -> u8 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("error[E301]: <stdin>: cannot be read: {e}");
        return BAD_INPUT;
    }
    match format_as(looks_like_tests(&text), FileId(0), &text) {
        Ok(out) => {
            super::term::out(&out);
            OK
        }
        Err(diags) => {
            let mut sources = SourceMap::new();
            sources.add("<stdin>", text.as_str());
            term::print_diagnostics(&diags, &sources, colour);
            BAD_INPUT
        }
    }
}

/// `text` formatted as a test file or as a rule file.
fn format_as(test: bool, id: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    if test {
        format_test_source(id, text)
    } else {
        format_source(id, text)
    }
}

/// Replaces a file whole: a crash leaves the old version or the new one.
fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

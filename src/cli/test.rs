//! `tocsin test`: find the test files, read them and the rules, run the
//! tests and report. The work is done by [`crate::ruletest`].

use super::{fs, term, BAD_INPUT, FAILED, OK};
use crate::diag::{Code, Diagnostic, SourceMap};
use crate::ruletest::{self, report};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Runs `test`.
pub fn run(paths: &[PathBuf], rules: &[PathBuf], verbose: bool, junit: Option<&Path>) -> u8 {
    let (rule_paths, rules_explicit) = if rules.is_empty() {
        (vec![PathBuf::from("rules")], false)
    } else {
        (rules.to_vec(), true)
    };
    let rule_files = match fs::discover(&rule_paths, fs::Kind::Rules, rules_explicit) {
        Ok(found) => found,
        Err(missing) => return not_found(missing.flag, &missing.path),
    };
    // Tests live beside the rules unless the command line says otherwise.
    let (search, explicit) = if paths.is_empty() {
        (rule_paths, false)
    } else {
        (paths.to_vec(), true)
    };
    let test_files = match fs::discover(&search, fs::Kind::Tests, explicit).map_err(|m| m.path) {
        Ok(found) => found,
        Err(path) => return not_found("test path", &path),
    };
    let mut notes = Vec::new();
    if test_files.is_empty() {
        notes.push(
            Diagnostic::warning(Code::NoTestFiles, "no test files found").with_note(
                "test files end in `.test`; tocsin looks under `rules/` (or the --rules folders), or where its PATH arguments point",
            ),
        );
    }
    let suite = ruletest::prepare(&fs::read_all(&test_files), &fs::read_all(&rule_files));
    if suite.has_errors() {
        term::print_diagnostics(&suite.diagnostics, &suite.sources);
        let errors = suite.diagnostics.iter().filter(|d| d.is_error()).count();
        eprintln!(
            "test stopped: {errors} error{} in the test files or rules",
            if errors == 1 { "" } else { "s" }
        );
        return BAD_INPUT;
    }
    let outcome = ruletest::run(&suite);
    notes.extend(suite.diagnostics.iter().cloned());
    notes.extend(outcome.warnings.iter().cloned());
    term::print_diagnostics(&notes, &suite.sources);
    if let Some(path) = junit {
        if let Err(e) = std::fs::write(path, report::junit(&outcome)) {
            let d = Diagnostic::error(
                Code::Unreadable,
                format!("--junit {}: cannot be written: {e}", fs::display(path)),
            )
            .with_note("check that the folder exists and that tocsin may write there");
            term::print_diagnostics(&[d], &SourceMap::new());
            return BAD_INPUT;
        }
    }
    let colour = term::colour(std::io::stdout().is_terminal());
    term::out(&report::text(&outcome, verbose, colour));
    if outcome.failed() > 0 {
        FAILED
    } else {
        OK
    }
}

fn not_found(what: &str, path: &Path) -> u8 {
    let d = Diagnostic::error(
        Code::PathNotFound,
        format!("{what} {}: no such file or folder", fs::display(path)),
    )
    .with_note("check the path, relative to the working directory");
    term::print_diagnostics(&[d], &SourceMap::new());
    BAD_INPUT
}

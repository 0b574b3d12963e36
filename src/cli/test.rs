//! `tocsin test`: find the test files, read them and the rules, run the
//! tests and report. The work is done by [`crate::ruletest`].

use super::{term, Config, BAD_INPUT, FAILED, OK};
use crate::diag::{Code, Diagnostic, SourceMap};
use crate::project::files;
use crate::project::Paths;
use crate::ruletest::{self, report};
use std::path::Path;

/// Runs `test`.
pub fn run(cfg: &Config, tests: &Paths, verbose: bool, junit: Option<&Path>) -> u8 {
    let colour = cfg.colour_err;
    let rules = &cfg.rules;
    let rule_files = match files::discover(&rules.paths, files::Kind::Rules, rules.explicit) {
        Ok(found) => found,
        Err(missing) => return not_found(missing.flag, &missing.path, junit, colour),
    };
    // A rule file named as a test would be read as a test file holding
    // its own rules, without data: every series it reads unknown.
    if let Some(p) = tests
        .paths
        .iter()
        .find(|p| tests.explicit && p.is_file() && p.extension().is_some_and(|e| e == "rules"))
    {
        let d = Diagnostic::error(
            Code::RulesAsTests,
            format!(
                "{} is a rule file: `tocsin test` runs `.test` files",
                files::display(p)
            ),
        )
        .with_note("name the test files, or a folder that holds them (`tocsin test rules/tests`); the rules they test are read from --rules");
        return report_before_running(&[d], junit, colour);
    }
    // A test path that does not exist is reported with the errors of the
    // test files that do, rather than hiding them.
    let (present, missing): (Vec<_>, Vec<_>) = tests
        .paths
        .iter()
        .cloned()
        .partition(|p| !tests.explicit || std::fs::metadata(p).is_ok());
    let test_files = match files::discover(&present, files::Kind::Tests, tests.explicit) {
        Ok(found) => found,
        Err(missing) => return not_found("test path", &missing.path, junit, colour),
    };
    let mut notes = Vec::new();
    if test_files.is_empty() && missing.is_empty() {
        notes.push(
            Diagnostic::warning(Code::NoTestFiles, "no test files found").with_note(
                "test files end in `.test`; tocsin looks under `rules/` (or the --rules folders), or where its PATH arguments point",
            ),
        );
    }
    let mut suite = ruletest::prepare(&files::read_all(&test_files), &files::read_all(&rule_files));
    if !missing.is_empty() {
        let absent = missing.iter().map(|p| path_not_found("test path", p));
        suite.diagnostics.splice(0..0, absent);
    }
    if suite.has_errors() {
        // The CI's test report says why nothing ran; the exit code stays 2
        // whether or not it could be written.
        if let Some(path) = junit {
            let xml = report::junit_errors(&suite.diagnostics, &suite.sources);
            let _ = write_junit(path, &xml, colour);
        }
        term::print_diagnostics(&suite.diagnostics, &suite.sources, colour);
        let errors = suite.diagnostics.iter().filter(|d| d.is_error()).count();
        eprintln!(
            "test stopped: {errors} error{} in the test files or rules",
            if errors == 1 { "" } else { "s" }
        );
        return BAD_INPUT;
    }
    let start = std::time::Instant::now();
    let outcome = ruletest::run_timed(&suite, &|| start.elapsed());
    notes.extend(suite.diagnostics.iter().cloned());
    notes.extend(outcome.warnings.iter().cloned());
    term::print_diagnostics(&notes, &suite.sources, colour);
    if let Some(path) = junit {
        if write_junit(path, &report::junit(&outcome), colour).is_err() {
            return BAD_INPUT;
        }
    }
    term::out(&report::text(&outcome, verbose, cfg.colour_out));
    if outcome.failed() > 0 {
        FAILED
    } else {
        OK
    }
}

/// Writes the `--junit` file; a failure is reported here.
fn write_junit(path: &Path, xml: &str, colour: bool) -> Result<(), ()> {
    std::fs::write(path, xml).map_err(|e| {
        let d = Diagnostic::error(
            Code::Unreadable,
            format!("--junit {}: cannot be written: {e}", files::display(path)),
        )
        .with_note("check that the folder exists and that tocsin may write there");
        term::print_diagnostics(&[d], &SourceMap::new(), colour);
    })
}

/// Reports a path that does not exist, in the `--junit` file too.
fn not_found(what: &str, path: &Path, junit: Option<&Path>, colour: bool) -> u8 {
    report_before_running(&[path_not_found(what, path)], junit, colour)
}

/// The error for a path that does not exist.
fn path_not_found(what: &str, path: &Path) -> Diagnostic {
    Diagnostic::error(
        Code::PathNotFound,
        format!("{what} {}: no such file or folder", files::display(path)),
    )
    .with_note("check the path, relative to the working directory")
}

/// Reports errors that stop the tests before any file is read, in the
/// `--junit` file too.
fn report_before_running(d: &[Diagnostic], junit: Option<&Path>, colour: bool) -> u8 {
    if let Some(junit) = junit {
        let _ = write_junit(junit, &report::junit_errors(d, &SourceMap::new()), colour);
    }
    term::print_diagnostics(d, &SourceMap::new(), colour);
    BAD_INPUT
}

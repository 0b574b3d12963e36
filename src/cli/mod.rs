//! The `tocsin` command: arguments, the file system, the terminal. The
//! commands load a [`crate::workspace::Workspace`] and print what the
//! library computed.

mod args;
mod backtest;
mod check;
pub mod config;
mod eval;
mod explain;
mod fmt;
mod history;
mod man;
mod man_pages;
pub(crate) mod output;
mod report;
mod selector;
mod shell;
pub(crate) mod term;
mod test;
mod watch;

use crate::heap::leave;
use crate::project::files;
use args::Cli;
pub use config::{Config, Task};
use std::process::ExitCode;

/// Exit code: the command did its job.
pub const OK: u8 = 0;
/// Exit code: the command ran and its condition failed.
pub const FAILED: u8 = 1;
/// Exit code: the input could not be used.
pub const BAD_INPUT: u8 = 2;

/// Runs the command line and returns the exit code.
pub fn main() -> ExitCode {
    term::install_redactor();
    let cli = match <Cli as clap::Parser>::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { BAD_INPUT } else { OK });
        }
    };
    // A date pinned by the environment that does not read as one would
    // leave the clock's date in its place, without a word.
    if let Err(bad) = crate::clock::pinned() {
        eprintln!("error: TOCSIN_TODAY={bad:?} is not a date; write YYYY-MM-DD, for example 2025-07-20, or unset it");
        return ExitCode::from(BAD_INPUT);
    }
    let cfg = Config::new(cli);
    // The contract gives every command `--indicators`; these two read no data.
    if cfg.indicators.explicit {
        match &cfg.task {
            Task::Fmt { .. } => eprintln!("warning: --indicators is not read by fmt, which formats rule and test files"),
            Task::Test { .. } => eprintln!("warning: --indicators is not read by test: a test reads only the data its test file gives"),
            _ => {}
        }
    }
    let code = match &cfg.task {
        Task::Check { format } => check::run(&cfg, *format),
        Task::Watch(daemon) => watch::run(&cfg, daemon),
        Task::History {
            name,
            state,
            format,
        } => history::run(name.as_deref(), state, *format),
        Task::Completions { shell } => shell::completions(*shell),
        Task::Man { command, out } => man::run(command.as_deref(), out.as_deref()),
        Task::Fmt { check, paths } => fmt::run(&cfg, paths, *check),
        Task::Backtest {
            from,
            to,
            step,
            outcome,
            format,
        } => backtest::run(&cfg, *from, *to, *step, outcome.clone(), *format),
        Task::Explain { rule, format } => explain::run(&cfg, rule, *format),
        Task::Report { from, output } => report::run(&cfg, *from, output),
        Task::Eval { format, fail_on } => eval::run(&cfg, *format, *fail_on),
        Task::Test {
            tests,
            verbose,
            junit,
        } => test::run(&cfg, tests, *verbose, junit.as_deref()),
    };
    ExitCode::from(code)
}

/// Reads the rule and data files the configuration names, keeping the
/// data columns `kept` says. `Err` carries the exit code after the problem
/// has been reported.
fn load(
    cfg: &Config,
    kept: crate::workspace::KeptColumns,
) -> Result<crate::workspace::Workspace, u8> {
    let found =
        files::discover(&cfg.rules.paths, files::Kind::Rules, cfg.rules.explicit).and_then(|r| {
            files::discover_data(&cfg.indicators.paths, cfg.indicators.explicit).map(|d| (r, d))
        });
    let (rule_paths, (data_paths, skipped)) = match found {
        Ok(paths) => paths,
        Err(missing) => {
            let d = crate::diag::Diagnostic::error(
                crate::diag::Code::PathNotFound,
                format!(
                    "{} {}: no such file or folder",
                    missing.flag,
                    files::display(&missing.path)
                ),
            )
            .with_note("check the path, relative to the working directory");
            term::print_diagnostics(&[d], &crate::diag::SourceMap::new(), cfg.colour_err);
            return Err(BAD_INPUT);
        }
    };
    let data_names: Vec<String> = data_paths.iter().map(|p| files::display(p)).collect();
    let data_names: Vec<&str> = data_names.iter().map(String::as_str).collect();
    let (mut ws, syntax) =
        crate::workspace::load_reading(&files::read_all(&rule_paths), &data_names, kept, |k| {
            files::read_or_defer(&data_paths[k])
        });
    leave(syntax);
    // First, with the other warnings about data files.
    if let Some(w) = files::skipped_warning(&skipped) {
        ws.diagnostics.insert(0, w);
    }
    Ok(ws)
}

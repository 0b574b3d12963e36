//! The `tocsin` command: arguments, the file system, the terminal. The
//! commands load a [`crate::workspace::Workspace`] and print what the
//! library computed.

mod args;
mod backtest;
mod check;
mod eval;
mod explain;
mod fmt;
mod history;
mod report;
mod shell;
mod test;
mod watch;
pub use eval::today;
pub(crate) mod fs;
pub(crate) mod output;
pub(crate) mod term;

use crate::heap::leave;
use args::{Cli, Command, Inputs};
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
    let code = match cli.command {
        Command::Check { inputs, format } => check::run(&inputs, format),
        Command::Watch {
            inputs,
            at,
            format,
            listen,
            state,
            webhook,
            alertmanager,
        } => watch::run(&inputs, at, format, listen, state, webhook, alertmanager),
        Command::History {
            name,
            state,
            format,
        } => history::run(name.as_deref(), &state, format),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man => shell::man(),
        Command::Fmt { check, paths } => fmt::run(&paths, check),
        Command::Backtest {
            inputs,
            from,
            to,
            step,
            outcome,
            format,
        } => backtest::run(&inputs, from, to, step, outcome, format),
        Command::Explain {
            name,
            inputs,
            at,
            format,
        } => explain::run(&inputs, &name, at, format),
        Command::Report {
            inputs,
            at,
            from,
            output,
        } => report::run(&inputs, at, from, &output),
        Command::Eval {
            inputs,
            at,
            format,
            fail_on,
        } => eval::run(&inputs, at, format, fail_on),
        Command::Test {
            paths,
            rules,
            verbose,
            junit,
        } => test::run(&paths, &rules, verbose, junit.as_deref()),
    };
    ExitCode::from(code)
}

/// Reads the rule and data files named by the inputs. `Err` carries the
/// exit code after the problem has been reported.
fn load(inputs: &Inputs) -> Result<crate::workspace::Workspace, u8> {
    let pick = |given: &Vec<std::path::PathBuf>, default: &str| {
        if given.is_empty() {
            (vec![std::path::PathBuf::from(default)], false)
        } else {
            (given.clone(), true)
        }
    };
    let (rules, rules_explicit) = pick(&inputs.rules, "rules");
    let (data, data_explicit) = pick(&inputs.indicators, "indicators");
    let found = fs::discover(&rules, fs::Kind::Rules, rules_explicit)
        .and_then(|r| fs::discover(&data, fs::Kind::Data, data_explicit).map(|d| (r, d)));
    let (rule_paths, data_paths) = match found {
        Ok(paths) => paths,
        Err(missing) => {
            let d = crate::diag::Diagnostic::error(
                crate::diag::Code::PathNotFound,
                format!(
                    "{} {}: no such file or folder",
                    missing.flag,
                    fs::display(&missing.path)
                ),
            )
            .with_note("check the path, relative to the working directory");
            term::print_diagnostics(&[d], &crate::diag::SourceMap::new());
            return Err(BAD_INPUT);
        }
    };
    let data_names: Vec<String> = data_paths.iter().map(|p| fs::display(p)).collect();
    let data_names: Vec<&str> = data_names.iter().map(String::as_str).collect();
    let (ws, syntax) =
        crate::workspace::load_reading(&fs::read_all(&rule_paths), &data_names, |k| {
            fs::read(&data_paths[k])
        });
    leave(syntax);
    Ok(ws)
}

//! `tocsin report`: the board, the data and the status history as one
//! self-contained HTML file.

use super::Config;
use super::{term, BAD_INPUT, OK};
use crate::eval::{backtest, evaluate};
use crate::report::{render, Report};
use crate::time::{Date, Duration};
use std::io::Write;
use std::path::Path;

/// Runs `report`.
pub fn run(cfg: &Config, from: Date, output: &Path) -> u8 {
    let at = cfg.at;
    if from > at {
        eprintln!("error: --from {from} is after --at {at}");
        return BAD_INPUT;
    }
    let ws = match super::load(cfg, crate::workspace::KeptColumns::Read) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let Some(model) = &ws.model else {
        term::print_diagnostics(&ws.diagnostics, &ws.sources, cfg.colour_err);
        let errors = ws.diagnostics.iter().filter(|d| d.is_error()).count();
        eprintln!(
            "report stopped: {errors} error{} in the rules or data",
            if errors == 1 { "" } else { "s" }
        );
        return BAD_INPUT;
    };
    let warnings = ws.diagnostics.len();
    if warnings > 0 {
        eprintln!(
            "note: {warnings} warning{} about the rules or data; `tocsin check` shows them",
            if warnings == 1 { "" } else { "s" }
        );
    }
    let results = evaluate(model, at);
    let days = backtest::steps(from, at, Duration::Days(1));
    let history = backtest::run(model, &days, Duration::Days(1), None, |_| {});
    let page = render(&Report {
        at,
        from,
        model,
        store: &ws.store,
        results: &results,
        backtest: &history,
        sources: &ws.sources,
    });
    let written = if output.as_os_str() == "-" {
        std::io::stdout()
            .lock()
            .write_all(page.as_bytes())
            .and_then(|()| std::io::stdout().lock().flush())
    } else {
        std::fs::write(output, &page)
    };
    match written {
        Ok(()) => {
            if output.as_os_str() != "-" {
                let rules = model.program.rules.len();
                eprintln!(
                    "wrote {} ({} KB): {rules} rule{} at {at}, history from {from}",
                    output.display(),
                    page.len().div_ceil(1024),
                    if rules == 1 { "" } else { "s" }
                );
            }
            OK
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", output.display());
            BAD_INPUT
        }
    }
}

//! `tocsin check`: parse and type-check, report every problem.

use super::args::{CheckFormat, Inputs};
use super::{term, BAD_INPUT, OK};
use crate::diag::render;

/// Runs `check`.
pub fn run(inputs: &Inputs, format: CheckFormat) -> u8 {
    let ws = match super::load(inputs) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let failed = ws.has_errors();
    match format {
        CheckFormat::Json => {
            let records: Vec<render::Record> = ws
                .diagnostics
                .iter()
                .map(|d| render::record(d, &ws.sources))
                .collect();
            let doc = serde_json::json!({
                "ok": !failed,
                "rule_files": ws.counts.rule_files,
                "items": ws.counts.items,
                "data_files": ws.counts.data_files,
                "series": ws.counts.series,
                "diagnostics": records,
            });
            println!("{doc}");
        }
        CheckFormat::Text => {
            term::print_diagnostics(&ws.diagnostics, &ws.sources);
            let errors = ws.diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = ws.diagnostics.len() - errors;
            if failed {
                eprintln!(
                    "check failed: {errors} error{}, {warnings} warning{}",
                    plural(errors),
                    plural(warnings)
                );
            } else {
                let c = ws.counts;
                let warn = if warnings > 0 {
                    format!(" ({warnings} warning{})", plural(warnings))
                } else {
                    String::new()
                };
                println!(
                    "ok: {} rule file{}, {} item{}, {} series from {} data file{}{warn}",
                    c.rule_files,
                    plural(c.rule_files),
                    c.items,
                    plural(c.items),
                    c.series,
                    c.data_files,
                    plural(c.data_files)
                );
            }
        }
    }
    if failed {
        BAD_INPUT
    } else {
        OK
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

//! `tocsin check`: parse and type-check, report every problem.

use super::args::CheckFormat;
use super::Config;
use super::{term, BAD_INPUT, OK};
use crate::diag::render;

/// Runs `check`.
pub fn run(cfg: &Config, format: CheckFormat) -> u8 {
    // A short run that only builds: let the heap grow in large steps.
    crate::heap::reserve();
    let ws = match super::load(cfg, crate::workspace::KeptColumns::Read) {
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
            super::term::outln(&doc.to_string());
        }
        CheckFormat::Github => {
            for d in &ws.diagnostics {
                super::term::outln(&github_command(d, &ws.sources));
            }
        }
        CheckFormat::Text => {
            term::print_diagnostics(&ws.diagnostics, &ws.sources, cfg.colour_err);
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
                super::term::outln(&format!(
                    "ok: {} rule file{}, {} item{}, {} series from {} data file{}{warn}",
                    c.rule_files,
                    plural(c.rule_files),
                    c.items,
                    plural(c.items),
                    c.series,
                    c.data_files,
                    plural(c.data_files)
                ));
            }
        }
    }
    super::leave(ws);
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

/// A diagnostic as a GitHub Actions workflow command, so that it shows on
/// the pull request's diff.
fn github_command(d: &crate::diag::Diagnostic, sources: &crate::diag::SourceMap) -> String {
    let level = if d.is_error() { "error" } else { "warning" };
    let mut props = Vec::new();
    if let Some((file, line, col)) = render::location(d, sources) {
        props.push(format!("file={}", escape_property(&render::shown(&file))));
        if line > 0 {
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("tocsin {}", d.code))
    ));
    let mut message = render::shown(&d.message);
    for n in &d.notes {
        message.push('\n');
        message.push_str(&render::shown(n));
    }
    format!("::{level} {}::{}", props.join(","), escape_data(&message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Diagnostic, SourceMap, Span};

    #[test]
    fn workflow_commands_are_escaped() {
        let mut m = SourceMap::new();
        let f = m.add("rules/a,b.rules", "let x = y\n");
        let d = Diagnostic::error(Code::UnknownName, "unknown name `y`: 100%")
            .with_primary(Span::new(f, 8, 9), "")
            .with_note("did you mean `x`?");
        assert_eq!(
            github_command(&d, &m),
            "::error file=rules/a%2Cb.rules,line=1,col=9,title=tocsin E101::unknown name `y`: 100%25%0Adid you mean `x`?"
        );
    }
}

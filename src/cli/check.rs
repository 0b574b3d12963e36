//! `tocsin check`: parse and type-check, report every problem.

use super::args::CheckFormat;
use super::Config;
use super::{term, BAD_INPUT, OK};
use crate::diag::render;
use std::path::{Component, Path, PathBuf};

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
            let workspace = std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from);
            let cwd = std::env::current_dir().unwrap_or_default();
            let place = |file: &str| workspace_relative(file, workspace.as_deref(), &cwd);
            for d in &ws.diagnostics {
                super::term::outln(&github_command(d, &ws.sources, &place));
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
/// the pull request's diff. `place` turns a file name into the path GitHub
/// is given.
fn github_command(
    d: &crate::diag::Diagnostic,
    sources: &crate::diag::SourceMap,
    place: &dyn Fn(&str) -> String,
) -> String {
    let level = if d.is_error() { "error" } else { "warning" };
    let mut props = Vec::new();
    if let Some((file, line, col)) = render::location(d, sources) {
        props.push(format!(
            "file={}",
            escape_property(&render::shown(&place(&file)))
        ));
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

/// `file` relative to `workspace` (`$GITHUB_WORKSPACE`) when it lies under
/// it: GitHub places an annotation only by a workspace-relative path, and
/// tocsin may run in a subfolder or be given absolute paths. Any other
/// file is left as it was named.
fn workspace_relative(file: &str, workspace: Option<&Path>, cwd: &Path) -> String {
    let Some(workspace) = workspace.filter(|w| !w.as_os_str().is_empty()) else {
        return file.to_string();
    };
    let path = normal(&cwd.join(file));
    match path.strip_prefix(normal(&cwd.join(workspace))) {
        Ok(rel) if rel.components().next().is_some() => {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            parts.join("/")
        }
        _ => file.to_string(),
    }
}

/// `path` with its symbolic links resolved when it exists (a workspace
/// under a linked folder is the same workspace), else with `.` and `..`
/// taken out by hand.
fn normal(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
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
            github_command(&d, &m, &|f: &str| f.to_string()),
            "::error file=rules/a%2Cb.rules,line=1,col=9,title=tocsin E101::unknown name `y`: 100%25%0Adid you mean `x`?"
        );
    }

    #[test]
    fn paths_are_made_relative_to_the_github_workspace_under_it() {
        let ws = Path::new("/nowhere/ws");
        let rel = |file, cwd| workspace_relative(file, Some(ws), Path::new(cwd));
        assert_eq!(rel("rules/a.rules", "/nowhere/ws"), "rules/a.rules");
        assert_eq!(rel("rules/a.rules", "/nowhere/ws/sub"), "sub/rules/a.rules");
        assert_eq!(rel("./r/../a.rules", "/nowhere/ws/s"), "s/a.rules");
        assert_eq!(rel("/nowhere/ws/x/b.rules", "/"), "x/b.rules");
        // Outside the workspace, or no workspace: as named.
        assert_eq!(
            rel("/elsewhere/b.rules", "/nowhere/ws"),
            "/elsewhere/b.rules"
        );
        assert_eq!(rel("../b.rules", "/nowhere/ws"), "../b.rules");
        assert_eq!(
            workspace_relative("rules/a.rules", None, Path::new("/x")),
            "rules/a.rules"
        );
        assert_eq!(
            workspace_relative("a.rules", Some(Path::new("")), Path::new("/x")),
            "a.rules"
        );
    }
}

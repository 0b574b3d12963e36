//! `eval --format markdown`: a table for a CI job summary.

use super::{values_line, Board};
use crate::eval::Status;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

fn badge(status: Status) -> &'static str {
    match status {
        Status::Met => "🔴 **met**",
        Status::Pending => "🟠 pending",
        Status::Unknown => "⚪ unknown",
        Status::NotMet => "🟢 not met",
    }
}

/// Renders the board as Markdown.
pub fn markdown(board: &Board) -> String {
    let mut out = format!("## tocsin board at {}\n\n", board.at);
    let tally: Vec<String> = board
        .tally()
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str().replace('_', " ")))
        .collect();
    out.push_str(&format!("{}\n\n", tally.join(" · ")));
    out.push_str("| Status | Severity | Kind | Name | Summary | Values that decided |\n|---|---|---|---|---|---|\n");
    for r in board.reading_order() {
        let summary = r.summary.as_deref().or(r.title.as_deref()).unwrap_or("");
        out.push_str(&format!(
            "| {} | {} | {} | `{}` | {} | {} |\n",
            badge(r.status),
            r.severity.unwrap_or(""),
            r.kind,
            r.name,
            cell(summary),
            cell(&values_line(r))
        ));
    }
    out
}

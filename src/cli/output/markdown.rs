//! `eval --format markdown`: a table for a CI job summary.

use super::{values_line, Board, Entry, Row};
use crate::diag::escape_controls;
use crate::eval::Status;

/// `s` as the text of one table cell: rule text must not bring its own
/// HTML, images, links to images, code spans or emphasis into a CI job
/// summary, nor end the cell. Markdown's own escapes (`\*`, `&lt;`) keep
/// the text as written when shown.
fn cell(s: &str) -> String {
    let s = escape_controls(s);
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("<br>"),
            '!' if chars.peek() == Some(&'[') => out.push_str("\\!"),
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A name as a code span; a name holding a backtick or a bar (which the
/// language does not allow) is shown as plain escaped text instead.
fn code(name: &str) -> String {
    if name.contains(['`', '|', '\n']) || name.chars().any(char::is_control) {
        cell(name)
    } else {
        format!("`{name}`")
    }
}

fn badge(status: Status) -> &'static str {
    match status {
        Status::Met => "🔴 **met**",
        Status::Pending => "🟠 pending",
        Status::Unknown => "⚪ unknown",
        Status::NotMet => "🟢 not met",
    }
}

/// One rule or instance as a table row.
fn row(out: &mut String, r: &Row, name: &str) {
    let summary = r.summary.as_deref().or(r.title.as_deref()).unwrap_or("");
    out.push_str(&format!(
        "| {} | {} | {} | {} | {} | {} |\n",
        badge(r.status),
        r.severity.unwrap_or(""),
        r.kind,
        code(name),
        cell(summary),
        cell(&values_line(r))
    ));
}

/// Renders the board as Markdown.
pub fn markdown(board: &Board) -> String {
    let mut out = format!("## tocsin board at {}\n\n", board.at);
    let mut tally: Vec<String> = board
        .tally()
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str().replace('_', " ")))
        .collect();
    match board.no_instances.len() {
        0 => {}
        1 => tally.push("1 rule with no instance".to_string()),
        n => tally.push(format!("{n} rules with no instance")),
    }
    out.push_str(&format!("{}\n\n", tally.join(" · ")));
    out.push_str("| Status | Severity | Kind | Name | Summary | Values that decided |\n|---|---|---|---|---|---|\n");
    for e in board.entries() {
        match e {
            Entry::Rule(r) => row(&mut out, r, &r.display),
            Entry::Grouped(rows) => {
                let first = rows[0];
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} {}: {} | |\n",
                    badge(first.status),
                    first.severity.unwrap_or(""),
                    first.kind,
                    code(&first.name),
                    rows.len(),
                    if rows.len() == 1 {
                        "instance"
                    } else {
                        "instances"
                    },
                    Entry::counts(&rows)
                ));
                let shown = Entry::shown(&rows);
                for r in &rows[..shown] {
                    row(&mut out, r, &r.display);
                }
                // With none shown, the heading's counts say it all.
                if shown > 0 && shown < rows.len() {
                    let rest = &rows[shown..];
                    out.push_str(&format!(
                        "| | | | | … {} more: {} | |\n",
                        rest.len(),
                        Entry::counts(rest)
                    ));
                }
            }
        }
    }
    for n in &board.no_instances {
        out.push_str(&format!(
            "| – no instance | {} | {} | {} | no instance at {} | |\n",
            n.severity.unwrap_or(""),
            n.kind,
            code(&n.name),
            board.at
        ));
    }
    if !board.feeds.is_empty() {
        out.push_str("\n### Feeds\n\n| Feed | Newest | Age (days) | Stale after | Stale |\n|---|---|---|---|---|\n");
        for f in &board.feeds {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                code(&f.name),
                f.newest.as_deref().unwrap_or("none"),
                f.age_days.map_or(String::new(), |a| a.to_string()),
                f.stale_after.as_deref().unwrap_or(""),
                if f.stale { "⚠️ **stale**" } else { "" }
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_text_cannot_bring_html_images_or_markup() {
        assert_eq!(
            cell("<img src=x onerror=alert(1)> & ![t](http://e/p.png) | `c` *b* _i_"),
            "&lt;img src=x onerror=alert(1)&gt; &amp; \\!\\[t\\](http://e/p.png) \\| \\`c\\` \\*b\\* \\_i\\_"
        );
        // ESC shown as `\e`, its backslash escaped so Markdown shows it.
        assert_eq!(cell("a\nb\x1b[31m"), "a<br>b\\\\e\\[31m");
        assert_eq!(cell(r"\|"), r"\\\|");
        assert_eq!(code("pla_sorties"), "`pla_sorties`");
        assert_eq!(code("a`b"), "a\\`b");
    }
}

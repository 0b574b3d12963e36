//! `tocsin history [NAME]`: the journal's story of a rule.

use super::args::ReadFormat;
use super::{BAD_INPUT, OK};
use std::path::Path;

/// Runs `history`.
pub fn run(name: Option<&str>, state: &Path, format: ReadFormat) -> u8 {
    // An instance is read as `explain` reads one: its fields in any order,
    // spaced or not, their names ignoring case.
    let wanted = match name.map(super::selector::parse_selector).transpose() {
        Ok(Some(w)) if w.name.trim().is_empty() || w.name.trim() != w.name => {
            eprintln!(
                "error: `{}` names no rule: write NAME or NAME{{field=\"value\"}}",
                crate::diag::escape_controls(name.unwrap_or_default())
            );
            return BAD_INPUT;
        }
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {}", crate::diag::escape_controls(&e));
            return BAD_INPUT;
        }
    };
    let keep = |change: &crate::change::StatusChange| {
        wanted.as_ref().is_none_or(|w| {
            w.name == change.name
                && (w.labels.is_empty()
                    || (w.labels.len() == change.labels.len()
                        && w.labels.iter().all(|(k, v)| {
                            change
                                .labels
                                .iter()
                                .any(|(ck, cv)| ck.eq_ignore_ascii_case(k) && cv == v)
                        })))
        })
    };
    let entries = match crate::state::history_where(state, keep) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {}", crate::diag::escape_controls(&e.to_string()));
            return BAD_INPUT;
        }
    };
    match format {
        ReadFormat::Json => {
            for e in &entries {
                let line = serde_json::json!({
                    "seq": e.seq,
                    "ts": e.ts,
                    "change": e.change,
                    "sinks": e.sinks,
                    "delivered": e.deliveries.iter().map(|d| serde_json::json!({"sink": d.sink, "ts": d.ts})).collect::<Vec<_>>(),
                    "dead_lettered": e.dead_letters.iter().map(|d| serde_json::json!({"sink": d.sink, "ts": d.ts, "reason": d.reason})).collect::<Vec<_>>(),
                });
                super::term::outln(&line.to_string());
            }
        }
        // Titles and summaries come from rule files: any escape sequence
        // in them is shown, not obeyed.
        ReadFormat::Text => super::term::out(&crate::diag::escape_controls(
            &crate::state::format_history(&entries, name),
        )),
    }
    OK
}

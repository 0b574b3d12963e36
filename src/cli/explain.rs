//! `tocsin explain NAME`: why a rule has its status, as a tree whose
//! numbers a reader can recompute from the observations listed.

use super::args::ReadFormat;
use super::selector::Selector;
use super::Config;
use super::{term, BAD_INPUT, OK};
use crate::diag::{did_you_mean, escape_controls, SourceMap};
use crate::eval::explain::{explain, Explained, Observation, Span, MAX_NODES, MAX_TREE_DEPTH};
use crate::eval::value::format_number;
use crate::eval::{instance_labels, instance_name, Evaluator, Model};
use crate::lang::program::Status;
use crate::time::{Date, Duration};
use serde_json::{json, Value as Json};
use std::fmt::Write;

/// Runs `explain`.
pub fn run(cfg: &Config, sel: &Selector, format: ReadFormat) -> u8 {
    // Observations are shown whole, every field: every column is kept.
    let ws = match super::load(cfg, crate::workspace::KeptColumns::All) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let Some(model) = &ws.model else {
        term::print_diagnostics(&ws.diagnostics, &ws.sources, cfg.colour_err);
        return BAD_INPUT;
    };
    let Some(r) = model.program.rule(&sel.name) else {
        // A let or series by that name: explained where rules read it.
        if let Some(l) = model.program.lets.iter().find(|l| l.name == sel.name) {
            let (line, _) = ws.sources.line_col(l.span.file, l.span.start as usize);
            eprintln!(
                "error: `{}` is a let ({}:{line}), not an indicator or alert; `explain` a rule that reads it to see its value",
                escape_controls(&sel.name),
                ws.sources.name(l.span.file)
            );
            return BAD_INPUT;
        }
        if model
            .program
            .named_series
            .iter()
            .any(|(n, _)| *n == sel.name)
            || ws.store.get(&sel.name).is_some()
        {
            eprintln!(
                "error: `{}` is a series, not an indicator or alert; `explain` a rule that reads it to see its observations",
                escape_controls(&sel.name)
            );
            return BAD_INPUT;
        }
        let near = did_you_mean(
            &sel.name,
            model.program.rules.iter().map(|r| r.name.as_str()),
        );
        let hint = near
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        eprintln!(
            "error: no indicator or alert is called `{}`{hint}",
            escape_controls(&sel.name)
        );
        return BAD_INPUT;
    };
    let twice = (0..sel.labels.len()).find(|&k| {
        sel.labels[..k]
            .iter()
            .any(|(g, _)| g.eq_ignore_ascii_case(&sel.labels[k].0))
    });
    if let Some(field) = twice.map(|k| &sel.labels[k].0) {
        eprintln!(
            "error: `{}` is given twice; name each `by:` field once",
            escape_controls(field)
        );
        return BAD_INPUT;
    }
    let at = cfg.at;
    let instance = match pick_instance(model, r, at, &sel.labels) {
        Ok(i) => i,
        Err(message) => {
            eprintln!("error: {}", escape_controls(&message));
            return BAD_INPUT;
        }
    };
    let mut ev = Evaluator::new(model);
    let (ex, labels) = match instance {
        Some((scope, labels)) => (
            ev.in_scope(scope, |ev| explain(ev, &ws.store, r, at)),
            labels,
        ),
        None => (explain(&mut ev, &ws.store, r, at), crate::eval::no_labels()),
    };
    let name = &instance_name(&sel.name, &labels);
    let rule = &model.program.rules[r];
    let place = format!(
        "{}:{}",
        ws.sources.name(rule.file),
        ws.sources.line_col(rule.file, rule.span.start as usize).0
    );
    match format {
        ReadFormat::Text => {
            let mut out = String::new();
            let kind = rule.kind.keyword();
            let sev = rule
                .severity
                .map(|s| format!(", {}", s.as_str()))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{name} is {} at {at} ({kind}{sev}, {place})",
                ex.status.as_str()
            );
            if let Some((d, first_not)) = ex.for_window {
                let _ = writeln!(out, "{}", for_line(ex.status, at, d, first_not));
            }
            let _ = writeln!(out, "when:");
            tree(&mut out, &ex.when, "", true, &ws.sources, true);
            // Data fields and rule text may hold terminal escape sequences.
            super::term::out(&escape_controls(&out));
        }
        ReadFormat::Json => {
            let doc = json!({
                "name": sel.name,
                "labels": labels.iter().map(|(k, v)| (k.to_string(), Json::String(v.to_string()))).collect::<serde_json::Map<_, _>>(),
                "at": at.to_string(),
                "status": ex.status,
                "kind": rule.kind.keyword(),
                "severity": rule.severity.map(|s| s.as_str()),
                "file": ws.sources.name(rule.file),
                "for": ex.for_window.map(|(d, first_not)| json!({"duration": d.to_string(), "not_true_on": first_not.map(|d| d.to_string())})),
                "when": node_json(&ex.when, &ws.sources),
            });
            super::term::outln(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
    }
    OK
}

/// How many instances the error for a grouped rule named bare lists.
const LISTED_INSTANCES: usize = 5;

/// An instance picked: its scope and its labels.
type Picked = (u32, crate::eval::InstanceLabels);

/// The scope and labels of the instance of rule `r` that `wanted` picks
/// at `at`; `None` for a rule without `by:`. `Err` says what is wrong and
/// how to name an instance.
fn pick_instance(
    model: &Model,
    r: usize,
    at: Date,
    wanted: &[(String, String)],
) -> Result<Option<Picked>, String> {
    let rule = &model.program.rules[r];
    let Some(g) = model.instances.group_of(r) else {
        return match wanted.first() {
            None => Ok(None),
            Some((field, _)) => Err(format!(
                "`{}` has no `by:`, so it has no instances to pick by `{field}`",
                rule.name
            )),
        };
    };
    let ids = model.instances.at(r, at);
    let labelled: Vec<(u32, crate::eval::InstanceLabels)> = ids
        .iter()
        .map(|&i| (i, instance_labels(model, r, i)))
        .collect();
    let by: Vec<&str> = rule.by.iter().map(|f| f.name.as_str()).collect();
    if wanted.is_empty() {
        let shown: Vec<String> = labelled
            .iter()
            .take(LISTED_INSTANCES)
            .map(|(_, l)| format!("  {}", instance_name(&rule.name, l)))
            .collect();
        let more = labelled.len().saturating_sub(LISTED_INSTANCES);
        let more = if more > 0 {
            format!("\n  … and {more} more")
        } else {
            String::new()
        };
        let example = labelled.first().map_or_else(
            || format!("{}{{{}=\"...\"}}", rule.name, by[0]),
            |(_, l)| instance_name(&rule.name, l),
        );
        let flags: Vec<String> = match labelled.first() {
            Some((_, l)) => l
                .iter()
                .map(|(k, v)| format!("--where {}", shell_quoted(&format!("{k}={v}"))))
                .collect(),
            None => by.iter().map(|k| format!("--where {k}=...")).collect(),
        };
        let list = if shown.is_empty() {
            format!("; it has no instance at {at}")
        } else {
            format!(
                " of its {} at {at}:\n{}{more}",
                labelled.len(),
                shown.join("\n")
            )
        };
        return Err(format!(
            "`{}` has `by: {}`: name one instance{list}\n  pick one with `tocsin explain {}` or `tocsin explain {} {}`",
            rule.name,
            by.join(", "),
            shell_quoted(&example),
            rule.name,
            flags.join(" ")
        ));
    }
    // Each wanted field must be one of `by:` (ignoring case, as fields do).
    for (field, _) in wanted {
        if !by.iter().any(|b| b.eq_ignore_ascii_case(field)) {
            let hint = did_you_mean(field, by.iter().copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            return Err(format!(
                "`{}` is broken down by {}, not by `{field}`{hint}",
                rule.name,
                by.iter()
                    .map(|b| format!("`{b}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let value_of = |labels: &crate::eval::InstanceLabels, field: &str| {
        labels
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(field))
            .map(|(_, v)| v.to_string())
            .unwrap_or_default()
    };
    let found: Vec<&(u32, crate::eval::InstanceLabels)> = labelled
        .iter()
        .filter(|(_, l)| wanted.iter().all(|(f, v)| value_of(l, f) == *v))
        .collect();
    match found.as_slice() {
        [(i, labels)] => Ok(Some((model.instances.scope(g, *i), labels.clone()))),
        [] => {
            // Did-you-mean over the values of the first field that matches
            // no instance.
            let hint = wanted
                .iter()
                .find(|(f, v)| !labelled.iter().any(|(_, l)| value_of(l, f) == *v))
                .and_then(|(f, v)| {
                    let values: Vec<String> =
                        labelled.iter().map(|(_, l)| value_of(l, f)).collect();
                    did_you_mean(v, values.iter().map(String::as_str))
                        .map(|near| format!("; did you mean {f}=\"{near}\"?"))
                })
                .unwrap_or_default();
            Err(format!(
                "`{}` has no instance {} at {at}{hint}",
                rule.name,
                instance_name("", wanted)
            ))
        }
        many => Err(format!(
            "{} instances of `{}` match {}; name every field of `by: {}`",
            many.len(),
            rule.name,
            instance_name("", wanted),
            by.join(", ")
        )),
    }
}

/// Why a rule with `for: d` has `status` at `at`: the window matters only
/// when `when` is true at `at`; `first_not` is the newest day of the
/// window on which `when` was not true.
fn for_line(status: Status, at: Date, d: Duration, first_not: Option<Date>) -> String {
    let from = at.minus(d).and_then(|s| s.add_days(1)).unwrap_or(Date::MIN);
    match (status, first_not) {
        (Status::NotMet, _) => format!(
            "for: {d} — `when` is false at {at}, so it is not met (the window counts only while `when` is true)"
        ),
        (Status::Unknown, _) => format!(
            "for: {d} — `when` is unknown at {at}, so the status is unknown (the window counts only while `when` is true)"
        ),
        (Status::Pending, Some(day)) => {
            let met = day
                .plus(d)
                .map(|m| format!("; it is met on {m} if `when` stays true"))
                .unwrap_or_default();
            format!(
                "for: {d} — `when` is true at {at} but was not true on {day}, inside the window {from}..{at}, so it is pending{met}"
            )
        }
        (_, _) => format!(
            "for: {d} — `when` was true on every day of the window {from}..{at}, so it is {}",
            status.as_str()
        ),
    }
}

fn tree(
    out: &mut String,
    n: &Explained,
    prefix: &str,
    last: bool,
    sources: &SourceMap,
    root: bool,
) {
    let (branch, next) = if root {
        ("", String::new())
    } else if last {
        ("└─ ", format!("{prefix}   "))
    } else {
        ("├─ ", format!("{prefix}│  "))
    };
    let value = n.value.display();
    let mut line = format!("{prefix}{branch}{} = {value}", n.expr);
    if n.see_above {
        line.push_str("  (explained above)");
    }
    if n.cut {
        line.push_str(&format!(
            "  (not expanded: an explanation stops at {MAX_TREE_DEPTH} levels or {MAX_NODES} parts)"
        ));
    }
    if let Some(why) = &n.unknown_because {
        line.push_str(&format!("  — unknown: {why}"));
    }
    let _ = writeln!(out, "{line}");
    let children: Vec<&Explained> = n.children.iter().filter(|c| !is_constant(c)).collect();
    let detail = if children.is_empty() {
        format!("{next}   ")
    } else {
        format!("{next}│  ")
    };
    for s in &n.spans {
        span_lines(out, s, &detail, sources);
    }
    for (k, c) in children.iter().enumerate() {
        tree(out, c, &next, k + 1 == children.len(), sources, false);
    }
}

/// Literals need no explaining; their value is in the parent's text.
fn is_constant(n: &Explained) -> bool {
    n.children.is_empty() && n.spans.is_empty() && n.expr.parse::<f64>().is_ok()
        || n.expr.ends_with('%') && n.children.is_empty()
        || Date::parse_iso(&n.expr).is_some()
}

fn span_lines(out: &mut String, s: &Span, indent: &str, sources: &SourceMap) {
    let range = match s.first {
        // A `0d` window holds no day.
        Some(first) if first > s.last => format!("of no day, at {}", s.last),
        Some(first) => format!("{first}..{}", s.last),
        None => format!("up to {}", s.last),
    };
    let n = s.observations.len() + s.omitted;
    let sum: f64 = s.observations.iter().map(|o| o.value).sum();
    let total = if s.omitted == 0 && n > 1 {
        format!(", sum {}", format_number(sum))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{indent}{} {range}: {n} observation{}{total}",
        s.label,
        if n == 1 { "" } else { "s" }
    );
    if s.omitted > 0 {
        let _ = writeln!(
            out,
            "{indent}  … {} older observations not listed",
            s.omitted
        );
    }
    for o in &s.observations {
        let _ = writeln!(out, "{indent}  {}", observation(o, sources));
    }
}

fn observation(o: &Observation, sources: &SourceMap) -> String {
    let fields: Vec<String> = o
        .fields
        .iter()
        .map(|(k, v)| format!("{k}={}", shorten(v)))
        .collect();
    let fields = if fields.is_empty() {
        String::new()
    } else {
        format!("  {}", fields.join(", "))
    };
    // A calendar bucket's observation stands for no one row (line 0).
    let from = match o.line {
        0 => "a calendar bucket".to_string(),
        line => format!("{}:{line}", sources.name(o.file)),
    };
    format!("{}  {}{fields}  ({from})", o.date, format_number(o.value))
}

fn shorten(v: &str) -> String {
    let v = v.replace('\n', " ");
    if v.chars().count() > 40 {
        format!("{}…", v.chars().take(39).collect::<String>())
    } else {
        v
    }
}

fn node_json(n: &Explained, sources: &SourceMap) -> Json {
    json!({
        "expr": n.expr,
        "value": n.value,
        "unknown_because": n.unknown_because,
        "explained_above": n.see_above,
        "not_expanded": n.cut,
        "windows": n.spans.iter().map(|s| json!({
            "label": s.label,
            "from": s.first.map(|d| d.to_string()),
            "to": s.last.to_string(),
            "observations": s.observations.iter().map(|o| json!({
                "date": o.date.to_string(),
                "value": o.value,
                "fields": o.fields.iter().map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect::<serde_json::Map<_, _>>(),
                "source": (o.line > 0).then(|| format!("{}:{}", sources.name(o.file), o.line)),
            })).collect::<Vec<_>>(),
            "omitted": s.omitted,
        })).collect::<Vec<_>>(),
        "children": n.children.iter().map(|c| node_json(c, sources)).collect::<Vec<_>>(),
    })
}

/// `arg` as a POSIX shell reads it back as one word: as it is when it
/// holds only characters no shell treats specially, else in single quotes
/// (a quote inside closed, escaped and opened again).
fn shell_quoted(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-=./:,@%+".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        return arg.to_string();
    }
    format!("'{}'", arg.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::shell_quoted;

    #[test]
    fn suggested_arguments_are_read_back_whole_by_a_shell() {
        for (arg, quoted) in [
            ("country=Yemen", "country=Yemen"),
            ("LOCATION=Gulf of Aden", "'LOCATION=Gulf of Aden'"),
            ("actor=<b>bold</b>", "'actor=<b>bold</b>'"),
            ("r{x=\"it's\"}", "'r{x=\"it'\\''s\"}'"),
            ("", "''"),
        ] {
            assert_eq!(shell_quoted(arg), quoted);
            // As `sh -c 'printf %s ARG'` reads it back.
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {quoted}"))
                .output()
                .unwrap();
            assert_eq!(String::from_utf8(out.stdout).unwrap(), arg);
        }
    }
}

//! Why a rule has its status: its condition as a tree, each node with its
//! value at the date, the reason for every unknown, the windows read and
//! the observations that decided, so that a reader can redo the arithmetic.

use super::describe::show_upto;
use super::engine::Evaluator;
use super::timeline::Window;
use super::value::Value;
use super::Status;
use crate::data::Store;
use crate::diag::FileId;
use crate::lang::ast::BinOp;
use crate::lang::functions::Func;
use crate::lang::program::{Const, Node, NodeKind};
use crate::library::{observations, Query, Read};
use crate::time::{Date, Duration, Range};
use std::collections::HashSet;

/// How many observations of a window are listed; the rest are counted.
pub const MAX_OBSERVATIONS: usize = 24;

/// How deep the tree goes: past any one expression (256 levels), so that
/// only a long chain of definitions is cut. Each level indents its lines.
pub const MAX_TREE_DEPTH: usize = 300;

/// How many nodes the tree holds at most; those past it are not expanded.
pub const MAX_NODES: usize = 5_000;

/// Longest expression text shown for a node, in characters; the rest is
/// elided (a long chain's text is repeated at each of its levels).
pub const MAX_EXPR_CHARS: usize = 300;

/// One observation that a function read.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// Its date.
    pub date: Date,
    /// Its value (as the function read it: projected where projected).
    pub value: f64,
    /// Its string fields that are not empty.
    pub fields: Vec<(String, String)>,
    /// The data file it came from.
    pub file: FileId,
    /// Its line there; 0 for a calendar bucket, which stands for no one
    /// row.
    pub line: u32,
}

/// A window a function read: the dates from `first` to `last`, inclusive.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    /// What it is (`window`, `earlier window`, `up to`).
    pub label: &'static str,
    /// First date in it.
    pub first: Option<Date>,
    /// Last date in it.
    pub last: Date,
    /// Observations in it, oldest first (at most [`MAX_OBSERVATIONS`]).
    pub observations: Vec<Observation>,
    /// Observations left out of the list.
    pub omitted: usize,
}

/// A node of the explanation tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Explained {
    /// The expression, as written.
    pub expr: String,
    /// Its value at the date (a rule reference shows its status).
    pub value: Value,
    /// Why the value is unknown, when it is.
    pub unknown_because: Option<String>,
    /// The windows read, with their observations.
    pub spans: Vec<Span>,
    /// Sub-expressions.
    pub children: Vec<Explained>,
    /// A rule or let already explained higher in the tree.
    pub see_above: bool,
    /// Its sub-expressions are not shown: the tree reached
    /// [`MAX_TREE_DEPTH`] levels or [`MAX_NODES`] nodes.
    pub cut: bool,
}

/// What a walk of the tree carries: the definitions already explained, and
/// the room left.
struct Walk {
    seen: HashSet<String>,
    nodes: usize,
    depth: usize,
}

/// The explanation of one rule at `t`.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// The rule's status.
    pub status: Status,
    /// Days of the `for:` window that were not true, when pending.
    pub for_window: Option<(Duration, Option<Date>)>,
    /// Its condition.
    pub when: Explained,
}

/// Explains rule `r` at `t`.
pub fn explain(ev: &mut Evaluator, store: &Store, r: usize, t: Date) -> Explanation {
    let model = ev.model();
    let rule = &model.program.rules[r];
    let status = ev.status(r, t);
    let for_window = rule.for_.map(|d| (d, first_not_true(ev, r, t, d)));
    let mut walk = Walk {
        seen: HashSet::new(),
        nodes: 0,
        depth: 0,
    };
    walk.seen.insert(format!("rule {r}"));
    let when = node(ev, store, &rule.when, t, &mut walk);
    Explanation {
        status,
        for_window,
        when,
    }
}

/// The newest day of the `for:` window on which `when` was not true.
fn first_not_true(ev: &mut Evaluator, r: usize, t: Date, d: Duration) -> Option<Date> {
    let start = t.minus(d).unwrap_or(Date::MIN);
    let mut day = t;
    while day > start {
        if ev.when(r, day) != Some(true) {
            return Some(day);
        }
        day = day.add_days(-1)?;
    }
    None
}

fn node(ev: &mut Evaluator, store: &Store, n: &Node, t: Date, walk: &mut Walk) -> Explained {
    let model = ev.model();
    // A rule without `by:` keeps its own status inside an instance, as
    // the evaluator reads it: it is explained over the whole data.
    if let NodeKind::Rule(r) = n.kind {
        if ev.instance().is_some() && model.instances.group_of(r).is_none() {
            return ev.in_scope(0, |ev| node(ev, store, n, t, walk));
        }
        if let Some(g) = model.instances.group_of(r) {
            if ev.instance().map(|(gi, _)| gi) != Some(g) {
                return instances_node(ev, store, n, r, g, t, walk);
            }
        }
    }
    // Enough bytes for MAX_EXPR_CHARS + 1 characters, whatever their width.
    let expr = shortened(show_upto(n, &model.program, 4 * (MAX_EXPR_CHARS + 1)));
    let value = match n.kind {
        NodeKind::Rule(r) => Value::Str(ev.status(r, t).as_str().to_string()),
        _ => ev.eval(n, t),
    };
    let mut out = Explained {
        expr,
        value: value.clone(),
        unknown_because: None,
        spans: Vec::new(),
        children: Vec::new(),
        see_above: false,
        cut: false,
    };
    walk.nodes += 1;
    if walk.depth + 1 >= MAX_TREE_DEPTH || walk.nodes > MAX_NODES {
        out.cut = !matches!(
            n.kind,
            NodeKind::Const(_)
                | NodeKind::Now
                | NodeKind::Series(_)
                | NodeKind::Field(_)
                | NodeKind::Invalid
        );
        return out;
    }
    walk.depth += 1;
    expand(ev, store, n, t, walk, &mut out);
    walk.depth -= 1;
    out
}

/// How many instances of a grouped rule read from outside it (by `any`,
/// `all` or `count_true`) are explained; the rest are counted.
pub const MAX_INSTANCES_EXPLAINED: usize = 5;

/// A grouped rule read from outside its instances: how many are met, and
/// the met and pending ones first, each explained inside its instance.
fn instances_node(
    ev: &mut Evaluator,
    store: &Store,
    n: &Node,
    r: usize,
    g: usize,
    t: Date,
    walk: &mut Walk,
) -> Explained {
    let model = ev.model();
    let rule = &model.program.rules[r];
    let mut all: Vec<(u32, Status)> = model
        .instances
        .at(r, t)
        .into_iter()
        .map(|i| {
            (
                i,
                ev.in_scope(model.instances.scope(g, i), |ev| ev.status(r, t)),
            )
        })
        .collect();
    let met = all.iter().filter(|(_, s)| *s == Status::Met).count();
    let mut out = Explained {
        expr: shortened(show_upto(n, &model.program, 4 * (MAX_EXPR_CHARS + 1))),
        value: Value::Str(format!(
            "{met} of {} instance{} met",
            all.len(),
            if all.len() == 1 { "" } else { "s" }
        )),
        unknown_because: None,
        spans: Vec::new(),
        children: Vec::new(),
        see_above: false,
        cut: false,
    };
    walk.nodes += 1;
    // Met first, then pending, unknown and not met; value order within.
    let rank = |s: Status| match s {
        Status::Met => 0,
        Status::Pending => 1,
        Status::Unknown => 2,
        Status::NotMet => 3,
    };
    all.sort_by_key(|&(i, s)| (rank(s), i));
    for &(i, status) in all.iter().take(MAX_INSTANCES_EXPLAINED) {
        let scope = model.instances.scope(g, i);
        let mut child = Explained {
            expr: super::instance_name(&rule.name, &super::instance_labels(model, r, i)),
            value: Value::Str(status.as_str().to_string()),
            unknown_because: None,
            spans: Vec::new(),
            children: Vec::new(),
            see_above: false,
            cut: false,
        };
        walk.nodes += 1;
        if walk.depth + 1 >= MAX_TREE_DEPTH || walk.nodes > MAX_NODES {
            child.cut = true;
        } else if walk.seen.insert(format!("rule {r} in {scope}")) {
            walk.depth += 1;
            let when = ev.in_scope(scope, |ev| node(ev, store, &rule.when, t, walk));
            walk.depth -= 1;
            child.children.push(when);
        } else {
            child.see_above = true;
        }
        out.children.push(child);
    }
    out
}

/// Shortens a long expression text to [`MAX_EXPR_CHARS`] characters.
fn shortened(text: String) -> String {
    match text.char_indices().nth(MAX_EXPR_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// Adds the children of `n` (and its windows) to `out`.
fn expand(
    ev: &mut Evaluator,
    store: &Store,
    n: &Node,
    t: Date,
    walk: &mut Walk,
    out: &mut Explained,
) {
    let model = ev.model();
    let value = out.value.clone();
    match &n.kind {
        NodeKind::Let(i) => {
            if walk.seen.insert(format!("let {i}")) {
                out.children
                    .push(node(ev, store, &model.program.lets[*i].value, t, walk));
            } else {
                out.see_above = true;
            }
        }
        NodeKind::Rule(r) => {
            if walk.seen.insert(format!("rule {r}")) {
                out.children
                    .push(node(ev, store, &model.program.rules[*r].when, t, walk));
            } else {
                out.see_above = true;
            }
        }
        NodeKind::Unary(_, e) => out.children.push(node(ev, store, e, t, walk)),
        NodeKind::Binary(op, l, r) => {
            out.children.push(node(ev, store, l, t, walk));
            out.children.push(node(ev, store, r, t, walk));
            if value == Value::None {
                out.unknown_because = Some(binary_reason(*op, &out.children));
            }
        }
        NodeKind::Weighted(pairs) => {
            for (target, _) in pairs {
                out.children.push(node(ev, store, target, t, walk));
            }
        }
        NodeKind::Call(f, args) => call(ev, store, *f, args, t, out, walk),
        _ => {}
    }
}

fn binary_reason(op: BinOp, children: &[Explained]) -> String {
    let unknown: Vec<&str> = children
        .iter()
        .filter(|c| c.value == Value::None)
        .map(|c| c.expr.as_str())
        .collect();
    match (op, unknown.as_slice()) {
        (_, [one]) => format!("`{one}` is unknown"),
        (_, [_, _]) => "both sides are unknown".to_string(),
        (BinOp::Div, []) => "division by zero".to_string(),
        _ => "the result is not a finite number".to_string(),
    }
}

fn duration_of(ev: &mut Evaluator, n: &Node, t: Date) -> Option<Duration> {
    match (&n.kind, ev.eval(n, t)) {
        (NodeKind::Const(Const::Duration(d)), _) => Some(*d),
        (_, Value::Duration(d)) => Some(d),
        _ => None,
    }
}

fn call(
    ev: &mut Evaluator,
    store: &Store,
    f: Func,
    args: &[Node],
    t: Date,
    out: &mut Explained,
    walk: &mut Walk,
) {
    let model = ev.model();
    let Some(b) = crate::library::get(f) else {
        return;
    };
    let slot = match args.first().map(|a| &a.kind) {
        Some(NodeKind::Series(slot)) => *slot,
        _ => {
            for a in args {
                out.children.push(node(ev, store, a, t, walk));
            }
            if out.value == Value::None {
                out.unknown_because = b.why_unknown(&Query {
                    t,
                    series: None,
                    d: None,
                });
            }
            return;
        }
    };
    // Inside an instance, the series as the instance reads it: only its
    // observations are listed.
    let (Some(tl), Some(origin)) = (ev.timeline(slot), ev.origin(slot)) else {
        return;
    };
    let obs = |i: usize| {
        let (file, line, fields) = match (origin.series.map(|id| store.series(id)), origin.row(i)) {
            (Some(s), Some(row)) => {
                let fields = s
                    .fields
                    .names()
                    .iter()
                    .enumerate()
                    .map(|(c, name)| (name.clone(), s.fields.get(c, row).to_string()))
                    .filter(|(_, v)| !v.is_empty())
                    .collect();
                (s.file(row), s.line(row), fields)
            }
            // A bucket stands for no one row.
            _ => (FileId::default(), 0, Vec::new()),
        };
        Observation {
            date: tl.dates()[i],
            value: tl.values()[i],
            fields,
            file,
            line,
        }
    };
    let span = |label: &'static str, first: Option<Date>, last: Date, w: Window| {
        let take = w.len().min(MAX_OBSERVATIONS);
        // The newest observations decide most functions: list those.
        let observations = (w.hi - take..w.hi).map(obs).collect();
        Span {
            label,
            first,
            last,
            observations,
            omitted: w.len() - take,
        }
    };
    let upto = |label: &'static str, day: Date| {
        let k = tl.upto_seen(day, t);
        span(
            label,
            None,
            day,
            Window {
                lo: k.saturating_sub(1),
                hi: k,
            },
        )
    };
    let mut spans = Vec::new();
    // A window of an unknown size is not shown, nor the rest of the call's.
    let mut sized = true;
    for &read in b.reads() {
        let d = match read.duration_arg() {
            Some(k) => match args.get(k).and_then(|a| duration_of(ev, a, t)) {
                Some(d) => Some(d),
                None => {
                    sized = false;
                    break;
                }
            },
            None => None,
        };
        let window = |d: Option<Duration>| d.map(|d| Range::window(t, d));
        match read {
            Read::Newest => spans.push(upto("newest on or before the date", t)),
            Read::Point(_) => {
                if let Some(past) = d.and_then(|d| t.minus(d)) {
                    spans.push(upto(
                        "newest on or before the date minus the duration",
                        past,
                    ));
                }
            }
            Read::Window(_) => {
                if let Some(r) = window(d) {
                    spans.push(span("window", r.first(), t, observations(tl, r)));
                }
            }
            Read::Earlier(_) => {
                if let Some(r) = d.and_then(|d| Range::earlier(t, d)) {
                    spans.push(span(
                        "earlier window",
                        r.first(),
                        r.last,
                        observations(tl, r),
                    ));
                }
            }
            Read::NewestBefore(_) => {
                if let Some(r) = window(d) {
                    let w = observations(tl, r);
                    if tl.last_at(t).is_some_and(|i| i < w.lo) {
                        spans.push(upto("newest on or before the date", t));
                    }
                }
            }
            Read::NewestActive => {
                if let Some(day) = tl.last_active(t) {
                    // The newest observation of that date, which `t` reads.
                    let k = tl.upto_seen(day, t);
                    spans.push(span(
                        "newest active (not 0) on or before the date",
                        None,
                        day,
                        Window {
                            lo: k.saturating_sub(1),
                            hi: k,
                        },
                    ));
                }
            }
            Read::WindowAndBefore(_) => {
                if let Some(r) = window(d) {
                    // The observation before the window shows the quiet gap.
                    let w = observations(tl, r);
                    let lo = w.lo.saturating_sub(1);
                    spans.push(span(
                        "window, and the observation before it",
                        r.first(),
                        t,
                        Window { lo, hi: w.hi },
                    ));
                }
            }
        }
    }
    if sized {
        out.spans = spans;
    }
    if out.value == Value::None {
        if b.over_stale() == crate::library::OverStale::Unknown {
            if let Some(why) = model.stale_reason(slot, t) {
                out.unknown_because = Some(why);
                return;
            }
        }
        let d = args.get(1).and_then(|a| duration_of(ev, a, t));
        out.unknown_because = b.why_unknown(&Query {
            t,
            series: Some(tl),
            d,
        });
    }
}

/// The dates a window function reads at `t`, in a few words
/// (`2024-07-21..2025-07-20`, with `vs` and the earlier window for
/// `growth`), for the short explanations on a board.
pub fn window_text(ev: &mut Evaluator, n: &Node, t: Date) -> Option<String> {
    let NodeKind::Call(f, args) = &n.kind else {
        return None;
    };
    let reads = crate::library::get(*f)?.reads();
    if reads.iter().all(|r| r.duration_arg().is_none()) {
        return None;
    }
    let mut parts = Vec::with_capacity(reads.len());
    for &read in reads {
        let d = match read.duration_arg() {
            Some(k) => Some(duration_of(ev, args.get(k)?, t)?),
            None => None,
        };
        let part = match (read, d) {
            (Read::Newest, _) => Some(t.to_string()),
            (Read::Point(_), Some(d)) => Some(t.minus(d)?.to_string()),
            (Read::Window(_) | Read::WindowAndBefore(_), Some(d)) => {
                Some(Range::window(t, d).text()?)
            }
            (Read::Earlier(_), Some(d)) => Some(Range::earlier(t, d)?.text()?),
            (Read::NewestBefore(_) | Read::NewestActive, _) => None,
            // A read sized by a duration always has one here.
            (
                Read::Point(_) | Read::Window(_) | Read::WindowAndBefore(_) | Read::Earlier(_),
                None,
            ) => None,
        };
        parts.extend(part);
    }
    Some(parts.join(" vs "))
}

//! Expressions shown as text, and the values that decided a condition.

use super::engine::Evaluator;
use super::value::Value;
use crate::lang::ast::{BinOp, UnOp};
use crate::lang::functions::{Params, Signature};
use crate::lang::program::{Const, Node, NodeKind, Program};
use crate::time::Date;
use std::sync::Arc;

/// An expression as a person would write it.
pub fn show(n: &Node, p: &Program) -> String {
    let mut out = String::new();
    show_into(n, p, 0, &mut out, usize::MAX);
    out
}

/// The start of [`show`]'s text: at least `limit` bytes of it when it is
/// longer, cut anywhere after that (written without building the rest, so
/// that showing every node of a long chain is not quadratic).
pub fn show_upto(n: &Node, p: &Program, limit: usize) -> String {
    let mut out = String::new();
    show_into(n, p, 0, &mut out, limit);
    out
}

/// Appends `n` shown inside an operator of precedence `outer`; stops once
/// `out` holds `limit` bytes.
fn show_into(n: &Node, p: &Program, outer: u8, out: &mut String, limit: usize) {
    use std::fmt::Write;
    if out.len() >= limit {
        return;
    }
    match &n.kind {
        NodeKind::Const(c) => match c {
            Const::Number(x) => out.push_str(&super::value::format_number(*x)),
            Const::Percent(x) => out.push_str(&super::value::format_percent(*x)),
            Const::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Const::Date(d) => {
                let _ = write!(out, "{d}");
            }
            Const::Duration(d) => {
                let _ = write!(out, "{d}");
            }
            Const::Str(s) => {
                let _ = write!(out, "{s:?}");
            }
            Const::None => out.push_str("none"),
        },
        NodeKind::Now => out.push_str("now"),
        NodeKind::Let(i) => out.push_str(&p.lets[*i].name),
        NodeKind::Rule(i) => out.push_str(&p.rules[*i].name),
        NodeKind::Series(i) => out.push_str(&p.series[*i].label),
        NodeKind::Field(k) => {
            let f = &p.fields[*k].field;
            if f.quoted {
                let _ = write!(out, "{:?}", f.name);
            } else {
                out.push_str(&f.name);
            }
        }
        NodeKind::Invalid => out.push('?'),
        NodeKind::Unary(UnOp::Neg, e) => {
            out.push('-');
            show_into(e, p, 7, out, limit);
        }
        NodeKind::Unary(UnOp::Not, e) => {
            let wrap = 3 < outer;
            open(out, wrap);
            out.push_str("not ");
            show_into(e, p, 3, out, limit);
            close(out, wrap, limit);
        }
        NodeKind::Binary(op, l, r) => {
            let prec = op.precedence();
            let wrap = prec < outer;
            open(out, wrap);
            show_into(l, p, prec, out, limit);
            if out.len() < limit {
                out.push(' ');
                out.push_str(op.as_str());
                out.push(' ');
                show_into(r, p, prec + 1, out, limit);
            }
            close(out, wrap, limit);
        }
        NodeKind::Call(f, args) => {
            let sig = crate::library::get(*f).map(|b| b.signature());
            out.push_str(sig.map_or("", |s| s.name));
            out.push('(');
            // Arguments that may be given by name are shown with it.
            let names = match sig {
                Some(Signature {
                    named: true,
                    params: Params::Fixed(params),
                    ..
                }) if params.len() == args.len() => params,
                _ => &[],
            };
            for (k, a) in args.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                    if let Some((name, _)) = names.get(k) {
                        out.push_str(name);
                        out.push_str(": ");
                    }
                }
                show_into(a, p, 0, out, limit);
                if out.len() >= limit {
                    return;
                }
            }
            out.push(')');
        }
        NodeKind::Weighted(pairs) => {
            out.push_str("weighted(");
            for (k, (t, w)) in pairs.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                show_into(t, p, 0, out, limit);
                out.push_str(": ");
                show_into(w, p, 0, out, limit);
                if out.len() >= limit {
                    return;
                }
            }
            out.push(')');
        }
    }
}

fn open(out: &mut String, wrap: bool) {
    if wrap {
        out.push('(');
    }
}

fn close(out: &mut String, wrap: bool, limit: usize) {
    if wrap && out.len() < limit {
        out.push(')');
    }
}

/// One value that decided a condition: `growth(adiz, 1y)` was `3.2`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Evidence {
    /// The sub-expression, as written (shared by the evidence of every
    /// instance of a rule).
    pub expr: Arc<str>,
    /// Its value at the evaluation date.
    pub value: Value,
    /// The dates it reads, for window functions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Arc<str>>,
    /// Compared with a percent literal (`>= 300%`), so best shown as a
    /// percentage; not serialized, as JSON carries the plain number.
    #[serde(skip)]
    pub percent: bool,
}

/// The values behind a condition at `t`: for each comparison, its sides
/// (unless constant); elsewhere each function call, let and rule it reads;
/// outermost first, without repeats. A rule shows its status.
pub fn evidence(ev: &mut Evaluator, n: &Node, t: Date) -> Vec<Evidence> {
    let mut out = Vec::new();
    collect(ev, n, t, &mut out);
    // Kept with every result, a result for each instance of a rule with
    // `by:`: pushed one by one, a list of one held room for four.
    out.shrink_to_fit();
    out
}

fn collect(ev: &mut Evaluator, n: &Node, t: Date, out: &mut Vec<Evidence>) {
    match &n.kind {
        NodeKind::Binary(BinOp::And | BinOp::Or, l, r) => {
            collect(ev, l, t, out);
            collect(ev, r, t, out);
        }
        NodeKind::Binary(op, l, r) if op.is_comparison() => {
            for (side, other) in [(l, r), (r, l)] {
                if !matches!(side.kind, NodeKind::Const(_) | NodeKind::Now) {
                    let percent = matches!(other.kind, NodeKind::Const(Const::Percent(_)));
                    record(ev, side, t, percent, out);
                }
            }
        }
        NodeKind::Unary(UnOp::Not, e) => collect(ev, e, t, out),
        NodeKind::Const(_) | NodeKind::Now | NodeKind::Invalid => {}
        _ => record(ev, n, t, false, out),
    }
}

fn record(ev: &mut Evaluator, n: &Node, t: Date, percent: bool, out: &mut Vec<Evidence>) {
    let expr = show(n, &ev.model().program);
    if let Some(seen) = out.iter_mut().find(|e| *e.expr == *expr) {
        seen.percent |= percent;
        return;
    }
    let value = match n.kind {
        NodeKind::Rule(r) => Value::Str(ev.status(r, t).as_str().to_string()),
        _ => ev.eval(n, t),
    };
    let expr = ev.shared_text(&expr);
    let window = super::explain::window_text(ev, n, t).map(|w| ev.shared_text(&w));
    out.push(Evidence {
        expr,
        value,
        window,
        percent,
    });
}

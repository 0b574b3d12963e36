//! Expressions shown as text, and the values that decided a condition.

use super::engine::Evaluator;
use super::value::Value;
use crate::lang::ast::{BinOp, UnOp};
use crate::lang::program::{Const, Node, NodeKind, Program};
use crate::time::Date;

/// An expression as a person would write it.
pub fn show(n: &Node, p: &Program) -> String {
    show_prec(n, p, 0)
}

fn show_prec(n: &Node, p: &Program, outer: u8) -> String {
    match &n.kind {
        NodeKind::Const(c) => match c {
            Const::Number(x) => super::value::format_number(*x),
            Const::Percent(x) => super::value::format_percent(*x),
            Const::Bool(b) => b.to_string(),
            Const::Date(d) => d.to_string(),
            Const::Duration(d) => d.to_string(),
            Const::Str(s) => format!("{s:?}"),
            Const::None => "none".to_string(),
        },
        NodeKind::Now => "now".to_string(),
        NodeKind::Let(i) => p.lets[*i].name.clone(),
        NodeKind::Rule(i) => p.rules[*i].name.clone(),
        NodeKind::Series(i) => p.series[*i].label.clone(),
        NodeKind::Invalid => "?".to_string(),
        NodeKind::Unary(UnOp::Neg, e) => format!("-{}", show_prec(e, p, 7)),
        NodeKind::Unary(UnOp::Not, e) => wrap(format!("not {}", show_prec(e, p, 3)), 3, outer),
        NodeKind::Binary(op, l, r) => {
            let prec = op.precedence();
            wrap(
                format!(
                    "{} {} {}",
                    show_prec(l, p, prec),
                    op.as_str(),
                    show_prec(r, p, prec + 1)
                ),
                prec,
                outer,
            )
        }
        NodeKind::Call(f, args) => {
            let mut parts: Vec<String> = args.iter().map(|a| show(a, p)).collect();
            if *f == crate::lang::functions::Func::Resumed && parts.len() == 3 {
                parts[1] = format!("quiet: {}", parts[1]);
                parts[2] = format!("within: {}", parts[2]);
            }
            format!("{}({})", f.name(), parts.join(", "))
        }
        NodeKind::Weighted(pairs) => {
            let parts: Vec<String> = pairs
                .iter()
                .map(|(t, w)| format!("{}: {}", show(t, p), show(w, p)))
                .collect();
            format!("weighted({})", parts.join(", "))
        }
    }
}

fn wrap(s: String, prec: u8, outer: u8) -> String {
    if prec < outer {
        format!("({s})")
    } else {
        s
    }
}

/// One value that decided a condition: `growth(adiz, 1y)` was `3.2`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Evidence {
    /// The sub-expression, as written.
    pub expr: String,
    /// Its value at the evaluation date.
    pub value: Value,
    /// The dates it reads, for window functions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
}

/// The values behind a condition at `t`: for each comparison, its sides
/// (unless constant); elsewhere each function call, let and rule it reads;
/// outermost first, without repeats. A rule shows its status.
pub fn evidence(ev: &mut Evaluator, n: &Node, t: Date) -> Vec<Evidence> {
    let mut out = Vec::new();
    collect(ev, n, t, &mut out);
    out
}

fn collect(ev: &mut Evaluator, n: &Node, t: Date, out: &mut Vec<Evidence>) {
    match &n.kind {
        NodeKind::Binary(BinOp::And | BinOp::Or, l, r) => {
            collect(ev, l, t, out);
            collect(ev, r, t, out);
        }
        NodeKind::Binary(op, l, r) if op.is_comparison() => {
            for side in [l, r] {
                if !matches!(side.kind, NodeKind::Const(_) | NodeKind::Now) {
                    record(ev, side, t, out);
                }
            }
        }
        NodeKind::Unary(UnOp::Not, e) => collect(ev, e, t, out),
        NodeKind::Const(_) | NodeKind::Now | NodeKind::Invalid => {}
        _ => record(ev, n, t, out),
    }
}

fn record(ev: &mut Evaluator, n: &Node, t: Date, out: &mut Vec<Evidence>) {
    let expr = show(n, &ev.model().program);
    if out.iter().any(|e| e.expr == expr) {
        return;
    }
    let value = match n.kind {
        NodeKind::Rule(r) => Value::Str(ev.status(r, t).as_str().to_string()),
        _ => ev.eval(n, t),
    };
    let window = super::explain::window_text(ev, n, t);
    out.push(Evidence {
        expr,
        value,
        window,
    });
}

//! How deeply definitions depend on each other. Lowering and evaluation
//! follow references recursively, so a chain of definitions thousands deep
//! is refused with a clear error before either starts, instead of running
//! out of stack. Found without recursion (Kahn's algorithm), so that the
//! check itself is safe on any input.

use super::names::{Def, Defs};
use crate::diag::{Code, Diagnostic};
use crate::lang::ast::*;

/// The longest chain of definitions allowed (`a` uses `b` uses `c` ...).
pub const MAX_DEPTH: usize = 1000;

fn refs_in_expr<'a>(e: &'a Expr, out: &mut Vec<&'a str>, stack: &mut Vec<&'a Expr>) {
    // An explicit stack (the caller's, reused): expressions are at most 100
    // levels deep, but this walk should not depend on that.
    stack.clear();
    stack.push(e);
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Name(id) => out.push(&id.name),
            ExprKind::Series(s) => out.push(&s.base.name),
            ExprKind::Call { func, args } => {
                if func.name == "weighted" {
                    out.extend(
                        args.iter()
                            .filter_map(|a| a.name.as_ref().map(|n| n.name.as_str())),
                    );
                }
                stack.extend(args.iter().map(|a| &a.value));
            }
            ExprKind::Unary { expr, .. } | ExprKind::Paren(expr) => stack.push(expr),
            ExprKind::Binary { lhs, rhs, .. } => {
                stack.push(lhs);
                stack.push(rhs);
            }
            _ => {}
        }
    }
}

/// The names `def` reads, into `out` (cleared first).
fn refs_of<'a>(defs: &Defs<'a>, def: Def, out: &mut Vec<&'a str>, stack: &mut Vec<&'a Expr>) {
    out.clear();
    match def {
        Def::Series(i) => out.push(defs.series[i].expr.base.name.as_str()),
        Def::Let(i) => refs_in_expr(&defs.lets[i].value, out, stack),
        Def::Rule(i) => {
            for f in &defs.rules[i].1.fields {
                match &f.value {
                    FieldValue::Expr(e) => refs_in_expr(e, out, stack),
                    FieldValue::Template(t) => {
                        for p in &t.parts {
                            if let TemplatePart::Hole(e) = p {
                                refs_in_expr(e, out, stack);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Def::Data => {}
    }
}

/// An error when some chain of definitions is longer than [`MAX_DEPTH`].
pub fn check(defs: &Defs) -> Option<Diagnostic> {
    let nodes: Vec<Def> = (0..defs.series.len())
        .map(Def::Series)
        .chain((0..defs.lets.len()).map(Def::Let))
        .chain((0..defs.rules.len()).map(Def::Rule))
        .collect();
    // A definition's place in `nodes`.
    let index = |d: &Def| match *d {
        Def::Data => None,
        Def::Series(i) => Some(i),
        Def::Let(i) => Some(defs.series.len() + i),
        Def::Rule(i) => Some(defs.series.len() + defs.lets.len() + i),
    };
    // uses[i]: the definitions node i reads; users[j]: those that read j.
    let mut pending = vec![0usize; nodes.len()];
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let (mut refs, mut stack, mut deps) = (Vec::new(), Vec::new(), Vec::new());
    for (i, &d) in nodes.iter().enumerate() {
        refs_of(defs, d, &mut refs, &mut stack);
        deps.clear();
        deps.extend(
            refs.iter()
                .filter_map(|n| defs.names.get(n))
                .filter_map(index),
        );
        deps.sort_unstable();
        deps.dedup();
        pending[i] = deps.len();
        for &j in &deps {
            users[j].push(i);
        }
    }
    let mut depth = vec![1usize; nodes.len()];
    let mut via: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut ready: Vec<usize> = (0..nodes.len()).filter(|&i| pending[i] == 0).collect();
    while let Some(j) = ready.pop() {
        for &i in &users[j] {
            if depth[j] + 1 > depth[i] {
                depth[i] = depth[j] + 1;
                via[i] = Some(j);
            }
            pending[i] -= 1;
            if pending[i] == 0 {
                ready.push(i);
            }
        }
    }
    let (deepest, &d) = depth.iter().enumerate().max_by_key(|(_, d)| **d)?;
    if d <= MAX_DEPTH {
        return None;
    }
    let mut chain = vec![deepest];
    while let Some(next) = via[*chain.last()?] {
        chain.push(next);
    }
    let name = |k: usize| format!("`{}`", defs.name_of(nodes[chain[k]]));
    let shown = format!(
        "{} → {} → … → {} → {}",
        name(0),
        name(1),
        name(chain.len() - 2),
        name(chain.len() - 1)
    );
    let span = defs.name_span(nodes[deepest])?;
    Some(
        Diagnostic::error(Code::TooDeep, format!("definitions depend on each other {d} levels deep (the limit is {MAX_DEPTH}): {shown}"))
            .with_primary(span, "the chain starts here")
            .with_note("shorten the chain: read the data series directly instead of through many definitions"),
    )
}

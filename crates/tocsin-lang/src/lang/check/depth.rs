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

/// The most levels that a chain of definitions may nest, counting each
/// definition as one level plus the height of its expressions: where a
/// definition reads the next at the bottom of a tall expression, checking
/// and evaluating recurse through both. 20,000 levels stay well inside the
/// command's 256 MiB stack in a debug build (about 3 KiB a level).
pub const MAX_LEVELS: usize = 20_000;

/// The names `e` reads, into `out`; returns its height (0 for a leaf).
fn refs_in_expr<'a>(
    e: &'a Expr,
    out: &mut Vec<&'a str>,
    stack: &mut Vec<(&'a Expr, usize)>,
) -> usize {
    // An explicit stack (the caller's, reused): expressions are at most 256
    // levels deep, but this walk should not depend on that.
    stack.clear();
    stack.push((e, 0));
    let mut height = 0;
    while let Some((e, d)) = stack.pop() {
        height = height.max(d);
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
                stack.extend(args.iter().map(|a| (&a.value, d + 1)));
            }
            ExprKind::Unary { expr, .. } | ExprKind::Paren(expr) => stack.push((expr, d + 1)),
            ExprKind::Binary { lhs, rhs, .. } => {
                stack.push((lhs, d + 1));
                stack.push((rhs, d + 1));
            }
            _ => {}
        }
    }
    height
}

/// The names `def` reads, into `out` (cleared first); returns the levels
/// it adds to a chain: one, plus the height of its tallest expression.
fn refs_of<'a>(
    defs: &Defs<'a>,
    def: Def,
    out: &mut Vec<&'a str>,
    stack: &mut Vec<(&'a Expr, usize)>,
) -> usize {
    out.clear();
    let mut height = 0;
    match def {
        Def::Series(i) => out.push(defs.series[i].expr.base.name.as_str()),
        Def::Let(i) => height = refs_in_expr(&defs.lets[i].value, out, stack),
        Def::Rule(i) => return rule_refs(defs.rules[i].1, out, stack),
        Def::Data => {}
    }
    1 + height
}

/// The names an indicator or alert reads, into `out` (cleared first), and
/// its weight: one level plus the height of its tallest expression.
pub(super) fn rule_refs<'a>(
    rule: &'a RuleItem,
    out: &mut Vec<&'a str>,
    stack: &mut Vec<(&'a Expr, usize)>,
) -> usize {
    out.clear();
    let mut height = 0;
    for f in &rule.fields {
        match &f.value {
            FieldValue::Expr(e) => height = height.max(refs_in_expr(e, out, stack)),
            FieldValue::Template(t) => {
                for p in &t.parts {
                    if let TemplatePart::Hole(e) = p {
                        height = height.max(refs_in_expr(e, out, stack));
                    }
                }
            }
            _ => {}
        }
    }
    1 + height
}

/// Definitions above which their reads are found on every core.
const PARALLEL_DEFS: usize = 20_000;

/// What a share of the definitions reads: each one's weight, and where its
/// definitions read end in `deps` (sorted, each once).
#[derive(Default)]
struct Reads {
    weight: Vec<usize>,
    ends: Vec<usize>,
    deps: Vec<usize>,
}

/// Removes repeats from the sorted tail of `v` from `from`; returns its
/// new length.
fn dedup_tail(v: &mut Vec<usize>, from: usize) -> usize {
    let mut kept = from;
    for k in from..v.len() {
        if k == from || v[k] != v[kept - 1] {
            v[kept] = v[k];
            kept += 1;
        }
    }
    v.truncate(kept);
    kept
}

/// How deep each definition stands, as [`measure`] finds it: what a later
/// check of one file's rules needs to know of the definitions they read,
/// and of those that read them.
#[derive(Clone, Debug, Default)]
pub struct Depths {
    /// Per definition, in the order series items, lets, rules: the
    /// definitions in the longest chain from it.
    pub depth: Vec<usize>,
    /// The same, counting each definition's expressions' levels.
    pub levels: Vec<usize>,
    /// How many definitions read it.
    pub users: Vec<u32>,
    /// Whether some chain from it reaches an indicator or alert.
    pub reaches_rule: Vec<bool>,
}

/// An error when some chain of definitions is longer than [`MAX_DEPTH`],
/// or nests more than [`MAX_LEVELS`] levels with its expressions.
///
/// Also returns the depths it found.
pub fn measure(defs: &Defs) -> (Option<Diagnostic>, Depths) {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    measure_on(defs, workers)
}

/// [`measure`], on `workers` threads at most.
fn measure_on(defs: &Defs, workers: usize) -> (Option<Diagnostic>, Depths) {
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
    // Each definition's weight and the definitions it reads, found in
    // shares on every core: 100,000 rules' names looked up one by one
    // were a fifth of the check.
    let read = |share: &[Def]| {
        let (mut refs, mut stack) = (Vec::new(), Vec::new());
        let mut out = Reads::default();
        for &d in share {
            out.weight.push(refs_of(defs, d, &mut refs, &mut stack));
            let from = out.deps.len();
            out.deps.extend(
                refs.iter()
                    .filter_map(|n| defs.names.get(n))
                    .filter_map(index),
            );
            out.deps[from..].sort_unstable();
            let kept = dedup_tail(&mut out.deps, from);
            out.ends.push(kept);
        }
        out
    };
    let shares: Vec<Reads> = if workers < 2 || nodes.len() < PARALLEL_DEFS {
        vec![read(&nodes)]
    } else {
        let share = nodes.len().div_ceil(workers);
        std::thread::scope(|scope| {
            let handles: Vec<_> = nodes
                .chunks(share)
                .map(|chunk| (chunk, scope.spawn(move || read(chunk))))
                .collect();
            handles
                .into_iter()
                .map(|(chunk, h)| h.join().unwrap_or_else(|_| read(chunk)))
                .collect()
        })
    };
    // uses[i]: the definitions node i reads; users[j]: those that read j.
    let mut pending = vec![0usize; nodes.len()];
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut weight = Vec::with_capacity(nodes.len());
    let mut i = 0;
    for share in &shares {
        let mut from = 0;
        for (&w, &end) in share.weight.iter().zip(&share.ends) {
            weight.push(w);
            let deps = &share.deps[from..end];
            pending[i] = deps.len();
            for &j in deps {
                users[j].push(i);
            }
            from = end;
            i += 1;
        }
    }
    // depth: definitions in the longest chain from each; levels: the
    // heaviest chain, by weight. Each with the next definition on it.
    let mut depth = vec![1usize; nodes.len()];
    let mut via: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut levels = weight.clone();
    let mut via_levels: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut reaches_rule = vec![false; nodes.len()];
    let mut ready: Vec<usize> = (0..nodes.len()).filter(|&i| pending[i] == 0).collect();
    while let Some(j) = ready.pop() {
        let rule_or_reaching = reaches_rule[j] || matches!(nodes[j], Def::Rule(_));
        for &i in &users[j] {
            reaches_rule[i] |= rule_or_reaching;
            if depth[j] + 1 > depth[i] {
                depth[i] = depth[j] + 1;
                via[i] = Some(j);
            }
            if levels[j] + weight[i] > levels[i] {
                levels[i] = levels[j] + weight[i];
                via_levels[i] = Some(j);
            }
            pending[i] -= 1;
            if pending[i] == 0 {
                ready.push(i);
            }
        }
    }
    let diagnostic = too_deep_anywhere(defs, &nodes, (&depth, &via), (&levels, &via_levels));
    let depths = Depths {
        users: users
            .iter()
            .map(|u| u32::try_from(u.len()).unwrap_or(u32::MAX))
            .collect(),
        depth,
        levels,
        reaches_rule,
    };
    (diagnostic, depths)
}

/// The error for the deepest chain, when it is over a limit.
fn too_deep_anywhere(
    defs: &Defs,
    nodes: &[Def],
    (depth, via): (&[usize], &[Option<usize>]),
    (levels, via_levels): (&[usize], &[Option<usize>]),
) -> Option<Diagnostic> {
    let (deepest, &d) = depth.iter().enumerate().max_by_key(|(_, d)| **d)?;
    if d > MAX_DEPTH {
        let chain = follow(deepest, via)?;
        let message = format!(
            "definitions depend on each other {d} levels deep (the limit is {MAX_DEPTH}): {}",
            shown(defs, nodes, &chain)
        );
        let note =
            "shorten the chain: read the data series directly instead of through many definitions";
        return too_deep(defs, nodes[deepest], message, note);
    }
    let (heaviest, &l) = levels.iter().enumerate().max_by_key(|(_, l)| **l)?;
    if l > MAX_LEVELS {
        let chain = follow(heaviest, via_levels)?;
        let message = format!(
            "definitions and their expressions nest {l} levels deep (the limit is {MAX_LEVELS}): {}",
            shown(defs, nodes, &chain)
        );
        let note = "shorten the chain or the expressions along it: read the data series directly instead of through many definitions, and keep each expression to a few levels";
        return too_deep(defs, nodes[heaviest], message, note);
    }
    None
}

/// The chain from `start`, following `via`.
fn follow(start: usize, via: &[Option<usize>]) -> Option<Vec<usize>> {
    let mut chain = vec![start];
    while let Some(next) = via[*chain.last()?] {
        chain.push(next);
    }
    Some(chain)
}

/// A chain of definitions, its ends named.
fn shown(defs: &Defs, nodes: &[Def], chain: &[usize]) -> String {
    let name = |k: usize| format!("`{}`", defs.name_of(nodes[chain[k]]));
    match chain.len() {
        1 => name(0),
        2 => format!("{} → {}", name(0), name(1)),
        n => format!(
            "{} → {} → … → {} → {}",
            name(0),
            name(1),
            name(n - 2),
            name(n - 1)
        ),
    }
}

fn too_deep(defs: &Defs, start: Def, message: String, note: &str) -> Option<Diagnostic> {
    let span = defs.name_span(start)?;
    Some(
        Diagnostic::error(Code::TooDeep, message)
            .with_primary(span, "the chain starts here")
            .with_note(note),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;
    use crate::lang::parser::parse_file;

    #[test]
    fn found_in_shares_as_in_one() {
        // Chains of lets, rules reading them and each other, and names read
        // twice: more definitions than are read on one thread.
        let mut text = String::from("let l0 = 1\n");
        for i in 1..300 {
            text += &format!("let l{i} = l{} + l{} + 1\n", i - 1, i / 2);
        }
        for i in 0..(PARALLEL_DEFS + 500) {
            let read = if i % 7 == 0 && i > 0 {
                format!("r{} and ", i / 3)
            } else {
                String::new()
            };
            text += &format!("indicator r{i} {{ when: {read}l{} > s }}\n", i % 300);
        }
        let (file, diags) = parse_file(FileId(0), &text);
        assert!(diags.is_empty());
        let defs = super::super::names::collect(&[(FileId(0), &file)], &["s"]);
        let (none, one) = measure_on(&defs, 1);
        let (also_none, many) = measure_on(&defs, 3);
        assert!(none.is_none() && also_none.is_none());
        assert_eq!(one.depth, many.depth);
        assert_eq!(one.levels, many.levels);
        assert_eq!(one.users, many.users);
        assert_eq!(one.reaches_rule, many.reaches_rule);
        // `l299` stands 300 deep; a rule reading another reaches a rule.
        assert_eq!(one.depth[299], 300);
        assert!(one.reaches_rule[300 + 7] && !one.reaches_rule[300 + 1]);
        // `l0` is read by `l1` (twice, counted once) and by 69 rules.
        assert_eq!(one.users[0], 70);
    }

    #[test]
    fn repeats_are_removed_from_the_tail_alone() {
        let mut v = vec![5, 5, 1, 1, 2, 2, 2, 3];
        assert_eq!(dedup_tail(&mut v, 2), 5);
        assert_eq!(v, [5, 5, 1, 2, 3]);
        assert_eq!(dedup_tail(&mut v, 5), 5);
    }
}

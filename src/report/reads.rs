//! What the rules read of each series: which rules read it, the windows
//! their functions read at the evaluation date, and the constants they
//! compare a function of the series with (`sum(s, 30d) > 10`: series `s`,
//! window 30d, threshold 10). Found by walking each rule's condition and
//! the lets it uses; a rule it refers to is read on its own.

use super::svg::{Shade, ShadeKind};
use crate::eval::{Evaluator, Value};
use crate::lang::ast::BinOp;
use crate::lang::functions::Func;
use crate::lang::program::{Const, Node, NodeKind, Program, TemplatePiece};
use crate::library::Read;
use crate::time::{Date, Duration, Range};

/// A comparison of a function of one series with a constant.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The rule that makes it.
    pub rule: usize,
    /// The function of the series, as checked (`count(s, 30d)`).
    pub metric: Node,
    /// The function as written.
    pub expr: String,
    /// The operator, with the function on its left.
    pub op: BinOp,
    /// The constant.
    pub value: f64,
    /// The constant was written as a percentage.
    pub percent: bool,
    /// The function gives values in the series' own unit (`latest`,
    /// `ago`, `avg`, `min`, `max` of the series itself), so the constant
    /// can be drawn on the series' chart.
    pub same_scale: bool,
}

/// What the rules read of one series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeriesReads {
    /// Rules whose condition reads it, in program order.
    pub rules: Vec<usize>,
    /// Rules whose summary or description reads it (and whose condition
    /// does not).
    pub mentions: Vec<usize>,
    /// The windows read at the evaluation date.
    pub shades: Vec<Shade>,
    /// Comparisons with constants.
    pub comparisons: Vec<Comparison>,
}

/// What the rules read of every series of the program, by slot.
pub fn find(ev: &mut Evaluator, at: Date) -> Vec<SeriesReads> {
    let program = &ev.model().program;
    let mut out = vec![SeriesReads::default(); program.series.len()];
    for (r, rule) in program.rules.iter().enumerate() {
        let mut walk = Walk {
            ev,
            at,
            rule: r,
            out: &mut out,
            lets: Vec::new(),
            condition: true,
        };
        walk.node(&rule.when);
        walk.condition = false;
        let templates = rule.summary.iter().chain(&rule.description);
        for piece in templates.flatten() {
            if let TemplatePiece::Hole(n) = piece {
                walk.node(n);
            }
        }
    }
    out
}

struct Walk<'a, 'm> {
    ev: &'a mut Evaluator<'m>,
    at: Date,
    rule: usize,
    out: &'a mut [SeriesReads],
    /// Lets already walked for this rule.
    lets: Vec<usize>,
    /// Walking the condition (else a template: only readers are noted).
    condition: bool,
}

impl Walk<'_, '_> {
    fn node(&mut self, n: &Node) {
        let program = &self.ev.model().program;
        match &n.kind {
            NodeKind::Binary(op, l, r) => {
                if op.is_comparison() && self.condition {
                    self.comparison(*op, l, r);
                    self.comparison(flip(*op), r, l);
                }
                self.node(l);
                self.node(r);
            }
            NodeKind::Unary(_, e) => self.node(e),
            NodeKind::Call(f, args) => {
                if let Some(NodeKind::Series(slot)) = args.first().map(|a| &a.kind) {
                    self.read(*slot);
                    if self.condition {
                        self.windows(*f, *slot, args);
                    }
                }
                for a in args {
                    self.node(a);
                }
            }
            NodeKind::Weighted(pairs) => {
                for (target, weight) in pairs {
                    self.node(target);
                    self.node(weight);
                }
            }
            NodeKind::Let(i) => {
                if !self.lets.contains(i) {
                    self.lets.push(*i);
                    self.node(&program.lets[*i].value);
                }
            }
            NodeKind::Series(slot) => self.read(*slot),
            NodeKind::Const(_)
            | NodeKind::Now
            | NodeKind::Rule(_)
            | NodeKind::Field(_)
            | NodeKind::Invalid => {}
        }
    }

    fn read(&mut self, slot: usize) {
        let reads = &mut self.out[slot];
        if self.condition {
            if !reads.rules.contains(&self.rule) {
                reads.rules.push(self.rule);
            }
            reads.mentions.retain(|r| *r != self.rule);
        } else if !reads.rules.contains(&self.rule) && !reads.mentions.contains(&self.rule) {
            reads.mentions.push(self.rule);
        }
    }

    /// Notes `metric OP constant` when `metric` reads one series only.
    fn comparison(&mut self, op: BinOp, metric: &Node, constant: &Node) {
        let program = &self.ev.model().program;
        // A rule with `by:` compares each instance's own observations: a
        // line over the whole series would misread it (its card charts
        // each instance).
        if !program.rules[self.rule].by.is_empty() {
            return;
        }
        let (Some(slot), Some((value, percent))) = (
            single_series(metric, program),
            constant_number(constant, program),
        ) else {
            return;
        };
        let same_scale = matches!(
            &metric.kind,
            NodeKind::Call(f, args)
                if crate::library::get(*f).is_some_and(|b| b.scale().same_as_series())
                    && matches!(args.first().map(|a| &a.kind), Some(NodeKind::Series(_)))
        );
        let c = Comparison {
            rule: self.rule,
            metric: metric.clone(),
            expr: crate::eval::describe::show(metric, program),
            op,
            value,
            percent,
            same_scale,
        };
        let list = &mut self.out[slot].comparisons;
        if !list
            .iter()
            .any(|o| o.rule == c.rule && o.expr == c.expr && o.op == c.op && o.value == c.value)
        {
            list.push(c);
        }
    }

    fn duration(&mut self, n: Option<&Node>) -> Option<Duration> {
        match self.ev.eval(n?, self.at) {
            Value::Duration(d) => Some(d),
            _ => None,
        }
    }

    /// The windows a call of `f` on series `slot` reads at the date.
    fn windows(&mut self, f: Func, slot: usize, args: &[Node]) {
        let at = self.at;
        let Some(b) = crate::library::get(f) else {
            return;
        };
        let mut shades = Vec::new();
        for &read in b.reads() {
            let Some(k) = read.duration_arg() else {
                continue;
            };
            // A window of an unknown size is not drawn, nor the rest.
            let Some(d) = self.duration(args.get(k)) else {
                break;
            };
            let window = Range::window(at, d);
            match read {
                Read::Window(_) => {
                    if let Some(first) = window.first() {
                        shades.push(shade(first, at, d.to_string(), ShadeKind::Window));
                    }
                }
                Read::WindowAndBefore(_) => {
                    if let Some(first) = window.first() {
                        shades.push(shade(first, at, format!("within {d}"), ShadeKind::Window));
                    }
                }
                Read::Earlier(_) => {
                    let earlier = Range::earlier(at, d);
                    if let Some((first, last)) = earlier.and_then(|r| Some((r.first()?, r.last))) {
                        shades.push(shade(first, last, format!("prior {d}"), ShadeKind::Earlier));
                    }
                }
                Read::Point(_) => {
                    if let Some(day) = at.minus(d) {
                        shades.push(shade(day, day, format!("{d} ago"), ShadeKind::Point));
                    }
                }
                // Single observations of the newest: the chart ends there.
                Read::Newest | Read::NewestBefore(_) | Read::NewestActive => {}
            }
        }
        let list = &mut self.out[slot].shades;
        for s in shades {
            if !list.contains(&s) {
                list.push(s);
            }
        }
    }
}

fn shade(first: Date, last: Date, label: String, kind: ShadeKind) -> Shade {
    Shade {
        first,
        last,
        label,
        kind,
    }
}

/// `a OP b` is `b flip(OP) a`.
fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

/// The one series `n` reads, when it reads exactly one and no rule and no
/// date: a function of that series alone.
pub fn single_series(n: &Node, program: &Program) -> Option<usize> {
    fn collect(n: &Node, program: &Program, slots: &mut Vec<usize>, depth: usize) -> bool {
        if depth > 64 {
            return false;
        }
        match &n.kind {
            NodeKind::Series(s) => {
                if !slots.contains(s) {
                    slots.push(*s);
                }
                true
            }
            // A field of the series its call reads first.
            NodeKind::Const(_) | NodeKind::Field(_) => true,
            NodeKind::Rule(_) | NodeKind::Now | NodeKind::Invalid | NodeKind::Weighted(_) => false,
            NodeKind::Let(i) => collect(&program.lets[*i].value, program, slots, depth + 1),
            NodeKind::Unary(_, e) => collect(e, program, slots, depth + 1),
            NodeKind::Binary(_, l, r) => {
                collect(l, program, slots, depth + 1) && collect(r, program, slots, depth + 1)
            }
            NodeKind::Call(_, args) => args.iter().all(|a| collect(a, program, slots, depth + 1)),
        }
    }
    let mut slots = Vec::new();
    let is_number = n.ty == crate::lang::program::Type::Number;
    (is_number && collect(n, program, &mut slots, 0) && slots.len() == 1).then(|| slots[0])
}

/// The number `n` stands for, when it is a constant (a literal, a let of
/// one, or its negation), and whether it was written as a percentage.
pub fn constant_number(n: &Node, program: &Program) -> Option<(f64, bool)> {
    fn go(n: &Node, program: &Program, depth: usize) -> Option<(f64, bool)> {
        if depth > 64 {
            return None;
        }
        match &n.kind {
            NodeKind::Const(Const::Number(v)) => Some((*v, false)),
            NodeKind::Const(Const::Percent(v)) => Some((*v, true)),
            NodeKind::Let(i) => go(&program.lets[*i].value, program, depth + 1),
            NodeKind::Unary(crate::lang::ast::UnOp::Neg, e) => {
                go(e, program, depth + 1).map(|(v, p)| (-v, p))
            }
            _ => None,
        }
    }
    go(n, program, 0).filter(|(v, _)| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{load, SourceFile};

    fn reads(rules: &str) -> (crate::eval::Model, Vec<SeriesReads>) {
        let ws = load(
            &[SourceFile::text("r.rules", rules)],
            &[
                SourceFile::text("s.csv", "date,value\n2025-01-01,3\n2025-06-01,5\n"),
                SourceFile::text("e.csv", "date,kind\n2025-01-01,a\n2025-06-01,b\n"),
            ],
        );
        let model = ws.model.expect("the rules check");
        let found = {
            let mut ev = Evaluator::new(&model);
            find(&mut ev, Date::parse_iso("2025-07-20").unwrap())
        };
        (model, found)
    }

    #[test]
    fn a_sum_over_a_window_against_a_constant() {
        let (model, r) = reads("let limit = 10\nindicator a { when: limit < sum(s, 30d) }\n");
        let slot = model
            .program
            .series
            .iter()
            .position(|s| s.label == "s")
            .unwrap();
        let s = &r[slot];
        assert_eq!(s.rules, vec![0]);
        assert_eq!(s.comparisons.len(), 1);
        let c = &s.comparisons[0];
        assert_eq!(
            (c.expr.as_str(), c.op, c.value),
            ("sum(s, 30d)", BinOp::Gt, 10.0)
        );
        assert!(!c.same_scale);
        assert_eq!(s.shades.len(), 1);
        assert_eq!(s.shades[0].first.to_string(), "2025-06-21");
        assert_eq!(s.shades[0].last.to_string(), "2025-07-20");
        assert_eq!(s.shades[0].label, "30d");
    }

    #[test]
    fn growth_reads_two_windows_and_percents_are_remembered() {
        let (_, r) =
            reads("indicator a { when: growth(e[kind == \"a\"], 1y) >= 300% and latest(s) < 4 }\n");
        let events = r.iter().find(|s| !s.shades.is_empty()).unwrap();
        let labels: Vec<&str> = events.shades.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["1y", "prior 1y"]);
        assert_eq!(events.shades[1].first.to_string(), "2023-07-21");
        assert_eq!(events.shades[1].last.to_string(), "2024-07-20");
        assert!(events.comparisons[0].percent);
        assert_eq!(events.comparisons[0].value, 3.0);
        let level = r.iter().find(|s| s.shades.is_empty()).unwrap();
        assert!(level.comparisons[0].same_scale);
    }

    #[test]
    fn a_rule_with_by_draws_no_threshold_over_the_whole_series() {
        let (_, r) = reads(
            "indicator a { by: kind  when: count(e, 30d) >= 40 }\nindicator b { when: count(e, 90d) >= 1 }\n",
        );
        let events = r.iter().find(|s| !s.shades.is_empty()).unwrap();
        assert_eq!(events.rules, vec![0, 1]);
        let by: Vec<usize> = events.comparisons.iter().map(|c| c.rule).collect();
        assert_eq!(by, [1]);
    }

    #[test]
    fn functions_of_two_series_or_of_rules_have_no_threshold() {
        let (_, r) = reads(
            "indicator a { when: count(e, 30d) + latest(s) > 3 }\nalert b { when: a and count(e, 90d) >= 1 summary: \"{latest(s)}\" }\n",
        );
        let events = r.iter().find(|s| s.shades.len() == 2).unwrap();
        assert_eq!(events.rules, vec![0, 1]);
        assert_eq!(events.comparisons.len(), 1);
        assert_eq!(events.comparisons[0].rule, 1);
        let level = r.iter().find(|s| s.shades.is_empty()).unwrap();
        assert_eq!(level.rules, vec![0]);
        assert_eq!(level.mentions, vec![1]);
    }
}

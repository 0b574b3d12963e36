//! The evaluator: the value of any checked expression at any date, and the
//! status of every rule. Results are memoised per date, so a `for:` window
//! that another rule's `for:` window overlaps is computed once, and a
//! backtest that walks forward reuses every day it has seen.

use super::fields::FieldColumn;
use super::model::{Model, Origin};
use super::timeline::{Timeline, Window};
use super::value::Value;
use super::Status;
use crate::lang::ast::{BinOp, UnOp};
use crate::lang::functions::Func;
use crate::lang::program::{Const, Node, NodeKind, TemplatePiece};
use crate::time::{Date, Duration, Range};

/// How many series the evaluator remembers the last window of.
const WINDOW_HINTS: usize = 8;
use super::memo::Memo;
use std::sync::Arc;

/// Evaluates a model at dates of the caller's choosing.
pub struct Evaluator<'m> {
    model: &'m Model,
    /// The instance evaluated in (see [`super::Instances::scope`]); 0
    /// outside every instance. The memo tables are keyed by it too.
    scope: u32,
    /// The group and instance of `scope`, found once per change of scope
    /// rather than at every series read.
    instance: Option<(usize, usize)>,
    lets: Vec<Memo<Value>>,
    whens: Vec<Memo<Option<bool>>>,
    statuses: Vec<Memo<Status>>,
    /// For rules with `for:`, by day on which `when` was true: a day since
    /// which it has been true without a break, and whether that day starts
    /// the run (else the run may start earlier: the walk back stopped once
    /// it covered the window). Day `t` then looks back one day to `t - 1`'s
    /// answer, so walking forward costs one step a day, not a window.
    runs: Vec<Memo<(Date, bool)>>,
    /// The last window found in a few series (by address, in the slot
    /// the address picks), where the next window of the same series is
    /// searched from: the next day's is next to it.
    windows: [(usize, Window); WINDOW_HINTS],
    /// How many times a rule's `when` was asked for, memoised answers
    /// included: the work done, for tests.
    when_lookups: usize,
    /// The texts of evidence given so far: every instance of a rule shows
    /// the same expressions and windows, held once.
    texts: rustc_hash::FxHashSet<std::sync::Arc<str>>,
}

impl<'m> Evaluator<'m> {
    /// A fresh evaluator with empty memo tables.
    pub fn new(model: &'m Model) -> Evaluator<'m> {
        Evaluator {
            model,
            scope: 0,
            instance: None,
            lets: vec![Memo::default(); model.program.lets.len()],
            whens: vec![Memo::default(); model.program.rules.len()],
            statuses: vec![Memo::default(); model.program.rules.len()],
            runs: vec![Memo::default(); model.program.rules.len()],
            windows: [(0, Window { lo: 0, hi: 0 }); WINDOW_HINTS],
            when_lookups: 0,
            texts: Default::default(),
        }
    }

    /// `text`, shared with the evidence given before that holds it.
    pub(super) fn shared_text(&mut self, text: &str) -> std::sync::Arc<str> {
        if let Some(t) = self.texts.get(text) {
            return std::sync::Arc::clone(t);
        }
        let t: std::sync::Arc<str> = std::sync::Arc::from(text);
        self.texts.insert(std::sync::Arc::clone(&t));
        t
    }

    /// How many times a rule's `when` has been asked for so far, answers
    /// from the memo tables included.
    pub fn when_lookups(&self) -> usize {
        self.when_lookups
    }

    /// The model evaluated.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// The value of `when` of rule `r` at `t`: true, false or unknown.
    pub fn when(&mut self, r: usize, t: Date) -> Option<bool> {
        self.when_lookups += 1;
        if let Some(v) = self.whens[r].get(self.scope, t) {
            return *v;
        }
        let model = self.model;
        let v = self.eval(&model.program.rules[r].when, t).truth();
        self.whens[r].insert(self.scope, t, v);
        v
    }

    /// The status of rule `r` at `t`.
    pub fn status(&mut self, r: usize, t: Date) -> Status {
        // A rule without `by:` keeps its own status inside an instance,
        // wherever that is asked (its evidence, `explain`) as when read.
        if self.scope != 0 && self.model.instances.group_of(r).is_none() {
            return self.in_scope(0, |ev| ev.status(r, t));
        }
        if let Some(s) = self.statuses[r].get(self.scope, t) {
            return *s;
        }
        let s = match self.when(r, t) {
            None => Status::Unknown,
            Some(false) => Status::NotMet,
            Some(true) => match self.model.program.rules[r].for_ {
                None => Status::Met,
                Some(d) => {
                    if self.held_throughout(r, t, d) {
                        Status::Met
                    } else {
                        Status::Pending
                    }
                }
            },
        };
        self.statuses[r].insert(self.scope, t, s);
        s
    }

    /// Runs `f` inside instance scope `scope` (0: outside every instance),
    /// then returns to the scope it was called in.
    pub fn in_scope<R>(&mut self, scope: u32, f: impl FnOnce(&mut Self) -> R) -> R {
        let outer = (self.scope, self.instance);
        if scope != self.scope {
            self.scope = scope;
            self.instance = self.model.instances.of_scope(scope);
        }
        let out = f(self);
        (self.scope, self.instance) = outer;
        out
    }

    /// The group and instance evaluated in, if any.
    pub fn instance(&self) -> Option<(usize, usize)> {
        self.instance
    }

    /// The status of each instance of grouped rule `r` at `t`, in the
    /// order of their values.
    pub fn instance_statuses(&mut self, r: usize, t: Date) -> Vec<Status> {
        let model = self.model;
        let Some(g) = model.instances.group_of(r) else {
            return Vec::new();
        };
        model
            .instances
            .at(r, t)
            .into_iter()
            .map(|i| self.in_scope(model.instances.scope(g, i), |ev| ev.status(r, t)))
            .collect()
    }

    /// The timeline of series `slot` as read here: narrowed to the
    /// instance when inside one whose data has the `by` fields.
    pub fn timeline(&self, slot: usize) -> Option<&'m Arc<Timeline>> {
        let model = self.model;
        if let Some((g, i)) = self.instance() {
            if let Some((tl, _)) = model.instances.groups[g].series(slot, i) {
                return Some(tl);
            }
        }
        model.timelines.get(slot)
    }

    /// Where the observations of series `slot`, as read here, come from.
    pub fn origin(&self, slot: usize) -> Option<&'m Arc<Origin>> {
        let model = self.model;
        if let Some((g, i)) = self.instance() {
            if let Some((_, o)) = model.instances.groups[g].series(slot, i) {
                return Some(o);
            }
        }
        model.origins.get(slot)
    }

    /// True when `when` of rule `r` was true at every date of `(t - d, t)`
    /// (`t` itself is checked by the caller, and found true).
    fn held_throughout(&mut self, r: usize, t: Date, d: Duration) -> bool {
        let start = t.minus(d).unwrap_or(Date::MIN);
        // The first day that must have been true; none before the first
        // date there is.
        let Some(first) = start.add_days(1) else {
            return true;
        };
        let since = self.true_since(r, t, first);
        since <= first || since.add_days(-1).is_none()
    }

    /// A day `s` such that `when` of rule `r` was true on every day from
    /// `s` to `t` (true at `t`, as the caller found): at or before `first`
    /// if the run of true days reaches back that far, else the day the run
    /// starts. Reuses the answers of earlier days, so that asking for every
    /// day in turn is linear in the days.
    fn true_since(&mut self, r: usize, t: Date, first: Date) -> Date {
        if let Some(&(since, _)) = self.runs[r].get(self.scope, t) {
            return since;
        }
        let mut since = t;
        let mut starts_run = false;
        while since > first {
            let Some(prev) = since.add_days(-1) else {
                starts_run = true;
                break;
            };
            // The window only moves forward with `t`, so an answer for an
            // earlier day reaches at least as far back as this one needs.
            if let Some(&(s, exact)) = self.runs[r].get(self.scope, prev) {
                since = s;
                if exact {
                    starts_run = true;
                    break;
                }
                continue;
            }
            if self.when(r, prev) != Some(true) {
                starts_run = true;
                break;
            }
            since = prev;
        }
        self.runs[r].insert(self.scope, t, (since, starts_run));
        since
    }

    /// The observations of `s` dated in `r`, as
    /// [`crate::library::observations`] finds them; searched from the
    /// window last found in `s`, when it is remembered.
    pub fn observations(&mut self, s: &Timeline, r: Range) -> Window {
        let key = s as *const Timeline as usize;
        // Timelines are allocated apart: the bits above the smallest
        // allocation spread them over the slots.
        let slot = (key >> 6) % WINDOW_HINTS;
        let w = match self.windows[slot] {
            (k, near) if k == key => s.between_near(r.after, r.last, r.seen, near),
            _ => crate::library::observations(s, r),
        };
        self.windows[slot] = (key, w);
        w
    }

    /// Renders a template at `t`.
    pub fn render(&mut self, pieces: &[TemplatePiece], t: Date) -> String {
        let mut out = String::new();
        for p in pieces {
            match p {
                TemplatePiece::Text(s) => out.push_str(s),
                TemplatePiece::Hole(n) => out.push_str(&self.eval(n, t).display()),
                TemplatePiece::Label(k) => {
                    if let Some((g, i)) = self.instance() {
                        let labels = &self.model.instances.groups[g].labels[i];
                        out.push_str(labels.get(*k).map_or("", |l| l));
                    }
                }
            }
        }
        out
    }

    /// The series `n` names, when it is a series argument.
    pub fn series(&self, n: &Node) -> Option<&'m Timeline> {
        match n.kind {
            NodeKind::Series(slot) => self.timeline(slot).map(|t| &**t),
            _ => None,
        }
    }

    /// The field `n` names, when it is a field argument: its text on each
    /// observation of the series given with it.
    pub fn field(&self, n: &Node) -> Option<&'m FieldColumn> {
        match n.kind {
            NodeKind::Field(k) => {
                if let Some((g, i)) = self.instance() {
                    if let Some(c) = self.model.instances.groups[g].field(k, i) {
                        return Some(c);
                    }
                }
                self.model.fields.get(k).map(|c| &**c)
            }
            _ => None,
        }
    }

    /// The value of `n` at `t`, when it is a duration.
    pub fn duration(&mut self, n: &Node, t: Date) -> Option<Duration> {
        match self.eval(n, t) {
            Value::Duration(d) => Some(d),
            _ => None,
        }
    }

    /// The value of `n` at `t`.
    pub fn eval(&mut self, n: &Node, t: Date) -> Value {
        match &n.kind {
            NodeKind::Const(c) => match c {
                Const::Number(x) | Const::Percent(x) => Value::Number(*x),
                Const::Bool(b) => Value::Bool(*b),
                Const::Date(d) => Value::Date(*d),
                Const::Duration(d) => Value::Duration(*d),
                Const::Str(s) => Value::Str(s.clone()),
                Const::None => Value::None,
            },
            NodeKind::Now => Value::Date(t),
            NodeKind::Let(i) => {
                if let Some(v) = self.lets[*i].get(self.scope, t) {
                    return v.clone();
                }
                let model = self.model;
                let v = self.eval(&model.program.lets[*i].value, t);
                self.lets[*i].insert(self.scope, t, v.clone());
                v
            }
            // A rule without `by:` keeps its own status inside an instance.
            NodeKind::Rule(r) if self.scope != 0 && self.model.instances.group_of(*r).is_none() => {
                self.in_scope(0, |ev| ev.eval(n, t))
            }
            NodeKind::Rule(r) => match self.status(*r, t) {
                Status::Met => Value::Bool(true),
                Status::Pending | Status::NotMet => Value::Bool(false),
                Status::Unknown => Value::None,
            },
            NodeKind::Series(_) | NodeKind::Field(_) | NodeKind::Invalid => Value::None,
            NodeKind::Unary(op, inner) => match (op, self.eval(inner, t)) {
                (UnOp::Neg, Value::Number(x)) => Value::number(-x),
                (UnOp::Not, Value::Bool(b)) => Value::Bool(!b),
                _ => Value::None,
            },
            NodeKind::Binary(op, l, r) => self.binary(*op, l, r, t),
            NodeKind::Call(f, args) => self.call(*f, args, t),
            NodeKind::Weighted(pairs) => {
                let mut total = 0.0;
                for (target, weight) in pairs {
                    if self.eval(target, t) == Value::Bool(true) {
                        if let Value::Number(w) = self.eval(weight, t) {
                            total += w;
                        }
                    }
                }
                Value::number(total)
            }
        }
    }

    fn binary(&mut self, op: BinOp, l: &Node, r: &Node, t: Date) -> Value {
        // Kleene logic: a false operand decides `and`, a true one `or`,
        // even when the other is unknown.
        match op {
            BinOp::And | BinOp::Or => {
                let decisive = op == BinOp::Or;
                let a = self.eval(l, t).truth();
                if a == Some(decisive) {
                    return Value::Bool(decisive);
                }
                let b = self.eval(r, t).truth();
                return match (a, b) {
                    (_, Some(x)) if x == decisive => Value::Bool(decisive),
                    (Some(_), Some(_)) => Value::Bool(!decisive),
                    _ => Value::None,
                };
            }
            _ => {}
        }
        let a = self.eval(l, t);
        let b = self.eval(r, t);
        use Value as V;
        match (op, a, b) {
            (_, V::None, _) | (_, _, V::None) => V::None,
            (BinOp::Eq, a, b) => V::Bool(same(&a, &b)),
            (BinOp::Ne, a, b) => V::Bool(!same(&a, &b)),
            (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge, a, b) => {
                let ord = match (a, b) {
                    (V::Number(x), V::Number(y)) => Some(compare_numbers(x, y)),
                    (V::Date(x), V::Date(y)) => Some(x.cmp(&y)),
                    _ => None,
                };
                match ord {
                    Some(o) => V::Bool(match op {
                        BinOp::Lt => o.is_lt(),
                        BinOp::Le => o.is_le(),
                        BinOp::Gt => o.is_gt(),
                        _ => o.is_ge(),
                    }),
                    None => V::None,
                }
            }
            (BinOp::Add, V::Number(x), V::Number(y)) => V::number(x + y),
            (BinOp::Add, V::Date(d), V::Duration(u)) | (BinOp::Add, V::Duration(u), V::Date(d)) => {
                d.plus(u).map_or(V::None, V::Date)
            }
            (BinOp::Sub, V::Number(x), V::Number(y)) => V::number(x - y),
            (BinOp::Sub, V::Date(x), V::Date(y)) => V::number(x.days_since(y) as f64),
            (BinOp::Sub, V::Date(d), V::Duration(u)) => d.minus(u).map_or(V::None, V::Date),
            (BinOp::Mul, V::Number(x), V::Number(y)) => V::number(x * y),
            (BinOp::Div, V::Number(x), V::Number(y)) => {
                if y == 0.0 {
                    V::None
                } else {
                    V::number(x / y)
                }
            }
            _ => V::None,
        }
    }

    fn call(&mut self, f: Func, args: &[Node], t: Date) -> Value {
        let Some(b) = crate::library::get(f) else {
            return Value::None;
        };
        // Staleness is decided here, once for every function: a stale
        // series reads as unknown, never as a lull.
        if let Some(NodeKind::Series(slot)) = args.first().map(|a| &a.kind) {
            if b.over_stale() == crate::library::OverStale::Unknown && self.model.is_stale(*slot, t)
            {
                return Value::None;
            }
        }
        b.eval(self, args, t)
    }
}

/// Numbers compare equal when they differ by rounding only (a relative
/// 1e-12): a ratio computed from decimal data, such as 5520 / 4800 - 1,
/// then meets the threshold written as `15%`, as the analyst reads it.
pub fn compare_numbers(x: f64, y: f64) -> std::cmp::Ordering {
    if (x - y).abs() <= 1e-12 * x.abs().max(y.abs()) {
        std::cmp::Ordering::Equal
    } else {
        x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal)
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare_numbers(*x, *y).is_eq(),
        _ => a == b,
    }
}

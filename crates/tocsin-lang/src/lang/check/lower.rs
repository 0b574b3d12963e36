//! Lowering: each expression is resolved and typed, and becomes a [`Node`].
//! Lets are lowered on first use so that their types are known wherever
//! they are referenced, in any file and any order.

mod shares;

use super::names::{Def, Defs};
use crate::diag::{did_you_mean, Code, Diagnostic, Span};
use crate::lang::ast::*;
use crate::lang::functions::{lookup, Params, Signature};
use crate::lang::program::*;
use crate::time::Duration;
use rustc_hash::{FxHashMap, FxHashSet};

/// What lowering interned: the slot of each series by its key, of each
/// field read by its series and lower-case name, and of each data series
/// read as it is by its name.
#[derive(Clone, Debug, Default)]
pub struct Interned {
    series_keys: FxHashMap<String, usize>,
    field_keys: FxHashMap<(usize, String), usize>,
    data_slots: FxHashMap<String, usize>,
}

#[derive(Clone)]
enum Slot<T> {
    Todo,
    Busy,
    Done(T),
}

pub struct Lowerer<'a> {
    defs: Defs<'a>,
    /// The functions there are.
    sigs: &'a [Signature],
    diags: Vec<Diagnostic>,
    /// The series of the program a file's rules are checked again into
    /// (none for a whole check): `series` holds those after them.
    base_series: &'a [SeriesDef],
    series: Vec<SeriesDef>,
    series_keys: FxHashMap<String, usize>,
    /// As `base_series`, for the fields read.
    base_fields: usize,
    fields: Vec<FieldRead>,
    /// The index in `fields` of each series and lower-case field name.
    field_keys: FxHashMap<(usize, String), usize>,
    /// The slot of each data series named as it is (no filter, no
    /// projection).
    data_slots: FxHashMap<String, usize>,
    named_series: Vec<Slot<Option<usize>>>,
    lets: Vec<Slot<LetDef>>,
    /// Lowered in order, each once: the `i`th pushed is rule `i`.
    rules: Vec<RuleDef>,
    /// Definitions being lowered, innermost last; references found are
    /// edges from the innermost.
    stack: Vec<Def>,
    edges: FxHashMap<Def, Vec<(Def, Span)>>,
    /// The `by:` fields of the rule being lowered (for template holes).
    by: Vec<FieldRef>,
    /// True while lowering the one argument of `count_true`, `any` or
    /// `all`, where a rule with `by:` stands for its instances.
    instances_arg: bool,
    /// The "did you mean" of each unknown name: a ruleset pointed at the
    /// wrong data, or missing a shared `let`, names the same unknown in
    /// every rule, and each answer looks through every name.
    near: FxHashMap<(Near, String), Option<&'a str>>,
    /// The names of data series and `series` items, listed at the first
    /// unknown series.
    series_names: Option<Vec<&'a str>>,
}

/// What an unknown name may be near.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Near {
    /// Data series and `series` items.
    Series,
    /// Any item, data series or function.
    Name,
}

/// The longest `for:` window: a status looks back this far, every day.
pub const MAX_FOR: Duration = Duration::Months(120);

/// True for a `for:` longer than [`MAX_FOR`] (120 months, or 3,652 days
/// when written in days or weeks).
fn too_long_for(d: Duration) -> bool {
    match d {
        Duration::Days(n) => n > 3652,
        Duration::Months(n) => n > 120,
    }
}

/// The functions that take arguments by name, as a note says it:
/// `` `resumed` (quiet:, within:) and `weighted` ``.
fn takes_names(sigs: &[Signature]) -> String {
    let named: Vec<String> = sigs
        .iter()
        .filter(|s| s.named)
        .map(|s| match s.params {
            Params::Fixed(params) => {
                let names: Vec<String> =
                    params.iter().skip(1).map(|p| format!("{}:", p.0)).collect();
                format!("`{}` ({})", s.name, names.join(", "))
            }
            Params::Bools | Params::Weights | Params::Instances => format!("`{}`", s.name),
        })
        .collect();
    match named.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => named.join(""),
    }
}

/// True when a rule can write `name`: it begins with a letter or `_` and is
/// not a reserved word. A data series is named after its file, which may
/// begin with a digit (`2024-attacks.csv` gives `2024_attacks`).
fn writable(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && !crate::lang::parser::is_reserved(name)
}

/// `name` made writable: leading digits moved to the end
/// (`2024_attacks` as `attacks_2024`), a reserved word given a `_`.
fn writable_spelling(name: &str) -> String {
    let digits = name.trim_start_matches(|c: char| c.is_ascii_digit());
    let head = &name[..name.len() - digits.len()];
    let rest = digits.trim_start_matches('_');
    match (head.is_empty(), rest.is_empty()) {
        (false, false) => format!("{rest}_{head}"),
        (false, true) => format!("s_{head}"),
        _ => format!("{name}_"),
    }
}

fn err(code: Code, message: impl Into<String>, span: Span, label: impl Into<String>) -> Diagnostic {
    Diagnostic::error(code, message).with_primary(span, label)
}

fn node(kind: NodeKind, ty: Type, span: Span) -> Node {
    Node { kind, ty, span }
}

fn invalid(span: Span) -> Node {
    node(NodeKind::Invalid, Type::Error, span)
}

impl<'a> Lowerer<'a> {
    pub fn new(mut defs: Defs<'a>, sigs: &'a [Signature]) -> Lowerer<'a> {
        let diags = std::mem::take(&mut defs.diagnostics);
        Lowerer {
            sigs,
            named_series: vec![Slot::Todo; defs.series.len()],
            lets: vec![Slot::Todo; defs.lets.len()],
            rules: Vec::with_capacity(defs.rules.len()),
            defs,
            diags,
            base_series: &[],
            series: Vec::new(),
            series_keys: FxHashMap::default(),
            base_fields: 0,
            fields: Vec::new(),
            field_keys: FxHashMap::default(),
            data_slots: FxHashMap::default(),
            stack: Vec::new(),
            edges: FxHashMap::default(),
            by: Vec::new(),
            instances_arg: false,
            near: FxHashMap::default(),
            series_names: None,
        }
    }

    /// A lowerer of the rules of `defs` into `base`, a checked program
    /// whose other definitions stay as they are: its series items and
    /// lets are taken as lowered (`defs` names them, but holds only the
    /// rules to lower), and new series and fields go after its own.
    pub fn again(
        defs: Defs<'a>,
        sigs: &'a [Signature],
        base: &'a Program,
        interned: Interned,
    ) -> Lowerer<'a> {
        let mut l = Lowerer::new(defs, sigs);
        l.named_series = base
            .named_series
            .iter()
            .map(|&(_, slot)| Slot::Done(Some(slot)))
            .collect();
        l.lets = base.lets.iter().cloned().map(Slot::Done).collect();
        l.base_series = &base.series;
        l.base_fields = base.fields.len();
        l.series_keys = interned.series_keys;
        l.field_keys = interned.field_keys;
        l.data_slots = interned.data_slots;
        l
    }

    /// Lowers the rules of `defs` alone, as [`Lowerer::again`] sets out.
    pub fn run_rules(&mut self) {
        for i in 0..self.defs.rules.len() {
            self.lower_rule(i);
        }
    }

    /// What [`Lowerer::run_rules`] made: the rules, the series and fields
    /// added after the base's, what is interned now and the errors.
    pub fn finish_rules(
        self,
    ) -> (
        Vec<RuleDef>,
        Vec<SeriesDef>,
        Vec<FieldRead>,
        Interned,
        Vec<Diagnostic>,
    ) {
        let interned = Interned {
            series_keys: self.series_keys,
            field_keys: self.field_keys,
            data_slots: self.data_slots,
        };
        (self.rules, self.series, self.fields, interned, self.diags)
    }

    /// The `by:` fields of rule `i`, as written (empty without `by:`).
    fn rule_by(&self, i: usize) -> &'a [FieldRef] {
        let item = self.defs.rules[i].1;
        match item.field(FieldKey::By).map(|f| &f.value) {
            Some(FieldValue::By(fields, _)) => fields,
            _ => &[],
        }
    }

    /// Reports a use of grouped rule `i` where its instances cannot be
    /// told apart: anywhere but in a rule with the same `by:`, or as the
    /// argument of `count_true`, `any` or `all`.
    fn grouped_use(&mut self, i: usize, span: Span) -> bool {
        let by = self.rule_by(i);
        if by.is_empty() || self.instances_arg {
            return true;
        }
        let here = match self.stack.last() {
            Some(Def::Rule(j)) => by_key(self.rule_by(*j)),
            _ => Vec::new(),
        };
        if here == by_key(by) {
            return true;
        }
        let name = &self.defs.rules[i].1.name.name;
        let fields: Vec<&str> = by.iter().map(|f| f.name.as_str()).collect();
        let d = err(
            Code::GroupedRuleUse,
            format!(
                "`{name}` has an instance per {}: which one is meant here?",
                fields.join(", ")
            ),
            span,
            "a rule with `by:`",
        )
        .with_note(format!(
            "count its instances with `any({name})`, `all({name})` or `count_true({name})`, or give this rule the same `by: {}`",
            fields.join(", ")
        ));
        self.diags.push(d);
        false
    }

    pub fn run(&mut self) {
        for i in 0..self.named_series.len() {
            self.named_series_slot(i);
        }
        for i in 0..self.lets.len() {
            self.lower_let(i);
        }
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        self.lower_rules(workers);
        self.report_cycles();
    }

    /// Lowers every rule, in shares on `workers` threads when there are
    /// many.
    fn lower_rules(&mut self, workers: usize) {
        if workers > 1
            && self.defs.rules.len() >= shares::PARALLEL_RULES
            && self.base_series.is_empty()
        {
            self.lower_rules_in_shares(workers);
        } else {
            for i in 0..self.defs.rules.len() {
                self.lower_rule(i);
            }
        }
    }

    /// The program, its errors, and what was interned.
    pub fn finish_keeping(self) -> (Program, Vec<Diagnostic>, Interned) {
        let lets = self
            .lets
            .into_iter()
            .zip(&self.defs.lets)
            .map(|(slot, item)| match slot {
                Slot::Done(l) => l,
                _ => LetDef {
                    name: item.name.name.clone(),
                    value: invalid(item.value.span),
                    span: item.span,
                },
            })
            .collect();
        let named_series = self
            .named_series
            .iter()
            .zip(&self.defs.series)
            .filter_map(|(slot, item)| match slot {
                Slot::Done(Some(i)) => Some((item.name.name.clone(), *i)),
                _ => None,
            })
            .collect();
        (
            Program {
                series: self.series,
                fields: self.fields,
                lets,
                rules: self.rules,
                feeds: Vec::new(),
                named_series,
            },
            self.diags,
            Interned {
                series_keys: self.series_keys,
                field_keys: self.field_keys,
                data_slots: self.data_slots,
            },
        )
    }

    fn edge(&mut self, to: Def, span: Span) {
        if let Some(&from) = self.stack.last() {
            self.edges.entry(from).or_default().push((to, span));
        }
    }

    // ----- series -------------------------------------------------------

    fn intern_series(&mut self, def: SeriesDef) -> usize {
        self.intern_series_as(def, |_| {})
    }

    /// Interns `def`, finishing it with `finish` (a label, say) only when
    /// it is new.
    fn intern_series_as(&mut self, def: SeriesDef, finish: impl FnOnce(&mut SeriesDef)) -> usize {
        let key = def.key();
        if let Some(&i) = self.series_keys.get(&key) {
            return i;
        }
        let mut def = def;
        finish(&mut def);
        self.series.push(def);
        let slot = self.base_series.len() + self.series.len() - 1;
        self.series_keys.insert(key, slot);
        slot
    }

    /// The series in slot `slot`.
    fn series_at(&self, slot: usize) -> &SeriesDef {
        match slot.checked_sub(self.base_series.len()) {
            Some(k) => &self.series[k],
            None => &self.base_series[slot],
        }
    }

    fn named_series_slot(&mut self, i: usize) -> Option<usize> {
        match &self.named_series[i] {
            Slot::Done(s) => return *s,
            Slot::Busy => return None,
            Slot::Todo => {}
        }
        self.named_series[i] = Slot::Busy;
        self.stack.push(Def::Series(i));
        let item = self.defs.series[i];
        let slot = self.series_def(&item.expr).map(|mut def| {
            def.label = item.name.name.clone();
            def.span = item.name.span;
            self.intern_series(def)
        });
        self.stack.pop();
        self.named_series[i] = Slot::Done(slot);
        slot
    }

    /// Resolves a name used as a series.
    fn series_name(&mut self, id: &Ident) -> Option<usize> {
        // A data series read as it is, the commonest case, is found by
        // its name alone, without building its definition and key again.
        if let Some(&slot) = self.data_slots.get(id.name.as_str()) {
            return Some(slot);
        }
        let data = self.defs.names.get(id.name.as_str()) == Some(&Def::Data);
        let def = self.series_name_def(id)?;
        let slot = self.intern_series(def);
        if data {
            self.data_slots.insert(id.name.clone(), slot);
        }
        Some(slot)
    }

    fn series_name_def(&mut self, id: &Ident) -> Option<SeriesDef> {
        match self.defs.names.get(id.name.as_str()).copied() {
            Some(Def::Data) => Some(SeriesDef {
                label: id.name.clone(),
                root: id.name.clone(),
                steps: Vec::new(),
                span: id.span,
                values: Vec::new(),
            }),
            Some(Def::Series(i)) => {
                self.edge(Def::Series(i), id.span);
                let slot = self.named_series_slot(i)?;
                Some(self.series_at(slot).clone())
            }
            Some(other) => {
                let what = match other {
                    Def::Let(_) => "a let",
                    _ => "an indicator or alert",
                };
                self.diags.push(
                    err(Code::TypeMismatch, format!("expected a series, found `{}`, which is {what}", id.name), id.span, "not a series")
                        .with_note("functions such as latest, count and growth take a series from the indicator files or a `series` item"),
                );
                None
            }
            None if self.reserved_word(id) => None,
            None => {
                let mut d = err(
                    Code::UnknownName,
                    format!("unknown series `{}`", id.name),
                    id.span,
                    "no series has this name",
                );
                d = match self.near(Near::Series, &id.name) {
                    Some(near) => {
                        d.message = format!("unknown series `{}`; did you mean `{near}`?", id.name);
                        d
                    }
                    None => match self.unwritable_near(&id.name) {
                        Some(near) => d.with_note(format!(
                            "the data series `{near}` is near, but no rule can write its name: a name begins with a letter or `_` and is not a reserved word; rename its file (or its `series` value) so that it does, as `{}`",
                            writable_spelling(near)
                        )),
                        None => d.with_note("series come from the files under --indicators (named after the file or its `series` column) and from `series` items"),
                    },
                };
                self.diags.push(d);
                None
            }
        }
    }

    /// The name nearest `name` among those `kind` says, if one is near.
    fn near(&mut self, kind: Near, name: &str) -> Option<&'a str> {
        if let Some(&near) = self.near.get(&(kind, name.to_string())) {
            return near;
        }
        let defs = &self.defs;
        let near = match kind {
            Near::Series => {
                let series = self.series_names.get_or_insert_with(|| {
                    defs.names
                        .iter()
                        .filter(|(_, d)| matches!(d, Def::Data | Def::Series(_)))
                        .map(|(n, _)| *n)
                        .filter(|n| writable(n))
                        .collect()
                });
                did_you_mean(name, series.iter().copied())
            }
            Near::Name => did_you_mean(
                name,
                defs.all_names()
                    .filter(|n| writable(n))
                    .chain(self.sigs.iter().map(|f| f.name)),
            ),
        };
        self.near.insert((kind, name.to_string()), near);
        near
    }

    /// A data series near `name` whose own name no rule can write
    /// (`2024_attacks`, from `2024-attacks.csv`).
    fn unwritable_near(&self, name: &str) -> Option<&'a str> {
        let unwritable = self
            .defs
            .names
            .iter()
            .filter(|(n, d)| matches!(d, Def::Data) && !writable(n))
            .map(|(n, _)| *n);
        did_you_mean(name, unwritable)
    }

    /// Reports `id` when it is a reserved word: the parser lets one
    /// through as an argument, where it may name a field
    /// (`field(s, source)`).
    fn reserved_word(&mut self, id: &Ident) -> bool {
        if !crate::lang::parser::is_reserved(&id.name) {
            return false;
        }
        self.diags.push(
            err(
                Code::ReservedWord,
                format!("`{}` is a reserved word and cannot be used as a name", id.name),
                id.span,
                "reserved word",
            )
            .with_note("a reserved word may be an argument only where a field is expected, as in `field(s, source)`; a data file named like one (`feed.csv`) must be renamed for rules to read it"),
        );
        true
    }

    fn series_expr(&mut self, se: &SeriesExpr) -> Option<usize> {
        let def = self.series_def(se)?;
        if se.filter.is_none() && se.projection.is_none() && se.buckets.is_empty() {
            return Some(self.intern_series(def));
        }
        // Shown as written, by its first use.
        Some(self.intern_series_as(def, |def| def.label = series_label(se)))
    }

    /// The definition of a series expression, labelled as its base: the
    /// caller names or shows it.
    fn series_def(&mut self, se: &SeriesExpr) -> Option<SeriesDef> {
        let mut def = self.series_name_def(&se.base)?;
        if se.filter.is_none() && se.projection.is_none() && se.buckets.is_empty() {
            return Some(def);
        }
        if def.is_bucketed() && (se.filter.is_some() || se.projection.is_some()) {
            let what = if se.filter.is_some() {
                "filter"
            } else {
                "projection"
            };
            self.diags.push(
                err(
                    Code::BadBucket,
                    format!("`{}` is bucketed: a {what} of it has no fields to read", se.base.name),
                    se.span,
                    format!("a {what} of a bucketed series"),
                )
                .with_note(format!("bucket observations carry no fields: put the {what} inside the bucket, on the series being bucketed")),
            );
            return None;
        }
        if let Some(preds) = &se.filter {
            def.steps.push(Step::Filter(
                preds
                    .iter()
                    .map(|p| (p.field.clone(), p.test.clone()))
                    .collect(),
            ));
            def.values
                .extend(preds.iter().flat_map(|p| p.values.iter().copied()));
        }
        if let Some(field) = &se.projection {
            def.steps.push(Step::Project(field.clone()));
        }
        for b in &se.buckets {
            def.steps.push(Step::Bucket(b.period, b.agg));
        }
        def.span = se.span;
        Some(def)
    }

    // ----- lets and rules -----------------------------------------------

    fn lower_let(&mut self, i: usize) -> Type {
        match &self.lets[i] {
            Slot::Done(l) => return l.value.ty,
            Slot::Busy => return Type::Error,
            Slot::Todo => {}
        }
        self.lets[i] = Slot::Busy;
        self.stack.push(Def::Let(i));
        let item = self.defs.lets[i];
        let value = match &item.value.kind {
            ExprKind::Duration(d) => node(
                NodeKind::Const(Const::Duration(*d)),
                Type::Duration,
                item.value.span,
            ),
            _ => self.expr(&item.value),
        };
        let value = if value.ty == Type::Series {
            self.diags.push(
                err(Code::LetHoldsSeries, format!("`let {}` holds a series", item.name.name), item.value.span, "a series")
                    .with_note(format!("define a series with `series {} = ...`; a let holds a number, bool, date, duration or string", item.name.name)),
            );
            invalid(item.value.span)
        } else {
            value
        };
        self.stack.pop();
        let ty = value.ty;
        self.lets[i] = Slot::Done(LetDef {
            name: item.name.name.clone(),
            value,
            span: item.span,
        });
        ty
    }

    fn lower_rule(&mut self, i: usize) {
        let (file, item) = self.defs.rules[i];
        self.stack.push(Def::Rule(i));
        // A rule has a handful of fields: a list beats a table.
        let mut seen: Vec<(FieldKey, Span)> = Vec::with_capacity(item.fields.len());
        let mut when = None;
        let mut rule = RuleDef {
            name: item.name.name.clone(),
            kind: item.kind,
            severity: (item.kind == RuleKind::Alert).then_some(Severity::Warning),
            when: invalid(item.name.span),
            for_: None,
            title: None,
            description: None,
            sources: Vec::new(),
            tags: Vec::new(),
            summary: None,
            by: self.rule_by(i).to_vec(),
            file,
            span: item.span,
        };
        self.by_duplicates(&rule.by);
        self.by = rule.by.clone();
        for field in &item.fields {
            if field.key == FieldKey::StaleAfter {
                self.diags.push(
                    err(
                        Code::FieldNotAllowed,
                        format!("an {} has no `stale_after:`", item.kind.keyword()),
                        field.key_span,
                        "only feeds take this",
                    )
                    .with_note("staleness belongs to a data series: write `feed SERIES { stale_after: 14d }`"),
                );
                continue;
            }
            if field.key != FieldKey::Source {
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == field.key) {
                    self.diags.push(
                        err(
                            Code::DuplicateField,
                            format!("`{}:` is given twice", field.key.as_str()),
                            field.key_span,
                            "given again here",
                        )
                        .with_secondary(*first, "first given here")
                        .with_note("only `source:` may repeat; remove one of them"),
                    );
                    continue;
                }
                seen.push((field.key, field.key_span));
            }
            match &field.value {
                FieldValue::Expr(e) => when = Some(self.condition(e)),
                FieldValue::Duration(d, span) => {
                    if too_long_for(*d) {
                        self.diags.push(
                            err(
                                Code::ForTooLong,
                                format!("`for: {d}` is longer than the limit of {MAX_FOR}"),
                                *span,
                                "longer than 10 years",
                            )
                            .with_note(format!(
                                "shorten the window to {MAX_FOR} (120mo, 3652d) or less"
                            )),
                        );
                        continue;
                    }
                    rule.for_ = (!d.is_zero()).then_some(*d)
                }
                FieldValue::Text(s) if field.key == FieldKey::Title => {
                    rule.title = Some(s.value.clone())
                }
                FieldValue::Text(s) => rule.sources.push(s.value.clone()),
                FieldValue::Template(t) => {
                    let pieces = self.template(t);
                    if field.key == FieldKey::Summary {
                        rule.summary = Some(pieces);
                    } else {
                        rule.description = Some(pieces);
                    }
                }
                FieldValue::Tags(tags, _) => {
                    rule.tags = tags.iter().map(|t| t.value.clone()).collect()
                }
                // Read before the other fields, which it changes.
                FieldValue::By(..) => {}
                FieldValue::Severity(s, span) => {
                    if item.kind == RuleKind::Indicator {
                        self.diags.push(
                            err(Code::FieldNotAllowed, "an indicator has no severity", *span, "not allowed on an indicator")
                                .with_note("only alerts have a severity; make this an `alert` or remove the field"),
                        );
                    } else {
                        rule.severity = Some(*s);
                    }
                }
            }
        }
        match when {
            Some(w) => rule.when = w,
            None => self.diags.push(
                err(
                    Code::MissingWhen,
                    format!("`{}` has no `when:`", item.name.name),
                    item.name.span,
                    "no condition",
                )
                .with_note(format!(
                    "every {} needs a condition, for example `when: latest(series) > 10`",
                    item.kind.keyword()
                )),
            ),
        }
        self.by.clear();
        self.stack.pop();
        self.rules.push(rule);
    }

    fn by_duplicates(&mut self, by: &[FieldRef]) {
        for (k, f) in by.iter().enumerate() {
            if let Some(first) = by[..k]
                .iter()
                .find(|g| g.name.eq_ignore_ascii_case(&f.name))
            {
                self.diags.push(
                    err(
                        Code::DuplicateField,
                        format!("`{}` is given twice in `by:`", f.name),
                        f.span,
                        "given again here",
                    )
                    .with_secondary(first.span, "first given here")
                    .with_note("fields match column names ignoring case; name each once"),
                );
            }
        }
    }

    fn condition(&mut self, e: &Expr) -> Node {
        let n = self.expr(e);
        if !n.ty.fits(Type::Bool) {
            let mut d = err(
                Code::WhenNotBool,
                format!("`when:` must be a bool, found {}", n.ty.name()),
                e.span,
                format!("this is a {}", n.ty.name()),
            );
            if n.ty == Type::Number {
                d = d.with_note("compare the value, for example `... > 0`");
            }
            self.diags.push(d);
            return invalid(e.span);
        }
        n
    }

    fn template(&mut self, t: &Template) -> TemplateNodes {
        t.parts
            .iter()
            .map(|p| match p {
                TemplatePart::Text(s) => TemplatePiece::Text(s.clone()),
                TemplatePart::Hole(e) => {
                    if let ExprKind::Name(id) = &e.kind {
                        let key = by_key(&self.by);
                        let name = id.name.to_ascii_lowercase();
                        if let Some(k) = key.iter().position(|f| *f == name) {
                            return TemplatePiece::Label(k);
                        }
                    }
                    if let ExprKind::Name(id) = &e.kind {
                        let known = self.defs.names.contains_key(id.name.as_str());
                        if !known && !crate::lang::parser::is_reserved(&id.name) {
                            let d = self.unknown_hole(id);
                            self.diags.push(d);
                            return TemplatePiece::Hole(invalid(e.span));
                        }
                    }
                    let n = self.expr(e);
                    if n.ty == Type::Series {
                        self.diags.push(
                            err(
                                Code::TypeMismatch,
                                "a template cannot print a whole series",
                                e.span,
                                "a series",
                            )
                            .with_note("print a value of it, for example `{latest(x)}`"),
                        );
                        return TemplatePiece::Hole(invalid(e.span));
                    }
                    TemplatePiece::Hole(n)
                }
            })
            .collect()
    }

    /// An unknown name alone in a template hole. It may be meant as a
    /// field, whose value a hole shows only for the `by:` fields of a rule
    /// broken down by them; a near name is suggested among the defined
    /// ones only (a function named alone is no value for a hole).
    fn unknown_hole(&self, id: &Ident) -> Diagnostic {
        let mut d = err(
            Code::UnknownName,
            format!("unknown name `{}`", id.name),
            id.span,
            "not defined",
        );
        if let Some(near) = did_you_mean(&id.name, self.defs.all_names()) {
            d.message = format!("unknown name `{}`; did you mean `{near}`?", id.name);
        }
        d.with_note(if self.by.is_empty() {
            format!(
                "if `{0}` is a field of the data, a hole shows its value only in a rule broken down by it: add `by: {0}`",
                id.name
            )
        } else {
            let by: Vec<&str> = self.by.iter().map(|f| f.name.as_str()).collect();
            format!(
                "a hole shows a field's value only for the fields of `by:` ({}); add `{}` to them to break the rule down by it too",
                by.join(", "),
                id.name
            )
        })
    }

    // ----- expressions --------------------------------------------------

    fn expr(&mut self, e: &Expr) -> Node {
        let span = e.span;
        match &e.kind {
            ExprKind::Number(n) => node(NodeKind::Const(Const::Number(*n)), Type::Number, span),
            ExprKind::Percent(n) => node(NodeKind::Const(Const::Percent(*n)), Type::Number, span),
            ExprKind::Duration(d) => {
                node(NodeKind::Const(Const::Duration(*d)), Type::Duration, span)
            }
            ExprKind::Date(d) => node(NodeKind::Const(Const::Date(*d)), Type::Date, span),
            ExprKind::Str(s) => node(NodeKind::Const(Const::Str(s.clone())), Type::Str, span),
            ExprKind::Bool(b) => node(NodeKind::Const(Const::Bool(*b)), Type::Bool, span),
            ExprKind::None => node(NodeKind::Const(Const::None), Type::None, span),
            ExprKind::Now => node(NodeKind::Now, Type::Date, span),
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Name(id) => self.name(id),
            ExprKind::Series(se) => match self.series_expr(se) {
                Some(slot) => node(NodeKind::Series(slot), Type::Series, span),
                None => invalid(span),
            },
            ExprKind::Unary { op, expr } => {
                let inner = self.expr(expr);
                let want = if *op == UnOp::Not {
                    Type::Bool
                } else {
                    Type::Number
                };
                if !inner.ty.fits(want) {
                    let opname = if *op == UnOp::Not {
                        "`not`"
                    } else {
                        "unary `-`"
                    };
                    self.diags.push(self.mismatch(
                        &inner,
                        want,
                        format!("{opname} needs a {}", want.name()),
                    ));
                    return invalid(span);
                }
                let ty = if inner.ty == Type::None {
                    Type::None
                } else {
                    want
                };
                node(NodeKind::Unary(*op, Box::new(inner)), ty, span)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                match binary_type(*op, l.ty, r.ty) {
                    Ok(ty) => node(NodeKind::Binary(*op, Box::new(l), Box::new(r)), ty, span),
                    Err(msg) => {
                        let mut d = err(Code::TypeMismatch, msg, span, "")
                            .with_secondary(l.span, l.ty.name())
                            .with_secondary(r.span, r.ty.name());
                        if op.is_comparison() && (l.ty, r.ty) == (Type::Date, Type::Number) {
                            d = d.with_note("subtract to get a number of days: `date - now < 400`");
                        } else if op.is_comparison() && (l.ty, r.ty) == (Type::Number, Type::Date) {
                            d = d.with_note("subtract to get a number of days: `400 > date - now`");
                        } else if l.ty == Type::Series || r.ty == Type::Series {
                            d = d.with_note("a series is not a value: use a function of it, such as latest(s) or count(s, 30d)");
                        } else if l.ty == Type::Duration || r.ty == Type::Duration {
                            d = d.with_note("durations are only added to or subtracted from dates, or passed to functions");
                        }
                        self.diags.push(d);
                        invalid(span)
                    }
                }
            }
            ExprKind::Call { func, args } => self.call(func, args, span),
        }
    }

    fn mismatch(&self, n: &Node, want: Type, msg: String) -> Diagnostic {
        let mut d = err(
            Code::TypeMismatch,
            format!("{msg}, found {}", n.ty.name()),
            n.span,
            format!("expected {}", want.name()),
        );
        if n.ty == Type::Series && want == Type::Number {
            d = d.with_note("a series is not a number: use a function of it, such as latest(s)");
        }
        d
    }

    fn name(&mut self, id: &Ident) -> Node {
        let span = id.span;
        // Reserved wherever it stands, even when a data file takes its
        // name: `count(feed, 1y)` is refused as `feed > 0` is.
        if self.reserved_word(id) {
            return invalid(span);
        }
        match self.defs.names.get(id.name.as_str()).copied() {
            Some(Def::Data) | Some(Def::Series(_)) => match self.series_name(id) {
                Some(slot) => node(NodeKind::Series(slot), Type::Series, span),
                None => invalid(span),
            },
            Some(Def::Let(i)) => {
                self.edge(Def::Let(i), span);
                let ty = self.lower_let(i);
                node(NodeKind::Let(i), ty, span)
            }
            Some(Def::Rule(i)) => {
                self.edge(Def::Rule(i), span);
                if !self.grouped_use(i, span) {
                    return invalid(span);
                }
                node(NodeKind::Rule(i), Type::Bool, span)
            }
            None => {
                let mut d = err(
                    Code::UnknownName,
                    format!("unknown name `{}`", id.name),
                    span,
                    "not defined",
                );
                if let Some(near) = self.near(Near::Name, &id.name) {
                    d.message = format!("unknown name `{}`; did you mean `{near}`?", id.name);
                }
                self.diags.push(d);
                invalid(span)
            }
        }
    }

    /// True when `a` is a positional argument naming a rule with `by:`.
    fn names_grouped(&self, a: &Arg) -> bool {
        let ExprKind::Name(id) = &a.value.kind else {
            return false;
        };
        a.name.is_none()
            && matches!(self.defs.names.get(id.name.as_str()), Some(Def::Rule(i)) if !self.rule_by(*i).is_empty())
    }

    /// Whether `a` names a grouped rule with the `by:` fields of the rule
    /// being lowered (so that it reads the same instance).
    fn same_by_here(&self, a: &Arg) -> bool {
        let ExprKind::Name(id) = &a.value.kind else {
            return false;
        };
        let Some(Def::Rule(i)) = self.defs.names.get(id.name.as_str()) else {
            return false;
        };
        match self.stack.last() {
            Some(Def::Rule(j)) => by_key(self.rule_by(*j)) == by_key(self.rule_by(*i)),
            _ => false,
        }
    }

    /// The argument of `count_true`, `any` or `all` that stands for a
    /// grouped rule's instances.
    fn instances_of(&mut self, a: &Arg) -> Node {
        self.instances_arg = true;
        let n = self.expr(&a.value);
        self.instances_arg = false;
        n
    }

    /// `any(r)`, `all(r)`: `r` must name a rule with `by:`.
    fn instances(
        &mut self,
        func: crate::lang::functions::Func,
        sig: &Signature,
        args: &[Arg],
        span: Span,
        usage: &str,
    ) -> Node {
        if args.len() == 1 && self.names_grouped(&args[0]) {
            let n = self.instances_of(&args[0]);
            return node(NodeKind::Call(func, vec![n]), Type::Bool, span);
        }
        let (at, what) = match args {
            [a] => (a.value.span, "not a rule with `by:`"),
            [] => (span, "no argument"),
            [_, b, ..] => (b.value.span, "one argument only"),
        };
        for a in args {
            self.instances_of(a);
        }
        let mut d = err(
            Code::GroupedRuleUse,
            format!(
                "{} takes the name of one indicator or alert with `by:`",
                sig.name
            ),
            at,
            what,
        )
        .with_note(usage.to_string());
        if let [a] = args {
            if let ExprKind::Name(id) = &a.value.kind {
                if matches!(self.defs.names.get(id.name.as_str()), Some(Def::Rule(_))) {
                    d = d.with_note(format!(
                        "`{}` has no `by:`, so it has one status: use `{}` itself",
                        id.name, id.name
                    ));
                }
            }
        }
        self.diags.push(d);
        invalid(span)
    }

    fn call(&mut self, func_id: &Ident, args: &[Arg], span: Span) -> Node {
        let sigs = self.sigs;
        let Some((func, sig)) = lookup(sigs, &func_id.name) else {
            let mut d = err(
                Code::UnknownFunction,
                format!("unknown function `{}`", func_id.name),
                func_id.span,
                "no such function",
            );
            if let Some(near) = did_you_mean(&func_id.name, sigs.iter().map(|f| f.name)) {
                d.message = format!(
                    "unknown function `{}`; did you mean `{near}`?",
                    func_id.name
                );
            }
            self.diags.push(d);
            for a in args {
                self.expr(&a.value);
            }
            return invalid(span);
        };
        // Only for diagnostics: built when one is reported.
        let usage = || format!("usage: {}", sig.usage);
        match sig.params {
            Params::Instances => self.instances(func, sig, args, span, &usage()),
            Params::Bools if args.len() == 1 && self.names_grouped(&args[0]) => {
                let n = self.instances_of(&args[0]);
                node(NodeKind::Call(func, vec![n]), Type::Number, span)
            }
            Params::Bools => {
                if args.is_empty() {
                    self.diags.push(
                        err(
                            Code::WrongArity,
                            format!("{} takes at least one argument", sig.name),
                            span,
                            "no arguments",
                        )
                        .with_note(usage()),
                    );
                    return invalid(span);
                }
                let mut ok = true;
                let mut nodes = Vec::new();
                for a in args {
                    if let Some(name) = &a.name {
                        self.diags.push(self.named_not_allowed(sig, name, &usage()));
                        ok = false;
                    }
                    // A rule with `by:` among several arguments stands
                    // for its instances, as it does alone, unless this
                    // rule has the same `by:`: it then reads the same
                    // instance, as anywhere else in such a rule.
                    let n = if self.names_grouped(a) && !self.same_by_here(a) {
                        self.instances_of(a)
                    } else {
                        self.expr(&a.value)
                    };
                    if !n.ty.fits(Type::Bool) {
                        self.diags.push(self.mismatch(
                            &n,
                            Type::Bool,
                            "count_true counts bools".into(),
                        ));
                        ok = false;
                    }
                    nodes.push(n);
                }
                if !ok {
                    return invalid(span);
                }
                node(NodeKind::Call(func, nodes), Type::Number, span)
            }
            Params::Weights => self.weighted(args, span, &usage()),
            Params::Fixed(params) => {
                // On the stack for the usual few parameters.
                let mut few = [None; 4];
                let mut many = Vec::new();
                let slots: &mut [Option<&Expr>] = if params.len() <= few.len() {
                    &mut few[..params.len()]
                } else {
                    many.resize(params.len(), None);
                    &mut many
                };
                let mut ok = true;
                let mut positional = 0;
                for a in args {
                    let idx = match &a.name {
                        None => {
                            positional += 1;
                            positional - 1
                        }
                        Some(name) => {
                            let found = sig
                                .named
                                .then(|| params.iter().position(|p| p.0 == name.name))
                                .flatten();
                            match found {
                                Some(k) if k > 0 => k,
                                _ => {
                                    let d = if sig.named {
                                        let names: Vec<&str> =
                                            params.iter().skip(1).map(|p| p.0).collect();
                                        let mut d = err(
                                            Code::BadNamedArgument,
                                            format!(
                                                "{} has no argument named `{}`",
                                                sig.name, name.name
                                            ),
                                            name.span,
                                            "unknown name",
                                        );
                                        if let Some(near) =
                                            did_you_mean(&name.name, names.iter().copied())
                                        {
                                            d = d.with_note(format!("did you mean `{near}`?"));
                                        }
                                        d.with_note(usage())
                                    } else {
                                        self.named_not_allowed(sig, name, &usage())
                                    };
                                    self.diags.push(d);
                                    ok = false;
                                    continue;
                                }
                            }
                        }
                    };
                    if idx >= params.len() {
                        continue;
                    }
                    if let Some(prev) = slots[idx] {
                        let what = params[idx].0;
                        self.diags.push(
                            err(
                                Code::ArgumentTwice,
                                format!("`{what}` is given twice"),
                                a.value.span,
                                "given again here",
                            )
                            .with_secondary(prev.span, "first given here")
                            .with_note(usage()),
                        );
                        ok = false;
                    }
                    slots[idx] = Some(&a.value);
                }
                let given = args.iter().filter(|a| a.name.is_none()).count()
                    + args.iter().filter(|a| a.name.is_some()).count();
                if positional > params.len() || (slots.iter().any(Option::is_none) && ok) {
                    let plural = if params.len() == 1 {
                        "argument"
                    } else {
                        "arguments"
                    };
                    self.diags.push(
                        err(
                            Code::WrongArity,
                            format!(
                                "{} takes {} {plural}, found {given}",
                                sig.name,
                                params.len()
                            ),
                            span,
                            if positional > params.len() {
                                "too many arguments"
                            } else {
                                "missing arguments"
                            },
                        )
                        .with_note(usage()),
                    );
                    ok = false;
                }
                let mut nodes = Vec::with_capacity(slots.len());
                for (k, slot) in slots.iter().enumerate() {
                    let Some(arg) = slot else { continue };
                    let want = params[k].1;
                    let n = match want {
                        Type::Series => self.series_arg(arg),
                        Type::Duration => self.duration_arg(arg),
                        Type::Field => self.field_arg(arg, nodes.first(), sig),
                        _ => {
                            let n = self.expr(arg);
                            if !n.ty.fits(want) {
                                self.diags.push(self.mismatch(
                                    &n,
                                    want,
                                    format!("{} takes a {}", sig.name, want.name()),
                                ));
                                invalid(arg.span)
                            } else {
                                n
                            }
                        }
                    };
                    ok &= n.ty != Type::Error;
                    nodes.push(n);
                }
                if !ok {
                    return invalid(span);
                }
                node(NodeKind::Call(func, nodes), sig.result, span)
            }
        }
    }

    fn named_not_allowed(&self, sig: &Signature, name: &Ident, usage: &str) -> Diagnostic {
        err(
            Code::BadNamedArgument,
            format!("{} takes no named arguments", sig.name),
            name.span,
            "named argument",
        )
        .with_note(format!(
            "only {} take arguments by name",
            takes_names(self.sigs)
        ))
        .with_note(usage.to_string())
    }

    fn series_arg(&mut self, e: &Expr) -> Node {
        match &e.kind {
            ExprKind::Name(id) if self.reserved_word(id) => invalid(e.span),
            ExprKind::Name(id) => match self.series_name(id) {
                Some(slot) => node(NodeKind::Series(slot), Type::Series, e.span),
                None => invalid(e.span),
            },
            ExprKind::Series(_) | ExprKind::Paren(_) => {
                let n = self.expr(e);
                if n.ty == Type::Series || n.ty == Type::Error {
                    return n;
                }
                self.diags
                    .push(self.mismatch(&n, Type::Series, "expected a series".into()));
                invalid(e.span)
            }
            _ => {
                let n = self.expr(e);
                if n.ty != Type::Error {
                    self.diags.push(
                        self.mismatch(&n, Type::Series, "expected a series".into())
                            .with_note("pass the name of a series, optionally filtered: `count(attacks[actor ~ \"houthi\"], 30d)`"),
                    );
                }
                invalid(e.span)
            }
        }
    }

    /// A field of the series `series` (the call's first argument), written
    /// as in a filter: a bare name, whatever it names elsewhere, or a
    /// string.
    fn field_arg(&mut self, e: &Expr, series: Option<&Node>, sig: &Signature) -> Node {
        let (name, quoted) = match &e.kind {
            ExprKind::Name(id) => (id.name.clone(), false),
            ExprKind::Str(s) => (s.clone(), true),
            // Words the parser reads as literals are field names here.
            ExprKind::Bool(b) => (b.to_string(), false),
            ExprKind::None => ("none".to_string(), false),
            ExprKind::Now => ("now".to_string(), false),
            _ => {
                let n = self.expr(e);
                if n.ty != Type::Error {
                    self.diags.push(
                        self.mismatch(&n, Type::Field, format!("{} takes a field name", sig.name))
                            .with_note("write the field as in a filter: a name (`station`) or a string (`\"Event Type\"`)"),
                    );
                }
                return invalid(e.span);
            }
        };
        let Some(&Node {
            kind: NodeKind::Series(slot),
            ..
        }) = series
        else {
            // The series is in error, already reported.
            return invalid(e.span);
        };
        let key = (slot, name.to_lowercase());
        let k = match self.field_keys.get(&key) {
            Some(&k) => k,
            None => {
                self.fields.push(FieldRead {
                    series: slot,
                    field: FieldRef {
                        name,
                        quoted,
                        span: e.span,
                    },
                });
                let k = self.base_fields + self.fields.len() - 1;
                self.field_keys.insert(key, k);
                k
            }
        };
        node(NodeKind::Field(k), Type::Field, e.span)
    }

    fn duration_arg(&mut self, e: &Expr) -> Node {
        let n = self.expr(e);
        match (&n.kind, n.ty) {
            (NodeKind::Const(Const::Duration(_)), _)
            | (NodeKind::Let(_), Type::Duration)
            | (_, Type::Error) => n,
            _ => {
                self.diags.push(
                    self.mismatch(&n, Type::Duration, "expected a duration".into())
                        .with_note("write a duration literal such as 30d, 2w, 6mo or 1y"),
                );
                invalid(e.span)
            }
        }
    }

    fn weighted(&mut self, args: &[Arg], span: Span, usage: &str) -> Node {
        if args.is_empty() {
            self.diags.push(
                err(
                    Code::WrongArity,
                    "weighted takes at least one argument",
                    span,
                    "no arguments",
                )
                .with_note(usage.to_string()),
            );
            return invalid(span);
        }
        let mut ok = true;
        let mut pairs = Vec::new();
        let mut seen: FxHashSet<&str> = FxHashSet::default();
        for a in args {
            let Some(name) = &a.name else {
                self.diags.push(
                    err(Code::BadNamedArgument, "weighted takes its arguments by name", a.value.span, "no name")
                        .with_note("write `weighted(indicator_name: weight, ...)`, for example `weighted(pla_surge: 3, houthi_resumed: 1)`"),
                );
                ok = false;
                continue;
            };
            if !seen.insert(&name.name) {
                self.diags.push(
                    err(
                        Code::ArgumentTwice,
                        format!("`{}` is weighted twice", name.name),
                        name.span,
                        "given again",
                    )
                    .with_note(usage.to_string()),
                );
                ok = false;
            }
            let target = self.name(name);
            let is_bool_ref = matches!(target.kind, NodeKind::Rule(_))
                || (matches!(target.kind, NodeKind::Let(_)) && target.ty.fits(Type::Bool));
            if target.ty != Type::Error && !is_bool_ref {
                self.diags.push(
                    err(
                        Code::NotARule,
                        format!("`{}` is not an indicator, alert or bool let", name.name),
                        name.span,
                        format!("a {}", target.ty.name()),
                    )
                    .with_note("weighted sums the weights of the named conditions that are true"),
                );
                ok = false;
            }
            let w = self.expr(&a.value);
            if !w.ty.fits(Type::Number) {
                self.diags.push(self.mismatch(
                    &w,
                    Type::Number,
                    "a weight must be a number".into(),
                ));
                ok = false;
            }
            ok &= target.ty != Type::Error && w.ty != Type::Error;
            pairs.push((target, w));
        }
        if !ok {
            return invalid(span);
        }
        node(NodeKind::Weighted(pairs), Type::Number, span)
    }

    // ----- cycles -------------------------------------------------------

    fn report_cycles(&mut self) {
        let mut state: FxHashMap<Def, u8> = FxHashMap::default();
        let mut reported: FxHashSet<Vec<Def>> = FxHashSet::default();
        let mut roots: Vec<Def> = self.edges.keys().copied().collect();
        roots.sort_by_key(|d| self.defs.name_span(*d).map(|s| (s.file, s.start)));
        for root in roots {
            let mut path: Vec<(Def, Span)> = Vec::new();
            self.visit(root, None, &mut state, &mut path, &mut reported);
        }
    }

    fn visit(
        &mut self,
        def: Def,
        via: Option<Span>,
        state: &mut FxHashMap<Def, u8>,
        path: &mut Vec<(Def, Span)>,
        reported: &mut FxHashSet<Vec<Def>>,
    ) {
        match state.get(&def) {
            Some(2) => return,
            Some(1) => {
                let Some(start) = path.iter().position(|(d, _)| *d == def) else {
                    return;
                };
                let cycle: Vec<(Def, Span)> = path[start..].to_vec();
                let mut key: Vec<Def> = cycle.iter().map(|c| c.0).collect();
                key.sort_by_key(|d| format!("{d:?}"));
                if reported.insert(key) {
                    self.report_cycle(&cycle, via);
                }
                return;
            }
            _ => {}
        }
        state.insert(def, 1);
        path.push((def, via.unwrap_or_default()));
        let targets = self.edges.get(&def).cloned().unwrap_or_default();
        for (to, span) in targets {
            self.visit(to, Some(span), state, path, reported);
        }
        path.pop();
        state.insert(def, 2);
    }

    fn report_cycle(&mut self, cycle: &[(Def, Span)], closing: Option<Span>) {
        let names: Vec<&str> = cycle.iter().map(|(d, _)| self.defs.name_of(*d)).collect();
        // A long cycle is named by its ends, as E208 names a long chain:
        // the whole of a 50,000-name cycle would be a megabyte-long line.
        let shown = |k: usize| k < CYCLE_ENDS || k + CYCLE_ENDS >= names.len();
        let mut listed: Vec<String> = Vec::new();
        for (k, n) in names.iter().enumerate() {
            if shown(k) {
                listed.push(format!("`{n}`"));
            } else if k == CYCLE_ENDS {
                listed.push(format!("… {} more …", names.len() - 2 * CYCLE_ENDS));
            }
        }
        listed.push(format!("`{}`", names[0]));
        let listed = listed.join(" → ");
        let first = cycle[0].0;
        let Some(first_span) = self.defs.name_span(first) else {
            return;
        };
        let mut d = Diagnostic::error(
            Code::Cycle,
            format!("`{}` depends on itself: {listed}", names[0]),
        )
        .with_primary(first_span, "defined here");
        for (k, (_, used_at)) in cycle.iter().enumerate().skip(1).filter(|(k, _)| shown(*k)) {
            d = d.with_secondary(*used_at, format!("uses `{}`", names[k]));
        }
        if let Some(span) = closing {
            d = d.with_secondary(span, format!("uses `{}` again", names[0]));
        }
        self.diags.push(d.with_note(
            "break the cycle: a definition may not depend on itself, directly or through others",
        ));
    }
}

/// How many names at each end of a long cycle its E103 message lists.
const CYCLE_ENDS: usize = 4;

/// The type of `l OP r`, or a message saying why there is none.
fn binary_type(op: BinOp, l: Type, r: Type) -> Result<Type, String> {
    use Type::*;
    if l == Error || r == Error {
        return Ok(Error);
    }
    let none = l == None || r == None;
    let other = if l == None { r } else { l };
    match op {
        BinOp::And | BinOp::Or => {
            if l.fits(Bool) && r.fits(Bool) {
                Ok(Bool)
            } else {
                Err(format!(
                    "`{}` needs bools, found {} and {}",
                    op.as_str(),
                    l.name(),
                    r.name()
                ))
            }
        }
        BinOp::Eq | BinOp::Ne => {
            if (l == r || none) && matches!(other, Number | Bool | Date | Str | None) {
                Ok(Bool)
            } else {
                Err(format!("cannot compare {} with {}", l.name(), r.name()))
            }
        }
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            if (l == r || none) && matches!(other, Number | Date | None) {
                Ok(Bool)
            } else if l == Str && r == Str {
                Err("strings cannot be ordered; compare them with `==` or `!=`".to_string())
            } else {
                Err(format!("cannot compare {} with {}", l.name(), r.name()))
            }
        }
        BinOp::Add => match (l, r) {
            (Number, Number) => Ok(Number),
            (Date, Duration) | (Duration, Date) => Ok(Date),
            (None, Number) | (Number, None) | (None, None) => Ok(Number),
            (None, Date) | (Date, None) => Ok(Date),
            (Date, Date) => Err("cannot add two dates".to_string()),
            _ => Err(format!("cannot add {} and {}", l.name(), r.name())),
        },
        BinOp::Sub => match (l, r) {
            (Number, Number) | (Date, Date) => Ok(Number),
            (Date, Duration) => Ok(Date),
            (None, Number) | (Number, None) | (None, None) => Ok(Number),
            (Date, None) | (None, Date) => Ok(None),
            _ => Err(format!("cannot subtract {} from {}", r.name(), l.name())),
        },
        BinOp::Mul | BinOp::Div => match (l, r) {
            (Number | None, Number | None) => Ok(Number),
            _ => Err(format!(
                "cannot {} {} by {}",
                if op == BinOp::Mul {
                    "multiply"
                } else {
                    "divide"
                },
                l.name(),
                r.name()
            )),
        },
    }
}

/// How an inline series expression is shown: `acled[actor1 ~ "houthi"].fatalities`.
pub fn series_label(se: &SeriesExpr) -> String {
    let field = |f: &FieldRef| {
        if f.quoted {
            format!("{:?}", f.name)
        } else {
            f.name.clone()
        }
    };
    let mut s = se.base.name.clone();
    if let Some(preds) = &se.filter {
        let parts: Vec<String> = preds
            .iter()
            .map(|p| {
                let test = match &p.test {
                    FieldTest::TextEq(t) => format!("== {t:?}"),
                    FieldTest::TextNe(t) => format!("!= {t:?}"),
                    FieldTest::Contains(t) => format!("~ {t:?}"),
                    FieldTest::In(ts) => format!(
                        "in [{}]",
                        ts.iter()
                            .map(|t| format!("{t:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    FieldTest::Num(op, n) => format!("{} {n}", op.as_str()),
                };
                format!("{} {test}", field(&p.field))
            })
            .collect();
        s.push_str(&format!("[{}]", parts.join(", ")));
    }
    if let Some(p) = &se.projection {
        s.push('.');
        s.push_str(&field(p));
    }
    for b in &se.buckets {
        s = format!("{}({s}, {})", b.period.as_str(), b.agg.as_str());
    }
    s
}

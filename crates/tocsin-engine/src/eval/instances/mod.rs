//! Breakdowns: the instances of the rules with `by:`, found once per load.
//!
//! Rules with the same `by` fields (ignoring case and order) form a
//! group. For each data series that has all of a group's fields, every row
//! is assigned once to the instance its field values name; each series
//! that the group's rules read from such a data series is then split, by a
//! counting sort of its observations, into one timeline per instance, with
//! its own prefix sums and indexes. An instance reads its own slice; no
//! series is filtered per instance per day.

use super::fields::FieldColumn;
use super::model::{bucket_steps, select, Origin, PARALLEL_OBSERVATIONS};
use super::timeline::Timeline;
use crate::data::{Series, Store};
use crate::diag::{Code, Diagnostic};
use crate::eval::InstanceLabels;
use crate::lang::program::{by_key, FieldRead, Node, NodeKind, Program, TemplatePiece};
use crate::time::Date;
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

mod append;

pub(super) use append::Appended;

/// The most instances a rule may have.
pub const MAX_INSTANCES: usize = 10_000;

/// No instance: a row with an empty `by` field, or a position not narrowed.
const NONE: u32 = u32::MAX;

/// The instances of every rule with `by:`.
#[derive(Debug, Default)]
pub struct Instances {
    /// One group per distinct set of `by` fields.
    pub groups: Vec<Group>,
    /// For each rule: its group and when each of its instances first has
    /// an observation (`None` for a rule without `by:`).
    rules: Vec<Option<Appearances>>,
    /// The scope number of each group's first instance; scope 0 is the
    /// whole data, outside every instance.
    base: Vec<u32>,
}

#[derive(Clone, Debug)]
struct Appearances {
    group: usize,
    /// `(first date, instance)`, by date.
    by_date: Vec<(Date, u32)>,
    /// Each instance's labels as the rule spells its `by:`, shared with
    /// the rules of the group that spell it alike.
    labels: Arc<[InstanceLabels]>,
}

/// The instances shared by the rules with one set of `by` fields.
#[derive(Clone, Debug, Default)]
pub struct Group {
    /// The fields, lower case and sorted (see [`by_key`]).
    pub key: Vec<String>,
    /// Each instance's values of the fields, in key order; instances are
    /// numbered in the order of their values.
    pub labels: Vec<Vec<Arc<str>>>,
    /// For each series slot of the program, its place in `timelines`, or
    /// [`NONE`] when the group reads it whole.
    pos: Vec<u32>,
    /// `[place][instance]`: each narrowed series, split by instance.
    timelines: Vec<Vec<Arc<Timeline>>>,
    origins: Vec<Vec<Arc<Origin>>>,
    /// For each field read of the program, its place in `fields`.
    field_pos: Vec<u32>,
    fields: Vec<Vec<Arc<FieldColumn>>>,
    /// The data series whose rows tell the instances apart, by name.
    roots: Vec<String>,
}

impl Group {
    /// The timeline and origin of series `slot` in `instance`, when the
    /// group narrows it.
    pub fn series(&self, slot: usize, instance: usize) -> Option<(&Arc<Timeline>, &Arc<Origin>)> {
        let p = *self.pos.get(slot)?;
        (p != NONE).then(|| {
            (
                &self.timelines[p as usize][instance],
                &self.origins[p as usize][instance],
            )
        })
    }

    /// The field column of field read `k` in `instance`, when narrowed.
    pub fn field(&self, k: usize, instance: usize) -> Option<&Arc<FieldColumn>> {
        let p = *self.field_pos.get(k)?;
        (p != NONE).then(|| &self.fields[p as usize][instance])
    }

    /// The data series whose rows tell the instances apart, by name.
    pub fn roots(&self) -> &[String] {
        &self.roots
    }

    /// Every narrowed timeline of every instance.
    pub fn all_timelines(&self) -> impl Iterator<Item = &Arc<Timeline>> {
        self.timelines.iter().flatten()
    }
}

impl Instances {
    /// The group of rule `r`, when it has `by:`.
    pub fn group_of(&self, r: usize) -> Option<usize> {
        self.rules.get(r)?.as_ref().map(|a| a.group)
    }

    /// The labels of instance `i` of rule `r`, when it has `by:`.
    pub fn labels(&self, r: usize, i: u32) -> Option<InstanceLabels> {
        let a = self.rules.get(r)?.as_ref()?;
        a.labels.get(i as usize).cloned()
    }

    /// The instances of rule `r` at `t` (those with an observation dated
    /// `<= t`), in the order of their values.
    pub fn at(&self, r: usize, t: Date) -> Vec<u32> {
        let Some(Some(a)) = self.rules.get(r) else {
            return Vec::new();
        };
        let n = a.by_date.partition_point(|(d, _)| *d <= t);
        let mut ids: Vec<u32> = a.by_date[..n].iter().map(|&(_, i)| i).collect();
        ids.sort_unstable();
        ids
    }

    /// Every instance of rule `r` with the date of its first observation,
    /// in the order of their values: instance `i` is among
    /// [`Instances::at`]`(r, t)` exactly when its date is `<= t`.
    pub fn firsts(&self, r: usize) -> Vec<(u32, Date)> {
        let Some(Some(a)) = self.rules.get(r) else {
            return Vec::new();
        };
        let mut out: Vec<(u32, Date)> = a.by_date.iter().map(|&(d, i)| (i, d)).collect();
        out.sort_unstable();
        out
    }

    /// How many instances rule `r` has over all its data.
    pub fn total(&self, r: usize) -> usize {
        self.rules
            .get(r)
            .and_then(|a| a.as_ref())
            .map_or(0, |a| a.by_date.len())
    }

    /// The scope number of `instance` of `group` (never 0).
    pub fn scope(&self, group: usize, instance: u32) -> u32 {
        self.base[group] + instance + 1
    }

    /// The group and instance of scope `s` (0 is none).
    pub fn of_scope(&self, s: u32) -> Option<(usize, usize)> {
        if s == 0 {
            return None;
        }
        let g = self.base.partition_point(|&b| b < s) - 1;
        Some((g, (s - self.base[g] - 1) as usize))
    }

    /// Finds the instances of every rule with `by:` of `program` and
    /// splits the series they read. Errors (a `by` field no series of the
    /// rule has, too many instances) go to `diags`.
    pub fn build(
        program: &Program,
        store: &Store,
        timelines: &[Arc<Timeline>],
        origins: &[Arc<Origin>],
        fields: &[Arc<FieldColumn>],
        diags: &mut Vec<Diagnostic>,
    ) -> Instances {
        let mut keys: Vec<Vec<String>> = Vec::new();
        let mut rule_group: Vec<Option<usize>> = Vec::with_capacity(program.rules.len());
        for rule in &program.rules {
            if !rule.is_grouped() {
                rule_group.push(None);
                continue;
            }
            let key = by_key(&rule.by);
            let g = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                keys.push(key);
                keys.len() - 1
            });
            rule_group.push(Some(g));
        }
        if keys.is_empty() {
            return Instances {
                rules: rule_group.iter().map(|_| None).collect(),
                ..Instances::default()
            };
        }
        let mut reach = Reach::new(program, &rule_group);
        let parallel = store.observations() >= PARALLEL_OBSERVATIONS;
        let mut groups = Vec::with_capacity(keys.len());
        let mut rules: Vec<Option<Appearances>> = rule_group.iter().map(|_| None).collect();
        for (g, key) in keys.into_iter().enumerate() {
            let members: Vec<usize> = (0..program.rules.len())
                .filter(|&r| rule_group[r] == Some(g))
                .collect();
            let reached: Vec<Reached> = members.iter().map(|&r| reach.slots(r, g)).collect();
            // Every series each rule reaches, for its instances; of those,
            // the ones split by instance.
            let slots_of: Vec<Vec<usize>> = reached.iter().map(Reached::all).collect();
            let mut slots: Vec<usize> = reached
                .iter()
                .flat_map(|r| r.narrowed.iter().copied())
                .collect();
            slots.sort_unstable();
            slots.dedup();
            let mut all: Vec<usize> = slots_of.iter().flatten().copied().collect();
            all.sort_unstable();
            all.dedup();
            // The data series with every field, and each row's local instance.
            let roots = roots_of(program, &all);
            let split: Vec<(&str, Split)> = roots
                .iter()
                .filter_map(|&name| {
                    let series = store.series(store.get(name)?);
                    Some((name, Split::new(series, &key)?))
                })
                .collect();
            // Instances: every combination of values, in order.
            let mut labels: Vec<Vec<Arc<str>>> = split
                .iter()
                .flat_map(|(_, s)| s.labels.iter().cloned())
                .collect();
            labels.sort_unstable();
            labels.dedup();
            let index: HashMap<&[Arc<str>], u32> = labels
                .iter()
                .enumerate()
                .map(|(i, l)| (l.as_slice(), i as u32))
                .collect();
            let split: Vec<(&str, Split, Vec<u32>)> = split
                .into_iter()
                .map(|(name, s)| {
                    let global = s.labels.iter().map(|l| index[l.as_slice()]).collect();
                    (name, s, global)
                })
                .collect();
            let mut spelled: Vec<(Vec<&str>, Arc<[InstanceLabels]>)> = Vec::new();
            for (k, &r) in members.iter().enumerate() {
                let rule = &program.rules[r];
                let mut first: Vec<(Date, u32)> = Vec::new();
                let mut any = false;
                for (name, s, global) in &split {
                    if !slots_of[k].iter().any(|&x| program.series[x].root == *name) {
                        continue;
                    }
                    any = true;
                    first.extend(s.first.iter().zip(global).map(|(&d, &i)| (d, i)));
                }
                if !any {
                    diags.push(missing_fields(program, r, &slots_of[k], store));
                    continue;
                }
                first.sort_unstable_by_key(|&(d, i)| (i, d));
                first.dedup_by_key(|&mut (_, i)| i);
                first.sort_unstable();
                if first.len() > MAX_INSTANCES {
                    diags.push(
                        Diagnostic::error(
                            Code::TooManyInstances,
                            format!(
                                "`{}` has {} instances, more than the limit of {MAX_INSTANCES}",
                                rule.name,
                                first.len()
                            ),
                        )
                        .with_primary(rule.by[0].span, "one instance per value")
                        .with_note("break it down by a field with fewer values, or narrow its series with a filter first"),
                    );
                    continue;
                }
                let spelling: Vec<&str> = rule.by.iter().map(|f| f.name.as_str()).collect();
                let at = spelled.iter().position(|(s, _)| *s == spelling);
                let at = at.unwrap_or_else(|| {
                    let all = spelled_labels(&spelling, &key, &labels);
                    spelled.push((spelling, all));
                    spelled.len() - 1
                });
                rules[r] = Some(Appearances {
                    group: g,
                    by_date: first,
                    labels: Arc::clone(&spelled[at].1),
                });
            }
            let mut group = Group {
                key,
                pos: vec![NONE; program.series.len()],
                field_pos: vec![NONE; program.fields.len()],
                ..Group::default()
            };
            let narrow_slot = |&slot: &usize| {
                let (_, s, global) = split
                    .iter()
                    .find(|(n, _, _)| *n == program.series[slot].root)?;
                let narrowed = narrow(
                    program,
                    store,
                    slot,
                    &timelines[slot],
                    &origins[slot],
                    s,
                    global,
                    labels.len(),
                    parallel,
                );
                Some((slot, narrowed))
            };
            // Each series splits on its own: on large data, on every core.
            let narrowed: Vec<(usize, Narrowed)> = if parallel {
                slots.par_iter().filter_map(narrow_slot).collect()
            } else {
                slots.iter().filter_map(narrow_slot).collect()
            };
            for (slot, (tls, ors, parts)) in narrowed {
                group.pos[slot] = group.timelines.len() as u32;
                group.timelines.push(tls);
                group.origins.push(ors);
                for (k, read) in program.fields.iter().enumerate() {
                    if read.series == slot {
                        group.field_pos[k] = group.fields.len() as u32;
                        group
                            .fields
                            .push(narrow_field(read, &fields[k], &parts, program));
                    }
                }
            }
            group.labels = labels;
            group.roots = split.iter().map(|(name, _, _)| name.to_string()).collect();
            groups.push(group);
        }
        let mut base = Vec::with_capacity(groups.len());
        let mut next = 0u32;
        for g in &groups {
            base.push(next);
            next += g.labels.len() as u32;
        }
        Instances {
            groups,
            rules,
            base,
        }
    }
}

/// The labels of every instance of a group with fields `key`, whose
/// values are `values`, for a rule whose `by:` spells the fields `by`.
fn spelled_labels(by: &[&str], key: &[String], values: &[Vec<Arc<str>>]) -> Arc<[InstanceLabels]> {
    let names: Vec<(Arc<str>, usize)> = by
        .iter()
        .map(|f| {
            let lower = f.to_ascii_lowercase();
            let k = key.iter().position(|x| *x == lower).unwrap_or(0);
            (Arc::from(*f), k)
        })
        .collect();
    let empty: Arc<str> = Arc::from("");
    values
        .iter()
        .map(|v| {
            names
                .iter()
                .map(|(name, k)| {
                    (
                        Arc::clone(name),
                        v.get(*k).map_or_else(|| Arc::clone(&empty), Arc::clone),
                    )
                })
                .collect()
        })
        .collect()
}

/// The data series under series `slots`, sorted, each once.
fn roots_of<'p>(program: &'p Program, slots: &[usize]) -> Vec<&'p str> {
    let mut roots: Vec<&str> = slots
        .iter()
        .map(|&s| program.series[s].root.as_str())
        .collect();
    roots.sort_unstable();
    roots.dedup();
    roots
}

fn missing_fields(program: &Program, r: usize, slots: &[usize], store: &Store) -> Diagnostic {
    let rule = &program.rules[r];
    let roots = roots_of(program, slots);
    // The first field that some series lacks, to point at.
    let lacking = rule
        .by
        .iter()
        .find(|f| {
            roots.iter().any(|name| {
                store
                    .get(name)
                    .is_none_or(|id| store.series(id).fields.column(&f.name).is_none())
            })
        })
        .unwrap_or(&rule.by[0]);
    let mut d = Diagnostic::error(
        Code::ByFieldMissing,
        format!(
            "no series that `{}` reads has the field `{}`",
            rule.name, lacking.name
        ),
    )
    .with_primary(lacking.span, "no instance can be told by this");
    if roots.is_empty() {
        d = d.with_note("its condition reads no series");
    }
    let near = roots.iter().find_map(|name| {
        let names = store.series(store.get(name)?).fields.names();
        crate::diag::did_you_mean(&lacking.name, names.iter().map(String::as_str))
            .map(str::to_string)
    });
    if let Some(near) = near {
        d = d.with_note(format!("did you mean `{near}`?"));
    }
    for name in roots {
        if let Some(id) = store.get(name) {
            let names = store.series(id).fields.names();
            d = d.with_note(if names.is_empty() {
                format!("`{name}` has no fields besides its date and value")
            } else {
                format!("`{name}` has the fields: {}", names.join(", "))
            });
        }
    }
    d.with_note(
        "`by:` names fields of the data series the rule reads (ignoring case), as a filter does",
    )
}

/// True for a `by` field's text that names no instance: empty, or only
/// spaces (a cell a spreadsheet shows blank).
pub(super) fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// The rows of one data series, each assigned to the instance its `by`
/// fields name.
struct Split {
    /// Local instance of each row ([`NONE`] for a row with an empty field).
    row: Vec<u32>,
    /// Values of each local instance, in key order.
    labels: Vec<Vec<Arc<str>>>,
    /// Date of each local instance's first row.
    first: Vec<Date>,
}

impl Split {
    /// `None` when the series lacks one of the fields.
    fn new(series: &Series, key: &[String]) -> Option<Split> {
        let cols: Vec<usize> = key
            .iter()
            .map(|f| series.fields.column(f))
            .collect::<Option<_>>()?;
        let mut row = Vec::with_capacity(series.len());
        let mut labels = Vec::new();
        let mut first = Vec::new();
        if let [c] = cols[..] {
            // One field: the store's text ids index the instances directly.
            let mut local = vec![NONE; series.fields.distinct_count()];
            for r in 0..series.len() {
                let id = series.fields.cell_id(c, r);
                let text = series.fields.text_of(id);
                if blank(text) {
                    row.push(NONE);
                    continue;
                }
                let slot = &mut local[id as usize];
                if *slot == NONE {
                    *slot = labels.len() as u32;
                    labels.push(vec![Arc::from(text)]);
                    first.push(series.dates[r]);
                }
                row.push(*slot);
            }
        } else {
            // Several fields: a row's instance is found a field at a time,
            // (the values so far, the next value) giving the values so far
            // one further, numbered in order of appearance; after the
            // last field that number is the instance.
            let last = cols.len() - 1;
            let mut levels: Vec<HashMap<(u32, u32), u32>> = vec![HashMap::default(); last];
            let mut given = vec![0u32; last];
            let empty = |id: u32| blank(series.fields.text_of(id));
            'rows: for r in 0..series.len() {
                let mut at = series.fields.cell_id(cols[0], r);
                if empty(at) {
                    row.push(NONE);
                    continue;
                }
                for (k, &c) in cols.iter().enumerate().skip(1) {
                    let id = series.fields.cell_id(c, r);
                    if empty(id) {
                        row.push(NONE);
                        continue 'rows;
                    }
                    let new = if k == last {
                        labels.len() as u32
                    } else {
                        given[k - 1]
                    };
                    let slot = *levels[k - 1].entry((at, id)).or_insert(new);
                    if slot == new {
                        if k == last {
                            labels.push(
                                cols.iter()
                                    .map(|&c| Arc::from(series.fields.get(c, r)))
                                    .collect(),
                            );
                            first.push(series.dates[r]);
                        } else {
                            given[k - 1] += 1;
                        }
                    }
                    at = slot;
                }
                row.push(at);
            }
        }
        Some(Split { row, labels, first })
    }
}

/// Positions of a timeline's observations, grouped by instance (a counting
/// sort, so each instance's positions stay in date order).
struct Parts {
    start: Vec<usize>,
    positions: Vec<u32>,
}

impl Parts {
    fn of(&self, i: usize) -> &[u32] {
        &self.positions[self.start[i]..self.start[i + 1]]
    }

    fn new(instance_of: impl Iterator<Item = u32> + Clone, instances: usize) -> Parts {
        let mut start = vec![0usize; instances + 1];
        for i in instance_of.clone() {
            if i != NONE {
                start[i as usize + 1] += 1;
            }
        }
        for k in 1..start.len() {
            start[k] += start[k - 1];
        }
        let mut fill = start.clone();
        let mut positions = vec![0u32; start[instances]];
        for (j, i) in instance_of.enumerate() {
            if i != NONE {
                positions[fill[i as usize]] = j as u32;
                fill[i as usize] += 1;
            }
        }
        Parts { start, positions }
    }
}

type Narrowed = (Vec<Arc<Timeline>>, Vec<Arc<Origin>>, Parts);

/// Splits series `slot` by instance. A series with a bucket is split
/// before its buckets, which then apply to each instance's observations.
#[allow(clippy::too_many_arguments)]
fn narrow(
    program: &Program,
    store: &Store,
    slot: usize,
    timeline: &Timeline,
    origin: &Origin,
    split: &Split,
    global: &[u32],
    instances: usize,
    parallel: bool,
) -> Narrowed {
    let of_row = |r: usize| match split.row[r] {
        NONE => NONE,
        l => global[l as usize],
    };
    let def = &program.series[slot];
    let (Some(id), true) = (origin.series, origin.bucketed) else {
        let parts = Parts::new(
            (0..timeline.len()).map(|j| origin.row(j).map_or(NONE, of_row)),
            instances,
        );
        let (dates, values) = (timeline.dates(), timeline.values());
        let (tls, ors) = each_instance(instances, parallel, |i| {
            let ps = parts.of(i);
            let tl = Timeline::new(
                ps.iter().map(|&j| dates[j as usize]).collect(),
                ps.iter().map(|&j| values[j as usize]).collect(),
            );
            let rows: Vec<u32> = ps
                .iter()
                .map(|&j| origin.row(j as usize).unwrap_or(0) as u32)
                .collect();
            let o = Origin {
                series: origin.series,
                rows: Some(super::rows::Rows::from(rows)),
                bucketed: false,
            };
            (Arc::new(tl), Arc::new(o))
        });
        return (tls, ors, parts);
    };
    let series = store.series(id);
    // Warnings about these steps were given for the whole series.
    let (rows, vals) = select(def, series, &mut Vec::new());
    let parts = Parts::new(rows.iter().map(|&r| of_row(r as usize)), instances);
    let (tls, ors) = each_instance(instances, parallel, |i| {
        let ps = parts.of(i);
        let dates = ps
            .iter()
            .map(|&j| series.dates[rows[j as usize] as usize])
            .collect();
        let values = ps.iter().map(|&j| vals[j as usize]).collect();
        let (dates, values) = bucket_steps(def, series, dates, values);
        let o = Origin {
            series: Some(id),
            rows: None,
            bucketed: true,
        };
        let t = Timeline::new(dates, values).completed_by(&series.dates);
        (Arc::new(t), Arc::new(o))
    });
    (tls, ors, parts)
}

/// `make` of every instance, in order; on every core when `parallel`.
fn each_instance(
    instances: usize,
    parallel: bool,
    make: impl Fn(usize) -> (Arc<Timeline>, Arc<Origin>) + Sync + Send,
) -> (Vec<Arc<Timeline>>, Vec<Arc<Origin>>) {
    if parallel {
        (0..instances).into_par_iter().map(make).unzip()
    } else {
        (0..instances).map(make).unzip()
    }
}

fn narrow_field(
    read: &FieldRead,
    column: &FieldColumn,
    parts: &Parts,
    program: &Program,
) -> Vec<Arc<FieldColumn>> {
    let bucketed = program.series[read.series].is_bucketed();
    (0..parts.start.len() - 1)
        .map(|i| {
            // Bucket observations carry no fields.
            Arc::new(if bucketed {
                FieldColumn::default()
            } else {
                column.pick(parts.of(i))
            })
        })
        .collect()
}

/// Which series a rule reads inside an instance: through its condition and
/// templates, the lets they use and the rules of the same group, but not
/// the rules it reads whole (without `by:`) or counts (`any(r)`).
struct Reach<'p> {
    program: &'p Program,
    rule_group: &'p [Option<usize>],
}

/// The series a grouped rule reads: those narrowed for its instances, and
/// those also reached through the rules without `by:` that it uses, whose
/// data series are searched for its instances too but which keep their
/// own status, so are not narrowed.
#[derive(Default)]
struct Reached {
    narrowed: Vec<usize>,
    through_rules: Vec<usize>,
}

impl Reached {
    /// Every series the rule reaches, sorted, each once.
    fn all(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self
            .narrowed
            .iter()
            .chain(&self.through_rules)
            .copied()
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

impl<'p> Reach<'p> {
    fn new(program: &'p Program, rule_group: &'p [Option<usize>]) -> Reach<'p> {
        Reach {
            program,
            rule_group,
        }
    }

    fn slots(&mut self, r: usize, g: usize) -> Reached {
        let mut out = Reached::default();
        let mut seen_lets = vec![[false; 2]; self.program.lets.len()];
        let mut seen_rules = vec![false; self.program.rules.len()];
        self.rule(r, g, true, &mut out, &mut seen_lets, &mut seen_rules);
        for v in [&mut out.narrowed, &mut out.through_rules] {
            v.sort_unstable();
            v.dedup();
        }
        out
    }

    fn rule(
        &self,
        r: usize,
        g: usize,
        narrowed: bool,
        out: &mut Reached,
        lets: &mut [[bool; 2]],
        rules: &mut [bool],
    ) {
        if std::mem::replace(&mut rules[r], true) {
            return;
        }
        let rule = &self.program.rules[r];
        let mut nodes = vec![&rule.when];
        for pieces in [&rule.summary, &rule.description].into_iter().flatten() {
            for p in pieces {
                if let TemplatePiece::Hole(n) = p {
                    nodes.push(n);
                }
            }
        }
        for n in nodes {
            self.node(n, g, narrowed, out, lets, rules);
        }
    }

    fn node(
        &self,
        n: &Node,
        g: usize,
        narrowed: bool,
        out: &mut Reached,
        lets: &mut [[bool; 2]],
        rules: &mut [bool],
    ) {
        // (is a let, index, narrowed)
        let mut next: Vec<(bool, usize, bool)> = Vec::new();
        n.walk(&mut |m| match m.kind {
            NodeKind::Series(s) if narrowed => out.narrowed.push(s),
            NodeKind::Series(s) => out.through_rules.push(s),
            NodeKind::Let(i) => next.push((true, i, narrowed)),
            NodeKind::Rule(r) if self.rule_group[r] == Some(g) => next.push((false, r, narrowed)),
            NodeKind::Rule(r) if self.rule_group[r].is_none() => next.push((false, r, false)),
            _ => {}
        });
        for (is_let, i, narrowed) in next {
            if is_let {
                if !std::mem::replace(&mut lets[i][usize::from(narrowed)], true) {
                    self.node(&self.program.lets[i].value, g, narrowed, out, lets, rules);
                }
            } else {
                self.rule(i, g, narrowed, out, lets, rules);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::{evaluate, RuleResult, Status};
    use crate::time::Date;
    use crate::workspace::{load, SourceFile};

    const EVENTS: &str = "date,country,kind,fatalities\n\
        2025-01-05,Yemen,strike,3\n\
        2025-01-20,Yemen,raid,1\n\
        2025-02-03,Sudan,strike,10\n\
        2025-02-10,Yemen,strike,2\n\
        2025-02-11,,strike,7\n\
        2025-03-01,Sudan,raid,0\n";

    fn run(rules: &str, at: &str) -> Vec<(String, Status, Option<String>)> {
        let ws = load(
            &[SourceFile::text("r.rules", rules)],
            &[SourceFile::text("ev.csv", EVENTS)],
        );
        let m = ws.model.unwrap_or_else(|| panic!("{:?}", ws.diagnostics));
        assert!(
            !ws.diagnostics.iter().any(|d| d.is_error()),
            "{:?}",
            ws.diagnostics
        );
        evaluate(&m, Date::parse_iso(at).unwrap())
            .into_iter()
            .map(|r: RuleResult| (r.display_name(), r.status, r.summary))
            .collect()
    }

    fn statuses(rules: &str, at: &str) -> Vec<(String, Status)> {
        run(rules, at).into_iter().map(|(n, s, _)| (n, s)).collect()
    }

    #[test]
    fn each_instance_reads_its_own_rows_under_filters_and_projections() {
        let rules = "indicator deadly { by: country when: sum(ev[kind == \"strike\"].fatalities, 60d) >= 5 }";
        assert_eq!(
            statuses(rules, "2025-02-15"),
            [
                ("deadly{country=\"Sudan\"}".into(), Status::Met),
                // 3 + 2: the raid and the row without a country are not Yemen's.
                ("deadly{country=\"Yemen\"}".into(), Status::Met),
            ]
        );
        assert_eq!(statuses(rules, "2025-03-10")[1].1, Status::NotMet);
        // Before an instance's first observation it does not exist.
        assert_eq!(
            statuses(rules, "2025-01-31"),
            [("deadly{country=\"Yemen\"}".into(), Status::NotMet)]
        );
    }

    /// A cell of spaces only names no instance, as an empty one does, in
    /// each of the fields.
    #[test]
    fn a_cell_of_spaces_names_no_instance() {
        let data = "date,country,kind\n2025-01-05,Yemen,strike\n2025-01-06,   ,strike\n\
                    2025-01-07,Sudan, \n2025-01-08,\t,raid\n";
        for (rules, want) in [
            (
                "indicator a { by: country when: count(ev, 30d) >= 1 }",
                vec!["a{country=\"Sudan\"}", "a{country=\"Yemen\"}"],
            ),
            (
                "indicator a { by: country, kind when: count(ev, 30d) >= 1 }",
                vec!["a{country=\"Yemen\", kind=\"strike\"}"],
            ),
        ] {
            let ws = load(
                &[SourceFile::text("r.rules", rules)],
                &[SourceFile::text("ev.csv", data)],
            );
            let m = ws.model.unwrap_or_else(|| panic!("{:?}", ws.diagnostics));
            let names: Vec<String> = evaluate(&m, Date::parse_iso("2025-01-10").unwrap())
                .iter()
                .map(RuleResult::display_name)
                .collect();
            assert_eq!(names, want, "{rules}");
        }
    }

    #[test]
    fn the_instances_of_a_rule_share_their_evidence_texts() {
        let rules = "indicator deadly { by: country when: sum(ev.fatalities, 60d) >= 5 }";
        let ws = load(
            &[SourceFile::text("r.rules", rules)],
            &[SourceFile::text("ev.csv", EVENTS)],
        );
        let m = ws.model.expect("a model");
        let got = evaluate(&m, Date::parse_iso("2025-03-01").unwrap());
        let [sudan, yemen] = &got[..] else {
            panic!("{got:?}")
        };
        let (a, b) = (&sudan.evidence[0], &yemen.evidence[0]);
        assert_eq!(&*a.expr, "sum(ev.fatalities, 60d)");
        assert_eq!(a.window.as_deref(), Some("2025-01-01..2025-03-01"));
        assert!(std::sync::Arc::ptr_eq(&a.expr, &b.expr));
        let (wa, wb) = (a.window.as_ref().unwrap(), b.window.as_ref().unwrap());
        assert!(std::sync::Arc::ptr_eq(wa, wb));
        assert_ne!(a.value, b.value);
    }

    #[test]
    fn rules_spelling_by_alike_share_each_instance_s_labels() {
        let rules = "\
indicator a { by: country, kind when: count(ev, 60d) >= 1 }
indicator b { by: country, kind when: sum(ev.fatalities, 60d) >= 1 }
indicator c { by: KIND, country when: count(ev, 60d) >= 1 }
";
        let ws = load(
            &[SourceFile::text("r.rules", rules)],
            &[SourceFile::text("ev.csv", EVENTS)],
        );
        let m = ws.model.expect("a model");
        let got = evaluate(&m, Date::parse_iso("2025-03-01").unwrap());
        let of = |name: &str| -> Vec<&crate::eval::RuleResult> {
            got.iter().filter(|r| r.name == name).collect()
        };
        let (a, b, c) = (of("a"), of("b"), of("c"));
        assert!(a.len() > 1 && a.len() == b.len() && b.len() == c.len());
        for ((a, b), c) in a.iter().zip(&b).zip(&c) {
            assert!(std::sync::Arc::ptr_eq(&a.labels, &b.labels));
            // Spelt otherwise: labels of its own, in its own order.
            assert!(!std::sync::Arc::ptr_eq(&a.labels, &c.labels));
            assert_eq!(
                (&*c.labels[0].0, &*c.labels[0].1),
                ("KIND", &*a.labels[1].1)
            );
            assert_eq!(c.labels[1], a.labels[0]);
        }
    }

    /// Instances are found through a rule without `by:` too, which keeps
    /// its own status inside each, in the values that decided as in the
    /// status.
    #[test]
    fn a_rule_without_by_is_searched_for_instances_and_keeps_its_status() {
        let rules = "\
indicator busy { when: count(ev, 60d) >= 3 }
indicator through { by: country when: busy }
indicator beside { by: country when: busy and count(ev, 60d) >= 1 }
";
        let got = run(rules, "2025-02-11");
        let names: Vec<(&str, Status)> = got.iter().map(|(n, s, _)| (n.as_str(), *s)).collect();
        assert_eq!(
            names,
            [
                ("busy", Status::Met),
                ("through{country=\"Sudan\"}", Status::Met),
                ("through{country=\"Yemen\"}", Status::Met),
                ("beside{country=\"Sudan\"}", Status::Met),
                ("beside{country=\"Yemen\"}", Status::Met),
            ]
        );
        let ws = load(
            &[SourceFile::text("r.rules", rules)],
            &[SourceFile::text("ev.csv", EVENTS)],
        );
        let m = ws.model.expect("a model");
        for r in evaluate(&m, Date::parse_iso("2025-02-11").unwrap()) {
            let busy = r.evidence.iter().find(|e| &*e.expr == "busy");
            if let Some(e) = busy {
                // Sudan alone has one event in the window: busy read for
                // the instance would be not met.
                assert_eq!(
                    e.value,
                    crate::eval::Value::Str("met".into()),
                    "{}",
                    r.display_name()
                );
            }
        }
    }

    #[test]
    fn several_fields_buckets_and_templates() {
        let rules = "indicator monthly { by: country, kind when: latest(monthly(ev, count)) >= 1 summary: \"{country}/{KIND}: {latest(monthly(ev, count))}\" }";
        let got = run(rules, "2025-03-05");
        let names: Vec<&str> = got.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "monthly{country=\"Sudan\", kind=\"raid\"}",
                "monthly{country=\"Sudan\", kind=\"strike\"}",
                "monthly{country=\"Yemen\", kind=\"raid\"}",
                "monthly{country=\"Yemen\", kind=\"strike\"}",
            ]
        );
        // February is complete (the data reach March 1st); zero-filled
        // buckets start at each instance's own first month.
        let summaries: Vec<&str> = got.iter().map(|(_, _, s)| s.as_deref().unwrap()).collect();
        assert_eq!(
            summaries,
            [
                "Sudan/raid: unknown",
                "Sudan/strike: 1",
                "Yemen/raid: 0",
                "Yemen/strike: 1"
            ]
        );
    }

    #[test]
    fn for_windows_lets_and_same_by_rules_are_per_instance() {
        let rules = "let recent = count(ev, 30d)\n\
            indicator active { by: country when: recent >= 1 for: 20d }\n\
            alert busy { by: COUNTRY when: active and latest(ev.fatalities) >= 2 }\n\
            indicator anywhere { when: any(busy) }\n\
            indicator total { when: recent >= 3 }";
        let got = statuses(rules, "2025-02-12");
        assert_eq!(
            got,
            [
                // Sudan's first row is Feb 3rd: `for: 20d` not yet held.
                ("active{country=\"Sudan\"}".into(), Status::Pending),
                ("active{country=\"Yemen\"}".into(), Status::Met),
                ("busy{COUNTRY=\"Sudan\"}".into(), Status::NotMet),
                ("busy{COUNTRY=\"Yemen\"}".into(), Status::Met),
                ("anywhere".into(), Status::Met),
                // The let outside an instance reads every row.
                ("total".into(), Status::Met),
            ]
        );
    }

    #[test]
    fn a_grouped_rule_read_bare_elsewhere_is_refused() {
        for rules in [
            "indicator a { by: country when: count(ev, 30d) > 0 }\nindicator b { when: a }",
            "indicator a { by: country when: count(ev, 30d) > 0 }\nindicator b { by: kind when: a }",
            "indicator a { by: country when: count(ev, 30d) > 0 }\nlet l = a\nindicator b { by: country when: l }",
            "indicator a { when: count(ev, 30d) > 0 }\nindicator b { when: any(a) }",
        ] {
            let ws = load(&[SourceFile::text("r.rules", rules)], &[SourceFile::text("ev.csv", EVENTS)]);
            assert!(
                ws.diagnostics.iter().any(|d| d.code == crate::diag::Code::GroupedRuleUse),
                "{rules}: {:?}",
                ws.diagnostics
            );
        }
    }
}

//! The backtest's work, shared out between cores.
//!
//! Rules are independent for the output, and so are the instances of a
//! rule with `by:`: the work is cut into items (a rule, or a run of one
//! grouped rule's instances), the items into contiguous shares of about
//! equal cost, and each share gets an evaluator of its own. A rule that
//! another rule reads is then evaluated in every share that reads it; the
//! results are the same, the memo tables are just not shared.
//!
//! Each item walks its rule (or each instance) through every date before
//! the next: the series one instance reads stay in cache from one day to
//! the next, where walking every instance of every rule each day would
//! read them all back from memory every day.

use super::{fresh, record, RuleHistory};
use crate::eval::engine::Evaluator;
use crate::eval::model::Model;
use crate::eval::{instance_labels, Status};
use crate::time::Date;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Below this many statuses in all, one thread does everything: starting
/// threads would cost more than they save.
pub(super) const MIN_SHARED: usize = 20_000;

/// Shares per thread: more shares than threads, taken in turn by whichever
/// thread is free, so that one slow share (or a core busy with something
/// else) does not leave the other threads idle at the end.
const SHARES_PER_THREAD: usize = 4;

/// Most threads, however many cores there are.
const MAX_THREADS: usize = 8;

/// Stack of each thread: evaluation recurses through rules that read
/// rules, and gets the same room as the command's main thread.
const STACK: usize = 256 << 20;

/// A piece of the work.
pub(super) enum Item {
    /// A rule without `by:`, at every date.
    Plain(usize),
    /// Some instances of rule `r` of group `g`, each with the position of
    /// the first date at which it exists; all its instances are in
    /// consecutive items, in the order of their values.
    Grouped {
        r: usize,
        g: usize,
        instances: Vec<(u32, usize)>,
    },
}

impl Item {
    /// Statuses it asks for.
    fn cost(&self, dates: usize) -> usize {
        match self {
            Item::Plain(_) => dates,
            Item::Grouped { instances, .. } => instances.iter().map(|&(_, k)| dates - k).sum(),
        }
    }
}

/// What an item found.
pub(super) enum Out {
    /// The history of a rule without `by:`.
    Plain(RuleHistory),
    /// The histories of some instances of rule `r`, and how many of them
    /// were met at each date.
    Grouped {
        r: usize,
        histories: Vec<RuleHistory>,
        met: Vec<u32>,
    },
}

/// How many threads to use.
pub(super) fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS)
}

/// How many shares to cut for `threads` threads.
pub(super) fn shares_for(threads: usize) -> usize {
    if threads < 2 {
        1
    } else {
        threads * SHARES_PER_THREAD
    }
}

/// The work of a backtest of `model` over `dates`, in program order, cut
/// into about `shares` shares; into one when it asks for fewer than
/// `min_cost` statuses. Also gives the total cost.
pub(super) fn plan(
    model: &Model,
    dates: &[Date],
    shares: usize,
    min_cost: usize,
) -> (Vec<Vec<Item>>, usize) {
    let n = dates.len();
    let mut items = Vec::with_capacity(model.program.rules.len());
    for r in 0..model.program.rules.len() {
        let Some(g) = model.instances.group_of(r) else {
            items.push(Item::Plain(r));
            continue;
        };
        // An instance exists from its first observation on; one that
        // appears after the last date has no history at all.
        let instances = model
            .instances
            .firsts(r)
            .into_iter()
            .map(|(i, first)| (i, dates.partition_point(|d| *d < first)))
            .filter(|&(_, k)| k < n)
            .collect();
        items.push(Item::Grouped { r, g, instances });
    }
    let total: usize = items.iter().map(|it| it.cost(n)).sum();
    if shares <= 1 || total < min_cost {
        return (vec![items], total);
    }
    let target = total.div_ceil(shares).max(1);
    let mut out: Vec<Vec<Item>> = vec![Vec::new()];
    let mut filled = 0;
    for item in items.into_iter().flat_map(|it| split(it, n, target)) {
        let cost = item.cost(n);
        if filled > 0 && filled + cost > target {
            out.push(Vec::new());
            filled = 0;
        }
        filled += cost;
        if let Some(last) = out.last_mut() {
            last.push(item);
        }
    }
    (out, total)
}

/// `item` cut into runs of instances that cost about `target` each.
fn split(item: Item, dates: usize, target: usize) -> Vec<Item> {
    let Item::Grouped { r, g, instances } = item else {
        return vec![item];
    };
    let mut out = Vec::new();
    let mut run = Vec::new();
    let mut filled = 0;
    for (i, k) in instances {
        let cost = dates - k;
        if !run.is_empty() && filled + cost > target {
            out.push(Item::Grouped {
                r,
                g,
                instances: std::mem::take(&mut run),
            });
            filled = 0;
        }
        filled += cost;
        run.push((i, k));
    }
    // A rule without instances still has a summary: it keeps one item.
    if !run.is_empty() || out.is_empty() {
        out.push(Item::Grouped {
            r,
            g,
            instances: run,
        });
    }
    out
}

/// Tells `report` how many dates' worth of work is done, as it gets done
/// on any thread: never backwards, and lastly the number of dates.
pub(super) struct Progress<F> {
    done: AtomicUsize,
    total: usize,
    dates: usize,
    /// The figure told last, and whom to tell.
    told: Mutex<(usize, F)>,
}

impl<F: FnMut(usize) + Send> Progress<F> {
    pub(super) fn new(total: usize, dates: usize, report: F) -> Progress<F> {
        Progress {
            done: AtomicUsize::new(0),
            total,
            dates,
            told: Mutex::new((0, report)),
        }
    }

    /// Counts `cost` more statuses done.
    fn advance(&self, cost: usize) {
        let done = self.done.fetch_add(cost, Ordering::Relaxed) + cost;
        let k = (done as u128 * self.dates as u128 / self.total.max(1) as u128) as usize;
        self.tell(k.min(self.dates));
    }

    fn tell(&self, k: usize) {
        if let Ok(mut told) = self.told.lock() {
            if k > told.0 {
                told.0 = k;
                (told.1)(k);
            }
        }
    }

    /// Tells that every date is done.
    pub(super) fn finish(&self) {
        self.tell(self.dates);
    }
}

/// Runs every share, on up to `threads` threads, and gives what each item
/// found, in the order of the items.
pub(super) fn run<F: FnMut(usize) + Send>(
    model: &Model,
    dates: &[Date],
    shares: &[Vec<Item>],
    threads: usize,
    progress: &Progress<F>,
) -> Vec<Out> {
    let threads = threads.min(shares.len());
    if threads < 2 {
        return shares
            .iter()
            .flat_map(|s| evaluate(model, dates, s, progress))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let mut found: Vec<Option<Vec<Out>>> = shares.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let work = || {
            let mut done = Vec::new();
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(share) = shares.get(k) else {
                    break;
                };
                done.push((k, evaluate(model, dates, share, progress)));
            }
            done
        };
        let handles: Vec<_> = (0..threads)
            .filter_map(|k| {
                std::thread::Builder::new()
                    .name(format!("tocsin-backtest-{k}"))
                    .stack_size(STACK)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        for h in handles {
            if let Ok(done) = h.join() {
                for (k, out) in done {
                    found[k] = Some(out);
                }
            }
        }
    });
    // A share no thread finished (none could be started) is done here.
    found
        .into_iter()
        .zip(shares)
        .flat_map(|(out, share)| out.unwrap_or_else(|| evaluate(model, dates, share, progress)))
        .collect()
}

/// Evaluates one share with an evaluator of its own.
fn evaluate<F: FnMut(usize) + Send>(
    model: &Model,
    dates: &[Date],
    share: &[Item],
    progress: &Progress<F>,
) -> Vec<Out> {
    let mut ev = Evaluator::new(model);
    share
        .iter()
        .map(|item| match item {
            Item::Plain(r) => {
                let mut h = fresh(model, *r, crate::eval::no_labels());
                for &t in dates {
                    record(&mut h, ev.status(*r, t), t);
                }
                progress.advance(dates.len());
                Out::Plain(h)
            }
            Item::Grouped { r, g, instances } => {
                let mut met = vec![0u32; dates.len()];
                let mut histories = Vec::with_capacity(instances.len());
                for &(i, first) in instances {
                    let mut h = fresh(model, *r, instance_labels(model, *r, i));
                    ev.in_scope(model.instances.scope(*g, i), |ev| {
                        for (k, &t) in dates.iter().enumerate().skip(first) {
                            let status = ev.status(*r, t);
                            record(&mut h, status, t);
                            met[k] += u32::from(status == Status::Met);
                        }
                    });
                    histories.push(h);
                    progress.advance(dates.len() - first);
                }
                Out::Grouped {
                    r: *r,
                    histories,
                    met,
                }
            }
        })
        .collect()
}

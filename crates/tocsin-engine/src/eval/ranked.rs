//! Which series `percentile` and `median` rank over long windows, so that
//! before an evaluation of large data their rank indexes are built on
//! every core, rather than one after another at the first call that asks.

use super::model::Model;
use crate::lang::program::{Const, NodeKind, Program};
use crate::time::Duration;

/// Below this many observations in all, the indexes are left to the calls
/// (threads are not worth it).
const LARGE: usize = 1 << 18;

/// Builds, on every core, the rank indexes that evaluating `model` will
/// ask for; nothing for small data or on one core.
pub fn prepare(model: &Model) {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let observations: usize = model.timelines.iter().map(|t| t.len()).sum();
    if workers < 2 || observations < LARGE {
        return;
    }
    let flags = slots(&model.program);
    let wanted: Vec<_> = model
        .timelines
        .iter()
        .zip(flags)
        .filter(|(_, ranked)| *ranked)
        .map(|(t, _)| t)
        .collect();
    if wanted.len() < 2 {
        return;
    }
    // Every other index to each worker: neighbouring series are often of
    // one size, so the shares come out even.
    std::thread::scope(|scope| {
        for w in 0..workers.min(wanted.len()) {
            let wanted = &wanted;
            scope.spawn(move || {
                wanted
                    .iter()
                    .skip(w)
                    .step_by(workers)
                    .for_each(|t| t.prepare_ranks());
            });
        }
    });
}

/// Windows up to this many days are ranked without the index (a window of
/// daily data that short holds few enough values to sort).
const SHORT_DAYS: i64 = 16;

/// One flag per series slot of `program`: true when some `percentile` or
/// `median` reads it whole over a window longer than [`SHORT_DAYS`].
pub fn slots(program: &Program) -> Vec<bool> {
    let mut ranked = vec![false; program.series.len()];
    program.walk(&mut |n| {
        let NodeKind::Call(f, args) = &n.kind else {
            return;
        };
        if matches!(crate::library::name(*f), "percentile" | "median") {
            if let (Some(NodeKind::Series(slot)), Some(NodeKind::Const(Const::Duration(d)))) =
                (args.first().map(|a| &a.kind), args.get(1).map(|a| &a.kind))
            {
                let long = match *d {
                    Duration::Days(days) => days > SHORT_DAYS,
                    Duration::Months(_) => true,
                };
                if let Some(flag) = ranked.get_mut(*slot) {
                    *flag |= long;
                }
            }
        }
    });
    ranked
}

#[cfg(test)]
mod tests {
    use crate::workspace::{load, Contents, SourceFile};

    /// The flags for `rules` over series `a` and `b`, by series label.
    fn ranked(rules: &str) -> Vec<String> {
        let file = |name: &str, text: &str| SourceFile {
            name: name.into(),
            contents: Contents::Text(text.into()),
        };
        let data = "date,value\n2025-01-01,1\n";
        let ws = load(
            &[file("r.rules", rules)],
            &[file("a.csv", data), file("b.csv", data)],
        );
        let program = &ws.model.as_ref().expect("a model").program;
        let flags = super::slots(program);
        program
            .series
            .iter()
            .zip(flags)
            .filter(|(_, f)| *f)
            .map(|(d, _)| d.label.clone())
            .collect()
    }

    #[test]
    fn long_windows_of_percentile_and_median_are_ranked() {
        assert_eq!(
            ranked("indicator x { when: percentile(a, 1y, 90) > 1 }\n"),
            ["a"]
        );
        assert_eq!(
            ranked("indicator x { when: median(daily(b, last), 90d) > 1 and sum(a, 1y) > 1 }\n"),
            ["daily(b, last)"]
        );
        assert!(ranked("indicator x { when: median(a, 7d) > 1 and max(b, 1y) > 1 }\n").is_empty());
    }
}

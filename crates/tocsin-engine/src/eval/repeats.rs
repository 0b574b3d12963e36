//! The warning for a summed or averaged series that repeats dates: a tally
//! exported with a row repeated counts that day twice.

use super::timeline::Timeline;
use crate::data::Store;
use crate::diag::{Code, Diagnostic, Span};
use crate::lang::program::{NodeKind, Program, SeriesDef};
use crate::time::Date;
use std::collections::BTreeMap;

/// The functions whose value a repeated row changes: they add the values
/// up or average them.
const SUMMING: [&str; 3] = ["sum", "avg", "growth"];

/// The series slot that `n` adds up or averages, when it is a call of
/// such a function.
pub fn summed(n: &crate::lang::program::Node) -> Option<usize> {
    let NodeKind::Call(f, args) = &n.kind else {
        return None;
    };
    let Some(NodeKind::Series(slot)) = args.first().map(|a| &a.kind) else {
        return None;
    };
    SUMMING.contains(&crate::library::name(*f)).then_some(*slot)
}

/// Whether the series `def`, with timeline `tl`, may be warned about when
/// a summing function reads it: not bucketed, over a data series that
/// repeats a date, and not an event list.
pub fn may_warn(def: &SeriesDef, tl: &Timeline, store: &Store) -> bool {
    !def.is_bucketed()
        && store
            .get(&def.root)
            .is_some_and(|id| store.series(id).repeats_dates())
        && !is_event_list(tl)
}

/// The `by:` fields of the rules reading a series.
#[derive(Clone)]
struct By {
    /// As a group compares them (see `by_key`).
    key: Vec<String>,
    /// As the first rule writes them.
    written: Vec<String>,
}

/// One warning per data series that some `sum`, `avg` or `growth` reads,
/// not bucketed, with observations sharing a date. Event lists (every
/// value 1) are left alone: several events on one day are the point.
pub fn warnings(
    program: &Program,
    timelines: &[std::sync::Arc<Timeline>],
    store: &Store,
) -> Vec<Diagnostic> {
    // Most series repeat no date, or are event lists: then the rules need
    // not be walked (a walk of thousands of rules costs more than this look
    // at each series).
    let may_warn = |(def, tl): (&SeriesDef, &std::sync::Arc<Timeline>)| may_warn(def, tl, store);
    if !program.series.iter().zip(timelines).any(may_warn) {
        return Vec::new();
    }
    // How each series slot is read: the first call, and the `by:` fields
    // of every rule that reads it, when they all have the same (compared
    // as a group does, shown as the first rule writes them).
    let mut read: BTreeMap<usize, (Span, Option<By>)> = BTreeMap::new();
    let note = |by: Option<By>| {
        move |n: &crate::lang::program::Node| summed(n).map(|slot| (slot, n.span, by.clone()))
    };
    let mut reads = Vec::new();
    for l in &program.lets {
        let seen = note(None);
        l.value.walk(&mut |n| reads.extend(seen(n)));
    }
    for r in &program.rules {
        let by = r.is_grouped().then(|| By {
            key: crate::lang::program::by_key(&r.by),
            written: r.by.iter().map(|f| f.name.clone()).collect(),
        });
        let seen = note(by);
        r.walk(&mut |n| reads.extend(seen(n)));
    }
    for (slot, span, by) in reads {
        read.entry(slot)
            .and_modify(|(_, known)| {
                if known.as_ref().map(|k| &k.key) != by.as_ref().map(|b| &b.key) {
                    *known = None;
                }
            })
            .or_insert((span, by));
    }
    let mut warned: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (slot, (call, by)) in read {
        let (Some(def), Some(tl)) = (program.series.get(slot), timelines.get(slot)) else {
            continue;
        };
        if def.is_bucketed() || warned.contains(&def.root.as_str()) {
            continue;
        }
        // The dates are sorted, so a repeated date is two equal neighbours:
        // one linear pass over the dates, the common series with none
        // stops there (a search per date cost a tenth of a cold `check`).
        let dates = tl.dates();
        let Some(at) = dates.windows(2).position(|w| w[0] == w[1]) else {
            continue;
        };
        if is_event_list(tl) {
            continue;
        }
        // Read only by rules with `by:`: what counts is a date repeated
        // within one instance (a daily table of many regions repeats every
        // date once per region).
        let (shared, first, within) = match &by {
            Some(by) => match repeats_within(store, &def.root, &by.key) {
                Some((n, first)) => (
                    n,
                    first,
                    format!(" within one instance (by {})", by.written.join(", ")),
                ),
                None => continue,
            },
            None => {
                // Each run of equal dates counts once, at its second element.
                let shared = (at + 1..dates.len())
                    .filter(|&i| dates[i] == dates[i - 1] && (i < 2 || dates[i - 2] != dates[i]))
                    .count();
                (shared, dates[at], String::new())
            }
        };
        warned.push(&def.root);
        // A column of an event list: each row may well be an event of its
        // own (an export's fatalities), which the warning cannot tell from
        // a tally's repeated row; say how to tell it.
        let events = store
            .get(&def.root)
            .is_some_and(|id| store.series(id).values.iter().all(|v| *v == 1.0));
        let mut d = Diagnostic::warning(
                Code::RepeatedDates,
                format!(
                    "`{}` has {shared} date(s) with more than one observation{within} (the first {first}); summed or averaged, each counts every row",
                    def.label
                ),
            )
            .with_primary(call, "reads every row of a repeated date")
            .with_note(format!(
                "if the rows repeat one day's figure, read one value a day: `daily({}, last)`",
                def.label
            ));
        if events {
            d = d.with_note(format!(
                "every row of `{}` has the value 1, as in an event list (a file without a `value` column), where each row is an event: if the events of one day each count, say so with `daily({}, sum)`, which is not warned about",
                def.root, def.label
            ));
        }
        out.push(d);
    }
    out
}

/// In data series `root`, the dates on which two observations share the
/// values of `fields` (an instance's labels): how many, and the first;
/// `None` when no date repeats within an instance. The dates are sorted,
/// so each run of one date is looked at alone.
fn repeats_within(store: &Store, root: &str, fields: &[String]) -> Option<(usize, Date)> {
    let series = store.series(store.get(root)?);
    let cols: Vec<Option<usize>> = fields.iter().map(|f| series.fields.column(f)).collect();
    let key = |row: usize| -> u64 {
        // Two fields fit whole; more are folded (two keys that fold alike
        // can only make the warning show where it need not).
        cols.iter().fold(0u64, |k, c| {
            let id = c.map_or(0, |c| series.fields.cell_id(c, row));
            k.rotate_left(32) ^ u64::from(id)
        })
    };
    let dates = &series.dates;
    let mut runs = Vec::new();
    let mut start = 0;
    while start < dates.len() {
        let end = start + dates[start..].partition_point(|d| *d == dates[start]);
        if end - start > 1 {
            runs.push((start, end));
        }
        start = end;
    }
    let repeats = |&(start, end): &(usize, usize)| {
        let mut keys: Vec<u64> = (start..end).map(key).collect();
        keys.sort_unstable();
        keys.windows(2).any(|w| w[0] == w[1])
    };
    // Each run is looked at alone: on large data, on every core.
    let found: Vec<bool> = if dates.len() >= super::model::PARALLEL_OBSERVATIONS {
        use rayon::prelude::*;
        runs.par_iter().map(repeats).collect()
    } else {
        runs.iter().map(repeats).collect()
    };
    let count = found.iter().filter(|&&f| f).count();
    let first = runs.iter().zip(&found).find(|(_, &f)| f)?.0 .0;
    Some((count, dates[first]))
}

/// Every value 1: several events on one day are the point.
fn is_event_list(tl: &Timeline) -> bool {
    tl.values().iter().all(|v| *v == 1.0)
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::workspace::{load, Contents, SourceFile};

    /// The W008 messages for `rules` over series `s` holding `data`.
    fn check_warnings(rules: &str, data: &str) -> Vec<String> {
        let file = |name: &str, text: &str| SourceFile {
            name: name.into(),
            contents: Contents::Text(text.into()),
        };
        let ws = load(&[file("r.rules", rules)], &[file("s.csv", data)]);
        ws.diagnostics
            .iter()
            .filter(|d| d.code == Code::RepeatedDates)
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn a_summed_tally_with_a_repeated_date_warns_once() {
        let data =
            "date,value\n2025-01-01,3\n2025-01-02,4\n2025-01-02,4\n2025-01-03,5\n2025-01-03,5\n";
        let w = check_warnings(
            "indicator a { when: sum(s, 30d) > 1 and avg(s, 30d) > 1 }\n",
            data,
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("2 date(s)") && w[0].contains("2025-01-02"),
            "{w:?}"
        );
    }

    /// A column of an event list may hold each event's own figure: the
    /// warning says how to mark the events as counting each, and the way
    /// it names is not warned about.
    #[test]
    fn a_column_of_an_event_list_is_told_how_to_count_each_event() {
        let file = |name: &str, text: &str| SourceFile {
            name: name.into(),
            contents: Contents::Text(text.into()),
        };
        let data = "date,deaths\n2025-01-01,3\n2025-01-02,4\n2025-01-02,1\n";
        let notes = |rules: &str| -> Vec<Vec<String>> {
            let ws = load(&[file("r.rules", rules)], &[file("s.csv", data)]);
            ws.diagnostics
                .iter()
                .filter(|d| d.code == Code::RepeatedDates)
                .map(|d| d.notes.clone())
                .collect()
        };
        let warned = notes("indicator a { when: sum(s.deaths, 30d) > 1 }\n");
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(
            warned[0].iter().any(|n| n.contains(
                "every row of `s` has the value 1, as in an event list (a file without a `value` column), where each row is an event: if the events of one day each count, say so with `daily(s.deaths, sum)`"
            )),
            "{warned:?}"
        );
        assert!(notes("indicator a { when: sum(daily(s.deaths, sum), 30d) > 1 }\n").is_empty());
        // A tally with a value column is not told so.
        let tally = check_warnings(
            "indicator a { when: sum(s, 30d) > 1 }\n",
            "date,value\n2025-01-02,4\n2025-01-02,4\n",
        );
        assert_eq!(tally.len(), 1);
        let ws = load(
            &[file("r.rules", "indicator a { when: sum(s, 30d) > 1 }\n")],
            &[file("s.csv", "date,value\n2025-01-02,4\n2025-01-02,4\n")],
        );
        assert!(
            ws.diagnostics.iter().all(|d| d.notes.len() == 1),
            "{:?}",
            ws.diagnostics
        );
    }

    #[test]
    fn a_run_of_equal_dates_counts_once_from_the_first_row() {
        let data = "date,value\n2025-01-01,3\n2025-01-01,3\n2025-01-01,3\n2025-01-02,4\n\
                    2025-01-05,5\n2025-01-05,5\n2025-01-06,6\n";
        let w = check_warnings("indicator a { when: avg(s, 30d) > 1 }\n", data);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("has 2 date(s)") && w[0].contains("the first 2025-01-01"),
            "{w:?}"
        );
        let distinct = "date,value\n2025-01-01,3\n2025-01-02,3\n2025-01-03,4\n";
        assert!(check_warnings("indicator a { when: sum(s, 30d) > 1 }\n", distinct).is_empty());
    }

    #[test]
    fn buckets_events_and_latest_do_not_warn() {
        let data = "date,value\n2025-01-02,4\n2025-01-02,4\n";
        for rule in [
            "indicator a { when: sum(daily(s, last), 30d) > 1 }\n",
            "indicator a { when: latest(s) > 1 }\n",
        ] {
            assert!(check_warnings(rule, data).is_empty(), "{rule}");
        }
        let events = "date,value\n2025-01-02,1\n2025-01-02,1\n";
        assert!(check_warnings("indicator a { when: sum(s, 30d) > 1 }\n", events).is_empty());
    }

    #[test]
    fn a_daily_table_of_many_regions_repeats_nothing_within_an_instance() {
        let data = "date,region,value\n2025-01-01,North,3\n2025-01-01,South,4\n\
                    2025-01-02,North,5\n2025-01-02,South,6\n";
        let grouped = "indicator a { by: region when: sum(s, 30d) > 1 }\n";
        assert!(check_warnings(grouped, data).is_empty());
        // Read without `by:` too, the table repeats its dates.
        let both = format!("{grouped}indicator b {{ when: avg(s, 30d) > 1 }}\n");
        assert_eq!(check_warnings(&both, data).len(), 1);
        // A region with two rows on one day repeats within its instance.
        let twice = format!("{data}2025-01-02,North,5\n");
        assert_eq!(
            check_warnings(grouped, &twice),
            ["`s` has 1 date(s) with more than one observation within one instance (by region) (the first 2025-01-02); summed or averaged, each counts every row"]
        );
        // Named as the rules write the field.
        let upper = grouped.replace("by: region", "by: REGION");
        assert!(check_warnings(&upper, &twice)[0].contains("(by REGION)"));
    }
}

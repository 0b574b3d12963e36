//! The warning for a summed or averaged series that repeats dates: a tally
//! exported with a row repeated counts that day twice.

use super::timeline::Timeline;
use crate::data::Store;
use crate::diag::{Code, Diagnostic, Span};
use crate::lang::program::{NodeKind, Program, SeriesDef};
use std::collections::BTreeMap;

/// The functions whose value a repeated row changes: they add the values
/// up or average them.
const SUMMING: [&str; 3] = ["sum", "avg", "growth"];

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
    let may_warn = |(def, tl): (&SeriesDef, &std::sync::Arc<Timeline>)| {
        !def.is_bucketed()
            && store
                .get(&def.root)
                .is_some_and(|id| store.series(id).repeats_dates())
            && !is_event_list(tl)
    };
    if !program.series.iter().zip(timelines).any(may_warn) {
        return Vec::new();
    }
    // The first call that reads each series, by series slot.
    let mut read: BTreeMap<usize, Span> = BTreeMap::new();
    program.walk(&mut |n| {
        if let NodeKind::Call(f, args) = &n.kind {
            if SUMMING.contains(&crate::library::name(*f)) {
                if let Some(NodeKind::Series(slot)) = args.first().map(|a| &a.kind) {
                    read.entry(*slot).or_insert(n.span);
                }
            }
        }
    });
    let mut warned: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (slot, call) in read {
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
        let first = dates[at];
        // Each run of equal dates counts once, at its second element.
        let shared = (at + 1..dates.len())
            .filter(|&i| dates[i] == dates[i - 1] && (i < 2 || dates[i - 2] != dates[i]))
            .count();
        warned.push(&def.root);
        out.push(
            Diagnostic::warning(
                Code::RepeatedDates,
                format!(
                    "`{}` has {shared} date(s) with more than one observation (the first {first}); summed or averaged, each counts every row",
                    def.label
                ),
            )
            .with_primary(call, "reads every row of a repeated date")
            .with_note(format!(
                "if the rows repeat one day's figure, read one value a day: `daily({}, last)`",
                def.label
            )),
        );
    }
    out
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
}

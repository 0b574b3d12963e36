//! Loading keeps only the data columns that rules read: results,
//! warnings and counts must be those of a load that keeps every column.

use crate::data::ColumnSelection;
use crate::diag::render::to_plain_string;
use crate::eval::evaluate;
use crate::time::Date;
use crate::workspace::{columns_read, load_keeping, KeptColumns, SourceFile, Workspace};
use proptest::prelude::*;

/// What a user sees of a workspace: every diagnostic as rendered, the
/// counts, and every rule's result on a few dates.
fn seen(ws: &Workspace) -> String {
    let mut out = to_plain_string(&ws.diagnostics, &ws.sources);
    out += &format!("{:?}\n", ws.counts);
    if let Some(m) = &ws.model {
        for day in ["2025-01-03", "2025-01-20", "2025-03-01"] {
            let t = Date::parse_iso(day).expect("a date");
            out += &format!("{:?}\n", evaluate(m, t));
        }
    }
    out
}

/// `seen` for a load keeping the columns rules read, and for one keeping
/// them all.
fn both(rules: &str, data: &[(&str, &str)]) -> (String, String) {
    let rules = [SourceFile::text("rules/r.rules", rules)];
    let data: Vec<SourceFile> = data.iter().map(|(n, t)| SourceFile::text(*n, *t)).collect();
    let read = seen(&load_keeping(&rules, &data, KeptColumns::Read));
    let all = seen(&load_keeping(&rules, &data, KeptColumns::All));
    (read, all)
}

const ACLED: &str = "event_date,Actor1,Event Type,region,fatalities,notes\n\
    2025-01-01,PLA,Battles,East,3,a\n\
    2025-01-02,Navy,Protests,West,,b\n\
    2025-01-02,PLA,Battles,East,1,c\n\
    2025-01-15,Coast Guard,Battles,North,7,\"d, e\"\n";

const FEED: &str = "{\"date\":\"2025-01-02\",\"value\":4,\"source\":\"x\",\"kind\":\"k1\"}\n\
    {\"date\":\"2025-01-10\",\"source\":\"y\",\"kind\":\"k2\",\"extra\":\"z\"}\n";

#[test]
fn the_columns_kept_change_no_result_or_warning() {
    let data = [
        ("indicators/acled.csv", ACLED),
        ("indicators/intake.ndjson", FEED),
    ];
    for rules in [
        // Filters, any case, and a projection.
        "indicator a { when: count(acled[actor1 == \"PLA\"], 30d) >= 2 }\n\
         indicator b { when: sum(acled[REGION in [\"East\", \"North\"]].fatalities, 60d) > 5 }\n",
        // Field arguments, quoted and bare.
        "let k = distinct(intake, 30d, kind)\n\
         indicator c { when: distinct(acled, 30d, \"Event Type\") > 1 and k >= 1\n\
           summary: \"{field(acled, notes)}\" }\n",
        // A field no file has, one misspelt, a text that never occurs.
        "indicator d { when: count(acled[actr1 == \"PLA\"], 30d) > 0 }\n\
         indicator e { when: count(intake[kind == \"k9\"], 30d) > 0 }\n\
         indicator f { when: count(intake[nothing == \"x\"], 30d) > 0 }\n",
        // Numbers in a field, and a derived series.
        "series deadly = acled[fatalities >= 3]\n\
         indicator g { when: count(deadly, 30d) >= 1 }\n",
        // No field at all.
        "indicator h { when: count(acled, 30d) > 2 }\n",
    ] {
        let (read, all) = both(rules, &data);
        assert_eq!(read, all, "{rules}");
    }
}

#[test]
fn only_the_fields_rules_read_are_selected() {
    let (rf, _) = crate::lang::parser::parse_file(
        crate::diag::FileId(0),
        "indicator a { when: count(acled[Actor1 == \"x\", value > 1], 30d) > distinct(s, 1d, notes) }\n",
    );
    let ColumnSelection::Only(names) = columns_read([&rf]) else {
        panic!("every column kept")
    };
    let mut names: Vec<&str> = names.iter().collect();
    names.sort_unstable();
    assert_eq!(names, ["actor1", "notes"]);
}

/// Field names, some differing from others only in case.
const NAMES: [&str; 6] = ["actor", "Actor", "region", "kind", "Event Type", "n"];

fn rule() -> impl Strategy<Value = String> {
    let field = prop::sample::select(&NAMES[..]);
    let text = prop::sample::select(&["a", "b", "A", "", "1"][..]);
    prop_oneof![
        (field.clone(), text.clone())
            .prop_map(|(f, t)| format!("count(s[{f:?} == {t:?}], 30d) > 0")),
        (field.clone(), text).prop_map(|(f, t)| format!("count(s[{f:?} ~ {t:?}], 30d) >= 2")),
        field
            .clone()
            .prop_map(|f| format!("distinct(s, 30d, {f:?}) >= 2")),
        field.prop_map(|f| format!("sum(s[{f:?} >= 1], 30d) > 1")),
        Just("count(s, 30d) > 1".to_string()),
    ]
}

fn csv() -> impl Strategy<Value = String> {
    let header = prop::sample::subsequence(&NAMES[..], 0..=NAMES.len());
    header.prop_flat_map(|cols| {
        let row = prop::collection::vec(
            prop::sample::select(&["a", "b", "A", "", "1", "2"][..]),
            cols.len(),
        );
        (Just(cols), prop::collection::vec((1u32..28, row), 0..12)).prop_map(|(cols, rows)| {
            let mut s = String::from("date");
            for c in &cols {
                s += &format!(",{c}");
            }
            s += "\n";
            for (day, cells) in rows {
                s += &format!("2025-01-{day:02}");
                for c in cells {
                    s += &format!(",{c}");
                }
                s += "\n";
            }
            s
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn results_with_the_columns_rules_read_are_results_with_every_column(
        whens in prop::collection::vec(rule(), 1..4),
        data in csv(),
    ) {
        let rules: String = whens
            .iter()
            .enumerate()
            .map(|(i, w)| format!("indicator r{i} {{ when: {w} }}\n"))
            .collect();
        let (read, all) = both(&rules, &[("indicators/s.csv", &data)]);
        prop_assert_eq!(read, all);
    }
}

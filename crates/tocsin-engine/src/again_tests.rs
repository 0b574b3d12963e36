//! Checking one file's rules again: what it gives is what the whole check
//! gives, and every edit it does not take is left to the whole check.

use crate::diag::{FileId, SourceMap};
use crate::lang::ast::RuleFile;
use crate::lang::parser::parse_file;
use crate::library::{check_again, check_keeping};

const DATA: &[&str] = &["gauge", "events"];
const SHARED: &str = "let limit = 5\nseries north = events[region == \"North\"]\n\
    indicator busy { when: count(events, 30d) >= limit }\n\
    alert still_busy { when: busy }\n";
const PLAIN: &str = "indicator high { when: latest(gauge) > limit }\n\
    alert northern { severity: critical when: count(north, 7d) > 2 }\n";

fn parse(sources: &mut SourceMap, name: &str, text: &str) -> (FileId, RuleFile) {
    let id = sources.add(name, text);
    let (file, diags) = parse_file(id, text);
    assert!(diags.is_empty(), "{diags:?}");
    (id, file)
}

/// The new rules of `b.rules` when its text becomes `edited`, checked
/// again, beside those of the whole check of the edited ruleset; `None`
/// when the edit is left to the whole check.
fn again(edited: &str) -> Option<(String, String)> {
    let mut sources = SourceMap::new();
    let (a, shared) = parse(&mut sources, "a.rules", SHARED);
    let (b, plain) = parse(&mut sources, "b.rules", PLAIN);
    let (checked, kept) = check_keeping(&[(a, &shared), (b, &plain)], DATA);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    let (_, new) = parse(&mut sources, "b2.rules", edited);
    let (done, _) = check_again(kept.unwrap(), &checked.program, &[(b, &plain, &new)])?;
    let whole = crate::library::check(&[(a, &shared), (b, &new)], DATA);
    assert!(whole.diagnostics.is_empty(), "{:?}", whole.diagnostics);
    let [(at, rules)] = &done.rules[..] else {
        panic!("{:?}", done.rules)
    };
    let mut mine = checked.program.clone();
    mine.rules
        .splice(*at..at + rules.len(), rules.iter().cloned());
    mine.series.extend(done.series);
    mine.fields.extend(done.fields);
    let shown = |p: &crate::lang::program::Program| {
        let rules: Vec<String> = p
            .rules
            .iter()
            .map(|r| format!("{} {:?} {:?} {:?}", r.name, r.severity, r.when.kind, r.file))
            .collect();
        let series: Vec<String> = p.series.iter().map(|s| s.key()).collect();
        format!("{rules:?} {series:?}")
    };
    Some((shown(&mine), shown(&whole.program)))
}

#[test]
fn an_edit_of_rules_alone_gives_what_the_whole_check_gives() {
    for edited in [
        PLAIN.replace("> limit", "> limit + 1"),
        PLAIN.replace("critical", "warning"),
        PLAIN.replace(
            "count(north, 7d) > 2",
            "count(north, 7d) > 2 and latest(gauge) < 9",
        ),
    ] {
        let (mine, whole) = again(&edited).unwrap_or_else(|| panic!("left whole:\n{edited}"));
        assert_eq!(mine, whole, "{edited}");
    }
}

#[test]
fn a_new_series_goes_after_the_programs_own() {
    let edited = PLAIN.replace("> 2", "> 2 and count(events[region == \"South\"], 7d) > 0");
    let (mine, whole) = again(&edited).unwrap();
    // The same series, the new one last in both (the whole check meets it
    // last too); the rules read it at the same slot.
    assert_eq!(mine, whole);
}

#[test]
fn edits_that_change_what_others_see_are_left_to_the_whole_check() {
    for edited in [
        // A name, a rule added, a rule read, a `by:`.
        PLAIN.replace("high", "higher"),
        format!("{PLAIN}indicator more {{ when: 1 > 0 }}\n"),
        PLAIN.replace("latest(gauge) > limit", "busy"),
        PLAIN.replace("{ when: latest", "{ by: region when: latest"),
        // A series no rule reads any more (`north` is read by a `series`
        // item too, so `events[...]` would not be dropped: `gauge` is).
        PLAIN.replace("latest(gauge) > limit", "limit > 1"),
        // An error.
        PLAIN.replace("gauge", "gaueg"),
        // A let: the file holds more than rules.
        format!("let x = 1\n{PLAIN}"),
    ] {
        assert!(again(&edited).is_none(), "taken:\n{edited}");
    }
}

#[test]
fn a_rule_another_reads_is_left_to_the_whole_check() {
    let mut sources = SourceMap::new();
    let quiet = "indicator quiet { when: count(events, 7d) == 0 }\n";
    let (a, reader) = parse(
        &mut sources,
        "a.rules",
        "alert still_quiet { when: quiet }\n",
    );
    let (b, read) = parse(&mut sources, "b.rules", quiet);
    let (checked, kept) = check_keeping(&[(a, &reader), (b, &read)], DATA);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    let (_, new) = parse(&mut sources, "new.rules", &quiet.replace("== 0", "<= 1"));
    assert!(check_again(kept.unwrap(), &checked.program, &[(b, &read, &new)]).is_none());
    // The reader is read by nothing, but reads a rule: left whole too.
    let (_, kept) = check_keeping(&[(a, &reader), (b, &read)], DATA);
    let (_, new) = parse(
        &mut sources,
        "new2.rules",
        "alert still_quiet { severity: critical when: quiet }\n",
    );
    assert!(check_again(kept.unwrap(), &checked.program, &[(a, &reader, &new)]).is_none());
}

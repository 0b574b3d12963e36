//! A rule file edited in place of a whole check: after every edit, the
//! model and its results are those of a project loaded afresh, whether
//! the edit was taken alone or the whole ruleset checked again.

use super::{Project, Roots};
use crate::eval::evaluate;
use crate::time::Date;
use std::path::Path;

const SHARED: &str = "let limit = 2\n\
    series north = events[region == \"North\"]\n\
    indicator busy { when: count(events, 30d) >= limit }\n";

const PLAIN: &str = "indicator heavy { when: sum(events.deaths, 30d) > 5 }\n\
    indicator northern { when: count(north, 30d) >= limit }\n\
    alert high { severity: critical when: latest(level) > 1 }\n";

const READ: &str = "indicator quiet { when: count(events, 7d) == 0 }\n";
const READER: &str = "alert still_quiet { when: quiet }\n";

const EVENTS: &str = "date,region,deaths\n\
    2025-03-01,North,1\n2025-03-02,South,4\n2025-03-03,North,3\n2025-03-05,East,2\n";
/// A tally that repeats a date: summing it is warned about.
const TALLY: &str = "date,value\n2025-03-01,1\n2025-03-01,1\n2025-03-03,2\n";
const LEVEL: &str = "date,value\n2025-03-01,1\n2025-03-04,2\n";

fn roots(dir: &Path) -> Roots {
    Roots {
        rules: vec![dir.join("rules")],
        data: vec![dir.join("indicators")],
    }
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (rules, data) = (dir.path().join("rules"), dir.path().join("indicators"));
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    for (name, text) in [
        ("a.rules", SHARED),
        ("b.rules", PLAIN),
        ("c.rules", READ),
        ("d.rules", READER),
    ] {
        std::fs::write(rules.join(name), text).unwrap();
    }
    std::fs::write(data.join("events.csv"), EVENTS).unwrap();
    std::fs::write(data.join("level.csv"), LEVEL).unwrap();
    std::fs::write(data.join("tally.csv"), TALLY).unwrap();
    dir
}

/// The rules and their results at a date, as text.
fn board(p: &Project) -> String {
    let t = Date::parse_iso("2025-03-06").unwrap();
    let model = p.model().unwrap();
    let rules: Vec<String> = model
        .program
        .rules
        .iter()
        .map(|r| format!("{} {:?} {:?}", r.name, r.when.kind, r.severity))
        .collect();
    format!("{rules:#?}\n{:#?}", evaluate(model, t))
}

/// Writes `text` as `file`, reloads, and checks the project against one
/// loaded afresh. Returns whether the edit was taken alone.
fn edit(p: &mut Project, dir: &Path, file: &str, text: &str) -> bool {
    // A size of its own, so that the edit is seen within one clock tick.
    let text = format!("{text}{}\n", "#".repeat(p.sources().len() % 7 + 1));
    std::fs::write(dir.join("rules").join(file), &text).unwrap();
    let out = p.reload(false);
    assert!(out.errors.is_empty(), "{file}: {:?}", out.errors);
    assert_eq!(out.applied.len(), 1, "{file}");
    let spliced = p.take_spliced().is_some();
    let mut fresh = Project::new(roots(dir));
    fresh.reload(true);
    assert_eq!(board(p), board(&fresh), "after {file}:\n{text}");
    spliced
}

#[test]
fn an_edited_file_of_rules_alone_is_checked_alone_and_gives_a_fresh_load() {
    let dir = setup();
    let mut p = Project::new(roots(dir.path()));
    let first = p.reload(true);
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert!(p.take_spliced().is_none());
    let dir = dir.path();
    // A threshold, a let read, a new series, a severity.
    let south = PLAIN.replace(
        "latest(level) > 1",
        "latest(level) > 1 and count(events[region == \"South\"], 30d) > 0",
    );
    let taken = [
        PLAIN.replace("> 5", "> 3"),
        PLAIN.replace(
            "count(north, 30d) >= limit",
            "count(north, 30d) >= limit + 1",
        ),
        south.clone(),
        south.replace("critical", "warning"),
    ];
    for text in &taken {
        assert!(
            edit(&mut p, dir, "b.rules", text),
            "not taken alone:\n{text}"
        );
    }
    // The series only the edit above read is read by nothing now: the
    // whole check drops it.
    assert!(!edit(&mut p, dir, "b.rules", PLAIN));
    assert!(edit(&mut p, dir, "b.rules", &PLAIN.replace("> 5", "> 4")));
    let whole = [
        // A name changed, a rule read, a `by:`, a rule added.
        ("b.rules", PLAIN.replace("heavy", "weighty")),
        (
            "b.rules",
            PLAIN.replace("count(north, 30d) >= limit", "busy"),
        ),
        (
            "b.rules",
            PLAIN.replace("{ when: sum", "{ by: region when: sum"),
        ),
        (
            "b.rules",
            format!("{PLAIN}indicator more {{ when: 1 > 0 }}\n"),
        ),
        // A sum of a series that repeats a date.
        (
            "b.rules",
            PLAIN.replace("latest(level) > 1", "sum(tally, 30d) > 1"),
        ),
        // Read by another rule; holding a let.
        ("c.rules", READ.replace("== 0", "<= 1")),
        ("a.rules", SHARED.replace(">= limit", "> limit")),
    ];
    let original = |file: &str| match file {
        "a.rules" => SHARED,
        "b.rules" => PLAIN,
        _ => READ,
    };
    for (k, (file, text)) in whole.iter().enumerate() {
        assert!(!edit(&mut p, dir, file, text), "taken alone:\n{text}");
        // Put back (checked whole or not), then a threshold taken alone.
        edit(&mut p, dir, file, original(file));
        let threshold = format!("> {}", 10 + k);
        assert!(edit(
            &mut p,
            dir,
            "b.rules",
            &PLAIN.replace("> 5", &threshold)
        ));
    }
    assert!(edit(&mut p, dir, "b.rules", PLAIN));
}

#[test]
fn an_edit_with_an_error_keeps_the_rules_in_force_and_the_next_is_checked_whole() {
    let dir = setup();
    let mut p = Project::new(roots(dir.path()));
    p.reload(true);
    let before = board(&p);
    let path = dir.path().join("rules/b.rules");
    std::fs::write(
        &path,
        PLAIN.replace("sum(events.deaths", "sum(evnts.deaths"),
    )
    .unwrap();
    let out = p.reload(false);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert!(
        out.errors[0].rendered.contains("evnts"),
        "{}",
        out.errors[0].rendered
    );
    assert!(p.take_spliced().is_none());
    assert_eq!(board(&p), before);
    // What the failed attempt spent is made again by the whole check.
    assert!(!edit(
        &mut p,
        dir.path(),
        "b.rules",
        &PLAIN.replace("> 5", "> 1")
    ));
    assert!(edit(
        &mut p,
        dir.path(),
        "b.rules",
        &PLAIN.replace("> 5", "> 0")
    ));
}

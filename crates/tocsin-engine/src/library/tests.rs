use super::*;
use crate::lang::functions::lookup;
use crate::workspace::{load, SourceFile};

/// The model of `rules` over series `s` holding `data`.
pub(super) fn model(rules: &str, data: &str) -> crate::eval::Model {
    let ws = load(
        &[SourceFile::text("r.rules", rules)],
        &[SourceFile::text("s.csv", data)],
    );
    match ws.model {
        Some(m) => m,
        None => panic!("{rules} does not check: {:?}", ws.diagnostics),
    }
}

/// The value of `let x` at `at`.
pub(super) fn value_of_x(m: &crate::eval::Model, at: &str) -> Value {
    let program = &m.program;
    let x = program.lets.iter().position(|l| l.name == "x").unwrap();
    let mut ev = Evaluator::new(m);
    ev.eval(&program.lets[x].value, Date::parse_iso(at).unwrap())
}

/// The value of `call` beside `rules`, as shown, at `at`, series `s`
/// holding `data`.
pub(super) fn shown_with(call: &str, rules: &str, data: &str, at: &str) -> String {
    let m = model(&format!("{rules}\nlet x = {call}\n"), data);
    value_of_x(&m, at).display()
}

/// The value of `call` at `at`, series `s` holding `data`.
pub(super) fn value_at(call: &str, data: &str, at: &str) -> Value {
    let rules = format!("let x = {call}\nindicator probe {{ when: true }}\n");
    value_of_x(&model(&rules, data), at)
}

/// Why `call` is unknown at `at`, as `explain` says it, and the labels
/// of the windows it shows.
pub(super) fn explained(call: &str, data: &str, at: &str) -> (Option<String>, Vec<&'static str>) {
    let rules = format!("indicator probe {{ when: {call} > 0 }}\n");
    let ws = load(
        &[SourceFile::text("r.rules", &rules)],
        &[SourceFile::text("s.csv", data)],
    );
    let m = ws.model.unwrap();
    let mut ev = Evaluator::new(&m);
    let at = Date::parse_iso(at).unwrap();
    let e = crate::eval::explain::explain(&mut ev, &ws.store, 0, at);
    let node = &e.when.children[0];
    let labels = node.spans.iter().map(|s| s.label).collect();
    (node.unknown_because.clone(), labels)
}

fn agrees(got: &Value, want: &str) -> bool {
    match (got, want.parse::<f64>()) {
        (Value::None, _) => want == "none",
        (Value::Number(x), Ok(y)) => (x - y).abs() < 1e-4,
        (other, _) => other.display() == want,
    }
}

#[test]
fn every_example_gives_its_value() {
    let mut ran = 0;
    for b in LIBRARY {
        for e in b.examples() {
            let rules = format!(
                "{}let x = {}\nindicator probe {{ when: true }}\n",
                e.rules, e.call
            );
            let got = value_of_x(&model(&rules, e.data), e.at);
            assert!(
                agrees(&got, e.value),
                "{} at {}: got {got:?}, want {}",
                e.call,
                e.at,
                e.value
            );
            ran += 1;
        }
        assert!(
            !b.examples().is_empty(),
            "{} has no example",
            b.signature().name
        );
    }
    assert!(ran >= LIBRARY.len());
}

#[test]
fn names_are_unique_and_each_call_finds_its_function() {
    for (i, b) in LIBRARY.iter().enumerate() {
        let name = b.signature().name;
        let (f, sig) = lookup(signatures(), name).unwrap();
        assert_eq!((f.index(), sig.name), (i, name));
        assert_eq!(super::name(f), name);
    }
    assert!(lookup(signatures(), "nope").is_none());
}

/// The function table of the language reference, as the library writes it:
/// each function's row, a family's shared row once.
fn table() -> String {
    let mut rows: Vec<&str> = Vec::new();
    for b in LIBRARY {
        if !rows.contains(&b.doc()) {
            rows.push(b.doc());
        }
    }
    format!("| function | result |\n|---|---|\n{}\n", rows.join("\n"))
}

#[test]
fn the_language_reference_lists_every_function() {
    let doc = std::fs::read_to_string("../../docs/language.md").unwrap();
    let start = doc.find("| function | result |").unwrap();
    let end = start + doc[start..].find("\n\n").unwrap() + 1;
    assert_eq!(
        doc[start..end],
        table(),
        "docs/language.md: the function table"
    );
    for b in LIBRARY {
        let usage = b.signature().usage;
        assert!(b.doc().starts_with("| `"), "{usage}: a table row");
    }
}

#[test]
fn the_unknown_function_error_lists_every_function() {
    let doc = std::fs::read_to_string("../../docs/errors.md").unwrap();
    let e105 = &doc[doc.find("## E105").unwrap()..];
    let list = &e105[e105.find("The functions are `").unwrap() + 19..];
    let list = &list[..list.find('`').unwrap()];
    let listed: Vec<&str> = list.split_whitespace().collect();
    let names: Vec<&str> = LIBRARY.iter().map(|b| b.signature().name).collect();
    assert_eq!(listed, names, "docs/errors.md: the E105 list");
}

#[test]
fn the_fuzz_dictionary_holds_every_function_name() {
    let dict = std::fs::read_to_string("../../fuzz/rules.dict").unwrap();
    for b in LIBRARY {
        let name = b.signature().name;
        let line = format!("kw_{name}=\"{name}\"");
        assert!(dict.lines().any(|l| l == line), "fuzz/rules.dict: {line}");
    }
}

#[test]
fn windows_are_read_by_the_duration_arguments_only() {
    for b in LIBRARY {
        let sig = b.signature();
        for r in b.reads() {
            if let Some(k) = r.duration_arg() {
                let crate::lang::functions::Params::Fixed(params) = sig.params else {
                    panic!("{}: a window needs a duration parameter", sig.name);
                };
                assert_eq!(
                    params.get(k).map(|p| p.1),
                    Some(crate::lang::program::Type::Duration)
                );
            }
        }
    }
}

#[test]
fn the_evidence_of_growth_names_the_earlier_window_the_evaluation_reads() {
    // At a month's end the earlier window starts after T minus 2mo
    // (2025-01-31), not after T minus 1mo minus 1mo (2025-01-28).
    let m = model(
        "let x = growth(s, 1mo)\nindicator probe { when: true }\n",
        "date,value\n2025-01-30,100\n2025-02-01,2\n2025-03-31,3\n",
    );
    let mut ev = Evaluator::new(&m);
    let at = Date::parse_iso("2025-03-31").unwrap();
    let text = crate::eval::explain::window_text(&mut ev, &m.program.lets[0].value, at);
    assert_eq!(
        text.as_deref(),
        Some("2025-03-01..2025-03-31 vs 2025-02-01..2025-02-28")
    );
    assert!(agrees(&value_of_x(&m, "2025-03-31"), "0.5"));
}

#[test]
fn explain_lists_the_windows_each_function_reads() {
    let data = "date,value\n2025-01-01,1\n2025-01-02,3\n";
    let (why, spans) = explained("zscore(s, 5d)", data, "2025-03-01");
    assert_eq!(
        why.as_deref(),
        Some("0 observation(s) in the window; 2 are needed")
    );
    assert_eq!(spans, ["window", "newest on or before the date"]);
    let (why, spans) = explained("growth(s, 1mo)", data, "2025-04-01");
    assert_eq!(why.as_deref(), Some("the earlier window sums to 0"));
    assert_eq!(spans, ["window", "earlier window"]);
    let (_, spans) = explained("change(s, 1y)", data, "2025-03-01");
    assert_eq!(
        spans,
        [
            "newest on or before the date",
            "newest on or before the date minus the duration"
        ]
    );
    assert!(agrees(&value_at("sum(s, 59d)", data, "2025-03-01"), "3"));
}

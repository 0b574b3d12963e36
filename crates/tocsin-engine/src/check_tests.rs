//! The checker over whole rule files, with the library's signatures: it
//! lives beside the library, which the language crate does not name.

use crate::diag::{render, Code, SourceMap};
use crate::lang::check::*;
use crate::lang::parser::parse_file;
use crate::library::check;

fn check_text(text: &str, data: &[&str]) -> (Checked, SourceMap) {
    let mut sources = SourceMap::new();
    let id = sources.add("t.rules", text);
    let (file, diags) = parse_file(id, text);
    assert!(
        diags.is_empty(),
        "{}",
        render::to_plain_string(&diags, &sources)
    );
    (check(&[(id, &file)], data), sources)
}

fn errors(text: &str, data: &[&str]) -> Vec<(Code, String)> {
    let (c, s) = check_text(text, data);
    c.diagnostics
        .iter()
        .map(|d| (d.code, render::one_line(d, &s)))
        .collect()
}

fn codes(text: &str, data: &[&str]) -> Vec<Code> {
    errors(text, data).into_iter().map(|e| e.0).collect()
}

#[test]
fn the_spec_example_checks() {
    let text = r#"
series adiz_aircraft = adiz[kind == "aircraft"]
let davidson_window = 2027-01-01
indicator pla_pressure_surge { when: growth(adiz_aircraft, 1y) >= 300% for: 30d }
indicator finland_buildup { when: davidson_window - now < 400 }
indicator houthi_strikes_resumed { when: resumed(red_sea_attacks[actor ~ "houthi"], quiet: 6mo, within: 30d) }
alert two_front_pressure {
  severity: critical
  when: pla_pressure_surge and count_true(houthi_strikes_resumed, finland_buildup) >= 1
  summary: "Taiwan pressure up {percent(growth(adiz_aircraft, 1y))}; second front active"
}
let score = weighted(pla_pressure_surge: 3, finland_buildup: 1)
"#;
    let (c, _) = check_text(text, &["adiz", "red_sea_attacks"]);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.program.rules.len(), 4);
    assert_eq!(c.program.series.len(), 2);
    assert_eq!(c.items, 7);
}

#[test]
fn unknown_series_suggests_a_near_name() {
    let e = errors("indicator x { when: latest(guage) > 1 }", &["gauge"]);
    assert_eq!(e[0].0, Code::UnknownName);
    assert!(
        e[0].1
            .contains("unknown series `guage`; did you mean `gauge`?"),
        "{}",
        e[0].1
    );
    assert!(e[0].1.starts_with("t.rules:1:28:"), "{}", e[0].1);
}

#[test]
fn duplicates_name_both_places() {
    let (c, s) = check_text("let a = 1\nlet a = 2", &[]);
    let text = render::to_plain_string(&c.diagnostics, &s);
    assert!(
        text.contains("first defined here") && text.contains("defined again here"),
        "{text}"
    );
    assert_eq!(
        codes("let gauge = 1", &["gauge"]),
        [Code::NameTakenBySeries]
    );
}

#[test]
fn cycles_are_listed() {
    let e = errors(
        "let a = b + 1\nlet b = c\nlet c = a\nindicator i { when: j }\nindicator j { when: i }",
        &[],
    );
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].1
            .contains("`a` depends on itself: `a` → `b` → `c` → `a`"),
        "{}",
        e[0].1
    );
    assert!(e[1].1.contains("`i` → `j` → `i`"), "{}", e[1].1);
    assert_eq!(codes("series s = s[x == \"1\"]", &[]), [Code::Cycle]);
}

#[test]
fn type_errors() {
    let d = &["s"];
    assert_eq!(
        codes("indicator x { when: latest(s) }", d),
        [Code::WhenNotBool]
    );
    assert_eq!(
        codes("indicator x { when: 2027-01-01 > 3 }", d),
        [Code::TypeMismatch]
    );
    assert_eq!(
        codes("let x = 2027-01-01 + 2027-01-01", d),
        [Code::TypeMismatch]
    );
    assert_eq!(
        codes("indicator x { when: latest(3) > 1 }", d),
        [Code::TypeMismatch]
    );
    assert_eq!(
        codes("indicator x { when: s > 1 }", d),
        [Code::TypeMismatch]
    );
    assert_eq!(codes("let x = s", d), [Code::LetHoldsSeries]);
    assert_eq!(codes("let x = s[a == \"b\"]", d), [Code::LetHoldsSeries]);
    assert_eq!(
        codes("indicator x { when: sum(s, 3) > 1 }", d),
        [Code::TypeMismatch]
    );
    assert_eq!(
        codes("indicator x { when: not 3 }", d),
        [Code::TypeMismatch]
    );
    assert_eq!(
        codes("indicator x { when: 1 and true }", d),
        [Code::TypeMismatch]
    );
    assert_eq!(
        codes("indicator x { when: \"a\" < \"b\" }", d),
        [Code::TypeMismatch]
    );
    assert_eq!(codes("let x = 30d + 1", d), [Code::TypeMismatch]);
    assert!(codes(
        "let w = 30d\nindicator x { when: sum(s, w) > 1 and now - w < now }",
        d
    )
    .is_empty());
    assert!(codes(
        "indicator x { when: none }\nlet y = none + 1\nlet z = now - 2020-01-01 > 3",
        d
    )
    .is_empty());
}

#[test]
fn call_errors() {
    let d = &["s"];
    assert_eq!(
        codes("indicator x { when: lates(s) > 1 }", d),
        [Code::UnknownFunction]
    );
    assert_eq!(
        codes("indicator x { when: latest(s, 3d) > 1 }", d),
        [Code::WrongArity]
    );
    assert_eq!(
        codes("indicator x { when: sum(s) > 1 }", d),
        [Code::WrongArity]
    );
    assert_eq!(
        codes("indicator x { when: sum(s, window: 3d) > 1 }", d),
        [Code::BadNamedArgument]
    );
    assert_eq!(
        codes("indicator x { when: resumed(s, quite: 3d, within: 2d) }", d),
        [Code::BadNamedArgument]
    );
    assert_eq!(
        codes(
            "indicator x { when: resumed(s, 3d, quiet: 2d, within: 1d) }",
            d
        ),
        [Code::ArgumentTwice]
    );
    assert!(codes("indicator x { when: resumed(s, 3d, 2d) }\nindicator y { when: resumed(s, within: 2d, quiet: 1y) }", d).is_empty());
    assert_eq!(
        codes("let a = 1\nlet w = weighted(a: 1)", d),
        [Code::NotARule]
    );
    assert_eq!(
        codes(
            "indicator i { when: true }\nlet w = weighted(i: 1, i: 2)",
            d
        ),
        [Code::ArgumentTwice]
    );
    assert_eq!(codes("let w = weighted(1)", d), [Code::BadNamedArgument]);
    assert_eq!(codes("let w = count_true()", d), [Code::WrongArity]);
    assert_eq!(codes("let w = count_true(1)", d), [Code::TypeMismatch]);
}

#[test]
fn rule_fields() {
    assert_eq!(
        codes("indicator x { title: \"a\" }", &[]),
        [Code::MissingWhen]
    );
    assert_eq!(
        codes("indicator x { when: true severity: info }", &[]),
        [Code::FieldNotAllowed]
    );
    assert_eq!(
        codes("indicator x { when: true when: false }", &[]),
        [Code::DuplicateField]
    );
    let (c, _) = check_text("alert x { when: true source: \"a\" source: \"b\" }", &[]);
    assert!(c.diagnostics.is_empty());
    assert_eq!(c.program.rules[0].sources, ["a", "b"]);
    assert_eq!(
        c.program.rules[0].severity,
        Some(crate::lang::ast::Severity::Warning)
    );
}

#[test]
fn inline_series_are_shared() {
    let (c, _) = check_text(
        "indicator a { when: count(s[x ~ \"h\"], 3d) > 1 and sum(s[x ~ \"h\"], 3d) > 1 }",
        &["s"],
    );
    assert_eq!(c.program.series.len(), 1);
    assert_eq!(c.program.series[0].label, "s[x ~ \"h\"]");
}

/// A chain of definitions, each reading the next at the bottom of a chain
/// of `+`, `h` levels tall.
fn tall_chain(defs: usize, h: usize) -> String {
    let mut text = format!("let l{defs} = 1\n");
    for i in 0..defs {
        text.push_str(&format!("let l{i} = l{}{}\n", i + 1, " + 1".repeat(h)));
    }
    text
}

#[test]
fn definitions_and_their_expressions_nest_at_most_max_levels() {
    // Each let is one level plus its expression's height: 80 × 251 = 20,080
    // levels, over the limit though only 81 definitions deep.
    let errs = errors(&tall_chain(80, 250), &[]);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, Code::TooDeep);
    assert!(
        errs[0].1.contains("definitions and their expressions nest 20081 levels deep (the limit is 20000): `l0` → `l1` → … → `l79` → `l80`"),
        "{}",
        errs[0].1
    );
    // 79 × 251 + 1 = 19,830: under it, checked with the command's stack.
    let under = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| errors(&tall_chain(79, 250), &[]))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(under, vec![]);
}

#[test]
fn field_arguments_are_names_or_strings_never_references() {
    let d = &["s"];
    // A bare name, a reserved word, a literal word or a string is a field,
    // even where a let, an indicator or a series has that name.
    let ok = "let station = 3\nindicator vessel { when: true }\n\
        let a = field(s, station)\nlet b = field(s, vessel)\nlet c = distinct(s, 30d, when)\n\
        let e = field(s, \"Event Type\")\nlet f = field(s, none)\nlet g = distinct(s, 1y, s)\n\
        let h = field(s, and) == \"x\"\n";
    let (c, _) = check_text(ok, d);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let names: Vec<&str> = c
        .program
        .fields
        .iter()
        .map(|f| f.field.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "station",
            "vessel",
            "when",
            "Event Type",
            "none",
            "s",
            "and"
        ]
    );
    // One read per series and field, ignoring case.
    let (c, _) = check_text(
        "let a = field(s, Station)\nlet b = distinct(s, 3d, \"station\")",
        d,
    );
    assert_eq!(c.program.fields.len(), 1);
    // Anything else is refused, saying how to write a field.
    let e = errors("let a = field(s, 3)", d);
    assert_eq!(e[0].0, Code::TypeMismatch);
    assert!(
        e[0].1.contains("field takes a field name, found number"),
        "{e:?}"
    );
    assert_eq!(
        codes("let a = distinct(s, 3d, latest(s))", d),
        [Code::TypeMismatch]
    );
    assert_eq!(codes("let a = field(s)", d), [Code::WrongArity]);
    assert_eq!(codes("let a = field(nope, x)", d), [Code::UnknownName]);
    // A reserved word is a field only where a field is expected.
    let e = errors("let a = latest(and)", d);
    assert_eq!(e[0].0, Code::ReservedWord, "{e:?}");
    assert!(e[0].1.contains("`and` is a reserved word"), "{e:?}");
    // field gives a string: compared with strings, not ordered or added.
    assert!(codes("indicator x { when: field(s, a) == \"b\" }", d).is_empty());
    assert_eq!(
        codes("indicator x { when: field(s, a) > 1 }", d),
        [Code::TypeMismatch]
    );
}

/// A hole naming something unknown may be meant as a field: the note says
/// a hole shows a field only for the fields of `by:`, and no function is
/// suggested for it.
#[test]
fn an_unknown_hole_is_pointed_to_by() {
    let (c, _) = check_text(
        "indicator a { when: count(ev, 30d) >= 1 summary: \"{COUNTRY}\" }\n\
         indicator b { by: country when: count(ev, 30d) >= 1 summary: \"{region}\" }\n",
        &["ev"],
    );
    let d = &c.diagnostics;
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[0].message, "unknown name `COUNTRY`");
    assert!(
        d[0].notes[0].contains("add `by: COUNTRY`"),
        "{:?}",
        d[0].notes
    );
    assert!(
        d[1].notes[0].contains("the fields of `by:` (country)"),
        "{:?}",
        d[1].notes
    );
    // Elsewhere a near name is still suggested.
    let (c, _) = check_text("indicator a { when: count(evv, 30d) >= 1 }\n", &["ev"]);
    assert!(c.diagnostics[0].message.contains("did you mean `ev`?"));
}

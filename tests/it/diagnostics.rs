//! Golden diagnostics: what a person sees for each kind of problem,
//! rendered as on a terminal without colour.

use tocsin::diag::render;
use tocsin::workspace::{load, Contents, SourceFile};

fn file(name: &str, text: &str) -> SourceFile {
    SourceFile {
        name: name.to_string(),
        contents: Contents::Text(text.to_string()),
    }
}

const DATA: &str = "date,value,actor\n2025-01-10,3,Houthi\n2025-02-10,7,US Navy\n";

/// Renders the diagnostics of one rule file checked against `gauge.csv`.
fn diagnose(rules: &str) -> String {
    let ws = load(
        &[file("rules/t.rules", rules)],
        &[file("indicators/gauge.csv", DATA)],
    );
    render::to_plain_string(&ws.diagnostics, &ws.sources)
}

fn diagnose_data(name: &str, text: &str) -> String {
    let ws = load(&[file("rules/t.rules", "")], &[file(name, text)]);
    render::to_plain_string(&ws.diagnostics, &ws.sources)
}

#[test]
fn missing_operand() {
    insta::assert_snapshot!(diagnose("indicator x {\n  when: latest(gauge) >\n}\n"));
}

#[test]
fn unknown_series_with_suggestion() {
    insta::assert_snapshot!(diagnose("indicator x {\n  when: latest(guage) > 1\n}\n"));
}

#[test]
fn unknown_field_with_suggestion() {
    insta::assert_snapshot!(diagnose("indicator x {\n  wen: latest(gauge) > 1\n}\n"));
}

#[test]
fn duplicate_name() {
    insta::assert_snapshot!(diagnose(
        "let limit = 5\nindicator limit { when: latest(gauge) > 1 }\n"
    ));
}

#[test]
fn cycle() {
    insta::assert_snapshot!(diagnose("let a = b + 1\nlet b = a * 2\n"));
}

#[test]
fn when_not_bool() {
    insta::assert_snapshot!(diagnose("indicator x {\n  when: sum(gauge, 30d)\n}\n"));
}

#[test]
fn date_compared_with_number() {
    insta::assert_snapshot!(diagnose(
        "let davidson_window = 2027-01-01\nindicator x { when: davidson_window > 400 }\n"
    ));
}

#[test]
fn wrong_arity() {
    insta::assert_snapshot!(diagnose("indicator x { when: growth(gauge) > 3 }\n"));
}

#[test]
fn bad_named_argument() {
    insta::assert_snapshot!(diagnose(
        "indicator x { when: resumed(gauge, quite: 6mo, within: 30d) }\n"
    ));
}

#[test]
fn chained_comparison() {
    insta::assert_snapshot!(diagnose("indicator x { when: 1 < latest(gauge) < 10 }\n"));
}

#[test]
fn bad_duration_unit() {
    insta::assert_snapshot!(diagnose("indicator x { when: sum(gauge, 30m) > 1 }\n"));
}

#[test]
fn let_holding_a_series() {
    insta::assert_snapshot!(diagnose("let houthi = gauge[actor ~ \"houthi\"]\n"));
}

#[test]
fn severity_on_indicator() {
    insta::assert_snapshot!(diagnose("indicator x { severity: critical when: true }\n"));
}

#[test]
fn unknown_filter_field_warning() {
    insta::assert_snapshot!(diagnose(
        "indicator x { when: count(gauge[actr ~ \"houthi\"], 1y) > 0 }\n"
    ));
}

#[test]
fn invalid_date_in_csv() {
    insta::assert_snapshot!(diagnose_data(
        "indicators/adiz.csv",
        "date,value\n2025-01-01,1\n2025-13-01,2\n"
    ));
}

#[test]
fn ambiguous_date_in_csv() {
    insta::assert_snapshot!(diagnose_data(
        "indicators/adiz.csv",
        "date,value\n03/02/2024,1\n"
    ));
}

#[test]
fn wrong_cell_count_in_csv() {
    insta::assert_snapshot!(diagnose_data(
        "indicators/adiz.csv",
        "date,value\n2025-01-01,1,extra\n"
    ));
}

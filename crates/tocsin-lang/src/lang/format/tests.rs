use super::*;

/// Formats `text`, checks that formatting again changes nothing, and
/// returns the result.
fn fmt(text: &str) -> String {
    let out = match format_source(FileId(0), text) {
        Ok(s) => s,
        Err(d) => panic!("{d:?}\n--- input:\n{text}"),
    };
    let again = format_source(FileId(0), &out).unwrap();
    assert_eq!(again, out, "not idempotent; first result:\n{out}");
    out
}

/// Asserts the layout of `text` line by line.
fn check(text: &str, expected: &[&str]) {
    let out = fmt(text);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines, expected, "\n{out}");
}

#[test]
fn items_are_separated_by_one_blank_line() {
    check(
        "\n\nlet a=1\nseries s=t[x==\"y\"]\n\n\n\nlet c = 2 indicator i{when:a}alert j{when:i}\n\n",
        &[
            "let a = 1",
            "series s = t[x == \"y\"]",
            "",
            "let c = 2",
            "",
            "indicator i {",
            "  when: a",
            "}",
            "",
            "alert j {",
            "  when: i",
            "}",
        ],
    );
}

#[test]
fn fields_one_per_line_aligned_in_written_order() {
    check(
        "alert a { when: x for: 30d severity: critical tags: [ \"b\" ,\"a\", ] title: \"T\" }",
        &[
            "alert a {",
            "  when:     x",
            "  for:      30d",
            "  severity: critical",
            "  tags:     [\"b\", \"a\"]",
            "  title:    \"T\"",
            "}",
        ],
    );
    check(
        "indicator a {\n  when: x\n\n\n  source: \"1\"\n  source: \"2\"\n}",
        &[
            "indicator a {",
            "  when:   x",
            "",
            "  source: \"1\"",
            "  source: \"2\"",
            "}",
        ],
    );
    check("indicator e {  }", &["indicator e {}"]);
}

#[test]
fn expressions_are_spaced_one_way() {
    check(
        "let x=-a+(b*-2)/c>=1 and not(d or e)or not f",
        &["let x = -a + (b * -2) / c >= 1 and not (d or e) or not f"],
    );
    check(
        "let y = resumed( s [ actor~\"h\" ,n>=1 , ] , quiet :6mo,within:30d )",
        &["let y = resumed(s[actor ~ \"h\", n >= 1], quiet: 6mo, within: 30d)"],
    );
    check(
        "series p = pla_daily . pla_sorties\nseries q = t [ kind in [ \"a\" , \"b\",] , x != \"1\" , v < -2.50 , w == 3 ] . \"fatal count\"",
        &[
            "series p = pla_daily.pla_sorties",
            "series q = t[kind in [\"a\", \"b\"], x != \"1\", v < -2.50, w == 3].\"fatal count\"",
        ],
    );
    check("let z = f( )", &["let z = f()"]);
}

#[test]
fn literals_keep_their_spelling() {
    check(
        "let a = 3.50 + 007 + 300% + 12.5%\nlet b = 2027-01-01 - 2w + 6mo - 1y + 7d\nlet c = s[x >= 50%, y == -0.0]",
        &[
            "let a = 3.50 + 007 + 300% + 12.5%",
            "let b = 2027-01-01 - 2w + 6mo - 1y + 7d",
            "let c = s[x >= 50%, y == -0.0]",
        ],
    );
    check(
        "let d = true or false or none or now - 2025 -01-01",
        &["let d = true or false or none or now - 2025 - 01 - 01"],
    );
}

#[test]
fn strings_are_escaped_canonically() {
    check(
        "indicator a { when: x title: \"say \\\"hi\\\" \\\\ back\nslash # not a comment\" }",
        &[
            "indicator a {",
            "  when:  x",
            "  title: \"say \\\"hi\\\" \\\\ back\\nslash # not a comment\"",
            "}",
        ],
    );
    check("let s = \"tab\there\"", &["let s = \"tab\there\""]);
}

#[test]
fn templates_keep_text_and_format_holes() {
    check(
        "indicator a { when: x summary: \"{{literal}} {growth( s ,1y )}% \\\"q\\\" {a+b}\" description: \"}}{{\" }",
        &[
            "indicator a {",
            "  when:        x",
            "  summary:     \"{{literal}} {growth(s, 1y)}% \\\"q\\\" {a + b}\"",
            "  description: \"}}{{\"",
            "}",
        ],
    );
    // A comment inside a hole cannot move out of the string: the hole stays
    // as written.
    check(
        "indicator a { when: x summary: \"n = {f(a, # why\n b)}\" }",
        &[
            "indicator a {",
            "  when:    x",
            "  summary: \"n = {f(a, # why",
            " b)}\"",
            "}",
        ],
    );
}

#[test]
fn unicode_field_names() {
    check(
        "series t = pla [ \"與那國\"==\"1\" ] .\"fatal count\"",
        &["series t = pla[\"與那國\" == \"1\"].\"fatal count\""],
    );
}

#[test]
fn comments_before_and_after_items() {
    check(
        "# file header\n#\n# more\n\n\n# about a\nlet a = 1 # why one\n# about b\nlet b = 2\n# the end\n\n# really",
        &[
            "# file header",
            "#",
            "# more",
            "",
            "# about a",
            "let a = 1 # why one",
            "# about b",
            "let b = 2",
            "# the end",
            "",
            "# really",
        ],
    );
    // The blank line forced between rules goes above the comments that
    // belong to the next item.
    check(
        "indicator a { when: x } # after a\n# about b\nindicator b { when: y }",
        &[
            "indicator a {",
            "  when: x",
            "} # after a",
            "",
            "# about b",
            "indicator b {",
            "  when: y",
            "}",
        ],
    );
}

#[test]
fn comments_between_and_after_fields() {
    check(
        "indicator a { # opens\n  title: \"t\" # trailing title\n  # about when\n\n  # more about when\n  when: x # trailing when\n  # before the brace\n} # closes",
        &[
            "indicator a { # opens",
            "  title: \"t\" # trailing title",
            "  # about when",
            "",
            "  # more about when",
            "  when:  x # trailing when",
            "  # before the brace",
            "} # closes",
        ],
    );
    check(
        "indicator a {\n  # only a comment\n}",
        &["indicator a {", "  # only a comment", "}"],
    );
}

#[test]
fn comments_inside_a_multi_line_when() {
    check(
        "alert a {\n  severity: info\n  when: x > 1 # first\n    # own line\n    and y # second\n    or z\n}",
        &[
            "alert a {",
            "  severity: info",
            "  when:     x > 1 # first",
            "            # own line",
            "            and y # second",
            "            or z",
            "}",
        ],
    );
    check(
        "indicator a { when: # why\n x }",
        &["indicator a {", "  when: # why", "        x", "}"],
    );
}

#[test]
fn comments_inside_brackets() {
    // A one-line list: the element after a comment lines up after the
    // bracket.
    check(
        "let c = count_true(a, # a is\n b) >= 1",
        &["let c = count_true(a, # a is", "                   b) >= 1"],
    );
    // A list written with a break after its bracket: one element per line.
    check(
        "let w = weighted(\n  # big\n  long_name: 3, # most\n  b: 1,\n  # trailing\n)",
        &[
            "let w = weighted(",
            "  # big",
            "  long_name: 3, # most",
            "  b:         1",
            "  # trailing",
            ")",
        ],
    );
    check(
        "series s = t[\n a == \"1\", # one\n b ~ \"2\"]",
        &["series s = t[", "  a == \"1\", # one", "  b ~ \"2\"", "]"],
    );
    check(
        "indicator a { when: x tags: [\"a\", # first\n \"b\"] }",
        &[
            "indicator a {",
            "  when: x",
            "  tags: [\"a\", # first",
            "         \"b\"]",
            "}",
        ],
    );
    // A dropped trailing comma leaves its comment without a line: it
    // moves to one of its own.
    check(
        "let c = f(\n  a # one\n  , # two\n)",
        &["let c = f(", "  a # one", "  # two", ")"],
    );
    check(
        "let p = (a # in parens\n + b)",
        &["let p = (a # in parens", "    + b)"],
    );
}

#[test]
fn broken_call_inside_a_field() {
    check(
        "alert a {\n  when: weighted(\n    ab: 1, c: 2) >= 3\n}",
        &[
            "alert a {",
            "  when: weighted(",
            "    ab: 1,",
            "    c:  2",
            "  ) >= 3",
            "}",
        ],
    );
}

#[test]
fn only_comments_or_nothing() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n \n\t\n"), "");
    assert_eq!(fmt("  # one  \n\n\n   # two"), "# one\n\n# two\n");
}

#[test]
fn long_conditions_break_before_and_or() {
    let long = "indicator a {\n  title: \"t\"\n  when: pla_pressure_surge and count_true(houthi_strikes_resumed, finland_buildup) >= 1 or (x and y) and not zzz\n}";
    check(
        long,
        &[
            "indicator a {",
            "  title: \"t\"",
            "  when:  pla_pressure_surge",
            "         and count_true(houthi_strikes_resumed, finland_buildup) >= 1",
            "         or (x and y)",
            "         and not zzz",
            "}",
        ],
    );
    // Written broken but short: joined.
    check("let a = x\n  and y", &["let a = x and y"]);
    let let_long = format!("let a = {} or {}", "b".repeat(50), "c".repeat(50));
    check(
        &let_long,
        &[
            &format!("let a = {}", "b".repeat(50)),
            &format!("    or {}", "c".repeat(50)),
        ],
    );
}

#[test]
fn crlf_and_tabs() {
    check(
        "let a = 1 # one\r\n\r\n\tlet b =\t2\r\n",
        &["let a = 1 # one", "", "let b = 2"],
    );
}

#[test]
fn the_shipped_style_is_kept() {
    let text = r#"# rules/example.rules

series adiz_aircraft = adiz[kind == "aircraft"]

let davidson_window = 2027-01-01

indicator pla_pressure_surge {
  title:  "PLA military pressure on Taiwan up 300% in a year"
  # growth() >= 300% means four times the year before.
  when:   growth(adiz_aircraft, 1y) >= 300%
  for:    30d
  source: "INDOPACOM commander, Senate Armed Services testimony, April 2025"
}

let warning_score = weighted(
  pla_pressure_surge:      3,
  korea_grayzone_pressure: 1
)

alert two_front_pressure {
  severity: critical
  when:     pla_pressure_surge and count_true(houthi_strikes_resumed, finland_buildup) >= 1
  summary:  "Taiwan pressure up {growth(adiz_aircraft, 1y)}; second front active"
}
"#;
    assert_eq!(fmt(text), text);
}

#[test]
fn files_that_do_not_parse_are_not_formatted() {
    let errs = format_source(FileId(0), "indicator a { when: }").unwrap_err();
    assert_eq!(errs[0].code, Code::Syntax);
    for text in [
        "#",
        "indicator",
        "series x = ",
        "\"",
        "alert a { tags: [\"a\" \"b\"] }",
        "indicator a { when: x[",
        "é",
        "let x = 1 +",
        "let x = \"{\"",
        "indicator a { when: x summary: \"{a\" }",
        "indicator a { when: x summary: \"a}\" }",
        "let a = 1 -\u{0}",
    ] {
        let _ = format_source(FileId(0), text);
    }
}

#[test]
fn same_syntax_ignores_only_spans() {
    let parse = |t| crate::lang::parser::parse_file(FileId(0), t).0;
    assert!(same_syntax(
        &parse("let a = f(x, n: 2)"),
        &parse("\n\n let   a=f( x,n :2 , )")
    ));
    assert!(!same_syntax(&parse("let a = (1)"), &parse("let a = 1")));
    assert!(!same_syntax(&parse("let a = 2w"), &parse("let a = 2d")));
    assert!(!same_syntax(
        &parse("series s = t.\"x\""),
        &parse("series s = t.x")
    ));
}

#[test]
fn field_arguments_print_as_written() {
    // Bare names, reserved words, literal words and strings alike.
    for line in [
        "let a = distinct(s, 30d, vessel)",
        "let a = distinct(s, 30d, \"Event Type\")",
        "let a = field(s, source) == \"x\"",
        "let a = field(s, when)",
        "let a = field(s, none)",
        "let a = field(s, and)",
    ] {
        check(line, &[line]);
    }
    check(
        "let a=distinct( s,30d ,  and )",
        &["let a = distinct(s, 30d, and)"],
    );
}

use super::*;

/// Formats the test file `text`, checks that formatting again changes
/// nothing, and returns the result.
fn fmt(text: &str) -> String {
    let out = match format_test_source(FileId(0), text) {
        Ok(s) => s,
        Err(d) => panic!("{d:?}\n--- input:\n{text}"),
    };
    let again = format_test_source(FileId(0), &out).unwrap();
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
fn blocks_are_indented_two_a_level() {
    check(
        "test \"a\"{data s{2025-01-01:3 2025-01-02:4}at 2025-01-01{x met y not_met}}",
        &[
            "test \"a\" {",
            "  data s {",
            "    2025-01-01: 3",
            "    2025-01-02: 4",
            "  }",
            "  at 2025-01-01 {",
            "    x met",
            "    y not_met",
            "  }",
            "}",
        ],
    );
}

#[test]
fn a_block_of_one_entry_written_on_one_line_stays_on_one_line() {
    check(
        "test \"a\" {\n data s {every 1d from 2025-01-01 : 1 2}\n at 2025-01-01   {x   met,}  }",
        &[
            "test \"a\" {",
            "  data s { every 1d from 2025-01-01: 1 2 }",
            "  at 2025-01-01 { x met }",
            "}",
        ],
    );
    // Written over several lines, it stays so.
    check(
        "test \"a\" {\n  at 2025-01-01 {\n    x met }\n  at 2025-01-02 { x met\n}\n}",
        &[
            "test \"a\" {",
            "  at 2025-01-01 {",
            "    x met",
            "  }",
            "  at 2025-01-02 {",
            "    x met",
            "  }",
            "}",
        ],
    );
}

#[test]
fn a_block_that_does_not_fit_in_100_columns_is_broken() {
    let long = "x".repeat(70);
    let text = format!("test \"a\" {{ at 2025-01-01 {{ summary r == \"{long}\" }} }}");
    check(
        &text,
        &[
            "test \"a\" {",
            "  at 2025-01-01 {",
            &format!("    summary r == \"{long}\""),
            "  }",
            "}",
        ],
    );
    // 100 columns exactly still fit.
    let fits = "y".repeat(100 - "  at 2025-01-01 { summary r == \"\" }".len());
    check(
        &format!("test \"a\" {{ at 2025-01-01 {{ summary r == \"{fits}\" }} }}"),
        &[
            "test \"a\" {",
            &format!("  at 2025-01-01 {{ summary r == \"{fits}\" }}"),
            "}",
        ],
    );
}

#[test]
fn several_entries_go_one_per_line_and_commas_go() {
    check(
        "data s { 2025-01-01: 50, 2025-02-01: 150, }\ntest \"t\" { at 2025-01-01 { a met, b pending, } }",
        &[
            "data s {",
            "  2025-01-01: 50",
            "  2025-02-01: 150",
            "}",
            "",
            "test \"t\" {",
            "  at 2025-01-01 {",
            "    a met",
            "    b pending",
            "  }",
            "}",
        ],
    );
}

#[test]
fn empty_blocks() {
    check(
        "data s {  }\ntest \"t\" { data s { } at 2025-01-01 { } }\ntest \"u\" { }",
        &[
            "data s {}",
            "",
            "test \"t\" {",
            "  data s {}",
            "  at 2025-01-01 {}",
            "}",
            "",
            "test \"u\" {}",
        ],
    );
}

#[test]
fn points_keep_their_spelling() {
    check(
        "data s {\n2025-01-05{actor:\"Houthi\" ,\"Event Type\" :\"a \\\"b\\\"\",n:-2.50,}\n2025-02-11\n2025-03-01 :40%\n2025-03-02:-2.5{ \"x\":3 }\n2025-03-03{}}",
        &[
            "data s {",
            "  2025-01-05 {actor: \"Houthi\", \"Event Type\": \"a \\\"b\\\"\", n: -2.50}",
            "  2025-02-11",
            "  2025-03-01: 40%",
            "  2025-03-02: -2.5 {\"x\": 3}",
            "  2025-03-03 {}",
            "}",
        ],
    );
}

#[test]
fn runs_stay_on_one_line_with_commas_after_repeats() {
    check(
        "data s {\nevery 1mo from 2023-01-31{kind:\"aircraft\"}:100 x 24 , 400x12\nevery 7d from 2024-03-04 : 1,2, 4 _ _ x3 -1.5 9x2 10%\nevery 1w from 2024-01-01 {} : 1\n}",
        &[
            "data s {",
            "  every 1mo from 2023-01-31 {kind: \"aircraft\"}: 100 x 24, 400 x 12",
            "  every 7d from 2024-03-04: 1 2 4 _ _ x 3, -1.5 9 x 2, 10%",
            "  every 1w from 2024-01-01 {}: 1",
            "}",
        ],
    );
    // However long; the block around it opens when it does not fit.
    let values = "1 ".repeat(80);
    let out = fmt(&format!("data s {{ every 1d from 2024-01-01:\n{values} }}"));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(
        lines[1],
        format!("  every 1d from 2024-01-01: {}", values.trim_end())
    );
}

#[test]
fn ranges_and_every_kind_of_expectation() {
    check(
        "test \"t\" { at 2025-07-01  to 2025-07-31 { a not_met\nvalue growth(s[k==\"a\"],1y)==300% within 1%\nvalue -x+1<=2\nsummary a~\"second\"\nsummary a == \"b\\nc\" value met} }",
        &[
            "test \"t\" {",
            "  at 2025-07-01 to 2025-07-31 {",
            "    a not_met",
            "    value growth(s[k == \"a\"], 1y) == 300% within 1%",
            "    value -x + 1 <= 2",
            "    summary a ~ \"second\"",
            "    summary a == \"b\\nc\"",
            "    value met",
            "  }",
            "}",
        ],
    );
}

#[test]
fn a_status_of_a_rule_called_within_keeps_its_comma() {
    check(
        "test \"t\" { at 2025-01-01 { value x == 1, within met value y == 2 within 0.5 within met } }",
        &[
            "test \"t\" {",
            "  at 2025-01-01 {",
            "    value x == 1,",
            "    within met",
            "    value y == 2 within 0.5",
            "    within met",
            "  }",
            "}",
        ],
    );
}

#[test]
fn rule_items_are_laid_out_as_in_rule_files() {
    let rules = "# own rules\nindicator mobilisation{when:latest(callups)>100 for:14d}\nlet a=1\nseries b=c[k==\"x\"]\n\n\nlet d=2";
    let tests =
        "data callups { 2025-01-01: 50 }\ntest \"t\" { at 2025-01-01 { mobilisation met } }";
    let both = fmt(&format!("{rules}\n{tests}"));
    let alone = format_source(FileId(0), rules).unwrap();
    assert!(both.starts_with(&alone), "{both}\n---\n{alone}");
    assert_eq!(&both[alone.len()..alone.len() + 1], "\n");
    // A test file of rule items alone comes out as the rule file would.
    assert_eq!(fmt(rules), alone);
}

#[test]
fn the_top_level_keeps_its_order_one_blank_line_apart() {
    check(
        "test \"t\" { at 2025-01-01 { a met } } data s { 2025-01-01: 1 }\n\n\n\nlet x = 1 indicator a { when: x > 0 }\ndata r { 2025-01-01: 1 }",
        &[
            "test \"t\" {",
            "  at 2025-01-01 { a met }",
            "}",
            "",
            "data s { 2025-01-01: 1 }",
            "",
            "let x = 1",
            "",
            "indicator a {",
            "  when: x > 0",
            "}",
            "",
            "data r { 2025-01-01: 1 }",
        ],
    );
}

#[test]
fn inside_a_test_data_and_at_blocks_keep_their_order_and_blank_lines() {
    check(
        "test \"t\" {\n\n  at 2025-01-01 { a met }\n\n\n  data s { 2025-01-01: 1 }\n  at 2025-01-02 {\n    a met\n\n    b met\n  }\n\n}",
        &[
            "test \"t\" {",
            "  at 2025-01-01 { a met }",
            "",
            "  data s { 2025-01-01: 1 }",
            "  at 2025-01-02 {",
            "    a met",
            "",
            "    b met",
            "  }",
            "}",
        ],
    );
}

#[test]
fn comments_on_their_own_lines() {
    check(
        "# head\n\n\n# shared\ndata s {\n# first\n  2025-01-01: 1\n\n      # second\n  2025-01-02: 2\n  # last\n}\n# a test\ntest \"t\" {\n   # before at\n  at 2025-01-01 {\n  # before a\n    a met\n    # after a\n  }\n  # end of test\n}\n# end of file\n",
        &[
            "# head",
            "",
            "# shared",
            "data s {",
            "  # first",
            "  2025-01-01: 1",
            "",
            "  # second",
            "  2025-01-02: 2",
            "  # last",
            "}",
            "",
            "# a test",
            "test \"t\" {",
            "  # before at",
            "  at 2025-01-01 {",
            "    # before a",
            "    a met",
            "    # after a",
            "  }",
            "  # end of test",
            "}",
            "# end of file",
        ],
    );
}

#[test]
fn comments_at_the_ends_of_lines() {
    check(
        "data s { # the series\n  2025-01-01 {a: \"x\"} # an event\n  every 1d from 2025-01-01: 1 2 # a run\n} # closed\ntest \"t\" { # opened\n  at 2025-01-01 { a met } # one line\n  at 2025-01-02 { a met # inside\n  }\n}",
        &[
            "data s { # the series",
            "  2025-01-01 {a: \"x\"} # an event",
            "  every 1d from 2025-01-01: 1 2 # a run",
            "} # closed",
            "",
            "test \"t\" { # opened",
            "  at 2025-01-01 { a met } # one line",
            "  at 2025-01-02 {",
            "    a met # inside",
            "  }",
            "}",
        ],
    );
}

#[test]
fn a_comment_inside_a_one_line_block_opens_it() {
    check(
        "test \"t\" { at 2025-01-01 { # why\n a met } data s { 2025-01-01: 1 # one\n } }",
        &[
            "test \"t\" {",
            "  at 2025-01-01 { # why",
            "    a met",
            "  }",
            "  data s {",
            "    2025-01-01: 1 # one",
            "  }",
            "}",
        ],
    );
}

#[test]
fn comments_inside_entries_and_expectations() {
    check(
        "data s {\n  every 1d # step\n  from 2025-01-01 {a: 1, # field\n b: 2}: 1 x 3, # repeat\n 4 5 # values\n 6\n  2025-02-01: # colon\n 3\n}\ntest \"t\" { at 2025-01-01 # date\n to 2025-01-02 {\n value f(x, # arg\n y) == 1 # after\n within 0.5\n summary a # name\n == \"s\"\n a # rule\n met\n }\n}",
        &[
            "data s {",
            "  every 1d # step",
            "      from 2025-01-01 {a: 1, # field",
            "      b: 2}: 1 x 3, # repeat",
            "      4 5 # values",
            "      6",
            "  2025-02-01: # colon",
            "      3",
            "}",
            "",
            "test \"t\" {",
            "  at 2025-01-01 # date",
            "      to 2025-01-02 {",
            "    value f(x, # arg",
            "            y) == 1 # after",
            "        within 0.5",
            "    summary a # name",
            "        == \"s\"",
            "    a # rule",
            "        met",
            "  }",
            "}",
        ],
    );
}

#[test]
fn a_comment_after_a_dropped_comma_stays_at_the_end_of_its_line() {
    check(
        "data s {\n  2025-01-01: 1, # one\n  2025-01-02: 2 ,\n  # two\n}",
        &[
            "data s {",
            "  2025-01-01: 1 # one",
            "  2025-01-02: 2",
            "  # two",
            "}",
        ],
    );
}

#[test]
fn files_with_only_comments_or_nothing() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("  \n\n"), "");
    check("# one\n\n\n# two  \n", &["# one", "", "# two"]);
}

#[test]
fn test_files_that_do_not_parse_are_not_formatted() {
    for text in [
        "test \"a\" { at 2025-12-31 { x mett } }",
        "data s { every 0d from 2025-01-01: 1 }",
        "test \"a\" { at 2025-12-31 { value x } }",
        "test a {}",
    ] {
        let diags = format_test_source(FileId(0), text).unwrap_err();
        assert!(
            diags.iter().all(|d| d.code != Code::Unformattable),
            "{text}: {diags:?}"
        );
    }
}

#[test]
fn same_test_syntax_ignores_only_spans() {
    let parse = |t: &str| parse_test_file(FileId(0), t).0;
    let a = parse("data s { 2025-01-01: 1 }\ntest \"t\" { at 2025-01-01 { x met } }");
    let b = parse(
        "data s {\n  2025-01-01: 1.0,\n}\n\n\ntest \"t\" {\n  at 2025-01-01 {\n    x met\n  }\n}",
    );
    let c = parse("data s { 2025-01-01: 2 }\ntest \"t\" { at 2025-01-01 { x met } }");
    let d = parse("data s { 2025-01-01: 1 }\ntest \"t\" { at 2025-01-01 { x pending } }");
    assert!(same_test_syntax(&a, &b));
    assert!(!same_test_syntax(&a, &c));
    assert!(!same_test_syntax(&a, &d));
}

#[test]
fn crlf_and_tabs() {
    check(
        "test \"t\" {\r\n\tat 2025-01-01 {\r\n\t\ta met # x\r\n\t}\r\n}\r\n",
        &[
            "test \"t\" {",
            "  at 2025-01-01 {",
            "    a met # x",
            "  }",
            "}",
        ],
    );
}

#[test]
fn what_only_a_test_file_holds() {
    assert!(looks_like_tests("test \"a\" {}"));
    assert!(looks_like_tests("# x\nlet a = 1\ndata s {}"));
    assert!(looks_like_tests("test\n  \"a\" { at 2025-01-01 {} }"));
    assert!(!looks_like_tests("let a = 1"));
    assert!(!looks_like_tests("# test \"a\"\nlet a = 1 # data s {"));
    assert!(!looks_like_tests(
        "indicator test { title: \"data s {\" when: data > test }"
    ));
    assert!(!looks_like_tests("let x = f(test: \"a\", data: b)"));
}

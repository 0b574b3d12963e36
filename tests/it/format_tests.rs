//! The formatter on test files (`.test`): every test file of the
//! repository and of the documentation keeps its meaning, its comments and
//! its results, formatting twice changes nothing, and so on generated test
//! files; `tocsin fmt` formats test files beside rule files.
//!
//! As in `tests/format.rs`, the generated files are source text written
//! directly, with random blanks, line breaks, comments and optional commas,
//! so that the formatter meets layouts it did not make.

use crate::common::{copy_dir, root, tocsin};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use tempfile::TempDir;
use tocsin::diag::FileId;
use tocsin::lang::format::{format_test_source, test_file_without_spans};
use tocsin::ruletest::parse_test_file;

/// The parse of the test file `text`, spans left out.
fn tree(text: &str) -> Result<tocsin::ruletest::ast::TestFile, String> {
    let (file, diags) = parse_test_file(FileId(0), text);
    if diags.is_empty() {
        Ok(test_file_without_spans(&file))
    } else {
        Err(format!("{diags:?}"))
    }
}

/// The comments of `text`, in order: their text and whether code stands
/// before them on their line.
fn comments(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    let mut line_start = 0;
    let b = text.as_bytes();
    let mut k = 0;
    while k < b.len() {
        let c = b[k];
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if c == b'"' {
            in_string = true;
        } else if c == b'#' {
            let end = text[k..].find('\n').map_or(text.len(), |n| k + n);
            let before = text[line_start..k].trim();
            // A comma the formatter drops leaves nothing before the comment.
            let code = !before.is_empty() && before != ",";
            out.push((text[k..end].trim_end().to_string(), code));
            k = end;
            continue;
        }
        if c == b'\n' {
            line_start = k + 1;
        }
        k += 1;
    }
    out
}

/// Comments keep their text and order; one on its own line stays on its
/// own line, one at the end of a line stays at the end of a line.
fn same_comments(before: &[(String, bool)], after: &[(String, bool)]) -> bool {
    before.len() == after.len()
        && before
            .iter()
            .zip(after)
            .all(|((t1, code1), (t2, code2))| t1 == t2 && (code1 == code2 || !code1))
}

/// Formats `text` and checks everything the formatter promises.
fn check_round_trip(name: &str, text: &str) -> Result<String, String> {
    let before = tree(text).map_err(|e| format!("{name} does not parse: {e}"))?;
    let once = format_test_source(FileId(0), text).map_err(|e| format!("{name}: {e:?}"))?;
    let after = tree(&once).map_err(|e| format!("{name} formatted does not parse: {e}\n{once}"))?;
    if before != after {
        return Err(format!(
            "{name}: formatting changed the test file\n{before:?}\n{after:?}\n{once}"
        ));
    }
    if !same_comments(&comments(text), &comments(&once)) {
        return Err(format!(
            "{name}: formatting moved the comments\n{:?}\n{:?}\n{once}",
            comments(text),
            comments(&once)
        ));
    }
    let twice = format_test_source(FileId(0), &once).map_err(|e| format!("{name}: {e:?}"))?;
    if twice != once {
        return Err(format!(
            "{name}: formatting is not idempotent\n--- once:\n{once}\n--- twice:\n{twice}"
        ));
    }
    if once.lines().any(|l| l.ends_with([' ', '\t'])) {
        return Err(format!("{name}: trailing blanks\n{once}"));
    }
    Ok(once)
}

fn test_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            test_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "test") {
            out.push(path);
        }
    }
}

#[test]
fn every_test_file_of_the_repository() {
    let mut files = Vec::new();
    test_files(&root().join("rules"), &mut files);
    test_files(&root().join("tests/ruletest"), &mut files);
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    let mut formatted = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        if tree(&text).is_err() {
            // A suite about syntax errors: refused, with the parse errors.
            let diags = format_test_source(FileId(0), &text).unwrap_err();
            assert!(diags.iter().all(|d| d.code.as_str() != "E015"), "{path:?}");
            continue;
        }
        if let Err(e) = check_round_trip(&path.display().to_string(), &text) {
            panic!("{e}");
        }
        formatted += 1;
    }
    assert!(formatted >= 6);
}

/// The blocks of docs/testing.md without a language tag.
fn guide_blocks() -> Vec<String> {
    let doc = std::fs::read_to_string(root().join("docs/testing.md")).unwrap();
    let mut blocks = Vec::new();
    let mut block: Option<(bool, String)> = None;
    for line in doc.lines() {
        match (&mut block, line.starts_with("```")) {
            (None, true) => block = Some((line == "```", String::new())),
            (Some((untagged, text)), true) => {
                if *untagged {
                    blocks.push(std::mem::take(text));
                }
                block = None;
            }
            (Some((_, text)), false) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, false) => {}
        }
    }
    blocks
}

/// The blocks of docs/testing.md that hold test-file syntax.
#[test]
fn the_snippets_of_the_testing_guide() {
    let mut checked = 0;
    for text in guide_blocks() {
        if tocsin::lang::format::looks_like_tests(&text) {
            if let Err(e) = check_round_trip("docs/testing.md", &text) {
                panic!("{e}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "{checked} snippets");
}

// ---- `tocsin fmt` and `tocsin test` ----

/// Exit code, stdout and the error codes of stderr of `tocsin ARGS`, with
/// `FILE:LINE:COL` locations cut to `FILE`: formatting may move lines.
fn outcome(dir: &Path, args: &[&str]) -> (Option<i32>, String, Vec<String>) {
    let out = tocsin(dir).args(args).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let unlocated = stdout
        .lines()
        .map(|l| match l.find(".test:") {
            Some(k) => {
                let rest = &l[k + ".test:".len()..];
                let skip = rest
                    .find(|c: char| !(c.is_ascii_digit() || c == ':'))
                    .unwrap_or(rest.len());
                format!("{}.test{}", &l[..k], &rest[skip..])
            }
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let codes = stderr
        .lines()
        .filter(|l| l.starts_with("error[") || l.starts_with("warning["))
        .map(|l| l.split(':').next().unwrap_or("").to_string())
        .collect();
    (out.status.code(), unlocated, codes)
}

/// `tocsin test` reports the same on a formatted copy of each suite: the
/// repository's rules and tests, the complete example of
/// docs/testing.md, and every suite under `tests/ruletest`.
#[test]
fn formatted_tests_give_the_same_results() {
    let repo = TempDir::new().unwrap();
    copy_dir(&root().join("rules"), &repo.path().join("rules"));
    let example = TempDir::new().unwrap();
    std::fs::create_dir_all(example.path().join("rules")).unwrap();
    for text in guide_blocks() {
        for name in ["example.rules", "example.test"] {
            if text.starts_with(&format!("# rules/{name}\n")) {
                std::fs::write(example.path().join("rules").join(name), &text).unwrap();
            }
        }
    }
    let suites = TempDir::new().unwrap();
    copy_dir(&root().join("tests/ruletest"), suites.path());
    let runs: [(&Path, &[&str]); 5] = [
        (repo.path(), &["test", "--verbose"]),
        (example.path(), &["test", "--verbose"]),
        (&suites.path().join("passing"), &["test", "--verbose"]),
        (
            suites.path(),
            &["test", "failing.test", "--rules", "passing/rules"],
        ),
        (
            suites.path(),
            &["test", "misnamed.test", "--rules", "passing/rules"],
        ),
    ];
    let before: Vec<_> = runs.iter().map(|(dir, args)| outcome(dir, args)).collect();
    let codes: Vec<_> = before.iter().map(|b| b.0).collect();
    assert_eq!(
        codes,
        [Some(0), Some(0), Some(0), Some(1), Some(2)],
        "{before:?}"
    );
    assert!(before[1].1.contains("5 passed"), "{}", before[1].1);
    tocsin(repo.path()).arg("fmt").assert().success();
    tocsin(example.path()).arg("fmt").assert().success();
    tocsin(suites.path())
        .args(["fmt", "failing.test", "misnamed.test", "passing"])
        .assert()
        .success();
    for ((dir, args), before) in runs.iter().zip(before) {
        assert_eq!(outcome(dir, args), before, "{args:?}");
    }
}

#[test]
fn fmt_formats_test_files_beside_rule_files() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join("rules/tests")).unwrap();
    std::fs::write(dir.path().join("rules/a.rules"), "let   x=1\n").unwrap();
    let messy = "test \"t\"{at 2025-01-01{x met,y met}}";
    std::fs::write(dir.path().join("rules/tests/a.test"), messy).unwrap();
    tocsin(dir.path())
        .args(["fmt", "--check"])
        .assert()
        .code(1)
        .stdout("rules/a.rules\nrules/tests/a.test\n")
        .stderr("2 of 2 files would be reformatted\n");
    tocsin(dir.path()).arg("fmt").assert().code(0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("rules/tests/a.test")).unwrap(),
        "test \"t\" {\n  at 2025-01-01 {\n    x met\n    y met\n  }\n}\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("rules/a.rules")).unwrap(),
        "let x = 1\n"
    );
    tocsin(dir.path()).args(["fmt", "--check"]).assert().code(0);
}

#[test]
fn fmt_reads_a_named_file_by_its_name_and_stdin_by_its_content() {
    let dir = TempDir::new().unwrap();
    // A rule file, named: formatted as one whatever its name.
    std::fs::write(dir.path().join("rules.txt"), "let   x=1").unwrap();
    std::fs::write(dir.path().join("t.test"), "data s{2025-01-01:1}").unwrap();
    tocsin(dir.path())
        .args(["fmt", "rules.txt", "t.test"])
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("t.test")).unwrap(),
        "data s { 2025-01-01: 1 }\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("rules.txt")).unwrap(),
        "let x = 1\n"
    );
    tocsin(dir.path())
        .args(["fmt", "-"])
        .write_stdin("let x=1\ntest \"t\"{at 2025-01-01{x met}}")
        .assert()
        .code(0)
        .stdout("let x = 1\n\ntest \"t\" {\n  at 2025-01-01 { x met }\n}\n");
    tocsin(dir.path())
        .args(["fmt", "-"])
        .write_stdin("let x=1")
        .assert()
        .code(0)
        .stdout("let x = 1\n");
}

#[test]
fn a_test_file_that_does_not_parse_is_left_alone() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    let broken = "test \"t\" {\n  at 2025-12-31 { x mett }\n}\n";
    std::fs::write(dir.path().join("rules/a.test"), broken).unwrap();
    let out = tocsin(dir.path()).arg("fmt").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("rules/a.test:2:21"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("rules/a.test")).unwrap(),
        broken
    );
}

// ---- Generated test files ----

/// Words of test files the generated names stay clear of, besides the rule
/// language's reserved words.
const TEST_WORDS: &[&str] = &[
    "at", "data", "every", "from", "met", "not_met", "pending", "test", "to", "unknown", "value",
    "within", "x",
];

/// One token of generated source. Words need a blank between them;
/// punctuation may be glued to its neighbours.
#[derive(Clone, Debug)]
enum Tok {
    Word(String),
    Punct(&'static str),
    /// A comma that may be left out.
    Comma,
}

fn w(s: impl Into<String>) -> Tok {
    Tok::Word(s.into())
}

fn p(s: &'static str) -> Tok {
    Tok::Punct(s)
}

fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,9}".prop_filter("reserved", |s| {
        !tocsin::lang::parser::is_reserved(s) && !TEST_WORDS.contains(&s.as_str())
    })
}

fn string_lit() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z0-9 ,.%#~{}]{1,6}",
        1 => Just("\\\"".to_string()),
        1 => Just("\\\\".to_string()),
        1 => Just("\\n".to_string()),
        1 => Just("與那國 é".to_string()),
    ];
    prop::collection::vec(piece, 0..4).prop_map(|p| format!("\"{}\"", p.concat()))
}

fn number() -> impl Strategy<Value = String> {
    "-?[0-9]{1,3}(\\.[0-9]{1,2})?%?"
}

fn date() -> impl Strategy<Value = (u32, u32, u32)> {
    (2020u32..2030, 1u32..13, 1u32..29)
}

fn date_text((y, m, d): (u32, u32, u32)) -> String {
    format!("{y}-{m:02}-{d:02}")
}

/// `{NAME: VALUE, ...}`, names and values words or strings.
fn fields() -> impl Strategy<Value = Vec<Tok>> {
    let field_name = prop_oneof![3 => name(), 1 => string_lit()];
    let value = prop_oneof![string_lit(), number()];
    (
        prop::collection::vec((field_name, value), 0..3),
        any::<bool>(),
    )
        .prop_map(|(fs, trailing)| {
            let mut v = vec![p("{")];
            let n = fs.len();
            for (i, (name, value)) in fs.into_iter().enumerate() {
                v.extend([w(name), p(":"), w(value)]);
                if i + 1 < n || (trailing && n > 0) {
                    v.push(p(","));
                }
            }
            v.push(p("}"));
            v
        })
}

fn point() -> impl Strategy<Value = Vec<Tok>> {
    (
        date(),
        prop::option::of(number()),
        prop::option::of(fields()),
    )
        .prop_map(|(d, value, fields)| {
            let mut v = vec![w(date_text(d))];
            if let Some(x) = value {
                v.extend([p(":"), w(x)]);
            }
            v.extend(fields.into_iter().flatten());
            v
        })
}

fn run() -> impl Strategy<Value = Vec<Tok>> {
    let step = "[1-9](d|w|mo)|1y";
    let value = (
        prop_oneof![3 => number(), 1 => Just("_".to_string())],
        prop::option::of((1u32..30, any::<bool>())),
    )
        .prop_map(|(v, repeat)| match repeat {
            // `9x30`, glued, is one token; `9 x 30` three.
            Some((n, true)) if v != "_" => vec![w(format!("{v}x{n}"))],
            Some((n, _)) => vec![w(v), w("x"), w(n.to_string())],
            None => vec![w(v)],
        });
    (
        step,
        date(),
        prop::option::of(fields()),
        prop::collection::vec(value, 1..6),
    )
        .prop_map(|(step, d, fields, values)| {
            let mut v = vec![w("every"), w(step), w("from"), w(date_text(d))];
            v.extend(fields.into_iter().flatten());
            v.push(p(":"));
            for (i, value) in values.into_iter().enumerate() {
                if i > 0 {
                    v.push(Tok::Comma);
                }
                v.extend(value);
            }
            v
        })
}

fn data_block() -> impl Strategy<Value = Vec<Tok>> {
    (
        name(),
        prop::collection::vec(prop_oneof![point(), run()], 0..4),
    )
        .prop_map(|(n, entries)| {
            let mut v = vec![w("data"), w(n), p("{")];
            for e in entries {
                v.extend(e);
                v.push(Tok::Comma);
            }
            v.push(p("}"));
            v
        })
}

/// An arithmetic expression, as a value expectation takes.
fn expr() -> impl Strategy<Value = Vec<Tok>> {
    let atom = prop_oneof![
        3 => name().prop_map(|n| vec![w(n)]),
        2 => "[0-9]{1,3}(\\.[0-9]{1,2})?%?".prop_map(|n| vec![w(n)]),
        1 => "[1-9][0-9]?(d|w|mo|y)".prop_map(|n| vec![w(n)]),
        1 => (name(), name()).prop_map(|(s, f)| vec![w(s), p("["), w(f), w("=="), w("\"a\""), p("]")]),
    ];
    atom.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/"]),
                inner.clone()
            )
                .prop_map(|(l, op, r)| {
                    let mut v = vec![p("(")];
                    v.extend(l);
                    v.push(w(op));
                    v.extend(r);
                    v.push(p(")"));
                    v
                }),
            inner.clone().prop_map(|e| {
                let mut v = vec![p("-"), p("(")];
                v.extend(e);
                v.push(p(")"));
                v
            }),
            (name(), prop::collection::vec(inner, 0..3)).prop_map(|(f, args)| {
                let mut v = vec![w(f), p("(")];
                for (i, a) in args.into_iter().enumerate() {
                    if i > 0 {
                        v.push(p(","));
                    }
                    v.extend(a);
                }
                v.push(p(")"));
                v
            }),
        ]
    })
}

fn expectation() -> impl Strategy<Value = Vec<Tok>> {
    let status = prop::sample::select(vec!["met", "pending", "not_met", "unknown"]);
    prop_oneof![
        3 => (name(), status).prop_map(|(n, s)| vec![w(n), w(s)]),
        2 => (
            expr(),
            prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]),
            expr(),
            prop::option::of("[0-9]{1,2}(\\.[0-9])?%?"),
        )
            .prop_map(|(l, op, r, within)| {
                let mut v = vec![w("value")];
                v.extend(l);
                v.push(w(op));
                v.extend(r);
                if let (Some(t), "==" | "!=") = (within, op) {
                    v.extend([w("within"), w(t)]);
                }
                v
            }),
        1 => (name(), prop::sample::select(vec!["~", "=="]), string_lit())
            .prop_map(|(n, op, s)| vec![w("summary"), w(n), w(op), w(s)]),
    ]
}

fn at_block() -> impl Strategy<Value = Vec<Tok>> {
    (
        date(),
        prop::option::of(0u32..20),
        prop::collection::vec(expectation(), 0..4),
    )
        .prop_map(|((y, m, d), to, expects)| {
            let mut v = vec![w("at"), w(date_text((y, m, d)))];
            if let Some(more) = to {
                v.extend([w("to"), w(date_text((y, m, (d + more).min(28))))]);
            }
            v.push(p("{"));
            for e in expects {
                v.extend(e);
                v.push(Tok::Comma);
            }
            v.push(p("}"));
            v
        })
}

fn test_block() -> impl Strategy<Value = Vec<Tok>> {
    (
        string_lit(),
        prop::collection::vec(prop_oneof![1 => data_block(), 2 => at_block()], 0..4),
    )
        .prop_map(|(n, children)| {
            let mut v = vec![w("test"), w(n), p("{")];
            v.extend(children.into_iter().flatten());
            v.push(p("}"));
            v
        })
}

fn rule_item() -> impl Strategy<Value = Vec<Tok>> {
    prop_oneof![
        (name(), expr()).prop_map(|(n, e)| {
            let mut v = vec![w("let"), w(n), p("=")];
            v.extend(e);
            v
        }),
        (name(), name()).prop_map(|(n, s)| vec![
            w("series"),
            w(n),
            p("="),
            w(s),
            p("["),
            w("k"),
            w("=="),
            w("\"x\""),
            p("]")
        ]),
        (name(), expr()).prop_map(|(n, e)| {
            let mut v = vec![w("indicator"), w(n), p("{"), w("when"), p(":")];
            v.extend(e);
            v.extend([w(">"), w("0"), p("}")]);
            v
        }),
    ]
}

/// What goes between two tokens: blanks, line breaks, comments.
#[derive(Clone, Debug)]
struct Gaps(Vec<u8>);

const COMMENTS: &[&str] = &["# note", "#", "# \"quoted\" {x} # again", "# 與那國 é"];

impl Gaps {
    fn join(&self, toks: &[Tok]) -> String {
        let mut s = String::new();
        let mut prev: Option<&Tok> = None;
        for (i, t) in toks.iter().enumerate() {
            let choice = self.0.get(i % self.0.len().max(1)).copied().unwrap_or(0);
            if let Tok::Comma = t {
                // Commas between entries and values are optional.
                if choice % 2 == 0 {
                    continue;
                }
            }
            if let Some(prev) = prev {
                let glue_ok = !matches!((prev, t), (Tok::Word(_), Tok::Word(_)));
                let comment = COMMENTS[usize::from(choice / 16) % COMMENTS.len()];
                let gap = match choice % 16 {
                    0..=5 => " ".to_string(),
                    6 | 14 | 15 if glue_ok => String::new(),
                    6 | 7 => "  ".to_string(),
                    8 => "\n".to_string(),
                    9 => "\n      ".to_string(),
                    10 => "\t".to_string(),
                    11 => format!(" {comment}\n"),
                    12 => format!("\n  {comment}\n  "),
                    13 => "\n\n".to_string(),
                    _ => " ".to_string(),
                };
                s.push_str(&gap);
            }
            s.push_str(match t {
                Tok::Word(x) => x,
                Tok::Punct(x) => x,
                Tok::Comma => ",",
            });
            prev = Some(t);
        }
        s
    }
}

fn gaps() -> impl Strategy<Value = Gaps> {
    prop::collection::vec(any::<u8>(), 1..40).prop_map(Gaps)
}

fn test_file() -> impl Strategy<Value = String> {
    let top = prop_oneof![2 => test_block(), 2 => data_block(), 1 => rule_item()];
    (
        prop::collection::vec((top, gaps(), 0u8..6), 0..5),
        prop::option::of(prop::sample::select(COMMENTS.to_vec())),
    )
        .prop_map(|(tops, tail)| {
            let mut s = String::new();
            for (toks, g, sep) in tops {
                s.push_str(match sep {
                    0 => "\n\n",
                    1 => "\n# between blocks\n",
                    2 => "\n\n# after a blank\n\n",
                    3 => " ",
                    _ => "\n",
                });
                s.push_str(&g.join(&toks));
            }
            if let Some(c) = tail {
                s.push(' ');
                s.push_str(c);
            }
            s
        })
}

proptest! {
    // At least 400 cases; `PROPTEST_CASES` asks for more.
    #![proptest_config(ProptestConfig { cases: ProptestConfig::default().cases.max(400), ..ProptestConfig::default() })]

    #[test]
    fn generated_test_files_keep_their_meaning_and_settle(text in test_file()) {
        if let Err(e) = check_round_trip("generated", &text) {
            prop_assert!(false, "{}\n--- input:\n{}", e, text);
        }
    }

    #[test]
    fn test_like_text_is_formatted_or_refused_cleanly(
        text in "(test \"t\"|data s|at 2025-01-0[1-5]|to|every 1d from 2025-01-01|value|summary|within|met|x| |\\{|\\}|:|,|[a-z]{1,3}|-?[0-9]{1,3}|_|==|~|\"s\"|\\n|# c\\n)*"
    ) {
        if format_test_source(FileId(0), &text).is_ok() {
            if let Err(e) = check_round_trip("test-like", &text) {
                prop_assert!(false, "{}", e);
            }
        }
    }
}

//! The formatter on real rule files and on generated ones: formatting keeps
//! what a file says (its syntax tree, spans aside, and its comments) and
//! formatting twice changes nothing.
//!
//! The generated files are source text written directly, with random
//! blanks, line breaks, comments and optional commas, not trees printed by
//! the formatter, so that the formatter meets layouts it did not make.

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use tocsin::diag::FileId;
use tocsin::lang::format::format_source;
use tocsin::lang::parser::parse_file;

/// The parse of `text` as a debug rendering with every span left out.
fn tree(text: &str) -> Result<String, String> {
    let (file, diags) = parse_file(FileId(0), text);
    if !diags.is_empty() {
        return Err(format!("{diags:?}"));
    }
    let debug = format!("{file:?}");
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(k) = rest.find("Span {") {
        out.push_str(&rest[..k]);
        out.push_str("Span");
        let close = rest[k..].find('}').map_or(rest.len(), |n| k + n + 1);
        rest = &rest[close..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The comments of `text`, in order: their text and the code that stands
/// before them on their line (empty for a comment on its own line).
fn comments(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut line_start = 0;
    let mut k = 0;
    let b = text.as_bytes();
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
            let before = text[line_start..k].trim().to_string();
            out.push((text[k..end].trim_end().to_string(), before));
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
/// own line, and one at the end of a line stays at the end of a line,
/// unless all that stood before it was a comma the formatter drops.
fn same_comments(before: &[(String, String)], after: &[(String, String)]) -> bool {
    before.len() == after.len()
        && before
            .iter()
            .zip(after)
            .all(|((t1, c1), (t2, c2))| t1 == t2 && (c1.is_empty() == c2.is_empty() || c1 == ","))
}

/// Formats `text` and checks everything the formatter promises.
fn check_round_trip(name: &str, text: &str) -> Result<String, String> {
    let before = tree(text).map_err(|e| format!("{name} does not parse: {e}"))?;
    let once = format_source(FileId(0), text).map_err(|e| format!("{name}: {e:?}"))?;
    let after = tree(&once).map_err(|e| format!("{name} formatted does not parse: {e}\n{once}"))?;
    if before != after {
        return Err(format!(
            "{name}: formatting changed the tree\n{before}\n{after}\n{once}"
        ));
    }
    if !same_comments(&comments(text), &comments(&once)) {
        return Err(format!(
            "{name}: formatting changed the comments\n{:?}\n{:?}\n{once}",
            comments(text),
            comments(&once)
        ));
    }
    let twice = format_source(FileId(0), &once).map_err(|e| format!("{name}: {e:?}"))?;
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

fn rule_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rule_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rules") {
            out.push(path);
        }
    }
}

#[test]
fn shipped_and_conformance_rule_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rule_files(&root.join("rules"), &mut files);
    for case in std::fs::read_dir(root.join("tests/conformance"))
        .unwrap()
        .flatten()
    {
        rule_files(&case.path().join("rules"), &mut files);
    }
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        if tree(&text).is_err() {
            // A case about syntax errors: it must be refused, not formatted.
            assert!(format_source(FileId(0), &text).is_err(), "{path:?}");
            continue;
        }
        if let Err(e) = check_round_trip(&path.display().to_string(), &text) {
            panic!("{e}");
        }
    }
}

// ---- Generated rule files ----

/// One token of generated source. Words and literals need a blank between
/// them; punctuation may be glued to its neighbours.
#[derive(Clone, Debug)]
enum Tok {
    Word(String),
    Punct(&'static str),
    /// A unary minus, which may be glued to its operand.
    Neg,
}

impl Tok {
    fn text(&self) -> &str {
        match self {
            Tok::Word(s) => s,
            Tok::Punct(s) => s,
            Tok::Neg => "-",
        }
    }

    fn glues(&self) -> bool {
        matches!(
            self,
            Tok::Punct("(" | ")" | "[" | "]" | "{" | "}" | "," | ":" | "." | "=")
        )
    }
}

fn w(s: impl Into<String>) -> Tok {
    Tok::Word(s.into())
}

/// Generated expressions, rendered with the parentheses precedence needs
/// (and sometimes more).
#[derive(Clone, Debug)]
enum Gen {
    Atom(Vec<Tok>),
    Call(String, Vec<(Option<String>, Gen)>, bool),
    Neg(Box<Gen>),
    Not(Box<Gen>),
    Bin(&'static str, u8, Box<Gen>, Box<Gen>),
    Paren(Box<Gen>),
}

impl Gen {
    fn level(&self) -> u8 {
        match self {
            Gen::Bin(_, p, ..) => *p,
            Gen::Not(_) => 3,
            Gen::Neg(_) => 7,
            _ => 8,
        }
    }

    fn render(&self, min: u8, out: &mut Vec<Tok>) {
        if self.level() < min {
            out.push(Tok::Punct("("));
            self.render(0, out);
            out.push(Tok::Punct(")"));
            return;
        }
        match self {
            Gen::Atom(toks) => out.extend(toks.iter().cloned()),
            Gen::Call(name, args, trailing_comma) => {
                out.push(w(name.clone()));
                out.push(Tok::Punct("("));
                for (i, (arg_name, value)) in args.iter().enumerate() {
                    if i > 0 {
                        out.push(Tok::Punct(","));
                    }
                    if let Some(n) = arg_name {
                        out.push(w(n.clone()));
                        out.push(Tok::Punct(":"));
                    }
                    value.render(0, out);
                }
                if *trailing_comma && !args.is_empty() {
                    out.push(Tok::Punct(","));
                }
                out.push(Tok::Punct(")"));
            }
            Gen::Neg(e) => {
                out.push(Tok::Neg);
                e.render(7, out);
            }
            Gen::Not(e) => {
                out.push(w("not"));
                e.render(3, out);
            }
            Gen::Bin(op, p, l, r) => {
                // Comparisons do not chain: both sides bind tighter.
                l.render(if *p == 4 { 5 } else { *p }, out);
                out.push(w(*op));
                r.render(p + 1, out);
            }
            Gen::Paren(e) => {
                out.push(Tok::Punct("("));
                e.render(0, out);
                out.push(Tok::Punct(")"));
            }
        }
    }
}

fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,11}".prop_filter("reserved", |s| !tocsin::lang::parser::is_reserved(s))
}

/// The text of a string literal: quotes, escapes, and line breaks written
/// either as `\n` or as they are.
fn string_lit(template: bool) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z0-9 ,.%#~]{1,6}",
        1 => Just("\"".to_string()),
        1 => Just("\\".to_string()),
        1 => Just("\n".to_string()),
        1 => Just("{".to_string()),
        1 => Just("}".to_string()),
        1 => Just("與那國 é\t".to_string()),
    ];
    (prop::collection::vec((piece, any::<bool>()), 0..6)).prop_map(move |pieces| {
        let mut s = String::from("\"");
        for (p, literal_newline) in pieces {
            for c in p.chars() {
                match c {
                    '"' => s.push_str("\\\""),
                    '\\' => s.push_str("\\\\"),
                    '\n' if !literal_newline => s.push_str("\\n"),
                    '{' if template => s.push_str("{{"),
                    '}' if template => s.push_str("}}"),
                    c => s.push(c),
                }
            }
        }
        s.push('"');
        s
    })
}

fn number() -> impl Strategy<Value = String> {
    "[0-9]{1,3}(\\.[0-9]{1,2})?"
}

fn duration() -> impl Strategy<Value = String> {
    "[1-9][0-9]{0,2}(d|w|mo|y)"
}

fn field_name(with_strings: bool) -> BoxedStrategy<Tok> {
    let word = prop_oneof![
        3 => name(),
        1 => prop::sample::select(vec!["value", "series", "in", "not", "when", "actor1"]).prop_map(String::from),
    ]
    .prop_map(w);
    if with_strings {
        prop_oneof![
            3 => word,
            1 => prop::sample::select(vec!["\"與那國\"", "\"Event Type\"", "\"a \\\"b\\\"\""]).prop_map(w),
        ]
        .boxed()
    } else {
        word.boxed()
    }
}

fn predicate(with_strings: bool) -> BoxedStrategy<Vec<Tok>> {
    let num_test = (
        prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]),
        "-?[0-9]{1,3}(\\.[0-9]{1,2})?%?",
    )
        .prop_map(|(op, lit)| vec![w(op), w(lit)]);
    let test = if with_strings {
        prop_oneof![
            2 => num_test,
            2 => (prop::sample::select(vec!["==", "!=", "~"]), string_lit(false))
                .prop_map(|(op, s)| vec![w(op), w(s)]),
            1 => (prop::collection::vec((string_lit(false), any::<bool>()), 0..3)).prop_map(|items| {
                let mut toks = vec![w("in"), Tok::Punct("[")];
                let n = items.len();
                for (i, (s, trailing)) in items.into_iter().enumerate() {
                    toks.push(w(s));
                    // Commas separate the strings; a trailing one is allowed.
                    if i + 1 < n || trailing {
                        toks.push(Tok::Punct(","));
                    }
                }
                toks.push(Tok::Punct("]"));
                toks
            }),
        ]
        .boxed()
    } else {
        num_test.boxed()
    };
    (field_name(with_strings), test)
        .prop_map(|(f, t)| {
            let mut v = vec![f];
            v.extend(t);
            v
        })
        .boxed()
}

/// `NAME`, `NAME[PRED, ...]`, `NAME.FIELD`, `NAME[...].FIELD`.
fn series_expr(with_strings: bool, bare: bool) -> BoxedStrategy<Vec<Tok>> {
    (
        name(),
        prop::option::of((
            prop::collection::vec(predicate(with_strings), 1..4),
            any::<bool>(),
        )),
        prop::option::of(field_name(with_strings)),
    )
        .prop_filter(
            "a bare name is not a series expression",
            move |(_, f, p)| bare || f.is_some() || p.is_some(),
        )
        .prop_map(|(base, filter, projection)| {
            let mut toks = vec![w(base)];
            if let Some((preds, trailing_comma)) = filter {
                toks.push(Tok::Punct("["));
                for (i, p) in preds.into_iter().enumerate() {
                    if i > 0 {
                        toks.push(Tok::Punct(","));
                    }
                    toks.extend(p);
                }
                if trailing_comma {
                    toks.push(Tok::Punct(","));
                }
                toks.push(Tok::Punct("]"));
            }
            if let Some(f) = projection {
                toks.push(Tok::Punct("."));
                toks.push(f);
            }
            toks
        })
        .boxed()
}

fn atom(with_strings: bool) -> BoxedStrategy<Gen> {
    let mut choices: Vec<(u32, BoxedStrategy<Vec<Tok>>)> = vec![
        (4, name().prop_map(|n| vec![w(n)]).boxed()),
        (3, number().prop_map(|n| vec![w(n)]).boxed()),
        (1, number().prop_map(|n| vec![w(format!("{n}%"))]).boxed()),
        (2, duration().prop_map(|d| vec![w(d)]).boxed()),
        (
            1,
            "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
                .prop_map(|d| vec![w(d)])
                .boxed(),
        ),
        (
            1,
            prop::sample::select(vec!["true", "false", "none", "now"])
                .prop_map(|k| vec![w(k)])
                .boxed(),
        ),
        (2, series_expr(with_strings, false)),
    ];
    if with_strings {
        choices.push((1, string_lit(false).prop_map(|s| vec![w(s)]).boxed()));
    }
    prop::strategy::Union::new_weighted(choices)
        .prop_map(Gen::Atom)
        .boxed()
}

fn expr(with_strings: bool) -> BoxedStrategy<Gen> {
    atom(with_strings)
        .prop_recursive(4, 24, 4, |inner| {
            let binop = prop::sample::select(vec![
                ("or", 1u8),
                ("and", 2),
                ("==", 4),
                ("!=", 4),
                ("<", 4),
                ("<=", 4),
                (">", 4),
                (">=", 4),
                ("+", 5),
                ("-", 5),
                ("*", 6),
                ("/", 6),
            ]);
            prop_oneof![
                3 => (binop, inner.clone(), inner.clone())
                    .prop_map(|((op, p), l, r)| Gen::Bin(op, p, Box::new(l), Box::new(r))),
                1 => inner.clone().prop_map(|e| Gen::Neg(Box::new(e))),
                1 => inner.clone().prop_map(|e| Gen::Not(Box::new(e))),
                1 => inner.clone().prop_map(|e| Gen::Paren(Box::new(e))),
                2 => (
                    name(),
                    prop::collection::vec((prop::option::of(name()), inner), 0..4),
                    any::<bool>(),
                )
                    .prop_map(|(f, args, trailing)| Gen::Call(f, args, trailing)),
            ]
        })
        .boxed()
}

fn expr_tokens(with_strings: bool) -> impl Strategy<Value = Vec<Tok>> {
    expr(with_strings).prop_map(|e| {
        let mut toks = Vec::new();
        e.render(0, &mut toks);
        toks
    })
}

/// What goes between two tokens: blanks, line breaks, comments.
#[derive(Clone, Debug)]
struct Gaps(Vec<u8>);

const COMMENTS: &[&str] = &["# note", "#", "# \"quoted\" {x} # again", "# 與那國 é"];

impl Gaps {
    /// Joins tokens, choosing the gap before each from the generated
    /// choices; `in_hole` keeps comments free of what ends a template hole.
    fn join(&self, toks: &[Tok], in_hole: bool) -> String {
        let mut s = String::new();
        for (i, t) in toks.iter().enumerate() {
            if i > 0 {
                let choice = self.0.get(i % self.0.len().max(1)).copied().unwrap_or(0);
                let prev = &toks[i - 1];
                let glue_ok = prev.glues() || t.glues() || matches!(prev, Tok::Neg);
                let gap = match choice % 16 {
                    0..=5 => " ".to_string(),
                    6 if glue_ok => String::new(),
                    7 | 6 => "  ".to_string(),
                    8 => "\n".to_string(),
                    9 => "\n      ".to_string(),
                    10 => "\t".to_string(),
                    11 if in_hole => " # hole note\n".to_string(),
                    11 => format!(" {}\n", COMMENTS[usize::from(choice / 16) % COMMENTS.len()]),
                    12 if !in_hole => format!(
                        "\n  {}\n  ",
                        COMMENTS[usize::from(choice / 16) % COMMENTS.len()]
                    ),
                    13 if !in_hole => "\n\n".to_string(),
                    _ if glue_ok => String::new(),
                    _ => " ".to_string(),
                };
                s.push_str(&gap);
            }
            s.push_str(t.text());
        }
        s
    }
}

fn gaps() -> impl Strategy<Value = Gaps> {
    prop::collection::vec(any::<u8>(), 1..40).prop_map(Gaps)
}

/// A template: text and `{EXPR}` holes, holes without strings.
fn template() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        string_lit(true).prop_map(|s| s[1..s.len() - 1].to_string()),
        (expr_tokens(false), gaps()).prop_map(|(toks, g)| format!("{{{}}}", g.join(&toks, true))),
    ];
    prop::collection::vec(part, 0..4).prop_map(|parts| format!("\"{}\"", parts.concat()))
}

fn field() -> impl Strategy<Value = Vec<Tok>> {
    let value: BoxedStrategy<(&str, Vec<Tok>)> = prop_oneof![
        4 => expr_tokens(true).prop_map(|t| ("when", t)),
        1 => duration().prop_map(|d| ("for", vec![w(d)])),
        1 => (prop::sample::select(vec!["title", "source"]), string_lit(false))
            .prop_map(|(k, s)| (k, vec![w(s)])),
        1 => (prop::sample::select(vec!["summary", "description"]), template())
            .prop_map(|(k, s)| (k, vec![w(s)])),
        1 => (prop::collection::vec(string_lit(false), 0..3), any::<bool>()).prop_map(|(tags, trailing)| {
            let mut toks = vec![Tok::Punct("[")];
            let n = tags.len();
            for (i, t) in tags.into_iter().enumerate() {
                toks.push(w(t));
                if i + 1 < n || (trailing && n > 0) {
                    toks.push(Tok::Punct(","));
                }
            }
            toks.push(Tok::Punct("]"));
            ("tags", toks)
        }),
        1 => prop::sample::select(vec!["info", "watch", "warning", "critical"])
            .prop_map(|s| ("severity", vec![w(s)])),
    ]
    .boxed();
    value.prop_map(|(key, toks)| {
        let mut v = vec![w(key), Tok::Punct(":")];
        v.extend(toks);
        v
    })
}

fn item() -> impl Strategy<Value = Vec<Tok>> {
    prop_oneof![
        (name(), series_expr(true, true)).prop_map(|(n, e)| {
            let mut v = vec![w("series"), w(n), Tok::Punct("=")];
            v.extend(e);
            v
        }),
        (name(), expr_tokens(true)).prop_map(|(n, e)| {
            let mut v = vec![w("let"), w(n), Tok::Punct("=")];
            v.extend(e);
            v
        }),
        (
            prop::sample::select(vec!["indicator", "alert"]),
            name(),
            prop::collection::vec(field(), 0..5),
        )
            .prop_map(|(kind, n, fields)| {
                let mut v = vec![w(kind), w(n), Tok::Punct("{")];
                v.extend(fields.into_iter().flatten());
                v.push(Tok::Punct("}"));
                v
            }),
    ]
}

fn rule_file() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((item(), gaps(), 0u8..6), 0..5),
        prop::option::of(prop::sample::select(COMMENTS.to_vec())),
    )
        .prop_map(|(items, tail)| {
            let mut s = String::new();
            for (toks, g, sep) in items {
                s.push_str(match sep {
                    0 => "\n\n",
                    1 => "\n# between items\n",
                    2 => "\n\n# after a blank\n\n",
                    3 => " ",
                    _ => "\n",
                });
                s.push_str(&g.join(&toks, false));
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
    fn generated_files_keep_their_meaning_and_settle(text in rule_file()) {
        if let Err(e) = check_round_trip("generated", &text) {
            prop_assert!(false, "{}\n--- input:\n{}", e, text);
        }
    }

    #[test]
    fn any_text_is_formatted_or_refused_cleanly(text in "\\PC*") {
        if format_source(FileId(0), &text).is_ok() {
            if let Err(e) = check_round_trip("text", &text) {
                prop_assert!(false, "{}", e);
            }
        }
    }

    #[test]
    fn rule_like_text_is_formatted_or_refused_cleanly(
        text in "(indicator|alert|let|series| |\\{|\\}|when:|for:|[a-z]{1,4}|[0-9]{1,4}|[-+*/<>=!~%.,:\\[\\]()\"]|mo|\\n|# c\\n)*"
    ) {
        if format_source(FileId(0), &text).is_ok() {
            if let Err(e) = check_round_trip("rule-like", &text) {
                prop_assert!(false, "{}", e);
            }
        }
    }
}

//! The documentation keeps up with the code: every diagnostic code has an
//! entry in docs/errors.md, and the examples of the pages print what they
//! show.

use std::io::ErrorKind;
use std::path::Path;
use std::process::Command;
use tocsin::diag::Code;

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/errors.md"))
        .unwrap_or_default();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !doc.contains(&format!("## {c}:")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/errors.md lacks sections for {missing:?}"
    );
}

/// Rule snippets in the README and the language reference parse.
#[test]
fn rule_snippets_in_the_docs_parse() {
    use tocsin::diag::{render, FileId, SourceMap};
    for doc in ["README.md", "docs/language.md"] {
        let text =
            std::fs::read_to_string(format!("{}/{doc}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let mut in_block = false;
        let mut block = String::new();
        let mut checked = 0;
        for line in text.lines() {
            if line.starts_with("```") {
                let is_rules = ["indicator ", "series ", "let ", "alert "]
                    .iter()
                    .any(|k| block.lines().any(|l| l.trim_start().starts_with(k)));
                if in_block && is_rules && !block.contains("tocsin ") {
                    let (_, diags) = tocsin::lang::parser::parse_file(FileId(0), &block);
                    let mut sources = SourceMap::new();
                    sources.add(doc, block.as_str());
                    assert!(
                        diags.is_empty(),
                        "{doc}:\n{}",
                        render::to_plain_string(&diags, &sources)
                    );
                    checked += 1;
                }
                in_block = !in_block;
                block.clear();
            } else if in_block {
                block.push_str(line);
                block.push('\n');
            }
        }
        assert!(checked >= 1, "{doc}: expected rule snippets");
    }
}

/// One example of docs/errors.md: the files it sets up, the command it
/// runs and what the page says tocsin printed.
#[derive(Debug)]
struct Example {
    code: String,
    /// Line of the expected output in the page, for messages.
    line: usize,
    /// Each path of the example's folder and what goes there.
    files: Vec<(String, Entry)>,
    args: Vec<String>,
    expected: String,
}

/// What an example puts at a path of its folder.
#[derive(Debug)]
enum Entry {
    /// A file the page shows whole, or that a `printf` of the page writes.
    File(Vec<u8>),
    /// A file too large for the page, built by `build`; `shown` is the
    /// page's block showing it in part, where the page has one.
    Generated {
        build: Generator,
        shown: Option<String>,
    },
    /// A symbolic link to this target (`ln -s`).
    Link(String),
    /// A named pipe (`mkfifo`).
    Fifo,
}

/// Builds a file that the page shows only in part.
type Generator = fn() -> Vec<u8>;

/// Sections whose example is not run, and why.
const NOT_RUN: [(&str, &str); 1] = [("E015", "only a formatter bug produces it")];

/// The files of docs/errors.md too large to show, built as the text of
/// their section describes them: for each example of a section, in the
/// order of the page, the path of each file and how to build it. A block
/// of the page that shows one of them in part must match it (`shows`).
const GENERATED: [(&str, &[(&str, Generator)]); 10] = [
    (
        "E006",
        &[("rules/x.rules", || padded("let big = 1", b'0', 309, "\n"))],
    ),
    (
        "E016",
        &[("rules/x.rules", || {
            let terms = "  latest(gauge) +\n".repeat(298);
            format!("let total = latest(gauge) +\n{terms}  0\n").into()
        })],
    ),
    (
        "E208",
        &[("rules/x.rules", || {
            let lets = numbered(0..1000, |i| format!("let l{i} = l{} + 1\n", i + 1));
            format!("{lets}let l1000 = 1\n").into()
        })],
    ),
    (
        "E208",
        &[("rules/x.rules", || {
            let sum = " + 1".repeat(250);
            let lets = numbered(0..80, |i| format!("let l{i} = l{}{sum}\n", i + 1));
            format!("indicator big {{ when: l0 > 0 }}\n{lets}let l80 = latest(gauge)\n").into()
        })],
    ),
    (
        "E311",
        &[
            // One comment line of 70,027 bytes.
            ("rules/a.rules", || padded("# ", b'x', 70_025, "\n")),
            // A comment line of 17,825,795 bytes: 17 MiB of `x`s.
            ("rules/big.rules", || padded("# ", b'x', 17 << 20, "\n")),
        ],
    ),
    (
        "E214",
        &[("indicators/events.csv", || {
            format!(
                "date,id\n{}",
                numbered(0..10_001, |i| format!("2025-01-01,e{i}\n"))
            )
            .into()
        })],
    ),
    (
        "E312",
        &[("indicators/feed.ndjson", || {
            numbered(0..10_001, |i| {
                format!("{{\"date\":\"2025-01-01\",\"id_{i}\":true}}\n")
            })
            .into()
        })],
    ),
    (
        "E312",
        &[("indicators/wide.csv", || {
            let header = numbered(0..5000, |i| format!(",c{i}"));
            let empty = ",".repeat(5000);
            let rows = numbered(0..201, |i| format!("s{i},2025-01-01{empty}\n"));
            format!("series,date{header}\n{rows}").into()
        })],
    ),
    (
        "E313",
        &[("indicators/wide.csv", || {
            format!("date{}\n", numbered(0..10_000, |i| format!(",c{i}"))).into()
        })],
    ),
    (
        "E314",
        &[("indicators/notes.csv", || {
            padded("date,note\n2025-01-01,a\n2025-01-02,", b'x', 1 << 20, "\n")
        })],
    ),
];

/// `head`, `n` times the byte `fill`, then `tail`, in one allocation: the
/// file of 17 MiB is held once.
fn padded(head: &str, fill: u8, n: usize, tail: &str) -> Vec<u8> {
    // `vec!` of a byte is one memset, also in a test build.
    let mut bytes = vec![fill; head.len() + n + tail.len()];
    bytes[..head.len()].copy_from_slice(head.as_bytes());
    bytes[head.len() + n..].copy_from_slice(tail.as_bytes());
    bytes
}

/// `line(i)` for each `i` of `range`, one after the other.
fn numbered(range: std::ops::Range<usize>, line: impl Fn(usize) -> String) -> String {
    range.map(line).collect()
}

/// What a block shows of a file, in order: `…` within a line, and a line
/// that is `…` or a comment `# ...`, stand for what is left out.
fn shown_parts(block: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    for line in block.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed == "…" || trimmed.starts_with("# ...") {
            parts.push(String::new());
            continue;
        }
        for (k, piece) in line.split('…').enumerate() {
            if k > 0 {
                parts.push(String::new());
            }
            parts.last_mut().unwrap().push_str(piece);
        }
    }
    parts
}

/// Whether `file` is what `block` shows of it: the first part at its
/// start, the last at its end, and the others between them in order.
fn shows(block: &str, file: &[u8]) -> bool {
    let parts = shown_parts(block);
    let Some(rest) = std::str::from_utf8(file)
        .ok()
        .and_then(|f| f.strip_prefix(parts[0].as_str()))
    else {
        return false;
    };
    let Some((last, between)) = parts[1..].split_last() else {
        return rest.is_empty();
    };
    let Some(mut rest) = rest.strip_suffix(last.as_str()) else {
        return false;
    };
    for part in between {
        match rest.find(part.as_str()) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// The data files every rule example of docs/errors.md sits next to, as
/// its "About the examples" paragraph describes them.
const GAUGE: &str = "date,value\n2025-01-01,3\n2025-01-02,5\n";
const ATTACKS: &str = "date,actor1,fatalities\n2025-01-01,Houthi rebels,2\n";
/// The rules beside every test example (`E4xx`).
const TEST_RULES: &str =
    "series houthi = attacks[actor1 ~ \"houthi\"]\nlet limit = 4\nindicator high { when: latest(gauge) > limit }\n";

/// `printf 'TEXT' > PATH` of a shell block: the file it writes.
fn printf_file(command: &str) -> (String, Vec<u8>) {
    let rest = command.strip_prefix("printf '").expect("a printf command");
    let (text, path) = rest.split_once("' > ").expect("printf 'TEXT' > PATH");
    let mut bytes = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => bytes.push(b'\n'),
                Some('x') => {
                    let hex: String = chars.by_ref().take(2).collect();
                    bytes.push(u8::from_str_radix(&hex, 16).unwrap());
                }
                other => panic!("unknown printf escape {other:?}"),
            },
            _ => bytes.extend_from_slice(c.to_string().as_bytes()),
        }
    }
    (path.trim().to_string(), bytes)
}

/// One line of a shell block (`printf`, `ln -s`, `mkfifo`): the path it
/// sets up and what goes there.
fn shell_command(line: &str) -> (String, Entry) {
    match line.split_whitespace().collect::<Vec<_>>()[..] {
        ["ln", "-s", target, path] => (path.to_string(), Entry::Link(target.to_string())),
        ["mkfifo", path] => (path.to_string(), Entry::Fifo),
        _ => {
            let (path, bytes) = printf_file(line);
            (path, Entry::File(bytes))
        }
    }
}

/// Puts the files that GENERATED builds for the `nth` example of section
/// `code` in place of the blocks that show them in part. A block that
/// leaves something out must be one of them.
fn take_generated(code: &str, nth: usize, files: &mut Vec<(String, Entry)>) {
    let generated = GENERATED.iter().filter(|(c, _)| *c == code).nth(nth);
    for (path, build) in generated.map_or(&[][..], |(_, built)| built) {
        let shown = files
            .iter()
            .position(|(p, _)| p == path)
            .map(|k| match files.remove(k).1 {
                Entry::File(bytes) => String::from_utf8(bytes).unwrap(),
                other => panic!("docs/errors.md ({code}): {path} is {other:?}, not a block"),
            });
        files.push((
            path.to_string(),
            Entry::Generated {
                build: *build,
                shown,
            },
        ));
    }
    for (path, entry) in files.iter() {
        if let Entry::File(bytes) = entry {
            assert!(
                shown_parts(&String::from_utf8_lossy(bytes)).len() == 1,
                "docs/errors.md ({code}): the block of {path} leaves something out, and GENERATED does not build it"
            );
        }
    }
}

/// Every example of docs/errors.md, and the codes of the sections with one
/// that was not taken.
fn error_examples(doc: &str) -> (Vec<Example>, Vec<String>) {
    let mut examples = Vec::new();
    let mut skipped = Vec::new();
    let mut code = String::new();
    let mut prose = String::new();
    let mut files: Vec<(String, Entry)> = Vec::new();
    // Examples of the section so far.
    let mut nth = 0;
    let mut lines = doc.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        if let Some(title) = line.strip_prefix("## ") {
            code = title.split(':').next().unwrap_or_default().to_string();
            prose.clear();
            files.clear();
            nth = 0;
            continue;
        }
        let Some(info) = line.strip_prefix("```") else {
            prose.push_str(line);
            prose.push('\n');
            continue;
        };
        let mut block = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            block.push_str(l);
            block.push('\n');
        }
        if code.is_empty() {
            continue;
        }
        let is_test = code.starts_with("E4");
        match info {
            "" if is_test => files.push(("rules/x.test".into(), Entry::File(block.into_bytes()))),
            "" => files.push(("rules/x.rules".into(), Entry::File(block.into_bytes()))),
            "csv" | "json" => {
                let at = prose.rfind("`indicators/").expect("the data file is named");
                let name = prose[at + 1..].split('`').next().unwrap().to_string();
                files.push((name, Entry::File(block.into_bytes())));
            }
            "sh" => files.extend(block.lines().map(shell_command)),
            "text" => {
                if NOT_RUN.iter().any(|(c, _)| *c == code) {
                    if !skipped.contains(&code) {
                        skipped.push(code.clone());
                    }
                    continue;
                }
                take_generated(&code, nth, &mut files);
                nth += 1;
                let args: Vec<String> = match prose.split("The example runs `tocsin ").nth(1) {
                    Some(rest) => rest
                        .split('`')
                        .next()
                        .unwrap()
                        .split_whitespace()
                        .map(String::from)
                        .collect(),
                    None if is_test => vec!["test".into()],
                    None => vec!["check".into()],
                };
                let mut all: Vec<(String, Entry)> = Vec::new();
                if !prose.contains("in an empty folder") {
                    let has_rules = files.iter().any(|(p, _)| p == "rules/x.rules");
                    let has_data = files.iter().any(|(p, _)| p.starts_with("indicators/"));
                    if is_test {
                        all.push(("rules/x.rules".into(), Entry::File(TEST_RULES.into())));
                    } else if !has_rules {
                        all.push(("rules/x.rules".into(), Entry::File(Vec::new())));
                    }
                    if !has_data {
                        all.push(("indicators/gauge.csv".into(), Entry::File(GAUGE.into())));
                        all.push(("indicators/attacks.csv".into(), Entry::File(ATTACKS.into())));
                    }
                }
                all.append(&mut files);
                examples.push(Example {
                    code: code.clone(),
                    line: i + 2,
                    files: all,
                    args,
                    expected: block,
                });
            }
            _ => {}
        }
    }
    (examples, skipped)
}

/// Sets up the files of `ex` in `dir`, building each generated one once
/// and checking it against the page's block; `Err` with the reason when
/// this machine cannot (no `mkfifo`).
fn set_up(dir: &Path, ex: &Example) -> Result<(), &'static str> {
    for (path, entry) in &ex.files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        match entry {
            Entry::File(bytes) => std::fs::write(p, bytes).unwrap(),
            Entry::Generated { build, shown } => {
                let bytes = build();
                assert!(
                    shown.as_ref().is_none_or(|block| shows(block, &bytes)),
                    "docs/errors.md ({}): the block of {path} does not show the file GENERATED builds",
                    ex.code
                );
                std::fs::write(p, bytes).unwrap();
            }
            Entry::Link(target) => std::os::unix::fs::symlink(target, p).unwrap(),
            Entry::Fifo => match Command::new("mkfifo").arg(&p).status() {
                Ok(status) => assert!(status.success(), "mkfifo {}", p.display()),
                Err(e) if e.kind() == ErrorKind::NotFound => return Err("mkfifo is not installed"),
                Err(e) => panic!("mkfifo {}: {e}", p.display()),
            },
        }
    }
    Ok(())
}

/// What tocsin printed to stderr, without the closing summary line the
/// page leaves out and without trailing blanks, at the end or at the end of
/// a line (a page cannot keep those).
fn shown(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("check failed: ") && !l.starts_with("test stopped: "))
        .map(str::trim_end)
        .collect();
    kept.join("\n").trim_end().to_string()
}

/// Runs each example as the page describes it; for each that does not
/// print what the page shows, with the section's code and the exit status
/// that goes with it (2 for an error, 0 for a warning), what it printed.
fn run_examples<'a>(examples: impl Iterator<Item = &'a Example>) -> Vec<String> {
    let mut wrong = Vec::new();
    for ex in examples {
        let dir = tempfile::TempDir::new().unwrap();
        if let Err(why) = set_up(dir.path(), ex) {
            println!("docs/errors.md:{} ({}) not run: {why}", ex.line, ex.code);
            continue;
        }
        let out = crate::common::tocsin(dir.path())
            .args(&ex.args)
            .output()
            .unwrap();
        let actual = shown(&out.stderr);
        let expected = ex.expected.trim_end();
        let want_exit = if expected.starts_with("warning") {
            0
        } else {
            2
        };
        let has_code = expected.contains(&format!("[{}]", ex.code));
        if actual != expected || out.status.code() != Some(want_exit) || !has_code {
            wrong.push(format!(
                "docs/errors.md:{} ({}; tocsin {}): exit {:?}, want {want_exit}; page shows\n{expected}\ntocsin printed\n{actual}",
                ex.line,
                ex.code,
                ex.args.join(" "),
                out.status.code()
            ));
        }
    }
    wrong
}

/// Whether some file of `ex` is built by GENERATED.
fn is_built(ex: &Example) -> bool {
    ex.files
        .iter()
        .any(|(_, entry)| matches!(entry, Entry::Generated { .. }))
}

/// Every example of docs/errors.md whose files the page shows prints what
/// the page shows, and every code but those of NOT_RUN has an example.
#[test]
fn every_example_in_the_error_codes_page_prints_what_it_shows() {
    let doc = std::fs::read_to_string(crate::common::root().join("docs/errors.md")).unwrap();
    let (examples, skipped) = error_examples(&doc);
    let wrong = run_examples(examples.iter().filter(|ex| !is_built(ex)));
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    let run: Vec<&str> = examples.iter().map(|e| e.code.as_str()).collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !run.contains(c) && !skipped.iter().any(|s| s == c))
        .collect();
    assert!(missing.is_empty(), "no example run for {missing:?}");
    assert_eq!(skipped.len(), NOT_RUN.len(), "{skipped:?}");
}

/// The examples of docs/errors.md whose files are too large to show,
/// built by GENERATED, print what the page shows. Apart from the others,
/// so that the two run side by side: these take most of the time.
#[test]
fn every_example_too_large_to_show_prints_what_the_page_shows() {
    let doc = std::fs::read_to_string(crate::common::root().join("docs/errors.md")).unwrap();
    let (examples, _) = error_examples(&doc);
    let built = examples.iter().filter(|ex| is_built(ex)).count();
    assert_eq!(
        built,
        GENERATED.len(),
        "an entry of GENERATED has no example"
    );
    let wrong = run_examples(examples.iter().filter(|ex| is_built(ex)));
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// The rule blocks of docs/language.md check clean next to data that has
/// the series and fields they name, and the template block prints every
/// placeholder.
#[test]
fn the_language_page_blocks_check_and_evaluate() {
    let doc = std::fs::read_to_string(crate::common::root().join("docs/language.md")).unwrap();
    let blocks: Vec<&str> = doc.split("```\n").skip(1).step_by(2).collect();
    let [series, ref middle @ .., template] = blocks[..] else {
        panic!(
            "docs/language.md: expected at least two blocks, found {}",
            blocks.len()
        );
    };
    buckets_and_feeds_blocks_check(middle);
    let template = template
        .trim()
        .strip_prefix("summary: ")
        .expect("the template block is a `summary:` field");
    let rules =
        format!("{series}\nindicator summarised {{\n  when: true\n  summary: {template}\n}}\n");
    let dir = crate::common::project(&[
        ("rules/x.rules", &rules),
        (
            "indicators/red_sea_attacks.csv",
            "date,actor,fatalities,target\n2025-07-01,Houthi,1,tanker\n2025-07-05,Houthi,2,bulk carrier\n2025-07-09,Houthi,1,tanker\n",
        ),
        (
            "indicators/pla_aircraft_daily.csv",
            "date,pla_aircraft_sorties\n2024-07-10,10\n2025-07-10,30\n",
        ),
    ]);
    let out = crate::common::tocsin(dir.path())
        .args(["check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out.stderr));
    assert_eq!(shown(&out.stderr), "");
    let out = crate::common::tocsin(dir.path())
        .args(["eval", "--at", "2025-07-20", "--format", "json"])
        .output()
        .unwrap();
    let board: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = board["results"].as_array().unwrap();
    let find = |name: &str| results.iter().find(|r| r["name"] == name).unwrap();
    assert_eq!(find("deadly")["status"], "met");
    assert_eq!(
        find("summarised")["summary"],
        "PLA sorties 200% on a year ago; last report 10 days ago"
    );
}

/// The blocks between the first and the last of docs/language.md (calendar
/// buckets and feeds) check clean, together, next to data holding the
/// series and fields they name, and evaluate.
fn buckets_and_feeds_blocks_check(blocks: &[&str]) {
    assert!(
        blocks.len() >= 3,
        "the buckets and feeds blocks: {blocks:?}"
    );
    let rules = blocks.concat();
    let dir = crate::common::project(&[
        ("rules/x.rules", &rules),
        (
            "indicators/red_sea_attacks.csv",
            "date,actor\n2025-07-01,Houthi\n2025-07-09,Houthi\n",
        ),
        (
            "indicators/pla_daily.csv",
            "date,sorties\n2025-06-30,700\n2025-07-01,20\n2025-07-01,20\n",
        ),
        (
            "indicators/acled.csv",
            "date,actor1,country,fatalities\n2025-06-03,Houthi rebels,Yemen,1\n2025-07-19,Houthi rebels,Yemen,4\n",
        ),
    ]);
    let out = crate::common::tocsin(dir.path())
        .args(["check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out.stderr));
    assert_eq!(shown(&out.stderr), "");
    let out = crate::common::tocsin(dir.path())
        .args(["eval", "--at", "2025-07-20", "--format", "json"])
        .output()
        .unwrap();
    let board: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = board["results"].as_array().unwrap();
    let find = |name: &str| results.iter().find(|r| r["name"] == name).unwrap();
    // June's one day of 700 is the latest complete month; July is not.
    assert_eq!(find("busy_month")["status"], "met");
    assert_eq!(find("acled_export_lagging")["status"], "not_met");
}

/// The values docs/language.md states in its prose (`percent(3.0)` is
/// `300%`, ...) are what tocsin prints for them in a template.
#[test]
fn the_language_page_values_are_what_tocsin_prints() {
    let doc = std::fs::read_to_string(crate::common::root().join("docs/language.md")).unwrap();
    // (what the page says, the expression, what a template prints)
    let claims = [
        ("(`percent(3.0)` is `300%`)", "percent(3.0)", "300%"),
        ("(`1.23456` → `1.23`", "1.23456", "1.23"),
        ("`2.0` → `2`)", "2.0", "2"),
        ("Division by zero is `none`", "1 / 0", "unknown"),
        ("`none` as `unknown`", "none", "unknown"),
        ("`false and none` is\n`false`", "false and none", "false"),
        ("`true or none` is `true`", "true or none", "true"),
        ("`not none` is `none`", "not none", "unknown"),
        (
            "2024-03-31\nminus `1mo` is 2024-02-29",
            "2024-03-31 - 1mo",
            "2024-02-29",
        ),
    ];
    let mut rules = String::new();
    for (i, (said, expr, _)) in claims.iter().enumerate() {
        assert!(
            doc.contains(said),
            "docs/language.md no longer says {said:?}"
        );
        rules.push_str(&format!(
            "indicator claim{i} {{ when: true summary: \"{{{expr}}}\" }}\n"
        ));
    }
    let dir = crate::common::project(&[("rules/x.rules", &rules)]);
    let out = crate::common::tocsin(dir.path())
        .args(["eval", "--at", "2025-07-20", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out.stderr));
    let board: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (i, (said, expr, printed)) in claims.iter().enumerate() {
        let r = board["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == format!("claim{i}"))
            .unwrap();
        assert_eq!(r["summary"], *printed, "{said}: `{expr}`");
    }
}

//! The documentation keeps up with the code: every diagnostic code has an
//! entry in docs/errors.md.

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
    files: Vec<(String, Vec<u8>)>,
    args: Vec<String>,
    expected: String,
}

/// Sections whose example is not a file one can set up here, and why;
/// what they show is tested elsewhere.
const NOT_RUN: [(&str, &str); 9] = [
    ("E006", "the 310-digit number is elided; tests/it/cli.rs (absurd_literals_get_clear_errors) writes one"),
    ("E015", "only a formatter bug produces it"),
    ("E016", "the 256-line expression is elided; tests/it/hardening_lang.rs builds one"),
    ("E208", "the example file is elided (1,000 definitions); tests/it/cli.rs and tests/it/hardening_lang.rs build it"),
    ("E311", "the example needs a 16 MiB file; tests/it/cli.rs builds one"),
    ("E312", "the 10,001-line file is elided; tests/it/hardening_data.rs builds one"),
    ("E313", "the 10,001-column header is elided; tests/it/hardening_data.rs builds one"),
    ("E314", "the 1 MiB line is elided; tests/it/hardening_data.rs builds one"),
    ("E315", "a link into /proc and a FIFO, made by tests/it/hardening_data.rs"),
];

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

/// Every example of docs/errors.md, and the codes of the sections with one
/// that was not taken.
fn error_examples(doc: &str) -> (Vec<Example>, Vec<String>) {
    let mut examples = Vec::new();
    let mut skipped = Vec::new();
    let mut code = String::new();
    let mut prose = String::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        if let Some(title) = line.strip_prefix("## ") {
            code = title.split(':').next().unwrap_or_default().to_string();
            prose.clear();
            files.clear();
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
            "" if is_test => files.push(("rules/x.test".into(), block.into_bytes())),
            "" => files.push(("rules/x.rules".into(), block.into_bytes())),
            "csv" | "json" => {
                let at = prose.rfind("`indicators/").expect("the data file is named");
                let name = prose[at + 1..].split('`').next().unwrap().to_string();
                files.push((name, block.into_bytes()));
            }
            "sh" if NOT_RUN.iter().any(|(c, _)| *c == code) => {}
            "sh" => files.push(printf_file(block.trim())),
            "text" => {
                if NOT_RUN.iter().any(|(c, _)| *c == code) {
                    if !skipped.contains(&code) {
                        skipped.push(code.clone());
                    }
                    continue;
                }
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
                let mut all: Vec<(String, Vec<u8>)> = Vec::new();
                if !prose.contains("in an empty folder") {
                    let has_rules = files.iter().any(|(p, _)| p == "rules/x.rules");
                    let has_data = files.iter().any(|(p, _)| p.starts_with("indicators/"));
                    if is_test {
                        all.push(("rules/x.rules".into(), TEST_RULES.into()));
                    } else if !has_rules {
                        all.push(("rules/x.rules".into(), Vec::new()));
                    }
                    if !has_data {
                        all.push(("indicators/gauge.csv".into(), GAUGE.into()));
                        all.push(("indicators/attacks.csv".into(), ATTACKS.into()));
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

/// Every example of docs/errors.md, run as the page describes it, prints
/// what the page shows, with the section's code and the exit status that
/// goes with it (2 for an error, 0 for a warning).
#[test]
fn every_example_in_the_error_codes_page_prints_what_it_shows() {
    let doc = std::fs::read_to_string(crate::common::root().join("docs/errors.md")).unwrap();
    let (examples, skipped) = error_examples(&doc);
    let mut wrong = Vec::new();
    for ex in &examples {
        let dir = tempfile::TempDir::new().unwrap();
        for (path, bytes) in &ex.files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
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
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    // Every code has its example run, or a reason above not to.
    let run: Vec<&str> = examples.iter().map(|e| e.code.as_str()).collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !run.contains(c) && !skipped.iter().any(|s| s == c))
        .collect();
    assert!(missing.is_empty(), "no example run for {missing:?}");
    assert_eq!(skipped.len(), NOT_RUN.len(), "{skipped:?}");
}

/// The rule blocks of docs/language.md check clean next to data that has
/// the series and fields they name, and the template block prints every
/// placeholder.
#[test]
fn the_language_page_blocks_check_and_evaluate() {
    let doc = std::fs::read_to_string(crate::common::root().join("docs/language.md")).unwrap();
    let blocks: Vec<&str> = doc.split("```\n").skip(1).step_by(2).collect();
    let [series, template] = blocks[..] else {
        panic!(
            "docs/language.md: expected two blocks, found {}",
            blocks.len()
        );
    };
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

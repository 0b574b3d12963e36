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

//! `tocsin report` on the shipped example: one self-contained, well-formed
//! HTML page naming every rule. What a real browser makes of it is in
//! `tests/external/report_browser.rs`.

use crate::common::{root, tocsin};
use tempfile::TempDir;

/// The values of every `attr="..."` in the page.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let key = format!(" {attr}=\"");
    html.match_indices(&key)
        .map(|(i, _)| {
            let rest = &html[i + key.len()..];
            &rest[..rest.find('"').unwrap_or(rest.len())]
        })
        .collect()
}

const VOID: [&str; 6] = ["meta", "link", "br", "hr", "img", "input"];

/// Checks that every element is closed, in order, and returns how many
/// times each name opened. The content of `<style>` is skipped.
fn check_nesting(html: &str) -> std::collections::HashMap<String, usize> {
    let mut opened = std::collections::HashMap::new();
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let end = rest.find('>').expect("a tag is never left open");
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack.pop();
            assert_eq!(top.as_deref(), Some(name), "</{name}> closes {top:?}");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(!name.is_empty(), "a `<` that starts no tag: <{tag}>");
        *opened.entry(name.clone()).or_insert(0) += 1;
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "style" {
            let close = rest.find("</style>").expect("<style> is closed");
            rest = &rest[close..];
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "never closed: {stack:?}");
    opened
}

#[test]
fn the_report_is_self_contained_and_well_formed() {
    let dir = TempDir::new().unwrap();
    let (_, html) = crate::common::example_report(dir.path());
    let lower = html.to_ascii_lowercase();

    // Self-contained: nothing fetched, nothing run.
    assert!(!lower.contains("<script"), "the page runs no script");
    for attr in ["src", "href", "xlink:href", "action", "poster", "srcset"] {
        for v in attribute_values(&lower, attr) {
            assert!(
                !v.contains("http://") && !v.contains("https://") && !v.starts_with("//"),
                "{attr}=\"{v}\" points off the page"
            );
        }
    }
    for v in attribute_values(&lower, "href") {
        assert!(
            v.starts_with('#'),
            "href=\"{v}\" is not a link within the page"
        );
    }
    for fetching in [
        "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(",
    ] {
        assert!(!lower.contains(fetching), "{fetching} in the page");
    }

    // Accessible skeleton.
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<title>Warning board at 2025-07-20 · tocsin</title>"));
    assert!(html.contains("<meta charset=\"utf-8\">"));

    // Well-formed enough: every element closed, in order.
    let opened = check_nesting(&html);
    for (name, n) in [
        ("html", 1),
        ("head", 1),
        ("body", 1),
        ("main", 1),
        ("style", 1),
    ] {
        assert_eq!(opened.get(name), Some(&n), "<{name}>");
    }
    assert_eq!(
        opened.get("section"),
        Some(&4),
        "board, feeds, data, history"
    );

    // Every rule has a card and a row in the history.
    let names = crate::common::example_rule_names();
    assert_eq!(opened.get("article"), Some(&names.len()));
    for name in &names {
        assert!(
            html.contains(&format!("id=\"rule-{name}\"")),
            "no card for {name}"
        );
        assert!(
            html.contains(&format!("<a href=\"#rule-{name}\"><code>{name}</code></a>")),
            "no history row for {name}"
        );
    }
    // Every SVG is labelled, and no coordinate is NaN or infinite.
    assert_eq!(
        opened.get("svg").copied(),
        opened.get("title").map(|t| t - 1)
    );
    for attr in [
        "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height", "d", "viewbox",
    ] {
        for v in attribute_values(&lower, attr) {
            assert!(
                v.chars()
                    .all(|c| c.is_ascii_digit() || " .-ml%".contains(c)),
                "{attr}=\"{v}\""
            );
        }
    }
    assert!(!html.contains("NaN"));
    // The scenario's story is on the page.
    assert!(html.contains("6 of 12 alerts met: 1 critical, 3 warning, 1 watch, 1 info."));
    assert!(html.contains("Met on 2025-07-27 if the condition still holds then"));
}

#[test]
fn report_arguments() {
    // To standard output, the same page.
    let out = tocsin(root())
        .args([
            "report",
            "--at",
            "2025-07-20",
            "--from",
            "2025-01-01",
            "-o",
            "-",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("from 2025-01-01 to 2025-07-20"));
    // --from after --at, and a missing -o, are bad arguments.
    tocsin(root())
        .args([
            "report",
            "--at",
            "2025-07-20",
            "--from",
            "2025-08-01",
            "-o",
            "-",
        ])
        .assert()
        .code(2)
        .stdout("");
    tocsin(root()).args(["report"]).assert().code(2);
}

#[test]
fn the_example_on_a_later_date_marks_its_stale_feeds_and_the_rules_they_leave_unknown() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("report.html");
    tocsin(root())
        .args(["report", "--at", "2026-12-02", "-o"])
        .arg(&file)
        .assert()
        .success();
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains("Feeds <span class=\"count\">2 stale of 9</span>"));
    for (feed, newest, after, rule) in [
        (
            "pla_aircraft_monthly",
            "2026-08-31",
            "45d",
            "pla_sorties_rising",
        ),
        ("red_sea_attacks", "2025-09-29", "120d", "houthi_tempo_high"),
    ] {
        let at = html.find(&format!("id=\"feed-{feed}\"")).unwrap();
        let row = &html[html[..at].rfind("<tr").unwrap()..][..html[at..].find("</tr>").unwrap()];
        assert!(row.starts_with("<tr class=\"feed-stale\""), "{row}");
        assert!(row.contains(&format!("<a href=\"#rule-{rule}\">")), "{row}");
        let at = html.find(&format!("id=\"rule-{rule}\"")).unwrap();
        let card = &html[at..][..html[at..].find("</article>").unwrap()];
        assert!(card.contains("✗ stale feed"), "{card}");
        assert!(
            card.contains(&format!("stale: newest observation of <code>{feed}</code> {newest}, more than {after} before 2026-12-02 <a href=\"#feed-{feed}\">feed</a>")),
            "{card}"
        );
    }
    // The alert over the Red Sea rules says why too.
    let at = html.find("id=\"rule-red_sea_shipping_alert\"").unwrap();
    let card = &html[at..][..html[at..].find("</article>").unwrap()];
    assert!(
        card.contains("<a href=\"#feed-red_sea_attacks\">feed</a>"),
        "{card}"
    );
}

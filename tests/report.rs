//! `tocsin report` on the shipped example: one self-contained, well-formed
//! HTML page naming every rule, and what a real browser makes of it.
//!
//! The browser is `$TOCSIN_CHROMIUM`, or `chromium` or `chromium-browser`
//! on PATH (`.ci/chromium-setup` installs one). Without one the browser
//! test is skipped, except under CI where it fails.

use assert_cmd::Command;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// How long Chromium may take to render the page.
const PATIENCE: Duration = Duration::from_secs(60);
/// The window the page is rendered in.
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 2400;

fn tocsin() -> Command {
    let mut c = Command::cargo_bin("tocsin").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("TOCSIN_TODAY");
    c
}

/// Writes the example's report for the scenario date into `dir`.
fn write_report(dir: &Path) -> (PathBuf, String) {
    let file = dir.join("report.html");
    let out = tocsin()
        .args(["report", "--at", "2025-07-20", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let html = std::fs::read_to_string(&file).unwrap();
    (file, html)
}

/// Every rule of the example, from `eval --format json`.
fn rule_names() -> Vec<String> {
    let out = tocsin()
        .args(["eval", "--at", "2025-07-20", "--format", "json"])
        .output()
        .unwrap();
    let board: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<String> = board["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.len() > 20, "{names:?}");
    names
}

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
    let (_, html) = write_report(dir.path());
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
    assert_eq!(opened.get("section"), Some(&3), "board, data, history");

    // Every rule has a card and a row in the history.
    let names = rule_names();
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
    let out = tocsin()
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
    tocsin()
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
    tocsin().args(["report"]).assert().code(2);
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TOCSIN_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs Chromium headless on `page` with `extra` arguments; returns its
/// stdout and stderr. Killed, and the test failed, after [`PATIENCE`].
fn chromium(binary: &Path, page: &Path, extra: &[String]) -> (String, String) {
    let profile = TempDir::new().unwrap();
    let out_dir = TempDir::new().unwrap();
    let stdout_path = out_dir.path().join("stdout");
    let stderr_path = out_dir.path().join("stderr");
    let mut child = std::process::Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Chromium did not finish in {PATIENCE:?}; its stderr:\n{}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let read = |p: &Path| {
        let mut s = String::new();
        let _ = std::fs::File::open(p).and_then(|mut f| f.read_to_string(&mut s));
        s
    };
    (read(&stdout_path), read(&stderr_path))
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24, "not a PNG: {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Console messages that mean the page broke.
fn console_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains("Uncaught")
                || l.contains("ERROR:CONSOLE")
                || (l.contains(":CONSOLE") && l.to_ascii_lowercase().contains("error"))
        })
        .collect()
}

#[test]
fn chromium_renders_the_report() {
    let Some(binary) = find_chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("no Chromium: run .ci/chromium-setup (it installs one and prints its path for TOCSIN_CHROMIUM)");
        }
        eprintln!("skipping: no Chromium");
        return;
    };
    let dir = TempDir::new().unwrap();
    let (page, _) = write_report(dir.path());
    let shot = dir.path().join("shot.png");

    let (_, stderr) = chromium(
        &binary,
        &page,
        &[format!("--screenshot={}", shot.display())],
    );
    let errors = console_errors(&stderr);
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
    let png = std::fs::read(&shot)
        .unwrap_or_else(|e| panic!("no screenshot ({e}); Chromium said:\n{stderr}"));
    assert_eq!(png_size(&png), (WIDTH, HEIGHT));
    // A blank page of this size compresses to about 10 KB; cards, colours
    // and text take far more.
    assert!(
        png.len() > 30 * 1024,
        "the screenshot looks blank: {} bytes",
        png.len()
    );

    // The DOM as Chromium built it holds every rule.
    let (dom, stderr) = chromium(&binary, &page, &["--dump-dom".to_string()]);
    let errors = console_errors(&stderr);
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
    assert!(dom.contains("<main>"), "no DOM dumped; stderr:\n{stderr}");
    for name in rule_names() {
        assert!(
            dom.contains(&format!("id=\"rule-{name}\"")),
            "{name} not in the DOM"
        );
    }
    assert!(dom.matches("<svg").count() > 40);
}

#[test]
fn console_errors_are_recognised() {
    let stderr = "[1:1:1127/083141.506914:INFO:CONSOLE:1] \"Uncaught Error: bad\", source: file:///x.html (1)\n[2:2:WARNING:dbus] nothing\n";
    assert_eq!(console_errors(stderr).len(), 1);
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&1280u32.to_be_bytes());
    png.extend_from_slice(&2400u32.to_be_bytes());
    png.extend_from_slice(&[8, 6, 0, 0, 0]);
    assert_eq!(png_size(&png), (1280, 2400));
}

//! What a real browser makes of `tocsin report` on the shipped example: a
//! screenshot with content and no console error, and a DOM holding every
//! rule.
//!
//! The browser is `$TOCSIN_CHROMIUM`, or `chromium` or `chromium-browser`
//! on PATH (`.ci/chromium-setup` installs one). Without one the browser
//! test is skipped, except under CI where it fails.

use crate::common::{example_report, example_rule_names, find_program};
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

pub fn find_chromium() -> Option<PathBuf> {
    find_program("TOCSIN_CHROMIUM", &["chromium", "chromium-browser"])
}

/// Runs Chromium headless on `page` with `extra` arguments; returns its
/// stdout and stderr. Killed, and the test failed, after [`PATIENCE`].
pub fn chromium(binary: &Path, page: &Path, extra: &[String]) -> (String, String) {
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
    let (page, _) = example_report(dir.path());
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
    for name in example_rule_names() {
        assert!(
            dom.contains(&format!("id=\"rule-{name}\"")),
            "{name} not in the DOM"
        );
    }
    assert!(dom.matches("<svg").count() > 40);
    // And the table of feeds, a row for each data series the rules read.
    assert!(dom.contains("<table class=\"feeds\">"), "no Feeds table");
    assert!(dom.matches("<tr class=\"feed-").count() >= 9);
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

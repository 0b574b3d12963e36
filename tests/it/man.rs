//! `tocsin man`: a page per subcommand and tocsin(1), each with the
//! sections a reader looks for, every page another points to present, and
//! none that groff warns about.

use crate::common::{find_program, project, tocsin};
use std::path::Path;

const SECTIONS: [&str; 7] = [
    ".SH NAME",
    ".SH SYNOPSIS",
    ".SH DESCRIPTION",
    ".SH OPTIONS",
    ".SH \"EXIT STATUS\"",
    ".SH EXAMPLES",
    ".SH \"SEE ALSO\"",
];

/// Writes every page into a fresh folder; returns it and the file names.
fn pages() -> (tempfile::TempDir, Vec<String>) {
    let dir = project(&[]);
    let out = tocsin(dir.path())
        .args(["man", "--out", "man1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let listed = String::from_utf8(out.stdout).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(listed.lines().count(), names.len(), "{listed}");
    (dir, names)
}

#[test]
fn a_page_per_command_each_with_every_section() {
    let (dir, names) = pages();
    for sub in [
        "check",
        "eval",
        "watch",
        "explain",
        "backtest",
        "fmt",
        "report",
        "test",
        "history",
        "completions",
        "man",
    ] {
        assert!(names.contains(&format!("tocsin-{sub}.1")), "{names:?}");
    }
    assert!(names.contains(&"tocsin.1".to_string()));
    assert_eq!(names.len(), 12, "{names:?}");
    for name in &names {
        let page = std::fs::read_to_string(dir.path().join("man1").join(name)).unwrap();
        for s in SECTIONS {
            assert!(page.contains(s), "{name} lacks {s}");
        }
        // Every page named is one that exists.
        let plain = page
            .replace("\\fB", "")
            .replace("\\fR", "")
            .replace("\\-", "-");
        for (i, _) in plain.match_indices("(1)") {
            let start = plain[..i]
                .rfind(|c: char| !(c.is_ascii_lowercase() || c == '-'))
                .map_or(0, |s| s + 1);
            let referred = &plain[start..i];
            if referred.starts_with("tocsin") {
                assert!(
                    names.contains(&format!("{referred}.1")),
                    "{name} points at {referred}(1)"
                );
            }
        }
    }
    let eval = std::fs::read_to_string(dir.path().join("man1/tocsin-eval.1")).unwrap();
    for want in [
        "TOCSIN_TODAY",
        "NO_COLOR",
        "CLICOLOR_FORCE",
        "\\-\\-fail\\-on",
    ] {
        assert!(eval.contains(want), "tocsin-eval(1) lacks {want}");
    }
    let watch = std::fs::read_to_string(dir.path().join("man1/tocsin-watch.1")).unwrap();
    for want in [
        "TOCSIN_WEBHOOK",
        "TOCSIN_WEBHOOK_SECRET",
        "TOCSIN_ALERTMANAGER",
        "TOCSIN_CLOCK_FILE",
        ".tocsin/",
    ] {
        assert!(watch.contains(want), "tocsin-watch(1) lacks {want}");
    }
}

#[test]
fn one_page_goes_to_stdout_and_an_unknown_one_is_a_bad_argument() {
    let (dir, _) = pages();
    let out = tocsin(dir.path()).args(["man", "eval"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read(dir.path().join("man1/tocsin-eval.1")).unwrap();
    assert_eq!(out.stdout, written);
    let out = tocsin(dir.path()).arg("man").output().unwrap();
    let root = std::fs::read(dir.path().join("man1/tocsin.1")).unwrap();
    assert_eq!(out.stdout, root);
    tocsin(dir.path())
        .args(["man", "evaluate"])
        .assert()
        .code(2)
        .stdout("");
}

/// Every variable a page documents is one tocsin reads: its name is in
/// the source outside the pages' own text.
#[test]
fn only_variables_tocsin_reads_are_documented() {
    let (dir, _) = pages();
    let root = std::fs::read_to_string(dir.path().join("man1/tocsin.1")).unwrap();
    let env = &root[root.find(".SH ENVIRONMENT").unwrap()..];
    let env = &env[..env[4..].find(".SH").unwrap() + 4];
    let mut source = String::new();
    for folder in ["src", "crates/tocsin-lang/src", "crates/tocsin-engine/src"] {
        collect(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join(folder),
            &mut source,
        );
    }
    let names: Vec<&str> = env
        .lines()
        .filter_map(|l| l.strip_prefix("\\fB")?.strip_suffix("\\fR"))
        .collect();
    assert!(names.len() >= 7, "{env}");
    for name in names {
        let name = name.replace("\\-", "-");
        assert!(
            source.contains(&format!("\"{name}\"")),
            "{name} is never read"
        );
    }
}

/// The text of every `.rs` file under `dir` but the pages' own.
fn collect(dir: &Path, into: &mut String) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let path = e.path();
        if path.is_dir() {
            collect(&path, into);
        } else if path.extension().is_some_and(|x| x == "rs") && !path.ends_with("man_pages.rs") {
            into.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn groff_has_no_warning_about_any_page() {
    let (dir, names) = pages();
    let (program, args): (_, &[&str]) =
        if let Some(groff) = find_program("TOCSIN_GROFF", &["groff"]) {
            (groff, &["-man", "-Tutf8", "-ww", "-z"])
        } else if let Some(man) = find_program("TOCSIN_MAN", &["man"]) {
            (man, &["--warnings", "-l"])
        } else {
            eprintln!("note: neither groff nor man is installed; manual pages not checked");
            return;
        };
    for name in names {
        let out = std::process::Command::new(&program)
            .args(args)
            .arg(dir.path().join("man1").join(&name))
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.is_empty(),
            "{name}: {stderr}"
        );
    }
}

//! `--color auto|always|never`, `NO_COLOR` and `CLICOLOR_FORCE`, on
//! diagnostics (stderr) and on the board (stdout), both piped here.

use crate::common::{project, tocsin};

const BROKEN: &[(&str, &str)] = &[
    ("indicators/gauge.csv", "date,value\n2025-01-10,3\n"),
    (
        "rules/a.rules",
        "indicator x {\n  when: latest(guage) > 1\n}\n",
    ),
];

const FINE: &[(&str, &str)] = &[
    ("indicators/gauge.csv", "date,value\n2025-01-10,3\n"),
    (
        "rules/a.rules",
        "indicator x {\n  when: latest(gauge) > 1\n}\n",
    ),
];

const ESC: &str = "\x1b[";

/// (stdout, stderr) of `tocsin ARGS` in `files`, with `NO_COLOR` and
/// `CLICOLOR_FORCE` as given (unset when `None`).
fn run(
    files: &[(&str, &str)],
    args: &[&str],
    no_color: Option<&str>,
    force: Option<&str>,
) -> (String, String) {
    let dir = project(files);
    let mut cmd = tocsin(dir.path());
    cmd.env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    if let Some(v) = force {
        cmd.env("CLICOLOR_FORCE", v);
    }
    let out = cmd.args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn always_colours_a_pipe_and_never_does_not() {
    let (_, err) = run(BROKEN, &["check", "--color", "always"], None, None);
    assert!(err.contains(ESC), "{err}");
    let (out, _) = run(
        FINE,
        &["eval", "--at", "2025-02-01", "--color=always"],
        None,
        None,
    );
    assert!(out.contains(ESC), "{out}");
    // The flag wins over the environment both ways.
    let (_, err) = run(BROKEN, &["--color", "always", "check"], Some("1"), None);
    assert!(err.contains(ESC), "{err}");
    let (out, err) = run(BROKEN, &["check", "--color", "never"], None, Some("1"));
    assert!(!err.contains(ESC) && !out.contains(ESC), "{err}");
    assert!(err.contains("error[E101]"), "{err}");
}

#[test]
fn auto_is_plain_in_a_pipe_unless_clicolor_force_and_no_color_wins() {
    let (_, err) = run(BROKEN, &["check"], None, None);
    assert!(!err.contains(ESC), "{err}");
    let (_, err) = run(BROKEN, &["check"], None, Some("1"));
    assert!(err.contains(ESC), "{err}");
    let (out, _) = run(FINE, &["eval", "--at", "2025-02-01"], None, Some("1"));
    assert!(out.contains(ESC), "{out}");
    // `0` and empty do not force; an empty NO_COLOR does not forbid.
    let (_, err) = run(BROKEN, &["check"], None, Some("0"));
    assert!(!err.contains(ESC), "{err}");
    let (_, err) = run(BROKEN, &["check"], Some(""), Some("1"));
    assert!(err.contains(ESC), "{err}");
    let (_, err) = run(BROKEN, &["check"], Some("1"), Some("1"));
    assert!(!err.contains(ESC), "{err}");
}

#[test]
fn a_bad_color_value_is_a_bad_argument() {
    let dir = project(FINE);
    tocsin(dir.path())
        .args(["check", "--color", "sometimes"])
        .assert()
        .code(2);
}

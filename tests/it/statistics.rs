//! `median`, `percentile`, `distinct` and `field` from the command line:
//! their values, their diagnostics and their layout.

use crate::common::{project, tocsin};
use serde_json::Value;

const READINGS: &str = "date,value,station,Event Type\n\
    2025-06-01,2,A,Flood\n\
    2025-06-02,4,B,Flood\n\
    2025-06-03,6,A,Storm\n\
    2025-06-04,8,C,\n";

const RULES: &str = r#"indicator mid { when: median(readings, 7d) == 5 }
indicator upper { when: percentile(readings, 7d, 75) == 6.5 }
indicator stations { when: distinct(readings, 3d, station) == 3 }
indicator kinds { when: distinct(readings, 7d, "event type") >= 2 }
let kind = field(readings, "Event Type")
indicator last_station {
  when: field(readings, station) == "C"
  summary: "last reading at {field(readings, station)}, median {median(readings, 7d)}, kind {kind}"
}
"#;

fn eval_json(dir: &std::path::Path, at: &str) -> Value {
    let out = tocsin(dir)
        .args(["eval", "--at", at, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn status<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let rules = doc["results"].as_array().unwrap();
    let rule = rules.iter().find(|r| r["name"] == name).unwrap();
    &rule["status"]
}

#[test]
fn the_four_functions_evaluate_from_the_command_line() {
    let dir = project(&[
        ("rules/s.rules", RULES),
        ("indicators/readings.csv", READINGS),
    ]);
    let doc = eval_json(dir.path(), "2025-06-04");
    for name in ["mid", "upper", "stations", "kinds", "last_station"] {
        assert_eq!(status(&doc, name), "met", "{name}: {doc}");
    }
    let rules = doc["results"].as_array().unwrap();
    let last = rules.iter().find(|r| r["name"] == "last_station").unwrap();
    assert_eq!(last["summary"], "last reading at C, median 5, kind unknown");
    // Before any reading: the window is empty, the newest is missing.
    let doc = eval_json(dir.path(), "2025-05-31");
    assert_eq!(status(&doc, "mid"), "unknown");
    assert_eq!(status(&doc, "stations"), "not_met");
    assert_eq!(status(&doc, "last_station"), "unknown");
}

#[test]
fn a_percentile_written_outside_0_to_100_fails_check() {
    let dir = project(&[
        (
            "rules/s.rules",
            "indicator high { when: percentile(readings, 30d, 150) > 4 }\n",
        ),
        ("indicators/readings.csv", READINGS),
    ]);
    let out = tocsin(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_field_no_observation_has_is_a_warning_with_a_near_name() {
    let dir = project(&[
        (
            "rules/s.rules",
            "indicator busy { when: distinct(readings, 30d, staton) > 1 }\n",
        ),
        ("indicators/readings.csv", READINGS),
    ]);
    let out = tocsin(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr));
}

#[test]
fn fmt_prints_field_arguments_as_written() {
    let text = "indicator busy {\n  when: distinct(readings, 30d, \"Event Type\") > 1 and field(readings, source) != \"x\"\n}\n";
    let out = tocsin(std::path::Path::new("."))
        .args(["fmt", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), text);
}

//! `tocsin explain`: a tree whose numbers a reader can recompute from the
//! observations it lists.

use crate::common::{root, tocsin};
use serde_json::Value;

fn explain_json(name: &str, at: &str) -> Value {
    let out = tocsin(root())
        .args(["explain", name, "--at", at, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Finds the first call in the tree whose expression starts with `prefix`
/// (a node that read windows).
fn find<'a>(n: &'a Value, prefix: &str) -> Option<&'a Value> {
    let read_data = n["windows"].as_array().is_some_and(|w| !w.is_empty());
    if read_data && n["expr"].as_str().is_some_and(|e| e.starts_with(prefix)) {
        return Some(n);
    }
    n["children"]
        .as_array()?
        .iter()
        .find_map(|c| find(c, prefix))
}

fn window_sum(w: &Value) -> f64 {
    assert_eq!(w["omitted"], 0, "every observation is listed");
    w["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_f64().unwrap())
        .sum()
}

#[test]
fn growth_recomputed_from_the_listed_observations() {
    let doc = explain_json("pla_pressure_surge", "2025-07-20");
    assert_eq!(doc["status"], "met");
    let growth = find(&doc["when"], "growth(").expect("a growth node");
    let windows = growth["windows"].as_array().unwrap();
    assert_eq!(windows[0]["label"], "window");
    assert_eq!(
        (windows[0]["from"].as_str(), windows[0]["to"].as_str()),
        (Some("2024-07-21"), Some("2025-07-20"))
    );
    assert_eq!(windows[1]["label"], "earlier window");
    assert_eq!(
        (windows[1]["from"].as_str(), windows[1]["to"].as_str()),
        (Some("2023-07-21"), Some("2024-07-20"))
    );
    // The reader's arithmetic: sum of the window over sum of the earlier one, minus 1.
    let by_hand = window_sum(&windows[0]) / window_sum(&windows[1]) - 1.0;
    assert!(
        (growth["value"].as_f64().unwrap() - by_hand).abs() < 1e-12,
        "{by_hand} vs {}",
        growth["value"]
    );
    // Every listed observation names where it came from, and lies in its window.
    for w in windows {
        for o in w["observations"].as_array().unwrap() {
            assert!(o["source"]
                .as_str()
                .unwrap()
                .starts_with("indicators/pla_pressure_ops.csv:"));
            let date = o["date"].as_str().unwrap();
            assert!(date >= w["from"].as_str().unwrap() && date <= w["to"].as_str().unwrap());
        }
    }
}

#[test]
fn unknown_nodes_say_why() {
    let doc = explain_json("finland_capacity_growth", "2025-07-20");
    assert_eq!(doc["status"], "unknown");
    let node = find(&doc["when"], "pct_change(").unwrap();
    assert!(node["value"].is_null());
    assert!(
        node["unknown_because"]
            .as_str()
            .unwrap()
            .contains("no observation dated on or before"),
        "{node}"
    );
}

#[test]
fn every_rule_of_the_example_explains() {
    let out = tocsin(root())
        .args(["eval", "--at", "2025-07-20", "--format", "json"])
        .output()
        .unwrap();
    let board: Value = serde_json::from_slice(&out.stdout).unwrap();
    for r in board["results"].as_array().unwrap() {
        // An instance is named `name{field="value", ...}`.
        let name = match r["labels"].as_object().filter(|l| !l.is_empty()) {
            Some(labels) => {
                let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{}{{{}}}", r["name"].as_str().unwrap(), inner.join(", "))
            }
            None => r["name"].as_str().unwrap().to_string(),
        };
        let name = name.as_str();
        let out = tocsin(root())
            .args(["explain", name, "--at", "2025-07-20"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.starts_with(&format!(
                "{name} is {} at 2025-07-20",
                r["status"].as_str().unwrap()
            )),
            "{text}"
        );
    }
}

#[test]
fn an_unknown_rule_suggests_a_near_name() {
    tocsin(root())
        .args(["explain", "pla_pressure_surg", "--at", "2025-07-20"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "did you mean `pla_pressure_surge`?",
        ));
}

/// A bucket's observations are listed with their values and dates, and
/// say they are calendar buckets rather than point at a row of the file.
#[test]
fn bucket_observations_say_what_they_are() {
    let dir = crate::common::project(&[
        (
            "rules/a.rules",
            "indicator busy { when: latest(monthly(s, sum)) > 5 }\n",
        ),
        (
            "indicators/s.csv",
            "date,value\n2025-01-10,3\n2025-01-20,4\n2025-02-03,1\n",
        ),
    ]);
    let out = tocsin(dir.path())
        .args(["explain", "busy", "--at", "2025-02-10"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2025-01-31  7  (a calendar bucket)"),
        "{text}"
    );
    assert!(!text.contains("s.csv:0"), "{text}");
    let out = tocsin(dir.path())
        .args(["explain", "busy", "--at", "2025-02-10", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let call = find(&doc["when"], "latest(").expect("the latest call");
    let obs = &call["windows"][0]["observations"][0];
    assert_eq!(
        (obs["date"].as_str(), obs["value"].as_f64()),
        (Some("2025-01-31"), Some(7.0))
    );
    assert_eq!(obs["source"], Value::Null);
}

#[test]
fn a_let_a_series_and_a_field_given_twice_are_named_for_what_they_are() {
    let run = |args: &[&str]| {
        let out = tocsin(root())
            .arg("explain")
            .args(args)
            .args(["--at", "2025-07-20"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).unwrap()
    };
    let err = run(&["davidson_window"]);
    assert!(
        err.starts_with("error: `davidson_window` is a let (rules/taiwan.rules:"),
        "{err}"
    );
    let err = run(&["pla_sorties"]);
    assert!(
        err.starts_with("error: `pla_sorties` is a series,"),
        "{err}"
    );
    let err = run(&[
        "attacks_by_actor",
        "--where",
        "actor=a",
        "--where",
        "Actor=b",
    ]);
    assert_eq!(
        err,
        "error: `Actor` is given twice; name each `by:` field once\n"
    );
}

#[test]
fn a_window_of_no_day_is_not_written_backwards() {
    let dir = crate::common::project(&[
        ("rules/a.rules", "indicator a { when: count(x, 0d) >= 0 }\n"),
        ("indicators/x.csv", "date,value\n2026-11-30,3\n"),
    ]);
    let out = tocsin(dir.path())
        .args(["explain", "a", "--at", "2026-12-02"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("window of no day, at 2026-12-02: 0 observations"),
        "{text}"
    );
    let out = tocsin(dir.path())
        .args(["eval", "--at", "2026-12-02"])
        .output()
        .unwrap();
    let board = String::from_utf8(out.stdout).unwrap();
    assert!(board.contains("count(x, 0d) = 0\n"), "{board}");
    assert!(!board.contains("2026-12-03..2026-12-02"), "{board}");
}

/// `ago(s, d)` lists the one observation it read, the newest on or before
/// `T - d`, not also the newest at `T`, which played no part.
#[test]
fn ago_lists_only_the_observation_it_read() {
    let dir = crate::common::project(&[
        ("rules/a.rules", "indicator a { when: ago(s, 30d) > 5 }\n"),
        (
            "indicators/s.csv",
            "date,value\n2025-01-01,8\n2025-02-20,11\n",
        ),
    ]);
    let out = tocsin(dir.path())
        .args(["explain", "a", "--at", "2025-02-20", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ago = find(&doc["when"], "ago(").expect("an ago node");
    let windows = ago["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 1, "{windows:?}");
    let listed: Vec<f64> = windows[0]["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_f64().unwrap())
        .collect();
    assert_eq!(listed, [8.0]);
}

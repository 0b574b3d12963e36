//! The daemon and rules with `by:`: each instance is announced, journaled
//! and kept across restarts on its own, appears and disappears like a rule
//! added or removed, and carries its labels in events, in webhook bodies
//! and on `/metrics`.

use crate::common::hook_server;
use crate::common::{free_port, history, write, Daemon, WAIT};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::time::Instant;

const RULES: &str = "indicator busy { by: region when: count(incidents, 7d) >= 2 }\n\
                     alert any_busy { severity: warning when: any(busy) }\n";
const TWO: &str = "date,region\n2025-04-01,North\n2025-04-02,North\n2025-04-03,South\n";
const THREE: &str = "date,region\n2025-04-01,North\n2025-04-02,North\n2025-04-03,South\n\
                     2025-04-04,East\n2025-04-05,East\n";
const AT: [&str; 2] = ["--at", "2025-04-05"];

/// (name, labels, from, to) of the status events among `events`.
fn statuses(events: &[Value]) -> Vec<(String, Value, Value, String)> {
    events
        .iter()
        .filter(|e| e["event"] == "status")
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["labels"].clone(),
                e["from"].clone(),
                e["to"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn region(r: &str) -> Value {
    json!({ "region": r })
}

#[test]
fn each_instance_is_announced_once_and_comes_and_goes_like_a_rule() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/incidents.csv", TWO)],
        &AT,
        &[],
    );
    let mut first = statuses(&d.startup);
    first.sort_by(|a, b| (&a.0, a.1.to_string()).cmp(&(&b.0, b.1.to_string())));
    assert_eq!(
        first,
        [
            ("any_busy".into(), json!({}), Value::Null, "met".into()),
            ("busy".into(), region("North"), Value::Null, "met".into()),
            (
                "busy".into(),
                region("South"),
                Value::Null,
                "not_met".into()
            ),
        ]
    );

    // A new value in the data: a new instance, announced as new.
    write(&d.path("indicators/incidents.csv"), THREE);
    let (east, before) = d.expect(|e| e["event"] == "status");
    assert_eq!(statuses(&before), []);
    assert_eq!(
        statuses(&[east]),
        [("busy".into(), region("East"), Value::Null, "met".into())]
    );
    let (_, rest) = d.expect(|e| e["event"] == "reload");
    assert_eq!(statuses(&rest), []);

    // Its value gone from the data: the instance is removed.
    write(&d.path("indicators/incidents.csv"), TWO);
    let (gone, _) = d.expect(|e| e["event"] == "status");
    assert_eq!(
        statuses(&[gone]),
        [(
            "busy".into(),
            region("East"),
            json!("met"),
            "removed".into()
        )]
    );
    let (code, dir) = d.stop();
    assert_eq!(code, 0);

    // A restart announces nothing again, instance by instance.
    let d = Daemon::start_in(dir, &AT, &[]);
    assert_eq!(statuses(&d.startup), []);
    let (_, dir) = d.stop();

    // Changed while down: only the instance that changed.
    write(
        &dir.path().join("indicators/incidents.csv"),
        &format!("{TWO}2025-04-04,South\n"),
    );
    let d = Daemon::start_in(dir, &AT, &[]);
    assert_eq!(
        statuses(&d.startup),
        [(
            "busy".into(),
            region("South"),
            json!("not_met"),
            "met".into()
        )]
    );
    let (_, dir) = d.stop();
    let d = Daemon::start_in(dir, &AT, &[]);
    assert_eq!(statuses(&d.startup), []);
    let (_, dir) = d.stop();

    // The journal holds each instance's changes with its labels; the whole
    // rule, or one instance, can be asked for.
    let story = history(dir.path(), Some("busy"));
    let told: Vec<(String, String)> = story
        .iter()
        .map(|e| {
            (
                e["change"]["labels"]["region"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                e["change"]["to"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("North", "met"),
        ("South", "not_met"),
        ("East", "met"),
        ("East", "removed"),
        ("South", "met"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let mut sorted_told = told.clone();
    let mut sorted_want = want.clone();
    sorted_told[..2].sort();
    sorted_want[..2].sort();
    assert_eq!(sorted_told, sorted_want);
    let south = history(dir.path(), Some(r#"busy{region="South"}"#));
    assert_eq!(south.len(), 2, "{south:?}");
    // Spelt as `explain` takes it: spaced or not, quoted or not, the
    // field's name in any case.
    for spelling in [r#"busy{region = "South"}"#, "busy{REGION=South}"] {
        assert_eq!(history(dir.path(), Some(spelling)), south, "{spelling}");
    }
    let out = crate::common::tocsin(dir.path())
        .args(["history", "--state", ".tocsin", "busy{region=\"South\""])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not closed by `}`"));
    for nothing in ["", " busy "] {
        let out = crate::common::tocsin(dir.path())
            .args(["history", "--state", ".tocsin", nothing])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{nothing:?}");
    }
}

/// A change that only the data shows wrong (a `by:` field no series has)
/// is refused whole, like a file with a checker's error: an `error` event,
/// no status event, and every file keeps the version in force, rows
/// included, until the change is fixed.
#[test]
fn a_by_field_no_series_has_is_an_error_that_keeps_the_last_good_state() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/incidents.csv", TWO)],
        &AT,
        &[],
    );
    assert_eq!(statuses(&d.startup).len(), 3);
    // A typo in the field.
    write(
        &d.path("rules/a.rules"),
        &RULES.replace("by: region", "by: regoin"),
    );
    let (error, before) = d.expect(|e| e["event"] == "error");
    assert_eq!(statuses(&before), []);
    assert_eq!(error["code"], "E213");
    assert!(
        error["notes"]
            .to_string()
            .contains("did you mean `region`?"),
        "{error}"
    );
    let (_, rest) = d.expect(|e| e["event"] == "reload");
    assert_eq!(statuses(&rest), []);

    // Fixed, with a threshold that changes one instance: only that is
    // announced, as against the statuses in force before the typo.
    write(&d.path("rules/a.rules"), &RULES.replace(">= 2", ">= 1"));
    let (south, before) = d.expect(|e| e["event"] == "status");
    assert_eq!(statuses(&before), []);
    assert_eq!(
        statuses(&[south]),
        [(
            "busy".into(),
            region("South"),
            json!("not_met"),
            "met".into()
        )]
    );
    let (_, rest) = d.expect(|e| e["event"] == "reload");
    assert_eq!(statuses(&rest), []);

    // The data losing the column: refused, and the rows in force kept.
    write(
        &d.path("indicators/incidents.csv"),
        "date,place\n2025-04-01,North\n",
    );
    let (error, before) = d.expect(|e| e["event"] == "error");
    assert_eq!(statuses(&before), []);
    assert_eq!(error["code"], "E213");
    let (_, rest) = d.expect(|e| e["event"] == "reload");
    assert_eq!(statuses(&rest), []);
    // A rule edit evaluates over the rows kept: North has two events in
    // the week, South one.
    write(&d.path("rules/a.rules"), &RULES.replace(">= 2", ">= 3"));
    let (_, events) = d.expect(|e| e["event"] == "reload");
    let mut got = statuses(&events);
    got.sort_by_key(|s| (s.0.clone(), s.1.to_string()));
    assert_eq!(
        got,
        [
            ("any_busy".into(), json!({}), json!("met"), "not_met".into()),
            (
                "busy".into(),
                region("North"),
                json!("met"),
                "not_met".into()
            ),
            (
                "busy".into(),
                region("South"),
                json!("met"),
                "not_met".into()
            ),
        ]
    );
    d.stop();
}

/// A change that brings such an error with a good data file: the rule
/// file is set aside, the data file is taken with all its rows.
#[test]
fn a_good_data_file_is_taken_though_a_rule_edit_beside_it_is_refused() {
    let mut d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/incidents.csv", TWO)],
        &AT,
        &[],
    );
    std::fs::write(
        d.path("rules/a.rules"),
        RULES.replace("by: region", "by: regoin"),
    )
    .unwrap();
    std::fs::write(d.path("indicators/incidents.csv"), THREE).unwrap();
    let (_, events) = d
        .expect(|e| e["event"] == "reload" && e["files"].as_array().is_some_and(|f| !f.is_empty()));
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "error" && e["code"] == "E213"),
        "{events:?}"
    );
    assert_eq!(
        statuses(&events),
        [("busy".into(), region("East"), Value::Null, "met".into())]
    );
    d.stop();
}

/// Errors there from the start do not block a change that fixes some of
/// them; nothing is evaluated until none is left.
#[test]
fn errors_from_the_start_are_fixed_one_file_at_a_time() {
    let b = "indicator calm { by: region when: count(incidents, 7d) < 2 }\n";
    let mut d = Daemon::start(
        &[
            ("rules/a.rules", &RULES.replace("by: region", "by: regoin")),
            ("rules/b.rules", &b.replace("by: region", "by: regoin")),
            ("indicators/incidents.csv", TWO),
        ],
        &AT,
        &[],
    );
    let errors = d.startup.iter().filter(|e| e["event"] == "error").count();
    assert_eq!(
        (errors, statuses(&d.startup).len()),
        (2, 0),
        "{:?}",
        d.startup
    );
    write(&d.path("rules/a.rules"), RULES);
    let (reload, events) = d.expect(|e| e["event"] == "reload");
    assert_eq!(reload["files"], json!(["rules/a.rules"]), "{events:?}");
    assert_eq!(statuses(&events), []);
    write(&d.path("rules/b.rules"), b);
    let (reload, events) = d.expect(|e| e["event"] == "reload");
    assert_eq!(reload["files"], json!(["rules/b.rules"]), "{events:?}");
    assert_eq!(statuses(&events).len(), 5, "{events:?}");
    d.stop();
}

#[test]
fn removing_a_grouped_rule_removes_each_instance() {
    let d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/incidents.csv", TWO)],
        &AT,
        &[],
    );
    let (_, dir) = d.stop();
    write(
        &dir.path().join("rules/a.rules"),
        "indicator other { when: count(incidents, 7d) >= 1 }\n",
    );
    let d = Daemon::start_in(dir, &AT, &[]);
    let mut got = statuses(&d.startup);
    got.sort_by_key(|s| (s.0.clone(), s.1.to_string()));
    assert_eq!(
        got,
        [
            ("any_busy".into(), json!({}), json!("met"), "removed".into()),
            (
                "busy".into(),
                region("North"),
                json!("met"),
                "removed".into()
            ),
            (
                "busy".into(),
                region("South"),
                json!("not_met"),
                "removed".into()
            ),
            ("other".into(), json!({}), Value::Null, "met".into()),
        ]
    );
    d.stop();
}

#[test]
fn metrics_list_instances_with_their_labels_and_count_them() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/incidents.csv", TWO)],
        &["--at", "2025-04-05", "--listen", &listen],
        &[],
    );
    let (code, m) = d.get("/metrics");
    assert_eq!(code, 200);
    for line in [
        r#"tocsin_rule_status{name="busy",kind="indicator",severity="",region="North",status="met"} 1"#,
        r#"tocsin_rule_status{name="busy",kind="indicator",severity="",region="South",status="not_met"} 1"#,
        r#"tocsin_rule_status{name="any_busy",kind="alert",severity="warning",status="met"} 1"#,
        r#"tocsin_rule_instances{name="busy",kind="indicator",severity="",status="met"} 1"#,
        r#"tocsin_rule_instances{name="busy",kind="indicator",severity="",status="not_met"} 1"#,
        r#"tocsin_rule_instances{name="busy",kind="indicator",severity="",status="pending"} 0"#,
        r#"tocsin_rule_instances_unlisted{name="busy",kind="indicator",severity=""} 0"#,
    ] {
        assert!(m.lines().any(|l| l == line), "{line} not in\n{m}");
    }
    assert!(
        !m.contains(r#"tocsin_rule_instances{name="any_busy""#),
        "{m}"
    );
    d.stop();
}

#[test]
fn past_the_bound_only_some_instances_have_series() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut csv = String::from("date,region\n");
    for k in 0..150 {
        csv.push_str(&format!("2025-04-01,r{k:03}\n"));
    }
    csv.push_str("2025-04-02,r140\n");
    let d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/incidents.csv", &csv)],
        &["--at", "2025-04-05", "--listen", &listen],
        &[],
    );
    let (_, m) = d.get("/metrics");
    let series = m
        .lines()
        .filter(|l| l.starts_with(r#"tocsin_rule_status{name="busy""#))
        .count();
    assert_eq!(series, 4 * 100, "{m}");
    // The one met instance is among those listed, though last in order.
    assert!(m.contains(r#"region="r140",status="met"} 1"#), "{m}");
    assert!(m.contains(
        r#"tocsin_rule_instances_unlisted{name="busy",kind="indicator",severity=""} 50"#
    ));
    assert!(m.contains(
        r#"tocsin_rule_instances{name="busy",kind="indicator",severity="",status="not_met"} 149"#
    ));
    d.stop();
}

#[test]
fn webhook_bodies_carry_labels() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let hooks = hook_server(listener);
    let d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/incidents.csv", TWO)],
        &["--at", "2025-04-05", "--webhook", &url],
        &[],
    );
    let deadline = Instant::now() + WAIT;
    let mut bodies = Vec::new();
    while bodies.len() < 3 {
        let left = deadline
            .checked_duration_since(Instant::now())
            .unwrap_or_default();
        bodies.push(hooks.recv_timeout(left).expect("three webhook posts"));
    }
    let mut got: Vec<(String, Value)> = bodies
        .iter()
        .map(|b| (b["name"].as_str().unwrap().to_string(), b["labels"].clone()))
        .collect();
    got.sort_by_key(|g| (g.0.clone(), g.1.to_string()));
    assert_eq!(
        got,
        [
            ("any_busy".into(), json!({})),
            ("busy".into(), region("North")),
            ("busy".into(), region("South")),
        ]
    );
    d.stop();
}

#[test]
fn rows_appended_to_a_feed_are_taken_in_by_instance() {
    use std::io::Write;
    let mut d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/incidents.csv", TWO)],
        &AT,
        &[],
    );
    let append = |d: &Daemon, text: &str| {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(d.path("indicators/incidents.csv"))
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    };
    // A second South row: that instance goes to met, nothing else moves.
    append(&d, "2025-04-04,South\n");
    let (reload, before) = d.expect(|e| e["event"] == "reload");
    assert_eq!(reload["files"], json!(["indicators/incidents.csv"]));
    assert_eq!(
        statuses(&before),
        [(
            "busy".into(),
            region("South"),
            json!("not_met"),
            "met".into()
        )]
    );
    // A region never seen: a new instance, announced as new.
    append(&d, "2025-04-05,East\n2025-04-05,East\n");
    let (_, before) = d.expect(|e| e["event"] == "reload");
    assert_eq!(
        statuses(&before),
        [("busy".into(), region("East"), Value::Null, "met".into())]
    );
    // A bad row: reported at its line of the file, nothing changes.
    append(&d, "2025-04-05,North\nnot a date,North\n");
    let (err, _) = d.expect(|e| e["event"] == "error");
    assert_eq!(err["file"], "indicators/incidents.csv");
    assert_eq!(err["line"], 9, "{err}");
    assert_eq!(err["code"], "E303", "{err}");
}

//! Rules with `by:` on every surface: `explain` of one instance, the
//! backtest per instance, the report's table of instances and test-file
//! expectations on instances.

use crate::common::{project, tocsin};
use serde_json::Value;
use tempfile::TempDir;

const RULES: &str = r#"
indicator busy { by: region when: count(incidents, 7d) >= 2 }
alert any_busy { when: any(busy) }
"#;

const DATA: &str = "date,region
2025-04-01,North
2025-04-02,North
2025-04-03,South
2025-04-09,South
2025-04-10,South
";

fn grouped() -> TempDir {
    project(&[("rules/r.rules", RULES), ("indicators/incidents.csv", DATA)])
}

fn stderr_of(dir: &TempDir, args: &[&str]) -> String {
    let out = tocsin(dir.path()).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn explain_lists_only_the_instances_observations() {
    let dir = grouped();
    for args in [
        vec!["explain", r#"busy{region="North"}"#],
        vec!["explain", "busy", "--where", "region=North"],
    ] {
        let out = tocsin(dir.path())
            .args(&args)
            .args(["--at", "2025-04-05"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.starts_with(r#"busy{region="North"} is met at 2025-04-05"#),
            "{text}"
        );
        assert!(text.contains("2 observations"), "{text}");
        assert!(!text.contains("South"), "{text}");
    }
    let out = tocsin(dir.path())
        .args([
            "explain",
            "busy",
            "--where",
            "region=South",
            "--at",
            "2025-04-05",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["name"], "busy");
    assert_eq!(doc["labels"], serde_json::json!({"region": "South"}));
    assert_eq!(doc["status"], "not_met");
    assert_eq!(doc["when"]["children"][0]["value"], 1.0);
}

#[test]
fn explain_of_a_grouped_rule_needs_an_instance() {
    let dir = grouped();
    let err = stderr_of(&dir, &["explain", "busy", "--at", "2025-04-05"]);
    assert!(err.contains("`busy` has `by: region`"), "{err}");
    assert!(err.contains(r#"busy{region="North"}"#), "{err}");
    assert!(err.contains(r#"busy{region="South"}"#), "{err}");
    assert!(err.contains("--where region=North"), "{err}");

    let err = stderr_of(
        &dir,
        &["explain", r#"busy{region="Nort"}"#, "--at", "2025-04-05"],
    );
    assert!(err.contains(r#"no instance {region="Nort"}"#), "{err}");
    assert!(err.contains(r#"did you mean region="North"?"#), "{err}");

    let err = stderr_of(&dir, &["explain", "busy", "--where", "kind=x"]);
    assert!(err.contains("not by `kind`"), "{err}");
    let err = stderr_of(&dir, &["explain", "any_busy", "--where", "region=North"]);
    assert!(err.contains("has no `by:`"), "{err}");
    let err = stderr_of(&dir, &["explain", r#"busy{region="North""#]);
    assert!(err.contains("not closed"), "{err}");
}

#[test]
fn explain_of_any_shows_the_met_instances() {
    let dir = grouped();
    let out = tocsin(dir.path())
        .args(["explain", "any_busy", "--at", "2025-04-05"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("busy = 1 of 2 instances met"), "{text}");
    let north = text.find(r#"busy{region="North"} = met"#).expect(&text);
    let south = text.find(r#"busy{region="South"} = not_met"#).expect(&text);
    assert!(north < south, "met first: {text}");
}

#[test]
fn backtest_tells_each_instance_and_sums_up_the_rule() {
    let dir = grouped();
    let out = tocsin(dir.path())
        .args(["backtest", "--from", "2025-03-30", "--to", "2025-04-12"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let line = |start: &str| {
        text.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line {start}: {text}"))
            .to_string()
    };
    assert!(line(r#"busy{region="North"}"#).contains("2025-04-02..2025-04-07"));
    assert!(line(r#"busy{region="South"}"#).contains("2025-04-09..2025-04-12"));
    assert_eq!(
        line("busy:"),
        "busy: 2 instances, 2 ever met, first met 2025-04-02; some instance met on 10 steps, \
         at most 1 at once; 10 instance-steps met"
    );

    let out = tocsin(dir.path())
        .args(["backtest", "--from", "2025-03-30", "--to", "2025-04-12"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = doc["rules"].as_array().unwrap();
    let names: Vec<(&str, &Value)> = rules
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), &r["labels"]))
        .collect();
    assert_eq!(names.len(), 3);
    assert_eq!(names[0], ("busy", &serde_json::json!({"region": "North"})));
    assert_eq!(names[1], ("busy", &serde_json::json!({"region": "South"})));
    assert_eq!(names[2], ("any_busy", &serde_json::json!({})));
    // South has no observation before 2025-04-03: its history starts there.
    assert_eq!(rules[1]["periods"][0]["from"], "2025-04-03");
    assert_eq!(doc["groups"][0]["name"], "busy");
    assert_eq!(doc["groups"][0]["instances_met"], 2);

    let out = tocsin(dir.path())
        .args(["backtest", "--from", "2025-03-30", "--to", "2025-04-12"])
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\"busy{region=\"\"North\"\"}\",indicator"),
        "{text}"
    );
}

#[test]
fn report_shows_a_grouped_rule_as_one_table_of_instances() {
    let dir = grouped();
    let out = tocsin(dir.path())
        .args(["report", "--at", "2025-04-05", "-o", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    // One card for the rule, not one per instance.
    assert_eq!(page.matches("id=\"rule-busy\"").count(), 1, "one card");
    let start = page
        .find("<article class=\"card grouped met\" id=\"rule-busy\"")
        .unwrap();
    let card = &page[start..start + page[start..].find("</article>").unwrap()];
    assert!(card.contains("1 met of 2 instances"), "{card}");
    let north = card.find("=North</th>").expect(card);
    let south = card.find("=South</th>").expect(card);
    assert!(north < south, "met first");
    assert_eq!(card.matches("<svg class=\"spark\"").count(), 2, "{card}");
    assert!(card.contains("<code>count(incidents, 7d)</code> = <strong>2</strong>"));
    // The status history names each instance.
    assert!(page.contains(r#"<code>busy{region=&quot;South&quot;}</code>"#));
}

#[test]
fn test_files_expect_statuses_of_instances() {
    let dir = grouped();
    crate::common::write(
        &dir.path().join("rules/r.test"),
        r#"data incidents {
  2025-04-01 {region: "North"}
  2025-04-02 {region: "North"}
  2025-04-03 {region: "South"}
}
test "instances" {
  at 2025-04-05 {
    busy{region="North"} met
    busy{ REGION = "South" } not_met
    any_busy met
  }
}
"#,
    );
    tocsin(dir.path()).arg("test").assert().success();
    tocsin(dir.path())
        .args(["fmt", "--check", "rules/r.test"])
        .assert()
        .code(1);

    crate::common::write(
        &dir.path().join("rules/r.test"),
        r#"data incidents { 2025-04-03 {region: "South"} }
test "wrong" {
  at 2025-04-05 { busy{region="South"} met }
  at 2025-04-02 { busy{region="South"} not_met }
}
"#,
    );
    let out = tocsin(dir.path()).arg("test").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(r#"+ got      busy{region="South"} not_met"#),
        "{text}"
    );
    assert!(text.contains("no such instance at 2025-04-02"), "{text}");

    crate::common::write(
        &dir.path().join("rules/r.test"),
        r#"test "bad" { at 2025-04-05 { busy met, busy{regio="x"} met, any_busy{region="x"} met } }"#,
    );
    let out = tocsin(dir.path()).arg("test").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.matches("error[E411]").count(), 3, "{err}");
    assert!(err.contains("did you mean `region`?"), "{err}");
}

/// `summary` expectations name an instance as status expectations do; the
/// template is rendered inside it, holes and windows narrowed.
#[test]
fn test_files_expect_summaries_of_instances() {
    let rules = "indicator busy { by: region when: count(incidents, 7d) >= 2 summary: \"{region}: {count(incidents, 7d)}\" }\n";
    let dir = project(&[("rules/r.rules", rules), ("indicators/incidents.csv", DATA)]);
    let test = |text: &str| {
        crate::common::write(&dir.path().join("rules/r.test"), text);
        let out = tocsin(dir.path()).arg("test").output().unwrap();
        let all = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
        (out.status.code(), all)
    };
    let data = "data incidents {\n  2025-04-01 {region: \"North\"}\n  2025-04-02 {region: \"North\"}\n  2025-04-03 {region: \"South\"}\n}\n";
    let (code, out) = test(&format!(
        "{data}test \"summaries\" {{\n  at 2025-04-05 {{\n    summary busy{{region=\"North\"}} == \"North: 2\"\n    summary busy{{region=\"South\"}} ~ \"south: 1\"\n  }}\n}}\n"
    ));
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = test(&format!(
        "{data}test \"wrong\" {{\n  at 2025-04-05 {{ summary busy{{region=\"South\"}} == \"South: 2\" }}\n  at 2025-04-02 {{ summary busy{{region=\"South\"}} ~ \"x\" }}\n}}\n"
    ));
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(r#"+ got      summary busy{region="South"} "South: 1""#),
        "{out}"
    );
    assert!(out.contains("no such instance at 2025-04-02"), "{out}");
    // The rule alone: which instance is meant is not said.
    let (code, out) = test(&format!(
        "{data}test \"bare\" {{ at 2025-04-05 {{ summary busy ~ \"x\" }} }}\n"
    ));
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("error[E411]"), "{out}");
    // Formatting keeps the instance.
    crate::common::write(
        &dir.path().join("rules/r.test"),
        &format!("{data}test \"f\" {{ at 2025-04-05 {{ summary busy{{ region = \"North\" }} ~ \"x\" }} }}\n"),
    );
    tocsin(dir.path())
        .args(["fmt", "rules/r.test"])
        .assert()
        .success();
    let formatted = std::fs::read_to_string(dir.path().join("rules/r.test")).unwrap();
    assert!(
        formatted.contains(r#"summary busy{region="North"} ~ "x""#),
        "{formatted}"
    );
}

/// Errors only the data shows (a `by:` field no series has, more instances
/// than the limit) stop every command that evaluates, as `check` reports
/// them: exit 2, nothing on stdout, rather than one instance without
/// labels counting the whole series.
#[test]
fn errors_found_with_the_data_stop_evaluation() {
    let typo = RULES.replace("by: region", "by: regoin");
    let many: String = std::iter::once("date,id\n".to_string())
        .chain((0..=10_000).map(|i| format!("2025-04-01,e{i}\n")))
        .collect();
    let cases = [
        (
            project(&[("rules/r.rules", &typo), ("indicators/incidents.csv", DATA)]),
            "E213",
        ),
        (
            project(&[
                (
                    "rules/r.rules",
                    "indicator per_event { by: id when: count(events, 30d) > 0 }\n",
                ),
                ("indicators/events.csv", &many),
            ]),
            "E214",
        ),
    ];
    for (dir, code) in &cases {
        for args in [
            vec!["check"],
            vec!["eval", "--at", "2025-04-10"],
            vec!["eval", "--at", "2025-04-10", "--format", "json"],
            vec!["explain", "busy", "--at", "2025-04-10"],
            vec!["backtest", "--from", "2025-04-01", "--to", "2025-04-10"],
            vec!["report", "-o", "-", "--at", "2025-04-10"],
        ] {
            let err = stderr_of(dir, &args);
            assert!(err.contains(&format!("error[{code}]")), "{args:?}: {err}");
        }
    }
}

#[test]
fn a_rule_with_by_and_no_instance_yet_is_listed_as_such() {
    let dir = project(&[
        (
            "rules/a.rules",
            "alert by_region {\n  severity: warning\n  by: region\n  when: count(ev, 30d) >= 1\n}\n",
        ),
        ("indicators/ev.csv", "date,region\n2025-01-01,\n2025-03-01,North\n"),
    ]);
    let out = |format: &str| {
        let o = tocsin(dir.path())
            .args(["eval", "--at", "2025-01-10", "--format", format])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let table = out("table");
    assert!(
        table.starts_with("tocsin board at 2025-01-10: 1 rule with no instance\n"),
        "{table}"
    );
    assert!(
        table.contains("– none     warning   by_region  no instance at 2025-01-10"),
        "{table}"
    );
    let markdown = out("markdown");
    assert!(markdown.contains(
        "| – no instance | warning | alert | `by_region` | no instance at 2025-01-10 | |"
    ));
    assert!(
        markdown
            .contains("\n0 met · 0 pending · 0 unknown · 0 not met · 1 rule with no instance\n"),
        "{markdown}"
    );
    let json: Value = serde_json::from_str(&out("json")).unwrap();
    assert_eq!(json["results"], serde_json::json!([]));
    assert_eq!(json["no_instances"][0]["name"], "by_region");
    assert_eq!(json["no_instances"][0]["line"], 1);
    // Once its data names an instance, it is listed with it.
    let o = tocsin(dir.path())
        .args(["eval", "--at", "2025-03-10", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["no_instances"], serde_json::json!([]), "{json}");
}

//! The public conformance cases of the spec, kept in `tests/conformance/`
//! (one folder per case: `rules/`, `indicators/`, `expect.json`), run the way
//! the spec's runner runs them: inside the case folder, so the default
//! `--rules` and `--indicators` apply.

use crate::common::tocsin;
use serde_json::Value;
use std::path::Path;

fn run_case(dir: &Path) -> Vec<String> {
    let expect: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expect.json")).unwrap()).unwrap();
    let mut problems = Vec::new();
    for (i, run) in expect["runs"].as_array().unwrap().iter().enumerate() {
        let args: Vec<String> = run["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        let label = format!(
            "{}#{i} {}",
            dir.file_name().unwrap().to_string_lossy(),
            args.join(" ")
        );
        let out = tocsin(dir).args(&args).output().unwrap();
        let code = out.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
        let allowed: Vec<i64> = match &run["exit"] {
            Value::Array(a) => a.iter().map(|v| v.as_i64().unwrap()).collect(),
            Value::Null => vec![0],
            v => vec![v.as_i64().unwrap()],
        };
        if !allowed.contains(&i64::from(code)) {
            problems.push(format!(
                "{label}: exit {code}, want {allowed:?}; stderr: {stderr}"
            ));
        }
        for needle in run["stderr_contains"].as_array().into_iter().flatten() {
            let needle = needle.as_str().unwrap().to_lowercase();
            if !stderr.contains(&needle) {
                problems.push(format!("{label}: stderr lacks {needle:?}"));
            }
        }
        if run.get("statuses").is_none() && run.get("feeds").is_none() {
            continue;
        }
        let empty = serde_json::Map::new();
        let want = run["statuses"].as_object().unwrap_or(&empty);
        let doc: Value = match serde_json::from_slice(&out.stdout) {
            Ok(doc) => doc,
            Err(e) => {
                problems.push(format!("{label}: stdout is not one JSON object: {e}"));
                continue;
            }
        };
        if let Some(at) = args.iter().position(|a| a == "--at").map(|k| &args[k + 1]) {
            if doc["at"] != Value::String(at.clone()) {
                problems.push(format!("{label}: at is {}, want {at}", doc["at"]));
            }
        }
        let results = doc["results"].as_array().unwrap();
        for (name, n) in run["instances"].as_object().into_iter().flatten() {
            let have = results
                .iter()
                .filter(|r| r["name"] == Value::String(name.clone()))
                .count();
            if Some(have as u64) != n.as_u64() {
                problems.push(format!("{label}: {name} has {have} results, want {n}"));
            }
        }
        for (name, status) in want {
            let found: Vec<&Value> = results.iter().filter(|r| key(r) == *name).collect();
            match found.as_slice() {
                [r] => {
                    for key in ["kind", "status", "file", "line"] {
                        if r.get(key).is_none() {
                            problems.push(format!("{label}: {name} has no {key}"));
                        }
                    }
                    if &r["status"] != status {
                        problems.push(format!("{label}: {name} is {}, want {status}", r["status"]));
                    }
                }
                _ => problems.push(format!("{label}: {name} appears {} times", found.len())),
            }
        }
        // Feeds: only the keys the case gives are checked.
        for (name, keys) in run["feeds"].as_object().into_iter().flatten() {
            let feed = doc["feeds"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|f| f["name"] == Value::String(name.clone()));
            let Some(feed) = feed else {
                problems.push(format!("{label}: feed {name} missing from feeds"));
                continue;
            };
            for (key, value) in keys.as_object().into_iter().flatten() {
                if &feed[key] != value {
                    problems.push(format!(
                        "{label}: feed {name} {key} is {}, want {value}",
                        feed[key]
                    ));
                }
            }
        }
        for (name, sev) in run["severities"].as_object().into_iter().flatten() {
            if let Some(r) = results
                .iter()
                .find(|r| r["name"] == Value::String(name.clone()))
            {
                if &r["severity"] != sev {
                    problems.push(format!(
                        "{label}: {name} severity {}, want {sev}",
                        r["severity"]
                    ));
                }
            }
        }
    }
    problems
}

/// A result's key in a case: `name`, or `name{k="v",...}` (keys sorted,
/// no spaces) for an instance of a rule with `by:`.
fn key(r: &Value) -> String {
    let name = r["name"].as_str().unwrap_or_default().to_string();
    match r["labels"].as_object() {
        Some(labels) if !labels.is_empty() => {
            let mut pairs: Vec<(&String, &Value)> = labels.iter().collect();
            pairs.sort_by_key(|(k, _)| *k);
            let inner: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{name}{{{}}}", inner.join(","))
        }
        _ => name,
    }
}

#[test]
fn conformance_cases_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("expect.json").exists())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "cases missing from {}", root.display());
    let problems: Vec<String> = cases.iter().flat_map(|c| run_case(c)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

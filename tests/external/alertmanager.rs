//! The Alertmanager sink against a real Alertmanager on loopback.
//!
//! The binary is `$TOCSIN_ALERTMANAGER`, or `prometheus-alertmanager` or
//! `alertmanager` on PATH (`.ci/alertmanager-setup` installs one). Without
//! one the test is skipped, except under CI where it fails.

use crate::common::find_program;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{json, Value};
use std::fs::File;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use tocsin::change::{Announced, StatusChange};
use tocsin::lang::ast::Severity;
use tocsin::sinks::{Alertmanager, Delivery, Notification, Sink};

/// How long to wait for Alertmanager to be ready, or for an alert to show.
const PATIENCE: Duration = Duration::from_secs(20);

const CONFIG: &str = "\
route:
  receiver: blackhole
  group_by: ['alertname']
  group_wait: 100ms
  group_interval: 100ms
  repeat_interval: 1h
receivers:
  - name: blackhole
";

/// A running Alertmanager, killed when dropped (also when a test panics).
pub(crate) struct Running {
    child: Child,
    pub(crate) base: String,
    dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(binary: &Path, config: &str) -> Running {
        let mut dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("alertmanager.yml"), config).unwrap();
        // The free port found may be taken again before Alertmanager binds
        // it: try a few.
        for _ in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .unwrap()
                .port();
            let child = spawn(
                binary,
                dir.path(),
                port,
                &["--cluster.listen-address=".into()],
            );
            let mut running = Running {
                child,
                base: format!("http://127.0.0.1:{port}"),
                dir,
            };
            if running.wait_ready() {
                return running;
            }
            // Alertmanager exited (the port was taken): keep the folder,
            // with its log, for the next try.
            dir = std::mem::replace(&mut running.dir, tempfile::tempdir().unwrap());
        }
        panic!("Alertmanager did not start; its log:\n{}", read_log(&dir));
    }

    /// Waits for `/-/ready`; false if Alertmanager exited first.
    fn wait_ready(&mut self) -> bool {
        let end = Instant::now() + PATIENCE;
        while Instant::now() < end {
            if self.child.try_wait().unwrap().is_some() {
                return false;
            }
            let ready = agent()
                .get(&format!("{}/-/ready", self.base))
                .call()
                .is_ok_and(|r| r.status() == 200);
            if ready {
                return true;
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "Alertmanager not ready in time; its log:\n{}",
            read_log(&self.dir)
        );
    }

    /// `GET /api/v2/alerts` with every filter open: active, silenced,
    /// inhibited and unprocessed alerts.
    fn alerts(&self) -> Vec<Value> {
        let url = format!(
            "{}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true",
            self.base
        );
        let mut response = agent().get(&url).call().expect("GET /api/v2/alerts");
        let body = response.body_mut().read_to_string().unwrap();
        serde_json::from_str(&body).expect("a JSON array of alerts")
    }

    fn alert(&self, name: &str) -> Option<Value> {
        self.alerts()
            .into_iter()
            .find(|a| a["labels"]["alertname"] == name)
    }

    /// Waits until `name` is listed and active.
    fn wait_active(&self, name: &str) -> Value {
        let end = Instant::now() + PATIENCE;
        loop {
            if let Some(alert) = self
                .alert(name)
                .filter(|a| a["status"]["state"] == "active")
            {
                return alert;
            }
            assert!(
                Instant::now() < end,
                "{name} not active: {:?}",
                self.alerts()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Starts Alertmanager `binary` with the `alertmanager.yml` of `dir`, its
/// data and log (`alertmanager.log`) there, serving HTTP on loopback port
/// `web`, with `extra` arguments (the cluster's).
pub(crate) fn spawn(binary: &Path, dir: &Path, web: u16, extra: &[String]) -> Child {
    let log = File::create(dir.join("alertmanager.log")).unwrap();
    Command::new(binary)
        .arg(format!(
            "--config.file={}",
            dir.join("alertmanager.yml").display()
        ))
        .arg(format!("--storage.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{web}"))
        .args(extra)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()))
}

fn read_log(dir: &tempfile::TempDir) -> String {
    std::fs::read_to_string(dir.path().join("alertmanager.log")).unwrap_or_default()
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .build(),
    )
}

/// Alertmanager, or `None` to skip (outside CI only).
fn alertmanager() -> Option<Running> {
    alertmanager_with(CONFIG)
}

/// Alertmanager with `config`, or `None` to skip (outside CI only).
pub(crate) fn alertmanager_with(config: &str) -> Option<Running> {
    match find_program(
        "TOCSIN_ALERTMANAGER",
        &["prometheus-alertmanager", "alertmanager"],
    ) {
        Some(binary) => Some(Running::start(&binary, config)),
        None if std::env::var_os("CI").is_some() => panic!(
            "no Alertmanager binary: run .ci/alertmanager-setup and set TOCSIN_ALERTMANAGER \
             to the path it prints (or put prometheus-alertmanager on PATH)"
        ),
        None => {
            eprintln!("skipping: no Alertmanager binary");
            None
        }
    }
}

/// `change` as notification `seq`, recorded now.
fn note(seq: u64, change: StatusChange) -> Notification {
    Notification {
        seq,
        ts: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        change,
    }
}

fn change(name: &str, kind: &str, from: Option<Announced>, to: Announced) -> StatusChange {
    StatusChange {
        name: name.to_string(),
        labels: Default::default(),
        kind: kind.to_string(),
        from,
        to,
        at: "2025-07-20".to_string(),
        severity: (kind == "alert").then_some(Severity::Critical),
        title: Some("Strait closed to shipping".to_string()),
        summary: Some("No transit through the strait for 48h".to_string()),
        description: Some("AIS tracks show no commercial transit.".to_string()),
        sources: vec!["AIS feed".to_string(), "Coast guard notice 12".to_string()],
        tags: vec![
            "taiwan".to_string(),
            "region=east-asia".to_string(),
            "data-quality".to_string(),
            "severity=info".to_string(),
        ],
    }
}

fn time(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a timestamp"))
        .expect("an RFC 3339 timestamp")
        .with_timezone(&Utc)
}

#[test]
fn alerts_fire_are_kept_firing_and_resolve_in_alertmanager() {
    let Some(am) = alertmanager() else { return };
    let resend = Duration::from_secs(30);
    let mut sink = Alertmanager::new(&am.base)
        .unwrap()
        .with_resend_interval(resend)
        .with_generator_url("https://example.com/rules/taiwan.rules");

    // An indicator is not sent; an alert that becomes met fires.
    let indicator = change("pla_sorties", "indicator", None, Announced::Met);
    sink.apply(&indicator, Utc::now()).unwrap();
    let since = (Utc::now() - chrono::Duration::minutes(5)).trunc_subsecs(3);
    let met = change(
        "strait_closed",
        "alert",
        Some(Announced::Pending),
        Announced::Met,
    );
    let before = Utc::now().trunc_subsecs(3);
    sink.apply(&met, since).unwrap();
    let after = Utc::now();

    let alert = am.wait_active("strait_closed");
    assert_eq!(
        alert["labels"],
        json!({
            "alertname": "strait_closed",
            "severity": "critical",
            "taiwan": "true",
            "region": "east-asia",
            "data_quality": "true"
        })
    );
    assert_eq!(
        alert["annotations"],
        json!({
            "title": "Strait closed to shipping",
            "summary": "No transit through the strait for 48h",
            "description": "AIS tracks show no commercial transit.",
            "source": "AIS feed; Coast guard notice 12"
        })
    );
    assert_eq!(
        alert["generatorURL"],
        "https://example.com/rules/taiwan.rules"
    );
    assert_eq!(time(&alert["startsAt"]), since);
    let ends = time(&alert["endsAt"]);
    let ahead = chrono::Duration::from_std(resend * 4).unwrap();
    assert!(
        ends >= before + ahead && ends <= after + ahead,
        "endsAt {ends}"
    );
    assert_eq!(am.alerts().len(), 1, "only the alert: {:?}", am.alerts());

    // A resend moves endsAt on and keeps startsAt.
    thread::sleep(Duration::from_millis(20));
    sink.resend().unwrap();
    let alert = am.wait_active("strait_closed");
    assert!(time(&alert["endsAt"]) > ends);
    assert_eq!(time(&alert["startsAt"]), since);

    // Leaving met resolves it at once: this Alertmanager (0.25) no longer
    // lists an alert whose endsAt has passed, whatever the filters.
    let left = change(
        "strait_closed",
        "alert",
        Some(Announced::Met),
        Announced::NotMet,
    );
    sink.apply(&left, Utc::now()).unwrap();
    assert_eq!(sink.firing().count(), 0);
    assert_eq!(am.alerts(), Vec::<Value>::new());

    // Seeded at start from recovered state: firing after the first resend;
    // removed from the ruleset: resolved.
    let recovered = change("blockade", "alert", None, Announced::Met);
    sink.set_firing([(recovered, since)]);
    assert!(am.alert("blockade").is_none());
    sink.resend().unwrap();
    let alert = am.wait_active("blockade");
    assert_eq!(time(&alert["startsAt"]), since);
    let removed = change(
        "blockade",
        "alert",
        Some(Announced::Met),
        Announced::Removed,
    );
    sink.apply(&removed, Utc::now()).unwrap();
    assert!(am.alert("blockade").is_none());
}

#[test]
fn the_delivery_worker_drives_the_alertmanager_sink() {
    let Some(am) = alertmanager() else { return };
    let sink = Alertmanager::new(&am.base).unwrap();
    assert_eq!(sink.name(), "alertmanager");
    let delivered = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&delivered);
    let delivery = Delivery::spawn(vec![Box::new(sink)], move |id, sink: &str| {
        log.lock().unwrap().push((id, sink.to_string()))
    });
    let wait_delivered = |n: usize| {
        let end = Instant::now() + PATIENCE;
        while delivered.lock().unwrap().len() < n {
            assert!(Instant::now() < end, "not delivered: {delivered:?}");
            thread::sleep(Duration::from_millis(10));
        }
    };
    delivery.submit(note(1, change("drill", "indicator", None, Announced::Met)));
    delivery.submit(note(
        2,
        change("drill_alert", "alert", None, Announced::Met),
    ));
    wait_delivered(2);
    am.wait_active("drill_alert");
    delivery.submit(note(
        3,
        change(
            "drill_alert",
            "alert",
            Some(Announced::Met),
            Announced::Unknown,
        ),
    ));
    wait_delivered(3);
    assert!(am.alert("drill_alert").is_none());
    delivery.shutdown(Duration::from_secs(2));
    let want: Vec<(u64, String)> = (1..=3).map(|id| (id, "alertmanager".to_string())).collect();
    assert_eq!(*delivered.lock().unwrap(), want);
}

/// The daemon end to end: `tocsin watch --alertmanager` sends a met alert,
/// which Alertmanager lists; when the data resolves it, Alertmanager drops it.
#[test]
fn the_daemon_fires_and_resolves_an_alert_in_alertmanager() {
    let Some(am) = alertmanager() else { return };
    let dir = tempfile::tempdir().unwrap();
    let write = |p: &str, text: &str| {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("rules/a.rules", "alert pressure_high {\n  severity: critical\n  tags: [\"taiwan\", \"theatre=indopacific\"]\n  when: latest(gauge) > 5\n  summary: \"gauge at {latest(gauge)}\"\n  source: \"test\"\n}\n");
    write("indicators/gauge.csv", "date,value\n2025-01-01,9\n");
    let mut daemon = Command::new(assert_cmd::cargo::cargo_bin("tocsin"))
        .args([
            "watch",
            "--format",
            "json",
            "--at",
            "2025-03-01",
            "--alertmanager",
            &am.base,
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill<'a>(&'a mut std::process::Child);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _guard = Kill(&mut daemon);
    let alert = am.wait_active("pressure_high");
    assert_eq!(alert["labels"]["severity"], "critical");
    assert_eq!(alert["labels"]["taiwan"], "true");
    assert_eq!(alert["labels"]["theatre"], "indopacific");
    assert_eq!(alert["annotations"]["summary"], "gauge at 9");
    assert_eq!(alert["annotations"]["source"], "test");
    // The data now says otherwise: the alert resolves.
    write(
        "indicators/gauge.csv",
        "date,value\n2025-01-01,9\n2025-02-01,1\n",
    );
    let end = Instant::now() + PATIENCE;
    while am.alert("pressure_high").is_some() {
        assert!(Instant::now() < end, "still listed: {:?}", am.alerts());
        thread::sleep(Duration::from_millis(50));
    }
}

/// A rule with `by:`: each instance that is met is an alert of its own in
/// Alertmanager, told apart by its labels; one that stops being met (here
/// its value leaves the data) is resolved, and the others keep firing.
#[test]
fn each_instance_of_a_grouped_alert_fires_and_resolves_on_its_own() {
    let Some(am) = alertmanager() else { return };
    let dir = tempfile::tempdir().unwrap();
    let write = |p: &str, text: &str| {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "rules/a.rules",
        "alert busy {\n  severity: critical\n  by: region, severity\n  tags: [\"region=ignored\"]\n  when: count(incidents, 7d) >= 2\n}\n",
    );
    let both =
        "date,region,severity\n2025-04-01,North,low\n2025-04-02,North,low\n2025-04-03,South,low\n2025-04-04,South,low\n";
    write("indicators/incidents.csv", both);
    let mut daemon = Command::new(assert_cmd::cargo::cargo_bin("tocsin"))
        .args([
            "watch",
            "--format",
            "json",
            "--at",
            "2025-04-05",
            "--alertmanager",
            &am.base,
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill<'a>(&'a mut std::process::Child);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _guard = Kill(&mut daemon);
    let regions = |state: &str| -> Vec<String> {
        let mut r: Vec<String> = am
            .alerts()
            .into_iter()
            .filter(|a| a["labels"]["alertname"] == "busy" && a["status"]["state"] == state)
            .map(|a| a["labels"]["region"].as_str().unwrap_or("?").to_string())
            .collect();
        r.sort();
        r
    };
    let end = Instant::now() + PATIENCE;
    while regions("active") != ["North", "South"] {
        assert!(Instant::now() < end, "not both active: {:?}", am.alerts());
        thread::sleep(Duration::from_millis(50));
    }
    // The tag does not replace the instance's own label, and the field
    // named like a built-in label neither replaces it nor is lost.
    let north = am
        .alerts()
        .into_iter()
        .find(|a| a["labels"]["region"] == "North")
        .unwrap();
    assert_eq!(north["labels"]["severity"], "critical");
    assert_eq!(north["labels"]["exported_severity"], "low");

    write(
        "indicators/incidents.csv",
        "date,region,severity\n2025-04-03,South,low\n2025-04-04,South,low\n",
    );
    let end = Instant::now() + PATIENCE;
    while regions("active") != ["South"] {
        assert!(
            Instant::now() < end,
            "North not resolved: {:?}",
            am.alerts()
        );
        thread::sleep(Duration::from_millis(50));
    }
}

//! High availability the way Prometheus has it: two identical `tocsin
//! watch` daemons (each with its own state folder) over the same rules and
//! data, both sending every alert to both members of a real Alertmanager
//! cluster on loopback, and one webhook receiver behind the cluster. The
//! receiver's log is the evidence: each alert reaches it once when it fires
//! and once when it resolves, also when one daemon and one Alertmanager are
//! killed with SIGKILL on the way; the restarted daemon announces nothing
//! it had announced.
//!
//! The Alertmanager binary is found as in `alertmanager.rs`.

use crate::alertmanager::{agent, spawn};
use crate::common::{find_program, free_port, hook_server, write, Daemon};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::Child;
use std::sync::mpsc::Receiver;
use std::thread;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// How long to wait for the cluster to form or for a notification.
const PATIENCE: Duration = Duration::from_secs(40);

/// How long the receiver must stay quiet after a notification for a
/// repeat to count as absent: longer than a group interval (3 s here)
/// plus what a second member waits (its position times the peer timeout,
/// 3 s here) before it notifies.
const QUIET: Duration = Duration::from_secs(8);

/// One member of the Alertmanager cluster, killed when dropped.
struct Member {
    child: Child,
    base: String,
    dir: TempDir,
}

impl Drop for Member {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Member {
    /// Starts a member listening on `web` (HTTP) and `gossip` (cluster),
    /// peering with `peer`.
    fn start(binary: &Path, config: &str, web: u16, gossip: u16, peer: u16) -> Member {
        let dir = TempDir::new().unwrap();
        std::fs::write(dir.path().join("alertmanager.yml"), config).unwrap();
        let cluster = [
            format!("--cluster.listen-address=127.0.0.1:{gossip}"),
            format!("--cluster.peer=127.0.0.1:{peer}"),
            // The second member waits this long (times its position) for
            // the first one's notification log before it notifies itself:
            // long enough for the log to be gossiped on a loaded machine
            // (the test's parallel neighbours run Chromium), or the second
            // member notifies a resolution again.
            "--cluster.peer-timeout=3s".into(),
            "--cluster.gossip-interval=100ms".into(),
        ];
        let child = spawn(binary, dir.path(), web, &cluster);
        Member {
            child,
            base: format!("http://127.0.0.1:{web}"),
            dir,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("alertmanager.log")).unwrap_or_default()
    }

    /// The cluster as this member sees it: (status, number of peers).
    fn cluster(&self) -> Option<(String, usize)> {
        let mut r = agent()
            .get(&format!("{}/api/v2/status", self.base))
            .call()
            .ok()?;
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string().ok()?).ok()?;
        Some((
            v["cluster"]["status"].as_str()?.to_string(),
            v["cluster"]["peers"].as_array()?.len(),
        ))
    }

    /// Kills the member with SIGKILL.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two members peering with each other, once both see a settled cluster
/// of two; `None` to skip (outside CI only).
fn cluster(config: &str) -> Option<(Member, Member)> {
    let binary = match find_program(
        "TOCSIN_ALERTMANAGER",
        &["prometheus-alertmanager", "alertmanager"],
    ) {
        Some(b) => b,
        None if std::env::var_os("CI").is_some() => {
            panic!("no Alertmanager binary: run .ci/alertmanager-setup")
        }
        None => {
            eprintln!("skipping: no Alertmanager binary");
            return None;
        }
    };
    let [w1, g1, w2, g2] = [free_port(), free_port(), free_port(), free_port()];
    let a = Member::start(&binary, config, w1, g1, g2);
    let b = Member::start(&binary, config, w2, g2, g1);
    let end = Instant::now() + PATIENCE;
    loop {
        let ready = |m: &Member| m.cluster() == Some(("ready".to_string(), 2));
        if ready(&a) && ready(&b) {
            return Some((a, b));
        }
        assert!(
            Instant::now() < end,
            "the cluster did not form: {:?} {:?}\n{}\n{}",
            a.cluster(),
            b.cluster(),
            a.log(),
            b.log()
        );
        thread::sleep(Duration::from_millis(100));
    }
}

/// What the receiver got: notifications per (alert, instance, status),
/// where an alert's instance is its `region` label (empty without one).
#[derive(Default)]
struct Log {
    counts: BTreeMap<(String, String, String), usize>,
    bodies: Vec<Value>,
}

impl Log {
    fn take(&mut self, body: Value) {
        for alert in body["alerts"].as_array().into_iter().flatten() {
            let key = (
                alert["labels"]["alertname"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                alert["labels"]["region"].as_str().unwrap_or("").to_string(),
                alert["status"].as_str().unwrap_or("").to_string(),
            );
            *self.counts.entry(key).or_default() += 1;
        }
        self.bodies.push(body);
    }

    fn count(&self, alert: &str, region: &str, status: &str) -> usize {
        self.counts
            .get(&(alert.to_string(), region.to_string(), status.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Takes notifications until `done` holds, then for `QUIET` more, so
    /// that a repeat would be seen.
    fn until(&mut self, rx: &Receiver<Value>, what: &str, done: impl Fn(&Log) -> bool) {
        let end = Instant::now() + PATIENCE;
        while !done(self) {
            let left = end.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(body) => self.take(body),
                Err(_) => panic!("{what}: not received; got {:#?}", self.counts),
            }
        }
        while let Ok(body) = rx.recv_timeout(QUIET) {
            self.take(body);
        }
    }
}

/// `tocsin watch` over the shared project, with its own state folder
/// (its own temporary folder), sending to every member.
fn daemon(state: TempDir, project: &Path, members: &str) -> Daemon {
    let rules = project.join("rules");
    let data = project.join("indicators");
    Daemon::start_in(
        state,
        &[
            "--at",
            "2025-04-05",
            "--rules",
            rules.to_str().unwrap(),
            "--indicators",
            data.to_str().unwrap(),
            "--alertmanager",
            members,
        ],
        &[],
    )
}

fn data(project: &Path, gauge: u32, regions: &[&str]) {
    write(
        &project.join("indicators/gauge.csv"),
        &format!("date,value\n2025-04-01,{gauge}\n"),
    );
    let mut incidents = String::from("date,region\n");
    for r in regions {
        incidents.push_str(&format!("2025-04-02,{r}\n2025-04-03,{r}\n"));
    }
    write(&project.join("indicators/incidents.csv"), &incidents);
}

#[test]
fn an_ha_pair_behind_an_alertmanager_cluster_notifies_each_change_once() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let rx = hook_server(listener);
    // Every label set is a group of its own, notified as soon as the
    // cluster agrees and again only when it changes. Each daemon posts to
    // each member on its own, so one member may hear of a change a moment
    // after the other; a group interval shorter than that moment lets the
    // member that has not heard yet notify its stale state again once the
    // other's notification reaches it (seen with 1 s on a loaded machine).
    // Real configurations wait minutes; 3 s is ample here.
    let config = format!(
        "route:\n  receiver: hook\n  group_by: ['...']\n  group_wait: 1s\n  \
         group_interval: 3s\n  repeat_interval: 1h\nreceivers:\n  - name: hook\n    \
         webhook_configs:\n      - url: {url}\n        send_resolved: true\n"
    );
    let Some((am1, am2)) = cluster(&config) else {
        return;
    };
    let members = format!("{},{}", am1.base, am2.base);

    let project = TempDir::new().unwrap();
    let p = project.path();
    write(
        &p.join("rules/a.rules"),
        "alert pressure_high {\n  severity: critical\n  when: latest(gauge) > 5\n}\n\n\
         alert busy {\n  severity: warning\n  by: region\n  when: count(incidents, 7d) >= 2\n}\n",
    );
    data(p, 1, &[]);
    let mut a = daemon(TempDir::new().unwrap(), p, &members);
    let mut b = daemon(TempDir::new().unwrap(), p, &members);
    let mut log = Log::default();

    // 1. Both daemons see the alerts fire and send them to both members:
    // the receiver hears of each once.
    data(p, 9, &["North", "South"]);
    for d in [&mut a, &mut b] {
        d.status("pressure_high", "met");
    }
    log.until(&rx, "first firing", |l| {
        l.count("pressure_high", "", "firing") >= 1
            && l.count("busy", "North", "firing") >= 1
            && l.count("busy", "South", "firing") >= 1
    });
    assert_eq!(
        log.count("pressure_high", "", "firing"),
        1,
        "{:#?}",
        log.bodies
    );
    assert_eq!(log.count("busy", "North", "firing"), 1, "{:#?}", log.bodies);
    assert_eq!(log.count("busy", "South", "firing"), 1, "{:#?}", log.bodies);

    // 2. One instance resolves (it leaves the data, so it is removed):
    // once.
    data(p, 9, &["South"]);
    for d in [&mut a, &mut b] {
        d.expect(|e| {
            e["event"] == "status" && e["labels"]["region"] == "North" && e["to"] != "met"
        });
    }
    log.until(&rx, "North resolved", |l| {
        l.count("busy", "North", "resolved") >= 1
    });
    assert_eq!(
        log.count("busy", "North", "resolved"),
        1,
        "{:#?}",
        log.bodies
    );

    // 3. One daemon and one Alertmanager die (SIGKILL) while the alerts
    // fire; the daemon is started again on its state folder. It announces
    // nothing it had announced, and the receiver hears no repeat.
    let state = a.crash();
    am1.kill();
    let mut a = daemon(state, p, &members);
    let restarted: Vec<_> = Daemon::statuses(&a.startup);
    assert!(restarted.is_empty(), "announced again: {restarted:?}");
    let quiet = a.drain(Duration::from_secs(2));
    assert!(
        Daemon::statuses(&quiet).is_empty(),
        "announced again: {quiet:?}"
    );
    while let Ok(body) = rx.recv_timeout(QUIET) {
        log.take(body);
    }
    assert_eq!(
        log.count("pressure_high", "", "firing"),
        1,
        "{:#?}",
        log.bodies
    );
    assert_eq!(log.count("busy", "South", "firing"), 1, "{:#?}", log.bodies);

    // 4. Everything resolves while one member is down: the other one
    // notifies, once for each alert.
    data(p, 1, &[]);
    for d in [&mut a, &mut b] {
        let (_, _) = d.expect(|e| {
            e["event"] == "status" && e["name"] == "pressure_high" && e["to"] == "not_met"
        });
    }
    log.until(&rx, "all resolved", |l| {
        l.count("pressure_high", "", "resolved") >= 1 && l.count("busy", "South", "resolved") >= 1
    });
    assert_eq!(
        log.count("pressure_high", "", "resolved"),
        1,
        "{:#?}",
        log.bodies
    );
    assert_eq!(
        log.count("busy", "South", "resolved"),
        1,
        "{:#?}",
        log.bodies
    );
    // Nothing else came: one firing and one resolved notification per
    // alert in all.
    let total: usize = log.counts.values().sum();
    assert_eq!(total, 6, "{:#?}", log.counts);
    drop(am2);
}

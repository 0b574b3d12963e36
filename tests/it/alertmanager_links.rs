//! The `generatorURL` of the alerts the daemon sends Alertmanager: the
//! rule's status on the daemon, at `--external-url` or else `--listen`.

use crate::common::{free_port, Daemon};
use crate::webhook_receiver::HookServer;

const RULES: &str = "alert strikes_seen { when: count(strikes, 30d) >= 1 }\n";
const DATA: &str = "date\n2025-05-01\n";

/// The `generatorURL` of the first alert posted by a daemon given `args`.
fn generator_url(args: &[&str]) -> Option<String> {
    let hooks = HookServer::ok();
    // The receiver's address alone: the sink adds the API path.
    let base = hooks
        .url
        .split("/hook")
        .next()
        .unwrap_or_default()
        .to_string();
    let mut all = vec!["--at", "2025-05-05", "--alertmanager", &base];
    all.extend_from_slice(args);
    let d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/strikes.csv", DATA)],
        &all,
        &[],
    );
    let post = hooks.take(1).remove(0);
    let _ = d.stop();
    assert!(post.path.ends_with("/api/v2/alerts"), "{}", post.path);
    let alerts = post.json();
    assert_eq!(alerts[0]["labels"]["alertname"], "strikes_seen", "{alerts}");
    alerts[0]["generatorURL"].as_str().map(str::to_string)
}

#[test]
fn alerts_link_to_the_rule_at_the_listen_address_or_the_external_url() {
    let addr = format!("127.0.0.1:{}", free_port());
    assert_eq!(
        generator_url(&["--listen", &addr]).as_deref(),
        Some(format!("http://{addr}/api/v1/status?rule=strikes_seen").as_str())
    );
    let addr = format!("127.0.0.1:{}", free_port());
    assert_eq!(
        generator_url(&[
            "--listen",
            &addr,
            "--external-url",
            "https://ops.example/tocsin/"
        ])
        .as_deref(),
        Some("https://ops.example/tocsin/api/v1/status?rule=strikes_seen")
    );
    assert_eq!(generator_url(&[]), None);
}

#[test]
fn each_alertmanager_of_a_cluster_records_its_own_deliveries() {
    let (a, b) = (HookServer::ok(), HookServer::ok());
    let base = |h: &HookServer| h.url.split("/hook").next().unwrap_or_default().to_string();
    let addr = format!("127.0.0.1:{}", free_port());
    let both = format!("{},{}", base(&a), base(&b));
    let d = Daemon::start(
        &[("rules/a.rules", RULES), ("indicators/strikes.csv", DATA)],
        &[
            "--at",
            "2025-05-05",
            "--alertmanager",
            &both,
            "--listen",
            &addr,
        ],
        &[],
    );
    a.take(1);
    b.take(1);
    // Both sent: neither owes anything once the deliveries are recorded.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let metrics = d.get("/metrics").1;
        if metrics.contains("tocsin_notifications_pending{sink=\"alertmanager\"} 0")
            && metrics.contains("tocsin_notifications_pending{sink=\"alertmanager-2\"} 0")
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{metrics}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = d.stop();
}

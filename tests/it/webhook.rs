//! The webhook sink and the delivery worker against a local HTTP server.

use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use tocsin::change::{Announced, StatusChange};
use tocsin::lang::ast::Severity;
use tocsin::sinks::{Delivery, DeliveryOptions, Notification, Sink, SinkError, Webhook};

/// How long any test waits for something to happen before failing.
const PATIENCE: Duration = Duration::from_secs(10);

/// How the test server answers its n-th request (from 0).
#[derive(Clone, Copy)]
enum Answer {
    Status(u16),
    /// Read the request and never answer.
    Hang,
}

/// A request the server received.
#[derive(Clone, Debug)]
struct Received {
    url: String,
    content_type: Option<String>,
    body: Value,
}

/// A server on a free loopback port, in a thread that stops by itself after
/// a while so that no test can hang on it.
struct Server {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    fn start(answer: impl Fn(usize) -> Answer + Send + 'static) -> Server {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind a loopback port");
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        thread::spawn(move || {
            let end = Instant::now() + PATIENCE * 3;
            let mut held = Vec::new();
            while Instant::now() < end {
                let Ok(Some(mut request)) = server.recv_timeout(Duration::from_millis(50)) else {
                    continue;
                };
                let mut body = String::new();
                request.as_reader().read_to_string(&mut body).unwrap();
                let content_type = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Content-Type"))
                    .map(|h| h.value.to_string());
                let n = {
                    let mut log = log.lock().unwrap();
                    log.push(Received {
                        url: request.url().to_string(),
                        content_type,
                        body: serde_json::from_str(&body).unwrap_or(Value::Null),
                    });
                    log.len() - 1
                };
                match answer(n) {
                    Answer::Status(code) => {
                        let _ = request.respond(tiny_http::Response::empty(code));
                    }
                    Answer::Hang => held.push(request),
                }
            }
        });
        Server { port, received }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook?token=SECRET", self.port)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn change(name: &str) -> StatusChange {
    StatusChange {
        name: name.to_string(),
        labels: Default::default(),
        kind: "alert".to_string(),
        from: Some(Announced::Pending),
        to: Announced::Met,
        at: "2025-07-20".to_string(),
        severity: Some(Severity::Warning),
        title: Some(format!("{name} title")),
        summary: None,
        description: None,
        sources: vec![],
        tags: vec!["taiwan".to_string()],
    }
}

/// Notification `seq` of [`change`]`(name)`.
fn note(seq: u64, name: &str) -> Notification {
    Notification {
        seq,
        ts: "2025-07-20T09:14:03.512Z".to_string(),
        change: change(name),
    }
}

/// Waits until `done` holds, failing the test after [`PATIENCE`].
fn wait_until(what: &str, done: impl Fn() -> bool) {
    let end = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(5));
    }
}

type Delivered = Arc<Mutex<Vec<(u64, String)>>>;

fn recorder() -> (Delivered, impl Fn(u64, &str) + Send + 'static) {
    let delivered: Delivered = Arc::default();
    let log = Arc::clone(&delivered);
    (delivered, move |id, sink: &str| {
        log.lock().unwrap().push((id, sink.to_string()))
    })
}

fn names(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| r.body["name"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[test]
fn send_posts_the_status_event_as_json() {
    let server = Server::start(|_| Answer::Status(204));
    let hook = Webhook::new(&server.url()).unwrap();
    hook.send(&note(1, "strait_closed")).unwrap();
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].url, "/hook?token=SECRET");
    assert_eq!(got[0].content_type.as_deref(), Some("application/json"));
    let body = &got[0].body;
    assert_eq!(body["event"], "status");
    assert_eq!(body["name"], "strait_closed");
    assert_eq!(body["from"], "pending");
    assert_eq!(body["to"], "met");
    assert_eq!(body["severity"], "warning");
    assert_eq!(body["tags"][0], "taiwan");
}

#[test]
fn a_non_2xx_answer_is_an_error_with_its_code() {
    let server = Server::start(|_| Answer::Status(404));
    let hook = Webhook::new(&server.url()).unwrap();
    let error = hook.send(&note(1, "x")).unwrap_err();
    let url = format!("http://127.0.0.1:{}/***?token=***", server.port);
    assert_eq!(
        error,
        SinkError::Status {
            url,
            code: 404,
            retry_after: None
        }
    );
}

#[test]
fn no_server_is_a_transport_error_without_secrets() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let hook = Webhook::new(&format!("http://user:SECRET@127.0.0.1:{port}/?t=SECRET")).unwrap();
    let error = hook.send(&note(1, "x")).unwrap_err();
    assert!(matches!(error, SinkError::Transport { .. }), "{error:?}");
    assert!(
        !format!("{error} {error:?}").contains("SECRET"),
        "{error:?}"
    );
}

#[test]
fn the_worker_delivers_in_order_and_reports_each_once() {
    let server = Server::start(|_| Answer::Status(200));
    let (delivered, on_delivered) = recorder();
    let hook = Webhook::new(&server.url()).unwrap();
    let delivery = Delivery::spawn(vec![Box::new(hook)], on_delivered);
    assert_eq!(delivery.sinks(), ["webhook"]);
    for id in 1..=6 {
        delivery.submit(note(id, &format!("rule_{id}")));
    }
    wait_until("six deliveries", || delivered.lock().unwrap().len() == 6);
    delivery.shutdown(Duration::from_secs(1));
    let want: Vec<(u64, String)> = (1..=6).map(|id| (id, "webhook".to_string())).collect();
    assert_eq!(*delivered.lock().unwrap(), want);
    let want: Vec<String> = (1..=6).map(|id| format!("rule_{id}")).collect();
    assert_eq!(names(&server.received()), want);
}

#[test]
fn failures_are_retried_in_order_and_reported_redacted() {
    // 500 twice, then 200 for everything.
    let server = Server::start(|n| Answer::Status(if n < 2 { 500 } else { 200 }));
    let (delivered, on_delivered) = recorder();
    let failures = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&failures);
    let options = DeliveryOptions::default()
        .backoff(Duration::from_millis(20), Duration::from_millis(200))
        .on_failure(move |f| log.lock().unwrap().push((f.id, f.attempt, f.to_string())));
    let hook = Webhook::new(&server.url()).unwrap();
    let delivery = Delivery::spawn_with(vec![Box::new(hook)], options, on_delivered);
    delivery.submit(note(7, "first"));
    delivery.submit(note(8, "second"));
    wait_until("two deliveries", || delivered.lock().unwrap().len() == 2);
    // Nothing more is sent once delivered.
    thread::sleep(Duration::from_millis(100));
    delivery.shutdown(Duration::from_secs(1));

    assert_eq!(
        *delivered.lock().unwrap(),
        [(7, "webhook".to_string()), (8, "webhook".to_string())]
    );
    assert_eq!(
        names(&server.received()),
        ["first", "first", "first", "second"]
    );
    let failures = failures.lock().unwrap();
    assert_eq!(failures.len(), 2, "{failures:?}");
    for (n, (id, attempt, message)) in failures.iter().enumerate() {
        assert_eq!((*id, *attempt), (Some(7), n as u32 + 1));
        assert!(message.contains("HTTP status 500"), "{message}");
        assert!(message.contains("/***?token=***"), "{message}");
        assert!(!message.contains("SECRET"), "{message}");
    }
}

#[test]
fn shutdown_returns_within_the_deadline_while_the_server_hangs() {
    let server = Server::start(|_| Answer::Hang);
    let (delivered, on_delivered) = recorder();
    let hook = Webhook::new(&server.url()).unwrap();
    let delivery = Delivery::spawn(vec![Box::new(hook)], on_delivered);
    delivery.submit(note(1, "stuck"));
    delivery.submit(note(2, "behind"));
    wait_until("the request to arrive", || server.received().len() == 1);
    let started = Instant::now();
    delivery.shutdown(Duration::from_millis(300));
    let took = started.elapsed();
    assert!(took < Duration::from_millis(800), "shutdown took {took:?}");
    assert!(delivered.lock().unwrap().is_empty());
}

/// A sink in memory: fails its first `failures` attempts, counts ticks.
struct Flaky {
    failures: usize,
    taken: Arc<Mutex<Vec<String>>>,
    ticks: Arc<AtomicUsize>,
}

impl Sink for Flaky {
    fn name(&self) -> &'static str {
        "flaky"
    }

    fn deliver(&mut self, n: &Notification) -> Result<(), SinkError> {
        if self.failures > 0 {
            self.failures -= 1;
            return Err(SinkError::Transport {
                url: "memory".to_string(),
                message: "not yet".to_string(),
            });
        }
        self.taken.lock().unwrap().push(n.change.name.clone());
        Ok(())
    }

    fn tick(&mut self) -> Result<(), SinkError> {
        self.ticks.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn tick_interval(&self) -> Option<Duration> {
        Some(Duration::from_millis(30))
    }
}

#[test]
fn a_failing_sink_does_not_hold_back_the_others() {
    let server = Server::start(|_| Answer::Status(200));
    let (delivered, on_delivered) = recorder();
    let taken = Arc::new(Mutex::new(Vec::new()));
    let ticks = Arc::new(AtomicUsize::new(0));
    let flaky = Flaky {
        failures: usize::MAX,
        taken: Arc::clone(&taken),
        ticks: Arc::clone(&ticks),
    };
    let hook = Webhook::new(&server.url()).unwrap();
    let options =
        DeliveryOptions::default().backoff(Duration::from_millis(10), Duration::from_millis(50));
    let delivery =
        Delivery::spawn_with(vec![Box::new(flaky), Box::new(hook)], options, on_delivered);
    delivery.submit(note(1, "a"));
    delivery.submit(note(2, "b"));
    wait_until("the webhook to take both", || {
        delivered.lock().unwrap().len() == 2
    });
    // Ticks run on schedule while deliveries keep failing.
    wait_until("a few ticks", || ticks.load(Ordering::SeqCst) >= 3);
    delivery.shutdown(Duration::from_secs(1));
    assert_eq!(
        *delivered.lock().unwrap(),
        [(1, "webhook".to_string()), (2, "webhook".to_string())]
    );
    assert!(taken.lock().unwrap().is_empty());
}

#[test]
fn shutdown_tries_what_is_queued_once_more() {
    let taken = Arc::new(Mutex::new(Vec::new()));
    let flaky = Flaky {
        failures: 1,
        taken: Arc::clone(&taken),
        ticks: Arc::default(),
    };
    let (delivered, on_delivered) = recorder();
    // A long backoff: the retry only happens because of the shutdown.
    let options =
        DeliveryOptions::default().backoff(Duration::from_secs(60), Duration::from_secs(60));
    let delivery = Delivery::spawn_with(vec![Box::new(flaky)], options, on_delivered);
    delivery.submit(note(1, "a"));
    delivery.submit(note(2, "b"));
    thread::sleep(Duration::from_millis(50));
    assert!(delivered.lock().unwrap().is_empty());
    delivery.shutdown(Duration::from_secs(1));
    assert_eq!(*taken.lock().unwrap(), ["a", "b"]);
    assert_eq!(
        *delivered.lock().unwrap(),
        [(1, "flaky".to_string()), (2, "flaky".to_string())]
    );
}

use super::super::{publish, shared, Published};
use super::*;

struct Running {
    addr: std::net::SocketAddr,
    listener: Option<Listener>,
    shared: Shared,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(l) = self.listener.take() {
            l.shutdown();
        }
    }
}

fn start(limits: Limits) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let shared = shared();
    let listener = serve_on(listener, limits, Arc::clone(&shared)).unwrap();
    Running {
        addr: listener.addr(),
        listener: Some(listener),
        shared,
    }
}

/// Short limits; a connection cap high enough that the few connections
/// still closing on a busy machine do not count against a test.
fn quick() -> Limits {
    Limits {
        max_connections: 16,
        max_head: 1024,
        head_timeout: Duration::from_millis(400),
        answer_timeout: Duration::from_secs(2),
    }
}

/// Sends `request` raw and reads the whole answer.
fn exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = s.write_all(request);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn status_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or("")
}

#[test]
fn serves_the_published_snapshot() {
    let r = start(quick());
    let get = |path: &str| {
        exchange(
            r.addr,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
        )
    };
    assert_eq!(
        status_line(&get("/healthz")),
        "HTTP/1.1 503 Service Unavailable"
    );
    assert_eq!(
        status_line(&get("/api/v1/status")),
        "HTTP/1.1 503 Service Unavailable"
    );
    publish(
        &r.shared,
        Published {
            status_json: "{\"at\": \"2025-07-20\"}\n".into(),
            metrics: "tocsin_up 1\n".into(),
            ready: true,
            good: true,
        },
    );
    let status = get("/api/v1/status?pretty=1");
    assert_eq!(status_line(&status), "HTTP/1.1 200 OK");
    assert!(status.contains("Content-Type: application/json\r\n"));
    assert!(status.contains("Content-Length: 21\r\n"));
    assert!(status.ends_with("\r\n\r\n{\"at\": \"2025-07-20\"}\n"));
    // The published metrics first, then those read at the scrape.
    let metrics = get("/metrics");
    assert!(metrics.contains("\r\n\r\ntocsin_up 1\n# HELP tocsin_build_info "));
    assert!(metrics.ends_with('\n'));
    assert!(get("/healthz").ends_with("ok\n"));
    assert_eq!(status_line(&get("/nope")), "HTTP/1.1 404 Not Found");
    // The absolute form a proxy sends reads as its path.
    assert!(get("http://127.0.0.1:9464/healthz").ends_with("ok\n"));
    assert!(get("http://x/api/v1/status?pretty=1").ends_with("{\"at\": \"2025-07-20\"}\n"));
    assert_eq!(
        status_line(&get("https://x:1/nope")),
        "HTTP/1.1 404 Not Found"
    );
}

#[test]
fn an_absolute_form_target_is_read_as_its_path() {
    assert_eq!(origin_form("/metrics"), "/metrics");
    assert_eq!(origin_form("http://h:9464/metrics"), "/metrics");
    assert_eq!(origin_form("http://h?x=1"), "/");
    assert_eq!(origin_form("https://h"), "/");
}

#[test]
fn head_gets_the_head_only_and_other_methods_are_refused() {
    let r = start(quick());
    let head = exchange(r.addr, b"HEAD /healthz HTTP/1.1\r\n\r\n");
    assert!(head.contains("Content-Length: 27\r\n"), "{head}");
    assert!(head.ends_with("\r\n\r\n"), "{head:?}");
    for method in ["POST", "PUT", "DELETE"] {
        let a = exchange(
            r.addr,
            format!("{method} /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi").as_bytes(),
        );
        assert_eq!(status_line(&a), "HTTP/1.1 405 Method Not Allowed");
        assert!(a.contains("Allow: GET, HEAD\r\n"));
    }
}

#[test]
fn malformed_and_oversized_heads_are_refused() {
    let r = start(quick());
    assert_eq!(
        status_line(&exchange(r.addr, b"\x00\x01garbage\r\n\r\n")),
        "HTTP/1.1 400 Bad Request"
    );
    let big = format!("GET / HTTP/1.1\r\nX-Pad: {}\r\n\r\n", "a".repeat(2000));
    assert_eq!(
        status_line(&exchange(r.addr, big.as_bytes())),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    let many: String = (0..40).map(|i| format!("X-{i}: 1\r\n")).collect();
    let req = format!("GET / HTTP/1.1\r\n{many}\r\n");
    assert_eq!(
        status_line(&exchange(r.addr, req.as_bytes())),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
}

#[test]
fn a_slow_client_is_cut_off_and_does_not_hold_up_others() {
    // A deadline long enough that "served before it" means something on a
    // busy machine.
    let r = start(Limits {
        head_timeout: Duration::from_millis(2000),
        ..quick()
    });
    // Half a request line, then silence.
    let mut slow = TcpStream::connect(r.addr).unwrap();
    slow.write_all(b"GET /metr").unwrap();
    let started = Instant::now();
    let other = exchange(r.addr, b"GET /healthz HTTP/1.1\r\n\r\n");
    assert!(other.starts_with("HTTP/1.1 503"), "{other}");
    assert!(started.elapsed() < Duration::from_millis(1500));
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut out = String::new();
    let _ = slow.read_to_string(&mut out);
    assert_eq!(status_line(&out), "HTTP/1.1 408 Request Timeout");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
}

#[test]
fn connections_over_the_cap_are_told_to_retry() {
    let r = start(Limits {
        max_connections: 2,
        ..quick()
    });
    let idle: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(r.addr).unwrap())
        .collect();
    // Let the accept loop take both.
    std::thread::sleep(Duration::from_millis(150));
    let refused = exchange(r.addr, b"GET /healthz HTTP/1.1\r\n\r\n");
    assert_eq!(status_line(&refused), "HTTP/1.1 503 Service Unavailable");
    assert!(refused.contains("Retry-After: 1\r\n"));
    assert!(refused.ends_with("too many connections; try again\n"));
    // Once the idle ones time out, there is room again.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let served = exchange(r.addr, b"GET /nope HTTP/1.1\r\n\r\n");
        if status_line(&served) == "HTTP/1.1 404 Not Found" {
            break;
        }
        assert!(Instant::now() < deadline, "no room again: {served}");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(idle);
}

/// Whether a fresh client is served (rather than told to retry).
fn served(addr: std::net::SocketAddr) -> bool {
    status_line(&exchange(addr, b"GET /nope HTTP/1.1\r\n\r\n")) == "HTTP/1.1 404 Not Found"
}

#[test]
fn a_slow_reader_is_dropped_at_the_answer_deadline() {
    let r = start(Limits {
        max_connections: 1,
        answer_timeout: Duration::from_millis(1000),
        ..quick()
    });
    // Far more than the socket buffers hold, so that the answer can only
    // go out as fast as the client reads.
    let size = 8 << 20;
    publish(
        &r.shared,
        Published {
            status_json: "x".repeat(size),
            metrics: String::new(),
            ready: true,
            good: true,
        },
    );
    let mut slow = TcpStream::connect(r.addr).unwrap();
    slow.write_all(b"GET /api/v1/status HTTP/1.1\r\n\r\n")
        .unwrap();
    let started = Instant::now();
    // A little every 100 ms: each read makes room for the next write.
    let done = Arc::new(AtomicBool::new(false));
    let reading = Arc::clone(&done);
    let reader = std::thread::spawn(move || {
        let mut got = 0;
        let mut chunk = vec![0u8; 8 * 1024];
        slow.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        while !reading.load(Ordering::SeqCst) {
            match slow.read(&mut chunk) {
                Ok(n) if n > 0 => got += n,
                _ => break,
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        got
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(!served(r.addr), "the slow reader should hold the one slot");
    // The slot is free again once the deadline passes, though the reader
    // is still reading.
    loop {
        if served(r.addr) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "the slow reader still holds the slot"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let freed = started.elapsed();
    assert!(freed >= Duration::from_millis(900), "{freed:?}");
    done.store(true, Ordering::SeqCst);
    assert!(reader.join().unwrap() < size, "the whole answer was sent");
}

#[test]
fn refusing_a_connection_never_waits_on_it() {
    let r = start(Limits {
        max_connections: 1,
        head_timeout: Duration::from_secs(4),
        ..quick()
    });
    let _idle = TcpStream::connect(r.addr).unwrap();
    std::thread::sleep(Duration::from_millis(150));
    // Refused clients that keep sending a byte now and then: reading them
    // after the 503 would hold the accept loop for each in turn.
    let stop = Arc::new(AtomicBool::new(false));
    let dribblers: Vec<_> = (0..4)
        .map(|_| {
            let mut s = TcpStream::connect(r.addr).unwrap();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    if s.write_all(b"G").is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(80));
                }
            })
        })
        .collect();
    let started = Instant::now();
    let refused = exchange(r.addr, b"GET /healthz HTTP/1.1\r\n\r\n");
    let waited = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    for d in dribblers {
        d.join().unwrap();
    }
    assert_eq!(status_line(&refused), "HTTP/1.1 503 Service Unavailable");
    assert!(waited < Duration::from_millis(1000), "{waited:?}");
}

#[test]
fn shutdown_stops_the_loop_at_once_even_on_every_address() {
    let listener = TcpListener::bind("0.0.0.0:0").unwrap();
    let listener = serve_on(listener, quick(), shared()).unwrap();
    let addr = listener.addr();
    let started = Instant::now();
    listener.shutdown();
    assert!(started.elapsed() < Duration::from_secs(1));
    let port = addr.port();
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "still listening"
    );
}

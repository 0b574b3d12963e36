//! The daemon's HTTP listener: read-only, `GET` and `HEAD` only, bounded.
//! Requests are answered from a snapshot that the daemon renders when a
//! request asks for one after the state changed: a reload renders
//! nothing (the board of 100,000 rules is 60 MB of JSON), a slow client
//! never holds up evaluation, and the listener's limits ([`Limits`]) keep
//! a slow or hostile client from holding the listener.

mod server;

pub use server::{Limits, Listener};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

/// What the endpoints serve, replaced whole when rendered.
#[derive(Clone, Debug, Default)]
pub struct Published {
    /// `/api/v1/status`: the same JSON as `eval --format json`.
    pub status_json: String,
    /// `/metrics`.
    pub metrics: String,
    /// False until there is a model to serve.
    pub ready: bool,
    /// False until a load took every file without an error (`/healthz`
    /// and `/api/v1/status` answer 503 until then; `/metrics` is served
    /// from the first model, so that a refused start shows in it).
    pub good: bool,
}

/// The snapshot served, and whether it is of the daemon's state now.
#[derive(Debug, Default)]
pub struct Snapshots {
    current: RwLock<Arc<Published>>,
    /// How many times the state changed, and at which of those the
    /// snapshot served was rendered.
    versions: Mutex<(u64, u64)>,
    rendered: Condvar,
    /// Set by a request waiting for a snapshot of the state now.
    asked: AtomicBool,
    /// Whether a model is in force (before any snapshot of it).
    ready: AtomicBool,
    /// Whether a good load is in force (before any snapshot of it).
    good: AtomicBool,
}

/// The shared snapshots: a request clones the `Arc` of one, never its text.
pub type Shared = Arc<Snapshots>;

/// How long a request waits for the daemon to render the state now (it
/// may be in a long reload) before it is answered with the last snapshot.
pub const RENDER_WAIT: Duration = Duration::from_secs(5);

/// A new, empty shared snapshot (not ready).
pub fn shared() -> Shared {
    Arc::new(Snapshots::default())
}

/// Replaces what the endpoints serve with `snapshot`, rendered from the
/// daemon's state now.
pub fn publish(shared: &Shared, snapshot: Published) {
    shared.publish(snapshot);
}

impl Snapshots {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, u64)> {
        self.versions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The daemon's state changed (an evaluation, a sink's counts): what
    /// is served is out of date. `ready` when a model is in force, `good`
    /// when a load took every file.
    pub fn changed(&self, ready: bool, good: bool) {
        self.lock().0 += 1;
        if ready {
            self.ready.store(true, Ordering::SeqCst);
        }
        if good {
            self.good.store(true, Ordering::SeqCst);
        }
    }

    /// Whether a request waits for a snapshot of the state now: the daemon
    /// then renders one.
    pub fn asked(&self) -> bool {
        let (changed, rendered) = *self.lock();
        self.asked.swap(false, Ordering::SeqCst) && rendered < changed
    }

    fn publish(&self, snapshot: Published) {
        let (ready, good) = (snapshot.ready, snapshot.good);
        let snapshot = Arc::new(snapshot);
        {
            let mut versions = self.lock();
            match self.current.write() {
                Ok(mut p) => *p = snapshot,
                Err(poisoned) => *poisoned.into_inner() = snapshot,
            }
            versions.1 = versions.0;
        }
        if ready {
            self.ready.store(true, Ordering::SeqCst);
        }
        if good {
            self.good.store(true, Ordering::SeqCst);
        }
        self.rendered.notify_all();
    }

    /// Whether a model is in force.
    fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Whether a good load is in force.
    fn is_good(&self) -> bool {
        self.good.load(Ordering::SeqCst)
    }

    /// The snapshot served now.
    fn current(&self) -> Arc<Published> {
        match self.current.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// A snapshot of the state as of now: the one served, or, when the
    /// state changed since, the one the daemon renders for this request,
    /// waited for up to `wait` (then the last one).
    fn fresh(&self, wait: Duration) -> Arc<Published> {
        let versions = self.lock();
        let wanted = versions.0;
        if versions.1 < wanted {
            self.asked.store(true, Ordering::SeqCst);
            let _ = self
                .rendered
                .wait_timeout_while(versions, wait, |v| v.1 < wanted);
        } else {
            drop(versions);
        }
        self.current()
    }
}

/// Starts the listener on `addr` with the default [`Limits`], in its own
/// thread.
pub fn serve(addr: &str, shared: Shared) -> Result<Listener, String> {
    let listener =
        std::net::TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    server::serve_on(listener, Limits::default(), shared)
        .map_err(|e| format!("cannot listen on {addr}: {e}"))
}

/// An answer: status code, body, content type.
struct Answer {
    code: u16,
    body: Body,
    kind: &'static str,
}

/// A body, borrowed from the snapshot where it can be.
enum Body {
    Static(&'static str),
    Status(Arc<Published>),
    /// The published metrics with those read at the scrape appended.
    Owned(String),
}

impl Body {
    fn bytes(&self) -> &[u8] {
        match self {
            Body::Static(s) => s.as_bytes(),
            Body::Status(p) => p.status_json.as_bytes(),
            Body::Owned(s) => s.as_bytes(),
        }
    }
}

const TEXT: &str = "text/plain; charset=utf-8";

/// The answer to `GET path` (the query string already cut off).
fn answer(path: &str, shared: &Shared) -> Answer {
    let (ready, good) = (shared.is_ready(), shared.is_good());
    let snap = match path {
        "/metrics" if ready => shared.fresh(RENDER_WAIT),
        "/api/v1/status" if good => shared.fresh(RENDER_WAIT),
        _ => shared.current(),
    };
    let (code, body, kind) = match path {
        "/healthz" if good => (200, Body::Static("ok\n"), TEXT),
        "/healthz" => (503, Body::Static("no good ruleset loaded yet\n"), TEXT),
        "/metrics" => (
            200,
            Body::Owned(metrics_now(&snap)),
            "text/plain; version=0.0.4; charset=utf-8",
        ),
        "/api/v1/status" if snap.good => (200, Body::Status(snap), "application/json"),
        "/api/v1/status" => (
            503,
            Body::Static("{\"error\": \"no good ruleset loaded yet\"}\n"),
            "application/json",
        ),
        _ => (
            404,
            Body::Static("not found: try /metrics, /api/v1/status or /healthz\n"),
            TEXT,
        ),
    };
    Answer { code, body, kind }
}

/// The published metrics and, read now, the build and process metrics:
/// those must be current at every scrape, not as of the last evaluation.
fn metrics_now(snap: &Published) -> String {
    let mut m = String::with_capacity(snap.metrics.len() + 2048);
    m.push_str(&snap.metrics);
    super::metrics::render_process(&mut m);
    m
}

#[cfg(test)]
mod snapshot_tests {
    use super::*;

    fn snapshot(text: &str) -> Published {
        Published {
            status_json: text.into(),
            metrics: String::new(),
            ready: true,
            good: true,
        }
    }

    #[test]
    fn a_request_after_a_change_gets_the_state_rendered_for_it() {
        let shared = shared();
        publish(&shared, snapshot("first"));
        assert!(!shared.asked());
        // Nothing changed: the snapshot served, without asking.
        assert_eq!(shared.fresh(Duration::from_secs(5)).status_json, "first");
        assert!(!shared.asked());
        shared.changed(true, true);
        let daemon = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                while !shared.asked() {
                    std::thread::sleep(Duration::from_millis(5));
                }
                publish(&shared, snapshot("second"));
            })
        };
        assert_eq!(shared.fresh(Duration::from_secs(5)).status_json, "second");
        daemon.join().unwrap();
        // Rendered: nothing more is asked.
        assert!(!shared.asked());
    }

    #[test]
    fn a_daemon_that_does_not_render_in_time_leaves_the_last_snapshot() {
        let shared = shared();
        assert!(!shared.is_ready());
        shared.changed(false, false);
        assert!(!shared.is_ready());
        publish(&shared, snapshot("old"));
        shared.changed(true, true);
        assert!(shared.is_ready());
        let started = std::time::Instant::now();
        assert_eq!(shared.fresh(Duration::from_millis(100)).status_json, "old");
        assert!(started.elapsed() >= Duration::from_millis(100));
        // The request asked: the daemon renders at its next look.
        assert!(shared.asked());
        assert!(!shared.asked());
    }
}

//! The daemon's HTTP listener: read-only, `GET` and `HEAD` only, bounded.
//! Requests are answered from a snapshot published after each evaluation,
//! so a slow client never holds up evaluation, and the listener's limits
//! ([`Limits`]) keep a slow or hostile client from holding the listener.

mod server;

pub use server::{Limits, Listener};

use std::sync::{Arc, RwLock};

/// What the endpoints serve, replaced whole after each evaluation.
#[derive(Clone, Debug, Default)]
pub struct Published {
    /// `/api/v1/status`: the same JSON as `eval --format json`.
    pub status_json: String,
    /// `/metrics`.
    pub metrics: String,
    /// False until the first good load.
    pub ready: bool,
}

/// The shared snapshot: a request clones the `Arc`, never the text.
pub type Shared = Arc<RwLock<Arc<Published>>>;

/// A new, empty shared snapshot (not ready).
pub fn shared() -> Shared {
    Arc::new(RwLock::new(Arc::new(Published::default())))
}

/// Replaces what the endpoints serve.
pub fn publish(shared: &Shared, snapshot: Published) {
    let snapshot = Arc::new(snapshot);
    match shared.write() {
        Ok(mut p) => *p = snapshot,
        Err(poisoned) => *poisoned.into_inner() = snapshot,
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
    let snap = match shared.read() {
        Ok(s) => Arc::clone(&s),
        Err(poisoned) => Arc::clone(&poisoned.into_inner()),
    };
    let (code, body, kind) = match path {
        "/healthz" if snap.ready => (200, Body::Static("ok\n"), TEXT),
        "/healthz" => (503, Body::Static("no good ruleset loaded yet\n"), TEXT),
        "/metrics" => (
            200,
            Body::Owned(metrics_now(&snap)),
            "text/plain; version=0.0.4; charset=utf-8",
        ),
        "/api/v1/status" if snap.ready => (200, Body::Status(snap), "application/json"),
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

//! The daemon's HTTP listener: read-only, `GET` only, bounded. Requests are
//! answered from a snapshot published after each evaluation, so a slow
//! client never holds up evaluation.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tiny_http::{Header, Method, Response, Server};

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

/// The shared snapshot.
pub type Shared = Arc<RwLock<Published>>;

/// Starts the listener on `addr` in its own thread.
pub fn serve(
    addr: &str,
    shared: Shared,
    stop: Arc<AtomicBool>,
) -> Result<std::thread::JoinHandle<()>, String> {
    let server = Server::http(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    Ok(std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let Ok(Some(req)) = server.recv_timeout(Duration::from_millis(100)) else {
                continue;
            };
            let (code, body, kind) = answer(req.method(), req.url(), &shared);
            let header = Header::from_bytes(&b"Content-Type"[..], kind.as_bytes()).ok();
            let mut resp = Response::from_string(body).with_status_code(code);
            if let Some(h) = header {
                resp = resp.with_header(h);
            }
            let _ = req.respond(resp);
        }
    }))
}

fn answer(method: &Method, url: &str, shared: &Shared) -> (u16, String, &'static str) {
    const TEXT: &str = "text/plain; charset=utf-8";
    if *method != Method::Get && *method != Method::Head {
        return (405, "only GET is served\n".into(), TEXT);
    }
    let path = url.split('?').next().unwrap_or("");
    let snap = match shared.read() {
        Ok(s) => s.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    match path {
        "/healthz" => {
            if snap.ready {
                (200, "ok\n".into(), TEXT)
            } else {
                (503, "no good ruleset loaded yet\n".into(), TEXT)
            }
        }
        "/metrics" => (
            200,
            snap.metrics,
            "text/plain; version=0.0.4; charset=utf-8",
        ),
        "/api/v1/status" => {
            if snap.ready {
                (200, snap.status_json, "application/json")
            } else {
                (
                    503,
                    "{\"error\": \"no good ruleset loaded yet\"}\n".into(),
                    "application/json",
                )
            }
        }
        _ => (
            404,
            "not found: try /metrics, /api/v1/status or /healthz\n".into(),
            TEXT,
        ),
    }
}

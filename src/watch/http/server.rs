//! A small HTTP/1.1 server with hard limits. Each connection carries one
//! request and is closed after the answer; the request head is parsed by
//! `httparse`. What bounds it: a cap on open connections (one thread
//! each; the next is told 503 and closed at once), a cap on the size of
//! the request head (431), a deadline for the whole head (408) and a
//! deadline for the whole answer, so a client that sends or reads slowly
//! holds a connection for seconds, not forever, and never the evaluation.
//! A deadline per write would not do: a client reading a few bytes now and
//! then would restart it with every read and keep its slot for ever.

use super::{answer, Answer, Body, Shared, TEXT};
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The listener's bounds.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Bytes of request line and headers; more is answered 431.
    pub max_head: usize,
    /// Time allowed for the whole request head to arrive; then 408.
    pub head_timeout: Duration,
    /// Time allowed for the whole answer to be written, counted from the
    /// end of the request head; then the connection is dropped.
    pub answer_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 64,
            max_head: 8 * 1024,
            head_timeout: Duration::from_secs(5),
            answer_timeout: Duration::from_secs(10),
        }
    }
}

/// The running listener; [`Listener::shutdown`] stops it.
pub struct Listener {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<()>,
}

impl Listener {
    /// The address it listens on.
    #[cfg(test)]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and waits for the accept loop to end (connections
    /// being answered finish on their own threads, within their limits).
    pub fn shutdown(self) {
        self.stop.store(true, Ordering::SeqCst);
        // The loop blocks in accept: one connection wakes it to see `stop`.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        let _ = self.handle.join();
    }
}

/// Serves `listener` in a thread until [`Listener::shutdown`].
pub(super) fn serve_on(
    listener: TcpListener,
    limits: Limits,
    shared: Shared,
) -> std::io::Result<Listener> {
    let addr = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let open = Arc::new(AtomicUsize::new(0));
    let handle = std::thread::Builder::new()
        .name("tocsin-http".into())
        .spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                match conn {
                    Ok(stream) => admit(stream, limits, &shared, &open),
                    // Out of file descriptors, a connection reset before
                    // accept: passing; wait a little and go on.
                    Err(_) => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        })?;
    Ok(Listener { addr, stop, handle })
}

/// Serves `stream` on its own thread, or refuses it when the cap is
/// reached.
fn admit(stream: TcpStream, limits: Limits, shared: &Shared, open: &Arc<AtomicUsize>) {
    if open.fetch_add(1, Ordering::SeqCst) >= limits.max_connections {
        open.fetch_sub(1, Ordering::SeqCst);
        refuse(stream);
        return;
    }
    let guard = Open(Arc::clone(open));
    let shared = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name("tocsin-http-conn".into())
        .spawn(move || {
            let _guard = guard;
            handle(stream, limits, &shared);
        });
    // When no thread can be made, the closure (and with it the stream and
    // the guard) is dropped: the connection closes and the count goes down.
    drop(spawned);
}

/// Tells a connection over the cap to retry, on the accept thread, without
/// ever waiting on the client: one non-blocking write (a fresh socket's
/// send buffer is empty, so the short answer fits whole), then close. What
/// the client sent is never read; a client that sent its request first may
/// see its connection reset instead of the answer, which means the same.
fn refuse(mut stream: TcpStream) {
    if stream.set_nonblocking(true).is_err() {
        return;
    }
    let busy = head(503, TEXT, BUSY.len(), false) + BUSY;
    let _ = stream.write(busy.as_bytes());
    let _ = stream.shutdown(Shutdown::Write);
}

const BUSY: &str = "too many connections; try again\n";

/// Counts a connection as open until dropped.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Reads one request head within the limits and answers it.
fn handle(mut stream: TcpStream, limits: Limits, shared: &Shared) {
    let deadline = Instant::now() + limits.head_timeout;
    let respond = |stream, a: &Answer, head_only| {
        respond(stream, a, head_only, Instant::now() + limits.answer_timeout);
    };
    let mut buf = vec![0u8; limits.max_head];
    let mut len = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return respond(stream, &plain(408, "request head too slow\n"), false);
        }
        if stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut buf[len..]) {
            Ok(0) => return,
            Ok(n) => len += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return respond(stream, &plain(408, "request head too slow\n"), false);
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return,
        }
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf[..len]) {
            Ok(httparse::Status::Complete(_)) => {
                let head = req.method == Some("HEAD");
                let reply = match req.method {
                    Some("GET" | "HEAD") => {
                        let target = origin_form(req.path.unwrap_or("/"));
                        answer(target.split('?').next().unwrap_or(""), shared)
                    }
                    _ => plain(405, "only GET and HEAD are served\n"),
                };
                return respond(stream, &reply, head);
            }
            Ok(httparse::Status::Partial) if len == buf.len() => {
                return respond(stream, &plain(431, "request head too large\n"), false);
            }
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => {
                return respond(stream, &plain(431, "too many request headers\n"), false);
            }
            Err(_) => return respond(stream, &plain(400, "bad request\n"), false),
        }
    }
}

fn plain(code: u16, text: &'static str) -> Answer {
    Answer {
        code,
        body: Body::Static(text),
        kind: TEXT,
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// The status line and headers of an answer.
fn head(code: u16, kind: &str, len: usize, allow: bool) -> String {
    let mut head = format!(
        "HTTP/1.1 {code} {}\r\nContent-Type: {kind}\r\nContent-Length: {len}\r\nConnection: close\r\nCache-Control: no-store\r\n",
        reason(code),
    );
    if allow {
        head.push_str("Allow: GET, HEAD\r\n");
    }
    if code == 503 {
        head.push_str("Retry-After: 1\r\n");
    }
    head.push_str("\r\n");
    head
}

/// Writes the answer (the head only for `HEAD`) and closes the connection;
/// drops it instead when `deadline` passes first.
fn respond(mut stream: TcpStream, a: &Answer, head_only: bool, deadline: Instant) {
    let body = a.body.bytes();
    let head = head(a.code, a.kind, body.len(), a.code == 405);
    let body = if head_only { &[][..] } else { body };
    if write_by(&mut stream, head.as_bytes(), deadline).is_err()
        || write_by(&mut stream, body, deadline).is_err()
    {
        return;
    }
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
    // Reading what the client may still send (up to a little) lets the
    // close be orderly rather than a reset that could cut the answer.
    let mut sink = [0u8; 1024];
    for _ in 0..8 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero()
            || stream
                .set_read_timeout(Some(left.min(Duration::from_millis(100))))
                .is_err()
        {
            break;
        }
        match stream.read(&mut sink) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
}

/// Writes all of `bytes` before `deadline`: each write may wait only for
/// the time left, so progress made slowly does not extend it.
fn write_by(stream: &mut TcpStream, mut bytes: &[u8], deadline: Instant) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ErrorKind::TimedOut.into());
        }
        stream.set_write_timeout(Some(left))?;
        match stream.write(bytes) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The path of a request target: an absolute-form target
/// (`http://host:port/healthz`, which a server must accept, RFC 9112
/// section 3.2.2) read as its path.
fn origin_form(target: &str) -> &str {
    let Some(rest) = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
    else {
        return target;
    };
    // No path (`http://host` or `http://host?x`): the root.
    match rest.find(['/', '?']) {
        Some(k) if rest[k..].starts_with('/') => &rest[k..],
        _ => "/",
    }
}

#[cfg(test)]
mod tests;

//! A small HTTP/1.1 server with hard limits. Each connection carries one
//! request and is closed after the answer; the request head is parsed by
//! `httparse`. What bounds it: a cap on open connections (one thread
//! each; the next is told 503 and closed at once), a cap on the size of
//! the request head (431), a deadline for the whole head (408) and a
//! timeout on every write, so a client that sends or reads slowly holds a
//! connection for seconds, not forever, and never the evaluation.

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
    /// Time allowed for each write of the answer; then the connection is
    /// dropped.
    pub write_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 64,
            max_head: 8 * 1024,
            head_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(10),
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
        // A fresh socket's send buffer is empty: this short write does not
        // wait on the client.
        let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
        let busy = Answer {
            code: 503,
            body: Body::Static("too many connections; try again\n"),
            kind: TEXT,
        };
        respond(stream, &busy, false);
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

/// Counts a connection as open until dropped.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Reads one request head within the limits and answers it.
fn handle(mut stream: TcpStream, limits: Limits, shared: &Shared) {
    if stream
        .set_write_timeout(Some(limits.write_timeout))
        .is_err()
    {
        return;
    }
    let deadline = Instant::now() + limits.head_timeout;
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
                        let target = req.path.unwrap_or("/");
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

/// Writes the answer (the head only for `HEAD`) and closes the connection.
fn respond(mut stream: TcpStream, a: &Answer, head_only: bool) {
    let body = a.body.bytes();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n",
        a.code,
        reason(a.code),
        a.kind,
        body.len()
    );
    if a.code == 405 {
        head.push_str("Allow: GET, HEAD\r\n");
    }
    if a.code == 503 {
        head.push_str("Retry-After: 1\r\n");
    }
    head.push_str("\r\n");
    let written = stream.write_all(head.as_bytes()).and_then(|_| {
        if head_only {
            Ok(())
        } else {
            stream.write_all(body)
        }
    });
    if written.is_ok() {
        let _ = stream.flush();
        let _ = stream.shutdown(Shutdown::Write);
        // Reading what the client may still send (up to a little) lets the
        // close be orderly rather than a reset that could cut the answer.
        let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
        let mut sink = [0u8; 1024];
        for _ in 0..8 {
            match stream.read(&mut sink) {
                Ok(n) if n > 0 => {}
                _ => break,
            }
        }
    }
}

#[cfg(test)]
mod tests;

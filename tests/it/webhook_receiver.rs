//! A webhook receiver for tests: a loopback HTTP server that keeps each
//! request whole (headers and the body's exact bytes) and answers as the
//! test scripts it.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// How long a test waits for a request.
const PATIENCE: Duration = Duration::from_secs(15);

/// One request as received.
#[derive(Clone, Debug)]
pub struct Hook {
    /// The request path.
    pub path: String,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    /// The body's bytes, exactly.
    pub body: Vec<u8>,
    /// When it arrived.
    pub at: Instant,
}

impl Hook {
    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// What the receiver answers: a status code and extra headers.
pub type Answer = (u16, Vec<(&'static str, String)>);

/// A receiver on a free loopback port.
pub struct HookServer {
    /// Its URL (with a token in the query, as a real one might have).
    pub url: String,
    hooks: Receiver<Hook>,
}

impl HookServer {
    /// Answers 200 to everything.
    pub fn ok() -> HookServer {
        HookServer::start(|_| (200, Vec::new()))
    }

    /// Answers the n-th request (from 0) with `answer(n)`.
    pub fn start(answer: impl Fn(usize) -> Answer + Send + 'static) -> HookServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/hook?token=SECRET",
            listener.local_addr().unwrap()
        );
        let (tx, hooks) = channel();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { break };
                stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
                let Some(hook) = read_request(&mut stream) else {
                    continue;
                };
                let (code, headers) = answer(n);
                let mut head =
                    format!("HTTP/1.1 {code} Answer\r\nContent-Length: 0\r\nConnection: close\r\n");
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                if tx.send(hook).is_err() {
                    break;
                }
            }
        });
        HookServer { url, hooks }
    }

    /// The next `n` requests, failing the test if they do not come.
    pub fn take(&self, n: usize) -> Vec<Hook> {
        let deadline = Instant::now() + PATIENCE;
        let mut out = Vec::new();
        while out.len() < n {
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_default();
            match self.hooks.recv_timeout(left) {
                Ok(h) => out.push(h),
                Err(_) => panic!("received {} of {n} requests: {out:?}", out.len()),
            }
        }
        out
    }

    /// The requests arriving within `quiet` of each other.
    pub fn rest(&self, quiet: Duration) -> Vec<Hook> {
        self.hooks
            .try_iter()
            .chain(std::iter::from_fn(|| self.hooks.recv_timeout(quiet).ok()))
            .collect()
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<Hook> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split(' ').nth(1)?.to_string();
    let mut headers = Vec::new();
    let mut len = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || line == "\r\n" {
            break;
        }
        let (k, v) = line.trim_end().split_once(':')?;
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
        if k == "content-length" {
            len = v.parse().ok()?;
        }
        headers.push((k, v));
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Hook {
        path,
        headers,
        body,
        at: Instant::now(),
    })
}

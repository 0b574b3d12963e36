//! A `tocsin watch` process for tests: started in a temporary folder, its
//! NDJSON events read on a thread, stopped with signals.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};
use tempfile::TempDir;

pub const WAIT: Duration = Duration::from_secs(10);

pub struct Daemon {
    pub child: Child,
    pub events: Receiver<Value>,
    pub dir: TempDir,
    pub port: Option<u16>,
    /// The events before the start reload, and that one.
    pub startup: Vec<Value>,
}

impl Daemon {
    /// Starts `tocsin watch` in a folder holding `files`.
    pub fn start(files: &[(&str, &str)], args: &[&str], env: &[(&str, &str)]) -> Daemon {
        let dir = TempDir::new().unwrap();
        for (p, text) in files {
            write(&dir.path().join(p), text);
        }
        Daemon::start_in(dir, args, env)
    }

    pub fn start_in(dir: TempDir, args: &[&str], env: &[(&str, &str)]) -> Daemon {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("tocsin"));
        cmd.arg("watch")
            .args(["--format", "json"])
            .args(args)
            .current_dir(dir.path());
        cmd.env_remove("TOCSIN_TODAY")
            .env_remove("TOCSIN_CLOCK_FILE")
            .env_remove("TOCSIN_WEBHOOK")
            .env_remove("TOCSIN_ALERTMANAGER");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let port = args
            .iter()
            .position(|a| *a == "--listen")
            .map(|i| args[i + 1].rsplit(':').next().unwrap().parse().unwrap());
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let v: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut d = Daemon {
            child,
            events: rx,
            dir,
            port,
            startup: Vec::new(),
        };
        let (start, mut before) = d.expect(|e| e["event"] == "reload" && e["reason"] == "start");
        before.push(start);
        d.startup = before;
        d
    }

    pub fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// Waits for an event matching `want`, returning it and every event
    /// seen before it.
    pub fn expect(&mut self, want: impl Fn(&Value) -> bool) -> (Value, Vec<Value>) {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.events.recv_timeout(left) {
                Ok(e) if want(&e) => return (e, seen),
                Ok(e) => seen.push(e),
                Err(_) => break,
            }
        }
        panic!("no matching event within {WAIT:?}; saw {seen:#?}");
    }

    /// Waits for the status event of `name` going to `to`.
    pub fn status(&mut self, name: &str, to: &str) -> Value {
        self.expect(|e| e["event"] == "status" && e["name"] == name && e["to"] == to)
            .0
    }

    /// Every event that arrives within `quiet`.
    pub fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(e) = self.events.recv_timeout(quiet) {
            out.push(e);
        }
        out
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        let port = self.port.expect("started with --listen");
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        let code = resp.split(' ').nth(1).unwrap().parse().unwrap();
        let body = resp
            .split_once("\r\n\r\n")
            .map(|x| x.1.to_string())
            .unwrap_or_default();
        (code, body)
    }

    pub fn board(&self) -> Value {
        let (code, body) = self.get("/api/v1/status");
        assert_eq!(code, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Sends SIGTERM and returns the exit code.
    pub fn terminate(mut self) -> (i32, Duration) {
        let started = Instant::now();
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code().unwrap_or(-1), started.elapsed());
            }
            assert!(Instant::now() < deadline, "did not stop");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Daemon {
    /// Stops with SIGTERM and hands back the folder, for a restart.
    pub fn stop(mut self) -> (i32, TempDir) {
        let dir = std::mem::replace(&mut self.dir, TempDir::new().unwrap());
        let (code, _) = self.terminate();
        (code, dir)
    }

    /// Kills with SIGKILL (a crash) and hands back the folder.
    pub fn crash(mut self) -> TempDir {
        let dir = std::mem::replace(&mut self.dir, TempDir::new().unwrap());
        let _ = self.child.kill();
        let _ = self.child.wait();
        dir
    }

    /// The status events among `events`.
    pub fn statuses(events: &[Value]) -> Vec<(String, Value, String)> {
        events
            .iter()
            .filter(|e| e["event"] == "status")
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_string(),
                    e["from"].clone(),
                    e["to"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

/// `tocsin history --format json` in a folder: every journaled change.
pub fn history(dir: &Path, name: Option<&str>) -> Vec<Value> {
    history_in(dir, ".tocsin", name)
}

/// `tocsin history --format json` in a folder, with `--state STATE`.
pub fn history_in(dir: &Path, state: &str, name: Option<&str>) -> Vec<Value> {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("tocsin"));
    cmd.arg("history")
        .args(["--format", "json", "--state", state])
        .current_dir(dir);
    if let Some(n) = name {
        cmd.arg(n);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The crate's root folder, where the shipped example lives.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `tocsin` run in `dir`, without colour and without the environment
/// variables that would change its date, its colour, its annotation paths
/// or reach a sink, so that what it prints depends on the files alone.
pub fn tocsin(dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin("tocsin"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GITHUB_WORKSPACE")
        .env_remove("TOCSIN_TODAY")
        .env_remove("TOCSIN_CLOCK_FILE")
        .env_remove("TOCSIN_WEBHOOK")
        .env_remove("TOCSIN_WEBHOOK_SECRET")
        .env_remove("TOCSIN_ALERTMANAGER");
    c
}

/// A temporary project: `files` are (path, contents) pairs.
pub fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (path, text) in files {
        write(&dir.path().join(path), text);
    }
    dir
}

/// Copies the folder `from`, recursively, to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// An outside program: the path in the environment variable `var` when it
/// is set, else the first of `names` found on PATH.
pub fn find_program(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    names
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Writes the example's report for the scenario date into `dir`.
pub fn example_report(dir: &Path) -> (PathBuf, String) {
    let file = dir.join("report.html");
    let out = tocsin(root())
        .args(["report", "--at", "2025-07-20", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let html = std::fs::read_to_string(&file).unwrap();
    (file, html)
}

/// Every rule of the example, from `eval --format json`.
pub fn example_rule_names() -> Vec<String> {
    let out = tocsin(root())
        .args(["eval", "--at", "2025-07-20", "--format", "json"])
        .output()
        .unwrap();
    let board: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<String> = board["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    // A rule with `by:` has a result per instance: its name once.
    let mut seen = std::collections::HashSet::new();
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| seen.insert(n.clone()))
        .collect();
    assert!(names.len() > 20, "{names:?}");
    names
}

/// A loopback HTTP server that answers 200 to every request and hands over
/// each request body.
pub fn hook_server(listener: std::net::TcpListener) -> Receiver<Value> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut len = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            if let Ok(v) = serde_json::from_slice(&body) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        }
    });
    rx
}

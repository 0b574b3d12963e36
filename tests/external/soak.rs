//! A soak test, ignored by default (it runs for minutes): `bench/soak`
//! runs it in release mode. One thread edits data files one after another
//! for `TOCSIN_SOAK_SECS` (default 300), each edit flipping one rule and
//! waiting for its status event; four threads meanwhile fetch `/metrics`
//! and `/api/v1/status` over loopback as fast as they are answered. It
//! fails on a missed change (no status event within 10 s), any answer other
//! than 200 or a failed request, and memory that grows (resident size in
//! the last third of the run over 1.25× that of the first third, plus
//! 8 MB).

use crate::common::{free_port, write, Daemon};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const FILES: usize = 10;

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// One GET over a new connection; the status code, or none on failure.
fn fetch(port: u16, path: &str) -> Option<u16> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").ok()?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).ok()?;
    let text = String::from_utf8_lossy(&resp);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))?
        .parse()
        .ok()?;
    if body.len() != len {
        return None;
    }
    head.split(' ').nth(1)?.parse().ok()
}

fn data(high: bool, n: usize) -> String {
    // Dated rows so that the file is not trivially small.
    let mut text = String::from("date,value\n");
    for d in 1..=28 {
        text.push_str(&format!("2025-01-{d:02},{}\n", (d + n) % 5));
    }
    text.push_str(if high {
        "2025-02-01,9\n"
    } else {
        "2025-02-01,1\n"
    });
    text
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[test]
#[ignore = "runs for minutes; bench/soak runs it"]
fn soak_edits_and_scrapes_lose_nothing_and_memory_stays_flat() {
    let secs: u64 = std::env::var("TOCSIN_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 0..FILES {
        files.push((
            format!("rules/r{i}.rules"),
            format!(
                "indicator s{i} {{ when: latest(g{i}) > 5 }}\nindicator w{i} {{ when: sum(g{i}, 30d) > 40 }}\n"
            ),
        ));
        files.push((format!("indicators/g{i}.csv"), data(false, i)));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let mut d = Daemon::start(&refs, &["--at", "2025-03-01", "--listen", &listen], &[]);
    let pid = d.child.id();

    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let bad = Arc::new(AtomicU64::new(0));
    let scrapers: Vec<_> = (0..4)
        .map(|k| {
            let (stop, ok, bad) = (Arc::clone(&stop), Arc::clone(&ok), Arc::clone(&bad));
            std::thread::spawn(move || {
                let path = if k % 2 == 0 {
                    "/metrics"
                } else {
                    "/api/v1/status"
                };
                while !stop.load(Ordering::Relaxed) {
                    match fetch(port, path) {
                        Some(200) => ok.fetch_add(1, Ordering::Relaxed),
                        other => {
                            eprintln!("{path}: {other:?}");
                            bad.fetch_add(1, Ordering::Relaxed)
                        }
                    };
                }
            })
        })
        .collect();

    let started = Instant::now();
    let run = Duration::from_secs(secs);
    let mut high = [false; FILES];
    let mut latencies = Vec::new();
    let mut rss = Vec::new();
    let mut next_sample = Instant::now();
    let mut n = 0usize;
    while started.elapsed() < run {
        if Instant::now() >= next_sample {
            rss.push((started.elapsed(), rss_kb(pid)));
            next_sample += Duration::from_secs(2);
        }
        let i = n % FILES;
        high[i] = !high[i];
        // Written aside and renamed in, as editors and sync tools do.
        let tmp = d.path(&format!("indicators/.g{i}.csv.tmp"));
        write(&tmp, &data(high[i], n));
        let t = Instant::now();
        std::fs::rename(&tmp, d.path(&format!("indicators/g{i}.csv"))).unwrap();
        let to = if high[i] { "met" } else { "not_met" };
        d.status(&format!("s{i}"), to);
        latencies.push(t.elapsed());
        n += 1;
    }
    stop.store(true, Ordering::Relaxed);
    for s in scrapers {
        s.join().unwrap();
    }
    latencies.sort();
    let (ok, bad) = (ok.load(Ordering::Relaxed), bad.load(Ordering::Relaxed));
    let third = rss.len() / 3;
    let first = rss[..third].iter().map(|r| r.1).max().unwrap_or(0);
    let last = rss[rss.len() - third..]
        .iter()
        .map(|r| r.1)
        .max()
        .unwrap_or(0);
    println!(
        "soak: {secs} s, {n} edits, every one seen; write→event p50 {:?} p99 {:?} max {:?}; \
         {ok} scrapes answered 200, {bad} not; RSS max first third {first} kB, last third {last} kB",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies[latencies.len() - 1],
    );
    assert_eq!(bad, 0);
    assert!(ok > 0);
    assert!(
        last as f64 <= first as f64 * 1.25 + 8192.0,
        "memory grew: {rss:?}"
    );
    let (code, _) = d.stop();
    assert_eq!(code, 0);
}

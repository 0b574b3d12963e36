//! `tocsin watch`: the daemon. It loads the project, evaluates it, and then
//! reloads whenever a rule or data file changes (and re-evaluates when the
//! date changes), reporting every change of status as an event.
//!
//! One thread owns the project and the state; the file watcher, the HTTP
//! listener, signal handlers and sink deliveries talk to it through a
//! channel or shared flags.

mod clock;
mod events;
mod http;
mod metrics;
mod project;

pub use clock::Clock;
pub use events::Format;
pub use project::{Fingerprint, Project, Roots};

use crate::change::{Announced, StatusChange};
use crate::eval::{evaluate, RuleResult};
use crate::lang::ast::RuleKind;
use crate::time::Date;
use events::{Event, Output, ProblemEvent};
use metrics::DaemonStats;
use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long file events are gathered before a reload.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// How often the daemon looks at signals and the clock.
const TICK: Duration = Duration::from_millis(50);

/// The daemon's settings, resolved from the command line.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where rules and data are.
    pub roots: Roots,
    /// `--at`: a frozen date.
    pub at: Option<Date>,
    /// Event format.
    pub format: Format,
    /// `--listen`.
    pub listen: Option<String>,
}

/// What was last announced about a rule.
#[derive(Clone, Debug)]
struct Known {
    status: Announced,
    kind: String,
    severity: Option<crate::lang::ast::Severity>,
}

enum Msg {
    /// Something changed under a watched folder.
    Files,
    /// The watcher lost track (overflow, error): read everything again.
    Rescan(String),
}

struct Daemon {
    project: Project,
    output: Output,
    clock: Clock,
    today: Date,
    /// The last status announced for each rule.
    announced: BTreeMap<String, Known>,
    results: Vec<RuleResult>,
    stats: DaemonStats,
    published: http::Shared,
}

/// Runs the daemon until SIGINT or SIGTERM; returns the exit code.
pub fn run(opts: Options) -> u8 {
    let stop = Arc::new(AtomicBool::new(false));
    let hup = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, Arc::clone(&stop)) {
            eprintln!("error: cannot handle signal {sig}: {e}");
            return crate::cli::BAD_INPUT;
        }
    }
    if let Err(e) = signal_hook::flag::register(signal_hook::consts::SIGHUP, Arc::clone(&hup)) {
        eprintln!("error: cannot handle SIGHUP: {e}");
        return crate::cli::BAD_INPUT;
    }

    let published: http::Shared = Arc::new(RwLock::new(http::Published::default()));
    let listener = match &opts.listen {
        Some(addr) => match http::serve(addr, Arc::clone(&published), Arc::clone(&stop)) {
            Ok(handle) => Some(handle),
            Err(e) => {
                eprintln!("error: {e}");
                return crate::cli::BAD_INPUT;
            }
        },
        None => None,
    };

    let (tx, rx) = channel();
    let mut watcher = match Watcher::start(&opts.roots, tx) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch files: {e}");
            return crate::cli::BAD_INPUT;
        }
    };

    let mut clock = Clock::new(opts.at);
    let today = clock.today();
    let mut daemon = Daemon {
        project: Project::new(opts.roots.clone()),
        output: Output::new(opts.format),
        clock,
        today,
        announced: BTreeMap::new(),
        results: Vec::new(),
        stats: DaemonStats::default(),
        published,
    };
    daemon.reload(true, "start");
    watcher.refresh(&opts.roots);

    let reason = daemon.serve(&rx, &stop, &hup, &mut watcher, &opts.roots);
    daemon.output.emit(&Event::Stop { reason: &reason });
    stop.store(true, Ordering::Relaxed);
    if let Some(h) = listener {
        let _ = h.join();
    }
    crate::cli::OK
}

impl Daemon {
    /// The main loop; returns why it stopped.
    fn serve(
        &mut self,
        rx: &Receiver<Msg>,
        stop: &AtomicBool,
        hup: &AtomicBool,
        watcher: &mut Watcher,
        roots: &Roots,
    ) -> String {
        loop {
            match rx.recv_timeout(TICK) {
                Ok(msg) => {
                    let mut force = false;
                    // Take every message waiting: one reload covers them all.
                    for m in std::iter::once(msg).chain(rx.try_iter()) {
                        if let Msg::Rescan(why) = m {
                            self.output.emit(&Event::Notice {
                                message: &format!("file watcher: {why}; reading every file again"),
                            });
                            force = true;
                        }
                    }
                    self.reload(force, "change");
                    watcher.refresh(roots);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    return "the file watcher stopped".to_string()
                }
            }
            if stop.load(Ordering::Relaxed) {
                return "signal".to_string();
            }
            if hup.swap(false, Ordering::Relaxed) {
                self.reload(true, "signal");
                watcher.refresh(roots);
            }
            let today = self.clock.today();
            if today != self.today {
                self.today = today;
                let started = Instant::now();
                self.evaluate();
                self.report_reload("date", &[], started);
            }
        }
    }

    fn reload(&mut self, force: bool, reason: &str) {
        let started = Instant::now();
        let outcome = self.project.reload(force);
        for p in &outcome.errors {
            self.output.emit(&Event::Error(ProblemEvent::of(p)));
        }
        for p in &outcome.warnings {
            self.output.emit(&Event::Warning(ProblemEvent::of(p)));
        }
        if outcome.errors.is_empty() {
            self.stats.reloads_ok += 1;
            self.stats.last_reload_ok = true;
            self.stats.last_success_unix = unix_now();
        } else {
            self.stats.reloads_failed += 1;
            self.stats.last_reload_ok = false;
        }
        self.stats.reload_seconds = started.elapsed().as_secs_f64();
        if outcome.rebuilt || reason == "start" {
            self.evaluate();
            self.report_reload(reason, &outcome.applied, started);
        } else {
            self.publish();
        }
    }

    fn report_reload(&mut self, reason: &str, files: &[String], started: Instant) {
        let (rule_files, data_files) = self.project.file_counts();
        self.output.emit(&Event::Reload {
            reason,
            files,
            rule_files,
            data_files,
            rules: self.results.len(),
            series: self.project.store().len(),
            at: self.today.to_string(),
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        });
    }

    /// Evaluates every rule, announces what changed, publishes the board.
    fn evaluate(&mut self) {
        let Some(model) = self.project.model() else {
            return;
        };
        let started = Instant::now();
        let results = evaluate(model, self.today);
        self.stats.eval_seconds = started.elapsed().as_secs_f64();
        let mut seen = HashSet::new();
        let mut changes = Vec::new();
        for r in &results {
            seen.insert(r.name.clone());
            let to = Announced::from(r.status);
            let from = self.announced.get(&r.name).map(|k| k.status);
            if from != Some(to) {
                let def = &model.program.rules[r.rule];
                changes.push(StatusChange {
                    name: r.name.clone(),
                    kind: match r.kind {
                        RuleKind::Indicator => "indicator".into(),
                        RuleKind::Alert => "alert".into(),
                    },
                    from,
                    to,
                    at: self.today.to_string(),
                    severity: r.severity,
                    title: def.title.clone(),
                    summary: r.summary.clone(),
                    description: r.description.clone(),
                    sources: def.sources.clone(),
                    tags: def.tags.clone(),
                });
            }
        }
        for (name, known) in &self.announced {
            if !seen.contains(name) {
                changes.push(StatusChange {
                    name: name.clone(),
                    kind: known.kind.clone(),
                    from: Some(known.status),
                    to: Announced::Removed,
                    at: self.today.to_string(),
                    severity: known.severity,
                    title: None,
                    summary: None,
                    description: None,
                    sources: Vec::new(),
                    tags: Vec::new(),
                });
            }
        }
        for c in &changes {
            if c.to == Announced::Removed {
                self.announced.remove(&c.name);
            } else {
                self.announced.insert(
                    c.name.clone(),
                    Known {
                        status: c.to,
                        kind: c.kind.clone(),
                        severity: c.severity,
                    },
                );
            }
            self.output.emit(&Event::Status(c));
        }
        self.results = results;
        self.publish();
    }

    /// Replaces what the HTTP endpoints serve.
    fn publish(&self) {
        let Some(model) = self.project.model() else {
            return;
        };
        let board = crate::cli::output::Board::new(
            self.today,
            model,
            &self.results,
            self.project.sources(),
        );
        let snapshot = http::Published {
            status_json: crate::cli::output::json(&board),
            metrics: metrics::render(&self.results, self.project.store(), self.today, &self.stats),
            ready: true,
        };
        match self.published.write() {
            Ok(mut p) => *p = snapshot,
            Err(poisoned) => *poisoned.into_inner() = snapshot,
        }
    }
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The file watcher: the rule and data folders, recursively; a root that
/// is a file is watched through its folder, and a root that does not exist
/// yet through its nearest existing ancestor until it appears.
struct Watcher {
    debouncer: notify_debouncer_full::Debouncer<
        notify::RecommendedWatcher,
        notify_debouncer_full::RecommendedCache,
    >,
    watched: HashSet<(PathBuf, bool)>,
}

impl Watcher {
    fn start(roots: &Roots, tx: Sender<Msg>) -> Result<Watcher, String> {
        let debouncer = new_debouncer(DEBOUNCE, None, move |res: DebounceEventResult| {
            let msg = match res {
                // Reading a file is an event too (tocsin's own reads among
                // them); only changes matter.
                Ok(events)
                    if events
                        .iter()
                        .all(|e| matches!(e.kind, notify::EventKind::Access(_))) =>
                {
                    return
                }
                Ok(_) => Msg::Files,
                Err(errors) => Msg::Rescan(
                    errors
                        .iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            let _ = tx.send(msg);
        })
        .map_err(|e| e.to_string())?;
        let mut w = Watcher {
            debouncer,
            watched: HashSet::new(),
        };
        w.refresh(roots);
        Ok(w)
    }

    /// Makes sure every root is watched the best way it can be now.
    fn refresh(&mut self, roots: &Roots) {
        for root in roots.rules.iter().chain(&roots.data) {
            let target = watch_target(root);
            if let Some((path, recursive)) = target {
                if self.watched.contains(&(path.clone(), recursive)) {
                    continue;
                }
                let mode = if recursive {
                    RecursiveMode::Recursive
                } else {
                    RecursiveMode::NonRecursive
                };
                if self.debouncer.watch(&path, mode).is_ok() {
                    self.watched.insert((path, recursive));
                }
            }
        }
    }
}

fn watch_target(root: &Path) -> Option<(PathBuf, bool)> {
    match std::fs::metadata(root) {
        Ok(m) if m.is_dir() => Some((root.to_path_buf(), true)),
        Ok(_) => Some((parent_of(root), false)),
        Err(_) => {
            let mut p = parent_of(root);
            loop {
                if p.is_dir() {
                    return Some((p, false));
                }
                let next = parent_of(&p);
                if next == p {
                    return None;
                }
                p = next;
            }
        }
    }
}

fn parent_of(p: &Path) -> PathBuf {
    match p.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

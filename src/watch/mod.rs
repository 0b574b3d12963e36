//! `tocsin watch`: the daemon. It loads the project, evaluates it, and then
//! reloads whenever a rule or data file changes (and re-evaluates when the
//! date changes), reporting every change of status as an event.
//!
//! One thread owns the project and the state; the file watcher, the HTTP
//! listener, signal handlers and sink deliveries talk to it through a
//! channel or shared flags.

mod announce;
mod batch;
mod clock;
mod error;
mod evaluation;
mod events;
mod http;
mod metrics;
mod project;
mod scope;
mod tail;
mod trim;
mod watcher;

pub use batch::{DEBOUNCE, MAX_WAIT, SETTLE};
pub use clock::Clock;
pub use error::Error;
pub use events::Format;
pub use project::{Fingerprint, Project, Roots};

use crate::eval::RuleResult;
use crate::sinks::Delivery;
use crate::state::State;
use crate::time::Date;
use announce::{Sinks, SHUTDOWN};
use batch::{Batch, Touch};
use events::{Event, Output, ProblemEvent};
use metrics::DaemonStats;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};
use watcher::Watcher;

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
    /// `--state`: the folder for the journal and snapshot.
    pub state: PathBuf,
    /// `--webhook`.
    pub webhook: Option<String>,
    /// `--webhook-format`.
    pub webhook_format: crate::sinks::WebhookFormat,
    /// The key webhook bodies are signed with (`TOCSIN_WEBHOOK_SECRET`).
    pub webhook_secret: Option<crate::sinks::Secret>,
    /// `--alertmanager`: every Alertmanager of a cluster, each sent every
    /// alert (as Prometheus does; the cluster deduplicates).
    pub alertmanager: Vec<String>,
    /// `--external-url`.
    pub external_url: Option<String>,
}

/// What the other threads tell the daemon.
enum Msg {
    /// Something changed under a watched folder: the paths the event
    /// names (none when it named none), and how.
    Files(Vec<PathBuf>, Touch),
    /// The watcher lost track (overflow, error): read everything again.
    Rescan(String),
    /// A sink delivered notification `id`.
    Delivered(u64, &'static str),
    /// A sink failed an attempt (its error names URLs redacted), or
    /// refused a notification for good.
    SinkFailure(crate::sinks::DeliveryFailure),
}

/// What a reload reads.
enum Scope {
    /// Every file, changed or not.
    Everything,
    /// Every file that changed (found by walking the folders).
    Changed,
    /// The files these paths name, if they tell enough; else as `Changed`.
    Paths(Vec<PathBuf>),
}

struct Daemon {
    project: Project,
    /// The files refused at the start, with no version in force: until
    /// each is fixed (or gone), no good ruleset is loaded.
    refused_at_start: Vec<PathBuf>,
    output: Output,
    clock: Clock,
    today: Date,
    /// What was announced, durably.
    state: State,
    /// The sinks until their delivery threads start.
    sinks: Option<Sinks>,
    sink_names: Vec<&'static str>,
    delivery: Option<Delivery>,
    /// The texts of the met alerts, for Alertmanager's resends: `None`
    /// without an Alertmanager.
    alert_texts: Option<crate::sinks::CurrentTexts>,
    tx: Sender<Msg>,
    results: Vec<RuleResult>,
    stats: DaemonStats,
    published: http::Shared,
    /// When status changes that could not be recorded are tried again.
    retry_at: Option<Instant>,
    /// Whether anything serves what is published (`--listen`).
    listening: bool,
    /// Whether a sink reported since the state was last marked changed.
    sinks_changed: bool,
    /// The date `results` are for.
    results_at: Option<Date>,
    /// When to return to the system what the last reload or rendering
    /// freed (see [`trim`]).
    trim_at: Option<Instant>,
    /// Set by SIGINT and SIGTERM: a reload or evaluation under way stops
    /// short, announcing nothing.
    stop: Arc<AtomicBool>,
}

/// Runs the daemon until SIGINT or SIGTERM. `Err` when it could not
/// start; once started it reports its problems as events and runs on.
pub fn run(opts: Options) -> Result<(), Error> {
    trim::map_large_blocks();
    let stop = Arc::new(AtomicBool::new(false));
    let hup = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| Error::Signal(format!("cannot handle signal {sig}: {e}")))?;
    }
    signal_hook::flag::register(signal_hook::consts::SIGHUP, Arc::clone(&hup))
        .map_err(|e| Error::Signal(format!("cannot handle SIGHUP: {e}")))?;
    let (state, recovery) = State::open(&opts.state).map_err(|e| Error::State(e.to_string()))?;
    let sinks = Sinks::new(
        opts.webhook.as_deref(),
        opts.webhook_format,
        opts.webhook_secret.clone(),
        &opts.alertmanager,
        rule_links(&opts).as_deref(),
    )
    .map_err(Error::Sinks)?;
    let published = http::shared();
    let listener = match &opts.listen {
        Some(addr) => Some(http::serve(addr, Arc::clone(&published)).map_err(Error::Listen)?),
        None => None,
    };
    let (tx, rx) = channel();
    let mut watcher = Watcher::start(&opts.roots, tx.clone()).map_err(Error::Watch)?;

    let mut clock = Clock::new(opts.at);
    let today = clock.today();
    let mut project = Project::new(opts.roots.clone());
    project.stop_when(Arc::clone(&stop));
    let sink_names = sinks.names();
    let mut daemon = Daemon {
        project,
        output: Output::new(opts.format),
        clock,
        today,
        state,
        sink_names: sink_names.clone(),
        sinks: Some(sinks),
        delivery: None,
        alert_texts: None,
        tx,
        results: Vec::new(),
        stats: DaemonStats {
            notifications: metrics::NotificationStats::new(&sink_names),
            ..DaemonStats::default()
        },
        published,
        retry_at: None,
        listening: opts.listen.is_some(),
        sinks_changed: false,
        results_at: None,
        refused_at_start: Vec::new(),
        trim_at: None,
        stop: Arc::clone(&stop),
    };
    if !recovery.is_clean() {
        daemon.output.emit(&Event::Notice {
            message: recovery.to_string().trim_end(),
        });
    }
    daemon.reload(Scope::Everything, "start");
    daemon.refused_at_start = daemon.project.refused_without_version();
    let looked_late = watcher.refresh(&opts.roots, &daemon.project.linked_files());

    let reason = daemon.serve(&rx, &stop, &hup, &mut watcher, &opts.roots, looked_late);
    if let Some(delivery) = daemon.delivery.take() {
        delivery.shutdown(SHUTDOWN);
    }
    // Deliveries reported while stopping are recorded too.
    for msg in rx.try_iter() {
        daemon.handle_delivery(msg);
    }
    daemon.output.emit(&Event::Stop { reason: &reason });
    stop.store(true, Ordering::Relaxed);
    if let Some(l) = listener {
        l.shutdown();
    }
    Ok(())
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
        looked_late: bool,
    ) -> String {
        let mut batch = Batch::default();
        let mut stdout_closed_told = false;
        // A watch set after the files were read: what changed in between
        // is found by comparing every file with the version in force.
        let look_again =
            |batch: &mut Batch| batch.files(Vec::new(), Touch::Other, roots, Instant::now());
        if looked_late {
            look_again(&mut batch);
        }
        // When to look again at files left for a line still being written.
        let mut look_at: Option<Instant> = None;
        loop {
            let wait = batch.due_in(Instant::now()).map_or(TICK, |d| d.min(TICK));
            match rx.recv_timeout(wait) {
                Ok(msg) => {
                    // Take every message waiting: one reload covers them all.
                    for m in std::iter::once(msg).chain(rx.try_iter()) {
                        match m {
                            Msg::Files(paths, touch) => {
                                batch.files(paths, touch, roots, Instant::now());
                            }
                            Msg::Rescan(why) => {
                                let message =
                                    format!("file watcher: {why}; reading every file again");
                                self.output.emit(&Event::Notice { message: &message });
                                batch.everything(Instant::now());
                            }
                            other => self.handle_delivery(other),
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    return "the file watcher stopped".to_string()
                }
            }
            if batch.due_in(Instant::now()) == Some(Duration::ZERO) {
                self.reload(batch.take(), "change");
                if watcher.refresh(roots, &self.project.linked_files()) {
                    look_again(&mut batch);
                }
                if let Some(d) = self.project.take_look_again() {
                    look_at = Some(Instant::now() + d);
                }
            }
            if look_at.is_some_and(|t| Instant::now() >= t) {
                look_at = None;
                look_again(&mut batch);
            }
            if stop.load(Ordering::Relaxed) {
                return "signal".to_string();
            }
            if self.output.closed() && !stdout_closed_told {
                stdout_closed_told = true;
                if self.sink_names.is_empty() {
                    eprintln!("tocsin watch: standard output was closed, and no sink is set: status changes would go nowhere; stopping");
                    return "standard output closed".to_string();
                }
                eprintln!("tocsin watch: standard output was closed: status changes go to the sinks alone");
            }
            if hup.swap(false, Ordering::Relaxed) {
                self.reload(Scope::Everything, "signal");
                if watcher.refresh(roots, &self.project.linked_files()) {
                    look_again(&mut batch);
                }
            }
            // Deliveries change the sink metrics between evaluations.
            if std::mem::take(&mut self.sinks_changed) {
                self.mark_changed();
            }
            if self.listening && self.published.asked() {
                self.render();
            }
            if self.retry_at.is_some_and(|t| Instant::now() >= t) {
                self.retry_at = None;
                self.evaluate();
            }
            let today = self.clock.today();
            if today != self.today {
                self.today = today;
                let started = Instant::now();
                self.evaluate();
                self.report_reload("date", &[], started);
            }
            let now = Instant::now();
            if self.trim_at.is_some_and(|t| now >= t) && batch.due_in(now).is_none() {
                self.trim_at = None;
                trim::give_back();
            }
        }
    }

    fn reload(&mut self, scope: Scope, reason: &str) {
        let started = Instant::now();
        let outcome = match scope {
            Scope::Everything => self.project.reload(true),
            Scope::Changed => self.project.reload(false),
            Scope::Paths(paths) => self.project.reload_paths(&paths),
        };
        if outcome.stopped {
            return;
        }
        for p in outcome.errors.iter().filter(|p| !p.told) {
            self.output.emit(&Event::Error(ProblemEvent::of(p)));
        }
        for p in outcome.warnings.iter().filter(|p| !p.told) {
            self.output.emit(&Event::Warning(ProblemEvent::of(p)));
        }
        // Errors cleared by a change that leaves the model as it was (a
        // rejected file deleted, a removed data file put back unchanged):
        // said with a reload, as the errors were.
        // A file refused before and not read again (nothing of it
        // changed) still stands refused: no error of this reload, but no
        // success either.
        let clear = outcome.errors.is_empty() && !self.project.refusing();
        let recovered = clear && !self.stats.last_reload_ok;
        if clear {
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
        } else if recovered {
            self.mark_changed();
            self.report_reload(reason, &outcome.applied, started);
        } else {
            self.mark_changed();
        }
        // Even a reload that failed may have read much and freed it.
        self.trim_later();
    }

    fn report_reload(&mut self, reason: &str, files: &[String], started: Instant) {
        let (rule_files, data_files) = self.project.file_counts();
        self.output.emit(&Event::Reload {
            reason,
            files,
            rule_files,
            data_files,
            // A rule with `by:` has a result per instance: counted once.
            rules: distinct_rules(&self.results),
            series: self.project.store().len(),
            at: self.today.to_string(),
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        });
    }

    /// Has what was just freed returned to the system once the work in
    /// hand is over (the old model is freed on a thread of its own), a
    /// while after the work that freed it ends, not after it starts.
    fn trim_later(&mut self) {
        self.trim_at = Some(Instant::now() + trim::AFTER);
    }

    /// Evaluates every rule, announces what changed, publishes the board.
    fn evaluate(&mut self) {
        self.evaluate_now();
        self.trim_later();
    }

    /// [`Daemon::evaluate`], but for the trim that follows.
    fn evaluate_now(&mut self) {
        // The model is taken out for the time of the evaluation, so that
        // announcing may borrow the daemon mutably.
        let Some(model) = self.project.take_model() else {
            return;
        };
        // Errors only the data shows (a `by:` field no series has, too
        // many instances), in data put in force by an append or with no
        // good version before: nothing is evaluated until they are fixed,
        // and the last statuses announced stand.
        if model.warnings.iter().any(|d| d.is_error()) {
            self.project.put_model(model);
            return;
        }
        let started = Instant::now();
        let spliced = self.project.take_spliced();
        if let Some(ranges) = spliced.filter(|_| self.results_at == Some(self.today)) {
            let mut results = std::mem::take(&mut self.results);
            let again =
                evaluation::evaluate_again(&model, self.today, &ranges, &mut results, &self.stop);
            if let Some(replaced) = again {
                self.stats.eval_seconds = started.elapsed().as_secs_f64();
                // Changes left unrecorded earlier may be of any rule.
                let only = (self.stats.unrecorded == 0).then_some(&replaced[..]);
                self.announce(&model, &results, only);
                self.results = results;
                self.project.put_model(model);
                self.mark_changed();
                return;
            }
            self.results = results;
        }
        let previous = self.project.take_previous();
        let reuse = match (&previous, self.results_at == Some(self.today)) {
            (Some(old), true) => Some((old, std::mem::take(&mut self.results))),
            _ => None,
        };
        let Some(results) = evaluation::evaluate(&model, self.today, reuse, &self.stop) else {
            // Stopping: the board evaluated halfway is dropped unannounced.
            self.results_at = None;
            self.project.put_model(model);
            return;
        };
        self.results_at = Some(self.today);
        self.stats.eval_seconds = started.elapsed().as_secs_f64();
        self.announce(&model, &results, None);
        self.project.put_model(model);
        project::drop_aside(std::mem::replace(&mut self.results, results));
        project::drop_aside(previous);
        self.mark_changed();
    }

    /// Tells the HTTP endpoints that what they serve is out of date: the
    /// next request has the board and the metrics rendered (nothing to do
    /// without `--listen`).
    fn mark_changed(&mut self) {
        if self.listening {
            let ready = self.project.model().is_some();
            self.published.changed(ready, ready && self.good_load());
        }
    }

    /// Whether a good ruleset is in force: one load, at the start or
    /// since, took every file without an error (a start that refused a
    /// file is not ready until it is fixed; a later refusal keeps the
    /// last good files, still ready).
    fn good_load(&self) -> bool {
        self.project.model().is_some()
            && self.stats.reloads_ok > 0
            && self
                .refused_at_start
                .iter()
                .all(|p| self.project.in_force(p) || !p.exists())
    }

    /// Replaces what the HTTP endpoints serve with the board and metrics
    /// of the state now, which a request asked for.
    fn render(&mut self) {
        for sink in &self.sink_names {
            let pending = self.state.owed_count(sink);
            self.stats.notifications.pending(sink, pending);
        }
        let Some(model) = self.project.model() else {
            return;
        };
        let board =
            crate::board::Board::new(self.today, model, &self.results, self.project.sources());
        // Each is a few hundred milliseconds at 100,000 rules:
        // rendered side by side.
        let (status_json, metrics) = rayon::join(
            || crate::board::json(&board),
            || {
                metrics::render(
                    &model.program.rules,
                    &self.results,
                    &board.feeds,
                    self.project.store(),
                    self.today,
                    &self.stats,
                )
            },
        );
        let snapshot = http::Published {
            status_json,
            metrics,
            ready: true,
            good: self.good_load(),
        };
        http::publish(&self.published, snapshot);
        self.trim_later();
    }
}

/// Where Alertmanager alerts link to (their `generatorURL`): the status
/// API of the daemon, at `--external-url` if given, else at `--listen`;
/// nowhere without either.
fn rule_links(opts: &Options) -> Option<String> {
    let base = match (&opts.external_url, &opts.listen) {
        (Some(url), _) => url.trim_end_matches('/').to_string(),
        (None, Some(addr)) => format!("http://{addr}"),
        (None, None) => return None,
    };
    Some(format!("{base}/api/v1/status"))
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// How many indicators and alerts `results` are of (they come in rule
/// order, a rule with `by:` once per instance).
fn distinct_rules(results: &[crate::eval::RuleResult]) -> usize {
    results
        .windows(2)
        .filter(|w| w[0].rule != w[1].rule)
        .count()
        + usize::from(!results.is_empty())
}

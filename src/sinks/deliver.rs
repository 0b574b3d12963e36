//! The delivery worker: one thread and queue per sink, in order, retried
//! until delivered or refused for good.

use super::{Notification, Sink, SinkError};
use std::collections::hash_map::RandomState;
use std::collections::VecDeque;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError, TryLockError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The callback told of each notification a sink took.
type OnDelivered = Box<dyn Fn(u64, &str) + Send>;
/// The callback told of each failed attempt.
type OnFailure = Box<dyn Fn(&DeliveryFailure) + Send>;

/// The longest `Retry-After` honoured: a server asking for more is tried
/// again after this, so that a typo in its configuration cannot stop
/// deliveries for days.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// How a [`Delivery`] retries and reports.
pub struct DeliveryOptions {
    /// The wait after a first failure (default 0.5 s); it doubles after each
    /// further failure of the same notification.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts (default 30 s).
    pub max_backoff: Duration,
    on_failure: Option<OnFailure>,
}

impl Default for DeliveryOptions {
    fn default() -> DeliveryOptions {
        DeliveryOptions {
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            on_failure: None,
        }
    }
}

impl DeliveryOptions {
    /// Sets the backoff: `initial` after a first failure, doubling up to
    /// `max`.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> DeliveryOptions {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Calls `report` for every failed attempt (its message names URLs in
    /// their redacted form only, so it can be printed as is).
    pub fn on_failure(
        mut self,
        report: impl Fn(&DeliveryFailure) + Send + 'static,
    ) -> DeliveryOptions {
        self.on_failure = Some(Box::new(report));
        self
    }
}

/// One failed attempt of a sink: to deliver a notification, or to do its
/// periodic work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryFailure {
    /// The sink's name.
    pub sink: &'static str,
    /// The notification's sequence number; `None` for the periodic work.
    pub id: Option<u64>,
    /// How many times this notification has failed so far (1 the first
    /// time); 1 for the periodic work.
    pub attempt: u32,
    /// When the notification is tried again; `None` when it will not be in
    /// this process (at shutdown, or dead-lettered) and for the periodic
    /// work.
    pub retry_in: Option<Duration>,
    /// What went wrong; URLs in it are redacted.
    pub error: SinkError,
    /// Whether the notification was refused for good
    /// ([`SinkError::is_permanent`]) and so dropped from the queue: the
    /// caller records it as dead-lettered.
    pub dead_lettered: bool,
}

impl fmt::Display for DeliveryFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.id, self.retry_in) {
            (Some(id), _) if self.dead_lettered => write!(
                f,
                "{}: notification {id} refused, dead-lettered (attempt {}): {}",
                self.sink, self.attempt, self.error
            ),
            (Some(id), Some(wait)) => write!(
                f,
                "{}: notification {id} not delivered (attempt {}), retrying in {:.1}s: {}",
                self.sink,
                self.attempt,
                wait.as_secs_f64(),
                self.error
            ),
            (Some(id), None) => write!(
                f,
                "{}: notification {id} not delivered before shutdown (attempt {}): {}",
                self.sink, self.attempt, self.error
            ),
            (None, _) => write!(f, "{}: periodic update failed: {}", self.sink, self.error),
        }
    }
}

/// Delivers notifications to sinks in the background.
///
/// Each sink has its own thread and queue, so a slow or failing sink does
/// not hold back the others. A sink gets its notifications in the order
/// they were submitted; a failure is retried with exponential backoff (and a
/// little jitter; never sooner than the server's `Retry-After`, up to
/// [`MAX_RETRY_AFTER`]), and the notification stays at the head of the
/// queue until the sink takes it, or refuses it for good
/// ([`SinkError::is_permanent`]): then it is reported as dead-lettered
/// through [`DeliveryOptions::on_failure`] and the queue moves on. What is
/// still queued when the process stops is for the caller to submit again
/// after a restart.
///
/// `on_delivered(seq, sink_name)` is called once for each notification and
/// sink, after the sink took it. Callbacks run on the worker threads, one at
/// a time, and never after [`shutdown`](Delivery::shutdown) has returned.
/// Sinks should have distinct names.
pub struct Delivery {
    workers: Vec<Worker>,
    shared: Arc<Shared>,
}

struct Worker {
    sink: &'static str,
    queue: Sender<Notification>,
    thread: JoinHandle<()>,
}

/// What the workers share with the handle.
struct Shared {
    stopping: AtomicBool,
    closed: AtomicBool,
    callbacks: Mutex<Callbacks>,
}

struct Callbacks {
    on_delivered: OnDelivered,
    on_failure: Option<OnFailure>,
}

impl Shared {
    fn delivered(&self, id: u64, sink: &str) {
        let callbacks = self
            .callbacks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !self.closed.load(Ordering::SeqCst) {
            (callbacks.on_delivered)(id, sink);
        }
    }

    fn failed(&self, failure: DeliveryFailure) {
        let callbacks = self
            .callbacks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !self.closed.load(Ordering::SeqCst) {
            if let Some(report) = &callbacks.on_failure {
                report(&failure);
            }
        }
    }
}

impl Delivery {
    /// Starts one worker thread per sink, with the default
    /// [`DeliveryOptions`].
    pub fn spawn(
        sinks: Vec<Box<dyn Sink>>,
        on_delivered: impl Fn(u64, &str) + Send + 'static,
    ) -> Delivery {
        Delivery::spawn_with(sinks, DeliveryOptions::default(), on_delivered)
    }

    /// Starts one worker thread per sink.
    pub fn spawn_with(
        sinks: Vec<Box<dyn Sink>>,
        options: DeliveryOptions,
        on_delivered: impl Fn(u64, &str) + Send + 'static,
    ) -> Delivery {
        let shared = Arc::new(Shared {
            stopping: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            callbacks: Mutex::new(Callbacks {
                on_delivered: Box::new(on_delivered),
                on_failure: options.on_failure,
            }),
        });
        let backoff = Backoff::new(options.initial_backoff, options.max_backoff);
        let workers = sinks
            .into_iter()
            .map(|sink| {
                let (queue, items) = mpsc::channel();
                let name = sink.name();
                let run = Run {
                    sink,
                    items,
                    shared: Arc::clone(&shared),
                    queue: VecDeque::new(),
                    backoff: backoff.clone(),
                };
                #[allow(
                    clippy::expect_used,
                    reason = "a thread fails to start only when the system has no resources left"
                )]
                let thread = thread::Builder::new()
                    .name(format!("sink-{name}"))
                    .spawn(move || run.run())
                    .expect("spawn a sink thread");
                Worker {
                    sink: name,
                    queue,
                    thread,
                }
            })
            .collect();
        Delivery { workers, shared }
    }

    /// The names of the sinks, in the order given.
    pub fn sinks(&self) -> Vec<&'static str> {
        self.workers.iter().map(|w| w.sink).collect()
    }

    /// Queues `notification` for every sink. Never blocks.
    pub fn submit(&self, notification: Notification) {
        for worker in &self.workers {
            // A worker that is gone (its sink panicked) cannot take it; the
            // notification stays undelivered for that sink.
            let _ = worker.queue.send(notification.clone());
        }
    }

    /// Queues `notification` for one sink only (to resend what the state
    /// says that sink still owes). Never blocks.
    pub fn submit_to(&self, sink: &str, notification: Notification) {
        if let Some(worker) = self.workers.iter().find(|w| w.sink == sink) {
            let _ = worker.queue.send(notification);
        }
    }

    /// Stops the workers and returns within `deadline`.
    ///
    /// No new attempt is scheduled: each worker tries what it still has
    /// queued once more, in order, stopping at the first failure, and then
    /// exits. A worker still busy at the deadline (a server that does not
    /// answer) is left behind; its thread ends when its request times out.
    /// No callback runs after this returns (unless one that was already
    /// running when the deadline came is still running).
    pub fn shutdown(mut self, deadline: Duration) {
        let end = Instant::now() + deadline;
        self.shared.stopping.store(true, Ordering::SeqCst);
        let workers = std::mem::take(&mut self.workers);
        // Closing the queues wakes the workers up.
        let threads: Vec<JoinHandle<()>> = workers.into_iter().map(|w| w.thread).collect();
        while Instant::now() < end && threads.iter().any(|t| !t.is_finished()) {
            thread::sleep(Duration::from_millis(5));
        }
        for thread in threads.into_iter().filter(|t| t.is_finished()) {
            let _ = thread.join();
        }
        self.shared.closed.store(true, Ordering::SeqCst);
        // Wait for a callback that is running to return.
        while Instant::now() < end {
            match self.shared.callbacks.try_lock() {
                Ok(_) | Err(TryLockError::Poisoned(_)) => break,
                Err(TryLockError::WouldBlock) => {}
            }
            thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for Delivery {
    /// Without [`shutdown`](Delivery::shutdown): the workers are told to
    /// stop, and not waited for.
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
    }
}

/// One worker: its sink, its queue, its retry state.
struct Run {
    sink: Box<dyn Sink>,
    items: Receiver<Notification>,
    shared: Arc<Shared>,
    queue: VecDeque<Notification>,
    backoff: Backoff,
}

impl Run {
    fn run(mut self) {
        let interval = self.sink.tick_interval();
        // The periodic work runs first thing, then every interval.
        let mut next_tick = interval.map(|_| Instant::now());
        let mut retry_at: Option<Instant> = None;
        let mut attempt = 0;
        loop {
            if !self.take_submitted() || self.shared.stopping.load(Ordering::SeqCst) {
                return self.last_pass(attempt);
            }
            let now = Instant::now();
            if !self.queue.is_empty() && retry_at.is_none_or(|t| now >= t) {
                #[allow(clippy::expect_used, reason = "checked just above")]
                let n = self.queue.front().expect("not empty");
                let id = n.seq;
                attempt += 1;
                match self.sink.deliver(n) {
                    Ok(()) => {
                        self.shared.delivered(id, self.sink.name());
                        self.queue.pop_front();
                        self.backoff.reset();
                        attempt = 0;
                        retry_at = None;
                    }
                    Err(error) if error.is_permanent() => {
                        // Retrying cannot help, and would hold back every
                        // notification behind this one.
                        self.queue.pop_front();
                        self.shared
                            .failed(dead_letter(self.sink.name(), id, attempt, error));
                        self.backoff.reset();
                        attempt = 0;
                        retry_at = None;
                    }
                    Err(error) => {
                        let mut wait = self.backoff.next_wait();
                        if let Some(asked) = error.retry_after() {
                            wait = wait.max(asked.min(MAX_RETRY_AFTER));
                        }
                        retry_at = Some(Instant::now() + wait);
                        self.shared.failed(DeliveryFailure {
                            sink: self.sink.name(),
                            id: Some(id),
                            attempt,
                            retry_in: Some(wait),
                            error,
                            dead_lettered: false,
                        });
                    }
                }
                continue;
            }
            if let (Some(at), Some(interval)) = (next_tick, interval) {
                if now >= at {
                    if let Err(error) = self.sink.tick() {
                        self.shared.failed(DeliveryFailure {
                            sink: self.sink.name(),
                            id: None,
                            attempt: 1,
                            retry_in: None,
                            error,
                            dead_lettered: false,
                        });
                    }
                    next_tick = Some(Instant::now() + interval);
                    continue;
                }
            }
            let wake = [retry_at.filter(|_| !self.queue.is_empty()), next_tick]
                .into_iter()
                .flatten()
                .min();
            let item = match wake {
                Some(at) => self.items.recv_timeout(at.saturating_duration_since(now)),
                None => self
                    .items
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
            };
            match item {
                Ok(item) => self.queue.push_back(item),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return self.last_pass(attempt),
            }
        }
    }

    /// Moves what was submitted into the queue; false once the handle has
    /// gone.
    fn take_submitted(&mut self) -> bool {
        loop {
            match self.items.try_recv() {
                Ok(item) => self.queue.push_back(item),
                Err(TryRecvError::Empty) => return true,
                Err(TryRecvError::Disconnected) => return false,
            }
        }
    }

    /// At shutdown: one more try of each queued notification, in order,
    /// until the first failure that a retry could mend.
    fn last_pass(mut self, mut attempt: u32) {
        self.take_submitted();
        while let Some(n) = self.queue.pop_front() {
            if self.shared.closed.load(Ordering::SeqCst) {
                // Shutdown has returned: nobody hears of a delivery now.
                return;
            }
            attempt += 1;
            match self.sink.deliver(&n) {
                Ok(()) => self.shared.delivered(n.seq, self.sink.name()),
                Err(error) if error.is_permanent() => {
                    self.shared
                        .failed(dead_letter(self.sink.name(), n.seq, attempt, error));
                }
                Err(error) => {
                    return self.shared.failed(DeliveryFailure {
                        sink: self.sink.name(),
                        id: Some(n.seq),
                        attempt,
                        retry_in: None,
                        error,
                        dead_lettered: false,
                    })
                }
            }
            attempt = 0;
        }
    }
}

/// The failure that dead-letters notification `id`.
fn dead_letter(sink: &'static str, id: u64, attempt: u32, error: SinkError) -> DeliveryFailure {
    DeliveryFailure {
        sink,
        id: Some(id),
        attempt,
        retry_in: None,
        error,
        dead_lettered: true,
    }
}

/// Exponential backoff with jitter.
#[derive(Clone, Debug)]
struct Backoff {
    initial: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    fn new(initial: Duration, max: Duration) -> Backoff {
        Backoff {
            initial,
            max,
            next: initial,
        }
    }

    /// The wait before the next attempt: the current step give or take 10%
    /// (so that many daemons do not retry in step); the step then doubles,
    /// up to the maximum.
    fn next_wait(&mut self) -> Duration {
        let step = self.next;
        self.next = (self.next * 2).min(self.max);
        step.mul_f64(0.9 + 0.2 * unit_random())
    }

    fn reset(&mut self) {
        self.next = self.initial;
    }
}

/// A number in `[0, 1)`, random enough for jitter.
fn unit_random() -> f64 {
    (RandomState::new().hash_one(Instant::now()) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum_with_jitter() {
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let steps: Vec<f64> = (0..10).map(|_| backoff.next_wait().as_secs_f64()).collect();
        let want = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0, 30.0];
        for (got, want) in steps.iter().zip(want) {
            assert!(*got >= want * 0.9 && *got <= want * 1.1, "{got} vs {want}");
        }
        backoff.reset();
        assert!(backoff.next_wait() <= Duration::from_millis(550));
    }

    #[test]
    fn a_failure_reads_well() {
        let error = SinkError::Status {
            url: "https://hooks.example.com/x?token=***".to_string(),
            code: 503,
            retry_after: None,
        };
        let failure = DeliveryFailure {
            sink: "webhook",
            id: Some(12),
            attempt: 3,
            retry_in: Some(Duration::from_millis(2000)),
            error: error.clone(),
            dead_lettered: false,
        };
        assert_eq!(
            failure.to_string(),
            "webhook: notification 12 not delivered (attempt 3), retrying in 2.0s: \
             POST https://hooks.example.com/x?token=***: HTTP status 503"
        );
        let refused = DeliveryFailure {
            retry_in: None,
            dead_lettered: true,
            ..failure.clone()
        };
        assert!(refused
            .to_string()
            .starts_with("webhook: notification 12 refused, dead-lettered (attempt 3): POST"));
        let tick = DeliveryFailure {
            id: None,
            retry_in: None,
            ..failure
        };
        assert!(tick
            .to_string()
            .starts_with("webhook: periodic update failed: POST"));
    }
}

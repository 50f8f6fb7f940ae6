//! The workers: `--concurrency` threads sharing one client, one gate and one results file, each
//! taking the next row until none is left. The client makes one attempt per call (no retries of
//! its own): every retry is made here, after the shared pause, so that no worker waits twice.
//!
//! A row is sent again only after a failure that certainly created nothing (no connection, a
//! connect timeout, a 429 or 503). A create whose outcome is unknown (sent, then a timeout, a
//! reset, a 500, 502 or 504) may still be going on on the server: looking its key up now could
//! find nothing and create it twice. Such a row ends failed, "outcome unknown", and a later
//! `--resume` (after the timeout) looks its key up.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use cloud_elements::{Client, CreateOutcome, Error, ErrorKind, Instance, InstanceRequest, PROVISIONING_TAG_PREFIX};

use super::gate::Gate;
use super::journal::{CREATED, EXISTED, Entry, FAILED, Journal};

/// Rate-limited answers (429, 503) one row may get before it fails.
const MAX_RATE_LIMITED: u32 = 30;
/// Other failures after which a row is sent again (no connection, a connect timeout).
const MAX_RETRIES: u32 = 3;
/// The longest pause the server can impose in one answer.
const MAX_PAUSE: Duration = Duration::from_secs(600);

/// A row to send.
pub(crate) struct Job {
    pub(crate) line: u64,
    pub(crate) element: String,
    pub(crate) name: String,
    pub(crate) request: InstanceRequest,
    /// Whether the key was derived from the file (see [`Pool::new`]'s `fresh`).
    pub(crate) derived: bool,
}

/// Counts, read by the progress display and the summary.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) created: AtomicU64,
    pub(crate) existed: AtomicU64,
    pub(crate) failed: AtomicU64,
    /// Answers 429 (or 503) received, retried after the shared pause.
    pub(crate) rate_limited: AtomicU64,
    pub(crate) reasons: Mutex<BTreeMap<String, u64>>,
}

impl Tally {
    /// Rows ended, one way or the other.
    pub(crate) fn done(&self) -> u64 {
        self.created.load(Ordering::Relaxed)
            + self.existed.load(Ordering::Relaxed)
            + self.failed.load(Ordering::Relaxed)
    }

    /// Counts a failed row under `reason`.
    pub(crate) fn fail(&self, reason: &str) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        let mut reasons = self.reasons.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *reasons.entry(reason.to_owned()).or_default() += 1;
    }
}

/// What the workers share.
pub(crate) struct Pool<'a> {
    pub(crate) client: &'a Client,
    pub(crate) gate: Gate,
    pub(crate) journal: &'a Mutex<Journal>,
    pub(crate) tally: &'a Tally,
    /// The rows to send, read as the workers take them.
    jobs: Mutex<Box<dyn Iterator<Item = Job> + Send + 'a>>,
    /// Rows taken.
    taken: AtomicUsize,
    /// Set when the run must end early (the results file cannot be written, the credentials are
    /// refused): the workers take no new row.
    stop: AtomicBool,
    /// Why the run ended early.
    pub(crate) fatal: Mutex<Option<(u8, String)>>,
    /// No row of the file was ever sent (see [`Pool::new`]).
    fresh: bool,
}

impl<'a> Pool<'a> {
    /// A pool for `jobs`. `fresh` says that no instance carries the file's tag, so that no row
    /// with a key derived from the file can have been sent: their first attempt is a plain
    /// create carrying the key's tag, without looking it up first (one request instead of two);
    /// any later attempt looks it up.
    pub(crate) fn new(
        fresh: bool,
        client: &'a Client,
        gate: Gate,
        journal: &'a Mutex<Journal>,
        tally: &'a Tally,
        jobs: Box<dyn Iterator<Item = Job> + Send + 'a>,
    ) -> Self {
        Pool {
            client,
            gate,
            journal,
            tally,
            jobs: Mutex::new(jobs),
            taken: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            fatal: Mutex::new(None),
            fresh,
        }
    }

    /// Runs every job on `workers` threads; returns when all have ended (or the run stopped).
    pub(crate) fn run(&self, workers: usize) {
        std::thread::scope(|scope| {
            for _ in 0..workers.max(1) {
                scope.spawn(|| self.work());
            }
        });
    }

    /// Rows the workers took.
    pub(crate) fn taken(&self) -> usize {
        self.taken.load(Ordering::Relaxed)
    }

    fn next_job(&self) -> Option<Job> {
        let job = self.jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).next();
        if job.is_some() {
            self.taken.fetch_add(1, Ordering::Relaxed);
        }
        job
    }

    fn work(&self) {
        while !self.stop.load(Ordering::Relaxed) {
            let Some(job) = self.next_job() else { return };
            let job = &job;
            let result = self.create(job);
            let written = match &result {
                Ok((instance, outcome)) => {
                    let status = if *outcome == CreateOutcome::AlreadyExisted { EXISTED } else { CREATED };
                    let counter = if status == EXISTED { &self.tally.existed } else { &self.tally.created };
                    let written = self.record(job, status, Some(instance), None);
                    counter.fetch_add(1, Ordering::Relaxed);
                    written
                }
                Err(error) => {
                    let message =
                        if may_have_taken_effect(error) { format!("{UNKNOWN}: {error}") } else { error.to_string() };
                    let written = self.record(job, FAILED, None, Some(&message));
                    self.tally.fail(&reason(error));
                    if error.kind() == ErrorKind::Unauthorized {
                        self.halt(
                            crate::exit::status_of(error),
                            format!("the server refused the credentials: {error}"),
                        );
                    }
                    written
                }
            };
            if let Err(e) = written {
                self.halt(crate::exit::FAILURE, format!("cannot write the results file: {e}"));
            }
        }
    }

    fn halt(&self, status: u8, message: String) {
        self.stop.store(true, Ordering::Relaxed);
        let mut fatal = self.fatal.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        fatal.get_or_insert((status, message));
    }

    fn record(&self, job: &Job, status: &str, instance: Option<&Instance>, error: Option<&str>) -> std::io::Result<()> {
        let entry = Entry {
            line: job.line,
            element: &job.element,
            name: &job.name,
            status,
            id: instance.map(|i| i.id),
            token: instance.map(|i| i.token.expose()),
            error,
        };
        self.journal.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).write(&entry)
    }

    /// One row's create, sent again after a rate-limited answer (once every worker has paused)
    /// or a failure that created nothing; never after one whose outcome is unknown.
    fn create(&self, job: &Job) -> Result<(Instance, CreateOutcome), Error> {
        let (mut limited, mut retries) = (0, 0);
        let mut unkeyed = (self.fresh && job.derived).then(|| without_lookup(&job.request));
        loop {
            self.gate.wait_turn();
            // Only the first attempt goes without the lookup.
            let request = unkeyed.take();
            let error = match self.client.create_instance_outcome(request.as_ref().unwrap_or(&job.request)) {
                Ok(done) => {
                    self.gate.succeeded();
                    return Ok(done);
                }
                Err(error) => error,
            };
            if is_rate_limited(&error) && limited < MAX_RATE_LIMITED {
                limited += 1;
                self.tally.rate_limited.fetch_add(1, Ordering::Relaxed);
                let pause = error.retry_after().unwrap_or_else(|| backoff(limited)).min(MAX_PAUSE);
                self.gate.pause(pause);
            } else if created_nothing(&error) && retries < MAX_RETRIES {
                retries += 1;
                std::thread::sleep(backoff(retries));
            } else {
                return Err(error);
            }
        }
    }
}

/// `request` without its idempotency key but with the tag the key is sent as: the same body,
/// created without looking the key up first.
fn without_lookup(request: &InstanceRequest) -> InstanceRequest {
    let mut plain = request.clone();
    if let Some(key) = plain.clear_idempotency_key() {
        plain.add_tag(format!("{PROVISIONING_TAG_PREFIX}{key}"));
    }
    plain
}

/// 429, or 503 (the server refuses work for now): nothing was created.
fn is_rate_limited(error: &Error) -> bool {
    error.kind() == ErrorKind::RateLimited || error.status() == Some(503)
}

/// The reason of a row whose create may have taken effect.
pub(crate) const UNKNOWN: &str = "outcome unknown";

/// A failure after the create was sent whose answer does not say what it did: a timeout or a
/// reset after sending, a 500, 502 or 504. The server may still be creating the instance.
pub(crate) fn may_have_taken_effect(error: &Error) -> bool {
    error.outcome_unknown() || matches!(error.status(), Some(500 | 502 | 504))
}

/// A failure another attempt may not get, that certainly created nothing: the connection was
/// refused, the name not found, the connect timed out (and any failure of the key's lookup).
fn created_nothing(error: &Error) -> bool {
    matches!(error.kind(), ErrorKind::Transport | ErrorKind::Timeout) && !may_have_taken_effect(error)
}

/// 0.5 s doubled per attempt, at most 8 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250 * 2u64.pow(attempt.min(5))).min(Duration::from_secs(8))
}

/// A failure's reason, as the summary counts it.
pub(crate) fn reason(error: &Error) -> String {
    if may_have_taken_effect(error) {
        return UNKNOWN.to_owned();
    }
    match error.kind() {
        ErrorKind::InvalidInput => "invalid input".to_owned(),
        ErrorKind::MissingConfiguration => "missing configuration".to_owned(),
        ErrorKind::UnknownElement => "unknown element".to_owned(),
        ErrorKind::Unauthorized => "authentication".to_owned(),
        ErrorKind::NotFound => "not found".to_owned(),
        ErrorKind::RateLimited => "rate limited".to_owned(),
        ErrorKind::Transport => "transport".to_owned(),
        ErrorKind::Timeout => "timeout".to_owned(),
        ErrorKind::Decode => "unreadable answer".to_owned(),
        _ => error.status().map_or_else(|| "API error".to_owned(), |status| format!("HTTP {status}")),
    }
}

//! `cloud-elements bulk create FILE.csv`: one instance per row, validated first, created by
//! parallel workers that share one client and respect the server's rate limit, recorded in a
//! results file that a run killed at any moment resumes from without creating anything twice.
//!
//! Where things are: `input.rs` the CSV rows and their idempotency keys, `check.rs` the checks
//! before sending, `gate.rs` the shared pause and pacer, `worker.rs` the workers and their
//! retries, `journal.rs` the results file, `progress.rs` the progress display, `summary.rs` the
//! end of the run.

mod check;
mod gate;
mod input;
mod journal;
mod progress;
mod summary;
mod worker;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use clap::{Args, Subcommand};
use cloud_elements::Client;

use crate::args::Global;
use crate::connect::connect_tuned;
use crate::exit::{Failure, ROWS_FAILED};
use check::Checker;
use gate::Gate;
use journal::{Entry, FAILED, Journal};
use worker::{Job, Pool, Tally};

const CREATE_HELP: &str = "\
Columns (the header line names them, in any order):
  element          the element key (required)
  name             the instance name [default: the element key]
  tags             tags, separated by `;`
  idempotency_key  the row's key: A-Z a-z 0-9 . _ -, at most 64 [default: derived, see below]
  config.KEY, KEY  a configuration entry (any other column); an empty cell is not given
The file is UTF-8 with or without a byte-order mark, LF or CRLF, quoted as usual (RFC 4180).

Every row is checked before anything is sent; the bad ones are listed with their line numbers
and nothing is sent, unless --skip-invalid (they are then failed rows of the results).

Never twice: every row has an idempotency key, sent as the tag `ce-provision-<key>`. A row
without an idempotency_key cell gets `csv-<digest>-<line>`, the digest being 16 hex digits of the
64-bit FNV-1a hash of the whole file's bytes; every instance also gets the tag
`ce-bulk-<digest>`. A run without --resume (its results file does not exist yet) first asks for
that tag: when no instance has it, each such row is created directly; otherwise (and with --resume,
and for keys given in the file) each create first looks its key up and returns the instance it
finds. So the same file run again finds its instances instead of making new ones; a changed file
makes new keys (do not edit the file between a run and its --resume, nor run one file twice at the
same time). Creates of a killed run may still be going on on the server, not yet tagged: before
running a killed run again (with --resume, or without it after removing its results file), wait
at least the client's timeout (--timeout, 60 s by default).

A row is sent again within a run only after a failure that created nothing (no connection, a
connect timeout, 429, 503). A create sent whose answer was lost or unclear (a timeout, a reset, a
500, 502 or 504) may still be done by the server: the row ends failed, `outcome unknown`, and is
not sent again in this run; run --resume after at least the timeout, and it looks the key up.

The results file (--out) has the columns line,element,name,status,id,token,error, status being
created, existed (found by its key) or failed; a line is written and flushed as each row ends.
It holds the instances' tokens: it is created with mode 0600 (owner only). A run without
--resume never truncates an existing results file (it refuses to start); --resume rewrites it
(a new 0600 file renamed over it) keeping the rows already done and dropping the others. After a
crash or kill, wait the timeout, then run the same command with --resume: rows created or existed
are skipped, the others (failed ones, those in flight) run again, looked up by key first.

A 429, or a 503 with Retry-After, pauses every worker for the time asked; --rate caps the
creates started per second (set it to the server's limit to stay under it).

Exit status: 0 every row done; 3 invalid rows (nothing sent) or unusable input or results file;
9 some rows failed (the results file says which and why; --resume tries them again); the
statuses of `cloud-elements --help` when the run could not go on (4 credentials refused, 7 no
server). A summary goes to standard error, and with --output json|jsonl to standard output.";

/// `bulk` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum BulkCommand {
    /// Create one instance per row of a CSV file: in parallel, rate-limit aware, resumable,
    /// never twice.
    #[command(after_help = CREATE_HELP)]
    Create(BulkCreateArgs),
}

/// `bulk create`'s arguments.
#[derive(Debug, Args)]
pub(crate) struct BulkCreateArgs {
    /// The CSV file, one instance per row.
    pub(crate) file: PathBuf,
    /// Write the results here (mode 0600: it holds tokens). Must not exist, unless --resume, which
    /// rewrites it keeping the rows already done.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// Go on with the run that wrote --out: skip its done rows, redo the others (looked up by key
    /// first). After a kill or "outcome unknown" rows, first wait at least the timeout.
    #[arg(long)]
    pub(crate) resume: bool,
    /// Workers sending at once (they share one client).
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) concurrency: u16,
    /// Start at most R creates per second [default: no cap].
    #[arg(long, value_name = "R", value_parser = positive_rate)]
    pub(crate) rate: Option<f64>,
    /// Record invalid rows as failed and send the others, instead of sending nothing.
    #[arg(long)]
    pub(crate) skip_invalid: bool,
}

fn positive_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err("expected a number of creates per second greater than 0".to_owned()),
    }
}

/// Runs one `bulk` subcommand.
pub(crate) fn run(command: &BulkCommand, global: &Global) -> Result<(), Failure> {
    match command {
        BulkCommand::Create(args) => create(args, global),
    }
}

/// What the first pass over the file found.
struct Plan {
    /// Rows in the file.
    rows: u64,
    /// Rows done by an earlier run (--resume).
    done: u64,
    /// Bad rows, with what is wrong, in file order.
    problems: Vec<(u64, String, String, String)>,
}

fn create(args: &BulkCreateArgs, global: &Global) -> Result<(), Failure> {
    let started = Instant::now();
    // Whether the results file existed before this run (without --resume, it must not).
    let existed = args.out.exists();
    if !args.resume && existed {
        return Err(Failure::input(format!(
            "{} already exists: pass --resume to go on with the run that wrote it, or remove it",
            args.out.display()
        )));
    }
    let done = if args.resume { journal::read_done(&args.out).map_err(Failure::input)? } else { HashMap::new() };
    // The client sends each call once: the workers retry, after the pause every worker shares.
    let connection = connect_tuned(global, |builder| builder.retries(0))?;
    let client = &connection.client;
    let plan = plan(args, client, &done)?;
    if !plan.problems.is_empty() && !args.skip_invalid {
        let list: String =
            plan.problems.iter().map(|(line, _, _, problem)| format!("\n  line {line}: {problem}")).collect();
        return Err(Failure::input(format!(
            "{} of {} rows are invalid, nothing was sent (fix them, or pass --skip-invalid):{list}",
            plan.problems.len(),
            plan.rows - plan.done
        )));
    }
    let journal = if args.resume { Journal::rewrite(&args.out, &done) } else { Journal::create(&args.out) };
    let journal = Mutex::new(journal.map_err(Failure::input)?);
    let tally = Tally::default();
    let bad: HashSet<u64> = plan.problems.iter().map(|(line, ..)| *line).collect();
    for (line, element, name, problem) in &plan.problems {
        eprintln!("line {line}: skipped: {problem}");
        let error = format!("invalid row: {problem}");
        let entry = Entry { line: *line, element, name, status: FAILED, id: None, token: None, error: Some(&error) };
        let mut journal = journal.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        journal.write(&entry).map_err(|e| Failure::command(format!("cannot write the results file: {e}")))?;
        tally.fail("invalid row");
    }
    let rows = input::open(&args.file).map_err(Failure::input)?;
    // Creating without a lookup first is only for a file no run recorded and no instance carries.
    let fresh = !args.resume && !existed && never_sent(client, rows.digest());
    let jobs = rows.filter(move |row| !done.contains_key(&row.line) && !bad.contains(&row.line)).filter_map(|row| {
        let request = row.request.ok()?;
        Some(Job { line: row.line, element: row.element, name: row.name, request, derived: row.derived })
    });
    let pool = Pool::new(fresh, client, Gate::new(args.rate), &journal, &tally, Box::new(jobs));
    let finished = AtomicBool::new(false);
    let to_do = plan.rows - plan.done;
    std::thread::scope(|scope| {
        scope.spawn(|| progress::show(to_do, &tally, &finished));
        pool.run(usize::from(args.concurrency));
        finished.store(true, Ordering::Release);
    });
    let fatal = pool.fatal.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
    let not_started = (to_do - plan.problems.len() as u64).saturating_sub(pool.taken() as u64);
    let report = summary::Report {
        rows: plan.rows,
        resumed: plan.done,
        not_started,
        tally: &tally,
        started,
        out: &args.out,
        pace: pool.gate.rate(),
    };
    report.print(global.output)?;
    if let Some((status, message)) = fatal {
        return Err(Failure { status, message });
    }
    if tally.failed.load(Ordering::Relaxed) > 0 || not_started > 0 {
        let unknown =
            tally.reasons.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).contains_key(worker::UNKNOWN);
        let wait = if unknown {
            " (some were sent and their outcome is unknown: wait at least the timeout first, the server may still be creating them)"
        } else {
            ""
        };
        return Err(Failure {
            status: ROWS_FAILED,
            message: format!(
                "some rows failed (see {}); run again with --resume to retry them{wait}",
                args.out.display()
            ),
        });
    }
    Ok(())
}

/// The first pass: counts the rows, checks the ones not done yet, and makes sure the lines an
/// earlier run recorded are rows of this file.
fn plan(args: &BulkCreateArgs, client: &Client, done: &HashMap<u64, journal::Kept>) -> Result<Plan, Failure> {
    let mut checker = Checker::new(client);
    let mut plan = Plan { rows: 0, done: 0, problems: Vec::new() };
    for row in input::open(&args.file).map_err(Failure::input)? {
        plan.rows += 1;
        if let Some(kept) = done.get(&row.line) {
            if kept.done.element != row.element || kept.done.name != row.name {
                return Err(mismatch(args, row.line));
            }
            plan.done += 1;
            continue;
        }
        if let Some(problem) = checker.check(&row)? {
            plan.problems.push((row.line, row.element, row.name, problem));
        }
    }
    if plan.done < done.len() as u64 {
        let line = done.keys().min().copied().unwrap_or_default();
        return Err(mismatch(args, line));
    }
    Ok(plan)
}

/// Whether no instance carries the file's tag: then no row of it was ever sent, unless a killed
/// run's creates are still going on on the server (the help says to wait the timeout before
/// running again). Anything but a clear "none" (an error, a list too large to read) is "maybe".
fn never_sent(client: &Client, digest: u64) -> bool {
    let filter = cloud_elements::InstanceFilter::new().tag(input::file_tag(digest));
    client.list_instances(&filter).is_ok_and(|found| found.is_empty())
}

fn mismatch(args: &BulkCreateArgs, line: u64) -> Failure {
    Failure::input(format!(
        "{} does not belong to {}: its line for row {line} is not that row (was the input changed?)",
        args.out.display(),
        args.file.display()
    ))
}

//! The Rust contender of `make bench` (see bench/run.py): creates Close.io instances through one
//! `cloud_elements::Client` against the server that `CLOUD_ELEMENTS_BASE_URL` names, and prints
//! one JSON line with what it measured. Start-up, the client's construction and a warm-up (which
//! opens the kept-alive connections) are outside the measurement.
//!
//! ```text
//! cloud-elements-bench create  N WARMUP            one thread: CPU time (getrusage) and wall time
//! cloud-elements-bench threads T N WARMUP          T threads share one client, N creates in all
//! cloud-elements-bench memory  N WARMUP            resident memory before and after N creates
//! ```

use std::process::ExitCode;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use cloud_elements::{Client, InstanceRequest};

const USAGE: &str = "usage: cloud-elements-bench create N WARMUP | threads T N WARMUP | memory N WARMUP";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Result<Vec<u64>, _> = args.iter().skip(1).map(|a| a.parse::<u64>()).collect();
    let result = match (args.first().map(String::as_str), numbers.as_deref()) {
        (Some("create"), Ok(&[n, warmup])) => create(n, warmup),
        (Some("threads"), Ok(&[threads, n, warmup])) if threads > 0 => shared_by_threads(threads, n, warmup),
        (Some("memory"), Ok(&[n, warmup])) => memory(n, warmup),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("cloud-elements-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The request every contender sends (bench/run.py's `BODY`).
fn request() -> InstanceRequest {
    InstanceRequest::new("closeio", "bench")
        .config("username", "bench-key")
        .config("password", "bench-password")
        .tag("bench")
}

fn client() -> Result<Client, String> {
    Client::from_env().map_err(|e| format!("cannot build the client: {e}"))
}

/// Creates `n` instances, checking each answer.
fn run(client: &Client, request: &InstanceRequest, n: u64) -> Result<(), String> {
    for _ in 0..n {
        let instance = client.create_instance(request).map_err(|e| format!("create failed: {e}"))?;
        if instance.token.expose().is_empty() {
            return Err("an instance without a token".to_owned());
        }
        std::hint::black_box(&instance);
    }
    Ok(())
}

/// User and system CPU time of the whole process so far.
fn cpu_times() -> (Duration, Duration) {
    // SAFETY: getrusage writes one `rusage` into the zeroed struct we own.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (time(usage.ru_utime), time(usage.ru_stime))
}

/// Runs `timed` and reports its CPU and wall time as the JSON fields every contender prints.
fn measure(n: u64, timed: impl FnOnce() -> Result<(), String>) -> Result<String, String> {
    let (user0, sys0) = cpu_times();
    let start = Instant::now();
    timed()?;
    let wall = start.elapsed();
    let (user1, sys1) = cpu_times();
    let (user, sys) = ((user1 - user0).as_secs_f64(), (sys1 - sys0).as_secs_f64());
    Ok(format!(
        r#"{{"n": {n}, "user_s": {user:.6}, "sys_s": {sys:.6}, "cpu_s": {:.6}, "wall_s": {:.6}}}"#,
        user + sys,
        wall.as_secs_f64()
    ))
}

fn create(n: u64, warmup: u64) -> Result<String, String> {
    let client = client()?;
    let request = request();
    run(&client, &request, warmup)?;
    measure(n, || run(&client, &request, n))
}

/// `threads` threads share one client (`&Client`, not clones); each first warms up its own
/// connection, then all start together and create `n` instances between them.
fn shared_by_threads(threads: u64, n: u64, warmup: u64) -> Result<String, String> {
    let client = client()?;
    let request = request();
    let parties = usize::try_from(threads + 1).map_err(|_| "too many threads")?;
    let (warmed, go) = (Barrier::new(parties), Barrier::new(parties));
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|i| {
                let (client, request, warmed, go) = (&client, &request, &warmed, &go);
                let share = n / threads + u64::from(i < n % threads);
                scope.spawn(move || {
                    let warm = run(client, request, (warmup / threads).max(1));
                    warmed.wait();
                    go.wait();
                    warm.and_then(|()| run(client, request, share))
                })
            })
            .collect();
        warmed.wait();
        measure(n, || {
            go.wait();
            workers.into_iter().try_for_each(|w| w.join().map_err(|_| "a thread panicked".to_owned())?)
        })
        .map(|json| json.replacen('{', &format!(r#"{{"threads": {threads}, "#), 1))
    })
}

/// Resident set size, from /proc/self/status.
fn rss_kib() -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| format!("/proc/self/status: {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS in /proc/self/status".to_owned())
}

fn memory(n: u64, warmup: u64) -> Result<String, String> {
    let client = client()?;
    let request = request();
    run(&client, &request, warmup)?;
    let before = rss_kib()?;
    run(&client, &request, n)?;
    let after = rss_kib()?;
    Ok(format!(r#"{{"n": {n}, "rss_before_kib": {before}, "rss_after_kib": {after}}}"#))
}

//! Throughput and memory checks. Ignored by default (slow in debug builds); run with
//! `cargo test --release -p cloud-elements-sandbox --test perf -- --ignored --nocapture`.

mod common;

use std::time::Instant;

use cloud_elements_sandbox::Sandbox;
use common::{Client, api, closeio};

#[test]
#[ignore = "benchmark: run in release with --ignored"]
fn twenty_thousand_sequential_creates_on_one_connection() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    let body = closeio("bench", &["bench"]);
    let start = Instant::now();
    for _ in 0..20_000 {
        assert_eq!(client.post_json(&api("/instances"), &body).status, 200);
    }
    let elapsed = start.elapsed();
    println!("20,000 creates in {elapsed:?} ({:.0}/s)", 20_000.0 / elapsed.as_secs_f64());
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
}

/// Resident memory in KiB (Linux only).
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
#[ignore = "benchmark: run in release with --ignored"]
fn memory_stays_flat_apart_from_stored_instances() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    let body = closeio("mem", &[]);
    let mut samples = Vec::new();
    for round in 0..10 {
        for _ in 0..10_000 {
            assert_eq!(client.post_json(&api("/instances"), &body).status, 200);
        }
        // Deleting keeps only the per-request costs in view.
        sandbox.reset();
        samples.push(rss_kib());
        println!("after {} creates: {:?} KiB", (round + 1) * 10_000, samples.last().unwrap());
    }
    if let (Some(Some(early)), Some(Some(last))) = (samples.get(2), samples.last()) {
        assert!(last - early.min(last) < 8 * 1024, "RSS grew from {early} to {last} KiB");
    }
}

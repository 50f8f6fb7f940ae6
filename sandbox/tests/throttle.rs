//! The server-wide latency and rate limit of creates: from the builder and through
//! `/_sandbox/settings`.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use cloud_elements_sandbox::Sandbox;
use common::{Client, api, closeio};
use serde_json::json;

const LATENCY: Duration = Duration::from_millis(300);

#[test]
fn every_create_takes_the_latency_and_concurrent_creates_overlap() {
    let sandbox = Sandbox::builder().latency(LATENCY).start().unwrap();
    let mut client = Client::new(&sandbox);
    let started = Instant::now();
    assert_eq!(client.post_json(&api("/instances"), &closeio("slow", &[])).status, 200);
    assert!(started.elapsed() >= LATENCY, "{:?}", started.elapsed());

    // Reads do not wait.
    let started = Instant::now();
    assert_eq!(client.get(&api("/instances")).status, 200);
    assert!(started.elapsed() < LATENCY, "{:?}", started.elapsed());

    // Eight creates on eight connections at once end together, not one after the other.
    let started = Instant::now();
    let workers: Vec<_> = (0..8)
        .map(|i| {
            let mut client = Client::new(&sandbox);
            thread::spawn(move || client.post_json(&api("/instances"), &closeio(&format!("c{i}"), &[])).status)
        })
        .collect();
    for worker in workers {
        assert_eq!(worker.join().unwrap(), 200);
    }
    let elapsed = started.elapsed();
    assert!(elapsed >= LATENCY && elapsed < LATENCY * 3, "8 concurrent creates took {elapsed:?}");
    assert_eq!(sandbox.instances().len(), 9);
}

#[test]
fn creates_past_the_rate_get_429_with_retry_after() {
    let sandbox = Sandbox::builder().rate_limit(3).start().unwrap();
    let mut client = Client::new(&sandbox);
    for _ in 0..3 {
        assert_eq!(client.post_json(&api("/instances"), &closeio("ok", &[])).status, 200);
    }
    let refused = client.post_json(&api("/instances"), &closeio("too many", &[]));
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert!(refused.error_message().contains("at most 3 instance creates per second"));
    // Other calls are not limited; a refused create made nothing.
    for _ in 0..5 {
        assert_eq!(client.get(&api("/instances")).status, 200);
    }
    assert_eq!(sandbox.instances().len(), 3);

    thread::sleep(Duration::from_millis(400));
    assert_eq!(client.post_json(&api("/instances"), &closeio("later", &[])).status, 200);

    let mut control = Client::connect(sandbox.addr());
    let settings = control.get("/_sandbox/settings").json();
    assert_eq!(settings, json!({"latency_ms": 0, "rate_limit": 3, "rate_limited": 1}));
}

#[test]
fn the_control_interface_changes_the_settings_and_a_reset_keeps_them() {
    let sandbox = Sandbox::start().unwrap();
    let mut control = Client::connect(sandbox.addr());
    let mut client = Client::new(&sandbox);
    assert_eq!(control.get("/_sandbox/settings").json(), json!({"latency_ms": 0, "rate_limit": 0, "rate_limited": 0}));

    let changed = control.post_json("/_sandbox/settings", &json!({"latency_ms": 150, "rate_limit": 1}));
    assert_eq!(changed.status, 200);
    assert_eq!(changed.json(), json!({"latency_ms": 150, "rate_limit": 1, "rate_limited": 0}));
    let started = Instant::now();
    assert_eq!(client.post_json(&api("/instances"), &closeio("a", &[])).status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    let started = Instant::now();
    assert_eq!(client.post_json(&api("/instances"), &closeio("b", &[])).status, 429);
    assert!(started.elapsed() < Duration::from_millis(150), "a refused create does not wait");

    assert_eq!(control.post_json("/_sandbox/reset", &json!({})).status, 200);
    let kept = control.get("/_sandbox/settings").json();
    assert_eq!(kept, json!({"latency_ms": 150, "rate_limit": 1, "rate_limited": 0}));

    // Only the fields given change; 0 turns the limit off.
    let changed = control.post_json("/_sandbox/settings", &json!({"rate_limit": 0}));
    assert_eq!(changed.json()["latency_ms"], 150);
    control.post_json("/_sandbox/settings", &json!({"latency_ms": 0}));
    for _ in 0..5 {
        assert_eq!(client.post_json(&api("/instances"), &closeio("free", &[])).status, 200);
    }

    for bad in [json!({"latency_ms": 60_001}), json!({"latency": 5}), json!({"rate_limit": -1}), json!([1])] {
        let refused = control.post_json("/_sandbox/settings", &bad);
        assert_eq!(refused.status, 400, "{bad}");
    }
    assert_eq!(control.get("/_sandbox/settings").json()["latency_ms"], 0, "a refused change changes nothing");
}

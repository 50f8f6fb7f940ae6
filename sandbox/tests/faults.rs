//! Fault injection, from Rust and over the control endpoint.

mod common;

use std::io::{ErrorKind, Read};
use std::time::{Duration, Instant};

use cloud_elements_sandbox::{Fault, FaultKind, Sandbox};
use common::{Client, api, closeio};
use serde_json::json;

fn status(status: u16) -> FaultKind {
    FaultKind::Status { status, message: None, provider_message: None, retry_after: None }
}

#[test]
fn status_fault_answers_the_error_and_creates_nothing() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    sandbox.inject(Fault::new(FaultKind::Status {
        status: 502,
        message: Some("Provider failed".into()),
        provider_message: Some("Close.io said no".into()),
        retry_after: Some("3".into()),
    }));
    let reply = client.post_json(&api("/instances"), &closeio("x", &[]));
    assert_eq!(reply.status, 502);
    assert_eq!(reply.header("retry-after"), Some("3"));
    assert_eq!(reply.error_message(), "Provider failed");
    assert_eq!(reply.json()["providerMessage"], "Close.io said no");
    assert!(sandbox.instances().is_empty());

    // Default message, no providerMessage, no Retry-After; the connection stays usable.
    sandbox.inject(Fault::new(status(500)));
    let reply = client.post_json(&api("/instances"), &closeio("x", &[]));
    assert_eq!(reply.status, 500);
    assert_eq!(reply.error_message(), "Internal Server Error");
    assert!(reply.json().get("providerMessage").is_none());
    assert!(reply.header("retry-after").is_none());
    assert!(sandbox.instances().is_empty());
    assert_eq!(client.post_json(&api("/instances"), &closeio("x", &[])).status, 200);
}

#[test]
fn faults_apply_fifo_and_count_times() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    sandbox.inject(Fault::new(status(503)).times(2));
    sandbox.inject(Fault::new(status(429)));
    let statuses: Vec<u16> = (0..4).map(|_| client.get(&api("/instances")).status).collect();
    assert_eq!(statuses, [503, 503, 429, 200]);

    // Control requests neither consume faults nor count.
    sandbox.inject(Fault::new(status(500)));
    assert_eq!(client.get("/_sandbox/requests").status, 200);
    assert_eq!(client.get("/nowhere").status, 404, "outside the API: no fault");
    assert_eq!(client.get(&api("/instances")).status, 500);

    sandbox.inject(Fault::new(status(500)).times(5));
    sandbox.clear_faults();
    assert_eq!(client.get(&api("/instances")).status, 200);
    sandbox.inject(Fault::new(status(500)).times(0));
    assert_eq!(client.get(&api("/instances")).status, 200, "times 0 is never applied");
}

#[test]
fn faults_apply_before_authorization() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::connect(sandbox.addr());
    sandbox.inject(Fault::new(status(503)));
    assert_eq!(client.get(&api("/instances")).status, 503);
    assert_eq!(client.get(&api("/instances")).status, 401);
}

#[test]
fn delay_fault_waits_then_handles_normally() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    sandbox.inject(Fault::new(FaultKind::Delay { ms: 300 }));
    let start = Instant::now();
    let reply = client.post_json(&api("/instances"), &closeio("slow", &[]));
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(reply.status, 200);
    assert_eq!(sandbox.instances().len(), 1);
}

#[test]
fn reset_fault_resets_the_connection_and_creates_nothing() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    sandbox.inject(Fault::new(FaultKind::Reset));
    let error = client.send("POST", &api("/instances"), &[("Content-Type", "application/json")], Some(b"{}"));
    let error = error.expect_err("no answer");
    assert_eq!(error.kind(), ErrorKind::ConnectionReset, "expected a RST, not a FIN: {error:?}");
    assert!(sandbox.instances().is_empty());
    assert_eq!(sandbox.request_count(), 1, "the request was received and counted");
    // A new connection works.
    let mut client = Client::new(&sandbox);
    assert_eq!(client.post_json(&api("/instances"), &closeio("x", &[])).status, 200);
}

#[test]
fn truncate_fault_sends_half_the_body_after_creating() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    sandbox.inject(Fault::new(FaultKind::Truncate));
    let body = serde_json::to_vec(&closeio("x", &[])).unwrap();
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: s\r\nAuthorization: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        api("/instances"),
        client.auth.clone().unwrap(),
        body.len()
    );
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(&body);
    std::io::Write::write_all(client.stream(), &bytes).unwrap();
    let mut received = Vec::new();
    client.stream().read_to_end(&mut received).unwrap();
    let text = String::from_utf8_lossy(&received);
    let (head, partial) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    let length: usize = head.lines().find_map(|l| l.strip_prefix("Content-Length: ")).unwrap().parse().unwrap();
    assert_eq!(partial.len(), length / 2);
    assert!(serde_json::from_str::<serde_json::Value>(partial).is_err());
    assert_eq!(sandbox.instances().len(), 1, "the instance IS created");
}

#[test]
fn body_fault_answers_exactly_that() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    sandbox.inject(Fault::new(FaultKind::Body {
        status: 200,
        content_type: "text/html".into(),
        body: "<html>proxy login</html>".into(),
        body_hex: None,
    }));
    let reply = client.post_json(&api("/instances"), &closeio("x", &[]));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("text/html"));
    assert_eq!(reply.body, b"<html>proxy login</html>");
    assert!(sandbox.instances().is_empty());

    // Default content type is JSON.
    let fault: Fault = serde_json::from_value(json!({"kind": "body", "status": 201, "body": "{\"id\":"})).unwrap();
    sandbox.inject(fault);
    let reply = client.get(&api("/instances"));
    assert_eq!(reply.status, 201);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.body, b"{\"id\":");
}

#[test]
fn extreme_valid_statuses_get_a_final_answer() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    sandbox.inject(Fault::new(status(599)));
    let reply = client.get(&api("/instances"));
    assert_eq!(reply.status, 599);
    assert_eq!(reply.error_message(), "Server Error");
    sandbox.inject(Fault::new(FaultKind::Body {
        status: 299,
        content_type: "text/plain".into(),
        body: "odd".into(),
        body_hex: None,
    }));
    let reply = client.get(&api("/instances"));
    assert_eq!((reply.status, reply.body.as_slice()), (299, &b"odd"[..]));
    assert_eq!(client.get(&api("/instances")).status, 200);
}

#[test]
#[should_panic(expected = "Fault status must be between 200 and 599, got 100")]
fn inject_panics_on_an_interim_status() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.inject(Fault::new(status(100)));
}

#[test]
#[should_panic(expected = "Fault status must be between 200 and 599, got 42")]
fn inject_panics_on_an_invalid_body_status() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.inject(
        Fault::new(FaultKind::Body { status: 42, content_type: String::new(), body: String::new(), body_hex: None })
            .times(0),
    );
}

#[test]
fn a_refused_inject_leaves_the_sandbox_usable() {
    let sandbox = Sandbox::start().unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        sandbox.inject(Fault::new(FaultKind::Body {
            status: 101,
            content_type: String::new(),
            body: String::new(),
            body_hex: None,
        }))
    }));
    assert!(panicked.is_err());
    assert_eq!(Client::new(&sandbox).get(&api("/instances")).status, 200, "nothing was queued");
}

#[test]
fn control_endpoint_queues_lists_and_clears_faults() {
    let sandbox = Sandbox::start().unwrap();
    let mut control = Client::connect(sandbox.addr());
    let mut client = Client::new(&sandbox);

    let reply = control.send_json("POST", "/_sandbox/faults", &json!({"kind": "status", "status": 503, "times": 2}));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"queued": 1}));
    let reply = control.send_json(
        "POST",
        "/_sandbox/faults",
        &json!([
            {"kind": "delay", "ms": 1},
            {"kind": "body", "status": 200, "content_type": "text/plain", "body": "hi"},
            {"kind": "status", "status": 500, "message": "m", "provider_message": "p", "retry_after": "1"}
        ]),
    );
    assert_eq!(reply.json(), json!({"queued": 3}));
    let pending = control.get("/_sandbox/faults").json();
    assert_eq!(pending["faults"].as_array().unwrap().len(), 4);
    assert_eq!(
        pending["faults"][0],
        json!({"kind": "status", "status": 503, "message": null,
        "provider_message": null, "retry_after": null, "times": 2, "every": 1})
    );

    let statuses: Vec<u16> = (0..5).map(|_| client.get(&api("/instances")).status).collect();
    assert_eq!(statuses, [503, 503, 200, 200, 500]);

    // Bad faults are refused, all or nothing.
    for bad in [
        &b"{"[..],
        br#"{"kind": "nope"}"#,
        br#"[{"kind": "reset"}, {"kind": "status"}]"#,
        br#"{"kind": "status", "status": 42}"#,
        // A 1xx is an interim response: the client would wait forever for the final one.
        br#"{"kind": "status", "status": 100}"#,
        br#"{"kind": "status", "status": 199}"#,
        br#"{"kind": "body", "status": 101, "body": ""}"#,
        br#"{"kind": "body", "status": 600, "body": ""}"#,
        br#"[{"kind": "status", "status": 503}, {"kind": "body", "status": 103, "body": ""}]"#,
    ] {
        let reply = control.send("POST", "/_sandbox/faults", &[], Some(bad)).unwrap();
        assert_eq!(reply.status, 400, "{}", String::from_utf8_lossy(bad));
        reply.error_message();
    }
    assert_eq!(control.get("/_sandbox/faults").json(), json!({"faults": []}));

    control.send_json("POST", "/_sandbox/faults", &json!({"kind": "reset", "times": 3}));
    let reply = control.delete("/_sandbox/faults");
    assert_eq!(reply.status, 200);
    assert_eq!(client.get(&api("/instances")).status, 200);
}

/// Sends a create on a raw connection and reads until the server closes: (bytes, how it ended).
fn create_and_read_all(sandbox: &Sandbox, client: &mut Client) -> (Vec<u8>, std::io::Result<()>) {
    let body = serde_json::to_vec(&closeio("x", &[])).unwrap();
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: s\r\nAuthorization: User {}, Organization {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        api("/instances"),
        sandbox.user_secret(),
        sandbox.organization_secret(),
        body.len()
    );
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(&body);
    std::io::Write::write_all(client.stream(), &bytes).unwrap();
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match client.stream().read(&mut chunk) {
            Ok(0) => return (received, Ok(())),
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(e) => return (received, Err(e)),
        }
    }
}

#[test]
fn create_then_reset_creates_and_answers_nothing() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.inject(Fault::new(FaultKind::CreateThenReset));
    let (received, end) = create_and_read_all(&sandbox, &mut Client::new(&sandbox));
    assert!(received.is_empty());
    assert_eq!(end.unwrap_err().kind(), ErrorKind::ConnectionReset);
    assert_eq!(sandbox.instances().len(), 1, "the instance IS created");
}

#[test]
fn reset_mid_body_sends_half_then_resets() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.inject(Fault::new(FaultKind::ResetMidBody));
    let (received, end) = create_and_read_all(&sandbox, &mut Client::new(&sandbox));
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    assert!(serde_json::from_str::<serde_json::Value>(text.split_once("\r\n\r\n").unwrap().1).is_err());
    assert_eq!(end.unwrap_err().kind(), ErrorKind::ConnectionReset);
    assert_eq!(sandbox.instances().len(), 1);
}

#[test]
fn drip_sends_the_answer_byte_by_byte() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.inject(Fault::new(FaultKind::Drip { ms: 1 }));
    let started = Instant::now();
    let (received, end) = create_and_read_all(&sandbox, &mut Client::new(&sandbox));
    end.unwrap();
    let text = String::from_utf8(received).unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1;
    assert!(serde_json::from_str::<serde_json::Value>(body).unwrap()["token"].is_string());
    // One pause per byte: the whole answer takes at least as many milliseconds as it has bytes.
    assert!(started.elapsed() >= Duration::from_millis(text.len() as u64), "{:?}", started.elapsed());
}

#[test]
fn oversize_and_hex_bodies_over_the_control_endpoint() {
    let sandbox = Sandbox::start().unwrap();
    let mut control = Client::connect(sandbox.addr());
    let reply = control.post_json(
        "/_sandbox/faults",
        &json!([
            {"kind": "oversize", "bytes": 2_000_000},
            {"kind": "body", "status": 200, "body_hex": "7b22746f6b656e223a22ff227d"},
        ]),
    );
    assert_eq!(reply.status, 200, "{}", reply.error_message());
    let mut client = Client::new(&sandbox);
    let big = client.get(&api("/instances"));
    assert_eq!((big.status, big.body.len()), (200, 2_000_000));
    assert_eq!(big.json()["padding"].as_str().unwrap().len(), 2_000_000 - 14);
    let raw = client.get(&api("/instances"));
    assert_eq!(raw.body, b"{\"token\":\"\xff\"}");
    for bad in [json!({"kind": "body", "status": 200, "body_hex": "zz"}), json!({"kind": "oversize", "bytes": 1})] {
        assert_eq!(control.post_json("/_sandbox/faults", &bad).status, 400, "{bad}");
    }
}

#[test]
fn every_third_post_gets_the_fault() {
    let sandbox = Sandbox::start().unwrap();
    sandbox.inject(Fault::new(status(503)).every(3).times(2).method("POST"));
    let mut client = Client::new(&sandbox);
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(client.post_json(&api("/instances"), &closeio("x", &[])).status);
        statuses.push(client.get(&api("/instances")).status);
    }
    assert_eq!(statuses, [200, 200, 200, 200, 503, 200, 200, 200, 200, 200, 503, 200, 200, 200]);
}

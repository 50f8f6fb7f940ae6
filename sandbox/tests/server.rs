//! The HTTP server itself: connections, framing, limits, the request log, control endpoints,
//! reset, shutdown and the binary.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cloud_elements_sandbox::{DEFAULT_ORGANIZATION_SECRET, DEFAULT_USER_SECRET, Fault, FaultKind, Sandbox};
use common::{Client, api, closeio};
use serde_json::json;

#[test]
fn url_and_secrets() {
    let sandbox = Sandbox::start().unwrap();
    assert_eq!(sandbox.url(), format!("http://127.0.0.1:{}/elements/api-v2", sandbox.addr().port()));
    assert_eq!(sandbox.user_secret(), DEFAULT_USER_SECRET);
    assert_eq!(sandbox.organization_secret(), DEFAULT_ORGANIZATION_SECRET);

    let custom = Sandbox::builder().user_secret("u1").organization_secret("o1").start().unwrap();
    let mut client = Client::new(&custom);
    assert_eq!(client.auth.as_deref(), Some("User u1, Organization o1"));
    assert_eq!(client.get(&api("/instances")).status, 200);
    client.auth = Some(format!("User {DEFAULT_USER_SECRET}, Organization {DEFAULT_ORGANIZATION_SECRET}"));
    assert_eq!(client.get(&api("/instances")).status, 401);

    assert!(Sandbox::builder().user_secret("").start().is_err());
    assert!(Sandbox::builder().organization_secret("a,b").start().is_err());
    let taken = Sandbox::builder().bind(sandbox.addr()).start();
    assert!(taken.is_err(), "port in use");
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    let first = client.post_json(&api("/instances"), &closeio("a", &[]));
    assert_eq!(first.header("connection"), Some("keep-alive"));
    let second = client.get(&api("/instances/1"));
    assert_eq!((first.status, second.status), (200, 200));
    // Even errors keep the connection open.
    assert_eq!(client.get(&api("/nope")).status, 404);
    let start = Instant::now();
    for _ in 0..200 {
        assert_eq!(client.post_json(&api("/instances"), &closeio("b", &[])).status, 200);
    }
    // 200 round trips with a 40 ms delayed-ACK stall would take 8 s.
    assert!(start.elapsed() < Duration::from_secs(4), "{:?}", start.elapsed());
    assert_eq!(sandbox.instances().len(), 201);
}

#[test]
fn connection_close_and_http10() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    let reply = client.send("GET", &api("/instances"), &[("Connection", "close")], None).unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("connection"), Some("close"));
    assert!(client.is_closed());

    let mut client = Client::connect(sandbox.addr());
    let reply = client.send_raw(b"GET /elements/api-v2/instances HTTP/1.0\r\n\r\n").unwrap();
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("connection"), Some("close"));
    assert!(client.is_closed());

    let mut client = Client::connect(sandbox.addr());
    let reply = client.send_raw(b"GET /elements/api-v2/instances HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").unwrap();
    assert_eq!(reply.header("connection"), Some("keep-alive"));
    assert_eq!(client.send_raw(b"GET /nope HTTP/1.0\r\n\r\n").unwrap().status, 404);
}

#[test]
fn chunked_bodies_and_pipelining() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    let body = serde_json::to_string(&closeio("chunked", &[])).unwrap();
    let (a, b) = body.split_at(10);
    let auth = client.auth.clone().unwrap();
    let request = format!(
        "POST /elements/api-v2/instances HTTP/1.1\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x};name=value\r\n{b}\r\n0\r\n\r\n\
         GET /elements/api-v2/instances/1 HTTP/1.1\r\nAuthorization: {auth}\r\n\r\n",
        a.len(),
        b.len()
    );
    client.stream().write_all(request.as_bytes()).unwrap();
    let created = client.read_reply().unwrap();
    assert_eq!(created.status, 200, "{}", String::from_utf8_lossy(&created.body));
    assert_eq!(created.json()["name"], "chunked");
    let fetched = client.read_reply().unwrap();
    assert_eq!(fetched.status, 200);
    assert_eq!(sandbox.requests()[0].body, body.as_bytes(), "the log holds the decoded body");
}

#[test]
fn chunked_framing_is_strict() {
    let sandbox = Sandbox::start().unwrap();
    let chunked = |te: &str, body: &str| {
        format!("POST /elements/api-v2/instances HTTP/1.1\r\nHost: s\r\n{te}\r\n{body}").into_bytes()
    };
    let te = "Transfer-Encoding: chunked\r\n";
    let trailers: String = (0..33).map(|i| format!("T-{i}: v\r\n")).collect();
    let cases: Vec<(Vec<u8>, u16)> = vec![
        // Chunk sizes are hex digits only.
        (chunked(te, "+2\r\n{}\r\n0\r\n\r\n"), 400),
        (chunked(te, " 2\r\n{}\r\n0\r\n\r\n"), 400),
        (chunked(te, "2 \r\n{}\r\n0\r\n\r\n"), 400),
        (chunked(te, "0x2\r\n{}\r\n0\r\n\r\n"), 400),
        // Every line ends with CRLF.
        (chunked(te, "2\n{}\r\n0\r\n\r\n"), 400),
        (chunked(te, "2\r\n{}\n0\r\n\r\n"), 400),
        (chunked(te, "2\r\n{}\r\n0\r\nT: x\n\r\n"), 400),
        (chunked(te, "2\r\n{}\r\n0\r\n\n"), 400),
        // Transfer-Encoding lines are one list: both forms are refused alike.
        (chunked("Transfer-Encoding: gzip, chunked\r\n", "2\r\n{}\r\n0\r\n\r\n"), 501),
        (chunked("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "2\r\n{}\r\n0\r\n\r\n"), 501),
        (chunked("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", "2\r\n{}\r\n0\r\n\r\n"), 501),
        (chunked("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nContent-Length: 7\r\n", ""), 400),
        // At most 32 trailer fields.
        (chunked(te, &format!("2\r\n{{}}\r\n0\r\n{trailers}\r\n")), 431),
    ];
    for (request, status) in cases {
        let mut client = Client::connect(sandbox.addr());
        let reply = client.send_raw(&request).unwrap();
        assert_eq!(reply.status, status, "{}", String::from_utf8_lossy(&request));
        reply.error_message();
        assert_eq!(reply.header("connection"), Some("close"));
        assert!(client.is_closed());
    }
    assert_eq!(sandbox.request_count(), 0, "none of them reached the API");

    // The encoded size is capped as well as the decoded one: one-byte chunks padded with 4 KiB
    // extensions, 1.3 MiB on the wire (over the 1.25 MiB cap) for a 340-byte body.
    let padded = format!("1;{}\r\n \r\n", "e".repeat(4000));
    let request = chunked(te, &format!("{}0\r\n\r\n", padded.repeat(340)));
    let mut client = Client::connect(sandbox.addr());
    let reply = client.send_raw(&request).unwrap();
    assert_eq!(reply.status, 413);
    assert!(client.is_closed());

    // 32 trailer fields and a 4 KiB extension are fine.
    let mut client = Client::new(&sandbox);
    let trailers: String = (0..32).map(|i| format!("T-{i}: v\r\n")).collect();
    let request = format!(
        "GET /elements/api-v2/instances HTTP/1.1\r\nAuthorization: {}\r\n{te}\r\n1;{}\r\n \r\n0\r\n{trailers}\r\n",
        client.auth.clone().unwrap(),
        "e".repeat(4000)
    );
    assert_eq!(client.send_raw(request.as_bytes()).unwrap().status, 200);
    assert_eq!(client.get(&api("/instances")).status, 200, "the connection stays usable");
}

#[test]
fn expect_100_continue() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    let body = serde_json::to_string(&closeio("x", &[])).unwrap();
    let head = format!(
        "POST /elements/api-v2/instances HTTP/1.1\r\nAuthorization: {}\r\nContent-Type: application/json\r\n\
         Expect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        client.auth.clone().unwrap(),
        body.len()
    );
    let interim = client.send_raw(head.as_bytes()).unwrap();
    assert_eq!(interim.status, 100);
    let reply = client.send_raw(body.as_bytes()).unwrap();
    assert_eq!(reply.status, 200);
}

#[test]
fn malformed_and_oversized_requests_are_refused_and_closed() {
    let sandbox = Sandbox::start().unwrap();
    let cases: Vec<(Vec<u8>, u16)> = vec![
        (b"NONSENSE\r\n\r\n".to_vec(), 400),
        (b"GET /x HTTP/1.1\r\nNo colon here\r\n\r\n".to_vec(), 400),
        (b"GET /x HTTP/3.0\r\n\r\n".to_vec(), 505),
        (b"POST /x HTTP/1.1\r\nContent-Length: nope\r\n\r\n".to_vec(), 400),
        (b"POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n".to_vec(), 400),
        (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n".to_vec(), 400),
        (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n".to_vec(), 400),
        (b"POST /x HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n".to_vec(), 413),
        (b"GET /\xff\xfe HTTP/1.1\r\n\r\n".to_vec(), 400),
        ([b"GET / HTTP/1.1\r\nX-Big: ".as_slice(), &vec![b'a'; 70 * 1024], b"\r\n\r\n"].concat(), 431),
    ];
    for (request, status) in cases {
        let mut client = Client::connect(sandbox.addr());
        let reply = client.send_raw(&request).unwrap();
        assert_eq!(reply.status, status, "{}", String::from_utf8_lossy(&request[..request.len().min(80)]));
        reply.error_message();
        assert_eq!(reply.header("connection"), Some("close"));
        assert!(client.is_closed());
    }
    // A body of exactly 1 MiB is fine (the JSON is invalid, so 400 from the API, not 413).
    let mut client = Client::new(&sandbox);
    let body = vec![b' '; 1024 * 1024];
    let reply = client.send("POST", &api("/instances"), &[("Content-Type", "application/json")], Some(&body)).unwrap();
    assert_eq!(reply.status, 400);
    // The server survived all of it.
    assert_eq!(client.get(&api("/instances")).status, 200);
}

#[test]
fn head_requests_get_headers_only() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    let auth = client.auth.clone().unwrap();
    let request = format!("HEAD /elements/api-v2/elements/closeio HTTP/1.1\r\nAuthorization: {auth}\r\n\r\n");
    client.stream().write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(client.stream().try_clone().unwrap());
    let mut head = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    assert!(head.starts_with("HTTP/1.1 200 OK"));
    assert!(!head.contains("Content-Length: 0"));
    // The next response follows directly: no body bytes were sent.
    client.stream().write_all(b"GET /nope HTTP/1.1\r\n\r\n").unwrap();
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 404"), "{line}");
}

#[test]
fn request_log_and_count() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    client.send("GET", &api("/instances?tags%5B%5D=a+b"), &[("X-Custom-Header", "Mixed Case")], None).unwrap();
    client.post_json(&api("/instances"), &closeio("x", &[]));
    client.get("/_sandbox/requests");
    client.get("/not/api");
    assert_eq!(sandbox.request_count(), 2, "only API requests count");
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].target, "/elements/api-v2/instances?tags%5B%5D=a+b");
    assert_eq!(requests[0].header("x-custom-header"), Some("Mixed Case"));
    assert!(requests[0].headers.iter().any(|(n, _)| n == "X-Custom-Header"), "original case kept");
    assert_eq!(requests[0].headers[0], ("Host".to_string(), "sandbox".to_string()), "original order kept");
    assert_eq!(requests[1].method, "POST");
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&requests[1].body).unwrap()["name"], "x");

    let log = client.get("/_sandbox/requests").json();
    assert_eq!(log["count"], 2);
    assert_eq!(log["requests"][0]["method"], "GET");
    assert_eq!(log["requests"][0]["target"], "/elements/api-v2/instances?tags%5B%5D=a+b");
    assert_eq!(log["requests"][0]["headers"][0], json!(["Host", "sandbox"]));
    assert!(log["requests"][1]["body"].as_str().unwrap().contains("closeio"));
}

#[test]
fn request_log_keeps_the_last_1000_but_counts_all() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    for i in 0..1005 {
        assert_eq!(client.get(&api(&format!("/instances?i={i}"))).status, 200);
    }
    assert_eq!(sandbox.request_count(), 1005);
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 1000);
    assert_eq!(requests[0].target, api("/instances?i=5"));
    assert_eq!(requests[999].target, api("/instances?i=1004"));
}

#[test]
fn control_endpoints() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    client.post_json(&api("/instances"), &closeio("x", &[]));
    let instances = client.get("/_sandbox/instances").json();
    assert_eq!(instances[0]["configuration"]["password"], "close-password", "unmasked, like Sandbox::instances");
    assert_eq!(client.get("/_sandbox/nothing").status, 404);
    let reply = client.get("/_sandbox/reset");
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("POST"));
    assert_eq!(client.send("PUT", "/_sandbox/faults", &[], None).unwrap().status, 405);

    sandbox.inject(Fault::new(FaultKind::Reset));
    let reply = client.send("POST", "/_sandbox/reset", &[], None).unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(sandbox.request_count(), 0);
    assert!(sandbox.requests().is_empty());
    assert!(sandbox.instances().is_empty());
    // The connection these requests use was accepted before the reset.
    assert_eq!(client.get("/_sandbox/requests").json(), json!({"count": 0, "connections": 0, "requests": []}));
    assert_eq!(sandbox.connection_count(), 0);
    // Faults are gone and ids start again at 1.
    let reply = client.post_json(&api("/instances"), &closeio("again", &[]));
    assert_eq!(reply.json()["id"], 1);
}

#[test]
fn reset_from_rust() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    client.post_json(&api("/instances"), &closeio("x", &[]));
    sandbox.inject(Fault::new(FaultKind::Reset).times(10));
    sandbox.reset();
    assert_eq!((sandbox.request_count(), sandbox.requests().len(), sandbox.instances().len()), (0, 0, 0));
    let reply = client.post_json(&api("/instances"), &closeio("y", &[]));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["id"], 1);
}

#[test]
fn concurrent_clients() {
    let sandbox = Sandbox::start().unwrap();
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                let mut client = Client::new(&sandbox);
                for _ in 0..50 {
                    assert_eq!(client.post_json(&api("/instances"), &closeio("c", &[])).status, 200);
                }
            });
        }
    });
    let instances = sandbox.instances();
    assert_eq!(instances.len(), 400);
    let tokens: std::collections::HashSet<_> = instances.iter().map(|i| i["token"].as_str().unwrap()).collect();
    assert_eq!(tokens.len(), 400);
}

#[test]
fn drop_stops_the_server_and_its_connections() {
    let sandbox = Sandbox::start().unwrap();
    let addr = sandbox.addr();
    let mut idle = Client::new(&sandbox);
    assert_eq!(idle.get(&api("/instances")).status, 200);
    let start = Instant::now();
    drop(sandbox);
    assert!(start.elapsed() < Duration::from_secs(1), "drop took {:?}", start.elapsed());
    // The idle keep-alive connection is closed within about a second.
    idle.stream().set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let mut byte = [0u8; 1];
    assert!(matches!(idle.stream().read(&mut byte), Ok(0) | Err(_)));
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err(), "no longer listening");
}

#[test]
fn binary_prints_the_url_first_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloud-elements-sandbox"))
        .args(["--port", "0", "--user-secret", "bin-user", "--org-secret", "bin-org"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first.trim_end().strip_prefix("cloud-elements sandbox listening on ").unwrap_or_else(|| {
        let _ = child.kill();
        panic!("unexpected first line {first:?}")
    });
    let rest: Vec<String> = (0..8)
        .map(|_| {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            line
        })
        .collect();
    let addr = url.strip_prefix("http://").unwrap().strip_suffix("/elements/api-v2").unwrap();
    let mut client = Client::connect(addr.parse().unwrap());
    client.auth = Some("User bin-user, Organization bin-org".into());
    let reply = client.post_json(&api("/instances"), &closeio("from binary", &[]));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(reply.status, 200);
    let rest = rest.concat();
    assert!(rest.contains("bin-user") && rest.contains("bin-org"), "{rest}");
    assert!(rest.contains(&format!("'{url}/instances'")), "{rest}");
}

#[test]
fn binary_rejects_bad_arguments() {
    let output = Command::new(env!("CARGO_BIN_EXE_cloud-elements-sandbox")).args(["--port", "nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Usage"));
    let output = Command::new(env!("CARGO_BIN_EXE_cloud-elements-sandbox")).arg("--help").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("--port"));
}

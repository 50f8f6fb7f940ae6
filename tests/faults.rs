//! Every fault the issue lists, injected by the sandbox over real loopback sockets: each one is a
//! typed error with a useful message, never a panic, never a wait past the timeout plus a second.
//! Also: which failures are retried, idempotent provisioning, TLS trust, the CONNECT proxy and
//! the refusal of plain http.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use cloud_elements::{Client, ClientBuilder, Error, ErrorKind, InstanceRequest, TimeoutKind, TransportKind};
use cloud_elements_sandbox::{Fault, FaultKind, Sandbox, TLS_TEST_HOST};

/// A client for `sb` with this overall timeout and quick backoff (so retries don't slow the suite).
fn builder(sb: &Sandbox, timeout: Duration) -> ClientBuilder {
    Client::builder()
        .base_url(sb.url())
        .user_secret(sb.user_secret())
        .organization_secret(sb.organization_secret())
        .timeout(timeout)
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
}

fn closeio(name: &str) -> InstanceRequest {
    InstanceRequest::new("closeio", name).config("username", "MY_KEY").config("password", "MY_PW")
}

fn status(status: u16, retry_after: Option<&str>) -> FaultKind {
    FaultKind::Status { status, message: None, provider_message: None, retry_after: retry_after.map(Into::into) }
}

fn body(status: u16, content_type: &str, body: &str) -> FaultKind {
    FaultKind::Body { status, content_type: content_type.into(), body: body.into(), body_hex: None }
}

/// Runs a create and checks it failed within `limit` plus one second.
fn create_err(client: &Client, limit: Duration) -> (Error, Duration) {
    let started = Instant::now();
    let result = client.create_instance(&closeio("faulty"));
    let elapsed = started.elapsed();
    let err = result.expect_err("the create should fail");
    assert!(elapsed < limit + Duration::from_secs(1), "took {elapsed:?} for {err:?}");
    let text = err.to_string();
    assert!(!text.is_empty() && text.len() < 1200, "message of {} bytes: {text}", text.len());
    (err, elapsed)
}

/// A port where a TCP connect never completes: a listener with a backlog of 0 whose queue is
/// already full, so the kernel drops further SYNs.
struct Blackhole {
    _listener: socket2::Socket,
    _filler: Vec<TcpStream>,
    port: u16,
}

fn blackhole() -> Blackhole {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener.bind(&"127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap().into()).unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    // Fill the accept queue; the connect that no longer fits times out, which is what we want.
    let filler = (0..4).filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_millis(100)).ok()).collect();
    Blackhole { _listener: listener, _filler: filler, port: addr.port() }
}

#[test]
fn connection_refused_is_a_connect_error_after_the_retries() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let c = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}/elements/api-v2"))
        .user_secret("u")
        .organization_secret("o")
        .backoff(Duration::from_millis(20), Duration::from_millis(40))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let (err, _) = create_err(&c, Duration::from_secs(5));
    assert!(matches!(err, Error::Transport { kind: TransportKind::Connect, .. }), "{err:?}");
    assert!(err.to_string().contains("could not connect"), "{err}");
    assert!(!err.instance_may_exist());
}

#[test]
fn unknown_host_is_a_dns_error() {
    // `.invalid` never resolves (RFC 6761).
    let c = Client::builder()
        .base_url("https://no-such-host.invalid/elements/api-v2")
        .user_secret("u")
        .organization_secret("o")
        .retries(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let (err, _) = create_err(&c, Duration::from_secs(10));
    assert!(
        matches!(
            err,
            Error::Transport { kind: TransportKind::Dns, .. } | Error::Timeout { kind: TimeoutKind::Connect, .. }
        ),
        "{err:?}"
    );
    assert!(!err.instance_may_exist());
}

#[test]
fn a_connect_that_never_completes_hits_the_connect_timeout() {
    let hole = blackhole();
    let c = Client::builder()
        .base_url(format!("http://127.0.0.1:{}/elements/api-v2", hole.port))
        .user_secret("u")
        .organization_secret("o")
        .connect_timeout(Duration::from_millis(300))
        .timeout(Duration::from_secs(2))
        .retries(1)
        .backoff(Duration::from_millis(20), Duration::from_millis(20))
        .build()
        .unwrap();
    let (err, elapsed) = create_err(&c, Duration::from_secs(2));
    assert!(matches!(err, Error::Timeout { kind: TimeoutKind::Connect, .. }), "{err:?}");
    assert!(err.to_string().contains("connecting to the server took longer than 300 ms"), "{err}");
    // Nothing was sent, so it was retried once: two connect timeouts.
    assert!(elapsed >= Duration::from_millis(600), "{elapsed:?}");
}

#[test]
fn delay_past_the_overall_timeout() {
    let sb = Sandbox::start().unwrap();
    let c = builder(&sb, Duration::from_millis(500)).build().unwrap();
    sb.inject(Fault::new(FaultKind::Delay { ms: 3000 }));
    let (err, _) = create_err(&c, Duration::from_millis(500));
    assert!(matches!(err, Error::Timeout { kind: TimeoutKind::Overall, .. }), "{err:?}");
    assert!(err.instance_may_exist(), "the request was sent");
    assert_eq!(sb.request_count(), 1, "never resent blindly");
}

#[test]
fn a_body_that_drips_one_byte_a_second_times_out() {
    let sb = Sandbox::start().unwrap();
    let c = builder(&sb, Duration::from_millis(1500)).build().unwrap();
    sb.inject(Fault::new(FaultKind::Drip { ms: 1000 }));
    let (err, _) = create_err(&c, Duration::from_millis(1500));
    assert!(matches!(err, Error::Timeout { kind: TimeoutKind::Overall, .. }), "{err:?}");
    assert!(err.instance_may_exist());
}

#[test]
fn resets_and_short_bodies_are_transport_errors_that_may_have_created() {
    let sb = Sandbox::start().unwrap();
    let c = builder(&sb, Duration::from_secs(5)).build().unwrap();
    for fault in [FaultKind::Reset, FaultKind::CreateThenReset, FaultKind::ResetMidBody, FaultKind::Truncate] {
        sb.reset();
        sb.inject(Fault::new(fault.clone()));
        let (err, _) = create_err(&c, Duration::from_secs(5));
        assert!(
            matches!(
                err,
                Error::Transport { kind: TransportKind::Reset | TransportKind::Protocol | TransportKind::Io, .. }
            ),
            "{fault:?}: {err:?}"
        );
        assert!(err.instance_may_exist(), "{fault:?}");
        assert!(err.to_string().contains("may have been created"), "{fault:?}: {err}");
        assert_eq!(sb.request_count(), 1, "{fault:?}: never resent blindly");
    }
    // The client recovers: the broken connections are not reused.
    c.create_instance(&closeio("after")).unwrap();
}

#[test]
fn server_errors_say_what_the_server_said() {
    let sb = Sandbox::start().unwrap();
    let c = builder(&sb, Duration::from_secs(5)).build().unwrap();
    sb.inject(Fault::new(status(500, None)));
    let (err, _) = create_err(&c, Duration::from_secs(5));
    assert_eq!((err.kind(), err.status()), (ErrorKind::Api, Some(500)));
    assert!(err.instance_may_exist());
    assert!(err.to_string().starts_with("HTTP 500: Internal Server Error"), "{err}");
    assert!(err.to_string().ends_with("the instance may have been created"), "{err}");

    sb.inject(Fault::new(FaultKind::Status {
        status: 502,
        message: Some("Bad Gateway".into()),
        provider_message: Some("Close.io is down".into()),
        retry_after: None,
    }));
    let (err, _) = create_err(&c, Duration::from_secs(5));
    let Error::Api(api) = &err else { panic!("{err:?}") };
    assert_eq!(api.provider_message.as_deref(), Some("Close.io is down"));
    assert!(err.to_string().contains("(provider: Close.io is down)"), "{err}");

    // An HTML page from a proxy: the status, and the start of the page, cut short.
    let page = format!("<html><body><h1>502 Bad Gateway</h1>{}</body></html>", "x".repeat(5000));
    sb.inject(Fault::new(body(502, "text/html", &page)));
    let (err, _) = create_err(&c, Duration::from_secs(5));
    assert_eq!(err.status(), Some(502));
    assert!(err.to_string().contains("<html><body><h1>502 Bad Gateway"), "{err}");
    assert!(err.to_string().len() < 400, "{err}");
    assert_eq!(sb.request_count(), 3, "none of them was resent");
}

#[test]
fn busy_answers_are_retried_after_retry_after() {
    let sb = Sandbox::start().unwrap();
    let c = builder(&sb, Duration::from_secs(10)).build().unwrap();

    // 503 with Retry-After in seconds: waited for, then the create succeeds.
    sb.inject(Fault::new(status(503, Some("1"))));
    let started = Instant::now();
    c.create_instance(&closeio("after 503")).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950), "{:?}", started.elapsed());
    assert_eq!(sb.request_count(), 2);

    // 429 with Retry-After as an HTTP date two seconds ahead (whole seconds: 1 to 2 s of waiting).
    sb.reset();
    let at = httpdate(SystemTime::now() + Duration::from_secs(2));
    sb.inject(Fault::new(status(429, Some(&at))));
    let started = Instant::now();
    c.create_instance(&closeio("after 429")).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900), "{:?}", started.elapsed());
    assert_eq!(sb.request_count(), 2);
    assert_eq!(sb.instances().len(), 1);

    // Without Retry-After: the backoff, at most `retries` times, then the last answer.
    sb.reset();
    sb.inject(Fault::new(status(503, None)).times(5));
    let (err, _) = create_err(&c, Duration::from_secs(10));
    assert_eq!((err.kind(), err.status()), (ErrorKind::Api, Some(503)));
    assert!(!err.instance_may_exist());
    assert_eq!(sb.request_count(), 3, "the first attempt and two retries");
}

#[test]
fn a_long_retry_after_gives_up_at_once_as_rate_limited() {
    let sb = Sandbox::start().unwrap();
    let c = builder(&sb, Duration::from_secs(10)).build().unwrap();
    sb.inject(Fault::new(status(429, Some("120"))));
    let (err, elapsed) = create_err(&c, Duration::from_secs(10));
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(err.to_string().contains("retry after 120 s"), "{err}");
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    assert_eq!(sb.request_count(), 1);

    // A Retry-After that fits the 60 s cap but not the call's timeout: not waited for either.
    sb.inject(Fault::new(status(503, Some("30"))));
    let (err, elapsed) = create_err(&c, Duration::from_secs(10));
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
}

#[test]
fn retries_can_be_turned_off() {
    let sb = Sandbox::start().unwrap();
    let c = builder(&sb, Duration::from_secs(10)).retries(0).build().unwrap();
    sb.inject(Fault::new(status(503, Some("0"))));
    let (err, _) = create_err(&c, Duration::from_secs(10));
    assert_eq!(err.status(), Some(503));
    assert_eq!(sb.request_count(), 1);
    assert!(Client::builder().user_secret("u").organization_secret("o").retries(11).build().is_err());
}

#[test]
fn bodies_that_are_not_an_instance_are_decode_errors() {
    let sb = Sandbox::start().unwrap();
    let c = builder(&sb, Duration::from_secs(10)).build().unwrap();
    let hex = |h: &str| FaultKind::Body {
        status: 200,
        content_type: "application/json".into(),
        body: String::new(),
        body_hex: Some(h.into()),
    };
    for (fault, words) in [
        (FaultKind::Oversize { bytes: 11 * 1024 * 1024 }, "larger than the 10485760-byte cap"),
        (hex("7b22696422 3a312c22746f6b656e223a2261ff227d"), "not valid UTF-8"),
        (body(200, "application/json", r#"{"id": 1, "name": "x"}"#), "no instance token"),
        (body(200, "application/json", r#"{"id": 1, "token": ""}"#), "token is empty"),
        (body(200, "text/html", "<html>Sign in to the proxy</html>"), "HTML"),
    ] {
        sb.inject(Fault::new(fault.clone()));
        let (err, _) = create_err(&c, Duration::from_secs(10));
        assert_eq!(err.kind(), ErrorKind::Decode, "{fault:?}: {err:?}");
        assert!(err.to_string().contains(words), "{words:?} not in {err}");
    }
    // The cap is configurable.
    let small = builder(&sb, Duration::from_secs(10)).max_response_bytes(100).build().unwrap();
    sb.inject(Fault::new(FaultKind::Oversize { bytes: 101 }));
    let (err, _) = create_err(&small, Duration::from_secs(10));
    assert!(err.to_string().contains("larger than the 100-byte cap"), "{err}");
    // A real instance answer is longer than 100 bytes too; the cap holds for it as well.
    let (err, _) = create_err(&small, Duration::from_secs(10));
    assert_eq!(err.kind(), ErrorKind::Decode);
}

#[test]
fn idempotent_provisioning_never_duplicates_under_lost_answers() {
    let sb = Sandbox::start().unwrap();
    let c = builder(&sb, Duration::from_secs(10)).idempotent(true).build().unwrap();
    // Every third create is carried out and its answer lost.
    sb.inject(Fault::new(FaultKind::CreateThenReset).every(3).times(1000).method("POST"));
    let mut tokens = HashMap::new();
    for i in 0..100 {
        let instance = c.create_instance(&closeio(&format!("customer-{i}"))).unwrap();
        assert_eq!(instance.name.as_deref(), Some(format!("customer-{i}").as_str()));
        assert!(tokens.insert(instance.token.expose().to_owned(), i).is_none(), "token returned twice");
    }
    let instances = sb.instances();
    assert_eq!(instances.len(), 100, "exactly one instance per create");
    let mut names: Vec<&str> = instances.iter().map(|i| i["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 100, "no name twice");
    // Each carries its own provisioning tag.
    for instance in &instances {
        let tags = instance["tags"].as_array().unwrap();
        assert_eq!(tags.iter().filter(|t| t.as_str().unwrap().starts_with("ce-provision-")).count(), 1);
    }
    // The lookups happened: one GET per lost answer.
    let gets = sb.requests().iter().filter(|r| r.method == "GET").count();
    assert!(gets >= 30, "{gets} lookups");
}

#[test]
fn idempotent_provisioning_retries_when_the_lookup_finds_nothing() {
    let sb = Sandbox::start().unwrap();
    let c = builder(&sb, Duration::from_secs(10)).idempotent(true).build().unwrap();
    // A 500 that created nothing: the lookup answers 404 and the create is sent again.
    sb.inject(Fault::new(status(500, None)).method("POST"));
    let instance = c.create_instance(&closeio("second try")).unwrap();
    let requests = sb.requests();
    let methods: Vec<&str> = requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["POST", "GET", "POST"]);
    assert!(
        requests[1].target.starts_with("/elements/api-v2/instances?tags%5B%5D=ce-provision-"),
        "{}",
        requests[1].target
    );
    assert_eq!(sb.instances().len(), 1);
    let tags = instance.raw()["tags"].as_array().unwrap();
    assert!(tags.iter().any(|t| t.as_str().unwrap().starts_with("ce-provision-")));

    // When the lookup itself fails nothing is known: the ambiguous error is returned, not resent.
    sb.reset();
    sb.inject(Fault::new(FaultKind::CreateThenReset).method("POST"));
    sb.inject(Fault::new(FaultKind::Reset).method("GET"));
    let (err, _) = create_err(&c, Duration::from_secs(10));
    assert!(err.instance_may_exist(), "{err:?}");
    assert_eq!(sb.instances().len(), 1);
    assert_eq!(sb.requests().iter().filter(|r| r.method == "POST").count(), 1);
}

#[test]
fn plain_http_to_a_remote_host_is_refused_unless_allowed() {
    let remote = Client::builder()
        .base_url("http://192.0.2.1/elements/api-v2")
        .user_secret("u")
        .organization_secret("o")
        .connect_timeout(Duration::from_millis(200))
        .timeout(Duration::from_millis(500))
        .retries(0);
    let err = remote.clone().build().unwrap().create_instance(&closeio("x")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("refusing to send the secrets over plain http://"), "{err}");
    let err = remote.clone().build().unwrap().delete_instance(1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    // Allowed explicitly, it tries (and here fails to connect: 192.0.2.1 is a documentation address).
    let err = remote.allow_insecure_http(true).build().unwrap().create_instance(&closeio("x")).unwrap_err();
    assert_ne!(err.kind(), ErrorKind::InvalidInput, "{err:?}");
}

/// Writes the sandbox's CA to a file of its own and returns the path.
fn ca_file(sb: &Sandbox, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cloud-elements-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, sb.ca_certificate_pem().unwrap()).unwrap();
    path
}

#[test]
fn tls_trusts_the_ca_bundle_and_nothing_else() {
    let sb = Sandbox::builder().tls(true).start().unwrap();
    assert!(sb.url().starts_with("https://"));
    // Not trusted: a TLS error, not retried (it would fail the same way).
    let untrusted = builder(&sb, Duration::from_secs(5)).build().unwrap();
    let (err, _) = create_err(&untrusted, Duration::from_secs(5));
    assert!(matches!(err, Error::Transport { kind: TransportKind::Tls, .. }), "{err:?}");
    assert!(err.to_string().contains("TLS certificate is not trusted"), "{err}");
    assert_eq!(sb.request_count(), 0);

    // Trusted through the bundle.
    let path = ca_file(&sb, "ca.pem");
    let trusted = builder(&sb, Duration::from_secs(5)).ca_bundle(&path).build().unwrap();
    let instance = trusted.create_instance(&closeio("over TLS")).unwrap();
    assert!(!instance.token.expose().is_empty());

    // A bundle that cannot be used is an input error naming the file.
    for (content, words) in [(None, "cannot be read"), (Some("not pem"), "holds no certificate")] {
        let bad = std::env::temp_dir().join(format!("ce-bad-bundle-{}-{}", std::process::id(), words.len()));
        if let Some(content) = content {
            std::fs::write(&bad, content).unwrap();
        }
        let err = builder(&sb, Duration::from_secs(5)).ca_bundle(&bad).build().unwrap_err();
        assert!(err.to_string().contains(words), "{err}");
        let _ = std::fs::remove_file(&bad);
    }
}

/// Runs this test binary again, only `test`, with `env` set: for settings read from the
/// environment, which a test must not change in its own (multi-threaded) process.
fn run_child(test: &str, env: &[(&str, String)]) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--ignored", "--nocapture", "--test-threads=1"])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("CE_TEST_CHILD", "1")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.contains("1 passed"), "child {test} failed:\n{text}");
}

fn child_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the parent test"))
}

#[test]
fn the_ca_bundle_variable_is_honoured() {
    let sb = Sandbox::builder().tls(true).start().unwrap();
    let path = ca_file(&sb, "env-ca.pem");
    run_child(
        "child_uses_the_ca_bundle_variable",
        &[("CLOUD_ELEMENTS_CA_BUNDLE", path.display().to_string()), ("CE_CHILD_URL", sb.url().to_owned())],
    );
    assert_eq!(sb.instances().len(), 1);
}

#[test]
#[ignore = "run by the_ca_bundle_variable_is_honoured in a process of its own"]
fn child_uses_the_ca_bundle_variable() {
    let c = Client::builder()
        .base_url(child_env("CE_CHILD_URL"))
        .user_secret(cloud_elements_sandbox::DEFAULT_USER_SECRET)
        .organization_secret(cloud_elements_sandbox::DEFAULT_ORGANIZATION_SECRET)
        .build()
        .unwrap();
    c.create_instance(&closeio("trusted by the environment")).unwrap();
}

/// A CONNECT proxy on loopback that sends [`TLS_TEST_HOST`] to loopback and records the targets.
struct ConnectProxy {
    port: u16,
    targets: Arc<Mutex<Vec<String>>>,
}

fn connect_proxy() -> ConnectProxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let targets = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&targets);
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let seen = Arc::clone(&seen);
            thread::spawn(move || tunnel(client, &seen));
        }
    });
    ConnectProxy { port, targets }
}

fn tunnel(client: TcpStream, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
    }
    let mut client = client;
    let target = request_line.strip_prefix("CONNECT ").and_then(|rest| rest.split(' ').next()).unwrap_or("");
    seen.lock().unwrap().push(target.to_owned());
    let Some((host, port)) = target.rsplit_once(':') else {
        let _ = client.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let host = if host == TLS_TEST_HOST { "127.0.0.1" } else { host };
    let Ok(upstream) = TcpStream::connect((host, port.parse::<u16>().unwrap_or(0))) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").unwrap();
    let (mut up_read, mut up_write) = (upstream.try_clone().unwrap(), upstream);
    let mut down_write = client;
    let pump = thread::spawn(move || {
        let _ = std::io::copy(&mut reader, &mut up_write);
        let _ = up_write.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut up_read, &mut down_write);
    let _ = down_write.shutdown(Shutdown::Write);
    let _ = pump.join();
}

#[test]
fn https_proxy_and_no_proxy_are_honoured() {
    let sb = Sandbox::builder().tls(true).start().unwrap();
    let proxy = connect_proxy();
    let url = sb.url().replace("127.0.0.1", TLS_TEST_HOST);
    let ca = ca_file(&sb, "proxy-ca.pem");
    let env = |no_proxy: &str| {
        vec![
            ("HTTPS_PROXY", format!("http://127.0.0.1:{}", proxy.port)),
            ("NO_PROXY", no_proxy.to_owned()),
            ("CLOUD_ELEMENTS_CA_BUNDLE", ca.display().to_string()),
            ("CE_CHILD_URL", url.clone()),
        ]
    };
    run_child("child_creates_through_the_proxy", &env("example.com"));
    assert_eq!(*proxy.targets.lock().unwrap(), [format!("{TLS_TEST_HOST}:{}", sb.addr().port())]);
    assert_eq!(sb.instances().len(), 1);
    // Listed in NO_PROXY: straight to the host, which nothing resolves.
    run_child("child_bypasses_the_proxy", &env(&format!("localhost,{TLS_TEST_HOST}")));
    assert_eq!(proxy.targets.lock().unwrap().len(), 1, "the proxy saw no second connection");
}

#[test]
fn a_refused_proxy_is_named_in_the_error() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    run_child(
        "child_reports_the_refused_proxy",
        &[
            ("HTTPS_PROXY", format!("http://127.0.0.1:{port}")),
            ("CE_CHILD_URL", "https://api.example.com/elements/api-v2".to_owned()),
        ],
    );
}

#[test]
#[ignore = "run by a_refused_proxy_is_named_in_the_error in a process of its own"]
fn child_reports_the_refused_proxy() {
    let err = child_client().create_instance(&closeio("x")).unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Proxy, .. }), "{err:?}");
    assert!(err.to_string().starts_with("could not connect to the proxy named by HTTPS_PROXY"), "{err}");
    assert!(!err.instance_may_exist());
}

fn child_client() -> Client {
    Client::builder()
        .base_url(child_env("CE_CHILD_URL"))
        .user_secret(cloud_elements_sandbox::DEFAULT_USER_SECRET)
        .organization_secret(cloud_elements_sandbox::DEFAULT_ORGANIZATION_SECRET)
        .retries(0)
        .build()
        .unwrap()
}

#[test]
#[ignore = "run by https_proxy_and_no_proxy_are_honoured in a process of its own"]
fn child_creates_through_the_proxy() {
    child_client().create_instance(&closeio("through the proxy")).unwrap();
}

#[test]
#[ignore = "run by https_proxy_and_no_proxy_are_honoured in a process of its own"]
fn child_bypasses_the_proxy() {
    let err = child_client().create_instance(&closeio("direct")).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport { kind: TransportKind::Dns, .. } | Error::Timeout { kind: TimeoutKind::Connect, .. }
        ),
        "{err:?}"
    );
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` for a time.
fn httpdate(at: SystemTime) -> String {
    let secs = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{weekday}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        months[(month - 1) as usize],
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[test]
fn httpdate_helper_is_right() {
    assert_eq!(httpdate(SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777)), "Sun, 06 Nov 1994 08:49:37 GMT");
}

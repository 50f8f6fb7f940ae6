//! Every error path of `tests/faults.rs`, driven with distinctive secrets, and everything the
//! library produces scanned for them: `Debug` and `Display` of errors (and their sources), clients,
//! requests and instances, everything logged at trace level (ours and ureq's), and panics.
//!
//! One test in a binary of its own, because it installs the process's logger and panic hook.
//!
//! One exception, documented in the README: at `TRACE`, ureq-proto hex-dumps the raw bytes on the
//! wire under the log target `ureq_proto::util`, headers and body included, as `curl --trace`
//! does. That target is checked separately: it is the only place the secrets show, and only at
//! `TRACE`.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use cloud_elements::{Client, ClientBuilder, Error, InstanceRequest};
use cloud_elements_sandbox::{Fault, FaultKind, Sandbox};

const USER: &str = "usr-SECRET-7f3a9c";
const ORG: &str = "org-SECRET-2b8d4e";
const API_KEY: &str = "key-SECRET-55aa01";
const PASSWORD: &str = "pw-SECRET-91c2d7";
const CALLBACK_KEY: &str = "sig-SECRET-0e4411";

/// Everything logged, by any crate, at any level.
static LOG: Mutex<String> = Mutex::new(String::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let log = if record.target() == WIRE_DUMP { &WIRE } else { &LOG };
        let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(log, "{} {}: {}", record.level(), record.target(), record.args());
    }

    fn flush(&self) {}
}

static CAPTURE: Capture = Capture;

/// ureq-proto's wire dump (see the module documentation), and what it logged.
const WIRE_DUMP: &str = "ureq_proto::util";
static WIRE: Mutex<String> = Mutex::new(String::new());

fn request(name: &str) -> InstanceRequest {
    InstanceRequest::new("closeio", name)
        .config("username", API_KEY)
        .config("password", PASSWORD)
        .event_notifications(true)
        .event_callback_url("https://example.com/hook")
        .event_signature_key(CALLBACK_KEY)
}

fn body(status: u16, content_type: &str, body: String) -> FaultKind {
    FaultKind::Body { status, content_type: content_type.into(), body, body_hex: None }
}

fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(url)
        .user_secret(USER)
        .organization_secret(ORG)
        .timeout(Duration::from_millis(800))
        .connect_timeout(Duration::from_millis(300))
        .backoff(Duration::from_millis(10), Duration::from_millis(20))
}

/// Records an error in every printable form, with its source chain.
fn record(out: &mut String, err: &Error) {
    let _ = writeln!(out, "{err}\n{err:?}\n{:?}", err.kind());
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        let _ = writeln!(out, "{inner}\n{inner:?}");
        source = inner.source();
    }
}

#[test]
fn no_secret_in_anything_printed_on_any_path() {
    log::set_logger(&CAPTURE).expect("the only logger of this binary");
    log::set_max_level(log::LevelFilter::Trace);
    let panics = std::sync::Arc::new(Mutex::new(String::new()));
    let hook_panics = std::sync::Arc::clone(&panics);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = writeln!(hook_panics.lock().unwrap_or_else(|p| p.into_inner()), "{info}");
        default_hook(info);
    }));

    let sb = Sandbox::builder().user_secret(USER).organization_secret(ORG).start().unwrap();
    let client = builder(sb.url()).idempotent(true).build().unwrap();
    let plain = builder(sb.url()).retries(0).build().unwrap();
    let mut printed = String::new();

    // A success: the answer echoes the password; the instance's printable forms hide it and the
    // token.
    let instance = client.create_instance(&request("ok")).unwrap();
    let token = instance.token.expose().to_owned();
    let _ = writeln!(printed, "{instance:?}\n{client:?}\n{:?}\n{:?}", request("x"), builder(sb.url()));
    assert!(instance.raw_json().contains(PASSWORD), "the sandbox echoes the password, like the platform");

    // The server echoing secrets back in every shape an error body can take.
    let escaped = |s: &str| s.chars().map(|c| format!("\\u{:04x}", c as u32)).collect::<String>();
    let echoes = [
        body(
            400,
            "application/json",
            format!(r#"{{"requestId":"r1","message":"bad password {PASSWORD} for {API_KEY}"}}"#),
        ),
        body(401, "application/json", format!(r#"{{"message":"User {USER}, Organization {ORG} rejected"}}"#)),
        body(502, "text/html", format!("<html>upstream said {PASSWORD} / {USER} / {CALLBACK_KEY}</html>")),
        body(500, "application/json", format!(r#"{{"message":"{}","providerMessage":"{PASSWORD}"}}"#, escaped(ORG))),
        body(400, "application/json", format!(r#"{{"error":"{}","user":"{}"}}"#, escaped(PASSWORD), escaped(USER))),
        body(200, "application/json", format!(r#"{{"configuration":{{"password":"{}"}}"#, escaped(PASSWORD))),
        body(200, "application/json", format!(r#"{{"id":1,"configuration":{{"password":"{PASSWORD}"}}}}"#)),
        body(200, "application/json", format!(r#"{{"id":"not a number","token":"{token}","password":"{PASSWORD}"}}"#)),
        body(200, "application/json", format!(r#"{{"id":1,"token":"{token}","password":"{PASSWORD}""#)),
        body(200, "text/html", format!("<html>{USER}{ORG}{PASSWORD}</html>")),
        FaultKind::Body {
            status: 200,
            content_type: "application/json".into(),
            body: String::new(),
            body_hex: Some(PASSWORD.bytes().chain([0xff]).map(|b| format!("{b:02x}")).collect()),
        },
    ];
    let faults = [
        FaultKind::Reset,
        FaultKind::CreateThenReset,
        FaultKind::ResetMidBody,
        FaultKind::Truncate,
        FaultKind::Delay { ms: 1500 },
        FaultKind::Drip { ms: 300 },
        FaultKind::Oversize { bytes: 11 * 1024 * 1024 },
        FaultKind::Status {
            status: 500,
            message: Some(format!("boom {PASSWORD}")),
            provider_message: None,
            retry_after: None,
        },
        FaultKind::Status {
            status: 502,
            message: None,
            provider_message: Some(format!("Close.io rejected key {API_KEY}")),
            retry_after: None,
        },
        FaultKind::Status { status: 503, message: None, provider_message: None, retry_after: Some("120".into()) },
        FaultKind::Status {
            status: 429,
            message: None,
            provider_message: None,
            retry_after: Some("Wed, 21 Oct 2099 07:28:00 GMT".into()),
        },
    ];
    for fault in echoes.into_iter().chain(faults) {
        for c in [&client, &plain] {
            sb.clear_faults();
            sb.inject(Fault::new(fault.clone()).times(10));
            let err = c.create_instance(&request("faulty")).expect_err("every fault fails the create");
            record(&mut printed, &err);
        }
    }
    sb.clear_faults();

    // Failures before any answer: refused, unknown host, connect timeout, untrusted TLS, wrong
    // secrets, plain http to a remote host, missing configuration with secrets elsewhere.
    let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let tls = Sandbox::builder().tls(true).user_secret(USER).organization_secret(ORG).start().unwrap();
    for url in [
        format!("http://127.0.0.1:{refused}/elements/api-v2"),
        "https://no-such-host.invalid/elements/api-v2".to_owned(),
        tls.url().to_owned(),
        "http://192.0.2.1/elements/api-v2".to_owned(),
    ] {
        let err = builder(&url).build().unwrap().create_instance(&request("x")).unwrap_err();
        record(&mut printed, &err);
    }
    let wrong = Client::builder().base_url(sb.url()).user_secret(format!("{USER}-x")).organization_secret(ORG).build();
    record(&mut printed, &wrong.unwrap().create_instance(&request("x")).unwrap_err());
    let incomplete = InstanceRequest::new("closeio", "x").config("password", PASSWORD).config("apiKey", API_KEY);
    record(&mut printed, &client.create_instance(&incomplete).unwrap_err());
    let bad = InstanceRequest::new("closeio", "x")
        .config("username", format!("{API_KEY}\u{201C}"))
        .config("password", PASSWORD);
    record(&mut printed, &client.create_instance(&bad).unwrap_err());
    record(
        &mut printed,
        &Client::builder()
            .base_url(format!("https://{USER}:{PASSWORD}@example.com"))
            .user_secret(USER)
            .organization_secret(ORG)
            .build()
            .unwrap_err(),
    );

    let log = LOG.lock().unwrap().clone();
    let panics = panics.lock().unwrap().clone();
    assert!(panics.is_empty(), "panics: {panics}");
    assert!(log.contains("TRACE ureq") && log.contains("DEBUG ureq::run: POST"), "ureq's log was captured:\n{log}");
    // The wire dump is all TRACE: filtering `ureq_proto::util` (or running below TRACE) is enough.
    let wire = WIRE.lock().unwrap().clone();
    assert!(wire.lines().all(|line| line.starts_with("TRACE ")), "{wire}");
    for secret in [USER, ORG, API_KEY, PASSWORD, CALLBACK_KEY, token.as_str()] {
        for (what, text) in [("printed", &printed), ("logged", &log)] {
            assert!(!text.contains(secret), "{secret} {what}:\n{text}");
        }
    }
}

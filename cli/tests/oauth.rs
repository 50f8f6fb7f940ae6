//! `oauth url` and `oauth login` against a sandbox and its stand-in provider. The login runs end
//! to end with a thread playing the browser: it reads the printed URL from the command's standard
//! error, opens it, sends what browsers also send (an idle pre-connection, `/favicon.ico`), and
//! follows the provider's redirect to the command's listener. Everything printed is scanned for
//! the secrets, the OAuth code included.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use cloud_elements_sandbox::Sandbox;
use common::{BIN, Run, run, run_with, sandbox, scan};
use serde_json::Value;

const APP_KEY: &str = "clover-app-id";
const APP_SECRET: &str = "app-sekret-42";

/// A file holding the application's API secret.
fn secret_file(name: &str) -> String {
    let path = std::env::temp_dir().join(format!("cli-oauth-{name}-{}", std::process::id()));
    std::fs::write(&path, format!("{APP_SECRET}\n")).unwrap();
    path.to_str().unwrap().to_owned()
}

fn callback_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}/callback")
}

/// A plain `GET url` as a browser sends it: the status, the `Location` header and the body.
fn get(url: &str) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(authority).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let location = head
        .lines()
        .find_map(|line| line.split_once(':').filter(|(name, _)| name.eq_ignore_ascii_case("location")))
        .map(|(_, value)| value.trim().to_owned());
    (status, location, body.to_owned())
}

fn env(sandbox: &Sandbox) -> [(&'static str, &str); 3] {
    [
        ("CLOUD_ELEMENTS_BASE_URL", sandbox.url()),
        ("CLOUD_ELEMENTS_USER_SECRET", sandbox.user_secret()),
        ("CLOUD_ELEMENTS_ORG_SECRET", sandbox.organization_secret()),
    ]
}

#[test]
fn url_prints_the_authorization_url() {
    let sandbox = sandbox();
    let file = secret_file("url");
    let callback = callback_url();
    let args =
        ["oauth", "url", "clover", "--api-key", APP_KEY, "--api-secret-file", &file, "--callback-url", &callback];
    let human = run(&sandbox, &[&args[..], &["--state", "st-1", "--scope", "read", "-o", "human"]].concat()).ok();
    let url = human.stdout.trim_end();
    assert_eq!(human.stdout.lines().count(), 1, "{human:?}");
    assert!(url.contains("/oauth/authorize?") && url.contains("state=st-1"), "{human:?}");
    assert!(url.contains(&format!("client_id={APP_KEY}")), "{human:?}");
    let (status, location, _) = get(url);
    assert_eq!(status, 302);
    assert!(location.unwrap().starts_with(&format!("{callback}?code=")));
    // The secret was sent, as the platform asks, and printed nowhere (`run` scans).
    assert!(sandbox.requests().iter().any(|r| r.target.contains(&format!("apiSecret={APP_SECRET}"))));

    let json = run(&sandbox, &[&args[..], &["-o", "json"]].concat()).ok().json();
    assert_eq!(json["element"], "clover");
    assert!(json["oauthUrl"].as_str().unwrap().contains("/oauth/authorize?"));

    // From the environment instead of a file.
    let mut with_env = env(&sandbox).to_vec();
    with_env.push(("CLOUD_ELEMENTS_OAUTH_API_SECRET", APP_SECRET));
    let no_file = ["oauth", "url", "clover", "--api-key", APP_KEY, "--callback-url", &callback, "-o", "jsonl"];
    scan(&run_with(&with_env, &no_file).ok());
}

#[test]
fn url_errors_have_their_exit_statuses() {
    let sandbox = sandbox();
    let file = secret_file("url-errors");
    let callback = callback_url();
    let for_element = |key: &'static str| {
        vec!["oauth", "url", key, "--api-key", APP_KEY, "--api-secret-file", &file, "--callback-url", &callback]
    };
    let not_oauth = run(&sandbox, &for_element("closeio")).failed(6);
    assert!(not_oauth.stderr.contains("400"), "{not_oauth:?}");
    let unknown = run(&sandbox, &for_element("clovr")).failed(3);
    assert!(unknown.stderr.contains("did you mean `clover`?"), "{unknown:?}");
    let no_secret = ["oauth", "url", "clover", "--api-key", APP_KEY, "--callback-url", &callback];
    let missing = run(&sandbox, &no_secret).failed(3);
    assert!(missing.stderr.contains("CLOUD_ELEMENTS_OAUTH_API_SECRET"), "{missing:?}");
    // Never as a plain argument.
    run(&sandbox, &[&no_secret[..], &["--api-secret", APP_SECRET]].concat()).failed(2);
}

/// Starts `oauth login` for clover with the browser left to the test.
fn start_login(sandbox: &Sandbox, callback: &str, extra: &[&str]) -> std::process::Child {
    let file = secret_file("login");
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars() {
        if name.starts_with("CLOUD_ELEMENTS_") || name == "BROWSER" {
            command.env_remove(name);
        }
    }
    let args = ["oauth", "login", "clover", "--api-key", APP_KEY, "--api-secret-file", &file];
    command
        .envs(env(sandbox))
        .args(args)
        .args(["--callback-url", callback, "--no-browser", "-o", "json"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Reads the child's standard error until the authorization URL; returns it and what was read.
fn printed_url(stderr: &mut impl BufRead) -> (String, String) {
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no URL printed: {seen}");
        seen.push_str(&line);
        if line.starts_with("http") {
            return (line.trim_end().to_owned(), seen);
        }
    }
}

fn finish(mut child: std::process::Child, mut stderr: impl Read, mut seen: String) -> Run {
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    stderr.read_to_string(&mut seen).unwrap();
    let status = child.wait().unwrap().code().unwrap_or(-1);
    Run { status, stdout, stderr: seen }
}

#[test]
fn login_end_to_end_with_a_thread_playing_the_browser() {
    let sandbox = sandbox();
    let callback = callback_url();
    let mut child = start_login(&sandbox, &callback, &["merchantId=M-1", "--name", "Payroll", "--tag", "oauth"]);
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let (url, seen) = printed_url(&mut stderr);

    let browser = std::thread::spawn(move || {
        let listener = callback.trim_end_matches("/callback").to_owned();
        // What browsers also do: a pre-connection left idle, and the icon.
        let idle = TcpStream::connect(listener.trim_start_matches("http://")).unwrap();
        let (icon, _, _) = get(&format!("{listener}/favicon.ico"));
        assert_eq!(icon, 404);
        let (status, location, _) = get(&url);
        assert_eq!(status, 302, "the stand-in provider redirects");
        let page = get(&location.unwrap()).2;
        drop(idle);
        page
    });
    let page = browser.join().unwrap();
    assert!(page.contains("Authorization received"), "{page}");

    let run = finish(child, stderr, seen).ok();
    scan(&run);
    let created = run.json();
    let stored = &sandbox.instances()[0];
    assert_eq!(created["element"]["key"], "clover");
    assert_eq!((&created["name"], &created["tags"][0]), (&Value::from("Payroll"), &Value::from("oauth")));
    assert_eq!(created["token"], stored["token"], "a create returns its token");
    assert_eq!(created["configuration"]["oauth.api.secret"], "********");
    assert_eq!(stored["configuration"]["oauth.api.secret"], APP_SECRET, "the real value was sent");
    assert_eq!(stored["configuration"]["oauth.api.key"], APP_KEY);
    assert_eq!(stored["configuration"]["oauth.callback.url"], created["configuration"]["oauth.callback.url"]);
    let posted = sandbox.requests().into_iter().find(|r| r.method == "POST").unwrap();
    let body: Value = serde_json::from_slice(&posted.body).unwrap();
    let code = body["providerData"]["code"].as_str().unwrap();
    assert!(!code.is_empty());
    assert!(!run.stdout.contains(code) && !run.stderr.contains(code), "the code was printed: {run:?}");
}

#[test]
fn login_checks_the_entries_before_the_browser_and_times_out_waiting() {
    let sandbox = sandbox();
    let callback = callback_url();
    let ended = |mut child: std::process::Child| {
        let stderr = BufReader::new(child.stderr.take().unwrap());
        finish(child, stderr, String::new())
    };
    let missing = ended(start_login(&sandbox, &callback, &[]));
    assert_eq!(missing.status, 3, "{missing:?}");
    assert!(missing.stderr.contains("merchantId") && !missing.stderr.contains("http"), "{missing:?}");
    assert!(sandbox.requests().iter().all(|r| !r.target.contains("/oauth/url")), "no URL was asked for");

    let waited = ended(start_login(&sandbox, &callback, &["merchantId=M-1", "--wait", "1"]));
    assert_eq!(waited.status, 7, "{waited:?}");
    assert!(waited.stderr.contains("Open this URL") && waited.stderr.contains("no OAuth redirect"), "{waited:?}");
    scan(&waited);

    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = format!("http://{}/callback", taken.local_addr().unwrap());
    let refused = ended(start_login(&sandbox, &busy, &["merchantId=M-1"]));
    assert_eq!(refused.status, 7, "{refused:?}");
    assert!(refused.stderr.contains("is busy") && !refused.stderr.contains("Open this URL"), "{refused:?}");
    assert!(sandbox.instances().is_empty());
}

//! The command as a whole: help, version, completions, the dry run, the embedded sandbox and the
//! `sandbox` subcommand.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{API_KEY, BIN, PASSWORD, run, run_with, sandbox, scan};
use serde_json::{Value, json};

#[test]
fn help_documents_every_exit_status_and_version_prints_the_version() {
    let help = run_with(&[], &["--help"]).ok();
    assert!(help.stdout.contains("Exit status:"), "{help:?}");
    for status in 0..=8 {
        assert!(help.stdout.contains(&format!("\n  {status}  ")), "{status}: {help:?}");
    }
    assert!(help.stdout.contains("4  authentication") && help.stdout.contains("403 forbidden"));
    for sub in [&["instances", "--help"][..], &["instances", "create", "--help"], &["sandbox", "--help"]] {
        run_with(&[], sub).ok();
    }
    let version = run_with(&[], &["--version"]).ok();
    assert_eq!(version.stdout, format!("cloud-elements {}\n", env!("CARGO_PKG_VERSION")));
    assert_eq!(run_with(&[], &[]).status, 2, "no subcommand");
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in
        [("bash", "complete -F"), ("zsh", "#compdef cloud-elements"), ("fish", "complete -c cloud-elements")]
    {
        let script = run_with(&[], &["completions", shell]).ok();
        assert!(script.stdout.contains(marker), "{shell}: {}", &script.stdout[..200.min(script.stdout.len())]);
        assert!(script.stdout.contains("instances"), "{shell}");
    }
    run_with(&[], &["completions", "powershell-9"]).failed(2);
}

#[test]
fn a_dry_run_prints_the_masked_request_and_sends_nothing() {
    let sandbox = sandbox();
    let username = format!("username={API_KEY}");
    let password = format!("password={PASSWORD}");
    let args =
        ["instances", "create", "closeio", &username, &password, "--name", "Sales", "--tag", "demo", "--dry-run"];
    let json = run(&sandbox, &[&args[..], &["-o", "json"]].concat()).ok();
    assert!(json.stderr.contains("nothing was sent"), "{json:?}");
    assert_eq!(
        json.json(),
        json!({"element": {"key": "closeio"}, "configuration": {"username": "********", "password": "********"},
               "tags": ["demo"], "name": "Sales"})
    );
    let jsonl = run(&sandbox, &[&args[..], &["-o", "jsonl"]].concat()).ok();
    assert_eq!(jsonl.stdout.lines().count(), 1);
    let human = run(&sandbox, &[&args[..], &["-o", "human"]].concat()).ok();
    assert_eq!(serde_json::from_str::<Value>(&human.stdout).unwrap(), json.json());
    // No server needed, none asked.
    run_with(&[], &args).ok();
    assert_eq!(sandbox.request_count(), 0);
}

#[test]
fn create_without_a_server_uses_an_embedded_sandbox_and_says_so() {
    let username = format!("username={API_KEY}");
    let password = format!("password={PASSWORD}");
    let created = run_with(&[], &["instances", "create", "closeio", &username, &password, "--name", "Demo"]);
    scan(&created);
    let created = created.ok();
    assert!(created.stderr.contains("embedded sandbox at http://127.0.0.1:"), "{created:?}");
    let json = created.json();
    assert_eq!((json["id"].as_i64(), json["name"].as_str()), (Some(1), Some("Demo")));
    assert!(json["token"].as_str().is_some_and(|t| t.len() > 20 && t != "********"), "{json}");
    // Only a create falls back: a list without a server is an error.
    run_with(&[], &["instances", "list"]).failed(3);
}

#[test]
fn the_default_output_is_human_on_a_terminal_and_json_otherwise() {
    let sandbox = sandbox();
    common::create(&sandbox, "Sales", &[]);
    assert_eq!(run(&sandbox, &["instances", "list"]).ok().json()[0]["name"], "Sales");
    // util-linux `script` runs the command on a pseudo-terminal.
    let on_terminal = Command::new("script")
        .args(["-qec", &format!("{BIN} instances list"), "/dev/null"])
        .env("CLOUD_ELEMENTS_BASE_URL", sandbox.url())
        .env("CLOUD_ELEMENTS_USER_SECRET", sandbox.user_secret())
        .env("CLOUD_ELEMENTS_ORG_SECRET", sandbox.organization_secret())
        .stdin(Stdio::null())
        .output();
    match on_terminal {
        Ok(output) if output.status.success() => {
            let text = String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n");
            assert_eq!(text, "ID  NAME   ELEMENT  DISABLED  TAGS\n1   Sales  closeio  false     -\n");
        }
        other => eprintln!("skipped: `script` cannot run the command on a terminal: {other:?}"),
    }
}

/// One request to the sandbox's control interface (no authorization).
fn control(addr: &str, method: &str, path: &str) -> Value {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1;
    serde_json::from_str(body).unwrap()
}

/// The sandbox started by a test ends with it, even when the test fails.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_sandbox_subcommand_serves_in_the_foreground_with_latency_and_rate_limit() {
    let mut child = KillOnDrop(
        Command::new(BIN)
            .args(["sandbox", "--port", "0", "--latency-ms", "250", "--rate-limit", "50"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("cloud-elements sandbox listening on http://127.0.0.1:"), "{first}");
    assert!(first.ends_with("(every create takes 250 ms, at most 50 creates per second)"), "{first}");
    let mut env = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some((name, value)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
            env.push((name.to_owned(), value.to_owned()));
        }
        if line.contains("Ctrl-C") {
            break;
        }
    }
    let names: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["CLOUD_ELEMENTS_BASE_URL", "CLOUD_ELEMENTS_USER_SECRET", "CLOUD_ELEMENTS_ORG_SECRET"]);
    let env: Vec<(&str, &str)> = env.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();

    let started = Instant::now();
    let created = run_with(&env, &["instances", "create", "closeio", "username=u", "password=p"]).ok();
    assert!(started.elapsed() >= Duration::from_millis(250), "{:?}", started.elapsed());
    assert_eq!(created.json()["id"], 1);
    let listed = run_with(&env, &["instances", "list", "-o", "jsonl"]).ok();
    assert_eq!(listed.jsonl().len(), 1);

    let addr = env[0].1.trim_start_matches("http://").split('/').next().unwrap().to_owned();
    assert_eq!(
        control(&addr, "GET", "/_sandbox/settings"),
        json!({"latency_ms": 250, "rate_limit": 50, "rate_limited": 0})
    );
    drop(child);

    // A port in use: the command itself fails.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let refused = run_with(&[], &["sandbox", "--port", &port]).failed(1);
    assert!(refused.stderr.contains("cannot start the sandbox"), "{refused:?}");
    let bad = run_with(&[], &["sandbox", "--port", "0", "--elements", "/nonexistent/elements.json"]).failed(3);
    assert!(bad.stderr.contains("/nonexistent/elements.json"), "{bad:?}");
    run_with(&[], &["sandbox", "--latency-ms", "60001"]).failed(2);
}

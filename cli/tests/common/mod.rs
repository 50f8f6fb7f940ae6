//! Runs the built `cloud-elements` binary against an in-process sandbox, and scans everything it
//! prints for secrets.

#![allow(dead_code)] // Each test crate uses a different part of it.

use std::process::{Command, Stdio};

use cloud_elements_sandbox::Sandbox;
use serde_json::Value;

/// Every secret in these tests holds this marker, so that one search finds any of them.
pub const MARK: &str = "sekret";
pub const USER_SECRET: &str = "cli-user-sekret";
pub const ORG_SECRET: &str = "cli-org-sekret";
pub const PASSWORD: &str = "pw-sekret";
pub const API_KEY: &str = "key-sekret";

pub const BIN: &str = env!("CARGO_BIN_EXE_cloud-elements");

/// What one run printed, and its exit status.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {self:?}"))
    }

    /// Each line of standard output as JSON.
    pub fn jsonl(&self) -> Vec<Value> {
        self.stdout.lines().map(|line| serde_json::from_str(line).expect("a JSON line")).collect()
    }

    pub fn ok(self) -> Run {
        assert_eq!(self.status, 0, "{self:?}");
        self
    }

    pub fn failed(self, status: i32) -> Run {
        assert_eq!(self.status, status, "{self:?}");
        // Usage errors are clap's own (`error: ...` and the usage).
        let prefix = if status == 2 { "error: " } else { "cloud-elements: error: " };
        assert!(self.stderr.starts_with(prefix), "{self:?}");
        self
    }
}

pub fn sandbox() -> Sandbox {
    Sandbox::builder().user_secret(USER_SECRET).organization_secret(ORG_SECRET).start().unwrap()
}

/// Runs the binary with exactly `env` as its `CLOUD_ELEMENTS_*` variables.
pub fn run_with(env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars() {
        if name.starts_with("CLOUD_ELEMENTS_") {
            command.env_remove(name);
        }
    }
    let output = command.envs(env.iter().copied()).args(args).stdin(Stdio::null()).output().unwrap();
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs the binary against `sandbox`, and checks that nothing it printed holds a secret: the
/// user and organization secrets and configuration values never, instance tokens only for a
/// create or with `--show-token`.
pub fn run(sandbox: &Sandbox, args: &[&str]) -> Run {
    let env = [
        ("CLOUD_ELEMENTS_BASE_URL", sandbox.url()),
        ("CLOUD_ELEMENTS_USER_SECRET", sandbox.user_secret()),
        ("CLOUD_ELEMENTS_ORG_SECRET", sandbox.organization_secret()),
    ];
    let tokens_before = tokens(sandbox);
    let run = run_with(&env, args);
    scan(&run);
    let printed = format!("{}{}", run.stdout, run.stderr);
    let tokens_allowed = args.contains(&"create") || args.contains(&"--show-token");
    if !tokens_allowed {
        for token in tokens_before.iter().chain(&tokens(sandbox)) {
            assert!(!printed.contains(token.as_str()), "a token was printed by {args:?}: {run:?}");
        }
    }
    run
}

/// No secret marked with [`MARK`] in anything printed.
pub fn scan(run: &Run) {
    assert!(!run.stdout.contains(MARK) && !run.stderr.contains(MARK), "a secret was printed: {run:?}");
}

fn tokens(sandbox: &Sandbox) -> Vec<String> {
    sandbox.instances().iter().filter_map(|i| i["token"].as_str().map(str::to_owned)).collect()
}

/// Creates a Close.io instance through the command (JSON output); returns its JSON.
pub fn create(sandbox: &Sandbox, name: &str, tags: &[&str]) -> Value {
    let username = format!("username={API_KEY}");
    let password = format!("password={PASSWORD}");
    let mut args = vec!["instances", "create", "closeio", &username, &password, "--name", name, "-o", "json"];
    for tag in tags {
        args.extend(["--tag", tag]);
    }
    run(sandbox, &args).ok().json()
}

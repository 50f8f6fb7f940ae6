//! `instances update ID --oauth-code-file FILE` (or `CLOUD_ELEMENTS_OAUTH_CODE`) against the
//! sandbox: the code comes from its stand-in provider, re-authenticates the instance (the sandbox
//! redeems it, once), and is printed nowhere.

mod common;

use std::io::Read;
use std::net::TcpStream;

use cloud_elements_sandbox::Sandbox;
use common::{Run, run, run_with, sandbox, scan};
use serde_json::{Value, json};

const APP_KEY: &str = "clover-app-id";
const APP_SECRET: &str = "app-sekret-43";
const CALLBACK: &str = "http://127.0.0.1:9/callback";

fn path(name: &str) -> String {
    let path = std::env::temp_dir().join(format!("cli-reauth-{name}-{}", std::process::id()));
    path.to_str().unwrap().to_owned()
}

/// A fresh code from the sandbox's stand-in provider: the authorization URL `oauth url` prints,
/// opened as a browser would, and the `code` of the redirect it answers.
fn fresh_code(sandbox: &Sandbox) -> String {
    let secret = path("secret");
    std::fs::write(&secret, APP_SECRET).unwrap();
    let args =
        ["oauth", "url", "clover", "--api-key", APP_KEY, "--api-secret-file", &secret, "--callback-url", CALLBACK];
    let url = run(sandbox, &[&args[..], &["-o", "json"]].concat()).ok().json()["oauthUrl"].as_str().unwrap().to_owned();
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, target) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(authority).unwrap();
    std::io::Write::write_all(
        &mut stream,
        format!("GET {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let location = answer.lines().find_map(|l| l.strip_prefix("Location: ").or(l.strip_prefix("location: "))).unwrap();
    let code = location.split(['?', '&']).find_map(|part| part.strip_prefix("code=")).unwrap();
    code.trim().to_owned()
}

/// The `providerData.code` of the last update request the sandbox received.
fn last_update_code(sandbox: &Sandbox) -> Option<String> {
    let update = sandbox.requests().into_iter().rev().find(|r| r.method == "PATCH" || r.method == "PUT")?;
    let body: Value = serde_json::from_slice(&update.body).ok()?;
    body["providerData"]["code"].as_str().map(str::to_owned)
}

fn printed(run: &Run, code: &str) -> bool {
    run.stdout.contains(code) || run.stderr.contains(code)
}

#[test]
fn update_sends_a_new_oauth_code_from_a_file_or_the_environment_and_never_prints_it() {
    let sandbox = sandbox();
    // A clover instance, created with a first code.
    let body = json!({
        "element": {"key": "clover"},
        "name": "Payroll",
        "providerData": {"code": fresh_code(&sandbox)},
        "configuration": {
            "oauth.api.key": APP_KEY, "oauth.api.secret": APP_SECRET,
            "oauth.callback.url": CALLBACK, "merchantId": "M-1"
        }
    });
    let request = path("request.json");
    std::fs::write(&request, body.to_string()).unwrap();
    let created = run(&sandbox, &["instances", "create", "--from-json", &request, "-o", "json"]).ok().json();
    let id = created["id"].as_i64().unwrap().to_string();

    // A new code, from a file: sent as providerData.code, and redeemed.
    let code = fresh_code(&sandbox);
    let file = path("code");
    std::fs::write(&file, format!("{code}\n")).unwrap();
    let update = run(&sandbox, &["instances", "update", &id, "--oauth-code-file", &file, "-o", "json"]).ok();
    assert_eq!(update.json()["id"].as_i64().unwrap().to_string(), id);
    assert_eq!(last_update_code(&sandbox).as_deref(), Some(code.as_str()));
    assert!(!printed(&update, &code), "the code was printed: {update:?}");
    // A code is used once: sending it again is refused, and the error does not show it.
    let again = run(&sandbox, &["instances", "update", &id, "--oauth-code-file", &file]);
    assert_ne!(again.status, 0, "{again:?}");
    assert!(!printed(&again, &code), "the code was printed: {again:?}");
    scan(&again);

    // From CLOUD_ELEMENTS_OAUTH_CODE.
    let code = fresh_code(&sandbox);
    let env = [
        ("CLOUD_ELEMENTS_BASE_URL", sandbox.url()),
        ("CLOUD_ELEMENTS_USER_SECRET", sandbox.user_secret()),
        ("CLOUD_ELEMENTS_ORG_SECRET", sandbox.organization_secret()),
        ("CLOUD_ELEMENTS_OAUTH_CODE", code.as_str()),
    ];
    let update = run_with(&env, &["instances", "update", &id, "--name", "Payroll 2", "-o", "json"]).ok();
    assert_eq!(update.json()["name"], "Payroll 2");
    assert_eq!(last_update_code(&sandbox).as_deref(), Some(code.as_str()));
    assert!(!printed(&update, &code), "the code was printed: {update:?}");
    scan(&update);

    // Never as a plain argument; an empty file is refused before anything is sent.
    run(&sandbox, &["instances", "update", &id, "--oauth-code", &code]).failed(2);
    let empty = path("empty");
    std::fs::write(&empty, "\n").unwrap();
    let sent = sandbox.requests().len();
    let refused = run(&sandbox, &["instances", "update", &id, "--oauth-code-file", &empty]).failed(3);
    assert!(refused.stderr.contains("OAuth code"), "{refused:?}");
    assert_eq!(sandbox.requests().len(), sent);
    // Without a code, an update sends none.
    run(&sandbox, &["instances", "update", &id, "--name", "Payroll 3"]).ok();
    assert_eq!(last_update_code(&sandbox), None);
}

//! `elements show KEY` against a sandbox: built-in and loaded definitions, must-supply marks, each
//! output format; and dry runs validated by the server's runtime catalog.

mod common;

use std::path::PathBuf;

use cloud_elements_sandbox::Sandbox;
use common::{ORG_SECRET, USER_SECRET, run, run_with, sandbox};
use serde_json::json;

/// A definition the sandbox loads: entries out of display order, hidden, internal, defaulted,
/// optional and secret ones.
const ACME: &str = r#"{
  "key": "acme", "name": "Acme CRM", "hub": "crm", "typeOauth": false,
  "authentication": {"type": "basic"},
  "configuration": [
    {"key": "acme.region", "name": "Region", "type": "TEXTFIELD_32", "required": true, "displayOrder": 3},
    {"key": "acme.user", "name": "User", "type": "TEXTFIELD_64", "required": true, "displayOrder": 1},
    {"key": "acme.hidden", "required": true, "hideFromConsole": true, "displayOrder": 0},
    {"key": "acme.internal", "required": true, "internal": true},
    {"key": "acme.base.url", "required": true, "defaultValue": "https://api.acme.example", "displayOrder": 0},
    {"key": "acme.optional", "required": false, "displayOrder": 2},
    {"key": "acme.password", "name": "Password", "type": "PASSWORD", "required": true, "displayOrder": 2},
    {"key": "acme.api.token", "required": false, "defaultValue": "default-sekret", "displayOrder": 5}
  ]
}"#;

fn acme_sandbox() -> Sandbox {
    let dir: PathBuf = std::env::temp_dir().join(format!("cli-elements-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("acme.json"), ACME).unwrap();
    std::fs::write(dir.join("bare.json"), r#"{"key": "bare", "name": "Bare", "hub": "general"}"#).unwrap();
    Sandbox::builder().user_secret(USER_SECRET).organization_secret(ORG_SECRET).elements(dir).start().unwrap()
}

#[test]
fn closeio_marks_what_must_be_supplied() {
    let sandbox = sandbox();
    let human = run(&sandbox, &["elements", "show", "closeio", "-o", "human"]).ok();
    assert!(human.stdout.starts_with("key             closeio\n"), "{human:?}");
    assert!(human.stdout.contains("\noauth           no\n"), "{human:?}");
    let marked: Vec<&str> = human.stdout.lines().filter(|line| line.starts_with("* ")).collect();
    assert!(marked[0].contains("username") && marked[0].contains("secret"), "{human:?}");
    assert!(marked[1].contains("password"), "{human:?}");
    assert!(marked[2].starts_with("* must be supplied"), "{human:?}");
    assert_eq!(marked.len(), 3, "{human:?}");

    let json = run(&sandbox, &["elements", "show", "closeio", "-o", "json"]).ok().json();
    assert_eq!(json["mustSupply"], json!(["username", "password"]));
    assert_eq!(json["configuration"][0]["key"], "username");
    assert_eq!(json["configuration"][0]["mustSupply"], true);
    assert_eq!((json["id"].as_i64(), &json["hub"], &json["oauth"]), (Some(146), &json!("crm"), &json!(false)));
    let jsonl = run(&sandbox, &["elements", "show", "closeio", "-o", "jsonl"]).ok();
    assert_eq!(jsonl.jsonl(), [json]);
}

#[test]
fn clover_is_an_oauth_element() {
    let sandbox = sandbox();
    let json = run(&sandbox, &["elements", "show", "clover", "-o", "json"]).ok().json();
    assert_eq!(json["oauth"], true);
    assert_eq!(json["authentication"], "oauth2");
    assert_eq!(json["hub"], "employee");
    assert_eq!(json["mustSupply"], json!(["oauth.api.key", "oauth.api.secret", "merchantId"]));
    let internal = json["configuration"].as_array().unwrap().iter().find(|e| e["key"] == "oauth.token.url").unwrap();
    assert_eq!((&internal["internal"], &internal["mustSupply"]), (&json!(true), &json!(false)));
    let human = run(&sandbox, &["elements", "show", "clover", "-o", "human"]).ok();
    assert!(human.stdout.contains("\noauth           yes\n") && human.stdout.contains("oauth login"), "{human:?}");
    assert!(human.stdout.contains("required, set by the platform, hidden, internal"), "{human:?}");
}

#[test]
fn a_loaded_definition_is_read_from_the_server_in_display_order() {
    let sandbox = acme_sandbox();
    let json = run(&sandbox, &["elements", "show", "acme", "-o", "json"]).ok().json();
    assert_eq!(json["name"], "Acme CRM");
    assert_eq!(json["mustSupply"], json!(["acme.user", "acme.password", "acme.region"]));
    let keys: Vec<&str> =
        json["configuration"].as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "acme.hidden",
            "acme.base.url",
            "acme.user",
            "acme.optional",
            "acme.password",
            "acme.region",
            "acme.api.token",
            "acme.internal"
        ]
    );
    assert_eq!(json["configuration"][4]["secret"], true);
    // A secret's default is not shown.
    let token = &json["configuration"][6];
    assert_eq!((&token["secret"], &token["default"]), (&json!(true), &json!("********")));
    assert_eq!(json["configuration"][1]["default"], "https://api.acme.example");
    let human = run(&sandbox, &["elements", "show", "acme", "-o", "human"]).ok();
    assert!(human.stdout.lines().any(|l| l.starts_with("*  acme.region")), "{human:?}");

    // A definition without its schema: read from /elements/bare/configuration (the common
    // entries, which nobody must supply).
    let bare = run(&sandbox, &["elements", "show", "bare", "-o", "human"]).ok();
    assert!(bare.stdout.contains("\n  event.notification.enabled "), "{bare:?}");
    assert!(bare.stdout.ends_with("\nNothing must be supplied when creating an instance.\n"), "{bare:?}");
    assert!(sandbox.requests().iter().any(|r| r.target.ends_with("/elements/bare/configuration")));

    let unknown = run(&sandbox, &["elements", "show", "acmee"]).failed(3);
    assert!(unknown.stderr.contains("did you mean `acme`?"), "{unknown:?}");
}

#[test]
fn without_a_server_the_built_in_definition_is_shown() {
    let shown = run_with(&[], &["elements", "show", "pardot", "-o", "json"]).ok();
    assert!(shown.stderr.contains("built-in definition"), "{shown:?}");
    assert_eq!(shown.json()["mustSupply"], json!(["apikey.user.name", "apikey.user.password", "apikey.user.key"]));
    let unknown = run_with(&[], &["elements", "show", "acme"]).failed(3);
    assert!(unknown.stderr.contains("configure a server"), "{unknown:?}");
}

#[test]
fn a_dry_run_checks_a_runtime_element_against_the_servers_schema() {
    let sandbox = acme_sandbox();
    let dry = ["instances", "create", "acme", "acme.user=me", "--dry-run"];
    let missing = run(&sandbox, &dry).failed(3);
    assert!(missing.stderr.contains("acme.password, acme.region"), "{missing:?}");
    let full = [&dry[..], &["acme.password=pw-sekret", "acme.region=eu", "-o", "json"]].concat();
    let ok = run(&sandbox, &full).ok();
    assert_eq!(ok.json()["configuration"]["acme.password"], "********");
    // Offline, the element is not known: only the common checks are made.
    run(&sandbox, &[&dry[..], &["--validation", "offline"]].concat()).ok();
    run(&sandbox, &[&dry[..], &["--validation", "off"]].concat()).ok();
    // Off: not even a built-in element's entries are checked; the server would decide.
    run(&sandbox, &["instances", "create", "closeio", "--dry-run", "--validation", "off"]).ok();
    run(&sandbox, &["instances", "create", "closeio", "--dry-run", "--validation", "offline"]).failed(3);
    let offline = run_with(&[], &dry).ok();
    assert!(
        offline.stderr.contains("No server is configured") && offline.stderr.contains("not built in"),
        "{offline:?}"
    );
    assert!(sandbox.requests().iter().all(|r| r.method == "GET"), "a dry run creates nothing");
    assert!(sandbox.instances().is_empty());
}

/// A `PASSWORD`-typed entry with a neutral key, in a definition the CLI fetches from the server:
/// masked by `instances get`, `instances list` and `instances config`.
#[test]
fn a_password_entry_of_a_fetched_definition_is_masked() {
    let dir: PathBuf = std::env::temp_dir().join(format!("cli-vault-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let vault = r#"{"key": "vault", "name": "Vault", "hub": "general", "configuration": [
        {"key": "pin", "name": "PIN", "type": "PASSWORD", "required": true},
        {"key": "vault.region", "name": "Region", "type": "TEXTFIELD_32", "required": true}]}"#;
    std::fs::write(dir.join("vault.json"), vault).unwrap();
    let sandbox =
        Sandbox::builder().user_secret(USER_SECRET).organization_secret(ORG_SECRET).elements(dir).start().unwrap();
    let client = cloud_elements::Client::builder()
        .base_url(sandbox.url())
        .user_secret(USER_SECRET)
        .organization_secret(ORG_SECRET)
        .build()
        .unwrap();
    let request = cloud_elements::InstanceRequest::new("vault", "V").config("pin", "4711").config("vault.region", "eu");
    let id = client.create_instance(&request).unwrap().id.to_string();
    let json = run(&sandbox, &["instances", "get", &id, "-o", "json"]).ok().json();
    assert_eq!(json["configuration"]["pin"], "********", "{json}");
    assert_eq!(json["configuration"]["vault.region"], "eu", "{json}");
    let listed = run(&sandbox, &["instances", "list", "-o", "json"]).ok();
    assert!(!listed.stdout.contains("4711") && listed.stdout.contains("\"eu\""), "{listed:?}");
    let config = run(&sandbox, &["instances", "config", &id, "-o", "json"]).ok();
    assert!(!config.stdout.contains("4711"), "{config:?}");
}

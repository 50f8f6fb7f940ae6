//! Every `instances` subcommand's output, in each format, against a sandbox; every run is scanned
//! for secrets (see `common::run`).

mod common;

use common::{API_KEY, PASSWORD, create, run, sandbox};
use serde_json::json;

#[test]
fn create_prints_the_instance_with_its_token_and_no_configuration_secret() {
    let sandbox = sandbox();
    let created = create(&sandbox, "Sales", &["demo", "eu"]);
    let stored = &sandbox.instances()[0];
    assert_eq!(created["id"], 1);
    assert_eq!(created["name"], "Sales");
    assert_eq!(created["token"], stored["token"], "a create returns its token");
    assert_eq!(created["tags"], json!(["demo", "eu"]));
    assert_eq!(created["configuration"]["password"], "********");
    assert_eq!(created["configuration"]["username"], "********");
    assert_eq!(stored["configuration"]["password"], PASSWORD, "the real value was sent");
    assert_eq!(stored["configuration"]["username"], API_KEY);

    let username = format!("username={API_KEY}");
    let password = format!("password={PASSWORD}");
    let human = run(&sandbox, &["instances", "create", "closeio", &username, &password, "-o", "human"]).ok();
    let token = sandbox.instances()[1]["token"].as_str().unwrap().to_owned();
    assert!(human.stdout.starts_with("id "), "{human:?}");
    assert!(human.stdout.contains(&format!("\ntoken                {token}\n")), "{human:?}");
    assert!(human.stdout.contains("\nname                 closeio\n"), "the name defaults to the key: {human:?}");
    assert!(human.stdout.contains("\n  password           ********\n"), "{human:?}");
    assert!(human.stderr.is_empty(), "{human:?}");

    let jsonl = run(&sandbox, &["instances", "create", "closeio", &username, &password, "--output", "jsonl"]).ok();
    assert_eq!(jsonl.stdout.lines().count(), 1);
    assert_eq!(jsonl.jsonl()[0]["id"], 3);
}

#[test]
fn create_from_json_with_overrides() {
    let sandbox = sandbox();
    let dir = std::env::temp_dir().join(format!("cli-from-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("instance.json");
    let body = json!({"element": {"key": "closeio"}, "name": "From file", "tags": ["file"],
                      "configuration": {"username": API_KEY, "password": "old-sekret"}});
    std::fs::write(&file, body.to_string()).unwrap();
    let path = file.to_str().unwrap();
    let password = format!("password={PASSWORD}");
    let created = run(&sandbox, &["instances", "create", "--from-json", path, &password, "--tag", "cli"]).ok().json();
    assert_eq!(created["name"], "From file");
    assert_eq!(created["tags"], json!(["file", "cli"]));
    assert_eq!(sandbox.instances()[0]["configuration"]["password"], PASSWORD, "the argument overrides the file");

    let other = run(&sandbox, &["instances", "create", "pardot", "--from-json", path]).failed(3);
    assert!(other.stderr.contains("differs from `closeio`"), "{other:?}");
    let missing = run(&sandbox, &["instances", "create", "--from-json", "/nonexistent/instance.json"]).failed(3);
    assert!(missing.stderr.contains("/nonexistent/instance.json"), "{missing:?}");
    std::fs::write(&file, r#"{"element": {"key": "closeio"}, "configuration": {"password": 5}, "bogus": "x-sekret"}"#)
        .unwrap();
    let invalid = run(&sandbox, &["instances", "create", "--from-json", path]).failed(3);
    assert!(invalid.stderr.contains("unknown field `bogus`"), "{invalid:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn list_in_every_format() {
    let sandbox = sandbox();
    create(&sandbox, "Sales", &["demo"]);
    create(&sandbox, "Support", &["demo", "eu"]);
    create(&sandbox, "Other", &[]);

    let json = run(&sandbox, &["instances", "list", "--tag", "demo", "-o", "json"]).ok().json();
    let names: Vec<_> = json.as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Sales", "Support"]);
    assert!(json.as_array().unwrap().iter().all(|i| i["token"] == "********"));

    let jsonl = run(&sandbox, &["instances", "list", "-o", "jsonl"]).ok().jsonl();
    assert_eq!(jsonl.len(), 3);
    assert_eq!(jsonl[2]["name"], "Other");

    let human = run(&sandbox, &["instances", "list", "--search", "su", "-o", "human"]).ok();
    assert_eq!(human.stdout, "ID  NAME     ELEMENT  DISABLED  TAGS\n2   Support  closeio  false     demo, eu\n");

    let none = run(&sandbox, &["instances", "list", "--tag", "nobody", "-o", "human"]).ok();
    assert_eq!(none.stdout, "No instances.\n");
    assert_eq!(run(&sandbox, &["instances", "list", "--tag", "nobody", "-o", "json"]).ok().json(), json!([]));
    assert_eq!(run(&sandbox, &["instances", "list", "--tag", "nobody", "-o", "jsonl"]).ok().stdout, "");

    let shown = run(&sandbox, &["instances", "list", "--show-token", "-o", "human"]).ok();
    let token = sandbox.instances()[0]["token"].as_str().unwrap().to_owned();
    assert!(shown.stdout.starts_with("ID  NAME     ELEMENT  DISABLED  TAGS      TOKEN\n"), "{shown:?}");
    assert!(shown.stdout.contains(&token), "{shown:?}");
}

#[test]
fn get_update_and_delete() {
    let sandbox = sandbox();
    create(&sandbox, "Sales", &["demo"]);

    let human = run(&sandbox, &["instances", "get", "1", "-o", "human"]).ok();
    assert!(human.stdout.contains("\ntoken                ********\n"), "{human:?}");
    assert!(human.stdout.contains("\ntags                 demo\n"), "{human:?}");
    let json = run(&sandbox, &["instances", "get", "1", "-o", "json"]).ok().json();
    assert_eq!(json["element"]["key"], "closeio");
    assert_eq!(json["configuration"]["password"], "********");
    let jsonl = run(&sandbox, &["instances", "get", "1", "-o", "jsonl"]).ok();
    assert_eq!(jsonl.jsonl(), std::slice::from_ref(&json));
    let shown = run(&sandbox, &["instances", "get", "1", "--show-token", "-o", "json"]).ok().json();
    assert_eq!(shown["token"], sandbox.instances()[0]["token"]);

    let new_password = "password=new-pw-sekret";
    let updated =
        run(&sandbox, &["instances", "update", "1", new_password, "--name", "Sales EU", "--tag", "eu", "-o", "json"])
            .ok()
            .json();
    assert_eq!(updated["name"], "Sales EU");
    assert_eq!(updated["tags"], json!(["eu"]));
    assert_eq!(sandbox.instances()[0]["configuration"]["password"], "new-pw-sekret");
    let human = run(&sandbox, &["instances", "update", "1", "--clear-tags", "-o", "human"]).ok();
    assert!(human.stdout.contains("\ntags                 -\n"), "{human:?}");
    let nothing = run(&sandbox, &["instances", "update", "1"]).failed(3);
    assert!(nothing.stderr.contains("the update changes nothing"), "{nothing:?}");
    run(&sandbox, &["instances", "update", "1", "--tag", "a", "--clear-tags"]).failed(2);

    assert_eq!(run(&sandbox, &["instances", "delete", "1", "-o", "human"]).ok().stdout, "Deleted instance 1.\n");
    assert!(sandbox.instances().is_empty());
    create(&sandbox, "Again", &[]);
    let json = run(&sandbox, &["instances", "delete", "2", "-o", "json"]).ok().json();
    assert_eq!(json, json!({"id": 2, "deleted": true}));
    run(&sandbox, &["instances", "delete", "2"]).failed(5);
}

#[test]
fn disable_enable_and_ping() {
    let sandbox = sandbox();
    create(&sandbox, "Sales", &[]);

    let pinged = run(&sandbox, &["instances", "ping", "1", "-o", "json"]).ok().json();
    assert_eq!(pinged, json!({"id": 1, "hub": "crm", "answer": {"endpoint": "closeio"}}));
    let human = run(&sandbox, &["instances", "ping", "1", "-o", "human"]).ok();
    assert_eq!(human.stdout, "Instance 1 answers on hub crm: {\"endpoint\":\"closeio\"}\n");
    run(&sandbox, &["instances", "ping", "1", "--hub", "marketing"]).failed(5);

    assert_eq!(run(&sandbox, &["instances", "disable", "1", "-o", "human"]).ok().stdout, "Disabled instance 1.\n");
    assert_eq!(sandbox.instances()[0]["disabled"], true);
    let forbidden = run(&sandbox, &["instances", "ping", "1"]).failed(6);
    assert!(forbidden.stderr.contains("HTTP 403"), "{forbidden:?}");
    let json = run(&sandbox, &["instances", "enable", "1", "-o", "json"]).ok().json();
    assert_eq!(json, json!({"id": 1, "disabled": false}));
    assert_eq!(
        run(&sandbox, &["instances", "disable", "1", "-o", "jsonl"]).ok().stdout,
        "{\"id\":1,\"disabled\":true}\n"
    );
    run(&sandbox, &["instances", "enable", "9"]).failed(5);
}

#[test]
fn config_shows_and_sets_entries() {
    let sandbox = sandbox();
    create(&sandbox, "Sales", &[]);

    let entries = run(&sandbox, &["instances", "config", "1", "-o", "json"]).ok().json();
    let entries = entries.as_array().unwrap();
    let password = entries.iter().find(|e| e["key"] == "password").unwrap();
    assert_eq!(password["propertyValue"], "********");
    assert!(entries.iter().any(|e| e["key"] == "filter.response.nulls"), "{entries:?}");
    let jsonl = run(&sandbox, &["instances", "config", "1", "-o", "jsonl"]).ok().jsonl();
    assert_eq!(jsonl.len(), entries.len());
    let human = run(&sandbox, &["instances", "config", "1", "-o", "human"]).ok();
    assert!(human.stdout.starts_with("ID  KEY"), "{human:?}");
    assert!(human.stdout.lines().any(|l| l.contains(" password ") && l.ends_with("********")), "{human:?}");

    let set = run(&sandbox, &["instances", "config", "set", "1", "filter.response.nulls", "false", "-o", "json"]);
    assert_eq!(set.ok().json()["propertyValue"], "false");
    let human = run(&sandbox, &["instances", "config", "set", "1", "filter.response.nulls", "true", "-o", "human"]);
    assert_eq!(human.ok().stdout, "filter.response.nulls  true\n");
    let secret = run(&sandbox, &["instances", "config", "set", "1", "password", "set-sekret", "-o", "json"]).ok();
    assert_eq!(secret.json()["propertyValue"], "********");
    assert_eq!(sandbox.instances()[0]["configuration"]["password"], "set-sekret");
    let unknown = run(&sandbox, &["instances", "config", "set", "1", "no.such.key", "x"]).failed(3);
    assert!(unknown.stderr.contains("`no.such.key`"), "{unknown:?}");
    run(&sandbox, &["instances", "config", "7"]).failed(5);
}

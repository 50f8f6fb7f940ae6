//! Elements loaded at start (`SandboxBuilder::elements`, `--elements`): served by `/elements`,
//! validated by the catalog's rule on create, defaults filled in and echoed, bad files refused.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use cloud_elements_sandbox::Sandbox;
use common::{Client, api, sandbox};
use serde_json::{Value, json};

/// `<repo>/../shared/elements`, the real definitions beside the repository, if it is there.
fn shared_elements() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/elements");
    if dir.join("postgresql-db.json").is_file() {
        Some(dir)
    } else {
        eprintln!("note: {} is absent; skipping the test with the shared element definitions", dir.display());
        None
    }
}

/// A fresh folder under the system's temp folder, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("ce-sandbox-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, file: &str, value: &Value) -> PathBuf {
        self.write_text(file, &serde_json::to_string_pretty(value).unwrap())
    }

    fn write_text(&self, file: &str, text: &str) -> PathBuf {
        let path = self.0.join(file);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn create(client: &mut Client, body: &Value) -> common::Reply {
    client.post_json(&api("/instances"), body)
}

#[test]
fn shared_definitions_are_served_and_validated() {
    let Some(dir) = shared_elements() else { return };
    let sandbox = Sandbox::builder().elements(&dir).start().unwrap();
    let mut client = Client::new(&sandbox);

    let listed = client.get(&api("/elements")).json();
    let keys: Vec<&str> = listed.as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["closeio", "pardot", "clover", "mypostgresql"], "clover.json replaces the built-in");
    let postgres = client.get(&api("/elements/mypostgresql")).json();
    let id = postgres["id"].as_i64().expect("an id is assigned");
    assert_eq!(client.get(&api(&format!("/elements/{id}"))).json(), postgres);
    assert_eq!(postgres["hub"], "db");
    assert_eq!(postgres["configuration"].as_array().unwrap().len(), 9);

    let schema = client.get(&api("/elements/mypostgresql/configuration")).json();
    let schema = schema.as_array().unwrap();
    assert_eq!(schema.len(), 9 + 8, "its own entries, then the 8 common ones");
    assert_eq!(schema[0]["key"], "base.url");
    assert_eq!(schema[9]["key"], "event.notification.enabled");
    let ids: std::collections::HashSet<i64> = schema.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), schema.len(), "every entry has its own id");
    assert_eq!(client.get(&api("/elements/clover/configuration")).json()[0]["id"], 75078, "ids as written");

    // Every entry a user must supply, named at once in display order; the hidden required
    // `jdbc.driver.classname` and the internal `authentication.time` never.
    let reply = create(&mut client, &json!({"element": {"key": "mypostgresql"}, "name": "db"}));
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error_message(),
        "Missing required configuration entries for element 'mypostgresql': db.host, username, password, db.name"
    );
    let reply = create(
        &mut client,
        &json!({"element": {"key": "mypostgresql"}, "name": "db", "configuration": {
            "db.host": "localhost:5432", "username": "app", "password": "pw", "db.name": "sales"}}),
    );
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let created = reply.json();
    assert_eq!(created["element"]["key"], "mypostgresql");
    assert!(created["element"].get("configuration").is_none());
    let configuration = &created["configuration"];
    assert_eq!(configuration["base.url"], "jdbc:postgresql://{db.host}/{db.name}");
    assert_eq!(configuration["jdbc.driver.classname"], "org.postgresql.Driver");
    assert_eq!(configuration["pagination.max"], "100");
    assert_eq!(configuration["password"], "pw", "the create answer is not masked");
    assert!(configuration.get("authentication.time").is_none(), "an empty default is no default");
    let read = client.get(&api(&format!("/instances/{}", created["id"]))).json();
    assert_eq!(read["configuration"]["password"], "********");
    assert_eq!(read["configuration"]["username"], "app");

    // The shared clover (OAuth 2, `typeOauth: false`) still needs a code.
    let reply = create(
        &mut client,
        &json!({"element": {"key": "clover"}, "name": "c", "configuration": {
            "oauth.api.key": "k", "oauth.api.secret": "s", "merchantId": "m"}}),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error_message(), "You must provide an OAuth code in order to create an instance of this element");
}

/// An element whose entries cover each case of the rule, written out of display order.
fn acme() -> Value {
    let entry = |key: &str, order: i64, extra: Value| {
        let mut entry = json!({"key": key, "name": key, "type": "TEXTFIELD_64", "displayOrder": order});
        entry.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        entry
    };
    json!({
        "name": "Acme", "key": "acme", "hub": "crm", "typeOauth": false, "authentication": {"type": "custom"},
        "configuration": [
            entry("acme.token", 3, json!({"required": true, "type": "PASSWORD"})),
            entry("acme.account", 1, json!({"required": true, "defaultValue": ""})),
            entry("acme.region", 2, json!({"required": true, "defaultValue": "eu"})),
            entry("acme.hidden", 4, json!({"required": true, "hideFromConsole": true})),
            entry("acme.internal", 5, json!({"required": true, "internal": true})),
            entry("acme.page", 6, json!({"defaultValue": 50})),
            entry("acme.note", 7, json!({})),
        ]
    })
}

#[test]
fn written_definitions_follow_the_rule_and_echo_defaults() {
    let dir = TempDir::new("written");
    let widget = json!({"key": "widget", "id": 4242, "hub": "general",
                        "configuration": [{"key": "w", "required": true}]});
    dir.write("elements.json", &json!([acme(), widget]));
    let closeio = json!({"key": "closeio", "id": 146, "name": "My Close", "hub": "crm", "configuration": []});
    let replacement = dir.write_text("closeio.txt", &closeio.to_string());
    let sandbox = Sandbox::builder().elements(dir.0.join("elements.json")).elements(&replacement).start().unwrap();
    let mut client = Client::new(&sandbox);

    let keys: Vec<Value> =
        client.get(&api("/elements")).json().as_array().unwrap().iter().map(|e| e["key"].clone()).collect();
    assert_eq!(keys, ["closeio", "pardot", "clover", "acme", "widget"]);
    assert_eq!(client.get(&api("/elements/146")).json()["name"], "My Close", "a loaded key replaces the built-in");
    assert_eq!(client.get(&api("/elements/4242")).json()["key"], "widget");

    let reply =
        create(&mut client, &json!({"element": {"key": "acme"}, "name": "a", "configuration": {"acme.account": " "}}));
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error_message(),
        "Missing required configuration entries for element 'acme': acme.account, acme.token"
    );
    assert!(sandbox.instances().is_empty());

    let body = json!({"element": {"key": "acme"}, "name": "a", "tags": ["t"],
                      "configuration": {"acme.account": "me", "acme.token": "tok"}});
    let reply = create(&mut client, &body);
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let created = reply.json();
    assert_eq!(
        created["configuration"],
        json!({"acme.account": "me", "acme.page": "50", "acme.region": "eu", "acme.token": "tok"}),
        "defaults filled in and echoed; none for entries without one"
    );
    assert_eq!(created["element"]["name"], "Acme");
    let read = client.get(&api("/instances/1")).json();
    assert_eq!(read["configuration"]["acme.token"], "********");
    assert_eq!(read["configuration"]["acme.region"], "eu");

    let reply =
        client.post_json(&api("/elements/widget/instances"), &json!({"name": "w", "configuration": {"w": "x"}}));
    assert_eq!(reply.status, 200);
    // The catalog survives a reset.
    assert_eq!(client.post_json("/_sandbox/reset", &json!({})).status, 200);
    assert_eq!(client.get(&api("/elements/acme")).status, 200);
}

#[test]
fn malformed_definitions_are_refused_at_start_with_the_file_and_the_reason() {
    let dir = TempDir::new("malformed");
    dir.write("a-good.json", &acme());
    let bad = dir.write("b-bad.json", &json!({"key": "bad", "configuration": {"not": "an array"}}));
    for (path, reason) in [
        (bad.clone(), "element #1"),
        (dir.0.clone(), "element #1"),
        (dir.write_text("c.json", "{\"key\": "), "not valid JSON"),
        (dir.write("d.json", &json!([{"key": " "}])), "key is empty"),
        (dir.0.join("missing.json"), ""),
    ] {
        let error = Sandbox::builder().elements(&path).start().unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData, "{error}");
        let message = error.to_string();
        let named = if path.is_dir() { bad.clone() } else { path.clone() };
        assert!(message.contains(&named.display().to_string()), "{message}");
        assert!(message.contains(reason), "{message}");
    }
    let empty = TempDir::new("empty");
    assert!(Sandbox::builder().elements(&empty.0).start().unwrap_err().to_string().contains("no *.json"));

    let output = Command::new(env!("CARGO_BIN_EXE_cloud-elements-sandbox"))
        .args(["--port", "0", "--elements"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot load elements") && stderr.contains("b-bad.json"), "{stderr}");
}

#[test]
fn elements_and_their_configuration_schema() {
    let (_sandbox, mut client) = sandbox();
    let closeio = client.get(&api("/elements/closeio")).json();
    assert_eq!(closeio["id"], 146);
    assert_eq!(client.get(&api("/elements/146")).json(), closeio);
    assert_eq!(client.get(&api("/elements/90")).json()["key"], "pardot");
    assert_eq!(client.get(&api("/elements/nope")).status, 404);
    let keys: Vec<Value> =
        client.get(&api("/elements")).json().as_array().unwrap().iter().map(|e| e["key"].clone()).collect();
    assert_eq!(keys, ["closeio", "pardot", "clover"]);

    let schema = client.get(&api("/elements/pardot/configuration")).json();
    let entries = schema.as_array().unwrap();
    let keys: Vec<&str> = entries.iter().map(|e| e["key"].as_str().unwrap()).collect();
    assert_eq!(&keys[..4], ["apikey.user.name", "apikey.user.password", "apikey.user.key", "provider.version"]);
    for key in [
        "event.notification.enabled",
        "event.vendor.type",
        "event.notification.type",
        "event.notification.callback.url",
        "event.notification.signature.key",
        "event.poller.refresh_interval",
        "event.poller.configuration",
        "filter.response.nulls",
    ] {
        assert!(keys.contains(&key), "{key}");
    }
    let entry = |key: &str| entries.iter().find(|e| e["key"] == key).unwrap();
    assert_eq!(entry("apikey.user.key")["type"], "PASSWORD");
    assert_eq!(entry("apikey.user.key")["required"], true);
    assert_eq!(entry("provider.version")["defaultValue"], "3");
    assert_eq!(entry("provider.version")["required"], false);
    assert_eq!(entry("event.notification.enabled")["type"], "BOOLEAN");
    assert_eq!(entry("event.poller.refresh_interval")["defaultValue"], "15");
    assert_eq!(entry("filter.response.nulls")["defaultValue"], "true");
    for e in entries {
        for field in ["id", "name", "key", "description", "defaultValue", "type", "required", "hideFromConsole"] {
            assert!(e.get(field).is_some(), "{field} in {e}");
        }
        assert!(e["internal"].is_boolean() && e["displayOrder"].is_u64());
    }
    let closeio_schema = client.get(&api("/elements/closeio/configuration")).json();
    assert_eq!(closeio_schema[0]["key"], "username");
    assert_eq!(closeio_schema[0]["type"], "TEXTFIELD_128");
    assert_eq!(closeio_schema[1]["type"], "PASSWORD");
}

//! An instance's life after its create, as the API notes describe it: updates (HTML stripped,
//! tags replaced, configuration entries), disable/enable and ping with the Element token, delete.

mod common;

use cloud_elements_sandbox::Sandbox;
use common::{Client, api, closeio, create, pardot, sandbox};
use serde_json::json;

#[test]
fn html_is_stripped_and_tags_are_replaced() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    let body = closeio(r##"<a href="#" onClick="alert(1)">sales</a>"##, &["<b>team</b>", "prod"]);
    let created = client.post_json(&api("/instances"), &body).json();
    assert_eq!((created["name"].clone(), created["tags"].clone()), (json!("sales"), json!(["team", "prod"])));

    let reply = client.send_json("PATCH", &api("/instances/1"), &json!({"name": "<i>north</i>", "tags": ["<u>x</u>"]}));
    assert_eq!(reply.status, 200);
    assert_eq!((reply.json()["name"].clone(), reply.json()["tags"].clone()), (json!("north"), json!(["x"])));
    let reply = client.send_json("PATCH", &api("/instances/1"), &json!({"tags": []}));
    assert_eq!(reply.json()["tags"], json!([]), "replaced, not merged");
    assert_eq!(reply.json()["name"], "north");
    assert_eq!(client.send_json("PATCH", &api("/instances/1"), &json!({"name": " "})).status, 400);
    // The seed pages' placeholders look like tags and are nothing else: kept as given.
    let reply = client.send_json("PATCH", &api("/instances/1"), &json!({"name": "<INSERT_INSTANCE_NAME>"}));
    assert_eq!(reply.json()["name"], "<INSERT_INSTANCE_NAME>");
}

#[test]
fn configuration_entries_change_and_read_back_masked() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    assert_eq!(client.post_json(&api("/instances"), &pardot("p", &[])).status, 200);

    // Through the instance: a changed entry and a new one.
    let patch = json!({"configuration": {"apikey.user.password": "new-password", "filter.response.nulls": "false"}});
    let reply = client.send_json("PATCH", &api("/instances/1"), &patch);
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["configuration"]["apikey.user.password"], "********");
    assert_eq!(reply.json()["configuration"]["filter.response.nulls"], "false");
    assert_eq!(sandbox.instances()[0]["configuration"]["apikey.user.password"], "new-password");
    let blank = json!({"configuration": {"apikey.user.key": ""}});
    let reply = client.send_json("PATCH", &api("/instances/1"), &blank);
    assert_eq!(reply.status, 400);
    assert!(reply.error_message().ends_with("apikey.user.key"));
    let reply = client.send_json("PATCH", &api("/instances/1"), &json!({"configuration": {"provider.version": "7"}}));
    assert_eq!(reply.status, 400);

    // Through one entry's id.
    let entries = client.get(&api("/instances/1/configuration")).json();
    let entries = entries.as_array().unwrap();
    let listed = |key: &str| entries.iter().find(|e| e["key"] == key).unwrap().clone();
    assert_eq!(listed("filter.response.nulls")["propertyValue"], "false");
    // A common entry the instance only has by default is listed, and shows in the instance once set.
    let refresh = listed("event.poller.refresh_interval");
    assert_eq!(refresh["propertyValue"], "15");
    assert!(sandbox.instances()[0]["configuration"].get("event.poller.refresh_interval").is_none());
    let refresh_path = api(&format!("/instances/1/configuration/{}", refresh["id"]));
    assert_eq!(client.send_json("PATCH", &refresh_path, &json!({"propertyValue": "5"})).status, 200);
    assert_eq!(sandbox.instances()[0]["configuration"]["event.poller.refresh_interval"], "5");
    let key_entry = entries.iter().find(|e| e["key"] == "apikey.user.key").unwrap();
    let path = api(&format!("/instances/1/configuration/{}", key_entry["id"]));
    let reply = client.send_json("PATCH", &path, &json!({"propertyValue": "rotated-key"}));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["propertyValue"], "********");
    assert_eq!(client.get(&path).json()["propertyValue"], "********");
    assert_eq!(sandbox.instances()[0]["configuration"]["apikey.user.key"], "rotated-key");
    assert_eq!(client.send_json("PATCH", &path, &json!({"propertyValue": " "})).status, 400);
}

#[test]
fn disable_enable_ping_and_a_deleted_instances_token() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    let token =
        client.post_json(&api("/instances"), &closeio("c", &["crm"])).json()["token"].as_str().unwrap().to_owned();
    let platform = client.auth.clone().unwrap();
    let mut instance = Client::new(&sandbox);
    instance.auth = Some(format!("{platform}, Element {token}"));

    assert_eq!(instance.get(&api("/hubs/crm/ping")).status, 200);
    assert_eq!(instance.delete(&api("/instances/enabled")).json()["disabled"], true);
    let reply = instance.get(&api("/hubs/crm/ping"));
    assert_eq!(reply.status, 403);
    reply.error_message();
    assert_eq!(instance.send("PUT", &api("/instances/enabled"), &[], None).unwrap().json()["disabled"], false);
    assert_eq!(instance.get(&api("/hubs/crm/ping")).status, 200);

    let reply = client.get(&api("/instances?tags%5B%5D=nothing-has-this"));
    assert_eq!(reply.status, 404, "a search without results");
    reply.error_message();

    assert_eq!(client.delete(&api("/instances/1")).status, 200);
    assert_eq!(client.get(&api("/instances/1")).status, 404);
    for reply in [
        instance.get(&api("/hubs/crm/ping")),
        instance.send("PUT", &api("/instances/enabled"), &[], None).unwrap(),
        instance.delete(&api("/instances/enabled")),
    ] {
        assert_eq!(reply.status, 401, "a deleted instance's token");
        assert!(!reply.error_message().contains(&token));
    }
}

#[test]
fn element_token_calls_disable_enable_and_ping() {
    let (sandbox, mut client) = sandbox();
    let token = create(&mut client, &pardot("p", &[]))["token"].as_str().unwrap().to_string();
    let platform = client.auth.clone().unwrap();
    client.auth = Some(format!("{platform}, Element {token}"));

    let reply = client.get(&api("/hubs/marketing/ping"));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"endpoint": "pardot"}));
    assert_eq!(client.get(&api("/hubs/crm/ping")).status, 404);

    let reply = client.delete(&api("/instances/enabled"));
    assert_eq!(reply.status, 200);
    assert_eq!(sandbox.instances()[0]["disabled"], true);
    let reply = client.get(&api("/hubs/marketing/ping"));
    assert_eq!(reply.status, 403);
    reply.error_message();

    assert_eq!(client.send("PUT", &api("/instances/enabled"), &[], None).unwrap().status, 200);
    assert_eq!(sandbox.instances()[0]["disabled"], false);
    assert_eq!(client.get(&api("/hubs/marketing/ping")).status, 200);

    client.auth = Some(format!("{platform}, Element not-a-token="));
    let reply = client.get(&api("/hubs/marketing/ping"));
    assert_eq!(reply.status, 401);
    assert!(!reply.error_message().contains("not-a-token"));
    client.auth = Some(platform);
    assert_eq!(client.get(&api("/hubs/marketing/ping")).status, 401, "no Element token");
    assert_eq!(client.delete(&api("/instances/enabled")).status, 401);
}

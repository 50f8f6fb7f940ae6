//! The instance API over real loopback HTTP: create, validation, list, read, update, delete.

mod common;

use std::collections::HashSet;

use common::{Client, api, closeio, create, pardot, sandbox};
use serde_json::json;

#[test]
fn create_closeio_answers_the_documented_shape() {
    let (sandbox, mut client) = sandbox();
    let reply = client.post_json(&api("/instances"), &closeio("Test", &["crm", "prod"]));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("elements-element-instance-id"), Some("1"));
    let body = reply.json();
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.len(), 36);
    assert!(token.ends_with('='));
    let expected = json!({
        "id": 1,
        "name": "Test",
        "token": token,
        "element": {
            "id": 146,
            "name": "Close.io Beta",
            "key": "closeio",
            "description": "Add a Close.io CRM Instance to connect your existing Close.io account to the CRM Hub, allowing you to manage contacts, accounts, opportunities, etc. across multiple CRM Elements. You will need your Close.io CRM account information to add an instance.",
            "image": "https://pbs.twimg.com/profile_images/497905627948015616/vNCOkr1Z.png",
            "active": true,
            "deleted": false,
            "typeOauth": false,
            "trialAccount": false,
            "transformationsEnabled": true,
            "authentication": {"type": "basic"},
            "hub": "crm",
            "parameters": []
        },
        "provisionInteractions": [],
        "valid": true,
        "disabled": false,
        "maxCacheSize": 0,
        "cacheTimeToLive": 0,
        "configuration": {
            "base.url": "https://app.close.io/api/v1",
            "pagination.offset": "true",
            "password": "close-password",
            "pagination.max": "100",
            "username": "close-api-key"
        },
        "eventsEnabled": false,
        "cachingEnabled": false,
        "tags": ["crm", "prod"]
    });
    assert_eq!(body, expected);
    // The JSON keys are in the documented order on the wire.
    let text = String::from_utf8(reply.body).unwrap();
    assert!(text.starts_with(r#"{"id":1,"name":"Test","token":"#), "{text}");
    assert_eq!(sandbox.instances(), vec![expected]);
}

#[test]
fn create_pardot_answers_the_documented_shape_and_defaults() {
    let (_sandbox, mut client) = sandbox();
    let body = create(&mut client, &pardot("Marketing", &[]));
    assert_eq!(body["element"]["id"], 90);
    assert_eq!(body["element"]["key"], "pardot");
    assert_eq!(body["element"]["hub"], "marketing");
    assert_eq!(body["element"]["authentication"], json!({"type": "apiKey"}));
    assert_eq!(body["element"]["transformationsEnabled"], false);
    assert!(body["element"]["configDescription"].is_string());
    assert!(body["element"]["signupURL"].is_string());
    assert_eq!(body["configuration"]["provider.version"], "4");
    assert_eq!(body["configuration"]["apikey.user.key"], "pardot-user-key");
    assert_eq!(body["tags"], json!([]));

    // provider.version defaults to 3 and is echoed; an event flag sets eventsEnabled.
    let mut request = pardot("Defaults", &[]);
    request["configuration"].as_object_mut().unwrap().remove("provider.version");
    request["configuration"]["event.notification.enabled"] = json!("true");
    request["configuration"]["event.vendor.type"] = json!("polling");
    let body = create(&mut client, &request);
    assert_eq!(body["configuration"]["provider.version"], "3");
    assert_eq!(body["eventsEnabled"], true);
}

#[test]
fn ids_and_tokens_are_unique_and_sequential() {
    let (_sandbox, mut client) = sandbox();
    let mut tokens = HashSet::new();
    for i in 1..=50 {
        let body = create(&mut client, &if i % 2 == 0 { closeio("c", &[]) } else { pardot("p", &[]) });
        assert_eq!(body["id"], i);
        assert!(tokens.insert(body["token"].as_str().unwrap().to_string()));
    }
}

#[test]
fn unauthorized_requests_get_401_without_echoing_secrets() {
    let (sandbox, mut client) = sandbox();
    for auth in [
        None,
        Some("User wrong-user-secret, Organization sandbox-organization-secret".to_string()),
        Some("User sandbox-user-secret, Organization wrong-org-secret".to_string()),
        Some("User sandbox-user-secret".to_string()),
        Some("Bearer something".to_string()),
    ] {
        client.auth = auth.clone();
        let reply = client.post_json(&api("/instances"), &closeio("x", &[]));
        assert_eq!(reply.status, 401, "{auth:?}");
        let message = reply.error_message();
        assert!(!message.contains("wrong") && !message.contains("sandbox-"), "{message}");
        assert_eq!(client.get(&api("/instances")).status, 401);
    }
    // Parts in any order, any case of the header name, extra spaces.
    let reply = client
        .send(
            "GET",
            &api("/instances"),
            &[("authorization", "Organization sandbox-organization-secret ,  User sandbox-user-secret")],
            None,
        )
        .unwrap();
    assert_eq!(reply.status, 401, "the client's own (wrong) header comes first");
    client.auth = None;
    let reply = client
        .send(
            "GET",
            &api("/instances"),
            &[("authorization", "Organization sandbox-organization-secret ,  User sandbox-user-secret")],
            None,
        )
        .unwrap();
    assert_eq!(reply.status, 200);
    assert!(sandbox.instances().is_empty(), "nothing created by refused requests");
}

#[test]
fn create_requires_json_content_type() {
    let (sandbox, mut client) = sandbox();
    let body = serde_json::to_vec(&closeio("x", &[])).unwrap();
    let reply = client.send("POST", &api("/instances"), &[("Content-Type", "text/plain")], Some(&body)).unwrap();
    assert_eq!(reply.status, 415);
    reply.error_message();
    let reply = client.send("POST", &api("/instances"), &[], Some(&body)).unwrap();
    assert_eq!(reply.status, 415);
    let reply = client
        .send("POST", &api("/instances"), &[("Content-Type", "application/json; charset=utf-8")], Some(&body))
        .unwrap();
    assert_eq!(reply.status, 200);
    // Authorization is checked first.
    client.auth = None;
    let reply = client.send("POST", &api("/instances"), &[("Content-Type", "text/plain")], Some(&body)).unwrap();
    assert_eq!(reply.status, 401);
    assert_eq!(sandbox.instances().len(), 1);
}

#[test]
fn accept_header_must_allow_json() {
    let (_sandbox, mut client) = sandbox();
    let body = serde_json::to_vec(&closeio("x", &[])).unwrap();
    let post = |client: &mut Client, accept: &str| {
        client
            .send("POST", &api("/instances"), &[("Content-Type", "application/json"), ("Accept", accept)], Some(&body))
            .unwrap()
            .status
    };
    assert_eq!(post(&mut client, "text/html"), 406);
    assert_eq!(post(&mut client, "application/json;q=0, text/html"), 406);
    assert_eq!(post(&mut client, "text/html, */*;q=0.1"), 200);
    assert_eq!(post(&mut client, "application/*"), 200);
    assert_eq!(post(&mut client, "application/json"), 200);
}

#[test]
fn list_filters_by_tags_and_search_text() {
    let (_sandbox, mut client) = sandbox();
    assert_eq!(client.get(&api("/instances")).json(), json!([]), "no filter, no instances: []");
    create(&mut client, &closeio("Sales CRM", &["team a", "prod"]));
    create(&mut client, &pardot("Marketing", &["team a"]));
    create(&mut client, &closeio("Other", &[]));

    let ids = |reply: common::Reply| -> Vec<u64> {
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        reply.json().as_array().unwrap().iter().map(|i| i["id"].as_u64().unwrap()).collect()
    };
    assert_eq!(ids(client.get(&api("/instances"))), [1, 2, 3]);
    assert_eq!(ids(client.get(&api("/instances?tags%5B%5D=team+a"))), [1, 2]);
    assert_eq!(ids(client.get(&api("/instances?tags[]=team%20a&tags%5B%5D=prod"))), [1]);
    assert_eq!(ids(client.get(&api("/instances?searchText=crm&hydrate=false"))), [1]);
    assert_eq!(ids(client.get(&api("/instances?hydrate=false"))), [1, 2, 3]);
    assert_eq!(ids(client.get(&api("/elements/closeio/instances"))), [1, 3]);
    assert_eq!(ids(client.get(&api("/elements/90/instances?tags%5B%5D=team+a"))), [2]);

    for query in ["?tags%5B%5D=nope", "?tags%5B%5D=prod&tags%5B%5D=nope", "?searchText=zzz"] {
        let reply = client.get(&api(&format!("/instances{query}")));
        assert_eq!(reply.status, 404, "{query}: a search without results is 404, not []");
        reply.error_message();
    }
    // Listing masks secrets.
    let list = client.get(&api("/instances")).json();
    assert_eq!(list[0]["configuration"]["password"], "********");
    assert_eq!(list[1]["configuration"]["apikey.user.name"], "user@example.com");
    assert_eq!(list[1]["configuration"]["apikey.user.key"], "********");
}

#[test]
fn get_masks_secrets() {
    let (sandbox, mut client) = sandbox();
    let mut body = closeio("c", &[]);
    body["configuration"]["event.notification.signature.key"] = json!("signing-key");
    let created = create(&mut client, &body);
    let reply = client.get(&api("/instances/1"));
    assert_eq!(reply.status, 200);
    let got = reply.json();
    // Only PASSWORD entries are masked; Close.io's API key is a text field, read back as stored.
    assert_eq!(got["configuration"]["username"], "close-api-key");
    assert_eq!(got["configuration"]["password"], "********");
    assert_eq!(got["configuration"]["event.notification.signature.key"], "********");
    assert_eq!(got["configuration"]["base.url"], "https://app.close.io/api/v1");
    assert_eq!(got["token"], created["token"]);
    assert_eq!(got["element"], created["element"]);
    // The Rust view is unmasked.
    assert_eq!(sandbox.instances()[0]["configuration"]["password"], "close-password");

    let config = client.get(&api("/instances/1/configuration")).json();
    let entries = config.as_array().unwrap();
    // The entries given or defaulted, and (as api-notes says) the other common entries with their
    // defaults.
    assert_eq!(entries.len(), 6 + 7);
    let entry = |key: &str| entries.iter().find(|e| e["key"] == key).unwrap().clone();
    assert_eq!(entry("filter.response.nulls")["propertyValue"], "true");
    assert_eq!(entry("event.vendor.type")["propertyValue"], "");
    assert_eq!(entry("username")["propertyValue"], "close-api-key");
    assert_eq!(entry("password")["propertyValue"], "********");
    assert_eq!(entry("pagination.max")["propertyValue"], "100");
    assert!(entry("pagination.max")["id"].is_u64());

    // PATCH one configuration entry by its id.
    let id = entry("pagination.max")["id"].as_u64().unwrap();
    let reply =
        client.send_json("PATCH", &api(&format!("/instances/1/configuration/{id}")), &json!({"propertyValue": "50"}));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"id": id, "key": "pagination.max", "propertyValue": "50"}));
    assert_eq!(sandbox.instances()[0]["configuration"]["pagination.max"], "50");
    assert_eq!(client.get(&api("/instances/1/configuration/999999")).status, 404);
}

#[test]
fn unknown_and_malformed_ids() {
    let (_sandbox, mut client) = sandbox();
    create(&mut client, &closeio("c", &[]));
    assert_eq!(client.get(&api("/instances/99")).status, 404);
    assert_eq!(client.get(&api("/instances/abc")).status, 400);
    assert_eq!(client.delete(&api("/instances/99")).status, 404);
    assert_eq!(client.send_json("PUT", &api("/instances/99"), &json!({"name": "x"})).status, 404);
    // An instance is only found under its own element.
    assert_eq!(client.get(&api("/elements/closeio/instances/1")).status, 200);
    assert_eq!(client.get(&api("/elements/pardot/instances/1")).status, 404);
    assert_eq!(client.get(&api("/elements/nope/instances/1")).status, 404);
}

#[test]
fn put_patch_and_delete() {
    let (sandbox, mut client) = sandbox();
    create(&mut client, &closeio("Before", &["a", "b"]));
    create(&mut client, &pardot("Other", &[]));

    let reply = client.send_json("PUT", &api("/instances/1"), &json!({"name": "After", "tags": ["c"]}));
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!((body["name"].clone(), body["tags"].clone()), (json!("After"), json!(["c"])));
    assert_eq!(body["configuration"]["password"], "********");

    let reply = client.send_json("PATCH", &api("/instances/1"), &json!({"tags": ["d", "e"]}));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["tags"], json!(["d", "e"]), "tags are replaced, not merged");
    assert_eq!(reply.json()["name"], "After");

    let reply = client.send_json("PATCH", &api("/elements/closeio/instances/1"), &json!({"name": "Scoped"}));
    assert_eq!(reply.json()["name"], "Scoped");
    assert_eq!(client.send_json("PATCH", &api("/instances/1"), &json!({"tags": "x"})).status, 400);
    assert_eq!(client.send_json("PATCH", &api("/instances/1"), &json!({"name": ""})).status, 400);

    let reply = client.delete(&api("/instances/1"));
    assert_eq!(reply.status, 200);
    assert_eq!(client.get(&api("/instances/1")).status, 404);
    assert_eq!(client.delete(&api("/instances/1")).status, 404);
    assert_eq!(client.delete(&api("/elements/pardot/instances/2")).status, 200);
    assert!(sandbox.instances().is_empty());
    // Ids are not reused.
    assert_eq!(create(&mut client, &closeio("New", &[]))["id"], 3);
}

#[test]
fn create_under_an_element_path() {
    let (_sandbox, mut client) = sandbox();
    let mut body = closeio("c", &[]);
    body.as_object_mut().unwrap().remove("element");
    let reply = client.post_json(&api("/elements/closeio/instances"), &body);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["element"]["key"], "closeio");
    let reply = client.post_json(&api("/elements/146/instances"), &closeio("c", &[]));
    assert_eq!(reply.status, 200);
    let reply = client.post_json(&api("/elements/pardot/instances"), &closeio("c", &[]));
    assert_eq!(reply.status, 400, "body and path disagree");
    let reply = client.post_json(&api("/instances"), &body);
    assert_eq!(reply.status, 400, "no element anywhere");
}

#[test]
fn unknown_paths_and_wrong_methods() {
    let (_sandbox, mut client) = sandbox();
    for path in ["/nothing", "", "/instances/1/other", "/hubs/crm/contacts"] {
        let reply = client.get(&api(path));
        assert_eq!(reply.status, 404, "{path}");
        reply.error_message();
    }
    let reply = client.get("/somewhere/else");
    assert_eq!(reply.status, 404);
    let reply = client.delete(&api("/instances"));
    assert_eq!(reply.status, 405);
    reply.error_message();
    assert_eq!(reply.header("allow"), Some("GET, HEAD, POST"));
    assert_eq!(client.send("POST", &api("/elements/closeio"), &[], None).unwrap().status, 405);
    assert_eq!(client.get(&api("/instances/enabled")).status, 405);
}

//! Validation of create bodies over loopback HTTP: shape, missing configuration (every entry named
//! at once, in display order) and configuration values.

mod common;

use common::{api, closeio, pardot, sandbox};
use serde_json::{Value, json};

#[test]
fn malformed_bodies_get_400() {
    let (sandbox, mut client) = sandbox();
    let cases: &[(&[u8], &str)] = &[
        (b"{\"element\": ", "not valid JSON"),
        (b"", "JSON object"),
        (b"[1, 2]", "JSON object"),
        (br#"{"element": "closeio", "name": "x"}"#, "'element'"),
        (br#"{"element": {"key": ""}, "name": "x"}"#, "element.key"),
        (br#"{"element": {"key": "closeio"}}"#, "'name'"),
        (br#"{"element": {"key": "closeio"}, "name": ""}"#, "'name'"),
        (br#"{"element": {"key": "closeio"}, "name": "x", "tags": "a"}"#, "'tags'"),
        (br#"{"element": {"key": "closeio"}, "name": "x", "tags": [1]}"#, "'tags'"),
        (br#"{"element": {"key": "closeio"}, "name": "x", "providerData": 1}"#, "'providerData'"),
        (br#"{"element": {"key": "closeio"}, "name": "x", "configuration": []}"#, "'configuration'"),
        (
            br#"{"element": {"key": "closeio"}, "name": "x", "configuration": {"username": 12345678, "password": "p"}}"#,
            "'username'",
        ),
    ];
    for (body, expected) in cases {
        let reply =
            client.send("POST", &api("/instances"), &[("Content-Type", "application/json")], Some(body)).unwrap();
        assert_eq!(reply.status, 400, "{}", String::from_utf8_lossy(body));
        let message = reply.error_message();
        assert!(message.contains(expected), "{message:?} should mention {expected:?}");
        assert!(!message.contains("12345678"), "values are never echoed: {message}");
    }
    // A body that is fine apart from the element is a 404, after the shape checks.
    let reply = client.post_json(&api("/instances"), &json!({"element": {"key": "nope"}, "name": "x"}));
    assert_eq!(reply.status, 404);
    assert_eq!(reply.error_message(), "No element found with key 'nope'");
    assert!(sandbox.instances().is_empty());
}

#[test]
fn missing_configuration_names_every_entry_in_catalog_order() {
    let (sandbox, mut client) = sandbox();
    let cases = [
        (
            json!({"element": {"key": "pardot"}, "name": "p", "configuration": {"apikey.user.name": "u"}}),
            "Missing required configuration entries for element 'pardot': apikey.user.password, apikey.user.key",
        ),
        (
            json!({"element": {"key": "pardot"}, "name": "p"}),
            "Missing required configuration entries for element 'pardot': apikey.user.name, apikey.user.password, \
             apikey.user.key",
        ),
        (
            json!({"element": {"key": "pardot"}, "name": "p", "configuration": {
                "apikey.user.key": "k", "apikey.user.password": "", "apikey.user.name": "   "}}),
            "Missing required configuration entries for element 'pardot': apikey.user.name, apikey.user.password",
        ),
        (
            json!({"element": {"key": "closeio"}, "name": "c", "configuration": {}}),
            "Missing required configuration entries for element 'closeio': username, password",
        ),
        (
            // Close.io's password may be blank (issue 10's product decision), its API key may not.
            json!({"element": {"key": "closeio"}, "name": "c", "configuration": {"username": " ", "password": ""}}),
            "Missing required configuration entries for element 'closeio': username",
        ),
        (
            json!({"element": {"key": "closeio"}, "name": "c", "configuration": {
                "username": "k", "event.notification.enabled": "true", "event.vendor.type": "webhook"}}),
            "Missing required configuration entries for element 'closeio': password, event.notification.callback.url",
        ),
    ];
    for (body, expected) in cases {
        let reply = client.post_json(&api("/instances"), &body);
        assert_eq!(reply.status, 400);
        assert_eq!(reply.error_message(), expected);
    }
    assert!(sandbox.instances().is_empty());
}

#[test]
fn configuration_values_are_checked() {
    let (sandbox, mut client) = sandbox();
    let with = |base: Value, entries: &[(&str, &str)]| {
        let mut body = base;
        for (k, v) in entries {
            body["configuration"][*k] = json!(v);
        }
        body
    };
    let bad = [
        (with(pardot("p", &[]), &[("provider.version", "5")]), "'provider.version'"),
        (with(pardot("p", &[]), &[("provider.version", "v4")]), "'provider.version'"),
        (with(closeio("c", &[]), &[("event.notification.enabled", "yes")]), "'event.notification.enabled'"),
        (
            with(
                closeio("c", &[]),
                &[
                    ("event.notification.enabled", "true"),
                    ("event.vendor.type", "webhook"),
                    ("event.notification.callback.url", "ftp://example.com/hook"),
                ],
            ),
            "'event.notification.callback.url'",
        ),
        (with(closeio("c", &[]), &[("event.vendor.type", "carrier-pigeon")]), "'event.vendor.type'"),
    ];
    for (body, expected) in bad {
        let reply = client.post_json(&api("/instances"), &body);
        assert_eq!(reply.status, 400, "{body}");
        let message = reply.error_message();
        assert!(message.contains(expected), "{message}");
        assert!(!message.contains("ftp://") && !message.contains("yes") && !message.contains("v4"), "{message}");
    }
    for good in [
        with(pardot("p", &[]), &[("provider.version", "3")]),
        with(
            closeio("c", &[]),
            &[
                ("event.notification.enabled", "true"),
                ("event.vendor.type", "webhook"),
                ("event.notification.callback.url", "https://example.com/hook"),
                ("event.notification.signature.key", "sig"),
            ],
        ),
        with(closeio("c", &[]), &[("event.notification.enabled", "false"), ("some.unknown.key", "kept")]),
    ] {
        let reply = client.post_json(&api("/instances"), &good);
        assert_eq!(reply.status, 200, "{good}: {}", String::from_utf8_lossy(&reply.body));
    }
    assert_eq!(sandbox.instances().len(), 3);
    assert_eq!(sandbox.instances()[2]["configuration"]["some.unknown.key"], "kept");
}

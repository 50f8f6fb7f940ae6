use super::*;
use serde_json::json;

fn create(body: Value) -> Result<NewInstance, ApiError> {
    new_instance(&Catalog::default(), &serde_json::to_vec(&body).unwrap(), None)
}

fn message(result: Result<NewInstance, ApiError>) -> String {
    result.unwrap_err().message
}

#[test]
fn applies_defaults() {
    let new = create(json!({"element": {"key": "pardot"}, "name": "p", "configuration": {
        "apikey.user.name": "u", "apikey.user.password": "p", "apikey.user.key": "k", "provider.version": " "
    }}))
    .unwrap();
    assert_eq!(new.configuration["provider.version"], "3");
    assert!(new.tags.is_empty());
    let new = create(json!({"element": {"key": "closeio"}, "name": "c", "configuration": {
        "username": "u", "password": ""}}))
    .unwrap();
    assert_eq!(new.configuration["base.url"], "https://app.close.io/api/v1");
    assert_eq!(new.configuration["password"], "", "Close.io's password may be blank");
}

#[test]
fn missing_entries_in_display_order() {
    assert_eq!(
        message(create(json!({"element": {"key": "pardot"}, "name": "p",
            "configuration": {"apikey.user.name": "u", "apikey.user.key": "  "}}))),
        "Missing required configuration entries for element 'pardot': apikey.user.password, apikey.user.key"
    );
    assert_eq!(
        message(create(json!({"element": {"key": "closeio"}, "name": "c", "configuration": {
            "event.notification.enabled": "true", "event.vendor.type": "webhook"
        }}))),
        "Missing required configuration entries for element 'closeio': username, password, \
         event.notification.callback.url"
    );
    assert_eq!(
        message(create(json!({"element": {"key": "clover"}, "name": "c"}))),
        "Missing required configuration entries for element 'clover': oauth.api.key, oauth.api.secret, merchantId"
    );
}

#[test]
fn never_echoes_values() {
    let secret = "hunter2-secret";
    for body in [
        json!({"element": {"key": "closeio"}, "name": "c", "configuration": {"username": [secret]}}),
        json!({"element": {"key": "pardot"}, "name": "c", "configuration": {
            "apikey.user.name": "u", "apikey.user.password": "p", "apikey.user.key": "k",
            "provider.version": secret}}),
        json!({"element": {"key": "closeio"}, "name": "c", "configuration": {
            "username": "u", "password": "p", "event.notification.enabled": secret}}),
        json!({"element": {"key": "closeio"}, "name": "c", "configuration": {
            "username": "u", "password": "p", "event.notification.enabled": "true",
            "event.vendor.type": "webhook", "event.notification.callback.url": secret}}),
    ] {
        let message = message(create(body));
        assert!(!message.contains(secret), "{message}");
    }
}

#[test]
fn shape_errors() {
    assert_eq!(json_object(b"[]").unwrap_err().status, 400);
    assert_eq!(json_object(b"").unwrap_err().status, 400);
    assert!(json_object(b"{").unwrap_err().message.contains("not valid JSON"));
    assert!(message(create(json!({"element": {"key": ""}, "name": "x"}))).contains("element.key"));
    assert!(message(create(json!({"element": {"key": "closeio"}, "name": " "}))).contains("'name'"));
    assert!(message(create(json!({"element": {"key": "closeio"}, "name": "x", "tags": [1]}))).contains("'tags'"));
    let code = json!({"element": {"key": "closeio"}, "name": "x", "providerData": {"code": 1}});
    assert!(message(create(code)).contains("'providerData.code'"));
    let unknown = create(json!({"element": {"key": "nope"}, "name": "x"})).unwrap_err();
    assert_eq!(unknown, ApiError::new(404, "No element found with key 'nope'"));
}

#[test]
fn element_from_path() {
    let catalog = Catalog::default();
    let closeio = catalog.by_key("closeio").cloned();
    let body = br#"{"name": "x", "configuration": {"username": "u", "password": "p"}}"#;
    assert_eq!(new_instance(&catalog, body, closeio.clone()).unwrap().element.key(), "closeio");
    let body = br#"{"element": {"key": "pardot"}, "name": "x"}"#;
    assert_eq!(new_instance(&catalog, body, closeio).unwrap_err().status, 400);
}

#[test]
fn html_is_stripped_from_names_and_tags() {
    assert_eq!(strip_html(r##"<a href="#" onClick="steal()">sales</a>"##), "sales");
    assert_eq!(strip_html("a < b"), "a < b");
    assert_eq!(strip_html("<p>a</p> < b"), "a < b");
    assert_eq!(strip_html("<INSERT_INSTANCE_NAME>"), "<INSERT_INSTANCE_NAME>", "nothing but a tag: kept");
    let new = create(json!({"element": {"key": "closeio"}, "name": "<i>CRM</i> prod", "tags": ["<b>x</b>"],
        "configuration": {"username": "u", "password": "p"}}))
    .unwrap();
    assert_eq!((new.name.as_str(), new.tags), ("CRM prod", vec!["x".to_owned()]));
}

#[test]
fn updates() {
    let catalog = Catalog::default();
    let pardot = catalog.by_key("pardot").unwrap();
    let update = instance_update(br#"{"tags": [], "providerData": {"code": "c"}}"#, pardot).unwrap();
    assert_eq!((update.name, update.tags, update.oauth_code), (None, Some(vec![]), Some("c".to_owned())));
    let blanked = instance_update(br#"{"configuration": {"apikey.user.key": " "}}"#, pardot).unwrap_err();
    assert_eq!(blanked.message, "Missing required configuration entries for element 'pardot': apikey.user.key");
    assert!(instance_update(br#"{"configuration": {"provider.version": "9"}}"#, pardot).is_err());
    assert_eq!(config_value_update(br#"{"propertyValue": "4"}"#, pardot, "provider.version").unwrap(), "4");
    assert!(config_value_update(br#"{"propertyValue": ""}"#, pardot, "apikey.user.name").is_err());
}

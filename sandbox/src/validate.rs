//! Validation of request bodies, as the platform does it: shape first, then the element, then the
//! element's configuration rules.
//!
//! Messages name keys but never echo configuration values: they may be secrets.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::catalog::{self, ConfigEntry, Element, EntryType};

/// A request the API refuses: the status and the `message` of the error body.
#[derive(Debug, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into() }
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(400, message)
}

/// A valid create request, defaults applied.
#[derive(Debug)]
pub(crate) struct NewInstance {
    pub(crate) element: &'static Element,
    pub(crate) name: String,
    pub(crate) tags: Vec<String>,
    pub(crate) configuration: BTreeMap<String, String>,
}

/// A valid `PUT`/`PATCH /instances/{id}` body.
#[derive(Debug, Default)]
pub(crate) struct InstanceUpdate {
    pub(crate) name: Option<String>,
    pub(crate) tags: Option<Vec<String>>,
}

/// Parses a body that must be a JSON object.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad_request("A JSON object request body is required"));
    }
    // serde_json's syntax errors give a position, never the offending text.
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad_request("The request body must be a JSON object")),
        Err(e) => Err(bad_request(format!("The request body is not valid JSON: {e}"))),
    }
}

/// Validates a create request. `path_element` is the element of `/elements/{keyOrId}/instances`.
pub(crate) fn new_instance(body: &[u8], path_element: Option<&'static Element>) -> Result<NewInstance, ApiError> {
    let body = json_object(body)?;

    let key = match body.get("element") {
        None | Some(Value::Null) if path_element.is_some() => None,
        None | Some(Value::Null) => {
            return Err(bad_request(r#"'element' is required: {"element": {"key": "<element key>"}}"#));
        }
        Some(Value::Object(element)) => match element.get("key") {
            Some(Value::String(key)) if !key.trim().is_empty() => Some(key.as_str()),
            None | Some(Value::Null) if path_element.is_some() => None,
            _ => return Err(bad_request("'element.key' must be a non-empty string")),
        },
        Some(_) => return Err(bad_request(r#"'element' must be an object: {"key": "<element key>"}"#)),
    };
    let name = match body.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.clone(),
        _ => return Err(bad_request("'name' must be a non-empty string")),
    };
    let tags = optional_tags(&body)?.unwrap_or_default();
    if !matches!(body.get("providerData"), None | Some(Value::Null | Value::Object(_))) {
        return Err(bad_request("'providerData' must be an object"));
    }
    let mut configuration = BTreeMap::new();
    match body.get("configuration") {
        None | Some(Value::Null) => {}
        Some(Value::Object(entries)) => {
            for (key, value) in entries {
                let Value::String(value) = value else {
                    return Err(bad_request(format!("Configuration entry '{key}' must be a string")));
                };
                configuration.insert(key.clone(), value.clone());
            }
        }
        Some(_) => return Err(bad_request("'configuration' must be an object of string values")),
    }

    let element = match (key, path_element) {
        (Some(key), Some(element)) if key != element.key => {
            return Err(bad_request(format!(
                "Element key '{key}' in the body does not match element '{}' in the path",
                element.key
            )));
        }
        (Some(key), _) => {
            catalog::by_key(key).ok_or_else(|| ApiError::new(404, format!("No element found with key '{key}'")))?
        }
        (None, Some(element)) => element,
        (None, None) => return Err(bad_request("'element.key' must be a non-empty string")),
    };

    let missing: Vec<&str> = element
        .schema()
        .filter(|entry| is_required(entry, &configuration) && is_blank(configuration.get(entry.key)))
        .map(|entry| entry.key)
        .collect();
    if !missing.is_empty() {
        return Err(bad_request(format!(
            "Missing required configuration entries for element '{}': {}",
            element.key,
            missing.join(", ")
        )));
    }
    for (key, value) in &configuration {
        if let Some(entry) = element.entry(key) {
            check_value(entry, value)?;
        }
    }
    if is_required_callback(&configuration) {
        check_callback_url(configuration.get("event.notification.callback.url").map_or("", String::as_str))?;
    }
    for entry in element.schema().filter(|entry| entry.applied_default) {
        if let (Some(default), true) = (entry.default_value, is_blank(configuration.get(entry.key))) {
            configuration.insert(entry.key.to_string(), default.to_string());
        }
    }
    Ok(NewInstance { element, name, tags, configuration })
}

/// Validates a `PUT`/`PATCH /instances/{id}` body: `name` and `tags`, both optional.
pub(crate) fn instance_update(body: &[u8]) -> Result<InstanceUpdate, ApiError> {
    let body = json_object(body)?;
    let name = match body.get("name") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) if !name.trim().is_empty() => Some(name.clone()),
        Some(_) => return Err(bad_request("'name' must be a non-empty string")),
    };
    Ok(InstanceUpdate { name, tags: optional_tags(&body)? })
}

/// Validates a `PATCH /instances/{id}/configuration/{configId}` body for the entry `key`; returns
/// the new value.
pub(crate) fn config_value_update(body: &[u8], element: &Element, key: &str) -> Result<String, ApiError> {
    let body = json_object(body)?;
    let Some(Value::String(value)) = body.get("propertyValue") else {
        return Err(bad_request("'propertyValue' must be a string"));
    };
    if let Some(entry) = element.entry(key) {
        if entry.required && value.trim().is_empty() {
            return Err(bad_request(format!(
                "Missing required configuration entries for element '{}': {key}",
                element.key
            )));
        }
        check_value(entry, value)?;
    }
    Ok(value.clone())
}

fn optional_tags(body: &Map<String, Value>) -> Result<Option<Vec<String>>, ApiError> {
    match body.get("tags") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| t.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| bad_request("'tags' must be an array of strings")),
        Some(_) => Err(bad_request("'tags' must be an array of strings")),
    }
}

fn is_blank(value: Option<&String>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

fn is_required(entry: &ConfigEntry, configuration: &BTreeMap<String, String>) -> bool {
    entry.required || (entry.key == "event.notification.callback.url" && is_required_callback(configuration))
}

/// Webhook notifications need somewhere to go.
fn is_required_callback(configuration: &BTreeMap<String, String>) -> bool {
    let value = |key: &str| configuration.get(key).map(|v| v.trim());
    value("event.notification.enabled") == Some("true") && value("event.vendor.type") == Some("webhook")
}

/// Checks one given value against its schema entry. Blank values count as not given.
fn check_value(entry: &ConfigEntry, value: &str) -> Result<(), ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(());
    }
    let allowed: &[&str] = match (entry.key, entry.kind) {
        ("provider.version", _) => &["3", "4"],
        ("event.vendor.type", _) => &["webhook", "polling"],
        ("event.notification.type", _) => &["webhook"],
        (_, EntryType::Boolean) => &["true", "false"],
        _ => return Ok(()),
    };
    if allowed.contains(&value) {
        return Ok(());
    }
    let choices: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
    Err(bad_request(format!("Configuration entry '{}' must be {}", entry.key, choices.join(" or "))))
}

fn check_callback_url(url: &str) -> Result<(), ApiError> {
    let url = url.trim();
    let rest = ["http://", "https://"].iter().find_map(|scheme| {
        url.get(..scheme.len()).filter(|s| s.eq_ignore_ascii_case(scheme)).map(|_| &url[scheme.len()..])
    });
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') && !rest.contains(char::is_whitespace) => Ok(()),
        _ => Err(bad_request("Configuration entry 'event.notification.callback.url' must be an http or https URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create(body: Value) -> Result<NewInstance, ApiError> {
        new_instance(&serde_json::to_vec(&body).unwrap(), None)
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
    }

    #[test]
    fn missing_entries_in_catalog_order() {
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
        let unknown = create(json!({"element": {"key": "nope"}, "name": "x"})).unwrap_err();
        assert_eq!(unknown, ApiError::new(404, "No element found with key 'nope'"));
    }

    #[test]
    fn element_from_path() {
        let body = br#"{"name": "x", "configuration": {"username": "u", "password": "p"}}"#;
        assert_eq!(new_instance(body, Some(&catalog::CLOSEIO)).unwrap().element.key, "closeio");
        let body = br#"{"element": {"key": "pardot"}, "name": "x"}"#;
        assert_eq!(new_instance(body, Some(&catalog::CLOSEIO)).unwrap_err().status, 400);
    }

    #[test]
    fn callback_urls() {
        assert!(check_callback_url("https://example.com/hook").is_ok());
        assert!(check_callback_url("HTTP://localhost:8080").is_ok());
        assert!(check_callback_url("ftp://example.com").is_err());
        assert!(check_callback_url("https://").is_err());
        assert!(check_callback_url("example.com").is_err());
    }
}

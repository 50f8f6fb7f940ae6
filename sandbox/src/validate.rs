//! Validation of request bodies, as the platform does it: shape first, then the element, then the
//! element's configuration rules (what a user must supply comes from `cloud-elements-catalog`).
//!
//! Messages name keys but never echo configuration values: they may be secrets.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::catalog::{Catalog, Element};
use crate::values;

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

pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(400, message)
}

/// A valid create request, defaults applied.
#[derive(Debug)]
pub(crate) struct NewInstance {
    pub(crate) element: Arc<Element>,
    pub(crate) name: String,
    pub(crate) tags: Vec<String>,
    pub(crate) configuration: BTreeMap<String, String>,
    /// `providerData.code`, for OAuth elements.
    pub(crate) oauth_code: Option<String>,
}

/// A valid `PUT`/`PATCH /instances/{id}` body.
#[derive(Debug, Default)]
pub(crate) struct InstanceUpdate {
    pub(crate) name: Option<String>,
    /// Replaces the tags (not merged).
    pub(crate) tags: Option<Vec<String>>,
    /// Entries to change or add.
    pub(crate) configuration: BTreeMap<String, String>,
    /// `providerData.code`: re-authenticates an OAuth instance.
    pub(crate) oauth_code: Option<String>,
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
pub(crate) fn new_instance(
    catalog: &Catalog,
    body: &[u8],
    path_element: Option<Arc<Element>>,
) -> Result<NewInstance, ApiError> {
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
    let name = required_name(&body)?;
    let tags = optional_tags(&body)?.unwrap_or_default();
    let oauth_code = provider_code(&body)?;
    let mut configuration = configuration(&body)?;

    let element = match (key, path_element) {
        (Some(key), Some(element)) if key != element.key() => {
            return Err(bad_request(format!(
                "Element key '{key}' in the body does not match element '{}' in the path",
                element.key()
            )));
        }
        (Some(key), _) => catalog
            .by_key(key)
            .cloned()
            .ok_or_else(|| ApiError::new(404, format!("No element found with key '{key}'")))?,
        (None, Some(element)) => element,
        (None, None) => return Err(bad_request("'element.key' must be a non-empty string")),
    };

    let mut missing = element.definition.missing(|key| configuration.get(key).map(String::as_str));
    if values::needs_callback(&configuration)
        && values::is_blank(configuration.get(values::CALLBACK_URL))
        && !missing.iter().any(|k| k == values::CALLBACK_URL)
    {
        missing.push(values::CALLBACK_URL.to_owned());
    }
    if !missing.is_empty() {
        return Err(missing_entries(&element, &missing));
    }
    values::check_all(&element, &configuration)?;
    for entry in &element.definition.configuration {
        if let Some(default) = entry.applied_default() {
            if values::is_blank(configuration.get(&entry.key)) {
                configuration.insert(entry.key.clone(), default.to_owned());
            }
        }
    }
    Ok(NewInstance { element, name, tags, configuration, oauth_code })
}

/// Validates a `PUT`/`PATCH /instances/{id}` body for an instance of `element`: `name`, `tags`,
/// `configuration` entries and `providerData.code`, all optional.
pub(crate) fn instance_update(body: &[u8], element: &Element) -> Result<InstanceUpdate, ApiError> {
    let body = json_object(body)?;
    let name = match body.get("name") {
        None | Some(Value::Null) => None,
        Some(_) => Some(required_name(&body)?),
    };
    let configuration = configuration(&body)?;
    let blanked: Vec<String> = configuration
        .iter()
        .filter(|(key, value)| element.entry(key).is_some_and(|e| e.must_supply() && e.is_missing(Some(value))))
        .map(|(key, _)| key.clone())
        .collect();
    if !blanked.is_empty() {
        return Err(missing_entries(element, &blanked));
    }
    values::check_all(element, &configuration)?;
    Ok(InstanceUpdate { name, tags: optional_tags(&body)?, configuration, oauth_code: provider_code(&body)? })
}

/// Validates a `PATCH /instances/{id}/configuration/{configId}` body for the entry `key`; returns
/// the new value.
pub(crate) fn config_value_update(body: &[u8], element: &Element, key: &str) -> Result<String, ApiError> {
    let body = json_object(body)?;
    let Some(Value::String(value)) = body.get("propertyValue") else {
        return Err(bad_request("'propertyValue' must be a string"));
    };
    if let Some(entry) = element.entry(key) {
        if entry.must_supply() && entry.is_missing(Some(value)) {
            return Err(missing_entries(element, &[key.to_owned()]));
        }
        values::check(entry, value)?;
    }
    Ok(value.clone())
}

fn missing_entries(element: &Element, keys: &[String]) -> ApiError {
    bad_request(format!("Missing required configuration entries for element '{}': {}", element.key(), keys.join(", ")))
}

/// `name`: a string that is not empty once HTML is stripped.
fn required_name(body: &Map<String, Value>) -> Result<String, ApiError> {
    match body.get("name") {
        Some(Value::String(name)) => Some(strip_html(name)).filter(|n| !n.trim().is_empty()),
        _ => None,
    }
    .ok_or_else(|| bad_request("'name' must be a non-empty string"))
}

/// `tags`, HTML stripped.
fn optional_tags(body: &Map<String, Value>) -> Result<Option<Vec<String>>, ApiError> {
    let invalid = || bad_request("'tags' must be an array of strings");
    match body.get("tags") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => {
            let tags: Option<Vec<String>> = items.iter().map(|t| t.as_str().map(strip_html)).collect();
            tags.map(Some).ok_or_else(invalid)
        }
        Some(_) => Err(invalid()),
    }
}

/// `configuration`: an object of string values.
fn configuration(body: &Map<String, Value>) -> Result<BTreeMap<String, String>, ApiError> {
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
    Ok(configuration)
}

/// `providerData.code`, when given.
fn provider_code(body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    match body.get("providerData") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(data)) => match data.get("code") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(code)) if !code.trim().is_empty() => Ok(Some(code.clone())),
            Some(_) => Err(bad_request("'providerData.code' must be a non-empty string")),
        },
        Some(_) => Err(bad_request("'providerData' must be an object")),
    }
}

/// Drops HTML tags, as the platform does to instance names and tags: `<a href="#">sales</a>` is
/// `sales`. A `<` that no `>` closes is kept as text, and so is text that is nothing but tags: the
/// platform's own sample requests hold placeholders like `<INSERT_INSTANCE_NAME>`, which a
/// sandbox must still accept.
pub(crate) fn strip_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else { break };
        out.push_str(&rest[..open]);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    if out.trim().is_empty() { text.to_owned() } else { out }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;

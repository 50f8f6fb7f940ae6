//! What may be printed: instances, requests and configuration entries as JSON, with the values of
//! secret configuration entries masked, and the instance token masked unless asked for.

use cloud_elements::{Client, ConfigurationEntry, Instance, InstanceRequest, catalog};
use serde_json::{Map, Value};

/// What a masked value shows.
pub(crate) const MASK: &str = "********";

/// Whether entry `key` of `element` is a secret: by the client's rule when there is a client
/// (`Client::is_secret_entry`: the built-in definition, else the platform's, else the key's name),
/// else by the built-in definitions and the key's name.
fn is_secret_entry(client: Option<&Client>, element: &str, key: &str) -> bool {
    match client {
        Some(client) => client.is_secret_entry(element, key),
        None => catalog::is_secret_entry(element, key),
    }
}

/// Masks the values of secret entries of `element` in a `configuration` object (empty values
/// stay empty: they show that nothing was set).
fn mask_configuration(client: Option<&Client>, element: &str, configuration: &mut Value) {
    if let Value::Object(entries) = configuration {
        for (key, value) in entries.iter_mut() {
            let empty = value.as_str().is_some_and(str::is_empty) || value.is_null();
            if is_secret_entry(client, element, key) && !empty {
                *value = Value::String(MASK.to_owned());
            }
        }
    }
}

/// An instance as the server answered it, its secret configuration values masked, and its token
/// too unless `show_token`. Secrets are told apart by `client`'s rule when given.
pub(crate) fn instance(client: Option<&Client>, instance: &Instance, show_token: bool) -> Value {
    let mut json = instance.raw().clone();
    let element = instance.element.key.clone().unwrap_or_default();
    if let Value::Object(fields) = &mut json {
        if !show_token {
            fields.insert("token".to_owned(), Value::String(MASK.to_owned()));
        }
        if let Some(configuration) = fields.get_mut("configuration") {
            mask_configuration(client, &element, configuration);
        }
        if let Some(Value::Object(data)) = fields.get_mut("providerData") {
            data.values_mut().for_each(|v| *v = Value::String(MASK.to_owned()));
        }
    }
    json
}

/// A create request's body, as it would be sent, with secret values and the OAuth code masked.
pub(crate) fn request(request: &InstanceRequest) -> Value {
    let mut json: Value = serde_json::from_str(&request.to_json()).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut json {
        if let Some(configuration) = fields.get_mut("configuration") {
            mask_configuration(None, request.element_key(), configuration);
        }
        if let Some(Value::Object(data)) = fields.get_mut("providerData") {
            data.values_mut().for_each(|v| *v = Value::String(MASK.to_owned()));
        }
    }
    json
}

/// A configuration entry as the server answered it (`id`, `key`, `propertyValue`, the rest), its
/// value masked when the key is a secret's (by `element`'s definition, or by the key's name when
/// the element is not known here; `client`'s rule, which knows fetched definitions, when given).
pub(crate) fn entry(client: Option<&Client>, entry: &ConfigurationEntry, element: &str) -> Value {
    let mut json = Map::new();
    json.insert("id".to_owned(), Value::from(entry.id));
    json.insert("key".to_owned(), Value::String(entry.key.clone()));
    let value = entry.property_value.expose();
    let shown = if is_secret_entry(client, element, &entry.key) && !value.is_empty() { MASK } else { value };
    json.insert("propertyValue".to_owned(), Value::String(shown.to_owned()));
    for (field, value) in &entry.extra {
        json.entry(field.clone()).or_insert_with(|| value.clone());
    }
    Value::Object(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_show_keys_and_plain_values_but_no_secret() {
        let request = InstanceRequest::new("pardot", "Marketing")
            .config("apikey.user.name", "me")
            .config("apikey.user.password", "PW-SECRET")
            .config("apikey.user.key", "KEY-SECRET")
            .oauth_code("CODE-SECRET");
        let text = request_text(&request);
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("apikey.user.password") && text.contains("\"me\""), "{text}");
    }

    fn request_text(r: &InstanceRequest) -> String {
        request(r).to_string()
    }

    #[test]
    fn instances_hide_the_token_unless_asked() {
        let raw = r#"{"id": 1, "token": "TOKEN-SECRET", "element": {"key": "closeio"},
                      "configuration": {"password": "PW-SECRET", "password2": "", "base.url": "https://x"}}"#;
        let parsed = Instance::from_json(raw).unwrap();
        let hidden = instance(None, &parsed, false).to_string();
        assert!(!hidden.contains("SECRET") && hidden.contains("https://x"), "{hidden}");
        assert!(instance(None, &parsed, true).to_string().contains("TOKEN-SECRET"));
        assert!(!instance(None, &parsed, true).to_string().contains("PW-SECRET"));
    }
}

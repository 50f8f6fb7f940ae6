//! The `update_json` argument of `ce_update_instance()`, read into the core's `InstanceUpdate`.

use cloud_elements::InstanceUpdate;
use serde_json::{Map, Value};

use super::error::Failure;

/// The keys `update_json` may have, as named in `ce_update_instance()`'s documentation.
const KEYS: &str = "`name`, `tags`, `configuration`, `providerData`";

/// Reads `{"name":…,"tags":[…],"configuration":{…},"providerData":{"code":…}}`: every key
/// optional, any other key refused. Configuration values are strings, or numbers and booleans
/// (sent as their text, as on the wire). Messages name keys, never values.
pub(super) fn parse_update(json: &str) -> Result<InstanceUpdate, Failure> {
    let body: Map<String, Value> = match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(body)) => body,
        Ok(_) => return Err(Failure::invalid("`update_json` is not a JSON object")),
        Err(e) => {
            return Err(Failure::invalid(format!(
                "`update_json` is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            )));
        }
    };
    let mut update = InstanceUpdate::new();
    for (key, value) in body {
        update = match key.as_str() {
            "name" => match value {
                Value::String(name) => update.name(name),
                _ => return Err(Failure::invalid("`update_json`: `name` is not a string")),
            },
            "tags" => update.tags(strings(value, "tags")?),
            "configuration" => {
                let Value::Object(entries) = value else {
                    return Err(Failure::invalid("`update_json`: `configuration` is not an object"));
                };
                entries.into_iter().try_fold(update, |update, (key, value)| match text(value) {
                    Some(value) => Ok(update.config(key, value)),
                    None => Err(Failure::invalid(format!(
                        "`update_json`: configuration entry `{key}` is not a string, number or boolean"
                    ))),
                })?
            }
            "providerData" => {
                let Value::Object(provider_data) = value else {
                    return Err(Failure::invalid("`update_json`: `providerData` is not an object"));
                };
                let mut code = None;
                for (key, value) in provider_data {
                    match (key.as_str(), value) {
                        ("code", Value::String(value)) => code = Some(value),
                        ("code", _) => {
                            return Err(Failure::invalid("`update_json`: `providerData.code` is not a string"));
                        }
                        _ => {
                            return Err(Failure::invalid(format!(
                                "`update_json`: unknown key `providerData.{key}` (only `code` is known)"
                            )));
                        }
                    }
                }
                match code {
                    Some(code) => update.oauth_code(code),
                    None => update,
                }
            }
            _ => return Err(Failure::invalid(format!("`update_json`: unknown key `{key}` (known: {KEYS})"))),
        };
    }
    Ok(update)
}

/// An array of strings.
fn strings(value: Value, what: &str) -> Result<Vec<String>, Failure> {
    let Value::Array(items) = value else {
        return Err(Failure::invalid(format!("`update_json`: `{what}` is not an array")));
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(item) => Ok(item),
            _ => Err(Failure::invalid(format!("`update_json`: an item of `{what}` is not a string"))),
        })
        .collect()
}

/// A configuration value as sent: strings as they are, numbers and booleans as their text.
fn text(value: Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_reaches_the_update() {
        let update = parse_update(
            r#"{"name":"N","tags":["a","b"],"configuration":{"k":"v","n":4,"f":false},"providerData":{"code":"C"}}"#,
        )
        .unwrap();
        assert_eq!(
            update.to_json(),
            r#"{"name":"N","tags":["a","b"],"configuration":{"k":"v","n":"4","f":"false"},"providerData":{"code":"C"}}"#
        );
        assert_eq!(parse_update(r#"{"tags":[]}"#).unwrap().to_json(), r#"{"tags":[]}"#);
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_refused_without_values() {
        for (json, says) in [
            (r#"{"nmae":"x"}"#, "unknown key `nmae`"),
            (r#"{"providerData":{"code":"SECRET","state":"s"}}"#, "unknown key `providerData.state`"),
            (r#"{"tags":"SECRET"}"#, "`tags` is not an array"),
            (r#"{"tags":[1]}"#, "an item of `tags`"),
            (r#"{"configuration":{"password":["SECRET"]}}"#, "entry `password`"),
            (r#"{"configuration":[]}"#, "`configuration` is not an object"),
            (r#"{"name":7}"#, "`name` is not a string"),
            (r#"{"providerData":{"code":1}}"#, "`providerData.code` is not a string"),
            ("[]", "not a JSON object"),
            (r#"{"name":"SECRET"#, "not valid JSON"),
        ] {
            let failure = parse_update(json).unwrap_err();
            assert!(failure.message.contains(says), "{json}: {}", failure.message);
            assert!(!failure.message.contains("SECRET"), "{json}: {}", failure.message);
        }
    }
}

//! [`InstanceUpdate::from_json`]: an update read from JSON, for the bindings and the command line.

use serde_json::{Map, Value};

use crate::error::Error;
use crate::models::update::InstanceUpdate;

/// The keys an update's JSON may have.
const KEYS: &str = "`name`, `tags`, `configuration`, `providerData`";

impl InstanceUpdate {
    /// Reads `{"name":…,"tags":[…],"configuration":{…},"providerData":{"code":…}}`, the body of
    /// `PATCH /instances/{id}`: every key optional, any other key refused, naming it.
    /// Configuration values are strings, or numbers and booleans (sent as their text, as on the
    /// wire). Problems name keys, never values.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for text that is not a JSON object, an unknown key or a value of
    /// the wrong type.
    ///
    /// ```
    /// use cloud_elements::InstanceUpdate;
    ///
    /// let update = InstanceUpdate::from_json(r#"{"name":"EU","configuration":{"retries":3}}"#)?;
    /// assert_eq!(update.to_json(), r#"{"name":"EU","configuration":{"retries":"3"}}"#);
    /// let err = InstanceUpdate::from_json(r#"{"nmae":"EU"}"#).unwrap_err();
    /// assert!(err.to_string().contains("unknown key `nmae`"));
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<InstanceUpdate, Error> {
        let body: Map<String, Value> = match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(body)) => body,
            Ok(_) => return Err(Error::invalid("the update is not a JSON object")),
            Err(e) => {
                return Err(Error::invalid(format!(
                    "the update is not valid JSON (line {}, column {})",
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
                    _ => return Err(Error::invalid("`name` is not a string")),
                },
                "tags" => update.tags(strings(value, "tags")?),
                "configuration" => {
                    let Value::Object(entries) = value else {
                        return Err(Error::invalid("`configuration` is not an object"));
                    };
                    entries.into_iter().try_fold(update, |update, (key, value)| match text(value) {
                        Some(value) => Ok(update.config(key, value)),
                        None => Err(Error::invalid(format!(
                            "configuration entry `{key}` is not a string, number or boolean"
                        ))),
                    })?
                }
                "providerData" => match oauth_code(value)? {
                    Some(code) => update.oauth_code(code),
                    None => update,
                },
                _ => return Err(Error::invalid(format!("unknown key `{key}` (known: {KEYS})"))),
            };
        }
        Ok(update)
    }
}

/// The code of a `providerData` object, which may have no other key.
fn oauth_code(value: Value) -> Result<Option<String>, Error> {
    let Value::Object(provider_data) = value else {
        return Err(Error::invalid("`providerData` is not an object"));
    };
    let mut code = None;
    for (key, value) in provider_data {
        match (key.as_str(), value) {
            ("code", Value::String(value)) => code = Some(value),
            ("code", _) => return Err(Error::invalid("`providerData.code` is not a string")),
            _ => {
                return Err(Error::invalid(format!("unknown key `providerData.{key}` (only `code` is known)")));
            }
        }
    }
    Ok(code)
}

/// An array of strings.
fn strings(value: Value, what: &str) -> Result<Vec<String>, Error> {
    let Value::Array(items) = value else {
        return Err(Error::invalid(format!("`{what}` is not an array")));
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(item) => Ok(item),
            _ => Err(Error::invalid(format!("an item of `{what}` is not a string"))),
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
        let update = InstanceUpdate::from_json(
            r#"{"name":"N","tags":["a","b"],"configuration":{"k":"v","n":4,"f":false},"providerData":{"code":"C"}}"#,
        )
        .unwrap();
        assert_eq!(
            update.to_json(),
            r#"{"name":"N","tags":["a","b"],"configuration":{"k":"v","n":"4","f":"false"},"providerData":{"code":"C"}}"#
        );
        assert_eq!(InstanceUpdate::from_json(r#"{"tags":[]}"#).unwrap().to_json(), r#"{"tags":[]}"#);
        assert!(InstanceUpdate::from_json("{}").unwrap().is_empty());
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_refused_without_values() {
        for (json, says) in [
            (r#"{"nmae":"x"}"#, "unknown key `nmae`"),
            (r#"{"providerData":{"code":"SECRET","state":"s"}}"#, "unknown key `providerData.state`"),
            (r#"{"providerData":"SECRET"}"#, "`providerData` is not an object"),
            (r#"{"tags":"SECRET"}"#, "`tags` is not an array"),
            (r#"{"tags":[1]}"#, "an item of `tags`"),
            (r#"{"configuration":{"password":["SECRET"]}}"#, "entry `password`"),
            (r#"{"configuration":[]}"#, "`configuration` is not an object"),
            (r#"{"name":7}"#, "`name` is not a string"),
            (r#"{"providerData":{"code":1}}"#, "`providerData.code` is not a string"),
            ("[]", "not a JSON object"),
            (r#"{"name":"SECRET"#, "not valid JSON"),
        ] {
            let err = InstanceUpdate::from_json(json).unwrap_err();
            let Error::InvalidInput { problems } = &err else { panic!("{json}: {err:?}") };
            assert_eq!(problems.len(), 1, "{json}: {problems:?}");
            assert!(problems[0].contains(says), "{json}: {}", problems[0]);
            assert!(!format!("{err}{err:?}").contains("SECRET"), "{json}: {err}");
        }
    }
}

//! A change to an existing instance: the body of `PATCH /instances/{id}`.

use std::fmt;

use serde_json::{Map, Value};

/// What [`Client::update_instance`](crate::Client::update_instance) changes; what is not set is
/// left as it is.
///
/// Tags are *replaced*, not merged: `tags(["a"])` leaves the instance with the one tag `a`. A new
/// OAuth code (`providerData.code`) re-authenticates an OAuth instance. `Debug` shows configuration
/// keys but no values, and not the code.
///
/// ```
/// use cloud_elements::InstanceUpdate;
///
/// let update = InstanceUpdate::new().name("Sales EU").tags(["eu", "crm"]).config("password", "NEW");
/// assert_eq!(
///     update.to_json(),
///     r#"{"name":"Sales EU","tags":["eu","crm"],"configuration":{"password":"NEW"}}"#
/// );
/// assert!(!format!("{update:?}").contains("NEW"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct InstanceUpdate {
    name: Option<String>,
    tags: Option<Vec<String>>,
    configuration: Vec<(String, String)>,
    oauth_code: Option<String>,
}

impl InstanceUpdate {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        InstanceUpdate::default()
    }

    /// A new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The instance's new tags, replacing all of its tags (an empty list removes them all).
    pub fn tags<T: Into<String>>(mut self, tags: impl IntoIterator<Item = T>) -> Self {
        self.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// A new value for configuration entry `key`; setting a key again replaces its value.
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        match self.configuration.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.configuration.push((key, value)),
        }
        self
    }

    /// A new OAuth code from the provider's redirect (`providerData.code`): re-authenticates the
    /// instance.
    pub fn oauth_code(mut self, code: impl Into<String>) -> Self {
        self.oauth_code = Some(code.into());
        self
    }

    /// Whether the update changes nothing.
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.tags.is_none() && self.configuration.is_empty() && self.oauth_code.is_none()
    }

    /// The request body, exactly as it is sent. It contains the configuration's values and the
    /// OAuth code.
    pub fn to_json(&self) -> String {
        let mut body = Map::new();
        if let Some(name) = &self.name {
            body.insert("name".into(), Value::String(name.clone()));
        }
        if let Some(tags) = &self.tags {
            body.insert("tags".into(), tags.iter().cloned().map(Value::String).collect());
        }
        if !self.configuration.is_empty() {
            let entries = self.configuration.iter().map(|(k, v)| (k.clone(), Value::String(v.clone())));
            body.insert("configuration".into(), Value::Object(entries.collect()));
        }
        if let Some(code) = &self.oauth_code {
            let mut provider_data = Map::new();
            provider_data.insert("code".into(), Value::String(code.clone()));
            body.insert("providerData".into(), Value::Object(provider_data));
        }
        Value::Object(body).to_string()
    }

    /// Whether the update carries an OAuth code, which the provider accepts only once.
    pub(crate) fn has_oauth_code(&self) -> bool {
        self.oauth_code.is_some()
    }

    /// Every value that must be hidden in error text: configuration values and the code.
    pub(crate) fn secret_values(&self) -> impl Iterator<Item = &str> {
        self.configuration.iter().map(|(_, v)| v.as_str()).chain(self.oauth_code.as_deref())
    }

    /// The problems with the update (no values named), all at once.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.is_empty() {
            problems.push("the update changes nothing".to_owned());
        }
        if self.name.as_deref().is_some_and(|name| name.trim().is_empty()) {
            problems.push("the new instance name is empty".to_owned());
        }
        if self.tags.iter().flatten().any(|tag| tag.trim().is_empty()) {
            problems.push("a tag is empty".to_owned());
        }
        if self.configuration.iter().any(|(key, _)| key.trim().is_empty()) {
            problems.push("a configuration key is empty".to_owned());
        }
        problems
    }
}

impl fmt::Debug for InstanceUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self.configuration.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("InstanceUpdate")
            .field("name", &self.name)
            .field("tags", &self.tags)
            .field("configuration_keys", &keys)
            .field("oauth_code", &self.oauth_code.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_is_set_is_sent() {
        assert_eq!(InstanceUpdate::new().tags(Vec::<String>::new()).to_json(), r#"{"tags":[]}"#);
        let update = InstanceUpdate::new().oauth_code("c0de-SECRET").config("a", "1").config("a", "2");
        assert_eq!(update.to_json(), r#"{"configuration":{"a":"2"},"providerData":{"code":"c0de-SECRET"}}"#);
        assert!(!format!("{update:?}").contains("SECRET"));
        assert_eq!(update.secret_values().collect::<Vec<_>>(), ["2", "c0de-SECRET"]);
    }

    #[test]
    fn problems_are_named_without_values() {
        assert_eq!(InstanceUpdate::new().problems(), ["the update changes nothing"]);
        let problems = InstanceUpdate::new().name(" ").tags(["", "ok"]).config("", "v").problems();
        assert_eq!(problems.len(), 3, "{problems:?}");
    }
}

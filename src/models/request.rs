//! The request that provisions an instance: the body of `POST /instances`.

use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::builder::PROVISIONING_TAG_PREFIX;
use crate::catalog::common;
use crate::error::Error;

/// A request to provision one instance of an element: the body of `POST /instances`.
///
/// Configuration entries keep the order they were set in, so the body reads like the
/// documentation's `instance.json`; setting a key again replaces its value in place.
///
/// ```
/// use cloud_elements::InstanceRequest;
///
/// let request = InstanceRequest::new("closeio", "Test")
///     .config("username", "MY_KEY")
///     .config("password", "MY_PW")
///     .tag("demo");
/// assert_eq!(
///     request.to_json(),
///     r#"{"element":{"key":"closeio"},"configuration":{"username":"MY_KEY","password":"MY_PW"},"tags":["demo"],"name":"Test"}"#
/// );
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct InstanceRequest {
    element_key: String,
    name: String,
    configuration: Vec<(String, String)>,
    tags: Vec<String>,
    provider_data: Option<Map<String, Value>>,
    idempotency_key: Option<String>,
}

/// How the platform learns of changes in the third-party service (`event.vendor.type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventVendorType {
    /// The service calls the platform.
    Webhook,
    /// The platform polls the service.
    Polling,
}

impl InstanceRequest {
    /// A request for an instance of `element_key` named `name`, with no configuration yet.
    pub fn new(element_key: impl Into<String>, name: impl Into<String>) -> Self {
        InstanceRequest { element_key: element_key.into(), name: name.into(), ..Default::default() }
    }

    /// Parses the documentation's `instance.json` as is:
    /// `{"element":{"key":…},"configuration":{…},"tags":[…],"name":…}`, with an optional
    /// `providerData` object for OAuth elements.
    ///
    /// Configuration values should be strings; numbers and booleans are accepted and sent as
    /// their text (`4` becomes `"4"`), objects and arrays as compact JSON text. Every problem is
    /// reported at once, naming keys, never values.
    ///
    /// ```
    /// let request = cloud_elements::InstanceRequest::from_json(r#"{
    ///   "element": {"key": "pardot"},
    ///   "configuration": {"apikey.user.name": "me", "apikey.user.password": "pw",
    ///                     "apikey.user.key": "k", "provider.version": 4},
    ///   "tags": ["demo"],
    ///   "name": "Test"
    /// }"#).unwrap();
    /// assert_eq!(request.config_value("provider.version"), Some("4"));
    /// ```
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            // serde_json's message names a line and column, never the content.
            Error::invalid(format!("the instance JSON is not valid JSON: {e}"))
        })?;
        let Value::Object(object) = value else {
            return Err(Error::invalid("the instance JSON must be an object"));
        };
        let mut request = InstanceRequest::default();
        let mut problems = Vec::new();
        for (field, value) in object {
            match (field.as_str(), value) {
                ("element", Value::Object(mut element)) => match element.remove("key") {
                    Some(Value::String(key)) => request.element_key = key,
                    _ => problems.push("`element.key` must be a string".to_owned()),
                },
                ("element", _) => problems.push("`element` must be an object with a `key`".to_owned()),
                ("name", Value::String(name)) => request.name = name,
                ("name", _) => problems.push("`name` must be a string".to_owned()),
                ("tags", Value::Array(tags)) => {
                    for tag in tags {
                        match tag {
                            // The tag an idempotency key is sent as reads back as that key.
                            Value::String(tag) if request.idempotency_key.is_none() && key_of_tag(&tag).is_some() => {
                                request.idempotency_key = key_of_tag(&tag).map(str::to_owned);
                            }
                            Value::String(tag) => request.tags.push(tag),
                            _ => problems.push("every tag must be a string".to_owned()),
                        }
                    }
                }
                ("tags", Value::Null) => {}
                ("tags", _) => problems.push("`tags` must be an array of strings".to_owned()),
                ("configuration", Value::Object(entries)) => {
                    for (key, value) in entries {
                        match config_text(value) {
                            Some(text) => {
                                request.set_config(key, text);
                            }
                            None => problems.push(format!("configuration entry `{key}` is null")),
                        }
                    }
                }
                ("configuration", Value::Null) => {}
                ("configuration", _) => problems.push("`configuration` must be an object".to_owned()),
                ("providerData", Value::Object(data)) => request.provider_data = Some(data),
                ("providerData", _) => problems.push("`providerData` must be an object".to_owned()),
                (other, _) => problems.push(format!(
                    "unknown field `{other}` (expected element, configuration, tags, name, providerData)"
                )),
            }
        }
        if problems.is_empty() { Ok(request) } else { Err(Error::InvalidInput { problems }) }
    }

    /// Sets configuration entry `key` (builder style).
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_config(key, value);
        self
    }

    /// Sets configuration entry `key`, replacing an earlier value in place.
    pub fn set_config(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let (key, value) = (key.into(), value.into());
        match self.configuration.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.configuration.push((key, value)),
        }
        self
    }

    /// Removes configuration entry `key`, returning whether it was set.
    pub fn remove_config(&mut self, key: &str) -> bool {
        let before = self.configuration.len();
        self.configuration.retain(|(k, _)| k != key);
        before != self.configuration.len()
    }

    /// Adds a tag (builder style).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.add_tag(tag);
        self
    }

    /// Adds a tag.
    pub fn add_tag(&mut self, tag: impl Into<String>) -> &mut Self {
        self.tags.push(tag.into());
        self
    }

    /// Sets the instance name.
    pub fn set_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.name = name.into();
        self
    }

    /// Sets the OAuth code the provider's redirect returned (`providerData.code`), for elements
    /// with `typeOauth: true`.
    pub fn oauth_code(mut self, code: impl Into<String>) -> Self {
        self.provider_data.get_or_insert_with(Map::new).insert("code".into(), Value::String(code.into()));
        self
    }

    /// Sets the idempotency key (builder style): a name for this create that stays the same when
    /// it is run again (a record's id in a batch, say), sent as the tag
    /// [`PROVISIONING_TAG_PREFIX`](crate::PROVISIONING_TAG_PREFIX)`<key>`. With a key,
    /// [`Client::create_instance`](crate::Client::create_instance) first looks for an instance
    /// carrying that tag and returns it instead of creating a second one; after a failure that
    /// leaves the outcome open it looks again before sending again.
    ///
    /// A key is 1 to 64 characters from `A-Z a-z 0-9 . _ -`; [`validate`](Self::validate)
    /// refuses any other.
    ///
    /// ```
    /// use cloud_elements::InstanceRequest;
    ///
    /// let request = InstanceRequest::new("closeio", "Sales").idempotency_key("batch-7.record-42");
    /// assert_eq!(request.get_idempotency_key(), Some("batch-7.record-42"));
    /// assert!(request.to_json().contains(r#""tags":["ce-provision-batch-7.record-42"]"#));
    /// assert!(InstanceRequest::new("closeio", "Sales").idempotency_key("no spaces").validate().is_err());
    /// ```
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.set_idempotency_key(key);
        self
    }

    /// Sets the idempotency key (see [`idempotency_key`](Self::idempotency_key)).
    pub fn set_idempotency_key(&mut self, key: impl Into<String>) -> &mut Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Removes the idempotency key, returning it.
    pub fn clear_idempotency_key(&mut self) -> Option<String> {
        self.idempotency_key.take()
    }

    /// The idempotency key, if one is set.
    pub fn get_idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    /// The tag the idempotency key is sent as, if one is set.
    pub(crate) fn idempotency_tag(&self) -> Option<String> {
        self.idempotency_key.as_deref().map(|key| format!("{PROVISIONING_TAG_PREFIX}{key}"))
    }

    /// The OAuth code (`providerData.code`), if one is set and is text.
    pub(crate) fn provider_code(&self) -> Option<&str> {
        self.provider_data.as_ref()?.get("code")?.as_str()
    }

    /// `event.notification.enabled`: whether the platform sends events (default false).
    pub fn event_notifications(self, enabled: bool) -> Self {
        self.config(common::EVENT_NOTIFICATION_ENABLED, bool_text(enabled))
    }

    /// `event.vendor.type`.
    pub fn event_vendor_type(self, kind: EventVendorType) -> Self {
        let text = match kind {
            EventVendorType::Webhook => "webhook",
            EventVendorType::Polling => "polling",
        };
        self.config(common::EVENT_VENDOR_TYPE, text)
    }

    /// `event.notification.callback.url`: where the platform posts events.
    pub fn event_callback_url(self, url: impl Into<String>) -> Self {
        self.config(common::EVENT_NOTIFICATION_CALLBACK_URL, url)
    }

    /// `event.notification.signature.key`: the key that signs event posts.
    pub fn event_signature_key(self, key: impl Into<String>) -> Self {
        self.config(common::EVENT_NOTIFICATION_SIGNATURE_KEY, key)
    }

    /// `event.poller.refresh_interval`, in minutes.
    pub fn event_poller_refresh_interval(self, minutes: u32) -> Self {
        self.config(common::EVENT_POLLER_REFRESH_INTERVAL, minutes.to_string())
    }

    /// `event.poller.configuration`: what to poll, sent as JSON text.
    pub fn event_poller_configuration(self, configuration: &Value) -> Self {
        self.config(common::EVENT_POLLER_CONFIGURATION, configuration.to_string())
    }

    /// `filter.response.nulls`: drop `null` values from responses (default true).
    pub fn filter_response_nulls(self, filter: bool) -> Self {
        self.config(common::FILTER_RESPONSE_NULLS, bool_text(filter))
    }

    /// The element key.
    pub fn element_key(&self) -> &str {
        &self.element_key
    }

    /// The instance name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The configuration entries, in the order they were set.
    pub fn configuration(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.configuration.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value of configuration entry `key`, if set.
    pub fn config_value(&self, key: &str) -> Option<&str> {
        self.configuration.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The tags (the idempotency key's tag, added when the request is sent, is not among them).
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Checks the request against the built-in element definitions without sending it (see
    /// [`crate::catalog::validate`]). Other elements get only the checks of the request's own
    /// shape here; [`Client::validate_request`](crate::Client::validate_request) checks them
    /// against their definition, fetched from the platform.
    pub fn validate(&self) -> Result<(), Error> {
        crate::validate::validate(self)
    }

    /// The request body, exactly as it is sent. It contains the configuration's secrets.
    pub fn to_json(&self) -> String {
        String::from_utf8(self.to_json_bytes()).unwrap_or_default()
    }

    pub(crate) fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128 + self.configuration.len() * 48);
        // Serializing plain strings and maps into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, &Body(self));
        out
    }

    /// Every value that must be hidden in error text: the values of secret entries of any
    /// length (`is_secret` says which entries are secrets, by their key), and any value long
    /// enough to be distinctive.
    pub(crate) fn secret_values<'a>(&'a self, is_secret: impl Fn(&str) -> bool + 'a) -> impl Iterator<Item = &'a str> {
        self.configuration
            .iter()
            .filter(move |(k, v)| v.len() >= 8 || (v.len() >= 3 && is_secret(k)))
            .map(|(_, v)| v.as_str())
            .chain(self.provider_code().filter(|code| !code.is_empty()))
    }
}

/// The idempotency key a tag carries, when it is the tag of a well-formed key.
fn key_of_tag(tag: &str) -> Option<&str> {
    tag.strip_prefix(PROVISIONING_TAG_PREFIX).filter(|key| crate::validate::idempotency_key_problem(key).is_none())
}

fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

fn config_text(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// Serializes a request in the documented field order.
struct Body<'a>(&'a InstanceRequest);

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Element<'a>(&'a str);
        impl Serialize for Element<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("key", self.0)?;
                map.end()
            }
        }
        struct Configuration<'a>(&'a [(String, String)]);
        impl Serialize for Configuration<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
        struct Tags<'a>(&'a [String], &'a str);
        impl Serialize for Tags<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(String::as_str).chain([self.1]))
            }
        }
        let r = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("element", &Element(&r.element_key))?;
        if let Some(data) = &r.provider_data {
            map.serialize_entry("providerData", data)?;
        }
        map.serialize_entry("configuration", &Configuration(&r.configuration))?;
        match r.idempotency_tag() {
            Some(tag) => map.serialize_entry("tags", &Tags(&r.tags, &tag))?,
            None => map.serialize_entry("tags", &r.tags)?,
        }
        map.serialize_entry("name", &r.name)?;
        map.end()
    }
}

impl fmt::Debug for InstanceRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self.configuration.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("InstanceRequest")
            .field("element_key", &self.element_key)
            .field("name", &self.name)
            .field("configuration_keys", &keys)
            .field("tags", &self.tags)
            .field("provider_data", &self.provider_data.as_ref().map(|_| "[redacted]"))
            .field("idempotency_key", &self.idempotency_key)
            .finish()
    }
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;

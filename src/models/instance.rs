//! An instance as the server describes it, and the element inside that description.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::auth::Secret;
use crate::error::{Effect, Error};
use crate::redact::{Redactor, without_quoted_values};

/// A configuration as the server reports it: entry → value. Every value is a [`Secret`], since
/// the server echoes passwords (see the Close.io sample response).
pub type Configuration = BTreeMap<String, Secret>;

/// A provisioned instance, as the server described it.
///
/// Fields the documentation shows may still be absent from a response, so most are `Option`s;
/// fields the client does not know are kept in [`extra`](Self::extra), and the whole response in
/// [`raw`](Self::raw). `Debug` shows neither the token nor configuration values.
///
/// ```
/// let instance = cloud_elements::Instance::from_json(
///     r#"{"id": 12, "name": "Test", "token": "abc=", "element": {"key": "closeio"}, "valid": true}"#,
/// ).unwrap();
/// assert_eq!(instance.id, 12);
/// assert_eq!(instance.token.expose(), "abc=");
/// assert_eq!(instance.element.key.as_deref(), Some("closeio"));
/// assert!(!format!("{instance:?}").contains("abc="));
/// ```
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Instance {
    /// The instance id.
    pub id: i64,
    /// The instance name.
    pub name: Option<String>,
    /// The instance token: keep it for every later call on this instance.
    pub token: Secret,
    /// The element this is an instance of, as the server reports it.
    #[serde(default)]
    pub element: Element,
    /// Provisioning interactions.
    pub provision_interactions: Option<Vec<Value>>,
    /// Whether the instance is valid.
    pub valid: Option<bool>,
    /// Whether the instance is disabled.
    pub disabled: Option<bool>,
    /// Maximum cache size.
    pub max_cache_size: Option<i64>,
    /// Cache time to live.
    pub cache_time_to_live: Option<i64>,
    /// The configuration, with the platform's defaults (values hidden from `Debug`).
    #[serde(default, deserialize_with = "configuration_values")]
    pub configuration: Option<Configuration>,
    /// Whether events are enabled.
    pub events_enabled: Option<bool>,
    /// Whether caching is enabled.
    pub caching_enabled: Option<bool>,
    /// Response fields the client does not model (`tags`, for example).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The response as JSON, parsed from `raw_json` when first asked for: a create that only
    /// needs the token parses its answer once.
    #[serde(skip)]
    raw: OnceLock<Value>,
    #[serde(skip)]
    raw_json: String,
}

/// An element, as described in an instance response.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Element {
    /// The element id.
    pub id: Option<i64>,
    /// The display name.
    pub name: Option<String>,
    /// The element key (report it: it need not be the key that was asked for).
    pub key: Option<String>,
    /// A description.
    pub description: Option<String>,
    /// An image URL or path.
    pub image: Option<String>,
    /// Whether the element is active.
    pub active: Option<bool>,
    /// Whether the element is deleted.
    pub deleted: Option<bool>,
    /// Whether instances are authorized through OAuth.
    pub type_oauth: Option<bool>,
    /// Whether this is a trial account.
    pub trial_account: Option<bool>,
    /// Whether transformations are enabled.
    pub transformations_enabled: Option<bool>,
    /// How instances authenticate with the third-party service.
    pub authentication: Option<Authentication>,
    /// The hub (`crm`, `marketing`, ...).
    pub hub: Option<String>,
    /// Element parameters.
    pub parameters: Option<Vec<Value>>,
    /// Help text for the configuration.
    pub config_description: Option<String>,
    /// Where to sign up for the service.
    #[serde(rename = "signupURL")]
    pub signup_url: Option<String>,
    /// Fields the client does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An element's `authentication` object (`{}` in some responses).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Authentication {
    /// `basic`, `apiKey`, `oauth2`, ... when the server says.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Fields the client does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Instance {
    /// Decodes a response body: what [`Client::create_instance`](crate::Client::create_instance)
    /// does with a 200 answer. The body must be a JSON object with an integer `id` and a
    /// non-empty string `token`.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        Self::decode(200, json.to_owned(), &Redactor::default()).map_err(|e| e.after_sending(Effect::InstanceMayExist))
    }

    pub(crate) fn decode(status: u16, body: String, redactor: &Redactor<'_>) -> Result<Self, Error> {
        // The usual answer decodes straight into the struct, in one pass. Anything unusual (not an
        // object, no usable token, a wrongly typed field, a key given twice) takes the careful path
        // below, which says exactly what is wrong.
        if let Ok(mut instance) = serde_json::from_str::<Instance>(&body) {
            let token = instance.token.expose();
            if !token.is_empty() && !token.chars().any(char::is_control) {
                instance.raw_json = body;
                return Ok(instance);
            }
        }
        let fail = |reason: &str, body: &str| Error::decode(status, reason, body, redactor);
        let raw: Value = match serde_json::from_str(&body) {
            Ok(raw) => raw,
            Err(e) => {
                let reason = if body.trim_start().starts_with('<') {
                    "the body is HTML, not JSON (an error page from a proxy?)".to_owned()
                } else {
                    format!("the body is not JSON ({e})")
                };
                return Err(fail(&reason, &body));
            }
        };
        if !raw.is_object() {
            return Err(fail("the body is JSON but not an object", &body));
        }
        match raw.get("token") {
            Some(Value::String(token)) if token.chars().any(char::is_control) => {
                // A NUL or line break could not be sent back in a header, nor held by C.
                return Err(fail("the instance token contains a control character", ""));
            }
            Some(Value::String(token)) if !token.is_empty() => {}
            Some(Value::String(_)) => return Err(fail("the instance token is empty", "")),
            _ => return Err(fail("the response has no instance token", "")),
        }
        let mut instance = Instance::deserialize(&raw).map_err(|_| {
            // serde names the field and the expected type, and quotes the value it could not use
            // as Rust writes strings, `"a\"b"`: cutting quoted text out of that message leaves
            // the tail of a value with a quote in it. So ask again with every string emptied (the
            // same field fails the same way: only types matter here), and drop what is quoted.
            let e = Instance::deserialize(&strings_emptied(&raw)).err();
            let message = e.map_or_else(|| "a field has the wrong type".to_owned(), |e| e.to_string());
            let message = without_quoted_values(&message);
            fail(&format!("the response does not describe an instance ({message})"), "")
        })?;
        instance.raw = OnceLock::from(raw);
        instance.raw_json = body;
        Ok(instance)
    }

    /// The whole response, as JSON.
    pub fn raw(&self) -> &Value {
        // `raw_json` decoded once already, so it parses; `Null` is only a formality.
        self.raw.get_or_init(|| serde_json::from_str(&self.raw_json).unwrap_or(Value::Null))
    }

    /// The whole response body, as received.
    pub fn raw_json(&self) -> &str {
        &self.raw_json
    }
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("token", &self.token)
            .field("element", &self.element)
            .field("valid", &self.valid)
            .field("disabled", &self.disabled)
            .field("configuration", &self.configuration)
            .field("events_enabled", &self.events_enabled)
            .field("caching_enabled", &self.caching_enabled)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// `value` with every string emptied and everything else (object keys included) kept.
fn strings_emptied(value: &Value) -> Value {
    match value {
        Value::String(_) => Value::String(String::new()),
        Value::Array(items) => Value::Array(items.iter().map(strings_emptied).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), strings_emptied(v))).collect()),
        other => other.clone(),
    }
}

/// Reads configuration values as text: strings as they are, anything else as its JSON.
fn configuration_values<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Configuration>, D::Error> {
    let map: Option<Map<String, Value>> = Option::deserialize(d)?;
    Ok(map.map(|map| {
        map.into_iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, Secret::new(text))
            })
            .collect()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_rejects_responses_without_a_usable_token() {
        for (body, reason) in [
            (r#"{"id": 1}"#, "no instance token"),
            (r#"{"id": 1, "token": ""}"#, "token is empty"),
            (r#"{"id": 1, "token": 7}"#, "no instance token"),
            (r#"{"token": "t"}"#, "does not describe an instance"),
            ("<html><body>Bad gateway</body></html>", "HTML"),
            ("not json", "not JSON"),
            ("[1]", "not an object"),
        ] {
            let err = Instance::from_json(body).unwrap_err();
            assert!(err.to_string().contains(reason), "{body}: {err}");
        }
    }

    /// Found by fuzzing (decode_instance): a value with a quote in a field of the wrong type left
    /// its tail in the message, `invalid type: string "…"SECRET-TAIL")`.
    #[test]
    fn a_wrongly_typed_value_is_not_quoted_even_with_quotes_inside() {
        for body in [
            r#"{"id": 1, "token": "t", "valid": "a\"SECRET-TAIL"}"#,
            r#"{"id": 1, "token": "t", "element": {"active": "\"\"SECRET-TAIL\\"}}"#,
            r#"{"id": "x\"SECRET-TAIL", "token": "t"}"#,
        ] {
            let text = Instance::from_json(body).unwrap_err().to_string();
            assert!(!text.contains("SECRET"), "{body}: {text}");
            assert!(text.contains(r#"invalid type: string "…", expected"#), "{body}: {text}");
        }
    }
}

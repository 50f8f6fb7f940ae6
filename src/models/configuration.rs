//! One configuration entry of an instance, as `GET /instances/{id}/configuration` lists it.

use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::auth::Secret;

/// One configuration entry of an instance: its id (for `PATCH .../configuration/{id}`), key and
/// value. Secret values come back as the server sent them (the platform masks passwords as
/// `********`); every value is a [`Secret`], since others (Close.io's API key, say) are not masked.
/// Fields the client does not model are kept in [`extra`](Self::extra).
///
/// ```
/// let entry: cloud_elements::ConfigurationEntry = serde_json::from_str(
///     r#"{"id": 7, "key": "password", "propertyValue": "********", "name": "Password"}"#,
/// ).unwrap();
/// assert_eq!((entry.id, entry.key.as_str()), (7, "password"));
/// assert_eq!(entry.property_value.expose(), "********");
/// assert_eq!(entry.extra["name"], "Password");
/// ```
#[derive(Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConfigurationEntry {
    /// The entry's id within the platform.
    pub id: i64,
    /// The configuration key (`username`, `event.notification.enabled`...).
    pub key: String,
    /// The value as the server sent it (`null` reads as empty; numbers and booleans as their
    /// text).
    #[serde(default, deserialize_with = "text")]
    pub property_value: Secret,
    /// Fields the client does not model, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ConfigurationEntry {
    /// The body of `PATCH /instances/{id}/configuration/{configId}`: this entry, as received,
    /// with `value` as its `propertyValue`.
    pub(crate) fn patch_body(&self, value: &str) -> Vec<u8> {
        let mut body = Map::new();
        body.insert("id".into(), Value::from(self.id));
        body.insert("key".into(), Value::String(self.key.clone()));
        for (field, field_value) in &self.extra {
            body.insert(field.clone(), field_value.clone());
        }
        body.insert("propertyValue".into(), Value::String(value.to_owned()));
        Value::Object(body).to_string().into_bytes()
    }
}

impl fmt::Debug for ConfigurationEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigurationEntry")
            .field("id", &self.id)
            .field("key", &self.key)
            .field("property_value", &self.property_value)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
    Ok(Secret::new(match Value::deserialize(deserializer)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_body_is_the_entry_with_the_new_value() {
        let entry: ConfigurationEntry =
            serde_json::from_str(r#"{"id": 3, "key": "username", "propertyValue": "OLD-SECRET", "type": "TEXT"}"#)
                .unwrap();
        assert!(!format!("{entry:?}").contains("OLD-SECRET"));
        let body = String::from_utf8(entry.patch_body("new")).unwrap();
        assert_eq!(body, r#"{"id":3,"key":"username","type":"TEXT","propertyValue":"new"}"#);
    }
}

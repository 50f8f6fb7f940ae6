//! The element definition model: typed where the rule needs it, every other field kept as written.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// One element, as `GET /elements/{key}` answers it. Fields the model does not name are kept in
/// [`extra`](Self::extra) and written back out in place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElementDefinition {
    /// The platform's numeric id (absent in a custom element's export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The display name.
    #[serde(default)]
    pub name: String,
    /// The key sent as `element.key`.
    pub key: String,
    /// The hub (`crm`, `marketing`, `employee`, `db`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub: Option<String>,
    /// Whether the platform flags the element as OAuth; see [`ElementDefinition::is_oauth`].
    #[serde(default)]
    pub type_oauth: bool,
    /// How the element authenticates to its provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<AuthenticationSpec>,
    /// The configuration schema, as written (not sorted).
    #[serde(default)]
    pub configuration: Vec<ConfigEntry>,
    /// Every other field, as written.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An element's `authentication` object.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuthenticationSpec {
    /// `basic`, `apiKey`, `oauth2`, `oauth1`, `custom`...; absent in some of the platform's data.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Every other field, as written.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One configuration entry of an element's schema (`GET /elements/{key}/configuration`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConfigEntry {
    /// The platform's id of the entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The key used in an instance's `configuration`.
    pub key: String,
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `TEXTFIELD_32`/`64`/`128`/`1000`, `PASSWORD`, `BOOLEAN`, `TEXTAREA`...
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether the platform needs a value.
    #[serde(default)]
    pub required: bool,
    /// The value the platform uses when none is given (absent, `null` or empty when there is none).
    /// Numbers and booleans written unquoted are read as their text.
    #[serde(default, deserialize_with = "text_or_null", skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    /// Hidden from the console: the platform fills it, the user does not.
    #[serde(default)]
    pub hide_from_console: bool,
    /// The platform's own bookkeeping (OAuth tokens and the like).
    #[serde(default)]
    pub internal: bool,
    /// Where the entry is shown; missing entries are named in this order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i64>,
    /// Not a platform field: a required entry whose empty value the provider accepts (Close.io's
    /// `password`, which Close.io's own API allows blank). Only the built-in definitions set it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_empty: bool,
    /// Every other field, as written.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn text_or_null<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

impl ConfigEntry {
    /// Whether a user creating an instance must give this entry: `required`, not `internal`, not
    /// `hideFromConsole`, and no non-empty `defaultValue` the platform would use instead.
    pub fn must_supply(&self) -> bool {
        self.required
            && !self.internal
            && !self.hide_from_console
            && self.default_value.as_deref().is_none_or(str::is_empty)
    }

    /// Whether `value` leaves this entry missing: no value, or an empty (or all white space) one,
    /// unless the entry [allows empty values](Self::allow_empty).
    pub fn is_missing(&self, value: Option<&str>) -> bool {
        match value {
            None => true,
            Some(v) => v.trim().is_empty() && !self.allow_empty,
        }
    }

    /// Whether the entry's value is a credential: type `PASSWORD`, or a key or name that says so
    /// ([`crate::is_secret_name`]).
    pub fn is_secret(&self) -> bool {
        self.kind.as_deref() == Some("PASSWORD") || crate::is_secret_name(&self.key, self.name.as_deref())
    }

    /// The default the platform writes into a new instance when the entry is not given.
    pub fn applied_default(&self) -> Option<&str> {
        self.default_value.as_deref().filter(|d| !d.is_empty())
    }
}

impl ElementDefinition {
    /// Whether instances are created through OAuth (and so need `providerData.code`): `typeOauth`,
    /// or an `oauth2`/`oauth1` authentication type, since the platform's own data does not always
    /// set both.
    pub fn is_oauth(&self) -> bool {
        let kind = self.authentication.as_ref().and_then(|a| a.kind.as_deref()).unwrap_or_default();
        self.type_oauth || kind.eq_ignore_ascii_case("oauth2") || kind.eq_ignore_ascii_case("oauth1")
    }

    /// The authentication type, if the definition gives one.
    pub fn authentication_type(&self) -> Option<&str> {
        self.authentication.as_ref().and_then(|a| a.kind.as_deref())
    }

    /// The entries in display order (entries without one last), ties in the order written.
    pub fn entries_in_display_order(&self) -> Vec<&ConfigEntry> {
        let mut entries: Vec<&ConfigEntry> = self.configuration.iter().collect();
        entries.sort_by_key(|e| e.display_order.unwrap_or(i64::MAX));
        entries
    }

    /// The entries a user must supply ([`ConfigEntry::must_supply`]), in display order.
    pub fn must_supply(&self) -> impl Iterator<Item = &ConfigEntry> {
        self.entries_in_display_order().into_iter().filter(|e| e.must_supply())
    }

    /// Every entry a user must supply and has not, in display order; `value` gives the value the
    /// user gave for a key.
    pub fn missing<'v>(&self, value: impl Fn(&str) -> Option<&'v str>) -> Vec<String> {
        // Checked in the order written, sorted only when something is missing: a complete request
        // (every create that is sent) allocates nothing here.
        let mut missing: Vec<&ConfigEntry> =
            self.configuration.iter().filter(|e| e.must_supply() && e.is_missing(value(&e.key))).collect();
        missing.sort_by_key(|e| e.display_order.unwrap_or(i64::MAX));
        missing.into_iter().map(|e| e.key.clone()).collect()
    }

    /// The schema entry for `key`.
    pub fn entry(&self, key: &str) -> Option<&ConfigEntry> {
        self.configuration.iter().find(|e| e.key == key)
    }

    /// Whether the value of `key` is a credential: by the schema when it lists the entry, else by
    /// the key's name.
    pub fn is_secret(&self, key: &str) -> bool {
        match self.entry(key) {
            Some(entry) => entry.is_secret(),
            None => crate::is_secret_name(key, None),
        }
    }
}

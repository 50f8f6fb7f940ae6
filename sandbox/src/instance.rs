//! A provisioned element instance, and the JSON the API answers for it.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;

use crate::catalog::Element;

/// What secret configuration values are replaced by when an instance is read back.
pub(crate) const MASK: &str = "********";

/// A stored instance.
pub(crate) struct Instance {
    pub(crate) id: u64,
    pub(crate) element: Arc<Element>,
    pub(crate) name: String,
    pub(crate) token: String,
    /// Sorted by key; each entry keeps the id it got on create.
    pub(crate) configuration: Vec<ConfigValue>,
    pub(crate) tags: Vec<String>,
    pub(crate) disabled: bool,
}

/// One configuration entry of an instance.
pub(crate) struct ConfigValue {
    pub(crate) id: u64,
    pub(crate) key: String,
    pub(crate) value: String,
    /// A common entry the instance has by default (`filter.response.nulls`...): listed by
    /// `GET /instances/{id}/configuration`, left out of the instance's `configuration` object (as
    /// in the platform's create answer) until it is set.
    pub(crate) listed_only: bool,
}

/// The token and the configuration values are left out: they may be secrets.
impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance")
            .field("id", &self.id)
            .field("element", &self.element.key())
            .field("name", &self.name)
            .field("configuration", &self.configuration)
            .field("tags", &self.tags)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// The value is left out: it may be a secret.
impl fmt::Debug for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigValue").field("id", &self.id).field("key", &self.key).finish_non_exhaustive()
    }
}

impl ConfigValue {
    /// Sets the value; the entry shows in the instance's `configuration` from then on.
    pub(crate) fn set(&mut self, value: String) {
        self.value = value;
        self.listed_only = false;
    }
}

impl Instance {
    pub(crate) fn events_enabled(&self) -> bool {
        self.configuration.iter().any(|c| c.key == "event.notification.enabled" && c.value.trim() == "true")
    }

    /// The stored value of the configuration entry `key`.
    pub(crate) fn configuration_value(&self, key: &str) -> Option<&str> {
        self.configuration.iter().find(|c| c.key == key).map(|c| c.value.as_str())
    }

    /// The instance as the API shows it; `masked` hides secret configuration values (every read
    /// except the answer to the create itself).
    pub(crate) fn view(&self, masked: bool) -> InstanceView<'_> {
        InstanceView {
            id: self.id,
            name: &self.name,
            token: &self.token,
            element: &self.element.view,
            provision_interactions: [],
            valid: true,
            disabled: self.disabled,
            max_cache_size: 0,
            cache_time_to_live: 0,
            configuration: ConfigurationView { instance: self, masked },
            events_enabled: self.events_enabled(),
            caching_enabled: false,
            tags: &self.tags,
        }
    }

    /// The `GET /instances/{id}/configuration` entries, secrets masked.
    pub(crate) fn configuration_entries(&self) -> Vec<ConfigEntryView<'_>> {
        self.configuration.iter().map(|c| self.entry_view(c)).collect()
    }

    pub(crate) fn entry_view<'a>(&'a self, entry: &'a ConfigValue) -> ConfigEntryView<'a> {
        ConfigEntryView { id: entry.id, key: &entry.key, property_value: self.shown_value(entry, true) }
    }

    fn shown_value<'a>(&self, entry: &'a ConfigValue, masked: bool) -> &'a str {
        if masked && self.element.is_masked(&entry.key) { MASK } else { &entry.value }
    }
}

/// An instance on the wire, fields in the documented order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InstanceView<'a> {
    id: u64,
    name: &'a str,
    token: &'a str,
    element: &'a Value,
    provision_interactions: [(); 0],
    valid: bool,
    disabled: bool,
    max_cache_size: u64,
    cache_time_to_live: u64,
    configuration: ConfigurationView<'a>,
    events_enabled: bool,
    caching_enabled: bool,
    tags: &'a [String],
}

/// The `configuration` object of an instance, optionally masked.
pub(crate) struct ConfigurationView<'a> {
    instance: &'a Instance,
    masked: bool,
}

impl Serialize for ConfigurationView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for entry in self.instance.configuration.iter().filter(|c| !c.listed_only) {
            map.serialize_entry(&entry.key, self.instance.shown_value(entry, self.masked))?;
        }
        map.end()
    }
}

/// One entry of `GET /instances/{id}/configuration`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConfigEntryView<'a> {
    id: u64,
    key: &'a str,
    property_value: &'a str,
}

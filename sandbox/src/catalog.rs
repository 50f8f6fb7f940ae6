//! The elements the sandbox knows, with their configuration schemas.
//!
//! Close.io's element object is the one in the platform's create-instance page, field for field.
//! Pardot's is built from the facts in the API notes (the Pardot page's sample response was copied
//! from another element, so it is not used).

use serde::{Serialize, Serializer};

/// The type of a configuration entry, as the platform names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryType {
    TextField32,
    Password,
    Boolean,
    TextArea,
}

impl Serialize for EntryType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(match self {
            EntryType::TextField32 => "TEXTFIELD_32",
            EntryType::Password => "PASSWORD",
            EntryType::Boolean => "BOOLEAN",
            EntryType::TextArea => "TEXTAREA",
        })
    }
}

/// One entry of an element's configuration schema.
#[derive(Debug)]
pub(crate) struct ConfigEntry {
    pub(crate) key: &'static str,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) default_value: Option<&'static str>,
    pub(crate) kind: EntryType,
    pub(crate) required: bool,
    pub(crate) hide_from_console: bool,
    pub(crate) internal: bool,
    /// The platform writes `default_value` into an instance's configuration when the entry is
    /// absent (Close.io's `base.url`, Pardot's `provider.version`). Other defaults are only shown
    /// in the schema.
    pub(crate) applied_default: bool,
}

impl ConfigEntry {
    /// Secret entries are masked when an instance is read back.
    pub(crate) fn is_secret(&self) -> bool {
        self.kind == EntryType::Password
    }
}

const fn entry(key: &'static str, name: &'static str, description: &'static str, kind: EntryType) -> ConfigEntry {
    ConfigEntry {
        key,
        name,
        description,
        default_value: None,
        kind,
        required: false,
        hide_from_console: false,
        internal: false,
        applied_default: false,
    }
}

const fn required(entry: ConfigEntry) -> ConfigEntry {
    ConfigEntry { required: true, ..entry }
}

const fn with_default(entry: ConfigEntry, value: &'static str) -> ConfigEntry {
    ConfigEntry { default_value: Some(value), ..entry }
}

/// A default the platform also copies into the instance, on an entry hidden from the console.
const fn platform_default(entry: ConfigEntry, value: &'static str) -> ConfigEntry {
    ConfigEntry { default_value: Some(value), applied_default: true, hide_from_console: true, ..entry }
}

/// Event and filter entries every element accepts, after its own entries in catalog order.
static COMMON_ENTRIES: [ConfigEntry; 8] = [
    with_default(
        entry(
            "event.notification.enabled",
            "Events Enabled",
            "Whether the platform sends event notifications for this instance",
            EntryType::Boolean,
        ),
        "false",
    ),
    entry("event.vendor.type", "Event Type", "How events are detected: webhook or polling", EntryType::TextField32),
    with_default(
        entry(
            "event.notification.type",
            "Event Notification Type",
            "How the platform notifies the application: webhook",
            EntryType::TextField32,
        ),
        "webhook",
    ),
    entry(
        "event.notification.callback.url",
        "Event Notification Callback URL",
        "The http(s) URL where the platform posts events to the application",
        EntryType::TextArea,
    ),
    entry(
        "event.notification.signature.key",
        "Callback Notification Signature Key",
        "Optional key used to sign the event notifications",
        EntryType::Password,
    ),
    with_default(
        entry(
            "event.poller.refresh_interval",
            "Event Poller Refresh Interval (mins)",
            "Minutes between two polls of the provider",
            EntryType::TextField32,
        ),
        "15",
    ),
    entry(
        "event.poller.configuration",
        "Configure Polling",
        "A JSON object describing what to poll",
        EntryType::TextArea,
    ),
    with_default(
        entry(
            "filter.response.nulls",
            "Filter null values from the response",
            "Whether null values are dropped from responses",
            EntryType::Boolean,
        ),
        "true",
    ),
];

/// An element: a connector to one third-party service.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Element {
    pub(crate) id: u64,
    pub(crate) name: &'static str,
    pub(crate) key: &'static str,
    pub(crate) description: &'static str,
    pub(crate) image: &'static str,
    pub(crate) active: bool,
    pub(crate) deleted: bool,
    pub(crate) type_oauth: bool,
    pub(crate) trial_account: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) config_description: Option<&'static str>,
    #[serde(rename = "signupURL", skip_serializing_if = "Option::is_none")]
    pub(crate) signup_url: Option<&'static str>,
    pub(crate) transformations_enabled: bool,
    pub(crate) authentication: Authentication,
    pub(crate) hub: &'static str,
    pub(crate) parameters: [(); 0],
    #[serde(skip)]
    entries: &'static [ConfigEntry],
}

/// How an element authenticates to its provider.
#[derive(Debug, Serialize)]
pub(crate) struct Authentication {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
}

impl Element {
    /// The configuration schema in catalog order: the element's own entries, then the common ones.
    pub(crate) fn schema(&self) -> impl Iterator<Item = &'static ConfigEntry> + use<> {
        self.entries.iter().chain(COMMON_ENTRIES.iter())
    }

    pub(crate) fn entry(&self, key: &str) -> Option<&'static ConfigEntry> {
        self.schema().find(|e| e.key == key)
    }

    pub(crate) fn is_secret(&self, key: &str) -> bool {
        self.entry(key).is_some_and(ConfigEntry::is_secret)
    }

    /// The schema as `GET /elements/{keyOrId}/configuration` answers it.
    pub(crate) fn schema_json(&self) -> Vec<SchemaEntry> {
        self.schema()
            .enumerate()
            .map(|(i, e)| SchemaEntry {
                id: self.id * 1000 + i as u64 + 1,
                name: e.name,
                key: e.key,
                description: e.description,
                default_value: e.default_value,
                kind: e.kind,
                required: e.required,
                hide_from_console: e.hide_from_console,
                internal: e.internal,
                display_order: i as u64 + 1,
            })
            .collect()
    }
}

/// One schema entry on the wire.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SchemaEntry {
    id: u64,
    name: &'static str,
    key: &'static str,
    description: &'static str,
    default_value: Option<&'static str>,
    #[serde(rename = "type")]
    kind: EntryType,
    required: bool,
    hide_from_console: bool,
    internal: bool,
    display_order: u64,
}

static CLOSEIO_ENTRIES: [ConfigEntry; 5] = [
    required(entry("username", "API Key", "Your Close.io API key", EntryType::Password)),
    required(entry("password", "Password", "Your Close.io password", EntryType::Password)),
    platform_default(
        entry("base.url", "Base URL", "The Close.io API base URL", EntryType::TextField32),
        "https://app.close.io/api/v1",
    ),
    platform_default(
        entry("pagination.offset", "Offset pagination", "Whether Close.io pages by offset", EntryType::Boolean),
        "true",
    ),
    platform_default(
        entry("pagination.max", "Page size", "Largest page requested from Close.io", EntryType::TextField32),
        "100",
    ),
];

static PARDOT_ENTRIES: [ConfigEntry; 4] = [
    required(entry("apikey.user.name", "Email Address", "Your Pardot user's email address", EntryType::TextField32)),
    required(entry("apikey.user.password", "Password", "Your Pardot user's password", EntryType::Password)),
    required(entry("apikey.user.key", "User Key", "Your Pardot API user key", EntryType::Password)),
    ConfigEntry {
        default_value: Some("3"),
        applied_default: true,
        ..entry("provider.version", "API Version", "Pardot API version: 3 or 4", EntryType::TextField32)
    },
];

pub(crate) static CLOSEIO: Element = Element {
    id: 146,
    name: "Close.io Beta",
    key: "closeio",
    description: "Add a Close.io CRM Instance to connect your existing Close.io account to the CRM Hub, allowing you \
                  to manage contacts, accounts, opportunities, etc. across multiple CRM Elements. You will need your \
                  Close.io CRM account information to add an instance.",
    image: "https://pbs.twimg.com/profile_images/497905627948015616/vNCOkr1Z.png",
    active: true,
    deleted: false,
    type_oauth: false,
    trial_account: false,
    config_description: None,
    signup_url: None,
    transformations_enabled: true,
    authentication: Authentication { kind: "basic" },
    hub: "crm",
    parameters: [],
    entries: &CLOSEIO_ENTRIES,
};

pub(crate) static PARDOT: Element = Element {
    id: 90,
    name: "Pardot",
    key: "pardot",
    description: "Add a Pardot Instance to connect your existing Pardot account to the Marketing Hub, allowing you \
                  to manage prospects, campaigns, lists, etc. across multiple Marketing Elements. You will need your \
                  Pardot account information to add an instance.",
    image: "elements/provider_pardot.png",
    active: true,
    deleted: false,
    type_oauth: false,
    trial_account: false,
    config_description: Some("If you do not have a Pardot account, you can create one at Pardot Signup"),
    signup_url: Some("https://www.pardot.com"),
    transformations_enabled: false,
    authentication: Authentication { kind: "apiKey" },
    hub: "marketing",
    parameters: [],
    entries: &PARDOT_ENTRIES,
};

/// Every element the sandbox knows, in id order.
pub(crate) static ELEMENTS: [&Element; 2] = [&PARDOT, &CLOSEIO];

/// Looks an element up by key.
pub(crate) fn by_key(key: &str) -> Option<&'static Element> {
    ELEMENTS.iter().copied().find(|e| e.key == key)
}

/// Looks an element up by key or numeric id, as `/elements/{keyOrId}` does.
pub(crate) fn by_key_or_id(key_or_id: &str) -> Option<&'static Element> {
    by_key(key_or_id).or_else(|| {
        let id: u64 = key_or_id.parse().ok()?;
        ELEMENTS.iter().copied().find(|e| e.id == id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closeio_element_is_the_documented_sample() {
        let expected = serde_json::json!({
            "id": 146,
            "name": "Close.io Beta",
            "key": "closeio",
            "description": "Add a Close.io CRM Instance to connect your existing Close.io account to the CRM Hub, allowing you to manage contacts, accounts, opportunities, etc. across multiple CRM Elements. You will need your Close.io CRM account information to add an instance.",
            "image": "https://pbs.twimg.com/profile_images/497905627948015616/vNCOkr1Z.png",
            "active": true,
            "deleted": false,
            "typeOauth": false,
            "trialAccount": false,
            "transformationsEnabled": true,
            "authentication": {"type": "basic"},
            "hub": "crm",
            "parameters": []
        });
        assert_eq!(serde_json::to_value(&CLOSEIO).unwrap(), expected);
    }

    #[test]
    fn lookup_by_key_or_id() {
        assert_eq!(by_key_or_id("closeio").unwrap().id, 146);
        assert_eq!(by_key_or_id("90").unwrap().key, "pardot");
        assert!(by_key_or_id("nope").is_none());
        assert!(by_key("146").is_none());
    }

    #[test]
    fn schema_ids_and_keys_are_unique() {
        for element in ELEMENTS {
            let schema = element.schema_json();
            let keys: std::collections::HashSet<_> = schema.iter().map(|e| e.key).collect();
            assert_eq!(keys.len(), schema.len());
        }
        assert!(PARDOT.is_secret("apikey.user.key"));
        assert!(CLOSEIO.is_secret("event.notification.signature.key"));
        assert!(!PARDOT.is_secret("apikey.user.name"));
    }
}

//! What the client knows about elements before it asks the server.
//!
//! The built-in element definitions (`closeio`, `pardot`, the OAuth 2 element `clover`) come from
//! the shared crate [`cloud_elements_catalog`], in the platform's own element format, so that the
//! client's offline validation and the sandbox read the same files. This module re-exports that
//! crate's public items, the common configuration keys every element takes ([`common`]), and the
//! client's checks ([`validate`], [`validate_against`], [`is_secret_entry`]), and the secret rule
//! for a configuration entry seen without its element ([`is_secret_configuration_entry`]).
//!
//! ```
//! use cloud_elements::catalog;
//!
//! let pardot = catalog::builtin("pardot").unwrap();
//! let required: Vec<&str> = pardot.must_supply().map(|e| e.key.as_str()).collect();
//! assert_eq!(required, ["apikey.user.name", "apikey.user.password", "apikey.user.key"]);
//! assert!(catalog::builtin("salesforce").is_none());
//! ```

pub use cloud_elements_catalog::{
    AuthenticationSpec, BUILTIN_SOURCES, COMMON_CONFIGURATION_SOURCE, ConfigEntry, ElementDefinition, LoadError,
    builtin, builtins, closest_keys, common_configuration, is_secret_name, load_path, parse_definitions,
};

pub use crate::validate::{is_secret_entry, validate, validate_against};

/// Whether a configuration entry of an instance holds a secret when its element is not known (the
/// entries of `GET /instances/{id}/configuration`, which the platform lists without their
/// element): the entry's own `type` is `PASSWORD`, its key or display name says so
/// ([`is_secret_name`]), or any built-in element's schema calls an entry with this key a secret.
/// Being wrong here only hides a value, never shows one. Every surface (Rust, C, Python) decides
/// with this one rule; when the element is known, [`is_secret_entry`] is the narrower rule.
///
/// ```
/// use cloud_elements::catalog::is_secret_configuration_entry;
///
/// assert!(is_secret_configuration_entry("base.pin", Some("PASSWORD"), None));
/// assert!(is_secret_configuration_entry("oauth.api.secret", None, None));
/// // Close.io's `username` is its API key: its name says so, and so does the built-in schema.
/// assert!(is_secret_configuration_entry("username", Some("TEXTFIELD_128"), Some("API Key")));
/// assert!(is_secret_configuration_entry("username", None, None));
/// assert!(!is_secret_configuration_entry("base.url", Some("TEXTFIELD_1000"), Some("Base URL")));
/// ```
pub fn is_secret_configuration_entry(key: &str, kind: Option<&str>, display_name: Option<&str>) -> bool {
    kind == Some("PASSWORD")
        || is_secret_name(key, display_name)
        || builtins().iter().any(|definition| definition.is_secret(key))
}

/// The common instance configuration entries every element takes.
pub mod common {
    /// `"true"`/`"false"`: whether the platform sends events (default false).
    pub const EVENT_NOTIFICATION_ENABLED: &str = "event.notification.enabled";
    /// `webhook` or `polling`.
    pub const EVENT_VENDOR_TYPE: &str = "event.vendor.type";
    /// Only `webhook`.
    pub const EVENT_NOTIFICATION_TYPE: &str = "event.notification.type";
    /// The http(s) URL the platform posts events to; required when notifications are enabled
    /// with webhooks.
    pub const EVENT_NOTIFICATION_CALLBACK_URL: &str = "event.notification.callback.url";
    /// Optional key for signing event posts.
    pub const EVENT_NOTIFICATION_SIGNATURE_KEY: &str = "event.notification.signature.key";
    /// Minutes between polls, a positive whole number.
    pub const EVENT_POLLER_REFRESH_INTERVAL: &str = "event.poller.refresh_interval";
    /// A JSON object, as a string, describing what to poll.
    pub const EVENT_POLLER_CONFIGURATION: &str = "event.poller.configuration";
    /// `"true"`/`"false"`: drop `null` values from responses (default true).
    pub const FILTER_RESPONSE_NULLS: &str = "filter.response.nulls";
}

#[cfg(test)]
mod tests {
    use super::is_secret_configuration_entry;

    #[test]
    fn secret_configuration_entries_by_type_name_and_builtin_schemas() {
        // By the entry's own type, whatever its key.
        assert!(is_secret_configuration_entry("acme.pin", Some("PASSWORD"), Some("PIN")));
        // By the key's last segment, or the name's last word.
        assert!(is_secret_configuration_entry("apikey.user.key", None, None));
        assert!(is_secret_configuration_entry("acme.login", Some("TEXTFIELD_32"), Some("Access Token")));
        // By a built-in schema: Close.io's `username` is its API key.
        assert!(is_secret_configuration_entry("username", None, None));
        // Plain settings stay plain.
        for key in ["base.url", "pagination.max", "event.notification.enabled", "event.vendor.type"] {
            assert!(!is_secret_configuration_entry(key, Some("TEXTFIELD_128"), Some("Setting")), "{key}");
        }
    }
}

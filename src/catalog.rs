//! What the client knows about elements before it asks the server.
//!
//! The built-in element definitions (`closeio`, `pardot`, the OAuth 2 element `clover`) come from
//! the shared crate [`cloud_elements_catalog`], in the platform's own element format, so that the
//! client's offline validation and the sandbox read the same files. This module re-exports that
//! crate's public items, the common configuration keys every element takes ([`common`]), and the
//! client's checks ([`validate`], [`validate_against`], [`is_secret_entry`]).
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

//! What the client knows about elements before it asks the server.
//!
//! The catalog holds the documented elements (`closeio`, `pardot`) with their required and
//! optional configuration entries, and the common instance configuration every element takes
//! (`event.*`, `filter.response.nulls`). [`validate`] checks a request against it so that a user
//! learns every problem at once and nothing is sent until the request can succeed. Elements that
//! are not in the catalog pass through: the server decides.

use crate::error::Error;
use crate::instance::InstanceRequest;

/// One element the client knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ElementSpec {
    /// The element key, as sent in `element.key`.
    pub key: &'static str,
    /// The element's display name on the platform.
    pub name: &'static str,
    /// The hub the element belongs to (`crm`, `marketing`, ...).
    pub hub: &'static str,
    /// Configuration entries that must be present and non-empty, in the order users are told.
    pub required: &'static [&'static str],
    /// Configuration entries the element also takes.
    pub optional: &'static [&'static str],
    /// Entries whose values are credentials.
    pub secret: &'static [&'static str],
}

/// The documented elements.
pub const ELEMENTS: &[ElementSpec] = &[
    ElementSpec {
        key: "closeio",
        name: "Close.io Beta",
        hub: "crm",
        required: &["username", "password"],
        optional: &[],
        // `username` is the Close.io API key.
        secret: &["username", "password"],
    },
    ElementSpec {
        key: "pardot",
        name: "Pardot",
        hub: "marketing",
        required: &["apikey.user.name", "apikey.user.password", "apikey.user.key"],
        optional: &[PARDOT_PROVIDER_VERSION],
        secret: &["apikey.user.password", "apikey.user.key"],
    },
];

const PARDOT_PROVIDER_VERSION: &str = "provider.version";

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

/// The catalog entry for `key`, if the client knows that element.
///
/// ```
/// let pardot = cloud_elements::catalog::element("pardot").unwrap();
/// assert_eq!(pardot.required, ["apikey.user.name", "apikey.user.password", "apikey.user.key"]);
/// assert!(cloud_elements::catalog::element("salesforce").is_none());
/// ```
pub fn element(key: &str) -> Option<&'static ElementSpec> {
    ELEMENTS.iter().find(|e| e.key == key)
}

/// Whether the value of configuration entry `key` of element `element_key` is a credential.
///
/// Besides the catalog's own list, any key that names a password, secret, token or key is treated
/// as one: being wrong here only hides a value, never shows one.
pub fn is_secret_entry(element_key: &str, key: &str) -> bool {
    if element(element_key).is_some_and(|e| e.secret.contains(&key)) {
        return true;
    }
    // The last dotted segment says what the value is: `apikey.user.key` is a key,
    // `apikey.user.name` is a name.
    let lower = key.to_ascii_lowercase();
    let last = lower.rsplit('.').next().unwrap_or_default();
    ["password", "secret", "token", "key", "code"].iter().any(|word| last.ends_with(word))
}

const TYPOGRAPHIC_QUOTES: [char; 4] = ['\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}'];

fn typographic_quote(text: &str) -> Option<char> {
    text.chars().find(|c| TYPOGRAPHIC_QUOTES.contains(c))
}

fn quote_problem(what: &str, quote: char) -> String {
    format!(
        "{what} contains a typographic quote ({quote} U+{:04X}); the documentation asks for straight quotes",
        u32::from(quote)
    )
}

/// Checks a request before anything is sent.
///
/// Returns [`Error::MissingConfiguration`] when the only problem is missing entries, and
/// [`Error::InvalidInput`] listing every problem (missing entries included) otherwise. Messages
/// name keys, never values.
pub fn validate(request: &InstanceRequest) -> Result<(), Error> {
    let mut problems = Vec::new();
    let key = request.element_key();

    if key.trim().is_empty() {
        problems.push("the element key is empty".to_owned());
    } else if let Some(q) = typographic_quote(key) {
        problems.push(quote_problem("the element key", q));
    }
    if request.name().trim().is_empty() {
        problems.push("the instance name is empty".to_owned());
    } else if let Some(q) = typographic_quote(request.name()) {
        problems.push(quote_problem("the instance name", q));
    }
    for tag in request.tags() {
        if tag.trim().is_empty() {
            problems.push("a tag is empty".to_owned());
        } else if let Some(q) = typographic_quote(tag) {
            problems.push(quote_problem(&format!("the tag `{tag}`"), q));
        }
    }
    for (entry, value) in request.configuration() {
        if entry.trim().is_empty() {
            problems.push("a configuration key is empty".to_owned());
        } else if let Some(q) = typographic_quote(entry) {
            problems.push(quote_problem(&format!("the configuration key `{entry}`"), q));
        }
        if let Some(q) = typographic_quote(value) {
            problems.push(quote_problem(&format!("the value of configuration entry `{entry}`"), q));
        }
    }

    let mut missing = Vec::new();
    if let Some(spec) = element(key) {
        for required in spec.required {
            if request.config_value(required).is_none_or(|v| v.trim().is_empty()) {
                missing.push((*required).to_owned());
            }
        }
        if spec.key == "pardot" {
            if let Some(version) = request.config_value(PARDOT_PROVIDER_VERSION) {
                if version != "3" && version != "4" {
                    problems.push(format!("`{PARDOT_PROVIDER_VERSION}` must be \"3\" or \"4\""));
                }
            }
        }
    }
    check_common(request, &mut problems, &mut missing);

    match (problems.is_empty(), missing.is_empty()) {
        (true, true) => Ok(()),
        (true, false) => Err(Error::MissingConfiguration { element: key.to_owned(), missing }),
        (false, _) => {
            if !missing.is_empty() {
                problems.push(format!("missing required configuration for element `{key}`: {}", missing.join(", ")));
            }
            Err(Error::InvalidInput { problems })
        }
    }
}

/// Checks the common configuration entries every element takes.
fn check_common(request: &InstanceRequest, problems: &mut Vec<String>, missing: &mut Vec<String>) {
    use common::*;
    let value = |k: &str| request.config_value(k);

    let notifications_on = match value(EVENT_NOTIFICATION_ENABLED) {
        None => false,
        Some("true") => true,
        Some("false") => false,
        Some(_) => {
            problems.push(format!("`{EVENT_NOTIFICATION_ENABLED}` must be \"true\" or \"false\""));
            false
        }
    };
    let vendor = value(EVENT_VENDOR_TYPE);
    if vendor.is_some_and(|v| v != "webhook" && v != "polling") {
        problems.push(format!("`{EVENT_VENDOR_TYPE}` must be \"webhook\" or \"polling\""));
    }
    if value(EVENT_NOTIFICATION_TYPE).is_some_and(|v| v != "webhook") {
        problems.push(format!("`{EVENT_NOTIFICATION_TYPE}` can only be \"webhook\""));
    }
    match value(EVENT_NOTIFICATION_CALLBACK_URL).filter(|url| !url.trim().is_empty()) {
        None if notifications_on && vendor == Some("webhook") => {
            missing.push(EVENT_NOTIFICATION_CALLBACK_URL.to_owned());
        }
        Some(url) if !is_http_url(url) => {
            problems.push(format!("`{EVENT_NOTIFICATION_CALLBACK_URL}` must be an http:// or https:// URL"));
        }
        _ => {}
    }
    if let Some(minutes) = value(EVENT_POLLER_REFRESH_INTERVAL) {
        if !minutes.parse::<u32>().is_ok_and(|m| m > 0) {
            problems.push(format!("`{EVENT_POLLER_REFRESH_INTERVAL}` must be a positive whole number of minutes"));
        }
    }
    if let Some(json) = value(EVENT_POLLER_CONFIGURATION) {
        if !serde_json::from_str::<serde_json::Value>(json).is_ok_and(|v| v.is_object()) {
            problems.push(format!("`{EVENT_POLLER_CONFIGURATION}` must be a JSON object"));
        }
    }
    if value(FILTER_RESPONSE_NULLS).is_some_and(|v| v != "true" && v != "false") {
        problems.push(format!("`{FILTER_RESPONSE_NULLS}` must be \"true\" or \"false\""));
    }
}

/// `http://host...` or `https://host...` with a non-empty host and no white space.
pub(crate) fn is_http_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let host = host.rsplit('@').next().unwrap_or_default();
            !host.is_empty() && !host.starts_with(':') && !url.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(key: &str) -> InstanceRequest {
        InstanceRequest::new(key, "Test")
    }

    #[test]
    fn every_missing_entry_is_named_in_catalog_order() {
        let err = validate(&req("pardot").config("apikey.user.name", "x")).unwrap_err();
        assert_eq!(err.missing(), ["apikey.user.password", "apikey.user.key"]);
        let err = validate(&req("closeio").config("password", "  ")).unwrap_err();
        assert_eq!(err.missing(), ["username", "password"]);
    }

    #[test]
    fn unknown_elements_pass_through() {
        validate(&req("salesforce")).unwrap();
    }

    #[test]
    fn provider_version_is_three_or_four_and_optional() {
        let base = req("pardot")
            .config("apikey.user.name", "n")
            .config("apikey.user.password", "p")
            .config("apikey.user.key", "k");
        validate(&base).unwrap();
        validate(&base.clone().config("provider.version", "4")).unwrap();
        let err = validate(&base.config("provider.version", "5")).unwrap_err();
        assert!(err.to_string().contains("provider.version"), "{err}");
    }

    #[test]
    fn typographic_quotes_are_reported_without_the_value() {
        let err = validate(&req("closeio").config("username", "k").config("password", "\u{201C}hunter2\u{201D}"))
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("typographic quote"), "{text}");
        assert!(text.contains("`password`"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn all_problems_are_reported_together() {
        let err = validate(
            &InstanceRequest::new("pardot", "")
                .config("apikey.user.name", "n")
                .config("filter.response.nulls", "yes")
                .config("event.poller.refresh_interval", "0"),
        )
        .unwrap_err();
        let Error::InvalidInput { problems } = &err else { panic!("{err:?}") };
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[3].contains("apikey.user.password, apikey.user.key"), "{problems:?}");
    }

    #[test]
    fn webhook_notifications_need_a_callback_url() {
        let r =
            req("acme").config(common::EVENT_NOTIFICATION_ENABLED, "true").config(common::EVENT_VENDOR_TYPE, "webhook");
        assert_eq!(validate(&r).unwrap_err().missing(), [common::EVENT_NOTIFICATION_CALLBACK_URL]);
        validate(&r.clone().config(common::EVENT_NOTIFICATION_CALLBACK_URL, "https://example.com/hook")).unwrap();
        let err = validate(&r.config(common::EVENT_NOTIFICATION_CALLBACK_URL, "ftp://x")).unwrap_err();
        assert!(err.to_string().contains("http:// or https://"), "{err}");
        validate(
            &req("acme")
                .config(common::EVENT_NOTIFICATION_ENABLED, "true")
                .config(common::EVENT_VENDOR_TYPE, "polling"),
        )
        .unwrap();
    }

    #[test]
    fn common_entries_are_typed() {
        for (k, v) in [
            (common::EVENT_NOTIFICATION_ENABLED, "yes"),
            (common::EVENT_VENDOR_TYPE, "push"),
            (common::EVENT_NOTIFICATION_TYPE, "polling"),
            (common::EVENT_POLLER_REFRESH_INTERVAL, "-5"),
            (common::EVENT_POLLER_CONFIGURATION, "[1]"),
            (common::FILTER_RESPONSE_NULLS, "TRUE"),
        ] {
            assert!(validate(&req("acme").config(k, v)).is_err(), "{k}={v} accepted");
        }
        validate(
            &req("acme")
                .config(common::EVENT_POLLER_REFRESH_INTERVAL, "15")
                .config(common::EVENT_POLLER_CONFIGURATION, r#"{"contacts":{"url":"/hubs/crm/contacts"}}"#)
                .config(common::FILTER_RESPONSE_NULLS, "false"),
        )
        .unwrap();
    }

    #[test]
    fn url_check() {
        assert!(is_http_url("https://example.com/hook?x=1"));
        assert!(is_http_url("http://127.0.0.1:8080"));
        for bad in ["https://", "http:///x", "example.com", "https://exa mple.com", "https://:80/"] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }

    #[test]
    fn secret_entries() {
        assert!(is_secret_entry("closeio", "username"));
        assert!(is_secret_entry("acme", "oauth.api.secret"));
        assert!(is_secret_entry("acme", "apikey.user.key"));
        assert!(!is_secret_entry("pardot", "apikey.user.name"));
        assert!(!is_secret_entry("closeio", "base.url"));
    }
}

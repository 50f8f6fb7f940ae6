//! Checking a request before anything is sent: the element's required entries (from its
//! definition, see [`cloud_elements_catalog`]), the common `event.*` and `filter.*` entries, and
//! the typographic quotes that word processors put into copied JSON.

use cloud_elements_catalog::ElementDefinition;

use crate::catalog::common;
use crate::error::Error;
use crate::models::request::InstanceRequest;
use crate::url::is_http_url;

const PARDOT_PROVIDER_VERSION: &str = "provider.version";
/// How a missing OAuth code is named among the missing entries.
const OAUTH_CODE: &str = "providerData.code";
/// The longest idempotency key.
const MAX_IDEMPOTENCY_KEY: usize = 64;

/// Why `key` cannot be an idempotency key (1 to 64 characters from `A-Z a-z 0-9 . _ -`), if it
/// cannot.
pub(crate) fn idempotency_key_problem(key: &str) -> Option<String> {
    const ALPHABET: &str = "letters A-Z and a-z, digits, `.`, `_` and `-`";
    let count = key.chars().count();
    if key.is_empty() {
        Some(format!("the idempotency key is empty; it must be 1 to {MAX_IDEMPOTENCY_KEY} of {ALPHABET}"))
    } else if let Some(bad) = key.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        Some(format!("the idempotency key contains {bad:?} (U+{:04X}); only {ALPHABET} are allowed", u32::from(bad)))
    } else if count > MAX_IDEMPOTENCY_KEY {
        Some(format!("the idempotency key is {count} characters long; at most {MAX_IDEMPOTENCY_KEY} are allowed"))
    } else {
        None
    }
}

/// Checks an idempotency key alone: 1 to 64 characters from `A-Z a-z 0-9 . _ -` (see
/// [`InstanceRequest::idempotency_key`]).
///
/// # Errors
///
/// [`Error::InvalidInput`] naming what is wrong with the key.
///
/// ```
/// assert!(cloud_elements::check_idempotency_key("batch-7.record_42").is_ok());
/// assert!(cloud_elements::check_idempotency_key("not a key").is_err());
/// ```
pub fn check_idempotency_key(key: &str) -> Result<(), Error> {
    match idempotency_key_problem(key) {
        Some(problem) => Err(Error::invalid(problem)),
        None => Ok(()),
    }
}

/// Checks a request against the built-in definition of its element, when there is one (see
/// [`validate_against`]). Other elements get the checks every request gets: the server decides the
/// rest.
pub fn validate(request: &InstanceRequest) -> Result<(), Error> {
    validate_against(request, cloud_elements_catalog::builtin(request.element_key()))
}

/// Whether the value of configuration entry `key` of element `element_key` is a credential: by the
/// built-in definition when there is one, else by the key's name
/// ([`cloud_elements_catalog::is_secret_name`]). Being wrong here only hides a value, never shows
/// one.
pub fn is_secret_entry(element_key: &str, key: &str) -> bool {
    match cloud_elements_catalog::builtin(element_key) {
        Some(definition) => definition.is_secret(key),
        None => cloud_elements_catalog::is_secret_name(key, None),
    }
}

const TYPOGRAPHIC_QUOTES: [char; 4] = ['\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}'];

pub(crate) fn typographic_quote(text: &str) -> Option<char> {
    text.chars().find(|c| TYPOGRAPHIC_QUOTES.contains(c))
}

fn quote_problem(what: &str, quote: char) -> String {
    format!(
        "{what} contains a typographic quote ({quote} U+{:04X}); the documentation asks for straight quotes",
        u32::from(quote)
    )
}

/// Checks a request before anything is sent, against `definition` (the element's, built in or
/// fetched) when given.
///
/// Every entry the definition says a user must supply
/// ([`ConfigEntry::must_supply`](cloud_elements_catalog::ConfigEntry::must_supply)) and the request
/// leaves absent or blank is missing, named in display order; an entry marked `allowEmpty` may be
/// blank. For an OAuth element ([`ElementDefinition::is_oauth`]) the code the provider's redirect
/// returned ([`InstanceRequest::oauth_code`]) is needed too: without it `providerData.code` is
/// named last among the missing entries. An [idempotency key](InstanceRequest::idempotency_key)
/// must be 1 to 64 characters from `A-Z a-z 0-9 . _ -`. Returns [`Error::MissingConfiguration`] when the only problem is missing entries, and
/// [`Error::InvalidInput`] listing every problem (missing entries included) otherwise. Messages
/// name keys, never values.
///
/// ```
/// use cloud_elements::{InstanceRequest, catalog};
///
/// let pardot = catalog::builtin("pardot").unwrap();
/// let request = InstanceRequest::new("pardot", "Marketing").config("apikey.user.name", "me");
/// let err = catalog::validate_against(&request, Some(pardot)).unwrap_err();
/// assert_eq!(err.missing(), ["apikey.user.password", "apikey.user.key"]);
/// ```
pub fn validate_against(request: &InstanceRequest, definition: Option<&ElementDefinition>) -> Result<(), Error> {
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

    if let Some(key) = request.get_idempotency_key() {
        problems.extend(idempotency_key_problem(key));
    }

    let mut missing = Vec::new();
    if let Some(definition) = definition {
        missing = definition.missing(|k| request.config_value(k));
        if definition.key == "pardot" {
            if let Some(version) = request.config_value(PARDOT_PROVIDER_VERSION) {
                if version != "3" && version != "4" {
                    problems.push(format!("`{PARDOT_PROVIDER_VERSION}` must be \"3\" or \"4\""));
                }
            }
        }
    }
    check_common(request, &mut problems, &mut missing);
    if definition.is_some_and(ElementDefinition::is_oauth)
        && request.provider_code().is_none_or(|c| c.trim().is_empty())
    {
        missing.push(OAUTH_CODE.to_owned());
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::common;

    fn req(key: &str) -> InstanceRequest {
        InstanceRequest::new(key, "Test")
    }

    #[test]
    fn every_missing_entry_is_named_in_display_order() {
        let err = validate(&req("pardot").config("apikey.user.name", "x")).unwrap_err();
        assert_eq!(err.missing(), ["apikey.user.password", "apikey.user.key"]);
        let err = validate(&req("closeio")).unwrap_err();
        assert_eq!(err.missing(), ["username", "password"]);
        // Close.io's own API allows a blank password (its API key is the user name).
        let err = validate(&req("closeio").config("password", "  ")).unwrap_err();
        assert_eq!(err.missing(), ["username"]);
        validate(&req("closeio").config("username", "k").config("password", "")).unwrap();
        let err = validate(&req("clover")).unwrap_err();
        assert_eq!(err.missing(), ["oauth.api.key", "oauth.api.secret", "merchantId", "providerData.code"]);
        let err = validate(&req("clover").oauth_code(" ")).unwrap_err();
        assert_eq!(err.missing(), ["oauth.api.key", "oauth.api.secret", "merchantId", "providerData.code"]);
        let with_code = req("clover").oauth_code("c").config("oauth.api.key", "k");
        let err = validate(&with_code.config("oauth.api.secret", "s")).unwrap_err();
        assert_eq!(err.missing(), ["merchantId"]);
    }

    #[test]
    fn a_fetched_definition_is_used_as_is() {
        let definition = cloud_elements_catalog::parse_definitions(
            r#"{"key": "acme", "configuration": [
                {"key": "b", "required": true, "displayOrder": 2},
                {"key": "a", "required": true, "displayOrder": 1},
                {"key": "hidden", "required": true, "hideFromConsole": true},
                {"key": "defaulted", "required": true, "defaultValue": "x"}]}"#,
        )
        .unwrap()
        .remove(0);
        let err = validate_against(&req("acme"), Some(&definition)).unwrap_err();
        assert_eq!(err.missing(), ["a", "b"]);
        validate_against(&req("acme").config("a", "1").config("b", "2"), Some(&definition)).unwrap();
        validate_against(&req("acme"), None).unwrap();
    }

    #[test]
    fn idempotency_keys_are_short_and_plain() {
        for good in ["a", "batch-7.record_42", &"k".repeat(64)] {
            validate(&req("acme").idempotency_key(good)).unwrap();
        }
        for (bad, says) in [("", "empty"), ("a b", "' '"), ("é", "U+00E9"), (&"k".repeat(65), "65 characters")] {
            let err = validate(&req("acme").idempotency_key(bad)).unwrap_err();
            assert!(err.to_string().contains(says), "{bad}: {err}");
        }
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
    fn secret_entries() {
        assert!(is_secret_entry("closeio", "username"));
        assert!(is_secret_entry("acme", "oauth.api.secret"));
        assert!(is_secret_entry("acme", "apikey.user.key"));
        assert!(!is_secret_entry("pardot", "apikey.user.name"));
        assert!(!is_secret_entry("closeio", "base.url"));
        assert!(is_secret_entry("pardot", "apikey.user.password"));
        assert!(is_secret_entry("clover", "oauth.api.secret"));
    }
}

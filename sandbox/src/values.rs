//! Checks of configuration values the platform makes beyond "is it there": allowed values, and the
//! callback URL webhook notifications need.

use std::collections::BTreeMap;

use cloud_elements_catalog::ConfigEntry;

use crate::catalog::Element;
use crate::validate::{ApiError, bad_request};

/// Where the platform posts events; needed when webhook notifications are on.
pub(crate) const CALLBACK_URL: &str = "event.notification.callback.url";

/// No value, or only white space.
pub(crate) fn is_blank(value: Option<&String>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

/// Webhook notifications need somewhere to go.
pub(crate) fn needs_callback(configuration: &BTreeMap<String, String>) -> bool {
    let value = |key: &str| configuration.get(key).map(|v| v.trim());
    value("event.notification.enabled") == Some("true") && value("event.vendor.type") == Some("webhook")
}

/// Checks every given value the element has a schema entry for, and the callback URL when
/// webhook notifications are on.
pub(crate) fn check_all(element: &Element, configuration: &BTreeMap<String, String>) -> Result<(), ApiError> {
    for (key, value) in configuration {
        if let Some(entry) = element.entry(key) {
            check(entry, value)?;
        }
    }
    if needs_callback(configuration) {
        check_callback_url(configuration.get(CALLBACK_URL).map_or("", String::as_str))?;
    }
    Ok(())
}

/// Checks one given value against its schema entry. Blank values count as not given.
pub(crate) fn check(entry: &ConfigEntry, value: &str) -> Result<(), ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(());
    }
    let allowed: &[&str] = match (entry.key.as_str(), entry.kind.as_deref()) {
        ("provider.version", _) => &["3", "4"],
        ("event.vendor.type", _) => &["webhook", "polling"],
        ("event.notification.type", _) => &["webhook"],
        (_, Some("BOOLEAN")) => &["true", "false"],
        _ => return Ok(()),
    };
    if allowed.contains(&value) {
        return Ok(());
    }
    let choices: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
    Err(bad_request(format!("Configuration entry '{}' must be {}", entry.key, choices.join(" or "))))
}

/// An http(s) URL with a host.
pub(crate) fn is_http_url(url: &str) -> bool {
    let url = url.trim();
    let rest = ["http://", "https://"].iter().find_map(|scheme| {
        url.get(..scheme.len()).filter(|s| s.eq_ignore_ascii_case(scheme)).map(|_| &url[scheme.len()..])
    });
    rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/') && !rest.contains(char::is_whitespace))
}

fn check_callback_url(url: &str) -> Result<(), ApiError> {
    if is_http_url(url) {
        Ok(())
    } else {
        Err(bad_request(format!("Configuration entry '{CALLBACK_URL}' must be an http or https URL")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_urls() {
        assert!(is_http_url("https://example.com/hook"));
        assert!(is_http_url("HTTP://localhost:8080"));
        assert!(!is_http_url("ftp://example.com"));
        assert!(!is_http_url("https://"));
        assert!(!is_http_url("example.com"));
        assert!(check_callback_url("https://").is_err());
    }
}

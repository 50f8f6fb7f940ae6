//! Element definitions in the platform's own format, shared by the client and the sandbox.
//!
//! An *element definition* is what `GET /elements/{key}` answers: the element's id, key, name, hub,
//! authentication and its configuration schema (`configuration`: one [`ConfigEntry`] per setting).
//! The built-in definitions (`closeio`, `pardot` and the OAuth 2 element `clover`) are JSON files in
//! this crate's `elements/` folder, written once and used by both the client's offline validation
//! and the sandbox, so the two cannot drift.
//!
//! The rule for what a user must supply lives here, once: [`ConfigEntry::must_supply`].
//!
//! ```
//! let pardot = cloud_elements_catalog::builtin("pardot").unwrap();
//! let required: Vec<&str> = pardot.must_supply().map(|e| e.key.as_str()).collect();
//! assert_eq!(required, ["apikey.user.name", "apikey.user.password", "apikey.user.key"]);
//! assert_eq!(pardot.missing(|key| (key == "apikey.user.name").then_some("me")),
//!            ["apikey.user.password", "apikey.user.key"]);
//! ```

#![warn(missing_docs)]

mod definition;
mod load;
mod suggest;

use std::sync::LazyLock;

pub use definition::{AuthenticationSpec, ConfigEntry, ElementDefinition};
pub use load::{LoadError, load_path, parse_definitions};
pub use suggest::closest_keys;

/// The built-in definitions as written: `(file name, JSON text)`.
pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
    ("closeio.json", include_str!("../elements/closeio.json")),
    ("pardot.json", include_str!("../elements/pardot.json")),
    ("clover.json", include_str!("../elements/clover.json")),
];

/// The configuration entries every element takes (`event.*`, `filter.response.nulls`), in the
/// platform's entry format, as JSON text.
pub const COMMON_CONFIGURATION_SOURCE: &str = include_str!("../common-configuration.json");

static BUILTINS: LazyLock<Vec<ElementDefinition>> = LazyLock::new(|| {
    BUILTIN_SOURCES
        .iter()
        .flat_map(|(file, text)| match parse_definitions(text) {
            Ok(definitions) => definitions,
            // The files ship with the crate and a unit test parses each of them.
            Err(reason) => panic!("built-in element file {file} is malformed: {reason}"),
        })
        .collect()
});

static COMMON: LazyLock<Vec<ConfigEntry>> = LazyLock::new(|| match serde_json::from_str(COMMON_CONFIGURATION_SOURCE) {
    Ok(entries) => entries,
    Err(reason) => panic!("common-configuration.json is malformed: {reason}"),
});

/// Every built-in definition, in the order of [`BUILTIN_SOURCES`].
pub fn builtins() -> &'static [ElementDefinition] {
    &BUILTINS
}

/// The built-in definition of `key`, if there is one.
///
/// ```
/// assert_eq!(cloud_elements_catalog::builtin("closeio").unwrap().id, Some(146));
/// assert!(cloud_elements_catalog::builtin("salesforce").is_none());
/// ```
pub fn builtin(key: &str) -> Option<&'static ElementDefinition> {
    BUILTINS.iter().find(|e| e.key == key)
}

/// The common configuration entries every element takes.
pub fn common_configuration() -> &'static [ConfigEntry] {
    &COMMON
}

/// Whether a configuration entry's value is a credential, judged by its key and display name when
/// there is no schema type to go by: the last dotted segment of the key, or the last word of the
/// name, says password, secret, token, key or code (`apikey.user.key`, `oauth.api.secret`, Close.io's
/// `username` whose name is "API Key"). Being wrong here only hides a value, never shows one.
pub fn is_secret_name(key: &str, display_name: Option<&str>) -> bool {
    const WORDS: [&str; 5] = ["password", "secret", "token", "key", "code"];
    // Compared in place, without allocating: it runs for every entry of every create's redactor.
    let says_secret = |word: &str| {
        let word = word.as_bytes();
        WORDS.iter().any(|w| word.len() >= w.len() && word[word.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes()))
    };
    let last_segment = key.rsplit('.').next().unwrap_or_default();
    let last_word = display_name.and_then(|n| n.split_whitespace().last()).unwrap_or_default();
    says_secret(last_segment) || says_secret(last_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_and_keys_are_unique() {
        let keys: Vec<&str> = builtins().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["closeio", "pardot", "clover"]);
        assert_eq!(common_configuration().len(), 8);
    }

    #[test]
    fn what_users_must_supply() {
        let keys = |k: &str| builtin(k).unwrap().must_supply().map(|e| e.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys("closeio"), ["username", "password"]);
        assert_eq!(keys("clover"), ["oauth.api.key", "oauth.api.secret", "merchantId"]);
        assert!(builtin("clover").unwrap().is_oauth());
        assert!(!builtin("pardot").unwrap().is_oauth());
    }

    #[test]
    fn blank_closeio_password_is_supplied_but_blank_username_is_not() {
        let closeio = builtin("closeio").unwrap();
        assert_eq!(closeio.missing(|_| Some("")), ["username"]);
        assert_eq!(closeio.missing(|_| Some("  ")), ["username"]);
        assert_eq!(closeio.missing(|_| None), ["username", "password"]);
    }

    #[test]
    fn secret_names() {
        assert!(is_secret_name("username", Some("API Key")));
        assert!(is_secret_name("oauth.api.secret", None));
        assert!(is_secret_name("apikey.user.key", None));
        assert!(!is_secret_name("apikey.user.name", Some("Email Address")));
        assert!(!is_secret_name("base.url", Some("Base URL")));
        let pardot = builtin("pardot").unwrap();
        assert!(pardot.is_secret("apikey.user.password"));
        assert!(!pardot.is_secret("provider.version"));
    }
}

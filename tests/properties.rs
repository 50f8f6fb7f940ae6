//! Property tests: any configuration round-trips to the documented body, validation never panics
//! and names exactly the missing entries, the response decoder never panics, and no secret shows
//! in a `Debug`. (The fuzz targets in `fuzz/` push the same code much harder; these stay in the
//! normal suite and take well under a second each.)

use cloud_elements::catalog::{self, common};
use cloud_elements::{Error, ErrorKind, Instance, InstanceRequest};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// The required entries of the documented elements, as the seed pages list them.
const CLOSEIO_REQUIRED: [&str; 2] = ["username", "password"];
const PARDOT_REQUIRED: [&str; 3] = ["apikey.user.name", "apikey.user.password", "apikey.user.key"];

/// Characters that stress escaping and validation, mixed into arbitrary text.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        2 => prop::char::range('a', 'z'),
        2 => prop::sample::select(vec![
            '"', '\\', '/', '\n', '\r', '\t', '\0', '\u{1}', '\u{1f}', '\u{7f}', '\u{85}', ' ', '\u{a0}',
            '\u{2028}', '\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}', '\u{feff}', 'é', '😀', '𝄞', '{', '}',
            '[', ']', ':', ',', '=', '.',
        ]),
    ]
}

/// Arbitrary text: quotes, backslashes, control characters, emoji, blanks, typographic quotes.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..12).prop_map(String::from_iter)
}

/// Configuration keys: the documented ones (so that keys repeat and validation has something to
/// check) and arbitrary text.
fn config_key() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(vec![
            "username",
            "password",
            "apikey.user.name",
            "apikey.user.password",
            "apikey.user.key",
            "provider.version",
            common::EVENT_NOTIFICATION_ENABLED,
            common::EVENT_VENDOR_TYPE,
            common::EVENT_NOTIFICATION_TYPE,
            common::EVENT_NOTIFICATION_CALLBACK_URL,
            common::EVENT_NOTIFICATION_SIGNATURE_KEY,
            common::EVENT_POLLER_REFRESH_INTERVAL,
            common::EVENT_POLLER_CONFIGURATION,
            common::FILTER_RESPONSE_NULLS,
        ])
        .prop_map(str::to_owned),
        3 => text(),
    ]
}

/// Configuration values: blank ones, the words validation knows, and arbitrary text.
fn config_value() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => prop::sample::select(vec![
            "", " ", "\t\n", "true", "false", "webhook", "polling", "3", "4", "15", "0", "{}", "https://example.com/hook",
        ])
        .prop_map(str::to_owned),
        3 => text(),
    ]
}

fn element_key() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("closeio".to_owned()),
        1 => Just("pardot".to_owned()),
        2 => text(),
    ]
}

fn entries() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((config_key(), config_value()), 0..10)
}

/// A request built with the API, in the given order.
fn build(element: &str, name: &str, entries: &[(String, String)], tags: &[String]) -> InstanceRequest {
    let mut request = InstanceRequest::new(element, name);
    for (key, value) in entries {
        request.set_config(key.as_str(), value.as_str());
    }
    for tag in tags {
        request.add_tag(tag.as_str());
    }
    request
}

/// What the configuration must be: insertion order, a key set again keeps its place and takes
/// the new value.
fn expected_configuration(entries: &[(String, String)]) -> Vec<(String, String)> {
    let mut model: Vec<(String, String)> = Vec::new();
    for (key, value) in entries {
        match model.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value.clone(),
            None => model.push((key.clone(), value.clone())),
        }
    }
    model
}

/// The entries `validate` must report missing, in its order: the element's required entries that
/// are absent or blank, then the callback URL when webhook notifications are on without one.
fn expected_missing(request: &InstanceRequest) -> Vec<String> {
    let blank = |key: &str| request.config_value(key).is_none_or(|v| v.trim().is_empty());
    let required: &[&str] = match request.element_key() {
        "closeio" => &CLOSEIO_REQUIRED,
        "pardot" => &PARDOT_REQUIRED,
        _ => &[],
    };
    // Close.io's own API allows a blank password (the API key goes in the user name).
    let allows_blank = |key: &str| request.element_key() == "closeio" && key == "password";
    let missing_entry = |key: &str| request.config_value(key).is_none() || (blank(key) && !allows_blank(key));
    let mut missing: Vec<String> = required.iter().filter(|k| missing_entry(k)).map(|k| (*k).to_owned()).collect();
    if request.config_value(common::EVENT_NOTIFICATION_ENABLED) == Some("true")
        && request.config_value(common::EVENT_VENDOR_TYPE) == Some("webhook")
        && blank(common::EVENT_NOTIFICATION_CALLBACK_URL)
    {
        missing.push(common::EVENT_NOTIFICATION_CALLBACK_URL.to_owned());
    }
    missing
}

/// Arbitrary JSON, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A response-shaped object: the documented fields, each with a plausible or arbitrary value.
fn response_like() -> impl Strategy<Value = Value> {
    let field =
        |plausible: Value| prop_oneof![2 => Just(Some(plausible)), 1 => json_value().prop_map(Some), 1 => Just(None)];
    (
        field(json!(12)),
        field(json!("cuED0/DezalhhzK2OtO6kMP7NvPnMyNcRDZc=")),
        field(json!("Test")),
        field(json!({"key": "closeio", "authentication": {"type": "basic"}, "active": true})),
        field(json!({"username": "KEY", "password": "PW"})),
        field(json!(true)),
        field(json!([])),
        prop::collection::vec((text(), json_value()), 0..3),
    )
        .prop_map(|(id, token, name, element, configuration, valid, interactions, extra)| {
            let mut object = Map::new();
            for (key, value) in [
                ("id", id),
                ("token", token),
                ("name", name),
                ("element", element),
                ("configuration", configuration),
                ("valid", valid),
                ("provisionInteractions", interactions),
            ] {
                if let Some(value) = value {
                    object.insert(key.to_owned(), value);
                }
            }
            object.extend(extra);
            Value::Object(object)
        })
}

/// Decodes `body` and checks what must hold either way.
fn check_decode(body: &str) -> Result<(), TestCaseError> {
    match Instance::from_json(body) {
        Ok(instance) => {
            prop_assert_eq!(instance.raw_json(), body);
            let reparsed: Value = serde_json::from_str(instance.raw_json()).expect("raw_json is JSON");
            prop_assert_eq!(&reparsed, instance.raw());
            prop_assert!(!instance.token.expose().is_empty());
            let debug = format!("{instance:?}");
            prop_assert!(debug.contains("[redacted]"));
        }
        Err(error) => {
            prop_assert_eq!(error.kind(), ErrorKind::Decode);
            let _ = format!("{error} {error:?} {error:#?}");
        }
    }
    Ok(())
}

proptest! {
    /// Any configuration built with the API is sent as exactly the documented body, and reads
    /// back as the same request.
    #[test]
    fn any_configuration_round_trips_to_the_documented_body(
        element in element_key(),
        name in text(),
        entries in entries(),
        tags in prop::collection::vec(text(), 0..4),
    ) {
        let request = build(&element, &name, &entries, &tags);
        let configuration = expected_configuration(&entries);
        let got: Vec<(&str, &str)> = request.configuration().collect();
        let want: Vec<(&str, &str)> = configuration.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        prop_assert_eq!(got, want);

        // The documented body: element, configuration (in insertion order), tags, name.
        let documented = json!({
            "element": {"key": element},
            "configuration": Value::Object(
                configuration.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect()
            ),
            "tags": tags,
            "name": name,
        });
        let body = request.to_json();
        prop_assert_eq!(&body, &serde_json::to_string(&documented).unwrap());
        let parsed: Value = serde_json::from_str(&body).unwrap();
        let fields: Vec<&str> = parsed.as_object().unwrap().keys().map(String::as_str).collect();
        prop_assert_eq!(fields, ["element", "configuration", "tags", "name"]);
        let keys: Vec<&str> = parsed["configuration"].as_object().unwrap().keys().map(String::as_str).collect();
        let want_keys: Vec<&str> = configuration.iter().map(|(k, _)| k.as_str()).collect();
        prop_assert_eq!(keys, want_keys);
        prop_assert_eq!(&parsed, &documented);

        let again = InstanceRequest::from_json(&body).unwrap();
        prop_assert_eq!(&again, &request);
        prop_assert_eq!(again.to_json(), body);
    }

    /// `validate` never panics, and what it reports missing is exactly the blank or absent
    /// required entries (closeio: username, password; pardot: apikey.user.name, .password, .key),
    /// in catalog order.
    #[test]
    fn validation_never_panics_and_names_exactly_the_missing_entries(
        element in element_key(),
        name in text(),
        entries in entries(),
        tags in prop::collection::vec(text(), 0..3),
    ) {
        let request = build(&element, &name, &entries, &tags);
        let missing = expected_missing(&request);
        match request.validate() {
            Ok(()) => prop_assert!(missing.is_empty(), "valid, yet {:?} missing", missing),
            Err(Error::MissingConfiguration { element: reported, missing: got }) => {
                prop_assert_eq!(reported, element);
                prop_assert!(!missing.is_empty());
                prop_assert_eq!(got, missing);
            }
            Err(Error::InvalidInput { problems }) => {
                prop_assert!(!problems.is_empty());
                let sentence = format!(
                    "missing required configuration for element `{element}`: {}", missing.join(", ")
                );
                if missing.is_empty() {
                    prop_assert!(!problems.iter().any(|p| p.starts_with("missing required")), "{:?}", problems);
                } else {
                    prop_assert_eq!(problems.last(), Some(&sentence));
                }
            }
            Err(other) => prop_assert!(false, "validate gave {:?}", other),
        }
    }

    /// `Instance::from_json` never panics, whatever the text.
    #[test]
    fn decoding_arbitrary_text_never_panics(body in prop_oneof![any::<String>(), text()]) {
        check_decode(&body)?;
    }

    /// Nor on any JSON value, nor on objects shaped like a response with wrong or odd values.
    #[test]
    fn decoding_arbitrary_json_never_panics(value in prop_oneof![json_value(), response_like()]) {
        check_decode(&serde_json::to_string(&value).unwrap())?;
        check_decode(&serde_json::to_string_pretty(&value).unwrap())?;
    }

    /// A secret given as the value of a secret entry shows neither in the request's `Debug` nor
    /// in any validation error's `Display` or `Debug`, whatever else the request holds.
    #[test]
    fn secrets_never_show_in_debug_or_validation_errors(
        element in element_key(),
        name in text(),
        secret_key in prop::sample::select(vec![
            "username", "password", "apikey.user.password", "apikey.user.key", "oauth.api.secret",
            "event.notification.signature.key", "x.token",
        ]),
        core in "[A-Z][a-z0-9]{11}",
        (before, after) in (text(), text()),
        entries in entries(),
        tags in prop::collection::vec(text(), 0..3),
        oauth in proptest::option::of("[a-z]{3}"),
    ) {
        // Something no other part of the request can hold by chance.
        let marker = format!("S3cr{core}");
        let secret = format!("{before}{marker}{after}");
        let mut request = build(&element, &name, &entries, &tags);
        if secret_key != "username" || element == "closeio" {
            prop_assert!(catalog::is_secret_entry(&element, secret_key), "{} is not a secret entry", secret_key);
        }
        request.set_config(secret_key, secret.as_str());
        if let Some(code) = oauth {
            request = request.oauth_code(format!("{marker}{code}"));
        }
        for shown in [format!("{request:?}"), format!("{request:#?}")] {
            prop_assert!(!shown.contains(&marker), "request Debug: {}", shown);
        }
        if let Err(error) = request.validate() {
            for shown in [error.to_string(), format!("{error:?}"), format!("{error:#?}")] {
                prop_assert!(!shown.contains(&marker), "validation error: {}", shown);
            }
        }
    }
}

#[test]
fn the_required_entries_are_the_catalogs() {
    let must_supply = |key: &str| -> Vec<String> {
        catalog::builtin(key).unwrap().must_supply().map(|entry| entry.key.clone()).collect()
    };
    assert_eq!(must_supply("closeio"), CLOSEIO_REQUIRED);
    assert_eq!(must_supply("pardot"), PARDOT_REQUIRED);
    // Only Close.io's password may be blank.
    let blank_allowed: Vec<(&str, &str)> = catalog::builtins()
        .iter()
        .flat_map(|e| e.configuration.iter().filter(|c| c.allow_empty).map(|c| (e.key.as_str(), c.key.as_str())))
        .collect();
    assert_eq!(blank_allowed, [("closeio", "password")]);
}

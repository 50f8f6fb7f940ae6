//! The response decoder: `Instance::from_json`, which is what `Client::create_instance` does with
//! a 2xx body (`Instance::decode` with status 200; the crate-private redactor it is also given is
//! empty here, as no request is involved).
//!
//! Beyond "no panic" (libfuzzer-sys aborts on any panic, even one that would be caught):
//! - a decoded instance agrees with the body: `raw_json()` is the body, it parses back to `raw()`,
//!   and the typed fields are the body's;
//! - its `Debug` does not depend on the token or the configuration values (so shows neither);
//! - a failure is a `Decode` error whose `Display`/`Debug` work and, for a JSON object, does not
//!   depend on the body's string values (no value, secret or not, reaches the message).

#![no_main]

use cloud_elements::{Error, ErrorKind, Instance, Secret};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(body) => check(body),
        // A body is text by the time it reaches the decoder; still try what the bytes give.
        Err(_) => check(&String::from_utf8_lossy(data)),
    }
});

fn check(body: &str) {
    match Instance::from_json(body) {
        Ok(instance) => check_instance(body, &instance),
        Err(error) => check_error(body, &error),
    }
}

/// The fields `Instance` models (everything else lands in `extra`).
const MODELLED: &[&str] = &[
    "id",
    "name",
    "token",
    "element",
    "provisionInteractions",
    "valid",
    "disabled",
    "maxCacheSize",
    "cacheTimeToLive",
    "configuration",
    "eventsEnabled",
    "cachingEnabled",
];

fn check_instance(body: &str, instance: &Instance) {
    assert_eq!(instance.raw_json(), body, "raw_json is not the body");
    let reparsed: Value = serde_json::from_str(instance.raw_json()).expect("raw_json of a decoded instance is JSON");
    assert_eq!(&reparsed, instance.raw(), "raw_json does not parse to raw");
    let raw = instance.raw().as_object().expect("a decoded instance comes from a JSON object");

    assert_eq!(raw.get("id").and_then(Value::as_i64), Some(instance.id), "id");
    let token = instance.token.expose();
    assert_eq!(raw.get("token").and_then(Value::as_str), Some(token), "token");
    assert!(!token.is_empty() && !token.chars().any(char::is_control), "unusable token accepted");
    assert_eq!(instance.name.as_deref(), raw.get("name").and_then(Value::as_str), "name");
    let element_key = raw.get("element").and_then(|e| e.get("key")).and_then(Value::as_str);
    assert_eq!(instance.element.key.as_deref(), element_key, "element key");
    for (key, value) in &instance.extra {
        assert!(!MODELLED.contains(&key.as_str()), "modelled field `{key}` in extra");
        assert_eq!(raw.get(key), Some(value), "extra `{key}` differs from the body");
    }
    match (&instance.configuration, raw.get("configuration")) {
        (None, None | Some(Value::Null)) => {}
        (Some(config), Some(Value::Object(sent))) => {
            assert_eq!(config.len(), sent.len(), "configuration size");
            for (key, value) in sent {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                assert_eq!(config.get(key).map(Secret::expose), Some(text.as_str()), "configuration `{key}`");
            }
        }
        (ours, theirs) => panic!("configuration {:?} from {theirs:?}", ours.is_some()),
    }

    // Debug must not depend on any secret: mask them all and compare.
    let mut masked = instance.clone();
    masked.token = Secret::new("masked-token-value");
    if let Some(config) = masked.configuration.as_mut() {
        for value in config.values_mut() {
            *value = Secret::new("masked-configuration-value");
        }
    }
    assert_eq!(format!("{instance:?}"), format!("{masked:?}"), "Debug shows a secret");
    assert_eq!(format!("{instance:#?}"), format!("{masked:#?}"), "{{:#?}} shows a secret");
}

fn check_error(body: &str, error: &Error) {
    assert_eq!(error.kind(), ErrorKind::Decode, "{error:?}");
    assert_eq!(error.status(), Some(200));
    assert!(error.missing().is_empty() && error.request_id().is_none());
    let display = error.to_string();
    assert!(display.starts_with("undecodable response (HTTP 200): "), "{display}");
    let _ = format!("{error:?} {error:#?}");
    let _ = std::error::Error::source(error);

    // A JSON object's failures quote nothing of the body: the message must come out the same
    // when every string value is replaced by a stand-in of the same kind (empty, holding a
    // control character, or plain), which is all the decoder may look at. Both sides are
    // re-serialized from the parsed value, so that numbers read the same on both (serde_json's
    // float parsing is not exact, and a message may quote a number).
    if let Ok(value @ Value::Object(_)) = serde_json::from_str::<Value>(body) {
        let same = serde_json::to_string(&value).expect("a Value serializes");
        let masked = serde_json::to_string(&mask_strings(value)).expect("a Value serializes");
        if let Err(baseline) = Instance::from_json(&same) {
            match Instance::from_json(&masked) {
                Ok(_) => panic!("masking string values made an undecodable body decodable: {masked}"),
                Err(e) => assert_eq!(baseline.to_string(), e.to_string(), "the message depends on a string value"),
            }
        }
    }
}

/// `value` with every string value (not object keys) replaced by "", "\u{1}" or "x".
fn mask_strings(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(
            if s.is_empty() {
                ""
            } else if s.chars().any(char::is_control) {
                "\u{1}"
            } else {
                "x"
            }
            .to_owned(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(mask_strings).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, mask_strings(v))).collect()),
        other => other,
    }
}

//! Request parsing, in Rust and through the C layer, without network.
//!
//! 1. `InstanceRequest::from_json` → `validate` → `to_json` → `from_json`: the body has exactly the
//!    documented shape, the round trip gives the same request and the same body, `Debug` shows no
//!    configuration value, and no error message depends on a string value it should not quote.
//! 2. `ce_create_instance_json` and `ce_provision` with the same bytes as a C string (invalid UTF-8
//!    included), called only when the request is refused before sending: the status, the last
//!    error and the caller's buffers must match what the Rust API says, with nothing written past
//!    a buffer's length (AddressSanitizer watches).
//! 3. `ce_request_new`, `ce_request_set_config`, `ce_request_add_tag` with the input cut at NUL
//!    bytes into C strings, mirrored in Rust; when the request is refused before sending,
//!    `ce_create_instance` must report exactly what the mirror's `validate` says.
//!
//! The client points at a closed loopback port, and no request that would pass validation is
//! handed to a sending function, so nothing ever leaves the process.

#![no_main]

use std::ffi::{CStr, CString, c_char};
use std::ptr;
use std::sync::OnceLock;

use cloud_elements::catalog;
// The C layer's sources, compiled into this target (the ffi crate has no rlib: its library name is
// the core crate's).
#[path = "../../ffi/src/lib.rs"]
#[allow(dead_code, unused_imports)]
mod ffi;

use ffi::{
    ce_client, ce_client_new, ce_create_instance, ce_create_instance_json, ce_instance, ce_last_error_http_status,
    ce_last_error_message, ce_last_error_missing, ce_last_error_request_id, ce_provision, ce_request,
    ce_request_add_tag, ce_request_free, ce_request_new, ce_request_set_config, ce_status,
};
use cloud_elements::{Error, ErrorKind, InstanceRequest};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Port 9 (discard) on loopback: nothing listens there, and nothing is sent anyway.
const BASE_URL: &CStr = c"http://127.0.0.1:9/elements/api-v2";
const USER_SECRET: &CStr = c"fuzz-user-secret";
const ORG_SECRET: &CStr = c"fuzz-org-secret";

const TYPOGRAPHIC_QUOTES: [char; 4] = ['\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}'];

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(text) => rust_path(text),
        Err(_) => rust_path(&String::from_utf8_lossy(data)),
    }
    c_json_path(data);
    c_builder_path(data);
});

// ---------------------------------------------------------------------------------------------
// 1. The Rust API.

fn rust_path(text: &str) {
    let request = match InstanceRequest::from_json(text) {
        Ok(request) => request,
        Err(error) => return check_parse_error(text, &error),
    };
    let body = request.to_json();
    check_body_shape(&request, &body);

    let again = InstanceRequest::from_json(&body).unwrap_or_else(|e| panic!("the body does not parse back: {e}"));
    assert!(again == request, "the round trip changed the request: {body} -> {}", again.to_json());
    assert_eq!(again.to_json(), body, "the body is not stable over a round trip");

    // Debug names configuration keys, never values.
    let mut masked = request.clone();
    for (key, _) in request.configuration() {
        masked.set_config(key, "masked-value");
    }
    assert_eq!(format!("{request:?}"), format!("{masked:?}"), "Debug shows a configuration value");

    if let Err(error) = request.validate() {
        check_validation_error(&request, &error);
    }
}

fn check_parse_error(text: &str, error: &Error) {
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error:?}");
    let display = error.to_string();
    assert!(display.starts_with("invalid input: "), "{display}");
    let _ = format!("{error:?} {error:#?}");
    // Parse problems name fields and keys, never values: masking every string value of valid
    // JSON must give the same message (both sides re-serialized from the parsed value).
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        let same = serde_json::to_string(&value).expect("a Value serializes");
        let masked = serde_json::to_string(&mask_strings(value)).expect("a Value serializes");
        if let Err(baseline) = InstanceRequest::from_json(&same) {
            match InstanceRequest::from_json(&masked) {
                Ok(_) => panic!("masking string values made a refused request acceptable: {masked}"),
                Err(e) => assert_eq!(baseline.to_string(), e.to_string(), "a parse message depends on a string value"),
            }
        }
    }
}

/// `{"element":{"key":..},["providerData":{..},]"configuration":{..},"tags":[..],"name":..}`, with
/// the configuration in the request's order, each key once.
fn check_body_shape(request: &InstanceRequest, body: &str) {
    let value: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("the body is not JSON ({e}): {body}"));
    let object = value.as_object().expect("the body is an object");
    let fields: Vec<&str> = object.keys().map(String::as_str).collect();
    let expected: &[&str] = if object.contains_key("providerData") {
        &["element", "providerData", "configuration", "tags", "name"]
    } else {
        &["element", "configuration", "tags", "name"]
    };
    assert_eq!(fields, expected, "{body}");
    assert_eq!(object["element"], serde_json::json!({ "key": request.element_key() }));
    let config = object["configuration"].as_object().expect("configuration is an object");
    let sent: Vec<(&str, &str)> =
        config.iter().map(|(k, v)| (k.as_str(), v.as_str().expect("configuration values are strings"))).collect();
    assert_eq!(sent, request.configuration().collect::<Vec<_>>(), "{body}");
    assert_eq!(object["tags"], serde_json::json!(request.tags()));
    assert_eq!(object["name"], Value::String(request.name().to_owned()));
}

fn check_validation_error(request: &InstanceRequest, error: &Error) {
    let display = error.to_string();
    let _ = format!("{error:?} {error:#?}");
    match error {
        Error::MissingConfiguration { element, missing } => {
            assert_eq!(element, request.element_key());
            assert!(!missing.is_empty());
            // Only entries the element's definition demands (or the webhook callback URL) can be
            // missing, each absent or blank.
            let definition = catalog::builtin(request.element_key());
            for entry in missing {
                let known = definition.is_some_and(|d| d.must_supply().any(|e| e.key == *entry))
                    || entry == catalog::common::EVENT_NOTIFICATION_CALLBACK_URL;
                assert!(known, "`{entry}` reported missing");
                assert!(request.config_value(entry).is_none_or(|v| v.trim().is_empty()), "`{entry}` is set");
            }
        }
        Error::InvalidInput { problems } => assert!(!problems.is_empty()),
        other => panic!("validate gave {other:?}"),
    }
    // The values of secret entries reach no message: validation may only look at whether they
    // are blank and at typographic quotes, so masking everything else gives the same text.
    let mut masked = request.clone();
    for (key, value) in request.configuration() {
        if catalog::is_secret_entry(request.element_key(), key) {
            let stand_in: String = value
                .chars()
                .map(|c| if c.is_whitespace() || TYPOGRAPHIC_QUOTES.contains(&c) { c } else { 'x' })
                .collect();
            masked.set_config(key, stand_in);
        }
    }
    let masked_error = masked.validate().expect_err("masking secret values made a refused request valid");
    assert_eq!(display, masked_error.to_string(), "a validation message depends on a secret value");
    assert_eq!(format!("{error:?}"), format!("{masked_error:?}"), "a validation Debug depends on a secret value");
}

/// `value` with every string value (not object keys) replaced by "x" ("" stays "").
fn mask_strings(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(if s.is_empty() { String::new() } else { "x".to_owned() }),
        Value::Array(items) => Value::Array(items.into_iter().map(mask_strings).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, mask_strings(v))).collect()),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// 2. The C functions that take instance JSON.

/// A client made once per process (the pointer, as an address).
fn client() -> *const ce_client {
    static CLIENT: OnceLock<usize> = OnceLock::new();
    *CLIENT.get_or_init(|| {
        let mut client: *mut ce_client = ptr::null_mut();
        let status =
            unsafe { ce_client_new(BASE_URL.as_ptr(), USER_SECRET.as_ptr(), ORG_SECRET.as_ptr(), &mut client) };
        assert_eq!(status, ce_status::CE_OK, "ce_client_new: {}", last_message());
        client as usize
    }) as *const ce_client
}

fn last_message() -> String {
    let message = unsafe { CStr::from_ptr(ce_last_error_message()) };
    message.to_str().expect("the last error message is UTF-8").to_owned()
}

/// What the C layer must say after a call that returned `status`, given the Rust error behind it
/// (`None` for a failure that only the C layer knows, such as invalid UTF-8).
fn check_last_error(status: ce_status, expected: Option<&Error>) {
    assert_ne!(status, ce_status::CE_ERR_INTERNAL, "a panic inside the library: {}", last_message());
    let message = last_message();
    let missing = unsafe { CStr::from_ptr(ce_last_error_missing()) }.to_str().expect("missing is UTF-8").to_owned();
    let request_id = unsafe { CStr::from_ptr(ce_last_error_request_id()) };
    if status == ce_status::CE_OK {
        assert!(message.is_empty() && missing.is_empty(), "a last error after success: {message}");
    } else {
        assert!(!message.is_empty(), "no message for {status:?}");
    }
    assert_eq!(ce_last_error_http_status(), 0, "an HTTP status without a response");
    assert!(request_id.is_empty(), "a request id without a response");
    if let Some(error) = expected {
        assert_eq!(status, ce_status::from(error), "{error:?}");
        assert_eq!(message, error.to_string().replace('\0', "\u{FFFD}"));
        assert_eq!(missing, error.missing().join(","));
    }
}

/// The bytes up to the first NUL: what a C caller can pass.
fn c_string(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).expect("no NUL before end")
}

/// What the library will do with `json` before sending: `Err` when it refuses it (the error the
/// C layer must report), `Ok(None)` for invalid UTF-8, `Ok(Some(()))` when it would send it.
fn refused(json: &CStr) -> Result<Option<()>, Error> {
    let Ok(text) = json.to_str() else { return Ok(None) };
    InstanceRequest::from_json(text)?.validate()?;
    Ok(Some(()))
}

fn c_json_path(data: &[u8]) {
    let json = c_string(data);
    let verdict = refused(&json);
    if matches!(verdict, Ok(Some(()))) {
        // It would be sent: leave it to the Rust checks.
        return;
    }
    let mut instance: *mut ce_instance = ptr::null_mut();
    let status = unsafe { ce_create_instance_json(client(), json.as_ptr(), &mut instance) };
    assert!(instance.is_null(), "an instance without sending");
    check_last_error(status, verdict.as_ref().err());
    if verdict.is_ok() {
        assert_eq!(status, ce_status::CE_ERR_INVALID_ARGUMENT);
        assert!(last_message().contains("not valid UTF-8"), "{}", last_message());
    }

    // ce_provision, with caller buffers of lengths taken from the input.
    let token_len = data.first().map_or(0, |&b| usize::from(b % 8));
    let error_len = data.last().map_or(0, |&b| usize::from(b));
    let mut token_buf = vec![0x55u8; token_len];
    let mut error_buf = vec![0x55u8; error_len];
    let token_ptr = if token_len == 0 { ptr::null_mut() } else { token_buf.as_mut_ptr().cast::<c_char>() };
    let error_ptr = if error_len == 0 { ptr::null_mut() } else { error_buf.as_mut_ptr().cast::<c_char>() };
    let status = unsafe {
        ce_provision(
            BASE_URL.as_ptr(),
            USER_SECRET.as_ptr(),
            ORG_SECRET.as_ptr(),
            json.as_ptr(),
            token_ptr,
            token_len,
            error_ptr,
            error_len,
        )
    };
    assert_ne!(status, ce_status::CE_OK, "ce_provision succeeded without sending");
    match &verdict {
        // The arguments are checked first, then the token buffer, then the JSON.
        Ok(_) => {
            assert_eq!(status, ce_status::CE_ERR_INVALID_ARGUMENT, "{}", last_message());
            check_last_error(status, None);
        }
        Err(_) if token_len < 2 => {
            assert_eq!(status, ce_status::CE_ERR_BUFFER_TOO_SMALL, "{}", last_message());
            check_last_error(status, None);
        }
        Err(error) => check_last_error(status, Some(error)),
    }
    if token_len > 0 {
        assert_eq!(token_buf[0], 0, "a token written on failure");
    }
    if error_len > 0 {
        let nul = error_buf.iter().position(|&b| b == 0).expect("the error buffer is NUL-terminated");
        let written = std::str::from_utf8(&error_buf[..nul]).expect("the error buffer holds whole characters");
        let message = last_message();
        assert!(message.starts_with(written), "the error buffer is not the message's start");
        assert!(written.len() == message.len() || written.len() + 4 >= error_len, "cut shorter than needed");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. The C request builder.

/// Builds a request through C from NUL-separated pieces: element key, name, then entries
/// (`key=value`, or a tag when the piece starts with `#`). The same operations build a Rust
/// mirror.
fn c_builder_path(data: &[u8]) {
    let mut pieces = data.split(|&b| b == 0);
    let key = CString::new(pieces.next().unwrap_or_default()).expect("split at NUL");
    let name = pieces.next().map(|p| CString::new(p).expect("split at NUL"));

    let mut request: *mut ce_request = ptr::null_mut();
    let name_ptr = name.as_ref().map_or(ptr::null(), |n| n.as_ptr());
    let status = unsafe { ce_request_new(key.as_ptr(), name_ptr, &mut request) };
    let mirror = match (key.to_str(), name.as_ref().map(|n| n.to_str())) {
        (Ok(key), Some(Ok(name))) => {
            assert_eq!(status, ce_status::CE_OK, "{}", last_message());
            check_last_error(status, None);
            InstanceRequest::new(key, name)
        }
        _ => {
            assert_eq!(status, ce_status::CE_ERR_INVALID_ARGUMENT);
            assert!(request.is_null());
            check_last_error(status, None);
            // A NULL request is refused, not dereferenced.
            let status = unsafe { ce_request_add_tag(ptr::null_mut(), key.as_ptr()) };
            assert_eq!(status, ce_status::CE_ERR_INVALID_ARGUMENT);
            check_last_error(status, None);
            return;
        }
    };
    let mut mirror = mirror;
    for piece in pieces.take(64) {
        if let Some(tag) = piece.strip_prefix(b"#") {
            let tag = CString::new(tag).expect("split at NUL");
            let status = unsafe { ce_request_add_tag(request, tag.as_ptr()) };
            check_last_error(status, None);
            match tag.to_str() {
                Ok(tag) => {
                    assert_eq!(status, ce_status::CE_OK);
                    mirror.add_tag(tag);
                }
                Err(_) => assert_eq!(status, ce_status::CE_ERR_INVALID_ARGUMENT),
            }
        } else {
            let (k, v) = match piece.iter().position(|&b| b == b'=') {
                Some(at) => (&piece[..at], &piece[at + 1..]),
                None => (piece, &b""[..]),
            };
            let (k, v) = (CString::new(k).expect("split at NUL"), CString::new(v).expect("split at NUL"));
            let status = unsafe { ce_request_set_config(request, k.as_ptr(), v.as_ptr()) };
            check_last_error(status, None);
            match (k.to_str(), v.to_str()) {
                (Ok(k), Ok(v)) => {
                    assert_eq!(status, ce_status::CE_OK);
                    mirror.set_config(k, v);
                }
                _ => assert_eq!(status, ce_status::CE_ERR_INVALID_ARGUMENT),
            }
        }
    }
    // The C request must be the mirror: when the mirror is refused, so is the C request, with
    // the same words. (A request that would be sent is not handed to C.)
    if let Err(error) = mirror.validate() {
        let mut instance: *mut ce_instance = ptr::null_mut();
        let status = unsafe { ce_create_instance(client(), request, &mut instance) };
        assert!(instance.is_null(), "an instance without sending");
        check_last_error(status, Some(&error));
    }
    unsafe { ce_request_free(request) };
}

//! Element definitions and configuration schemas, read from the platform as JSON.

use std::ffi::c_char;

use super::client::ce_client;
use super::error::{Failure, ce_status};
use super::panic::guard;
use super::ptr::{give_string, handle, out_arg, str_arg};

/// An element's definition: `GET /elements/{key}`, as a JSON object (`key`, `name`, `hub`,
/// `typeOauth`, `authentication`, `configuration` when the platform's answer has it, and every
/// other field the platform sent, kept as sent).
///
/// `out_json` receives the JSON on success; the string is the caller's, freed with
/// `ce_string_free()`. A key the platform does not know gives `CE_ERR_UNKNOWN_ELEMENT`, whose
/// message names the closest known keys (`"no element with key `pardott` (did you mean
/// `pardot`?)"`); an empty key `CE_ERR_INVALID_ARGUMENT`. A read: sent again after a lost answer
/// or a 429, 500, 502, 503 or 504, within the overall timeout.
///
/// # Safety
/// `client` is NULL or a live client; `key` is NULL or NUL-terminated; `out_json` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_get_element_json(
    client: *const ce_client,
    key: *const c_char,
    out_json: *mut *mut c_char,
) -> ce_status {
    guard(|| {
        let out = unsafe { out_arg(out_json, "out_json") }?;
        let client = unsafe { handle(client, "client") }?;
        let key = unsafe { str_arg(key, "key") }?;
        let json = serde_json::to_string(&client.client().element(key)?).map_err(unwritable)?;
        unsafe { give_string(out, &json) };
        Ok(())
    })
}

/// An element's configuration schema: `GET /elements/{key}/configuration`, as a JSON array with
/// one object per entry (`key`, `name`, `type`, `required`, `defaultValue`, `hideFromConsole`,
/// `internal`, `displayOrder`, and every other field the platform sent).
///
/// `out_json` receives the JSON on success; the string is the caller's, freed with
/// `ce_string_free()`. Errors as `ce_get_element_json()`.
///
/// # Safety
/// `client` is NULL or a live client; `key` is NULL or NUL-terminated; `out_json` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_get_element_configuration_json(
    client: *const ce_client,
    key: *const c_char,
    out_json: *mut *mut c_char,
) -> ce_status {
    guard(|| {
        let out = unsafe { out_arg(out_json, "out_json") }?;
        let client = unsafe { handle(client, "client") }?;
        let key = unsafe { str_arg(key, "key") }?;
        let json = serde_json::to_string(&client.client().element_configuration(key)?).map_err(unwritable)?;
        unsafe { give_string(out, &json) };
        Ok(())
    })
}

/// A definition that cannot be written as JSON: a bug, since every field is JSON to begin with.
fn unwritable(error: serde_json::Error) -> Failure {
    Failure::new(ce_status::CE_ERR_INTERNAL, format!("the element could not be written as JSON ({error})"))
}

//! An instance's configuration entries, read as JSON and changed one by one.

use std::ffi::c_char;

use cloud_elements::ConfigurationEntry;
use serde_json::{Map, Value};

use super::client::ce_client;
use super::error::ce_status;
use super::panic::guard;
use super::ptr::{give_string, handle, out_arg, str_arg};

/// The configuration entries of an instance: `GET /instances/{id}/configuration`, the common
/// entries (`event.*`, `filter.response.nulls`) included.
///
/// `out_json` receives a JSON array, one object per entry, in the server's order:
/// `[{"id":7,"key":"username","propertyValue":"…", …}]`, with the fields the server sent. Secret
/// values come back as the server sent them (the platform masks passwords as `"********"`, but
/// not every secret: Close.io's API key is echoed): don't log it. The string is the caller's;
/// free it with `ce_string_free()`. An unknown id gives `CE_ERR_NOT_FOUND`.
///
/// # Safety
/// `client` is NULL or a live client; `out_json` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_get_instance_configuration_json(
    client: *const ce_client,
    id: i64,
    out_json: *mut *mut c_char,
) -> ce_status {
    guard(|| {
        let out = unsafe { out_arg(out_json, "out_json") }?;
        let client = unsafe { handle(client, "client") }?;
        let entries = client.client().instance_configuration(id)?;
        let json = Value::Array(entries.iter().map(entry_json).collect()).to_string();
        unsafe { give_string(out, &json) };
        Ok(())
    })
}

/// One entry as the server sent it: `id`, `key`, `propertyValue`, then the other fields.
fn entry_json(entry: &ConfigurationEntry) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), Value::from(entry.id));
    object.insert("key".into(), Value::String(entry.key.clone()));
    object.insert("propertyValue".into(), Value::String(entry.property_value.expose().to_owned()));
    for (field, value) in &entry.extra {
        object.insert(field.clone(), value.clone());
    }
    Value::Object(object)
}

/// Changes one configuration entry of an instance to `value` (both copied): finds the entry's id
/// by `key`, then `PATCH /instances/{id}/configuration/{entry id}`. A key the instance does not
/// have gives `CE_ERR_INVALID_ARGUMENT` naming the key, and nothing is changed. The value never
/// appears in an error message. Both requests end within one overall timeout.
///
/// # Safety
/// `client` is NULL or a live client; `key` and `value` are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_update_instance_configuration(
    client: *const ce_client,
    id: i64,
    key: *const c_char,
    value: *const c_char,
) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        let key = unsafe { str_arg(key, "key") }?;
        let value = unsafe { str_arg(value, "value") }?;
        client.client().update_instance_configuration(id, key, value)?;
        Ok(())
    })
}

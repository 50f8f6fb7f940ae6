//! The calls on an existing instance, by id (get, update, delete) or by token (enable, disable,
//! ping).

use std::ffi::c_char;

use super::client::ce_client;
use super::error::ce_status;
use super::instance::ce_instance;
use super::panic::guard;
use super::ptr::{give, handle, out_arg, str_arg};
use super::update::parse_update;

/// Reads one instance: `GET /instances/{id}`.
///
/// `out` receives the instance on success; free it with `ce_instance_free()`. An id that does not
/// exist (a deleted instance) gives `CE_ERR_NOT_FOUND`. A read: sent again after a lost answer or
/// a 429, 500, 502, 503 or 504, within the overall timeout.
///
/// # Safety
/// `client` is NULL or a live client; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_get_instance(client: *const ce_client, id: i64, out: *mut *mut ce_instance) -> ce_status {
    guard(|| {
        let out = unsafe { out_arg(out, "out") }?;
        let client = unsafe { handle(client, "client") }?;
        let instance = client.client().get_instance(id)?;
        unsafe { give(out, ce_instance::new(instance)) };
        Ok(())
    })
}

/// Changes an instance: `PATCH /instances/{id}` with what `update_json` sets, and returns the
/// instance as the server answers it.
///
/// `update_json` is a JSON object with any of these keys, and no other:
/// `{"name":"…","tags":["…"],"configuration":{"key":"value"},"providerData":{"code":"…"}}`.
/// Tags are *replaced*, not merged (`"tags":[]` removes them all); configuration values are
/// strings (numbers and booleans are sent as their text); a new OAuth code re-authenticates the
/// instance. An unknown key, a wrong type, an empty name, tag or key, or an object that changes
/// nothing gives `CE_ERR_INVALID_ARGUMENT` naming the key (never a value), and nothing is sent.
///
/// Sending the same change twice is harmless, so a lost answer or a 429, 500, 502, 503 or 504 is
/// sent again, within the overall timeout; `ce_last_error_instance_may_exist()` says whether a
/// failed change may nevertheless have been made. `out` receives the instance on success; free it
/// with `ce_instance_free()`.
///
/// # Safety
/// `client` is NULL or a live client; `update_json` is NULL or NUL-terminated; `out` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_update_instance(
    client: *const ce_client,
    id: i64,
    update_json: *const c_char,
    out: *mut *mut ce_instance,
) -> ce_status {
    guard(|| {
        let out = unsafe { out_arg(out, "out") }?;
        let client = unsafe { handle(client, "client") }?;
        let update = parse_update(unsafe { str_arg(update_json, "update_json") }?)?;
        let instance = client.client().update_instance(id, &update)?;
        unsafe { give(out, ce_instance::new(instance)) };
        Ok(())
    })
}

/// Deletes an instance: `DELETE /instances/{id}`. An id that does not exist gives
/// `CE_ERR_NOT_FOUND`.
///
/// Sent again after a lost answer or a 429, 500, 502, 503 or 504, within the overall timeout; when
/// an earlier attempt's answer was lost and the next finds no instance, the earlier one deleted it,
/// and the call succeeds.
///
/// # Safety
/// `client` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_delete_instance(client: *const ce_client, id: i64) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        client.client().delete_instance(id)?;
        Ok(())
    })
}

/// Enables again the instance whose token is `token`: `PUT /instances/enabled` with the token in
/// `Authorization` (see `ce_disable_instance()`). The token never appears in an error message.
///
/// # Safety
/// `client` is NULL or a live client; `token` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_enable_instance(client: *const ce_client, token: *const c_char) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        let token = unsafe { str_arg(token, "token") }?;
        client.client().enable_instance(token)?;
        Ok(())
    })
}

/// Disables the instance whose token is `token`: `DELETE /instances/enabled` with the token in
/// `Authorization`. Calls on a disabled instance (`ce_ping()`) are refused with 403 (`CE_ERR_API`)
/// until `ce_enable_instance()`. An empty token, or one with a control character, a comma or
/// surrounding white space, gives `CE_ERR_INVALID_ARGUMENT` and nothing is sent; an unknown token
/// `CE_ERR_UNAUTHORIZED`. The token never appears in an error message.
///
/// # Safety
/// `client` is NULL or a live client; `token` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_disable_instance(client: *const ce_client, token: *const c_char) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        let token = unsafe { str_arg(token, "token") }?;
        client.client().disable_instance(token)?;
        Ok(())
    })
}

/// The platform's health check of one instance: `GET /hubs/{hub}/ping` with the instance's token
/// (`hub`: the element's hub, `"crm"`, `"marketing"`…). `CE_OK` when the instance answers; a
/// disabled instance gives `CE_ERR_API` with HTTP status 403, a deleted one (an unknown token)
/// `CE_ERR_UNAUTHORIZED`, a hub that is not the element's `CE_ERR_NOT_FOUND`.
///
/// # Safety
/// `client` is NULL or a live client; `token` and `hub` are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_ping(client: *const ce_client, token: *const c_char, hub: *const c_char) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        let token = unsafe { str_arg(token, "token") }?;
        let hub = unsafe { str_arg(hub, "hub") }?;
        client.client().ping(token, hub)?;
        Ok(())
    })
}

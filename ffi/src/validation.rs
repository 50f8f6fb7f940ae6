//! `ce_client_set_validation` and `ce_validate_request`: what a client checks before it sends a
//! create.

use std::ffi::c_int;

use cloud_elements::Validation;

use super::client::ce_client;
use super::error::{Failure, ce_status};
use super::panic::guard;
use super::ptr::handle;
use super::request::ce_request;

/// `ce_client_set_validation()` mode, the default: built-in elements (`closeio`, `pardot`,
/// `clover`) are checked offline; any other element's definition is fetched
/// (`GET /elements/{key}`, and its configuration when the answer has none) once per client,
/// cached, and the request checked against it; an unknown element is `CE_ERR_UNKNOWN_ELEMENT`.
pub const CE_VALIDATION_FULL: c_int = 0;
/// `ce_client_set_validation()` mode: built-in elements only; no definition is ever fetched, and
/// requests for other elements pass to the server unchecked.
pub const CE_VALIDATION_OFFLINE: c_int = 1;
/// `ce_client_set_validation()` mode: no element checks at all; the server decides.
pub const CE_VALIDATION_OFF: c_int = 2;

/// Sets what the client checks before it sends a create (`ce_create_instance()`,
/// `ce_create_instance_json()`): `CE_VALIDATION_FULL` (the default), `CE_VALIDATION_OFFLINE` or
/// `CE_VALIDATION_OFF`. Every mode checks the request's own shape (an element key and a name, the
/// common `event.*` and `filter.*` entries). Another value gives `CE_ERR_INVALID_ARGUMENT` and
/// changes nothing.
///
/// Safe while other threads use the client, as `ce_client_set_timeout_ms()`: calls under way keep
/// the old mode, later ones get the new. The client starts a new connection pool and forgets the
/// definitions it fetched.
///
/// # Safety
/// `client` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_client_set_validation(client: *mut ce_client, mode: c_int) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        let validation = match mode {
            CE_VALIDATION_FULL => Validation::Full,
            CE_VALIDATION_OFFLINE => Validation::Offline,
            CE_VALIDATION_OFF => Validation::Off,
            other => {
                return Err(Failure::invalid(format!(
                    "`mode` is {other}: use CE_VALIDATION_FULL (0), CE_VALIDATION_OFFLINE (1) or CE_VALIDATION_OFF (2)"
                )));
            }
        };
        client.update(|settings| settings.validation(validation))
    })
}

/// Checks `request` as `ce_create_instance()` does before it sends anything, without creating
/// anything: by the client's validation mode (`ce_client_set_validation()`), fetching and caching
/// the element's definition when it is not built in. For a dry run, or to check a whole batch
/// before creating any of it.
///
/// `CE_OK` when the request would be sent; otherwise `CE_ERR_MISSING_CONFIGURATION` (every
/// missing entry in `ce_last_error_missing()`, and `providerData.code` for an OAuth element without
/// a code), `CE_ERR_INVALID_ARGUMENT`, `CE_ERR_UNKNOWN_ELEMENT`, or the error of the definition's
/// fetch.
///
/// # Safety
/// `client` and `request` are NULL or live handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_validate_request(client: *const ce_client, request: *const ce_request) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        let request = unsafe { handle(request, "request") }?;
        client.client().validate_request(&request.request)?;
        Ok(())
    })
}

//! `ce_instance`: creating instances and reading what the server answered.

use std::ffi::{CString, c_char};

use super::client::ce_client;
use super::error::{EMPTY, c_string, ce_status};
use super::panic::{guard, guard_value};
use super::ptr::{free, give, handle, out_arg, str_arg};
use super::request::ce_request;
use crate::{Instance, InstanceRequest};

/// A provisioned instance, as the server described it. Free it with `ce_instance_free()`; every
/// string read from it is valid until then.
pub struct ce_instance {
    id: i64,
    token: CString,
    name: CString,
    element_key: CString,
    json: CString,
}

impl ce_instance {
    fn new(instance: Instance) -> Self {
        ce_instance {
            id: instance.id,
            token: c_string(instance.token.expose()),
            name: c_string(instance.name.as_deref().unwrap_or_default()),
            element_key: c_string(instance.element.key.as_deref().unwrap_or_default()),
            json: c_string(instance.raw_json()),
        }
    }
}

/// Provisions an instance: validates `request` (nothing is sent if an entry is missing), sends
/// `POST /instances` once, and decodes the answer.
///
/// `out` receives the instance on success; free it with `ce_instance_free()`. On failure see
/// `ce_last_error_message()`, `ce_last_error_missing()`, `ce_last_error_http_status()`.
///
/// # Safety
/// `client` and `request` are NULL or live handles; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_create_instance(
    client: *const ce_client,
    request: *const ce_request,
    out: *mut *mut ce_instance,
) -> ce_status {
    guard(|| {
        let out = out_arg(out)?;
        let client = unsafe { handle(client, "client") }?;
        let request = unsafe { handle(request, "request") }?;
        let instance = client.client().create_instance(&request.request)?;
        unsafe { give(out, ce_instance::new(instance)) };
        Ok(())
    })
}

/// Provisions an instance from the documentation's `instance.json`, as is:
/// `{"element":{"key":…},"configuration":{…},"tags":[…],"name":…}`.
///
/// As `ce_create_instance()`; malformed JSON gives `CE_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `client` is NULL or a live client; `instance_json` is NULL or NUL-terminated; `out` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_create_instance_json(
    client: *const ce_client,
    instance_json: *const c_char,
    out: *mut *mut ce_instance,
) -> ce_status {
    guard(|| {
        let out = out_arg(out)?;
        let client = unsafe { handle(client, "client") }?;
        let json = unsafe { str_arg(instance_json, "instance_json") }?;
        let request = InstanceRequest::from_json(json)?;
        let instance = client.client().create_instance(&request)?;
        unsafe { give(out, ce_instance::new(instance)) };
        Ok(())
    })
}

fn borrowed(instance: *const ce_instance, field: fn(&ce_instance) -> &CString) -> *const c_char {
    guard_value(EMPTY.as_ptr(), || {
        // SAFETY: the caller promises NULL or a live instance.
        match unsafe { instance.as_ref() } {
            Some(instance) => field(instance).as_ptr(),
            None => EMPTY.as_ptr(),
        }
    })
}

/// The instance token: keep it for every later call on this instance (see
/// `ce_authorization_header()`). Borrowed from `instance`: valid until `ce_instance_free()`.
/// `""` when `instance` is NULL; never NULL.
///
/// # Safety
/// `instance` is NULL or a live instance.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_token(instance: *const ce_instance) -> *const c_char {
    borrowed(instance, |i| &i.token)
}

/// The instance id, or -1 when `instance` is NULL.
///
/// # Safety
/// `instance` is NULL or a live instance.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_id(instance: *const ce_instance) -> i64 {
    guard_value(-1, || unsafe { instance.as_ref() }.map_or(-1, |i| i.id))
}

/// The instance name the server reported (`""` if none, or when `instance` is NULL). Borrowed from
/// `instance`: valid until `ce_instance_free()`; never NULL.
///
/// # Safety
/// `instance` is NULL or a live instance.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_name(instance: *const ce_instance) -> *const c_char {
    borrowed(instance, |i| &i.name)
}

/// The element key the server reported (`""` if none, or when `instance` is NULL). Borrowed from
/// `instance`: valid until `ce_instance_free()`; never NULL.
///
/// # Safety
/// `instance` is NULL or a live instance.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_element_key(instance: *const ce_instance) -> *const c_char {
    borrowed(instance, |i| &i.element_key)
}

/// The whole response body, as the server sent it (JSON). It contains the token and the
/// configuration the server echoed, passwords included. Borrowed from `instance`: valid until
/// `ce_instance_free()`; `""` when `instance` is NULL; never NULL.
///
/// # Safety
/// `instance` is NULL or a live instance.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_json(instance: *const ce_instance) -> *const c_char {
    borrowed(instance, |i| &i.json)
}

/// Frees an instance and every string borrowed from it. NULL is fine.
///
/// # Safety
/// `instance` is NULL or an instance from this library, not in use, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_free(instance: *mut ce_instance) {
    guard_value((), || unsafe { free(instance) });
}

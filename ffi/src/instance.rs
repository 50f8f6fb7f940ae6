//! `ce_instance`: creating instances and reading what the server answered.

use std::ffi::{CString, c_char, c_int};
use std::ptr;
use std::sync::OnceLock;

use super::client::ce_client;
use super::error::{EMPTY, c_string, ce_status};
use super::panic::{guard, guard_value};
use super::ptr::{free, give, handle, out_arg, str_arg};
use super::request::ce_request;
use cloud_elements::{CreateOutcome, Instance, InstanceRequest};
use serde_json::Value;

/// A provisioned instance, as the server described it. Free it with `ce_instance_free()`; every
/// string read from it is valid until then.
///
/// Thread safety: the getters may be called from many threads at once; freeing it must wait until
/// no other thread uses it. An instance borrowed from a `ce_instance_list` is freed with its list,
/// never on its own.
pub struct ce_instance {
    id: i64,
    valid: Option<bool>,
    disabled: Option<bool>,
    /// Whether a create made it (`Some(true)`) or found it made (`Some(false)`); `None` for an
    /// instance that was read, not created.
    created: Option<bool>,
    token: CString,
    name: CString,
    element_key: CString,
    json: CString,
    /// The `configuration` object as JSON, made when first asked for (`None`: the answer had none).
    configuration: OnceLock<Option<CString>>,
}

impl ce_instance {
    pub(super) fn new(instance: Instance) -> Self {
        ce_instance {
            token: c_string(instance.token.expose()),
            name: c_string(instance.name.as_deref().unwrap_or_default()),
            element_key: c_string(instance.element.key.as_deref().unwrap_or_default()),
            json: c_string(instance.raw_json()),
            configuration: OnceLock::new(),
            id: instance.id,
            valid: instance.valid,
            disabled: instance.disabled,
            created: None,
        }
    }

    /// An instance a create returned, with what the create did.
    pub(super) fn created(instance: Instance, outcome: CreateOutcome) -> Self {
        ce_instance { created: Some(outcome.is_created()), ..ce_instance::new(instance) }
    }
}

/// Provisions an instance: validates `request` (nothing is sent if an entry is missing), sends
/// `POST /instances`, and decodes the answer.
///
/// A failure that certainly created nothing (no connection, a 429 or 503) is sent again, up to
/// the client's retries (`ce_client_set_retries()`, 2 by default), within the overall timeout. A
/// failure after which the instance may exist (a timeout or reset after sending, a 500 or 502) is
/// returned with `ce_last_error_instance_may_exist()` = 1, unless `ce_client_set_idempotent()` is
/// on: then the instance is looked up by its provisioning tag and, if absent, created again.
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
        let out = unsafe { out_arg(out, "out") }?;
        let client = unsafe { handle(client, "client") }?;
        let request = unsafe { handle(request, "request") }?;
        let (instance, outcome) = client.client().create_instance_outcome(&request.request)?;
        unsafe { give(out, ce_instance::created(instance, outcome)) };
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
        let out = unsafe { out_arg(out, "out") }?;
        let client = unsafe { handle(client, "client") }?;
        let json = unsafe { str_arg(instance_json, "instance_json") }?;
        let request = InstanceRequest::from_json(json)?;
        let (instance, outcome) = client.client().create_instance_outcome(&request)?;
        unsafe { give(out, ce_instance::created(instance, outcome)) };
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

/// An optional flag as C reads it: 1 true, 0 false, -1 unknown.
fn tri_state(flag: Option<bool>) -> c_int {
    flag.map_or(-1, c_int::from)
}

/// Whether the server reported the instance valid (`valid`): 1 yes, 0 no, -1 when the answer did
/// not say or `instance` is NULL.
///
/// # Safety
/// `instance` is NULL or a live instance.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_valid(instance: *const ce_instance) -> c_int {
    guard_value(-1, || unsafe { instance.as_ref() }.map_or(-1, |i| tri_state(i.valid)))
}

/// Whether the server reported the instance disabled (`disabled`; see `ce_disable_instance()`):
/// 1 yes, 0 no, -1 when the answer did not say or `instance` is NULL.
///
/// # Safety
/// `instance` is NULL or a live instance.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_disabled(instance: *const ce_instance) -> c_int {
    guard_value(-1, || unsafe { instance.as_ref() }.map_or(-1, |i| tri_state(i.disabled)))
}

/// Whether the create that returned `instance` made it: 1 when this call created it, 0 when an
/// instance carrying the request's idempotency key (a `ce-provision-<key>` tag) already existed
/// and was returned instead (nothing was created), -1 for an instance that was read rather than
/// created (`ce_get_instance()`, a list, `ce_find_instance_by_idempotency_key()`…) or when
/// `instance` is NULL.
///
/// # Safety
/// `instance` is NULL or a live instance.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_created(instance: *const ce_instance) -> c_int {
    guard_value(-1, || unsafe { instance.as_ref() }.map_or(-1, |i| tri_state(i.created)))
}

/// The instance's configuration as the server echoed it: a JSON object, entry → value, in the
/// server's order and with its value types (`{"username":"…","event.notification.enabled":false}`).
/// It contains whatever secrets the server echoed (passwords included): don't log it.
///
/// NULL when the answer had no `configuration` object, or `instance` is NULL. Borrowed from
/// `instance`: valid until `ce_instance_free()` (or, for a listed instance, the list's free).
///
/// # Safety
/// `instance` is NULL or a live instance.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_configuration_json(instance: *const ce_instance) -> *const c_char {
    guard_value(ptr::null(), || {
        // SAFETY: the caller promises NULL or a live instance.
        let Some(instance) = (unsafe { instance.as_ref() }) else { return ptr::null() };
        let configuration = instance.configuration.get_or_init(|| {
            // Parsed from the body only when asked for: a create that needs the token parses once.
            let body: Value = serde_json::from_str(instance.json.to_str().ok()?).ok()?;
            let object = body.get("configuration").filter(|value| value.is_object())?;
            Some(c_string(&object.to_string()))
        });
        configuration.as_ref().map_or(ptr::null(), |json| json.as_ptr())
    })
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
/// `instance` is NULL or an instance this library handed out as `ce_instance **` (never one
/// borrowed from a `ce_instance_list`), not in use, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_free(instance: *mut ce_instance) {
    guard_value((), || unsafe { free(instance) });
}

//! `ce_request`: an instance request built field by field, for callers without JSON at hand.

use std::ffi::c_char;

use super::error::ce_status;
use super::panic::{guard, guard_value};
use super::ptr::{free, give, handle_mut, out_arg, str_arg};
use crate::InstanceRequest;

/// A request for one instance: element key, name, configuration entries and tags.
///
/// Create it with `ce_request_new()`, fill it with `ce_request_set_config()` and
/// `ce_request_add_tag()`, send it with `ce_create_instance()` (as often as you like), and free
/// it with `ce_request_free()`.
pub struct ce_request {
    pub(crate) request: InstanceRequest,
}

/// Starts a request for an instance of `element_key` (`"closeio"`, `"pardot"`, ...) named `name`.
/// Both are copied. `out` receives the request on success; free it with `ce_request_free()`.
///
/// # Safety
/// String arguments are NULL or NUL-terminated; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_request_new(
    element_key: *const c_char,
    name: *const c_char,
    out: *mut *mut ce_request,
) -> ce_status {
    guard(|| {
        let out = out_arg(out)?;
        let key = unsafe { str_arg(element_key, "element_key") }?;
        let name = unsafe { str_arg(name, "name") }?;
        unsafe { give(out, ce_request { request: InstanceRequest::new(key, name) }) };
        Ok(())
    })
}

/// Sets configuration entry `key` to `value` (both copied), replacing an earlier value. Values are
/// strings, as on the wire: `"true"`, `"4"`.
///
/// # Safety
/// `request` is NULL or a live request no other thread is using; strings are NULL or
/// NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_request_set_config(
    request: *mut ce_request,
    key: *const c_char,
    value: *const c_char,
) -> ce_status {
    guard(|| {
        let request = unsafe { handle_mut(request, "request") }?;
        let key = unsafe { str_arg(key, "key") }?;
        let value = unsafe { str_arg(value, "value") }?;
        request.request.set_config(key, value);
        Ok(())
    })
}

/// Adds a tag (copied).
///
/// # Safety
/// `request` is NULL or a live request no other thread is using; `tag` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_request_add_tag(request: *mut ce_request, tag: *const c_char) -> ce_status {
    guard(|| {
        let request = unsafe { handle_mut(request, "request") }?;
        let tag = unsafe { str_arg(tag, "tag") }?;
        request.request.add_tag(tag);
        Ok(())
    })
}

/// Frees a request. NULL is fine.
///
/// # Safety
/// `request` is NULL or a request from this library, not in use, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_request_free(request: *mut ce_request) {
    guard_value((), || unsafe { free(request) });
}

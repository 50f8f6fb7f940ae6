//! `ce_request`: an instance request built field by field, for callers without JSON at hand.

use std::ffi::c_char;

use super::error::{Failure, ce_status};
use super::panic::{guard, guard_value};
use super::ptr::{free, give, handle_mut, out_arg, str_arg};
use cloud_elements::InstanceRequest;

/// A request for one instance: element key, name, configuration entries and tags.
///
/// Create it with `ce_request_new()`, fill it with `ce_request_set_config()`,
/// `ce_request_add_tag()` and `ce_request_set_oauth_code()`, send it with `ce_create_instance()`
/// (as often as you like), and free it with `ce_request_free()`.
///
/// Thread safety: many threads may send the same request at once (`ce_create_instance()` only
/// reads it), but none may change or free it while another thread uses it.
pub struct ce_request {
    pub(super) request: InstanceRequest,
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
        let out = unsafe { out_arg(out, "out") }?;
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

/// Sets the OAuth code the provider's redirect carried (`providerData.code`, copied), replacing an
/// earlier one: the platform exchanges it for the OAuth tokens of the instance. For OAuth
/// elements; the code is a secret (it never appears in an error message) and can be used once.
///
/// # Safety
/// `request` is NULL or a live request no other thread is using; `code` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_request_set_oauth_code(request: *mut ce_request, code: *const c_char) -> ce_status {
    guard(|| {
        let request = unsafe { handle_mut(request, "request") }?;
        let code = unsafe { str_arg(code, "code") }?;
        if code.trim().is_empty() {
            return Err(Failure::invalid("`code` is empty"));
        }
        request.request = request.request.clone().oauth_code(code);
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

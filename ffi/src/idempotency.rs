//! `ce_request_set_idempotency_key`: the handle API's idempotency key.

use std::ffi::c_char;

use super::error::{Failure, ce_status};
use super::panic::guard;
use super::ptr::{handle_mut, opt_str_arg};
use super::request::ce_request;
use cloud_elements::InstanceRequest;

/// Sets the request's idempotency key (copied), or removes it when `key` is NULL.
///
/// A key names this create so that it stays the same when the create is sent again, by this
/// process or by another after a crash: it is sent as the tag `ce-provision-<key>`, and
/// `ce_create_instance()` first looks that tag up: an instance already carrying it is returned
/// instead of creating a second one. Keys are 1 to 64 characters from `A-Z a-z 0-9 . _ -`;
/// another gives `CE_ERR_INVALID_ARGUMENT` and leaves the request as it was.
///
/// # Safety
/// `request` is NULL or a live request no other thread is using; `key` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_request_set_idempotency_key(request: *mut ce_request, key: *const c_char) -> ce_status {
    guard(|| {
        let request = unsafe { handle_mut(request, "request") }?;
        let Some(key) = unsafe { opt_str_arg(key, "key") }? else {
            request.request.clear_idempotency_key();
            return Ok(());
        };
        // The checks of a key alone: a request of an element without a definition, with a name.
        InstanceRequest::new("key-check", "key-check").idempotency_key(key).validate().map_err(Failure::from)?;
        request.request.set_idempotency_key(key);
        Ok(())
    })
}

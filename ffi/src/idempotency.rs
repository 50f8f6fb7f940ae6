//! Looking an instance up by the idempotency key it was created with.

use std::ffi::c_char;

use super::client::ce_client;
use super::error::{Failure, ce_status};
use super::instance::ce_instance;
use super::panic::guard;
use super::ptr::{give, handle, out_arg, str_arg};

/// The instance created with idempotency key `key`, if there is one:
/// `GET /instances?tags[]=ce-provision-<key>`.
///
/// `out` receives the instance on success; free it with `ce_instance_free()`
/// (`ce_instance_created()` is -1 for it). No such instance gives `CE_ERR_NOT_FOUND`; a key that
/// is not a well-formed idempotency key (empty, too long, or with characters other than ASCII
/// letters, digits, `.`, `_` and `-`) `CE_ERR_INVALID_ARGUMENT`, and nothing is sent. A read:
/// sent again after a lost answer or a 429, 500, 502, 503 or 504, within the overall timeout.
///
/// # Safety
/// `client` is NULL or a live client; `key` is NULL or NUL-terminated; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_find_instance_by_idempotency_key(
    client: *const ce_client,
    key: *const c_char,
    out: *mut *mut ce_instance,
) -> ce_status {
    guard(|| {
        let out = out_arg(out, "out")?;
        let client = unsafe { handle(client, "client") }?;
        let key = unsafe { str_arg(key, "key") }?;
        match client.client().find_instance_by_idempotency_key(key)? {
            Some(instance) => {
                unsafe { give(out, ce_instance::new(instance)) };
                Ok(())
            }
            None => Err(Failure::new(
                ce_status::CE_ERR_NOT_FOUND,
                format!("no instance was created with the idempotency key `{key}`"),
            )),
        }
    })
}

//! `ce_provision`: one flat call for callers that can neither hold pointers nor free memory.
//! `ce_provision_ex()` (flat/calls.rs) is the same with settings, an instance id and padding.

use std::ffi::c_char;

use super::error::{Failure, ce_last_error_message, ce_status};
use super::flat::{Pad, cached_client, create_and_give, write_c};
use super::panic::guard;
use super::ptr::{opt_str_arg, str_arg};
use cloud_elements::{DEFAULT_BASE_URL, InstanceRequest};

/// Provisions one instance in one call, with caller-owned buffers; for legacy systems.
/// `ce_provision_ex()` does the same with settings, the instance id and space padding.
///
/// - `base_url`: NULL for the real service; `user_secret`, `org_secret`: the platform secrets.
/// - `instance_json`: the documentation's `instance.json`, as is.
/// - `token_buf`, `token_buf_len`: receives the instance token, NUL-terminated. Tokens are short
///   (about 40 bytes); 256 bytes is ample.
/// - `error_buf`, `error_buf_len`: receives `""` on success, else the error message (the same as
///   `ce_last_error_message()`), cut to fit and NUL-terminated. May be NULL with length 0.
///
/// Nothing is ever written past a given length, and whatever is written is NUL-terminated. On
/// failure `token_buf` holds `""`. When the token does not fit (`CE_ERR_BUFFER_TOO_SMALL`) the
/// message says how many bytes it needs, and no instance is left behind: one this call created is
/// deleted again, so a retry with a larger buffer leaves no duplicate (if that delete fails, the
/// message says so and names the instance id); one that already carried the JSON's idempotency
/// tag (`ce-provision-<key>`, an earlier run's) is left as it was. A `token_buf_len` below 2
/// fails before anything is sent.
///
/// The client behind the call is the flat calls' cached one (default settings; see
/// `ce_flat_reset()`), so repeated calls share one connection pool. Thread-safe.
///
/// # Safety
/// String arguments are NULL or NUL-terminated; each buffer is NULL or writable for its length.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // The signature is the documented flat ABI.
pub unsafe extern "C" fn ce_provision(
    base_url: *const c_char,
    user_secret: *const c_char,
    org_secret: *const c_char,
    instance_json: *const c_char,
    token_buf: *mut c_char,
    token_buf_len: usize,
    error_buf: *mut c_char,
    error_buf_len: usize,
) -> ce_status {
    let status = guard(|| {
        unsafe { write_c(token_buf, token_buf_len, "") };
        if token_buf.is_null() && token_buf_len > 0 {
            return Err(Failure::invalid("`token_buf` is NULL but `token_buf_len` is not 0"));
        }
        if error_buf.is_null() && error_buf_len > 0 {
            return Err(Failure::invalid("`error_buf` is NULL but `error_buf_len` is not 0"));
        }
        let base_url = unsafe { opt_str_arg(base_url, "base_url") }?.unwrap_or(DEFAULT_BASE_URL);
        let user_secret = unsafe { str_arg(user_secret, "user_secret") }?;
        let org_secret = unsafe { str_arg(org_secret, "org_secret") }?;
        let json = unsafe { str_arg(instance_json, "instance_json") }?;
        if token_buf_len < 2 {
            return Err(Failure::new(
                ce_status::CE_ERR_BUFFER_TOO_SMALL,
                format!(
                    "`token_buf_len` is {token_buf_len}: a token needs more (256 bytes is ample); nothing was sent"
                ),
            ));
        }
        let request = InstanceRequest::from_json(json)?;
        let client = cached_client(base_url, user_secret, org_secret, &Default::default())?;
        unsafe { create_and_give(&client, &request, token_buf, token_buf_len, Pad::Nul) }.map(|_| ())
    });
    // SAFETY: the message pointer is valid until the next ce_ call on this thread.
    let message = unsafe { std::ffi::CStr::from_ptr(ce_last_error_message()) };
    unsafe { write_c(error_buf, error_buf_len, &message.to_string_lossy()) };
    status
}

//! `ce_last_error_field`: the last error's details, copied into a caller's buffer.

use std::ffi::{CStr, c_char};

use super::buffer::write_text;
use super::error::{
    ce_last_error_http_status, ce_last_error_instance_may_exist, ce_last_error_message, ce_last_error_missing,
    ce_last_error_provider_message, ce_last_error_request_id, ce_last_error_retry_after_ms, ce_status,
};
use super::options::thread_options;
use super::panic::guard_value;

/// The fields `ce_last_error_field()` knows.
#[cfg(test)]
const FIELDS: &str =
    "message, request_id, missing, provider_message, http_status, outcome_unknown, retry_after_ms, needed";

fn borrowed(text: *const c_char) -> String {
    // SAFETY: the last-error functions return a valid C string, alive until the next fallible call.
    unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned()
}

/// The value of `field` of the calling thread's last error, or `None` for an unknown field.
fn value(field: &str) -> Option<String> {
    Some(match field {
        "message" => borrowed(ce_last_error_message()),
        "request_id" => borrowed(ce_last_error_request_id()),
        "missing" => borrowed(ce_last_error_missing()),
        "provider_message" => borrowed(ce_last_error_provider_message()),
        "http_status" => ce_last_error_http_status().to_string(),
        "outcome_unknown" => ce_last_error_instance_may_exist().to_string(),
        "retry_after_ms" => ce_last_error_retry_after_ms().to_string(),
        "needed" => thread_options().needed.to_string(),
        _ => return None,
    })
}

/// Copies one detail of the calling thread's last error into the caller's buffer, so that no
/// pointer crosses:
///
/// - `"message"`: the error message (`ce_last_error_message()`);
/// - `"request_id"`: the server's request id, or `""`;
/// - `"missing"`: the missing configuration entries, comma separated, or `""`;
/// - `"provider_message"`: the third-party service's own message, or `""`;
/// - `"http_status"`: the HTTP status as decimal digits, `"0"` when there was no answer;
/// - `"outcome_unknown"`: `"1"` when the failed call may nevertheless have taken effect (the
///   instance may exist: find it with `ce_find_instance()` or create again with the same
///   idempotency key), else `"0"`;
/// - `"retry_after_ms"`: how long the server asked to wait, `"0"` when it did not;
/// - `"needed"`: the bytes the token of the last flat call needed when it failed with
///   `CE_ERR_BUFFER_TOO_SMALL`, else `"0"`.
///
/// The value is laid out as the thread's flat options say: NUL-terminated, or padded with spaces
/// to `buf_len` after a `ce_provision_ex()` with `"pad": "spaces"`. Nothing is written past
/// `buf_len`.
///
/// Returns `CE_OK`; `CE_ERR_BUFFER_TOO_SMALL` when the value was cut to fit; or
/// `CE_ERR_INVALID_ARGUMENT` for a NULL or unknown `field` or a NULL `buf` with a length (then
/// `buf` holds `""`). Unlike the other fallible calls it leaves the last error as it is, so each
/// field can be read in turn.
///
/// # Safety
/// `field` is NULL or NUL-terminated; `buf` is NULL or writable for `buf_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_last_error_field(field: *const c_char, buf: *mut c_char, buf_len: usize) -> ce_status {
    guard_value(ce_status::CE_ERR_INTERNAL, || {
        let pad = thread_options().pad;
        if buf.is_null() && buf_len > 0 {
            return ce_status::CE_ERR_INVALID_ARGUMENT;
        }
        let name = if field.is_null() { None } else { unsafe { CStr::from_ptr(field) }.to_str().ok() };
        let Some(text) = name.and_then(value) else {
            unsafe { write_text(buf, buf_len, "", pad) };
            return ce_status::CE_ERR_INVALID_ARGUMENT;
        };
        if unsafe { write_text(buf, buf_len, &text, pad) } {
            ce_status::CE_OK
        } else {
            ce_status::CE_ERR_BUFFER_TOO_SMALL
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_listed_field_has_a_value() {
        for field in super::FIELDS.split(", ") {
            assert!(super::value(field).is_some(), "{field}");
        }
        assert!(super::value("nope").is_none());
    }
}

//! Status codes and the calling thread's last error.

use std::cell::RefCell;
use std::ffi::{CString, c_char, c_int};

use cloud_elements::error::{Error, ErrorKind};

/// The result of every fallible `ce_` function: a 32-bit signed integer (`int32_t`), whatever the
/// compiler, so that other languages can declare it as such.
///
/// The numbers are part of the ABI: they never change meaning, and a retired value stays
/// reserved. `ce_status_str()` names each one.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ce_status {
    /// Success.
    CE_OK = 0,
    /// An argument is NULL, not UTF-8, not valid JSON, or otherwise malformed; nothing was sent.
    CE_ERR_INVALID_ARGUMENT = 1,
    /// Required configuration entries are missing; `ce_last_error_missing()` lists them. Nothing
    /// was sent.
    CE_ERR_MISSING_CONFIGURATION = 2,
    /// The server answered 401: a wrong user or organization secret, or instance token.
    CE_ERR_UNAUTHORIZED = 3,
    /// The server answered 404: an unknown element key, or an instance id that does not exist (a
    /// deleted instance, say).
    CE_ERR_NOT_FOUND = 4,
    /// The server answered another error status; see `ce_last_error_http_status()`.
    CE_ERR_API = 5,
    /// The connection failed (DNS, connect, TLS, reset). If it failed after the request was sent,
    /// the request may have taken effect (`ce_last_error_instance_may_exist()` says).
    CE_ERR_TRANSPORT = 6,
    /// A timeout ran out. If the request was sent, the request may have taken effect
    /// (`ce_last_error_instance_may_exist()` says).
    CE_ERR_TIMEOUT = 7,
    /// The server's answer could not be decoded (not JSON, no token, too large).
    CE_ERR_DECODE = 8,
    /// A caller-supplied buffer is too small; the message says how many bytes are needed.
    CE_ERR_BUFFER_TOO_SMALL = 9,
    /// A bug in the library (a caught panic). Please report it.
    CE_ERR_INTERNAL = 10,
    /// The server answered 429 (or 503 with `Retry-After`) and asked to wait longer than the
    /// retries allow; `ce_last_error_retry_after_ms()` says how long. Nothing was created.
    CE_ERR_RATE_LIMITED = 11,
    /// The platform has no element with the request's key; the message names the closest keys.
    /// Nothing was sent.
    CE_ERR_UNKNOWN_ELEMENT = 12,
}

impl From<&Error> for ce_status {
    /// The status of a core error. `ErrorKind` may grow: a kind this layer does not know yet is
    /// `CE_ERR_API` when the server answered, `CE_ERR_INVALID_ARGUMENT` when nothing was sent.
    fn from(error: &Error) -> Self {
        match error.kind() {
            ErrorKind::InvalidInput => ce_status::CE_ERR_INVALID_ARGUMENT,
            ErrorKind::MissingConfiguration => ce_status::CE_ERR_MISSING_CONFIGURATION,
            ErrorKind::UnknownElement => ce_status::CE_ERR_UNKNOWN_ELEMENT,
            ErrorKind::Unauthorized => ce_status::CE_ERR_UNAUTHORIZED,
            ErrorKind::NotFound => ce_status::CE_ERR_NOT_FOUND,
            ErrorKind::RateLimited => ce_status::CE_ERR_RATE_LIMITED,
            ErrorKind::Api => ce_status::CE_ERR_API,
            ErrorKind::Transport => ce_status::CE_ERR_TRANSPORT,
            ErrorKind::Timeout => ce_status::CE_ERR_TIMEOUT,
            ErrorKind::Decode => ce_status::CE_ERR_DECODE,
            _ if error.status().is_some() => ce_status::CE_ERR_API,
            _ => ce_status::CE_ERR_INVALID_ARGUMENT,
        }
    }
}

/// A failure on its way to C: a status and what the last-error functions report.
#[derive(Debug)]
pub(super) struct Failure {
    pub(super) status: ce_status,
    pub(super) message: String,
    http_status: c_int,
    request_id: String,
    missing: String,
    provider_message: String,
    retry_after_ms: u64,
    instance_may_exist: bool,
}

impl Failure {
    pub(super) fn new(status: ce_status, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
            http_status: 0,
            request_id: String::new(),
            missing: String::new(),
            provider_message: String::new(),
            retry_after_ms: 0,
            instance_may_exist: false,
        }
    }

    pub(super) fn invalid(message: impl Into<String>) -> Self {
        Failure::new(ce_status::CE_ERR_INVALID_ARGUMENT, message)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            status: ce_status::from(&error),
            message: error.to_string(),
            http_status: error.status().map_or(0, c_int::from),
            request_id: error.request_id().unwrap_or_default().to_owned(),
            missing: error.missing().join(","),
            provider_message: match &error {
                Error::Api(api) => api.provider_message.clone().unwrap_or_default(),
                _ => String::new(),
            },
            retry_after_ms: error.retry_after().map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            instance_may_exist: error.instance_may_exist(),
        }
    }
}

#[derive(Default)]
struct LastError {
    message: CString,
    http_status: c_int,
    request_id: CString,
    missing: CString,
    provider_message: CString,
    retry_after_ms: u64,
    instance_may_exist: bool,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
}

/// A C string of `text`, with any NUL byte (which C cannot hold) replaced.
pub(super) fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

/// Forgets the last error: called at the start of every fallible function.
pub(super) fn clear_last_error() {
    set_last_error(None);
}

pub(super) fn set_last_error(failure: Option<&Failure>) {
    // `try_with`: during thread teardown there is nothing left to record into.
    let _ = LAST_ERROR.try_with(|cell| {
        if let Ok(mut last) = cell.try_borrow_mut() {
            *last = match failure {
                Some(f) => LastError {
                    message: c_string(&f.message),
                    http_status: f.http_status,
                    request_id: c_string(&f.request_id),
                    missing: c_string(&f.missing),
                    provider_message: c_string(&f.provider_message),
                    retry_after_ms: f.retry_after_ms,
                    instance_may_exist: f.instance_may_exist,
                },
                None => LastError::default(),
            };
        }
    });
}

/// `read` of the calling thread's last error, or `default` when it cannot be read (during thread
/// teardown, or from inside a call that is recording it).
fn last_error<T>(read: fn(&LastError) -> T, default: T) -> T {
    LAST_ERROR.try_with(|cell| cell.try_borrow().map(|last| read(&last)).ok()).ok().flatten().unwrap_or(default)
}

fn last_error_str(read: fn(&LastError) -> *const c_char) -> *const c_char {
    last_error(read, EMPTY.as_ptr())
}

pub(super) const EMPTY: &std::ffi::CStr = c"";

/// A sentence describing the last failure of a `ce_` call on this thread; `""` when that call
/// succeeded. Never NULL.
///
/// The string belongs to the library and stays valid until the next call on this thread of a `ce_`
/// function that returns a `ce_status`, or of `ce_authorization_header()`; the `_free` functions,
/// the `ce_instance_*` getters and the `ce_last_error_*` functions leave it alone. It never
/// contains a secret.
#[unsafe(no_mangle)]
pub extern "C" fn ce_last_error_message() -> *const c_char {
    last_error_str(|last| last.message.as_ptr())
}

/// The HTTP status of the response behind the last failure on this thread, or 0 when there was
/// no response (invalid input, a transport failure, a timeout).
#[unsafe(no_mangle)]
pub extern "C" fn ce_last_error_http_status() -> c_int {
    last_error(|last| last.http_status, 0)
}

/// The server's `requestId` for the last failure on this thread, or `""`. Never NULL; valid as
/// for `ce_last_error_message()`.
#[unsafe(no_mangle)]
pub extern "C" fn ce_last_error_request_id() -> *const c_char {
    last_error_str(|last| last.request_id.as_ptr())
}

/// The missing configuration entries of the last failure on this thread, comma separated in
/// catalog order (`"apikey.user.password,apikey.user.key"`), or `""`. Never NULL; valid as for
/// `ce_last_error_message()`.
#[unsafe(no_mangle)]
pub extern "C" fn ce_last_error_missing() -> *const c_char {
    last_error_str(|last| last.missing.as_ptr())
}

/// The third-party service's own message (`providerMessage` in the platform's error answer)
/// behind the last failure on this thread, or `""` when there was none. Never NULL; valid as for
/// `ce_last_error_message()`. Secrets the library knows are replaced by `[redacted]`.
#[unsafe(no_mangle)]
pub extern "C" fn ce_last_error_provider_message() -> *const c_char {
    last_error_str(|last| last.provider_message.as_ptr())
}

/// How long the server asked to wait (`Retry-After`, in milliseconds) in the answer behind the
/// last failure on this thread, or 0 when it did not ask.
#[unsafe(no_mangle)]
pub extern "C" fn ce_last_error_retry_after_ms() -> u64 {
    last_error(|last| last.retry_after_ms, 0)
}

/// 1 when the last failed call on this thread may nevertheless have taken effect: the request was
/// sent and its answer was lost (a timeout or reset after sending) or does not say (a 500 or 502).
/// For `ce_create_instance()` the instance may exist: look it up before creating again, or use
/// `ce_client_set_idempotent()`. Always 0 for reads (`ce_get_instance()`, `ce_list_instances()`,
/// `ce_ping()`...) and for failures before anything was sent. 0 otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn ce_last_error_instance_may_exist() -> c_int {
    last_error(|last| c_int::from(last.instance_may_exist), 0)
}

/// The name of a status code (`"CE_ERR_TIMEOUT"`), or `"CE_UNKNOWN_STATUS"` for a number that is
/// not one. The string is static: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn ce_status_str(status: c_int) -> *const c_char {
    let name: &'static std::ffi::CStr = match status {
        0 => c"CE_OK",
        1 => c"CE_ERR_INVALID_ARGUMENT",
        2 => c"CE_ERR_MISSING_CONFIGURATION",
        3 => c"CE_ERR_UNAUTHORIZED",
        4 => c"CE_ERR_NOT_FOUND",
        5 => c"CE_ERR_API",
        6 => c"CE_ERR_TRANSPORT",
        7 => c"CE_ERR_TIMEOUT",
        8 => c"CE_ERR_DECODE",
        9 => c"CE_ERR_BUFFER_TOO_SMALL",
        10 => c"CE_ERR_INTERNAL",
        11 => c"CE_ERR_RATE_LIMITED",
        12 => c"CE_ERR_UNKNOWN_ELEMENT",
        _ => c"CE_UNKNOWN_STATUS",
    };
    name.as_ptr()
}

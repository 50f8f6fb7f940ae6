//! Status codes and the calling thread's last error.

use std::cell::RefCell;
use std::ffi::{CString, c_char, c_int};

use crate::error::{Error, ErrorKind};

/// The result of every fallible `ce_` function.
///
/// The numbers are part of the ABI: they never change meaning, and a retired value stays
/// reserved. `ce_status_str()` names each one.
#[repr(C)]
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
    /// The server answered 404 (an unknown element key, say).
    CE_ERR_NOT_FOUND = 4,
    /// The server answered another error status; see `ce_last_error_http_status()`.
    CE_ERR_API = 5,
    /// The connection failed (DNS, connect, TLS, reset). If it failed after the request was sent,
    /// the instance may have been created.
    CE_ERR_TRANSPORT = 6,
    /// A timeout ran out. If the request was sent, the instance may have been created.
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

impl From<ErrorKind> for ce_status {
    fn from(kind: ErrorKind) -> Self {
        match kind {
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
        }
    }
}

/// A failure on its way to C: a status and what the last-error functions report.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) status: ce_status,
    pub(crate) message: String,
    http_status: c_int,
    request_id: String,
    missing: String,
    retry_after_ms: u64,
    instance_may_exist: bool,
}

impl Failure {
    pub(crate) fn new(status: ce_status, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
            http_status: 0,
            request_id: String::new(),
            missing: String::new(),
            retry_after_ms: 0,
            instance_may_exist: false,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Failure::new(ce_status::CE_ERR_INVALID_ARGUMENT, message)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            status: error.kind().into(),
            message: error.to_string(),
            http_status: error.status().map_or(0, c_int::from),
            request_id: error.request_id().unwrap_or_default().to_owned(),
            missing: error.missing().join(","),
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
    retry_after_ms: u64,
    instance_may_exist: bool,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
}

/// A C string of `text`, with any NUL byte (which C cannot hold) replaced.
pub(crate) fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

/// Forgets the last error: called at the start of every fallible function.
pub(crate) fn clear_last_error() {
    set_last_error(None);
}

pub(crate) fn set_last_error(failure: Option<&Failure>) {
    // `try_with`: during thread teardown there is nothing left to record into.
    let _ = LAST_ERROR.try_with(|cell| {
        if let Ok(mut last) = cell.try_borrow_mut() {
            *last = match failure {
                Some(f) => LastError {
                    message: c_string(&f.message),
                    http_status: f.http_status,
                    request_id: c_string(&f.request_id),
                    missing: c_string(&f.missing),
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

pub(crate) const EMPTY: &std::ffi::CStr = c"";

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

/// How long the server asked to wait (`Retry-After`, in milliseconds) in the answer behind the
/// last failure on this thread, or 0 when it did not ask.
#[unsafe(no_mangle)]
pub extern "C" fn ce_last_error_retry_after_ms() -> u64 {
    last_error(|last| last.retry_after_ms, 0)
}

/// 1 when the last failed create on this thread may nevertheless have created the instance (the
/// request was sent and the answer was lost: a timeout or reset after sending, a 500 or 502);
/// look it up before creating again, or use `ce_client_set_idempotent()`. 0 otherwise.
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

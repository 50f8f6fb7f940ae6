//! `ce_client`: settings, credentials and the shared connection pool.

use std::ffi::{CString, c_char};
use std::ptr;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use super::error::{Failure, c_string, ce_status};
use super::panic::{guard, guard_value};
use super::ptr::{free, give, handle, opt_str_arg, out_arg, str_arg};
use crate::{Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};

/// A client: base URL, secrets, timeouts and a pool of kept-alive connections.
///
/// Create one with `ce_client_new()` or `ce_client_from_env()`, share it between threads, and free
/// it with `ce_client_free()`.
pub struct ce_client {
    /// The settings and the client built from them. `ce_client_set_timeout_ms` swaps in a new
    /// client; every call clones the current one (an `Arc`) and never holds the lock during I/O.
    state: RwLock<(ClientBuilder, Client)>,
}

impl ce_client {
    fn build(settings: ClientBuilder) -> Result<Self, Failure> {
        let client = settings.clone().build()?;
        Ok(ce_client { state: RwLock::new((settings, client)) })
    }

    /// The current client.
    pub(crate) fn client(&self) -> Client {
        self.state.read().unwrap_or_else(PoisonError::into_inner).1.clone()
    }
}

/// Creates a client.
///
/// - `base_url`: the API's base URL, or NULL for `https://api.cloud-elements.com/elements/api-v2`.
/// - `user_secret`, `org_secret`: the secrets for the `Authorization` header; copied.
/// - `out`: receives the new client on success; free it with `ce_client_free()`.
///
/// Timeouts start at 10 s to connect and 60 s overall (`ce_client_set_timeout_ms()`). Returns
/// `CE_ERR_INVALID_ARGUMENT` for NULL or non-UTF-8 arguments, an empty secret or a base URL that
/// is not http(s).
///
/// # Safety
/// String arguments are NULL or NUL-terminated; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_client_new(
    base_url: *const c_char,
    user_secret: *const c_char,
    org_secret: *const c_char,
    out: *mut *mut ce_client,
) -> ce_status {
    guard(|| {
        let out = out_arg(out)?;
        let base_url = unsafe { opt_str_arg(base_url, "base_url") }?;
        let user_secret = unsafe { str_arg(user_secret, "user_secret") }?;
        let org_secret = unsafe { str_arg(org_secret, "org_secret") }?;
        let mut settings = Client::builder().user_secret(user_secret).organization_secret(org_secret);
        if let Some(url) = base_url {
            settings = settings.base_url(url);
        }
        let client = ce_client::build(settings)?;
        unsafe { give(out, client) };
        Ok(())
    })
}

/// Creates a client from the environment: `CLOUD_ELEMENTS_BASE_URL` (optional),
/// `CLOUD_ELEMENTS_USER_SECRET` and `CLOUD_ELEMENTS_ORG_SECRET`.
///
/// `out` receives the client on success; free it with `ce_client_free()`.
///
/// # Safety
/// `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_client_from_env(out: *mut *mut ce_client) -> ce_status {
    guard(|| {
        let out = out_arg(out)?;
        let client = ce_client::build(Client::builder().from_env())?;
        unsafe { give(out, client) };
        Ok(())
    })
}

/// Sets the connect timeout and the overall timeout of one call, in milliseconds; 0 restores the
/// default (10 000 and 60 000). More than one day (86 400 000) gives `CE_ERR_INVALID_ARGUMENT`
/// and leaves the timeouts as they were.
///
/// Safe while other threads use the client: calls already under way keep the old timeouts, later
/// ones get the new. The client starts a new connection pool.
///
/// # Safety
/// `client` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_client_set_timeout_ms(client: *mut ce_client, connect_ms: u32, total_ms: u32) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        let ms = |value: u32, default: Duration| {
            if value == 0 { default } else { Duration::from_millis(u64::from(value)) }
        };
        let mut state = client.state.write().unwrap_or_else(PoisonError::into_inner);
        let settings = state
            .0
            .clone()
            .connect_timeout(ms(connect_ms, DEFAULT_CONNECT_TIMEOUT))
            .timeout(ms(total_ms, DEFAULT_TIMEOUT));
        let rebuilt = settings.clone().build()?;
        *state = (settings, rebuilt);
        Ok(())
    })
}

/// Frees a client and closes its connections. NULL is fine.
///
/// # Safety
/// `client` is NULL or a client from this library, not used by any other thread, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_client_free(client: *mut ce_client) {
    guard_value((), || unsafe { free(client) });
}

/// The `Authorization` header value for calls on one instance:
/// `User <user secret>, Organization <organization secret>, Element <instance_token>`.
///
/// Returns a new string, which the caller frees with `ce_string_free()`, or NULL on failure (see
/// `ce_last_error_message()`). The string holds secrets: don't log it.
///
/// # Safety
/// `client` is NULL or a live client; `instance_token` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_authorization_header(
    client: *const ce_client,
    instance_token: *const c_char,
) -> *mut c_char {
    let mut header = ptr::null_mut();
    let _ = guard(|| {
        let client = unsafe { handle(client, "client") }?;
        let token = unsafe { str_arg(instance_token, "instance_token") }?;
        if token.is_empty() || token.chars().any(|c| c.is_control()) {
            return Err(Failure::invalid("`instance_token` is empty or contains a control character"));
        }
        header = c_string(client.client().authorization_for(token).expose()).into_raw();
        Ok(())
    });
    header
}

/// Frees a string this library returned as `char *`. NULL is fine.
///
/// # Safety
/// `string` is NULL or a `char *` from this library, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_string_free(string: *mut c_char) {
    guard_value((), || {
        if !string.is_null() {
            // SAFETY: the caller promises it came from CString::into_raw in this library.
            drop(unsafe { CString::from_raw(string) });
        }
    });
}

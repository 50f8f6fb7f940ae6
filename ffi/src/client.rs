//! `ce_client`: settings, credentials and the shared connection pool.

use std::ffi::{CString, c_char, c_int};
use std::ptr;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use super::error::{Failure, c_string, ce_status};
use super::panic::{guard, guard_value};
use super::ptr::{free, give, handle, opt_str_arg, out_arg, str_arg};
use cloud_elements::retry::{DEFAULT_BACKOFF, DEFAULT_MAX_BACKOFF};
use cloud_elements::{Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};

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
    pub(super) fn client(&self) -> Client {
        self.state.read().unwrap_or_else(PoisonError::into_inner).1.clone()
    }

    /// Changes the settings and swaps in a client built from them; on failure nothing changes.
    pub(super) fn update(&self, change: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Result<(), Failure> {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let settings = change(state.0.clone());
        let rebuilt = settings.clone().build()?;
        *state = (settings, rebuilt);
        Ok(())
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
        let out = unsafe { out_arg(out, "out") }?;
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
        let out = unsafe { out_arg(out, "out") }?;
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
        client.update(|settings| {
            settings
                .connect_timeout(ms_or(connect_ms, DEFAULT_CONNECT_TIMEOUT))
                .timeout(ms_or(total_ms, DEFAULT_TIMEOUT))
        })
    })
}

fn ms_or(value: u32, default: Duration) -> Duration {
    if value == 0 { default } else { Duration::from_millis(u64::from(value)) }
}

/// Sets how often a failed create is sent again, and the pauses between: `retries` (default 2,
/// at most 10; 0 never retries), the first pause `initial_backoff_ms` (0: the default 500),
/// doubled for each next retry up to `max_backoff_ms` (0: the default 8 000), with jitter.
///
/// A create is sent again only when it certainly created nothing: the connection failed before
/// the request was sent, or the server answered 429 or 503 (after its `Retry-After`, up to 60 s;
/// longer gives `CE_ERR_RATE_LIMITED`). After a timeout or reset once the request was sent, or a
/// 500 or 502, it is sent again only with `ce_client_set_idempotent()`. No call outlasts the
/// overall timeout. Safe while other threads use the client, as `ce_client_set_timeout_ms()`.
///
/// # Safety
/// `client` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_client_set_retries(
    client: *mut ce_client,
    retries: u32,
    initial_backoff_ms: u32,
    max_backoff_ms: u32,
) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        client.update(|settings| {
            settings
                .retries(retries)
                .backoff(ms_or(initial_backoff_ms, DEFAULT_BACKOFF), ms_or(max_backoff_ms, DEFAULT_MAX_BACKOFF))
        })
    })
}

/// Turns idempotent provisioning on (`enabled` non-zero) or off (the default).
///
/// On, each create carries one more tag (`ce-provision-` and 32 random hex digits), and after an
/// ambiguous failure (a timeout or reset after the request was sent, a 500 or 502) the library
/// looks the instance up by that tag before sending again: found, it is returned as created; not
/// found, the create is retried. Off, such a failure is returned and
/// `ce_last_error_instance_may_exist()` is 1.
///
/// # Safety
/// `client` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_client_set_idempotent(client: *mut ce_client, enabled: c_int) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        client.update(|settings| settings.idempotent(enabled != 0))
    })
}

/// Allows (`allowed` non-zero) plain `http://` base URLs to hosts that are not loopback. By
/// default the library refuses to send the secrets unencrypted over a network: calls fail with
/// `CE_ERR_INVALID_ARGUMENT` and a message that says why.
///
/// # Safety
/// `client` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_client_set_allow_insecure_http(client: *mut ce_client, allowed: c_int) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        client.update(|settings| settings.allow_insecure_http(allowed != 0))
    })
}

/// Trusts the CA certificates in the PEM file at `path` besides Mozilla's roots and the
/// platform's store (a company CA, a test CA). The file is read now: an unreadable file or one
/// without a certificate gives `CE_ERR_INVALID_ARGUMENT` and changes nothing. Without this call
/// the file named by `CLOUD_ELEMENTS_CA_BUNDLE` is used when that variable is set.
///
/// # Safety
/// `client` is NULL or a live client; `path` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_client_set_ca_bundle(client: *mut ce_client, path: *const c_char) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        let path = unsafe { str_arg(path, "path") }?;
        client.update(|settings| settings.ca_bundle(path))
    })
}

/// Sets the largest response body read, in bytes (0: the default, 10 MB). A larger answer fails
/// with `CE_ERR_DECODE`.
///
/// # Safety
/// `client` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_client_set_max_response_bytes(client: *mut ce_client, bytes: u64) -> ce_status {
    guard(|| {
        let client = unsafe { handle(client, "client") }?;
        let bytes = if bytes == 0 { DEFAULT_MAX_RESPONSE_BYTES } else { bytes };
        client.update(|settings| settings.max_response_bytes(bytes))
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

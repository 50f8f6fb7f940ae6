//! OAuth elements: the provider's authorization URL, and the loopback listener that receives the
//! code the provider redirects with.

use std::ffi::c_char;
use std::time::Duration;

use cloud_elements::OAuthUrlRequest;

use super::client::ce_client;
use super::error::{Failure, ce_status};
use super::panic::guard;
use super::ptr::{give_string, handle, opt_str_arg, out_arg, str_arg};

/// The provider's authorization URL for the OAuth element `key` (`"clover"`…):
/// `GET /elements/{key}/oauth/url?apiKey=…&apiSecret=…&callbackUrl=…[&scope=…][&state=…]`, the
/// answer's `oauthUrl`. Open it in the user's browser; the provider then redirects to
/// `callback_url` with the code for `ce_request_set_oauth_code()` (receive it with
/// `ce_receive_oauth_code()`, started before the browser is).
///
/// - `api_key`, `api_secret`: the OAuth application at the provider (the element's
///   `oauth.api.key` and `oauth.api.secret`). The secret is sent in the query, as the platform
///   asks, and never appears in an error message.
/// - `callback_url`: where the provider sends the browser back, as registered with it (http(s)).
/// - `scope`: the permissions asked for, or NULL for the element's default.
/// - `state`: a fresh, unguessable value the redirect must carry back (pass the same to
///   `ce_receive_oauth_code()`), or NULL for none. Passing one is strongly recommended.
/// - `out_url`: receives the URL on success; the string is the caller's, freed with
///   `ce_string_free()`.
///
/// An empty key, API key, secret or callback URL, or a callback URL that is not http(s), gives
/// `CE_ERR_INVALID_ARGUMENT` and nothing is sent; a key the platform does not know
/// `CE_ERR_UNKNOWN_ELEMENT` (the message names the closest keys); an element without OAuth the
/// platform's 400 (`CE_ERR_API`, `ce_last_error_http_status()` 400). A read: sent again after a
/// lost answer or a 429, 500, 502, 503 or 504, within the overall timeout.
///
/// # Safety
/// `client` is NULL or a live client; the strings are NULL or NUL-terminated; `out_url` is NULL
/// or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ce_get_oauth_url(
    client: *const ce_client,
    key: *const c_char,
    api_key: *const c_char,
    api_secret: *const c_char,
    callback_url: *const c_char,
    scope: *const c_char,
    state: *const c_char,
    out_url: *mut *mut c_char,
) -> ce_status {
    guard(|| {
        let out = unsafe { out_arg(out_url, "out_url") }?;
        let client = unsafe { handle(client, "client") }?;
        let key = unsafe { str_arg(key, "key") }?;
        let api_key = unsafe { str_arg(api_key, "api_key") }?;
        let api_secret = unsafe { str_arg(api_secret, "api_secret") }?;
        let callback_url = unsafe { str_arg(callback_url, "callback_url") }?;
        let scope = unsafe { opt_str_arg(scope, "scope") }?;
        let state = unsafe { opt_str_arg(state, "state") }?;
        let mut request = OAuthUrlRequest::new(api_key, api_secret, callback_url);
        if let Some(scope) = scope {
            request = request.scope(scope);
        }
        if let Some(state) = state {
            request = request.state(state);
        }
        let url = client.client().oauth_url(key, &request)?;
        unsafe { give_string(out, &url) };
        Ok(())
    })
}

/// Waits for the OAuth provider to redirect the browser to `callback_url`, and returns the
/// redirect's `code`. **Blocking**: it listens on the callback URL's loopback port until one
/// redirect arrives or `timeout_ms` runs out, so call it (on a thread of its own) before the
/// browser is sent to the authorization URL.
///
/// - `callback_url`: `http://` to a loopback host (`127.0.0.1`, `localhost`, `[::1]`) with an
///   explicit port, the one given to `ce_get_oauth_url()`.
/// - `state`: the value the authorization URL was built with; the redirect must carry the same,
///   or it is refused (`CE_ERR_INVALID_ARGUMENT`) as a possible cross-site request forgery. NULL
///   skips the check; passing a fresh random value per login is strongly recommended. `""` gives
///   `CE_ERR_INVALID_ARGUMENT`.
/// - `timeout_ms`: how long to wait, in milliseconds (0 gives `CE_ERR_INVALID_ARGUMENT`); no
///   redirect in time gives `CE_ERR_TIMEOUT`.
/// - `out_code`: receives the code on success; the string is the caller's, freed with
///   `ce_string_free()`. The code is a credential: it is in no error message.
///
/// The browser is answered with a short page ("Authorization received. You can close this
/// window.", or what went wrong). A redirect with `error` (the user declined) or without a code
/// gives `CE_ERR_INVALID_ARGUMENT` quoting the provider's error; a port already in use
/// `CE_ERR_TRANSPORT`.
///
/// # Safety
/// `callback_url` and `state` are NULL or NUL-terminated; `out_code` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_receive_oauth_code(
    callback_url: *const c_char,
    state: *const c_char,
    timeout_ms: u32,
    out_code: *mut *mut c_char,
) -> ce_status {
    guard(|| {
        let out = unsafe { out_arg(out_code, "out_code") }?;
        let callback_url = unsafe { str_arg(callback_url, "callback_url") }?;
        let state = unsafe { opt_str_arg(state, "state") }?;
        if timeout_ms == 0 {
            return Err(Failure::invalid("`timeout_ms` is 0: give the user time to log in"));
        }
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        let code = cloud_elements::oauth::receive_code(callback_url, state, timeout)?;
        unsafe { give_string(out, &code) };
        Ok(())
    })
}

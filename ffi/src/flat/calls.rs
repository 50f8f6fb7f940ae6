//! `ce_provision_ex`, `ce_find_instance` and `ce_deprovision`.

use std::ffi::{CStr, c_char};

use super::buffer::{Pad, write_text};
use super::cache::cached_client;
use super::error::{Failure, ce_last_error_message, ce_status};
use super::options::{Settings, pad_of, parse, thread_options, update_thread_options};
use super::panic::guard;
use super::ptr::{opt_str_arg, str_arg};
use cloud_elements::{Client, CreateOutcome, DEFAULT_BASE_URL, InstanceRequest};

/// Runs a flat call's body: `CE_OK` or the failure's status, whose message (else `""`) goes into
/// `error_buf`, laid out as `pad` says.
unsafe fn flat_call(
    error_buf: *mut c_char,
    error_buf_len: usize,
    pad: Pad,
    body: impl FnOnce() -> Result<(), Failure>,
) -> ce_status {
    update_thread_options(|options| options.needed = 0);
    let status = guard(|| {
        if error_buf.is_null() && error_buf_len > 0 {
            return Err(Failure::invalid("`error_buf` is NULL but `error_buf_len` is not 0"));
        }
        body()
    });
    // SAFETY: the message pointer is valid until the next ce_ call on this thread.
    let message = unsafe { CStr::from_ptr(ce_last_error_message()) };
    unsafe { write_text(error_buf, error_buf_len, &message.to_string_lossy(), pad) };
    status
}

/// Checks an output buffer's pointer against its length.
fn check_buf(buf: *mut c_char, len: usize, name: &str) -> Result<(), Failure> {
    if buf.is_null() && len > 0 {
        return Err(Failure::invalid(format!("`{name}` is NULL but `{name}_len` is not 0")));
    }
    Ok(())
}

/// Fails before anything is sent when `token_buf_len` cannot hold a token.
fn check_token_room(len: usize, pad: Pad) -> Result<(), Failure> {
    if len < pad.needed("x") {
        return Err(Failure::new(
            ce_status::CE_ERR_BUFFER_TOO_SMALL,
            format!("`token_buf_len` is {len}: a token needs more (256 bytes is ample); nothing was sent"),
        ));
    }
    Ok(())
}

/// The client for a flat call's connection arguments.
unsafe fn client_for(
    base_url: *const c_char,
    user_secret: *const c_char,
    org_secret: *const c_char,
    settings: &Settings,
) -> Result<Client, Failure> {
    let base_url = unsafe { opt_str_arg(base_url, "base_url") }?.unwrap_or(DEFAULT_BASE_URL);
    let user_secret = unsafe { str_arg(user_secret, "user_secret") }?;
    let org_secret = unsafe { str_arg(org_secret, "org_secret") }?;
    cached_client(base_url, user_secret, org_secret, settings)
}

/// Writes `token` into the caller's buffer; when it does not fit, blanks the buffer, records the
/// size needed, and returns the `CE_ERR_BUFFER_TOO_SMALL` failure to complete.
unsafe fn give_token(buf: *mut c_char, len: usize, token: &str, pad: Pad) -> Result<(), (usize, String)> {
    if unsafe { write_text(buf, len, token, pad) } {
        return Ok(());
    }
    unsafe { write_text(buf, len, "", pad) };
    let needed = pad.needed(token);
    update_thread_options(|options| options.needed = needed);
    let with = if pad == Pad::Nul { " (with its NUL)" } else { "" };
    Err((needed, format!("the token needs {needed} bytes{with} but `token_buf_len` is {len}")))
}

/// Creates the instance `request` describes and writes its token into the caller's buffer;
/// returns its id. When the token does not fit, the failure is `CE_ERR_BUFFER_TOO_SMALL` and no
/// instance is left behind by this call: one it created is deleted again (if that delete fails,
/// the message says so and names the id); one that already carried the idempotency key (an
/// earlier run's) is never deleted.
///
/// # Safety
/// `token_buf` is NULL or writable for `token_buf_len` bytes.
pub(crate) unsafe fn create_and_give(
    client: &Client,
    request: &InstanceRequest,
    token_buf: *mut c_char,
    token_buf_len: usize,
    pad: Pad,
) -> Result<i64, Failure> {
    let (instance, outcome) = client.create_instance_outcome(request)?;
    let Err((_, problem)) = (unsafe { give_token(token_buf, token_buf_len, instance.token.expose(), pad) }) else {
        return Ok(instance.id);
    };
    let what = match outcome {
        CreateOutcome::Created => match client.delete_instance(instance.id) {
            Ok(()) => "the instance was deleted again, so a retry with a larger buffer leaves no duplicate".to_owned(),
            Err(e) => format!(
                "instance {} was created and could not be deleted ({e}): delete it before retrying",
                instance.id
            ),
        },
        _ => format!(
            "instance {} already carried the idempotency key before this call and was left as it was",
            instance.id
        ),
    };
    Err(Failure::new(ce_status::CE_ERR_BUFFER_TOO_SMALL, format!("{problem}; {what}")))
}

/// Sets `*instance_id` when the pointer is not NULL.
unsafe fn give_id(instance_id: *mut i64, id: i64) {
    if !instance_id.is_null() {
        // SAFETY: the caller promises a writable int64_t when not NULL.
        unsafe { *instance_id = id };
    }
}

/// Provisions one instance in one call, with caller-owned buffers and settings: the flat API for
/// legacy systems (COBOL, Fortran, Pascal, VB6...).
///
/// - `base_url`: NULL for the real service; `user_secret`, `org_secret`: the platform secrets.
/// - `instance_json`: the documentation's `instance.json`, as is.
/// - `options_json`: NULL, `""` or a JSON object with any of `"retries"` (0 to 10, default 2),
///   `"timeout_ms"` (overall, default 60000), `"connect_timeout_ms"` (default 10000),
///   `"idempotency_key"` (1 to 64 of `A-Z a-z 0-9 . _ -`: an instance already carrying the key is
///   returned instead of creating another, so a rerun of a batch gets the same instances back;
///   after a crash, rerun once the killed run's last request can no longer be under way, i.e.
///   after its `timeout_ms`: the look-up before the create is not a lock on the server),
///   `"ca_bundle"` (a PEM file of CAs to trust) and `"pad"` (`"spaces"` or `"nul"`, the default).
///   An unknown key is `CE_ERR_INVALID_ARGUMENT`, and the message names it. These options, but
///   the idempotency key, stay the calling thread's flat options, which `ce_find_instance()`,
///   `ce_deprovision()` and `ce_last_error_field()` use, until the next `ce_provision_ex()` or
///   `ce_flat_reset()`. They are per thread: a host that moves calls between threads (a thread
///   pool, a TP monitor) must make its `ce_provision_ex()` on the thread that then calls the
///   others, or those calls get the defaults (NUL-terminated outputs among them).
/// - `token_buf`, `token_buf_len`: receives the instance token. 256 bytes is ample.
/// - `instance_id`: NULL, or receives the instance id (0 on failure).
/// - `error_buf`, `error_buf_len`: receives `""` on success, else the error message (the same as
///   `ce_last_error_message()`), cut to fit. May be NULL with length 0.
///
/// Buffers: nothing is ever written past a given length. With `"pad": "nul"` what is written is
/// NUL-terminated; with `"pad": "spaces"` the text is followed by spaces up to the buffer's length
/// and no NUL (COBOL `PIC X(n)`, Fortran `CHARACTER(len=n)`). On failure `token_buf` holds `""`
/// (all spaces). When the token does not fit, the status is `CE_ERR_BUFFER_TOO_SMALL`, the
/// message and `ce_last_error_field("needed")` say how many bytes it needs, and no instance is
/// left behind: one this call created is deleted again (if that delete fails, the message says so
/// and names the instance id); one that already carried the idempotency key is left as it was.
/// A `token_buf_len` that cannot hold any token fails before anything is sent.
///
/// The client behind the call is cached (see `ce_flat_reset()`). Thread-safe.
///
/// # Safety
/// String arguments are NULL or NUL-terminated; each buffer is NULL or writable for its length;
/// `instance_id` is NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // The signature is the documented flat ABI.
pub unsafe extern "C" fn ce_provision_ex(
    base_url: *const c_char,
    user_secret: *const c_char,
    org_secret: *const c_char,
    instance_json: *const c_char,
    options_json: *const c_char,
    token_buf: *mut c_char,
    token_buf_len: usize,
    instance_id: *mut i64,
    error_buf: *mut c_char,
    error_buf_len: usize,
) -> ce_status {
    let raw_options = unsafe { opt_str_arg(options_json, "options_json") }.ok().flatten();
    let pad = pad_of(raw_options);
    unsafe { give_id(instance_id, 0) };
    unsafe { write_text(token_buf, token_buf_len, "", pad) };
    unsafe {
        flat_call(error_buf, error_buf_len, pad, || {
            check_buf(token_buf, token_buf_len, "token_buf")?;
            let options = parse(opt_str_arg(options_json, "options_json")?)?;
            update_thread_options(|thread| {
                thread.settings = options.settings.clone();
                thread.pad = options.pad;
            });
            let mut request = InstanceRequest::from_json(str_arg(instance_json, "instance_json")?)?;
            if let Some(key) = &options.idempotency_key {
                request.set_idempotency_key(key.as_str());
            }
            let client = client_for(base_url, user_secret, org_secret, &options.settings)?;
            check_token_room(token_buf_len, pad)?;
            let id = create_and_give(&client, &request, token_buf, token_buf_len, pad)?;
            give_id(instance_id, id);
            Ok(())
        })
    }
}

/// Finds the instance created with idempotency key `idempotency_key` (by `ce_provision_ex()`'s
/// `"idempotency_key"` or `ce_request_set_idempotency_key()`): its token into `token_buf` and its
/// id into `instance_id` (which may be NULL). `CE_ERR_NOT_FOUND` when no instance carries the key;
/// `CE_ERR_INVALID_ARGUMENT` for a key outside the allowed alphabet and length.
///
/// Buffers, padding and settings as for `ce_provision_ex()` (the thread's flat options). A token
/// that does not fit gives `CE_ERR_BUFFER_TOO_SMALL` and the size needed; the instance stays.
///
/// # Safety
/// As `ce_provision_ex()`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // The signature is the documented flat ABI.
pub unsafe extern "C" fn ce_find_instance(
    base_url: *const c_char,
    user_secret: *const c_char,
    org_secret: *const c_char,
    idempotency_key: *const c_char,
    token_buf: *mut c_char,
    token_buf_len: usize,
    instance_id: *mut i64,
    error_buf: *mut c_char,
    error_buf_len: usize,
) -> ce_status {
    let options = thread_options();
    unsafe { give_id(instance_id, 0) };
    unsafe { write_text(token_buf, token_buf_len, "", options.pad) };
    unsafe {
        flat_call(error_buf, error_buf_len, options.pad, || {
            check_buf(token_buf, token_buf_len, "token_buf")?;
            let key = str_arg(idempotency_key, "idempotency_key")?;
            let client = client_for(base_url, user_secret, org_secret, &options.settings)?;
            check_token_room(token_buf_len, options.pad)?;
            let Some(instance) = client.find_instance_by_idempotency_key(key)? else {
                return Err(Failure::new(
                    ce_status::CE_ERR_NOT_FOUND,
                    format!("no instance carries idempotency key `{key}`"),
                ));
            };
            match give_token(token_buf, token_buf_len, instance.token.expose(), options.pad) {
                Ok(()) => {
                    give_id(instance_id, instance.id);
                    Ok(())
                }
                Err((_, problem)) => Err(Failure::new(
                    ce_status::CE_ERR_BUFFER_TOO_SMALL,
                    format!("{problem}; instance {} is there, ask again with a larger buffer", instance.id),
                )),
            }
        })
    }
}

/// Deletes instance `instance_id`: `CE_ERR_NOT_FOUND` when there is no such instance (it was
/// deleted already, say). The error message goes into `error_buf` as for `ce_provision_ex()`
/// (settings and padding: the thread's flat options).
///
/// # Safety
/// String arguments are NULL or NUL-terminated; `error_buf` is NULL or writable for
/// `error_buf_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_deprovision(
    base_url: *const c_char,
    user_secret: *const c_char,
    org_secret: *const c_char,
    instance_id: i64,
    error_buf: *mut c_char,
    error_buf_len: usize,
) -> ce_status {
    let options = thread_options();
    unsafe {
        flat_call(error_buf, error_buf_len, options.pad, || {
            let client = client_for(base_url, user_secret, org_secret, &options.settings)?;
            if instance_id <= 0 {
                return Err(Failure::invalid(format!("`instance_id` is {instance_id}: instance ids are positive")));
            }
            Ok(client.delete_instance(instance_id)?)
        })
    }
}

//! The C API of `cloud-elements`: `libcloud_elements.so` / `.a` and `include/cloud_elements.h`
//! (generated from this crate by cbindgen; `make header`).
//!
//! A thin layer: each function converts its arguments, makes one call on the core crate's
//! `Client`, and converts the result. Conventions, the same for every function:
//!
//! - Names are `ce_<noun>_<verb>`. C sees opaque handles only: `ce_client`, `ce_request`,
//!   `ce_instance`, `ce_instance_list`.
//! - Every fallible function returns a [`ce_status`]; `CE_OK` is 0 and each other value is fixed
//!   forever. Details of the last failure on the calling thread are read with
//!   `ce_last_error_message()`, `ce_last_error_http_status()`, `ce_last_error_request_id()` and
//!   `ce_last_error_missing()`, like libgit2's `git_error_last()`. Only the fallible functions
//!   replace them, so a caller may free its handles before reading the error.
//! - A `const` handle argument means the call does not change it. Out-parameters come last: each
//!   function sets `*out` to NULL first (when `out` is not NULL) and to its result only on
//!   success, so `*out` is NULL after any failure (`ptr::out_arg`).
//! - NULL pointers, invalid UTF-8 and malformed JSON give `CE_ERR_INVALID_ARGUMENT`, never a
//!   crash. No Rust panic crosses into C: it becomes `CE_ERR_INTERNAL`.
//! - Whatever a `ce_*_new` or `ce_create_*` call hands out is freed with the matching `_free`,
//!   which accepts NULL. Strings returned as `const char *` are borrowed from their handle; strings
//!   returned as `char *` are the caller's and are freed with `ce_string_free`.
//! - The flat API (`ce_provision`, `ce_provision_ex`, `ce_find_instance`, `ce_deprovision`,
//!   `ce_last_error_field`, `ce_flat_reset`; `flat.rs`) is for callers that can hold neither
//!   handles nor returned pointers (COBOL, Fortran, Pascal, VB6): caller-owned buffers only,
//!   optionally padded with spaces instead of NUL-terminated.
//! - A `ce_client` may be used from many threads at once (even while its settings change). A
//!   `ce_request`, `ce_instance` or `ce_instance_list` may be read from many threads, but must not
//!   be changed or freed while another thread uses it. The last error is per thread.

#![warn(missing_docs)]
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)] // Each function's safety contract is in its doc comment.

mod client;
mod configuration;
mod elements;
mod error;
mod flat;
mod idempotency;
mod instance;
mod list;
mod oauth;
mod panic;
mod provision;
mod ptr;
mod request;
mod update;
mod validation;
mod verbs;

pub use client::{
    ce_authorization_header, ce_client, ce_client_free, ce_client_from_env, ce_client_new,
    ce_client_set_allow_insecure_http, ce_client_set_ca_bundle, ce_client_set_idempotent,
    ce_client_set_max_response_bytes, ce_client_set_retries, ce_client_set_timeout_ms, ce_string_free,
};
pub use configuration::{ce_get_instance_configuration_json, ce_update_instance_configuration};
pub use elements::{ce_get_element_configuration_json, ce_get_element_json};
pub use error::{
    ce_last_error_http_status, ce_last_error_instance_may_exist, ce_last_error_message, ce_last_error_missing,
    ce_last_error_provider_message, ce_last_error_request_id, ce_last_error_retry_after_ms, ce_status, ce_status_str,
};
pub use flat::{ce_deprovision, ce_find_instance, ce_flat_reset, ce_last_error_field, ce_provision_ex};
pub use idempotency::{ce_find_instance_by_idempotency_key, ce_request_set_idempotency_key};
pub use instance::{
    ce_create_instance, ce_create_instance_json, ce_instance, ce_instance_configuration_json, ce_instance_created,
    ce_instance_disabled, ce_instance_element_key, ce_instance_free, ce_instance_id, ce_instance_json,
    ce_instance_name, ce_instance_token, ce_instance_valid,
};
pub use list::{
    ce_instance_list, ce_instance_list_free, ce_instance_list_get, ce_instance_list_len, ce_list_instances,
};
pub use oauth::{ce_get_oauth_url, ce_receive_oauth_code};
pub use provision::ce_provision;
pub use request::{
    ce_request, ce_request_add_tag, ce_request_free, ce_request_new, ce_request_set_config, ce_request_set_oauth_code,
};
pub use validation::{
    CE_VALIDATION_FULL, CE_VALIDATION_OFF, CE_VALIDATION_OFFLINE, ce_client_set_validation, ce_validate_request,
};
pub use verbs::{
    ce_delete_instance, ce_disable_instance, ce_enable_instance, ce_get_instance, ce_ping, ce_update_instance,
};

use std::ffi::c_char;

/// The library version as `"MAJOR.MINOR.PATCH"`; the header's `CE_VERSION_MAJOR`,
/// `CE_VERSION_MINOR` and `CE_VERSION_PATCH` give the version the program was compiled against.
///
/// The string is static: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn ce_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

//! `ce_instance_list`: the instances `ce_list_instances()` found.

use std::ffi::c_char;
use std::ptr;

use cloud_elements::InstanceFilter;

use super::client::ce_client;
use super::error::{Failure, ce_status};
use super::instance::ce_instance;
use super::panic::{guard, guard_value};
use super::ptr::{free, give, handle, out_arg, str_arg};

/// The instances a `ce_list_instances()` call found, in the server's order.
///
/// Read it with `ce_instance_list_len()` and `ce_instance_list_get()`; free it, and every instance
/// borrowed from it, with `ce_instance_list_free()`. Thread safety: as `ce_instance` (many readers,
/// one thread frees it once nobody reads it).
pub struct ce_instance_list {
    items: Vec<ce_instance>,
}

/// Lists the instances that carry every one of `tags` (`GET /instances?tags[]=…`); with no tags,
/// every instance. Nothing matching is an empty list, not an error.
///
/// - `tags`: an array of `n_tags` NUL-terminated strings, each copied; may be NULL when `n_tags`
///   is 0. A NULL, empty or non-UTF-8 tag gives `CE_ERR_INVALID_ARGUMENT` and nothing is sent.
/// - `out`: receives the list on success; free it with `ce_instance_list_free()`.
///
/// A read: sent again after a lost answer or a 429, 500, 502, 503 or 504, within the overall
/// timeout.
///
/// # Safety
/// `client` is NULL or a live client; `tags` is NULL or points to `n_tags` pointers, each NULL or
/// NUL-terminated; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_list_instances(
    client: *const ce_client,
    tags: *const *const c_char,
    n_tags: usize,
    out: *mut *mut ce_instance_list,
) -> ce_status {
    guard(|| {
        let out = unsafe { out_arg(out, "out") }?;
        let client = unsafe { handle(client, "client") }?;
        if tags.is_null() && n_tags > 0 {
            return Err(Failure::invalid(format!("`tags` is NULL but `n_tags` is {n_tags}")));
        }
        let mut filter = InstanceFilter::new();
        for index in 0..n_tags {
            // SAFETY: not NULL (checked above); the caller promises `n_tags` readable pointers.
            let tag = unsafe { str_arg(*tags.add(index), &format!("tags[{index}]")) }?;
            if tag.trim().is_empty() {
                return Err(Failure::invalid(format!("`tags[{index}]` is empty")));
            }
            filter = filter.tag(tag);
        }
        let found = client.client().list_instances(&filter)?;
        let list = ce_instance_list { items: found.into_iter().map(ce_instance::new).collect() };
        unsafe { give(out, list) };
        Ok(())
    })
}

/// How many instances `list` holds; 0 when `list` is NULL.
///
/// # Safety
/// `list` is NULL or a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_list_len(list: *const ce_instance_list) -> usize {
    guard_value(0, || unsafe { list.as_ref() }.map_or(0, |list| list.items.len()))
}

/// The instance at `index` (from 0), or NULL when `index` is not below `ce_instance_list_len()`
/// or `list` is NULL.
///
/// Borrowed from `list`: read it with the `ce_instance_*` getters until `ce_instance_list_free()`,
/// and never pass it to `ce_instance_free()`.
///
/// # Safety
/// `list` is NULL or a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_list_get(list: *const ce_instance_list, index: usize) -> *const ce_instance {
    guard_value(ptr::null(), || {
        // SAFETY: the caller promises NULL or a live list.
        unsafe { list.as_ref() }.and_then(|list| list.items.get(index)).map_or(ptr::null(), ptr::from_ref)
    })
}

/// Frees a list and every instance borrowed from it. NULL is fine.
///
/// # Safety
/// `list` is NULL or a list from this library, not in use, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ce_instance_list_free(list: *mut ce_instance_list) {
    guard_value((), || unsafe { free(list) });
}

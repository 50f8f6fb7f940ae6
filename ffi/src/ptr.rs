//! Pointer conversions: each checks for NULL (and UTF-8) and says which argument was wrong, instead
//! of dereferencing blindly.

use std::ffi::{CStr, c_char};

use super::error::{Failure, c_string};

/// A required C string argument as `&str`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(super) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::invalid(format!("`{name}` is NULL")));
    }
    // SAFETY: not NULL; the caller promises a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|e| Failure::invalid(format!("`{name}` is not valid UTF-8 (at byte {})", e.valid_up_to())))
}

/// An optional C string argument: NULL is `None`.
///
/// # Safety
/// As [`str_arg`].
pub(super) unsafe fn opt_str_arg<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() { Ok(None) } else { unsafe { str_arg(ptr, name) }.map(Some) }
}

/// A required handle argument.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` handed out by this library.
pub(super) unsafe fn handle<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, Failure> {
    // SAFETY: the caller promises a live handle when not NULL.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::invalid(format!("`{name}` is NULL")))
}

/// A required mutable handle argument.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` handed out by this library, used by no other thread.
pub(super) unsafe fn handle_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Failure> {
    // SAFETY: the caller promises a live, unshared handle when not NULL.
    unsafe { ptr.as_mut() }.ok_or_else(|| Failure::invalid(format!("`{name}` is NULL")))
}

/// Checks an out-parameter and sets `*out` to NULL, so that it is NULL after any failure (C code
/// that frees `*out` after an error frees nothing); write to it with [`give`] once everything has
/// succeeded. Call it first, before anything else can fail.
///
/// # Safety
/// `out` is NULL or writable.
pub(super) unsafe fn out_arg<T>(out: *mut *mut T, name: &str) -> Result<*mut *mut T, Failure> {
    if out.is_null() {
        return Err(Failure::invalid(format!("`{name}` is NULL")));
    }
    // SAFETY: not NULL; the caller promises it is writable.
    unsafe { *out = std::ptr::null_mut() };
    Ok(out)
}

/// Moves `value` to the heap and stores the pointer in `out` (checked by [`out_arg`]).
///
/// # Safety
/// `out` is a valid, writable pointer.
pub(super) unsafe fn give<T>(out: *mut *mut T, value: T) {
    // SAFETY: checked non-NULL by out_arg; the caller promises it is writable.
    unsafe { *out = Box::into_raw(Box::new(value)) };
}

/// Stores a copy of `text` in `out` (checked by [`out_arg`]) as a C string the caller frees with
/// `ce_string_free()`.
///
/// # Safety
/// `out` is a valid, writable pointer.
pub(super) unsafe fn give_string(out: *mut *mut c_char, text: &str) {
    // SAFETY: checked non-NULL by out_arg; the caller promises it is writable.
    unsafe { *out = c_string(text).into_raw() };
}

/// Frees a handle handed out by [`give`]; NULL is fine.
///
/// # Safety
/// `ptr` is NULL or came from [`give`] and was not freed before.
pub(super) unsafe fn free<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: the caller promises it came from Box::into_raw and is freed once.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

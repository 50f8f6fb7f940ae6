//! The panic boundary: every exported function's body runs inside one of these.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::error::{Failure, ce_status, clear_last_error, set_last_error};

/// Runs a fallible function body: clears the thread's last error, catches any panic, records a
/// failure and returns its status.
///
/// `AssertUnwindSafe`: after a panic the handles involved are only ever freed, never trusted again
/// by the library, and every handle's state is left consistent between statements.
pub(super) fn guard(body: impl FnOnce() -> Result<(), Failure>) -> ce_status {
    clear_last_error();
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return ce_status::CE_OK,
        Ok(Err(failure)) => failure,
        Err(_) => Failure::new(ce_status::CE_ERR_INTERNAL, "internal error (a panic in the library); please report it"),
    };
    set_last_error(Some(&failure));
    failure.status
}

/// Runs a function body that returns a value rather than a status, with `fallback` on a panic.
/// It leaves the last error alone: such functions only read or free handles, and a caller may
/// free its handles before it reads the error of an earlier call.
pub(super) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

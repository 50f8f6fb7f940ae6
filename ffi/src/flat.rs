//! The flat API: calls for callers that can neither hold pointers nor free memory (COBOL, Fortran,
//! Pascal, VB6...). Every input is a NUL-terminated string or a number, every output goes into a
//! buffer the caller owns, and the clients behind the calls live in a small cache
//! (`flat/cache.rs`) instead of in handles.

// The crate's parts the flat calls use, named here so that flat/*.rs reach them as `super::error`
// and so on (the fuzz targets compile this crate as a module: no `crate::` paths).
use super::{error, panic, ptr};

mod buffer;
mod cache;
mod calls;
mod fields;
mod options;
#[cfg(test)]
mod tests;

pub(super) use buffer::{Pad, write_c};
pub(super) use cache::cached_client;
pub use cache::ce_flat_reset;
pub(super) use calls::create_and_give;
pub use calls::{ce_deprovision, ce_find_instance, ce_provision_ex};
pub use fields::ce_last_error_field;

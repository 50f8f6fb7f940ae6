//! The calls, grouped by resource; each file is an `impl Client` block over the one call path
//! (`crate::call`).

mod configuration;
mod create;
mod elements;
mod enabled;
mod instances;
mod oauth;

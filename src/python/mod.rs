//! The Python module `cloud_elements._native` (cargo feature `python`, built by maturin).
//!
//! A thin layer: it converts Python arguments into the core's types, calls the core with the GIL
//! released, and converts results and [`Error`](crate::Error)s back. Validation, request building,
//! decoding and redaction all happen in the core. The public package is
//! `bindings/python/cloud_elements`, which re-exports what this module defines; `_native.pyi` there
//! describes it for type checkers.
//!
//! One file per job: [`client`] (the `Client` class, its settings and methods), [`verbs`] (the
//! conversions of the instance verbs), [`instance`] (`Instance`, `Secret` and configuration
//! entries), [`elements`] (element definitions and OAuth), [`sandbox`] (the `Sandbox` class), [`errors`] (the translation of core errors into
//! the exceptions defined in `_errors.py`), [`convert`] (argument and result conversions).
//! `AsyncClient` is pure Python (`_async.py`): it runs these blocking calls on a thread pool.

mod client;
mod convert;
mod elements;
mod errors;
mod instance;
mod sandbox;
mod verbs;

use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;

/// A lock whose holder never panics; a poisoned one is still consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The native part of the `cloud_elements` package; import from `cloud_elements` instead.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", crate::VERSION)?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<instance::PyInstance>()?;
    m.add_class::<sandbox::PySandbox>()?;
    m.add_class::<instance::PySecret>()?;
    m.add_function(wrap_pyfunction!(elements::receive_oauth_code, m)?)?;
    let types = m.py().import("cloud_elements._types")?;
    for name in ["ConfigurationEntry", "Element", "SchemaEntry"] {
        m.add(name, types.getattr(name)?)?;
    }
    errors::add_exceptions(m)
}

//! The results of a call: `Instance`, a provisioned instance as the server described it, and
//! `Secret`, the text of a secret configuration value that never prints.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::json_to_py;
use crate::Instance as CoreInstance;

/// A provisioned instance, as the server described it.
#[pyclass(module = "cloud_elements", name = "Instance", frozen)]
pub(super) struct PyInstance {
    /// The instance id.
    #[pyo3(get)]
    id: i64,
    /// The instance name, if the server said.
    #[pyo3(get)]
    name: Option<String>,
    /// The instance token: keep it for every later call on this instance.
    #[pyo3(get)]
    token: String,
    /// The element key the server reported (not necessarily the one asked for).
    #[pyo3(get)]
    element_key: Option<String>,
    /// The `element` object of the response (empty if absent).
    #[pyo3(get)]
    element: Py<PyDict>,
    /// The configuration the server echoed (empty if absent): each value a `Secret`, because the
    /// server echoes passwords; `get_secret_value()` gives the text.
    #[pyo3(get)]
    configuration: Py<PyDict>,
    /// Whether the instance is valid, if the server said.
    #[pyo3(get)]
    valid: Option<bool>,
    /// Whether the instance is disabled, if the server said.
    #[pyo3(get)]
    disabled: Option<bool>,
    /// The whole response.
    #[pyo3(get)]
    raw: Py<PyDict>,
}

impl PyInstance {
    pub(super) fn new(py: Python<'_>, instance: CoreInstance) -> PyResult<Self> {
        // The JSON is converted once; `element` is the same dict as `raw["element"]`.
        let raw = json_to_py(py, instance.raw())?.cast_into::<PyDict>()?;
        let element = match raw.get_item("element")? {
            Some(element) if element.is_instance_of::<PyDict>() => element.cast_into::<PyDict>()?,
            _ => PyDict::new(py),
        };
        let configuration = PyDict::new(py);
        for (key, value) in instance.configuration.iter().flatten() {
            configuration.set_item(key, PySecret { value: value.expose().to_owned() })?;
        }
        Ok(PyInstance {
            id: instance.id,
            name: instance.name,
            token: instance.token.into_inner(),
            element_key: instance.element.key,
            element: element.unbind(),
            configuration: configuration.unbind(),
            valid: instance.valid,
            disabled: instance.disabled,
            raw: raw.unbind(),
        })
    }
}

#[pymethods]
impl PyInstance {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Instance(id={}, name={}, element_key={}, token='[redacted]')",
            self.id,
            self.name.as_deref().into_pyobject(py)?.repr()?,
            self.element_key.as_deref().into_pyobject(py)?.repr()?,
        ))
    }
}

/// A secret text (pydantic's `SecretStr` convention): it prints as `Secret('**********')` and
/// gives its value only through `get_secret_value()`.
#[pyclass(module = "cloud_elements", name = "Secret", frozen)]
pub(super) struct PySecret {
    value: String,
}

#[pymethods]
impl PySecret {
    #[new]
    fn new(value: String) -> Self {
        PySecret { value }
    }

    /// The secret text.
    fn get_secret_value(&self) -> &str {
        &self.value
    }

    fn __repr__(&self) -> &'static str {
        "Secret('**********')"
    }

    fn __str__(&self) -> &'static str {
        "**********"
    }

    fn __len__(&self) -> usize {
        self.value.chars().count()
    }

    /// Equal to another `Secret` with the same text (never to a plain `str`).
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PySecret>().is_ok_and(|other| other.get().value == self.value)
    }

    fn __hash__(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.value.hash(&mut hasher);
        hasher.finish()
    }

    /// Secrets are not pickled: a pickle is a printable form of its contents.
    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err("a Secret cannot be pickled; pickle secret.get_secret_value() if you must"))
    }
}

//! The results of a call: `Instance`, a provisioned instance as the server described it, and
//! `Secret`, the text of a secret configuration value that never prints.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

use super::convert::json_to_py;
use crate::catalog::is_secret_configuration_entry;
use crate::{Client as CoreClient, ConfigurationEntry, Instance as CoreInstance, Secret};

/// A configuration value as Python sees it: a `Secret` when the entry is a secret, else `str`.
fn config_value<'py>(py: Python<'py>, secret: bool, value: &Secret) -> PyResult<Bound<'py, PyAny>> {
    let text = value.expose().to_owned();
    if secret {
        Ok(Bound::new(py, PySecret { value: text })?.into_any())
    } else {
        Ok(text.into_pyobject(py)?.into_any())
    }
}

/// A configuration entry as a `ConfigurationEntry` dict (`id`, `key`, `property_value`, `extra`).
pub(super) fn entry_to_py<'py>(py: Python<'py>, entry: &ConfigurationEntry) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("id", entry.id)?;
    dict.set_item("key", &entry.key)?;
    let field = |name: &str| entry.extra.get(name).and_then(Value::as_str);
    let secret = is_secret_configuration_entry(&entry.key, field("type"), field("name"));
    dict.set_item("property_value", config_value(py, secret, &entry.property_value)?)?;
    let extra = PyDict::new(py);
    for (field, value) in &entry.extra {
        extra.set_item(field, json_to_py(py, value)?)?;
    }
    dict.set_item("extra", extra)?;
    Ok(dict)
}

/// A provisioned instance, as the server described it. It holds the core's decoded instance and
/// converts on access: `configuration` and `tags` when first asked for, `raw` (and `element`, a
/// part of it) too, so that a create whose caller reads only the token builds no dict at all.
#[pyclass(module = "cloud_elements", name = "Instance", frozen)]
pub(super) struct PyInstance {
    instance: CoreInstance,
    /// The client the instance came from: its rule tells secret entries apart.
    client: CoreClient,
    configuration: PyOnceLock<Py<PyDict>>,
    tags: PyOnceLock<Py<PyList>>,
    raw: PyOnceLock<Py<PyDict>>,
    element: PyOnceLock<Py<PyDict>>,
}

impl PyInstance {
    pub(super) fn new(_py: Python<'_>, client: CoreClient, instance: CoreInstance) -> PyResult<Self> {
        Ok(PyInstance {
            instance,
            client,
            configuration: PyOnceLock::new(),
            tags: PyOnceLock::new(),
            raw: PyOnceLock::new(),
            element: PyOnceLock::new(),
        })
    }
}

#[pymethods]
impl PyInstance {
    /// The instance id.
    #[getter]
    fn id(&self) -> i64 {
        self.instance.id
    }

    /// The instance name, if the server said.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.instance.name.as_deref()
    }

    /// The instance token: keep it for every later call on this instance.
    #[getter]
    fn token(&self) -> &str {
        self.instance.token.expose()
    }

    /// The element key the server reported (not necessarily the one asked for).
    #[getter]
    fn element_key(&self) -> Option<&str> {
        self.instance.element.key.as_deref()
    }

    /// Whether the instance is valid, if the server said.
    #[getter]
    fn valid(&self) -> Option<bool> {
        self.instance.valid
    }

    /// Whether the instance is disabled, if the server said.
    #[getter]
    fn disabled(&self) -> Option<bool> {
        self.instance.disabled
    }

    /// The configuration the server echoed (empty if absent): secret entries as `Secret`s, the
    /// others as `str`. Converted on first access; the same dict every time.
    #[getter]
    fn configuration<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let configuration = self.configuration.get_or_try_init(py, || {
            let element_key = self.instance.element.key.as_deref();
            let entries: Vec<(&String, &Secret)> = self.instance.configuration.iter().flatten().collect();
            // The client's rule (the built-in definition, else the platform's, which it may fetch
            // once: without the GIL), else the rule for an entry seen without its element.
            let secret: Vec<bool> = py.detach(|| {
                entries
                    .iter()
                    .map(|(key, _)| match element_key {
                        Some(element) => self.client.is_secret_entry(element, key),
                        None => is_secret_configuration_entry(key, None, None),
                    })
                    .collect()
            });
            let dict = PyDict::new(py);
            for ((key, value), secret) in entries.into_iter().zip(secret) {
                dict.set_item(key, config_value(py, secret, value)?)?;
            }
            Ok::<_, PyErr>(dict.unbind())
        })?;
        Ok(configuration.bind(py).clone())
    }

    /// The instance's tags (empty if the server did not say). Converted on first access; the
    /// same list every time.
    #[getter]
    fn tags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let tags = self.tags.get_or_try_init(py, || {
            let tags = PyList::empty(py);
            if let Some(Value::Array(items)) = self.instance.extra.get("tags") {
                for tag in items.iter().filter_map(Value::as_str) {
                    tags.append(tag)?;
                }
            }
            Ok::<_, PyErr>(tags.unbind())
        })?;
        Ok(tags.bind(py).clone())
    }

    /// The whole response, converted on first access; the same dict every time.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let raw = self.raw.get_or_try_init(py, || {
            let value = json_to_py(py, self.instance.raw())?;
            Ok::<_, PyErr>(value.cast_into::<PyDict>().unwrap_or_else(|_| PyDict::new(py)).unbind())
        })?;
        Ok(raw.bind(py).clone())
    }

    /// The `element` object of the response (empty if absent): the same dict as `raw["element"]`.
    #[getter]
    fn element<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let element = self.element.get_or_try_init(py, || {
            let element = match self.raw(py)?.get_item("element")? {
                Some(element) => element.cast_into::<PyDict>().unwrap_or_else(|_| PyDict::new(py)),
                None => PyDict::new(py),
            };
            Ok::<_, PyErr>(element.unbind())
        })?;
        Ok(element.bind(py).clone())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Instance(id={}, name={}, element_key={}, token='[redacted]')",
            self.instance.id,
            self.name().into_pyobject(py)?.repr()?,
            self.element_key().into_pyobject(py)?.repr()?,
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

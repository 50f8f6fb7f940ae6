//! `Sandbox`: the embedded emulator of the instance API, for tests.

use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::exceptions::PyTypeError;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use serde_json::Value;

use cloud_elements_sandbox::{Fault, Sandbox as CoreSandbox};

use super::convert::{field_to_json, json_list, text};
use super::errors::{closed_err, invalid_input, refuse_problems};
use super::lock;

/// The embedded emulator of the instance API, on a free loopback port: for tests, no network.
/// With `tls=True` it serves HTTPS, its certificate signed by a CA made at start
/// (`ca_certificate_pem`). `elements` (a path or a list of them: JSON files of element
/// definitions, or folders of them) adds elements to the built-in ones; a file that cannot be read
/// or is malformed raises `InvalidInputError` (a `ValueError`) naming the file.
#[pyclass(module = "cloud_elements", name = "Sandbox", frozen)]
pub(super) struct PySandbox {
    /// `None` once closed.
    sandbox: Mutex<Option<CoreSandbox>>,
    url: String,
    user_secret: String,
    organization_secret: String,
    ca_certificate_pem: Option<String>,
}

impl PySandbox {
    fn with<T>(&self, py: Python<'_>, f: impl FnOnce(&CoreSandbox) -> T) -> PyResult<T> {
        match &*lock(&self.sandbox) {
            Some(sandbox) => Ok(f(sandbox)),
            None => Err(closed_err(py, "sandbox")),
        }
    }
}

/// `elements=`: one path (`str` or path-like) or a sequence of them.
fn element_paths(elements: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<PathBuf>> {
    let Some(elements) = elements.filter(|e| !e.is_none()) else {
        return Ok(Vec::new());
    };
    if let Ok(path) = elements.extract::<PathBuf>() {
        return Ok(vec![path]);
    }
    let items = elements
        .try_iter()
        .map_err(|_| PyTypeError::new_err("elements must be a path (str or os.PathLike) or a list of paths"))?;
    items.map(|item| item?.extract::<PathBuf>()).collect()
}

#[pymethods]
impl PySandbox {
    #[new]
    #[pyo3(signature = (*, user_secret=None, organization_secret=None, tls=false, elements=None))]
    fn new(
        py: Python<'_>,
        user_secret: Option<&Bound<'_, PyString>>,
        organization_secret: Option<&Bound<'_, PyString>>,
        tls: bool,
        elements: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut problems = Vec::new();
        let mut builder = CoreSandbox::builder().tls(tls);
        if let Some(secret) = user_secret {
            builder = builder.user_secret(text(secret, "user secret", &mut problems));
        }
        if let Some(secret) = organization_secret {
            builder = builder.organization_secret(text(secret, "organization secret", &mut problems));
        }
        for path in element_paths(elements)? {
            builder = builder.elements(path);
        }
        refuse_problems(py, problems)?;
        let sandbox = py.detach(move || builder.start()).map_err(|e| match e.kind() {
            // A secret it refuses, or an element file it cannot read or that is malformed (the
            // message names the file).
            std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
                invalid_input(py, vec![e.to_string()])
            }
            _ => PyErr::from(e),
        })?;
        Ok(PySandbox {
            url: sandbox.url().to_owned(),
            user_secret: sandbox.user_secret().to_owned(),
            organization_secret: sandbox.organization_secret().to_owned(),
            ca_certificate_pem: sandbox.ca_certificate_pem().map(str::to_owned),
            sandbox: Mutex::new(Some(sandbox)),
        })
    }

    /// With `tls=True`: the PEM certificate of the test CA the sandbox made at start; write it to
    /// a file and pass that as the client's `ca_bundle`. `None` for plain HTTP.
    #[getter]
    fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca_certificate_pem.as_deref()
    }

    /// The API base URL, e.g. `http://127.0.0.1:41234/elements/api-v2`.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// The user secret the sandbox accepts.
    #[getter]
    fn user_secret(&self) -> &str {
        &self.user_secret
    }

    /// The organization secret the sandbox accepts.
    #[getter]
    fn organization_secret(&self) -> &str {
        &self.organization_secret
    }

    /// API requests received since the start or the last `reset()`.
    #[getter]
    fn request_count(&self, py: Python<'_>) -> PyResult<u64> {
        self.with(py, CoreSandbox::request_count)
    }

    /// Queues a fault for the next `times` API requests, e.g. `inject("delay", ms=500)`,
    /// `inject("status", status=503, retry_after="2")`, `inject("body", status=400, body="...")`,
    /// `inject("reset")`, `inject("truncate")`, `inject("reset_mid_body")`,
    /// `inject("create_then_reset", every=3, times=100, method="POST")`, `inject("drip", ms=1000)`,
    /// `inject("oversize", bytes=11_000_000)`, `inject("body", status=200, body_hex="ff")`.
    #[pyo3(signature = (kind, *, times=1, **fields))]
    fn inject(
        &self,
        py: Python<'_>,
        kind: &Bound<'_, PyString>,
        times: u32,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let mut problems = Vec::new();
        let mut json = serde_json::Map::new();
        json.insert("kind".to_owned(), Value::from(text(kind, "fault kind", &mut problems)));
        for (name, value) in fields.into_iter().flatten() {
            // `**{"\ud800": 1}` passes any str as a keyword name.
            let name = text(name.cast::<PyString>()?, "name of a fault field", &mut problems);
            let value = field_to_json(&name, &value, &mut problems)?;
            json.insert(name, value);
        }
        json.insert("times".to_owned(), Value::from(times));
        refuse_problems(py, problems)?;
        let fault: Fault = serde_json::from_value(Value::Object(json))
            .map_err(|e| invalid_input(py, vec![format!("not a sandbox fault: {e}")]))?;
        fault.validate().map_err(|problem| invalid_input(py, vec![problem]))?;
        self.with(py, |sandbox| sandbox.inject(fault))
    }

    /// Drops all queued faults.
    fn clear_faults(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, CoreSandbox::clear_faults)
    }

    /// Forgets instances, faults, the request log and the request count.
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, CoreSandbox::reset)
    }

    /// The stored instances in id order, as the create answered them (secrets unmasked).
    fn instances<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let instances = self.with(py, CoreSandbox::instances)?;
        json_list(py, &instances)
    }

    /// The last (at most 1000) API requests, oldest first, as dicts with `method`, `target`,
    /// `headers` (a list of `(name, value)` pairs) and `body` (bytes).
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let requests = self.with(py, CoreSandbox::requests)?;
        let list = PyList::empty(py);
        for request in requests {
            let dict = PyDict::new(py);
            dict.set_item("method", request.method)?;
            dict.set_item("target", request.target)?;
            dict.set_item("headers", request.headers)?;
            dict.set_item("body", PyBytes::new(py, &request.body))?;
            list.append(dict)?;
        }
        Ok(list)
    }

    /// Stops the server. Closing twice is fine.
    fn close(&self, py: Python<'_>) {
        let sandbox = lock(&self.sandbox).take();
        // Stopping joins the server's accept thread: let other Python threads run meanwhile.
        py.detach(move || drop(sandbox));
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    /// Stops the server; the exception, if any, propagates.
    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: &Bound<'_, PyAny>,
        _exc: &Bound<'_, PyAny>,
        _traceback: &Bound<'_, PyAny>,
    ) {
        self.close(py);
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let closed = if lock(&self.sandbox).is_none() { ", closed=True" } else { "" };
        Ok(format!("Sandbox(url={}{closed})", PyString::new(py, &self.url).repr()?))
    }
}

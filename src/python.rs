//! The Python module `cloud_elements._native` (cargo feature `python`, built by maturin).
//!
//! A thin layer: it converts Python arguments into the core's types, calls the core with the GIL
//! released, and converts results and [`Error`]s back. Validation, request building, decoding and
//! redaction all happen in the core. The public package is `bindings/python/cloud_elements`, which
//! re-exports what this module defines; `_native.pyi` there describes it for type checkers.

use std::borrow::Cow;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyRuntimeError, PyTimeoutError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple, PyType};
use serde_json::Value;

use cloud_elements_sandbox::{Fault, Sandbox as CoreSandbox};

use crate::{Client as CoreClient, ClientBuilder, Error, ErrorKind, Instance as CoreInstance, InstanceRequest};

/// Where the exceptions live for users (`__module__`), so tracebacks and pickling say
/// `cloud_elements.ApiError`, not the private native module.
const PACKAGE: &str = "cloud_elements";

// The exception hierarchy, defined once, here. `create_exception!` takes one base class; the four
// exceptions that are also built-in exceptions users already catch (orjson's convention) have two,
// so they are made by calling `type(name, bases, namespace)` once per process (`dual_base` below).
// Every attribute an exception carries has a class-level default (`None` or `()`), so an exception
// made by hand, e.g. `ApiError("boom")` in a user's test, answers it too.
create_exception!(
    cloud_elements,
    CloudElementsError,
    PyException,
    "Base class of the errors this package raises, except for two kinds that stay built-in, as usual in \
     Python: an argument of the wrong type raises `TypeError` (`OverflowError` for an int too large for \
     its parameter), and a `Sandbox` that cannot start raises `OSError`. Attribute: `instance_may_exist`, \
     true when a failed create may nevertheless have made the instance (look before creating again)."
);
create_exception!(
    cloud_elements,
    ApiError,
    CloudElementsError,
    "The server answered with an HTTP error status. Attributes: `status`, `message`, `request_id`, \
     `provider_message` (each `None` when the server did not say), `body` (secrets redacted), \
     `retry_after` (the server's `Retry-After` in seconds, or `None`)."
);
create_exception!(cloud_elements, AuthenticationError, ApiError, "HTTP 401: the user or organization secret is wrong.");
create_exception!(
    cloud_elements,
    RateLimitedError,
    ApiError,
    "HTTP 429 (or 503 with Retry-After): the server asks to wait longer than the client's retries \
     would. Attribute: `retry_after` (seconds, or `None`). Nothing was created."
);
create_exception!(cloud_elements, NotFoundError, ApiError, "HTTP 404: for a create, usually an unknown element key.");
create_exception!(
    cloud_elements,
    TransportError,
    CloudElementsError,
    "The exchange failed below HTTP (DNS, connect, TLS, reset, truncated answer). If the request was \
     sent, the instance may have been created."
);
create_exception!(
    cloud_elements,
    DecodeError,
    CloudElementsError,
    "The server's answer is not a usable response (not JSON, no instance token, too large). Attribute: \
     `status`."
);

static TIMEOUT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INVALID_INPUT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static MISSING_CONFIGURATION_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static CLOSED_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn timeout_error(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    dual_base(
        py,
        &TIMEOUT_ERROR,
        "TimeoutError",
        py.get_type::<PyTimeoutError>(),
        "A configured timeout ran out; also the built-in `TimeoutError`. If the request was sent, the \
         instance may have been created.",
        &[],
    )
}

fn invalid_input_error(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    dual_base(
        py,
        &INVALID_INPUT_ERROR,
        "InvalidInputError",
        py.get_type::<PyValueError>(),
        "An argument or setting is malformed (the request, the client settings, a sandbox fault); also a \
         `ValueError`. Nothing was sent. Attribute: `problems`, one sentence per problem, naming keys \
         and arguments, never values.",
        &[("problems", PyTuple::empty(py).into_any())],
    )
}

fn missing_configuration_error(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    dual_base(
        py,
        &MISSING_CONFIGURATION_ERROR,
        "MissingConfigurationError",
        py.get_type::<PyValueError>(),
        "Required configuration entries are missing or empty; also a `ValueError`. Nothing was sent. \
         Attributes: `element` (the element key), `missing` (entry names, in catalog order).",
        &[("element", py.None().into_bound(py)), ("missing", PyTuple::empty(py).into_any())],
    )
}

fn closed_error(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    dual_base(
        py,
        &CLOSED_ERROR,
        "ClosedError",
        py.get_type::<PyRuntimeError>(),
        "The client or the sandbox was closed before this call; also a `RuntimeError`.",
        &[],
    )
}

fn closed_err(py: Python<'_>, what: &str) -> PyErr {
    match closed_error(py) {
        Ok(class) => exception(class, format!("the {what} is closed"), &[]),
        Err(err) => err,
    }
}

/// `class <name>(CloudElementsError, <builtin>)` with class attributes `defaults`, created on first use.
fn dual_base<'a, 'py>(
    py: Python<'py>,
    cell: &'a PyOnceLock<Py<PyType>>,
    name: &str,
    builtin: Bound<'py, PyType>,
    doc: &str,
    defaults: &[(&str, Bound<'py, PyAny>)],
) -> PyResult<&'a Bound<'py, PyType>> {
    let class = cell.get_or_try_init(py, || {
        let bases = PyTuple::new(py, [py.get_type::<CloudElementsError>(), builtin])?;
        let namespace = PyDict::new(py);
        namespace.set_item("__module__", PACKAGE)?;
        namespace.set_item("__doc__", doc)?;
        for (attribute, value) in defaults {
            namespace.set_item(*attribute, value)?;
        }
        let class = py.get_type::<PyType>().call1((name, bases, namespace))?;
        Ok::<_, PyErr>(class.cast_into::<PyType>()?.unbind())
    })?;
    Ok(class.bind(py))
}

/// Raises `class(message)` with `attributes` set on the exception instance.
fn exception(class: &Bound<'_, PyType>, message: String, attributes: &[(&str, Bound<'_, PyAny>)]) -> PyErr {
    let made = class.call1((message,)).and_then(|value| {
        for (name, attribute) in attributes {
            value.setattr(*name, attribute)?;
        }
        Ok(value)
    });
    match made {
        Ok(value) => PyErr::from_value(value),
        Err(err) => err,
    }
}

/// Translates a core error: the class by the core's [`ErrorKind`], the message by its `Display`
/// (which never holds a secret), and the details as attributes of the exception.
fn to_py_err(py: Python<'_>, error: Error) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let class = match error.kind() {
            ErrorKind::InvalidInput => invalid_input_error(py)?.clone(),
            ErrorKind::MissingConfiguration => missing_configuration_error(py)?.clone(),
            ErrorKind::Unauthorized => py.get_type::<AuthenticationError>(),
            ErrorKind::NotFound => py.get_type::<NotFoundError>(),
            ErrorKind::RateLimited => py.get_type::<RateLimitedError>(),
            ErrorKind::Api => py.get_type::<ApiError>(),
            ErrorKind::Transport => py.get_type::<TransportError>(),
            ErrorKind::Timeout => timeout_error(py)?.clone(),
            ErrorKind::Decode => py.get_type::<DecodeError>(),
        };
        let message = error.to_string();
        let may_exist = error.instance_may_exist().into_pyobject(py)?.to_owned().into_any();
        let mut attributes = match error {
            Error::InvalidInput { problems } => vec![("problems", PyList::new(py, problems)?.into_any())],
            Error::MissingConfiguration { element, missing } => vec![
                ("element", PyString::new(py, &element).into_any()),
                ("missing", PyList::new(py, missing)?.into_any()),
            ],
            Error::Api(api) => vec![
                ("status", api.status.into_pyobject(py)?.into_any()),
                ("message", api.message.into_pyobject(py)?),
                ("request_id", api.request_id.into_pyobject(py)?),
                ("provider_message", api.provider_message.into_pyobject(py)?),
                ("body", PyString::new(py, &api.body).into_any()),
                ("retry_after", api.retry_after.map(|d| d.as_secs_f64()).into_pyobject(py)?),
            ],
            Error::Decode { status, .. } => vec![("status", status.into_pyobject(py)?.into_any())],
            Error::Transport { .. } | Error::Timeout { .. } => Vec::new(),
        };
        attributes.push(("instance_may_exist", may_exist));
        Ok(exception(&class, message, &attributes))
    })();
    made.unwrap_or_else(|err| err)
}

fn invalid_input(py: Python<'_>, problems: Vec<String>) -> PyErr {
    to_py_err(py, Error::InvalidInput { problems })
}

/// A lock whose holder never panics; a poisoned one is still consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `value` as Rust text. A `str` that is not valid Unicode (it holds a lone surrogate, which UTF-8
/// cannot encode) adds a problem naming `what`, never the value: the value may be a secret, and
/// the `UnicodeEncodeError` Python would raise quotes the whole string. The text then comes back
/// with U+FFFD in place of the surrogates, so that everything else can still be checked.
fn text(value: &Bound<'_, PyString>, what: &str, problems: &mut Vec<String>) -> String {
    match value.to_cow() {
        Ok(text) => text.into_owned(),
        Err(_) => {
            problems.push(format!("the {what} is not valid Unicode text"));
            value.to_string_lossy().into_owned()
        }
    }
}

fn seconds(what: &str, value: Option<f64>, problems: &mut Vec<String>) -> Option<Duration> {
    let value = value?;
    match Duration::try_from_secs_f64(value) {
        Ok(duration) => Some(duration),
        // Too many seconds for a `Duration`: the core refuses it with its own limit.
        Err(_) if value.is_finite() && value > 0.0 => Some(Duration::MAX),
        Err(_) => {
            problems.push(format!("the {what} must be a finite, non-negative number of seconds"));
            None
        }
    }
}

/// A Cloud Elements API client: holds the settings and one pool of kept-alive connections.
/// Share one between threads; every call releases the GIL while it waits on the network.
///
/// Keyword arguments, all optional: `user_secret`, `organization_secret`, `base_url` (else
/// `CLOUD_ELEMENTS_USER_SECRET`, `CLOUD_ELEMENTS_ORG_SECRET`, `CLOUD_ELEMENTS_BASE_URL`);
/// `timeout` and `connect_timeout` in seconds (60, 10); `retries` (2, at most 10, 0 for none) for
/// creates that certainly made nothing, spaced by `backoff` and `max_backoff` seconds (0.5, 8) or
/// the server's `Retry-After` (up to 60 s; longer raises `RateLimitedError`); `idempotent` (tag
/// each create and look it up after an ambiguous failure before sending again); `allow_insecure_http`
/// (plain `http://` to a host that is not loopback); `ca_bundle` (a PEM file of extra CAs, `str` or
/// path-like; else `CLOUD_ELEMENTS_CA_BUNDLE`); `max_response_bytes` (10 MB). `HTTPS_PROXY`,
/// `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` are read here, once; loopback never uses a proxy.
#[pyclass(module = "cloud_elements", name = "Client", frozen)]
struct PyClient {
    /// `None` once closed; calls clone the core client (an `Arc`) and drop the lock at once.
    client: Mutex<Option<CoreClient>>,
    base_url: String,
    timeout: f64,
    connect_timeout: f64,
}

impl PyClient {
    fn client(&self, py: Python<'_>) -> PyResult<CoreClient> {
        lock(&self.client).clone().ok_or_else(|| closed_err(py, "client"))
    }
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (
        *, user_secret=None, organization_secret=None, base_url=None, timeout=None, connect_timeout=None,
        retries=None, backoff=None, max_backoff=None, idempotent=false, allow_insecure_http=false, ca_bundle=None,
        max_response_bytes=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        user_secret: Option<&Bound<'_, PyString>>,
        organization_secret: Option<&Bound<'_, PyString>>,
        base_url: Option<&Bound<'_, PyString>>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        retries: Option<u32>,
        backoff: Option<f64>,
        max_backoff: Option<f64>,
        idempotent: bool,
        allow_insecure_http: bool,
        ca_bundle: Option<std::path::PathBuf>,
        max_response_bytes: Option<u64>,
    ) -> PyResult<Self> {
        let mut problems = Vec::new();
        let mut builder = ClientBuilder::default().from_env();
        if let Some(secret) = user_secret {
            builder = builder.user_secret(text(secret, "user secret", &mut problems));
        }
        if let Some(secret) = organization_secret {
            builder = builder.organization_secret(text(secret, "organization secret", &mut problems));
        }
        if let Some(url) = base_url {
            builder = builder.base_url(text(url, "base URL", &mut problems));
        }
        if let Some(timeout) = seconds("timeout", timeout, &mut problems) {
            builder = builder.timeout(timeout);
        }
        if let Some(timeout) = seconds("connect timeout", connect_timeout, &mut problems) {
            builder = builder.connect_timeout(timeout);
        }
        if let Some(retries) = retries {
            builder = builder.retries(retries);
        }
        let initial = seconds("backoff", backoff, &mut problems).unwrap_or(crate::retry::DEFAULT_BACKOFF);
        let max = seconds("max backoff", max_backoff, &mut problems).unwrap_or(crate::retry::DEFAULT_MAX_BACKOFF);
        builder = builder.backoff(initial, max).idempotent(idempotent).allow_insecure_http(allow_insecure_http);
        if let Some(path) = ca_bundle {
            builder = builder.ca_bundle(path);
        }
        if let Some(bytes) = max_response_bytes {
            builder = builder.max_response_bytes(bytes);
        }
        // Building may read the platform's certificate store: no need to hold the GIL for it.
        let client = match (py.detach(move || builder.build()), problems.is_empty()) {
            (Ok(client), true) => client,
            (Ok(_), false) => return Err(invalid_input(py, problems)),
            (Err(Error::InvalidInput { problems: more }), _) => {
                problems.extend(more);
                return Err(invalid_input(py, problems));
            }
            (Err(other), _) => return Err(to_py_err(py, other)),
        };
        Ok(PyClient {
            base_url: client.base_url().to_owned(),
            timeout: client.timeout().as_secs_f64(),
            connect_timeout: client.connect_timeout().as_secs_f64(),
            client: Mutex::new(Some(client)),
        })
    }

    /// Provisions an instance (`POST /instances`). Configuration values may be `str`, `bool`
    /// (sent as `"true"`/`"false"`) or `int` (sent as decimal text). Resent only when nothing was
    /// created (see `retries`) or, with `idempotent`, after a lookup found nothing; when an error's
    /// `instance_may_exist` is true the instance may exist nevertheless.
    #[pyo3(signature = (element_key, configuration, *, name, tags=None))]
    fn create_instance(
        &self,
        py: Python<'_>,
        element_key: &Bound<'_, PyString>,
        configuration: &Bound<'_, PyAny>,
        name: &Bound<'_, PyString>,
        tags: Option<Vec<Bound<'_, PyString>>>,
    ) -> PyResult<PyInstance> {
        let client = self.client(py)?;
        let mut problems = Vec::new();
        let mut request =
            InstanceRequest::new(text(element_key, "element key", &mut problems), text(name, "name", &mut problems));
        for (key, value) in configuration_entries(configuration, &mut problems)? {
            request.set_config(key, value);
        }
        for (i, tag) in tags.iter().flatten().enumerate() {
            request.add_tag(text(tag, &format!("tag at index {i}"), &mut problems));
        }
        if !problems.is_empty() {
            return Err(invalid_input(py, problems));
        }
        let instance = py.detach(move || client.create_instance(&request)).map_err(|e| to_py_err(py, e))?;
        PyInstance::new(py, instance)
    }

    /// The `Authorization` header value for calls on one instance:
    /// `User <user secret>, Organization <organization secret>, Element <token>`.
    fn authorization_header(&self, py: Python<'_>, token: &Bound<'_, PyString>) -> PyResult<String> {
        let client = self.client(py)?;
        let mut problems = Vec::new();
        let token = text(token, "instance token", &mut problems);
        if !problems.is_empty() {
            return Err(invalid_input(py, problems));
        }
        Ok(client.authorization_for(&token).expose().to_owned())
    }

    /// Releases the connection pool once calls in flight finish; later calls raise
    /// `ClosedError`. Closing twice is fine.
    fn close(&self) {
        lock(&self.client).take();
    }

    #[getter]
    fn closed(&self) -> bool {
        lock(&self.client).is_none()
    }

    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The overall timeout of one call, in seconds.
    #[getter]
    fn timeout(&self) -> f64 {
        self.timeout
    }

    /// The connect timeout, in seconds.
    #[getter]
    fn connect_timeout(&self) -> f64 {
        self.connect_timeout
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    /// Closes the client; the exception, if any, propagates.
    fn __exit__(&self, _exc_type: &Bound<'_, PyAny>, _exc: &Bound<'_, PyAny>, _traceback: &Bound<'_, PyAny>) {
        self.close();
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let closed = if self.closed() { ", closed=True" } else { "" };
        Ok(format!(
            "Client(base_url={}, timeout={}, connect_timeout={}{closed})",
            PyString::new(py, &self.base_url).repr()?,
            PyFloat::new(py, self.timeout).repr()?,
            PyFloat::new(py, self.connect_timeout).repr()?,
        ))
    }
}

/// Reads a mapping of configuration entries as text, adding a problem (naming the key, never the
/// value) for each entry that is not `str`, `bool` or `int`, or not valid Unicode text.
fn configuration_entries(
    configuration: &Bound<'_, PyAny>,
    problems: &mut Vec<String>,
) -> PyResult<Vec<(String, String)>> {
    let mapping = configuration
        .cast::<PyMapping>()
        .map_err(|_| PyTypeError::new_err("configuration must be a mapping of str to str, bool or int"))?;
    let mut entries = Vec::new();
    for item in mapping.items()?.iter() {
        let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let Ok(key) = key.cast::<PyString>() else {
            problems.push(format!("configuration keys must be str, not {}", key.get_type().name()?));
            continue;
        };
        let Ok(key) = key.to_cow().map(Cow::into_owned) else {
            problems.push("a configuration key is not valid Unicode text".to_owned());
            continue;
        };
        // bool before int: a Python bool is an int.
        let text = if let Ok(flag) = value.cast::<PyBool>() {
            Some(if flag.is_true() { "true" } else { "false" }.to_owned())
        } else if let Ok(value) = value.cast::<PyString>() {
            value.to_cow().ok().map(Cow::into_owned).or_else(|| {
                problems.push(format!("the value of configuration entry `{key}` is not valid Unicode text"));
                None
            })
        } else if value.is_instance_of::<PyInt>() {
            value.extract::<i128>().ok().map(|n| n.to_string()).or_else(|| {
                problems.push(format!("the value of configuration entry `{key}` is too large an integer"));
                None
            })
        } else {
            let kind = value.get_type().name()?;
            problems.push(format!("configuration entry `{key}` must be a str, bool or int, not {kind}"));
            None
        };
        if let Some(text) = text {
            entries.push((key, text));
        }
    }
    Ok(entries)
}

/// A provisioned instance, as the server described it.
#[pyclass(module = "cloud_elements", name = "Instance", frozen)]
struct PyInstance {
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
    fn new(py: Python<'_>, instance: CoreInstance) -> PyResult<Self> {
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
struct PySecret {
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
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.value.hash(&mut hasher);
        hasher.finish()
    }

    /// Secrets are not pickled: a pickle is a printable form of its contents.
    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err("a Secret cannot be pickled; pickle secret.get_secret_value() if you must"))
    }
}

/// JSON as Python objects: dicts (in the server's order), lists, str, int, float, bool, None.
fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            PyList::new(py, items.iter().map(|item| json_to_py(py, item)).collect::<PyResult<Vec<_>>>()?)?.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, json_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// A scalar keyword argument of `Sandbox.inject` as JSON.
fn field_to_json(name: &str, value: &Bound<'_, PyAny>, problems: &mut Vec<String>) -> PyResult<Value> {
    if value.is_none() {
        Ok(Value::Null)
    } else if let Ok(flag) = value.cast::<PyBool>() {
        Ok(Value::Bool(flag.is_true()))
    } else if value.is_instance_of::<PyInt>() {
        Ok(Value::from(value.extract::<i64>()?))
    } else if value.is_instance_of::<PyFloat>() {
        Ok(Value::from(value.extract::<f64>()?))
    } else if let Ok(value) = value.cast::<PyString>() {
        Ok(Value::String(text(value, &format!("fault field `{name}`"), problems)))
    } else {
        Err(PyTypeError::new_err(format!("fault field `{name}` must be a str, int, float, bool or None")))
    }
}

/// The embedded emulator of the instance API, on a free loopback port: for tests, no network.
/// With `tls=True` it serves HTTPS, its certificate signed by a CA made at start
/// (`ca_certificate_pem`).
#[pyclass(module = "cloud_elements", name = "Sandbox", frozen)]
struct PySandbox {
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

#[pymethods]
impl PySandbox {
    #[new]
    #[pyo3(signature = (*, user_secret=None, organization_secret=None, tls=false))]
    fn new(
        py: Python<'_>,
        user_secret: Option<&Bound<'_, PyString>>,
        organization_secret: Option<&Bound<'_, PyString>>,
        tls: bool,
    ) -> PyResult<Self> {
        let mut problems = Vec::new();
        let mut builder = CoreSandbox::builder().tls(tls);
        if let Some(secret) = user_secret {
            builder = builder.user_secret(text(secret, "user secret", &mut problems));
        }
        if let Some(secret) = organization_secret {
            builder = builder.organization_secret(text(secret, "organization secret", &mut problems));
        }
        if !problems.is_empty() {
            return Err(invalid_input(py, problems));
        }
        let sandbox = py.detach(move || builder.start()).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidInput => invalid_input(py, vec![e.to_string()]),
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
        if !problems.is_empty() {
            return Err(invalid_input(py, problems));
        }
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
        PyList::new(py, instances.iter().map(|i| json_to_py(py, i)).collect::<PyResult<Vec<_>>>()?)
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
            dict.set_item("body", pyo3::types::PyBytes::new(py, &request.body))?;
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

/// The native part of the `cloud_elements` package; import from `cloud_elements` instead.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", crate::VERSION)?;
    m.add_class::<PyClient>()?;
    m.add_class::<PyInstance>()?;
    m.add_class::<PySandbox>()?;
    m.add_class::<PySecret>()?;
    m.add("CloudElementsError", py.get_type::<CloudElementsError>())?;
    m.add("InvalidInputError", invalid_input_error(py)?)?;
    m.add("MissingConfigurationError", missing_configuration_error(py)?)?;
    m.add("ApiError", py.get_type::<ApiError>())?;
    m.add("AuthenticationError", py.get_type::<AuthenticationError>())?;
    m.add("NotFoundError", py.get_type::<NotFoundError>())?;
    m.add("RateLimitedError", py.get_type::<RateLimitedError>())?;
    m.add("TransportError", py.get_type::<TransportError>())?;
    m.add("TimeoutError", timeout_error(py)?)?;
    m.add("DecodeError", py.get_type::<DecodeError>())?;
    m.add("ClosedError", closed_error(py)?)?;
    // The class-level defaults of the attributes (see the exception hierarchy at the top).
    let none = py.None().into_bound(py);
    for attribute in ["status", "message", "request_id", "provider_message", "body", "retry_after"] {
        py.get_type::<ApiError>().setattr(attribute, &none)?;
    }
    // Whether a failed create may nevertheless have made the instance: look before creating again.
    py.get_type::<CloudElementsError>().setattr("instance_may_exist", false)?;
    py.get_type::<DecodeError>().setattr("status", &none)?;
    Ok(())
}

//! The translation of a core [`Error`] into the exceptions of `cloud_elements`. The exception
//! classes are defined once, in Python (`bindings/python/cloud_elements/_errors.py`); this module
//! imports them (once per process) and fills in their attributes.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyString, PyType};

use crate::error::{Error, ErrorKind, TimeoutKind, TransportKind};

/// The Python module that defines the exceptions.
const ERRORS_MODULE: &str = "cloud_elements._errors";

/// Every exception class, by name, as `_errors.py` defines them (and `_native` re-exports them).
const EXCEPTIONS: [&str; 16] = [
    "CloudElementsError",
    "InvalidInputError",
    "UnknownElementError",
    "MissingConfigurationError",
    "ApiError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitedError",
    "ServerError",
    "TransportError",
    "TimeoutError",
    "DecodeError",
    "ClosedError",
];

/// One exception class of `_errors.py`, imported on first use.
struct Class {
    name: &'static str,
    class: PyOnceLock<Py<PyType>>,
}

impl Class {
    const fn new(name: &'static str) -> Self {
        Class { name, class: PyOnceLock::new() }
    }

    fn get<'py>(&self, py: Python<'py>) -> PyResult<&Bound<'py, PyType>> {
        self.class.import(py, ERRORS_MODULE, self.name)
    }
}

static INVALID_INPUT: Class = Class::new("InvalidInputError");
static UNKNOWN_ELEMENT: Class = Class::new("UnknownElementError");
static MISSING_CONFIGURATION: Class = Class::new("MissingConfigurationError");
static API: Class = Class::new("ApiError");
static BAD_REQUEST: Class = Class::new("BadRequestError");
static AUTHENTICATION: Class = Class::new("AuthenticationError");
static PERMISSION_DENIED: Class = Class::new("PermissionDeniedError");
static NOT_FOUND: Class = Class::new("NotFoundError");
static CONFLICT: Class = Class::new("ConflictError");
static RATE_LIMITED: Class = Class::new("RateLimitedError");
static SERVER: Class = Class::new("ServerError");
static TRANSPORT: Class = Class::new("TransportError");
static TIMEOUT: Class = Class::new("TimeoutError");
static DECODE: Class = Class::new("DecodeError");
static CLOSED: Class = Class::new("ClosedError");

/// Adds every exception class of `_errors.py` to the module `m`. Importing `_errors.py` here,
/// when the native module loads, means a missing file fails the import at once, not a later call.
pub(super) fn add_exceptions(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let errors = m.py().import(ERRORS_MODULE)?;
    for name in EXCEPTIONS {
        m.add(name, errors.getattr(name)?)?;
    }
    Ok(())
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

/// `ClosedError`: the client or the sandbox (`what`) was closed before this call.
pub(super) fn closed_err(py: Python<'_>, what: &str) -> PyErr {
    match CLOSED.get(py) {
        Ok(class) => exception(class, format!("the {what} is closed"), &[]),
        Err(err) => err,
    }
}

/// The class of an [`Error::Api`] of kind [`ErrorKind::Api`] (a status with no kind of its own).
fn api_class(status: u16) -> &'static Class {
    match status {
        400 => &BAD_REQUEST,
        403 => &PERMISSION_DENIED,
        409 => &CONFLICT,
        500..=599 => &SERVER,
        _ => &API,
    }
}

/// The core's name of a transport failure.
fn transport_kind(kind: TransportKind) -> &'static str {
    match kind {
        TransportKind::Dns => "dns",
        TransportKind::Connect => "connect",
        TransportKind::Tls => "tls",
        TransportKind::Proxy => "proxy",
        TransportKind::Reset => "reset",
        TransportKind::Protocol => "protocol",
        TransportKind::Io => "io",
    }
}

/// The core's name of a timeout.
fn timeout_kind(kind: TimeoutKind) -> &'static str {
    match kind {
        TimeoutKind::Connect => "connect",
        TimeoutKind::Overall => "overall",
        TimeoutKind::Redirect => "redirect",
    }
}

/// Translates a core error: the class by the core's [`ErrorKind`] (and, for other API errors, by
/// the status), the message by its `Display` (which never holds a secret), and the details as
/// attributes of the exception.
pub(super) fn to_py_err(py: Python<'_>, error: Error) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let class = match error.kind() {
            ErrorKind::InvalidInput => &INVALID_INPUT,
            ErrorKind::UnknownElement => &UNKNOWN_ELEMENT,
            ErrorKind::MissingConfiguration => &MISSING_CONFIGURATION,
            ErrorKind::Unauthorized => &AUTHENTICATION,
            ErrorKind::NotFound => &NOT_FOUND,
            ErrorKind::RateLimited => &RATE_LIMITED,
            ErrorKind::Api => api_class(error.status().unwrap_or_default()),
            ErrorKind::Transport => &TRANSPORT,
            ErrorKind::Timeout => &TIMEOUT,
            ErrorKind::Decode => &DECODE,
        }
        .get(py)?;
        let message = error.to_string();
        let flag = |value: bool| value.into_pyobject(py).map(|b| b.to_owned().into_any());
        let may_exist = flag(error.instance_may_exist())?;
        let unknown = flag(error.outcome_unknown())?;
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
            Error::Transport { kind, .. } => vec![("kind", PyString::new(py, transport_kind(kind)).into_any())],
            Error::Timeout { kind, limit, .. } => vec![
                ("kind", PyString::new(py, timeout_kind(kind)).into_any()),
                ("limit", limit.as_secs_f64().into_pyobject(py)?.into_any()),
            ],
            Error::UnknownElement { key, suggestions } => vec![
                ("key", PyString::new(py, &key).into_any()),
                ("suggestions", PyList::new(py, suggestions)?.into_any()),
            ],
        };
        attributes.push(("instance_may_exist", may_exist));
        attributes.push(("outcome_unknown", unknown));
        Ok(exception(class, message, &attributes))
    })();
    made.unwrap_or_else(|err| err)
}

/// `InvalidInputError` with `problems`.
pub(super) fn invalid_input(py: Python<'_>, problems: Vec<String>) -> PyErr {
    to_py_err(py, Error::InvalidInput { problems })
}

/// `Ok` when there are no `problems`, else `InvalidInputError` naming them all.
pub(super) fn refuse_problems(py: Python<'_>, problems: Vec<String>) -> PyResult<()> {
    if problems.is_empty() { Ok(()) } else { Err(invalid_input(py, problems)) }
}

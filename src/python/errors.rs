//! The exception hierarchy of `cloud_elements`, and the translation of a core [`Error`] into it.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyRuntimeError, PyTimeoutError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};

use crate::error::{Error, ErrorKind};

/// Where the exceptions live for users (`__module__`), so tracebacks and pickling say
/// `cloud_elements.ApiError`, not the private native module.
const PACKAGE: &str = "cloud_elements";

// The exception hierarchy, defined once, here. `create_exception!` takes one base class; the four
// exceptions that are also built-in exceptions users already catch (orjson's convention) have two,
// so they are made by calling `type(name, bases, namespace)` once per process (`DualBase` below).
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

/// The class-level default of an exception attribute.
#[derive(Clone, Copy)]
enum ClassDefault {
    None,
    EmptyTuple,
}

/// `class <name>(CloudElementsError, <builtin>)` with class attributes `defaults`, created on first use.
struct DualBase {
    class: PyOnceLock<Py<PyType>>,
    name: &'static str,
    builtin: fn(Python<'_>) -> Bound<'_, PyType>,
    doc: &'static str,
    defaults: &'static [(&'static str, ClassDefault)],
}

static TIMEOUT_ERROR: DualBase = DualBase {
    class: PyOnceLock::new(),
    name: "TimeoutError",
    builtin: |py| py.get_type::<PyTimeoutError>(),
    doc: "A configured timeout ran out; also the built-in `TimeoutError`. If the request was sent, the \
          instance may have been created.",
    defaults: &[],
};

static INVALID_INPUT_ERROR: DualBase = DualBase {
    class: PyOnceLock::new(),
    name: "InvalidInputError",
    builtin: |py| py.get_type::<PyValueError>(),
    doc: "An argument or setting is malformed (the request, the client settings, a sandbox fault); also a \
          `ValueError`. Nothing was sent. Attribute: `problems`, one sentence per problem, naming keys \
          and arguments, never values.",
    defaults: &[("problems", ClassDefault::EmptyTuple)],
};

static MISSING_CONFIGURATION_ERROR: DualBase = DualBase {
    class: PyOnceLock::new(),
    name: "MissingConfigurationError",
    builtin: |py| py.get_type::<PyValueError>(),
    doc: "Required configuration entries are missing or empty; also a `ValueError`. Nothing was sent. \
          Attributes: `element` (the element key), `missing` (entry names, in catalog order).",
    defaults: &[("element", ClassDefault::None), ("missing", ClassDefault::EmptyTuple)],
};

static CLOSED_ERROR: DualBase = DualBase {
    class: PyOnceLock::new(),
    name: "ClosedError",
    builtin: |py| py.get_type::<PyRuntimeError>(),
    doc: "The client or the sandbox was closed before this call; also a `RuntimeError`.",
    defaults: &[],
};

impl DualBase {
    fn get<'py>(&self, py: Python<'py>) -> PyResult<&Bound<'py, PyType>> {
        let class = self.class.get_or_try_init(py, || {
            let bases = PyTuple::new(py, [py.get_type::<CloudElementsError>(), (self.builtin)(py)])?;
            let namespace = PyDict::new(py);
            namespace.set_item("__module__", PACKAGE)?;
            namespace.set_item("__doc__", self.doc)?;
            for &(attribute, default) in self.defaults {
                match default {
                    ClassDefault::None => namespace.set_item(attribute, py.None())?,
                    ClassDefault::EmptyTuple => namespace.set_item(attribute, PyTuple::empty(py))?,
                }
            }
            let class = py.get_type::<PyType>().call1((self.name, bases, namespace))?;
            Ok::<_, PyErr>(class.cast_into::<PyType>()?.unbind())
        })?;
        Ok(class.bind(py))
    }
}

/// Adds the exception classes to the module `m`, and sets the class-level defaults of the
/// attributes of those made by `create_exception!`.
pub(super) fn add_exceptions(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let dual = |class: &DualBase| class.get(py).and_then(|made| m.add(class.name, made));
    m.add("CloudElementsError", py.get_type::<CloudElementsError>())?;
    dual(&INVALID_INPUT_ERROR)?;
    dual(&MISSING_CONFIGURATION_ERROR)?;
    m.add("ApiError", py.get_type::<ApiError>())?;
    m.add("AuthenticationError", py.get_type::<AuthenticationError>())?;
    m.add("NotFoundError", py.get_type::<NotFoundError>())?;
    m.add("RateLimitedError", py.get_type::<RateLimitedError>())?;
    m.add("TransportError", py.get_type::<TransportError>())?;
    dual(&TIMEOUT_ERROR)?;
    m.add("DecodeError", py.get_type::<DecodeError>())?;
    dual(&CLOSED_ERROR)?;
    let none = py.None().into_bound(py);
    for attribute in ["status", "message", "request_id", "provider_message", "body", "retry_after"] {
        py.get_type::<ApiError>().setattr(attribute, &none)?;
    }
    // Whether a failed create may nevertheless have made the instance: look before creating again.
    py.get_type::<CloudElementsError>().setattr("instance_may_exist", false)?;
    py.get_type::<DecodeError>().setattr("status", &none)?;
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
    match CLOSED_ERROR.get(py) {
        Ok(class) => exception(class, format!("the {what} is closed"), &[]),
        Err(err) => err,
    }
}

/// Translates a core error: the class by the core's [`ErrorKind`], the message by its `Display`
/// (which never holds a secret), and the details as attributes of the exception.
pub(super) fn to_py_err(py: Python<'_>, error: Error) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let class = match error.kind() {
            ErrorKind::InvalidInput | ErrorKind::UnknownElement => INVALID_INPUT_ERROR.get(py)?.clone(),
            ErrorKind::MissingConfiguration => MISSING_CONFIGURATION_ERROR.get(py)?.clone(),
            ErrorKind::Unauthorized => py.get_type::<AuthenticationError>(),
            ErrorKind::NotFound => py.get_type::<NotFoundError>(),
            ErrorKind::RateLimited => py.get_type::<RateLimitedError>(),
            ErrorKind::Api => py.get_type::<ApiError>(),
            ErrorKind::Transport => py.get_type::<TransportError>(),
            ErrorKind::Timeout => TIMEOUT_ERROR.get(py)?.clone(),
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
            Error::Transport { .. } | Error::Timeout { .. } | Error::UnknownElement { .. } => Vec::new(),
        };
        attributes.push(("instance_may_exist", may_exist));
        Ok(exception(&class, message, &attributes))
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

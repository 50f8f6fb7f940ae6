//! Elements and OAuth for Python: `Client.element`, `Client.element_configuration`,
//! `Client.oauth_url` and the module function `receive_oauth_code`. Definitions come back as
//! dicts with the platform's own camelCase keys (`Element` and `SchemaEntry` in `_types.py`).

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde::Serialize;

use super::convert::{json_to_py, seconds, text};
use super::errors::{refuse_problems, to_py_err};
use super::verbs::detached;
use crate::{Client as CoreClient, Error, OAuthUrlRequest, oauth};

/// A definition (an element, or its schema entries) as Python dicts, in the platform's format.
fn to_py<'py>(py: Python<'py>, value: &impl Serialize) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(value)
        .map_err(|e| to_py_err(py, Error::invalid(format!("the element definition cannot be converted ({e})"))))?;
    json_to_py(py, &json)
}

/// An element key argument as text.
fn element_key(py: Python<'_>, key: &Bound<'_, PyString>) -> PyResult<String> {
    let mut problems = Vec::new();
    let key = text(key, "element key", &mut problems);
    refuse_problems(py, problems)?;
    Ok(key)
}

/// `Client.element`: the definition as an `Element` dict.
pub(super) fn element<'py>(
    py: Python<'py>,
    client: CoreClient,
    key: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyDict>> {
    let key = element_key(py, key)?;
    let definition = detached(py, move || client.element(&key))?;
    Ok(to_py(py, &definition)?.cast_into::<PyDict>()?)
}

/// `Client.element_configuration`: the schema as `SchemaEntry` dicts.
pub(super) fn element_configuration<'py>(
    py: Python<'py>,
    client: CoreClient,
    key: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyList>> {
    let key = element_key(py, key)?;
    let entries = detached(py, move || client.element_configuration(&key))?;
    Ok(to_py(py, &entries)?.cast_into::<PyList>()?)
}

/// The arguments of `Client.oauth_url`, as Python gives them.
pub(super) struct OAuthArgs<'a, 'py> {
    pub(super) element_key: &'a Bound<'py, PyString>,
    pub(super) api_key: &'a Bound<'py, PyString>,
    pub(super) api_secret: &'a Bound<'py, PyString>,
    pub(super) callback_url: &'a Bound<'py, PyString>,
    pub(super) scope: Option<&'a Bound<'py, PyString>>,
    pub(super) state: Option<&'a Bound<'py, PyString>>,
    pub(super) site_address: Option<&'a Bound<'py, PyString>>,
}

/// `Client.oauth_url`: the provider's authorization URL.
pub(super) fn oauth_url(py: Python<'_>, client: CoreClient, args: OAuthArgs<'_, '_>) -> PyResult<String> {
    let mut problems = Vec::new();
    let key = text(args.element_key, "element key", &mut problems);
    let mut request = OAuthUrlRequest::new(
        text(args.api_key, "OAuth API key", &mut problems),
        text(args.api_secret, "OAuth API secret", &mut problems),
        text(args.callback_url, "OAuth callback URL", &mut problems),
    );
    if let Some(scope) = args.scope {
        request = request.scope(text(scope, "OAuth scope", &mut problems));
    }
    if let Some(state) = args.state {
        request = request.state(text(state, "OAuth state", &mut problems));
    }
    if let Some(address) = args.site_address {
        request = request.site_address(text(address, "OAuth site address", &mut problems));
    }
    refuse_problems(py, problems)?;
    detached(py, move || client.oauth_url(&key, &request))
}

/// Waits on `callback_url` (a loopback `http://` URL with a port) for the OAuth provider's
/// redirect and returns its code: the `state` it carries must equal `state` (pass `None` only for
/// a provider that sends none), within `timeout` seconds. The browser gets a short page back. The
/// GIL is released while waiting. Raises `InvalidInputError` (a malformed URL, a wrong or missing
/// state, an error the provider sent instead of a code), `TimeoutError` of kind `"redirect"`,
/// `TransportError` (the port is busy).
#[pyfunction]
#[pyo3(signature = (callback_url, *, state, timeout))]
pub(super) fn receive_oauth_code(
    py: Python<'_>,
    callback_url: &Bound<'_, PyString>,
    state: Option<&Bound<'_, PyString>>,
    timeout: f64,
) -> PyResult<String> {
    let mut problems = Vec::new();
    let url = text(callback_url, "callback URL", &mut problems);
    let state = state.map(|state| text(state, "OAuth state", &mut problems));
    let timeout = seconds("timeout", Some(timeout), &mut problems).unwrap_or(Duration::ZERO);
    refuse_problems(py, problems)?;
    detached(py, move || oauth::receive_code(&url, state.as_deref(), timeout))
}

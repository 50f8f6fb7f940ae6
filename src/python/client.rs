//! `Client`: the Python face of the core [`CoreClient`], with its settings converted from
//! keyword arguments.

use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PyString};

use super::convert::{json_to_py, seconds, text};
use super::elements::{self, OAuthArgs};
use super::errors::{closed_err, invalid_input, refuse_problems, to_py_err};
use super::instance::PyInstance;
use super::lock;
use super::verbs::{self, CreateArgs};
use crate::retry::{DEFAULT_BACKOFF, DEFAULT_MAX_BACKOFF};
use crate::{Client as CoreClient, ClientBuilder, Error, Validation};

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
/// path-like; else `CLOUD_ELEMENTS_CA_BUNDLE`); `max_response_bytes` (10 MB); `validation`
/// (`"full"`, `"offline"` or `"off"`: what is checked before a create is sent). `HTTPS_PROXY`,
/// `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` are read here, once; loopback never uses a proxy.
#[pyclass(module = "cloud_elements", name = "Client", frozen)]
pub(super) struct PyClient {
    /// `None` once closed; calls clone the core client (an `Arc`) and drop the lock at once.
    client: Mutex<Option<CoreClient>>,
    base_url: String,
    timeout: f64,
    connect_timeout: f64,
    validation: &'static str,
}

impl PyClient {
    fn client(&self, py: Python<'_>) -> PyResult<CoreClient> {
        lock(&self.client).clone().ok_or_else(|| closed_err(py, "client"))
    }

    /// An instance token argument as text.
    fn token(&self, py: Python<'_>, token: &Bound<'_, PyString>) -> PyResult<String> {
        let mut problems = Vec::new();
        let token = text(token, "instance token", &mut problems);
        refuse_problems(py, problems)?;
        Ok(token)
    }
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (
        *, user_secret=None, organization_secret=None, base_url=None, timeout=None, connect_timeout=None,
        retries=None, backoff=None, max_backoff=None, idempotent=false, allow_insecure_http=false, ca_bundle=None,
        max_response_bytes=None, validation=None,
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
        ca_bundle: Option<PathBuf>,
        max_response_bytes: Option<u64>,
        validation: Option<&Bound<'_, PyString>>,
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
        let initial = seconds("backoff", backoff, &mut problems).unwrap_or(DEFAULT_BACKOFF);
        let max = seconds("max backoff", max_backoff, &mut problems).unwrap_or(DEFAULT_MAX_BACKOFF);
        builder = builder.backoff(initial, max).idempotent(idempotent).allow_insecure_http(allow_insecure_http);
        if let Some(path) = ca_bundle {
            builder = builder.ca_bundle(path);
        }
        if let Some(bytes) = max_response_bytes {
            builder = builder.max_response_bytes(bytes);
        }
        if let Some(mode) = validation {
            match text(mode, "validation mode", &mut problems).as_str() {
                "full" => builder = builder.validation(Validation::Full),
                "offline" => builder = builder.validation(Validation::Offline),
                "off" => builder = builder.validation(Validation::Off),
                _ => problems.push("the validation mode must be \"full\", \"offline\" or \"off\"".to_owned()),
            }
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
            validation: match client.validation() {
                Validation::Offline => "offline",
                Validation::Off => "off",
                _ => "full",
            },
            client: Mutex::new(Some(client)),
        })
    }

    /// Provisions an instance (`POST /instances`). Configuration values may be `str`, `bool`
    /// (sent as `"true"`/`"false"`) or `int` (sent as decimal text); `tags` any sequence of `str`;
    /// `oauth_code` the code of an OAuth element's redirect; `idempotency_key` a name for this
    /// create: an instance already made with it is returned instead of a second one. Resent only
    /// when nothing was created (see `retries`) or, with a key or `idempotent`, after a lookup
    /// found nothing; when an error's `instance_may_exist` is true the instance may exist.
    #[pyo3(signature = (element_key, configuration, *, name, tags=None, oauth_code=None, idempotency_key=None))]
    #[allow(clippy::too_many_arguments)]
    fn create_instance(
        &self,
        py: Python<'_>,
        element_key: &Bound<'_, PyString>,
        configuration: &Bound<'_, PyAny>,
        name: &Bound<'_, PyString>,
        tags: Option<&Bound<'_, PyAny>>,
        oauth_code: Option<&Bound<'_, PyString>>,
        idempotency_key: Option<&Bound<'_, PyString>>,
    ) -> PyResult<PyInstance> {
        let args = CreateArgs { element_key, configuration, name, tags, oauth_code, idempotency_key };
        let (client, request) = (self.client(py)?, args.request(py)?);
        PyInstance::new(py, client.clone(), verbs::detached(py, || client.create_instance(&request))?)
    }

    /// `create_instance`, with how it came by the instance: `(instance, "created")`, or
    /// `(instance, "already_existed")` when an instance with the `idempotency_key` existed.
    #[pyo3(signature = (element_key, configuration, *, name, tags=None, oauth_code=None, idempotency_key=None))]
    #[allow(clippy::too_many_arguments)]
    fn create_instance_outcome(
        &self,
        py: Python<'_>,
        element_key: &Bound<'_, PyString>,
        configuration: &Bound<'_, PyAny>,
        name: &Bound<'_, PyString>,
        tags: Option<&Bound<'_, PyAny>>,
        oauth_code: Option<&Bound<'_, PyString>>,
        idempotency_key: Option<&Bound<'_, PyString>>,
    ) -> PyResult<(PyInstance, &'static str)> {
        let args = CreateArgs { element_key, configuration, name, tags, oauth_code, idempotency_key };
        verbs::create_outcome(py, self.client(py)?, args)
    }

    /// Checks a create's arguments as `create_instance` does before sending, creating nothing
    /// (by the `validation` mode: may fetch the element's definition).
    #[pyo3(signature = (element_key, configuration, *, name, tags=None, oauth_code=None, idempotency_key=None))]
    #[allow(clippy::too_many_arguments)]
    fn validate_request(
        &self,
        py: Python<'_>,
        element_key: &Bound<'_, PyString>,
        configuration: &Bound<'_, PyAny>,
        name: &Bound<'_, PyString>,
        tags: Option<&Bound<'_, PyAny>>,
        oauth_code: Option<&Bound<'_, PyString>>,
        idempotency_key: Option<&Bound<'_, PyString>>,
    ) -> PyResult<()> {
        let args = CreateArgs { element_key, configuration, name, tags, oauth_code, idempotency_key };
        let (client, request) = (self.client(py)?, args.request(py)?);
        verbs::detached(py, move || client.validate_request(&request))
    }

    /// The instance created with idempotency key `key`, or `None`.
    fn find_instance_by_idempotency_key(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyString>,
    ) -> PyResult<Option<PyInstance>> {
        verbs::find_by_key(py, self.client(py)?, key)
    }

    /// Provisions an instance from the platform's instance JSON (`instance.json`): a `str`, or a
    /// dict in that shape (`element.key`, `name`, `configuration`, `tags`, `providerData`).
    fn create_instance_from_json(&self, py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<PyInstance> {
        verbs::create_from_json(py, self.client(py)?, source)
    }

    /// Lists instances (`GET /instances`) carrying every tag in `tags`, whose name contains
    /// `search_text`. A search that matches nothing is `[]`.
    #[pyo3(signature = (*, tags=None, search_text=None))]
    fn list_instances<'py>(
        &self,
        py: Python<'py>,
        tags: Option<&Bound<'py, PyAny>>,
        search_text: Option<&Bound<'py, PyString>>,
    ) -> PyResult<Bound<'py, PyList>> {
        verbs::list(py, self.client(py)?, tags, search_text)
    }

    /// One instance (`GET /instances/{id}`); an unknown id raises `NotFoundError`.
    fn get_instance(&self, py: Python<'_>, id: i64) -> PyResult<PyInstance> {
        let client = self.client(py)?;
        PyInstance::new(py, client.clone(), verbs::detached(py, || client.get_instance(id))?)
    }

    /// Changes an instance (`PATCH /instances/{id}`): what is given changes, tags are replaced,
    /// an `oauth_code` re-authenticates it. Returns the instance as the server answers it.
    #[pyo3(signature = (id, *, name=None, tags=None, configuration=None, oauth_code=None))]
    fn update_instance(
        &self,
        py: Python<'_>,
        id: i64,
        name: Option<&Bound<'_, PyString>>,
        tags: Option<&Bound<'_, PyAny>>,
        configuration: Option<&Bound<'_, PyAny>>,
        oauth_code: Option<&Bound<'_, PyString>>,
    ) -> PyResult<PyInstance> {
        verbs::update(py, self.client(py)?, id, name, tags, configuration, oauth_code)
    }

    /// Deletes an instance (`DELETE /instances/{id}`).
    fn delete_instance(&self, py: Python<'_>, id: i64) -> PyResult<()> {
        let client = self.client(py)?;
        verbs::detached(py, move || client.delete_instance(id))
    }

    /// Enables the instance whose token is `token` (`PUT /instances/enabled`).
    fn enable_instance(&self, py: Python<'_>, token: &Bound<'_, PyString>) -> PyResult<()> {
        let (client, token) = (self.client(py)?, self.token(py, token)?);
        verbs::detached(py, move || client.enable_instance(&token))
    }

    /// Disables the instance whose token is `token` (`DELETE /instances/enabled`): its calls
    /// raise `PermissionDeniedError` until it is enabled again.
    fn disable_instance(&self, py: Python<'_>, token: &Bound<'_, PyString>) -> PyResult<()> {
        let (client, token) = (self.client(py)?, self.token(py, token)?);
        verbs::detached(py, move || client.disable_instance(&token))
    }

    /// The platform's health check of one instance (`GET /hubs/{hub}/ping`), as JSON.
    fn ping<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyString>,
        hub: &Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, token) = (self.client(py)?, self.token(py, token)?);
        let mut problems = Vec::new();
        let hub = text(hub, "hub", &mut problems);
        refuse_problems(py, problems)?;
        json_to_py(py, &verbs::detached(py, move || client.ping(&token, &hub))?)
    }

    /// The configuration entries of an instance (`GET /instances/{id}/configuration`).
    fn instance_configuration<'py>(&self, py: Python<'py>, id: i64) -> PyResult<Bound<'py, PyList>> {
        verbs::configuration(py, self.client(py)?, id)
    }

    /// Changes one configuration entry of an instance; returns the entry as the server answers.
    fn update_instance_configuration<'py>(
        &self,
        py: Python<'py>,
        id: i64,
        key: &Bound<'py, PyString>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        verbs::update_configuration(py, self.client(py)?, id, key, value)
    }

    /// An element's definition (`GET /elements/{key}`), with the platform's camelCase keys.
    fn element<'py>(&self, py: Python<'py>, key: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyDict>> {
        elements::element(py, self.client(py)?, key)
    }

    /// An element's configuration schema (`GET /elements/{key}/configuration`).
    fn element_configuration<'py>(&self, py: Python<'py>, key: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyList>> {
        elements::element_configuration(py, self.client(py)?, key)
    }

    /// The provider's authorization URL of an OAuth element (`GET /elements/{key}/oauth/url`).
    #[pyo3(signature = (element_key, *, api_key, api_secret, callback_url, scope=None, state=None, site_address=None))]
    #[allow(clippy::too_many_arguments)]
    fn oauth_url(
        &self,
        py: Python<'_>,
        element_key: &Bound<'_, PyString>,
        api_key: &Bound<'_, PyString>,
        api_secret: &Bound<'_, PyString>,
        callback_url: &Bound<'_, PyString>,
        scope: Option<&Bound<'_, PyString>>,
        state: Option<&Bound<'_, PyString>>,
        site_address: Option<&Bound<'_, PyString>>,
    ) -> PyResult<String> {
        let args = OAuthArgs { element_key, api_key, api_secret, callback_url, scope, state, site_address };
        elements::oauth_url(py, self.client(py)?, args)
    }

    /// The `Authorization` header value for calls on one instance:
    /// `User <user secret>, Organization <organization secret>, Element <token>`.
    fn authorization_header(&self, py: Python<'_>, token: &Bound<'_, PyString>) -> PyResult<String> {
        let (client, token) = (self.client(py)?, self.token(py, token)?);
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

    /// The validation mode: `"full"`, `"offline"` or `"off"`.
    #[getter]
    fn validation(&self) -> &'static str {
        self.validation
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

//! The instance verbs of `Client` that need more than one line of conversion: each turns Python
//! arguments into the core's request, makes one core call with the GIL released, and converts
//! the result. `client.rs` holds the methods themselves.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use super::convert::{config_text, configuration_entries, tag_list, text};
use super::errors::{refuse_problems, to_py_err};
use super::instance::{PyInstance, entry_to_py};
use crate::{Client as CoreClient, Error, InstanceFilter, InstanceRequest, InstanceUpdate};

/// Runs `call` with the GIL released, translating its error.
pub(super) fn detached<T: Send>(py: Python<'_>, call: impl FnOnce() -> Result<T, Error> + Send) -> PyResult<T> {
    py.detach(call).map_err(|e| to_py_err(py, e))
}

/// The arguments of `create_instance` (and of `create_instance_outcome` and `validate_request`),
/// as Python gives them.
pub(super) struct CreateArgs<'a, 'py> {
    pub(super) element_key: &'a Bound<'py, PyString>,
    pub(super) configuration: &'a Bound<'py, PyAny>,
    pub(super) name: &'a Bound<'py, PyString>,
    pub(super) tags: Option<&'a Bound<'py, PyAny>>,
    pub(super) oauth_code: Option<&'a Bound<'py, PyString>>,
    pub(super) idempotency_key: Option<&'a Bound<'py, PyString>>,
}

impl CreateArgs<'_, '_> {
    /// The core's request, every problem of the arguments reported at once.
    pub(super) fn request(&self, py: Python<'_>) -> PyResult<InstanceRequest> {
        let mut problems = Vec::new();
        let mut request = InstanceRequest::new(
            text(self.element_key, "element key", &mut problems),
            text(self.name, "name", &mut problems),
        );
        for (key, value) in configuration_entries(self.configuration, &mut problems)? {
            request.set_config(key, value);
        }
        for tag in tag_list(self.tags, &mut problems)?.into_iter().flatten() {
            request.add_tag(tag);
        }
        if let Some(code) = self.oauth_code {
            request = request.oauth_code(text(code, "OAuth code", &mut problems));
        }
        if let Some(key) = self.idempotency_key {
            request.set_idempotency_key(text(key, "idempotency key", &mut problems));
        }
        refuse_problems(py, problems)?;
        Ok(request)
    }
}

/// `create_instance_outcome`: the instance, and `"created"` or `"already_existed"`.
pub(super) fn create_outcome(
    py: Python<'_>,
    client: CoreClient,
    args: CreateArgs<'_, '_>,
) -> PyResult<(PyInstance, &'static str)> {
    let request = args.request(py)?;
    let (instance, outcome) = detached(py, || client.create_instance_outcome(&request))?;
    let outcome = if outcome.is_created() { "created" } else { "already_existed" };
    Ok((PyInstance::new(py, client.clone(), instance)?, outcome))
}

/// `find_instance_by_idempotency_key`: the instance created with `key`, if any.
pub(super) fn find_by_key(
    py: Python<'_>,
    client: CoreClient,
    key: &Bound<'_, PyString>,
) -> PyResult<Option<PyInstance>> {
    let mut problems = Vec::new();
    let key = text(key, "idempotency key", &mut problems);
    refuse_problems(py, problems)?;
    match detached(py, || client.find_instance_by_idempotency_key(&key))? {
        Some(instance) => Ok(Some(PyInstance::new(py, client.clone(), instance)?)),
        None => Ok(None),
    }
}

/// `create_instance_from_json`: the request from an `instance.json` text, or from a dict (sent
/// through `json.dumps` first), read by the core's [`InstanceRequest::from_json`].
pub(super) fn create_from_json(py: Python<'_>, client: CoreClient, source: &Bound<'_, PyAny>) -> PyResult<PyInstance> {
    let mut problems = Vec::new();
    let json = match source.cast::<PyString>() {
        Ok(json) => text(json, "instance JSON", &mut problems),
        Err(_) => {
            let dumped = py.import("json")?.call_method1("dumps", (source,))?;
            text(dumped.cast::<PyString>()?, "instance JSON", &mut problems)
        }
    };
    refuse_problems(py, problems)?;
    let request = InstanceRequest::from_json(&json).map_err(|e| to_py_err(py, e))?;
    let instance = detached(py, || client.create_instance(&request))?;
    PyInstance::new(py, client.clone(), instance)
}

/// `list_instances`: the instances carrying every tag in `tags` whose name contains `search_text`.
pub(super) fn list<'py>(
    py: Python<'py>,
    client: CoreClient,
    tags: Option<&Bound<'py, PyAny>>,
    search_text: Option<&Bound<'py, PyString>>,
) -> PyResult<Bound<'py, PyList>> {
    let mut problems = Vec::new();
    let mut filter = InstanceFilter::new();
    for tag in tag_list(tags, &mut problems)?.into_iter().flatten() {
        filter = filter.tag(tag);
    }
    if let Some(search) = search_text {
        filter = filter.search_text(text(search, "search text", &mut problems));
    }
    refuse_problems(py, problems)?;
    let instances = detached(py, || client.list_instances(&filter))?;
    let list = PyList::empty(py);
    for instance in instances {
        list.append(PyInstance::new(py, client.clone(), instance)?)?;
    }
    Ok(list)
}

/// `update_instance`: what is given changes; tags are replaced.
pub(super) fn update(
    py: Python<'_>,
    client: CoreClient,
    id: i64,
    name: Option<&Bound<'_, PyString>>,
    tags: Option<&Bound<'_, PyAny>>,
    configuration: Option<&Bound<'_, PyAny>>,
    oauth_code: Option<&Bound<'_, PyString>>,
) -> PyResult<PyInstance> {
    let mut problems = Vec::new();
    let mut update = InstanceUpdate::new();
    if let Some(name) = name {
        update = update.name(text(name, "name", &mut problems));
    }
    if let Some(tags) = tag_list(tags, &mut problems)? {
        update = update.tags(tags);
    }
    if let Some(configuration) = configuration.filter(|c| !c.is_none()) {
        for (key, value) in configuration_entries(configuration, &mut problems)? {
            update = update.config(key, value);
        }
    }
    if let Some(code) = oauth_code {
        update = update.oauth_code(text(code, "OAuth code", &mut problems));
    }
    refuse_problems(py, problems)?;
    let instance = detached(py, || client.update_instance(id, &update))?;
    PyInstance::new(py, client.clone(), instance)
}

/// `instance_configuration`: the entries as `ConfigurationEntry` dicts.
pub(super) fn configuration(py: Python<'_>, client: CoreClient, id: i64) -> PyResult<Bound<'_, PyList>> {
    let entries = detached(py, move || client.instance_configuration(id))?;
    let list = PyList::empty(py);
    for entry in &entries {
        list.append(entry_to_py(py, entry)?)?;
    }
    Ok(list)
}

/// `update_instance_configuration`: one entry's new value (`str`, `bool` or `int`).
pub(super) fn update_configuration<'py>(
    py: Python<'py>,
    client: CoreClient,
    id: i64,
    key: &Bound<'py, PyString>,
    value: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut problems = Vec::new();
    let key = text(key, "configuration key", &mut problems);
    let value = config_text(&key, value, &mut problems)?;
    refuse_problems(py, problems)?;
    let value = value.unwrap_or_default();
    let entry = detached(py, move || client.update_instance_configuration(id, &key, &value))?;
    entry_to_py(py, &entry)
}

//! Conversions between Python arguments and results and the core's types. A value that cannot be
//! converted adds a problem naming the argument or key, never the value (it may be a secret), so
//! that every problem of a call is reported at once.

use std::borrow::Cow;
use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString};
use serde_json::Value;

/// `value` as Rust text. A `str` that is not valid Unicode (it holds a lone surrogate, which UTF-8
/// cannot encode) adds a problem naming `what`, never the value: the value may be a secret, and
/// the `UnicodeEncodeError` Python would raise quotes the whole string. The text then comes back
/// with U+FFFD in place of the surrogates, so that everything else can still be checked.
pub(super) fn text(value: &Bound<'_, PyString>, what: &str, problems: &mut Vec<String>) -> String {
    match value.to_cow() {
        Ok(text) => text.into_owned(),
        Err(_) => {
            problems.push(format!("the {what} is not valid Unicode text"));
            value.to_string_lossy().into_owned()
        }
    }
}

/// A number of seconds (`what`) as a [`Duration`]; `None` when absent or refused.
pub(super) fn seconds(what: &str, value: Option<f64>, problems: &mut Vec<String>) -> Option<Duration> {
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

/// Reads a mapping of configuration entries as text, adding a problem (naming the key, never the
/// value) for each entry that is not `str`, `bool` or `int`, or not valid Unicode text.
pub(super) fn configuration_entries(
    configuration: &Bound<'_, PyAny>,
    problems: &mut Vec<String>,
) -> PyResult<Vec<(String, String)>> {
    let mut entries = Vec::new();
    // A dict (the usual case) is read in place; another mapping through its `items()`.
    if let Ok(dict) = configuration.cast::<PyDict>() {
        for (key, value) in dict.iter() {
            config_entry(&key, &value, &mut entries, problems)?;
        }
        return Ok(entries);
    }
    let mapping = configuration
        .cast::<PyMapping>()
        .map_err(|_| PyTypeError::new_err("configuration must be a mapping of str to str, bool or int"))?;
    for item in mapping.items()?.iter() {
        let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        config_entry(&key, &value, &mut entries, problems)?;
    }
    Ok(entries)
}

/// One configuration entry of [`configuration_entries`], added to `entries` when it converts.
fn config_entry(
    key: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    entries: &mut Vec<(String, String)>,
    problems: &mut Vec<String>,
) -> PyResult<()> {
    let Ok(key) = key.cast::<PyString>() else {
        problems.push(format!("configuration keys must be str, not {}", key.get_type().name()?));
        return Ok(());
    };
    let Ok(key) = key.to_cow().map(Cow::into_owned) else {
        problems.push("a configuration key is not valid Unicode text".to_owned());
        return Ok(());
    };
    if let Some(text) = config_text(&key, value, problems)? {
        entries.push((key, text));
    }
    Ok(())
}

/// A configuration value (`str`, `bool` sent as `"true"`/`"false"`, or `int` sent as decimal
/// text) as text; `None`, with a problem naming `key`, when it is none of those.
pub(super) fn config_text(key: &str, value: &Bound<'_, PyAny>, problems: &mut Vec<String>) -> PyResult<Option<String>> {
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
    Ok(text)
}

/// `tags` (any iterable of `str`, but not a bare `str`) as text; `None` when not given.
pub(super) fn tag_list(tags: Option<&Bound<'_, PyAny>>, problems: &mut Vec<String>) -> PyResult<Option<Vec<String>>> {
    let Some(tags) = tags.filter(|tags| !tags.is_none()) else {
        return Ok(None);
    };
    if tags.is_instance_of::<PyString>() || tags.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err("tags must be a sequence of str, not a single str"));
    }
    let items = tags.try_iter().map_err(|_| PyTypeError::new_err("tags must be a sequence of str"))?;
    let mut list = Vec::new();
    for (i, item) in items.enumerate() {
        let item = item?;
        let Ok(tag) = item.cast::<PyString>() else {
            let kind = item.get_type().name()?;
            return Err(PyTypeError::new_err(format!("the tag at index {i} must be a str, not {kind}")));
        };
        // The label is made only for a problem: this runs for every tag of every create.
        match tag.to_cow() {
            Ok(tag) => list.push(tag.into_owned()),
            Err(_) => list.push(text(tag, &format!("tag at index {i}"), problems)),
        }
    }
    Ok(Some(list))
}

/// JSON as Python objects: dicts (in the server's order), lists, str, int, float, bool, None.
pub(super) fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => json_list(py, items)?.into_any(),
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, json_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// JSON values as a Python list of their [`json_to_py`] forms.
pub(super) fn json_list<'py>(py: Python<'py>, items: &[Value]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, items.iter().map(|item| json_to_py(py, item)).collect::<PyResult<Vec<_>>>()?)
}

/// A scalar keyword argument of `Sandbox.inject` as JSON.
pub(super) fn field_to_json(name: &str, value: &Bound<'_, PyAny>, problems: &mut Vec<String>) -> PyResult<Value> {
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

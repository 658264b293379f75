//! Python values <-> JSON values, for wrappers whose Rust types are serde structs.
//!
//! Results go back through Python's own `json.loads` of serde_json's text, so
//! struct field order survives without serde_json's `preserve_order`
//! feature (which would change monolith-rs's behaviour; see bindings.toml).

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Number, Value};

use crate::errors;

/// A Python value as JSON: None, bool, int (i64/u64), finite float, str, bytes (as a list of
/// byte values, like Python's dataclasses_json), list/tuple, dict with str keys.
pub fn to_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(i) = value.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = value.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(PyOverflowError::new_err(format!(
            "int {value} does not fit in 64 bits"
        )));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyValueError::new_err(format!("{value} has no JSON form")));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Value::String(s.to_str()?.to_owned()));
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(Value::Array(
            b.as_bytes().iter().map(|&x| Value::from(x)).collect(),
        ));
    }
    if let Ok(d) = value.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                return Err(PyTypeError::new_err(format!(
                    "dict keys must be str, not {}",
                    k.get_type().name()?
                )));
            };
            let key = key.to_str()?.to_owned();
            map.insert(key, to_json(&v)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = value.cast::<PyList>() {
        return l
            .iter()
            .map(|v| to_json(&v))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    if let Ok(t) = value.cast::<PyTuple>() {
        return t
            .iter()
            .map(|v| to_json(&v))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    Err(PyTypeError::new_err(format!(
        "cannot pass a {} to monolith-rs: use None, bool, int, float, str, bytes, list or dict",
        value.get_type().name()?
    )))
}

/// Build a Rust struct the way Python builds the dataclass: its `Default`, then the given fields.
///
/// Unknown field names raise TypeError (as the dataclass `__init__` does); a value
/// the Rust field cannot hold raises `UnsupportedByPort`.
pub fn build<T: Default + Serialize + DeserializeOwned>(
    type_name: &str,
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<T> {
    let mut map = match serde_json::to_value(T::default()).map_err(errors::serde_json)? {
        Value::Object(map) => map,
        other => {
            return Err(PyTypeError::new_err(format!(
                "{type_name} is not a struct: {other}"
            )))
        }
    };
    if let Some(fields) = fields {
        for (k, v) in fields.iter() {
            let key: String = k.extract()?;
            if !map.contains_key(&key) {
                return Err(PyTypeError::new_err(format!(
                    "{type_name}.__init__() got an unexpected keyword argument '{key}'"
                )));
            }
            map.insert(key, to_json(&v)?);
        }
    }
    serde_json::from_value(Value::Object(map)).map_err(|e| {
        errors::unsupported(format!(
            "the Rust {type_name} cannot hold these fields: {e}"
        ))
    })
}

/// A serde value as a Python object, through `json.loads` (keeps struct field order).
pub fn to_python<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(errors::serde_json)?;
    py.import("json")?.call_method1("loads", (text,))
}

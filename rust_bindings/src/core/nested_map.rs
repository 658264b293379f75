//! `monolith/core/py_utils.py` (`NestedMap`) -> `monolith_core::nested_map`.
//!
//! A NestedMap crosses as a Python tree: a `dict` is a `NestedValue::Map` (built key by key with
//! `NestedMap::insert`, which checks each key as `NestedMap(...)` / `__setitem__` do in Python),
//! a `list` a `NestedValue::List`, anything else a `NestedValue::Value` leaf holding the Python
//! object itself (its `Debug` is Python's `str()`, what `DebugString` prints).  Results come back
//! the same way: maps as dicts in the Rust map's order, leaves as the very objects given.
//! Callables given to `transform` / `filter` are called on what the Rust method hands them: a
//! leaf's object, or a map / list converted as above.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use monolith_core::nested_map::{NestedMap, NestedValue};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::errors;

/// A Python object as a NestedMap leaf.
struct PyLeaf(Py<PyAny>);

impl fmt::Debug for PyLeaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = Python::attach(|py| match self.0.bind(py).str() {
            Ok(s) => s.to_string(),
            Err(_) => "<str() failed>".to_string(),
        });
        f.write_str(&text)
    }
}

fn to_value(value: &Bound<'_, PyAny>) -> PyResult<NestedValue> {
    if value.is_exact_instance_of::<PyDict>() {
        return Ok(NestedValue::Map(to_map(value.cast::<PyDict>()?)?));
    }
    if value.is_exact_instance_of::<PyList>() {
        let items = value.cast::<PyList>()?.iter().map(|v| to_value(&v)).collect::<PyResult<_>>()?;
        return Ok(NestedValue::List(items));
    }
    Ok(NestedValue::Value(Arc::new(PyLeaf(value.clone().unbind()))))
}

fn to_map(dict: &Bound<'_, PyDict>) -> PyResult<NestedMap> {
    let mut map = NestedMap::new();
    for (k, v) in dict.iter() {
        let Ok(key) = k.cast::<PyString>() else {
            return Err(errors::unsupported(format!(
                "NestedMap keys are &str; got a {} key",
                k.get_type().name()?
            )));
        };
        let value = to_value(&v)?;
        map.insert(key.to_str()?, value).map_err(errors::core)?;
    }
    Ok(map)
}

fn from_value<'py>(py: Python<'py>, value: &NestedValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        NestedValue::Map(map) => from_map(py, map)?.into_any(),
        NestedValue::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(from_value(py, item)?)?;
            }
            list.into_any()
        }
        NestedValue::Value(leaf) => match leaf.as_any().downcast_ref::<PyLeaf>() {
            Some(PyLeaf(obj)) => obj.bind(py).clone(),
            None => return Err(errors::unsupported(format!("a leaf the bindings did not create: {leaf:?}"))),
        },
    })
}

fn from_map<'py>(py: Python<'py>, map: &NestedMap) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for key in keys_of(map) {
        let value = map
            .get(&key)
            .ok_or_else(|| errors::unsupported(format!("NestedMap Debug listed a key {key:?} that get() lacks")))?;
        dict.set_item(key, from_value(py, value)?)?;
    }
    Ok(dict)
}

/// A leaf whose `Debug` is `0`, so a transformed map's `Debug` holds nothing but its structure.
#[derive(Debug)]
struct Zero;

/// The top-level keys of a map, in the map's own order.
///
/// `NestedMap` has no key iterator; its `Debug` is `debug_map` over its entries in order. Every
/// leaf is first replaced by [`Zero`] (`transform`), which leaves `{`, `}`, `[`, `]`, `,`, `:`,
/// `0` and the quoted keys -- which `insert` / `set` only accept as `[A-Za-z_][A-Za-z0-9_]*`,
/// so they need no unescaping. The keys are the quoted strings at depth 1.
fn keys_of(map: &NestedMap) -> Vec<String> {
    let zeroed = map.transform(|_| NestedValue::Value(Arc::new(Zero)));
    let text = format!("{zeroed:?}");
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            '"' => {
                let key: String = chars.by_ref().take_while(|&c| c != '"').collect();
                if depth == 1 {
                    keys.push(key);
                }
            }
            _ => {}
        }
    }
    keys
}

/// Calls a Python predicate / function from inside a Rust closure; the first Python error is kept
/// and raised once the Rust method returns (the closure itself cannot fail).
struct Callback<'py> {
    py: Python<'py>,
    function: Bound<'py, PyAny>,
    error: RefCell<Option<PyErr>>,
}

impl<'py> Callback<'py> {
    fn new(function: &Bound<'py, PyAny>) -> Self {
        Self { py: function.py(), function: function.clone(), error: RefCell::new(None) }
    }

    fn call(&self, args: impl FnOnce(Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>>) -> Option<Bound<'py, PyAny>> {
        if self.error.borrow().is_some() {
            return None;
        }
        let result = args(self.py).and_then(|a| self.function.call1(pyo3::types::PyTuple::new(self.py, a)?));
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                *self.error.borrow_mut() = Some(e);
                None
            }
        }
    }

    fn truth(&self, args: impl FnOnce(Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>>) -> bool {
        let Some(v) = self.call(args) else { return false };
        match v.is_truthy() {
            Ok(b) => b,
            Err(e) => {
                *self.error.borrow_mut() = Some(e);
                false
            }
        }
    }

    fn finish<T>(self, value: T) -> PyResult<T> {
        match self.error.into_inner() {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}

/// `NestedMap(tree)` / `NestedMap.FromNestedDict(tree)`: the map the Rust side builds from it.
#[pyfunction]
fn nested_map_from<'py>(py: Python<'py>, tree: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyDict>> {
    let map = to_map(tree)?;
    from_map(py, &NestedMap::from_nested(NestedValue::Map(map)).as_map()?)
}

trait AsMap {
    fn as_map(&self) -> PyResult<NestedMap>;
}

impl AsMap for NestedValue {
    fn as_map(&self) -> PyResult<NestedMap> {
        match self {
            NestedValue::Map(m) => Ok(m.clone()),
            other => Err(errors::unsupported(format!("from_nested returned a non-map {other:?}"))),
        }
    }
}

/// `NestedMap.CheckKey(key)`.
#[pyfunction]
fn nested_map_check_key(key: &str) -> PyResult<()> {
    NestedMap::check_key(key).map_err(errors::core)
}

/// `m.Flatten()`.
#[pyfunction]
fn nested_map_flatten<'py>(py: Python<'py>, tree: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyList>> {
    let map = to_map(tree)?;
    let out = PyList::empty(py);
    for value in map.flatten() {
        out.append(from_value(py, &value)?)?;
    }
    Ok(out)
}

/// `m.FlattenItems()`: `[(key, value), ...]`.
#[pyfunction]
fn nested_map_flatten_items<'py>(py: Python<'py>, tree: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyList>> {
    let map = to_map(tree)?;
    let out = PyList::empty(py);
    for (key, value) in map.flatten_items() {
        out.append((key, from_value(py, &value)?))?;
    }
    Ok(out)
}

/// `m.Pack(lst)`.
#[pyfunction]
fn nested_map_pack<'py>(py: Python<'py>, tree: &Bound<'py, PyDict>, lst: &Bound<'py, PyList>) -> PyResult<Bound<'py, PyDict>> {
    let map = to_map(tree)?;
    let values = lst.iter().map(|v| to_value(&v)).collect::<PyResult<Vec<_>>>()?;
    let packed = map.pack(values).map_err(errors::core)?;
    from_map(py, &packed)
}

/// `m.Transform(fn)`.
#[pyfunction]
fn nested_map_transform<'py>(py: Python<'py>, tree: &Bound<'py, PyDict>, function: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let map = to_map(tree)?;
    let callback = Callback::new(function);
    let out = map.transform(|v| {
        let result = callback.call(|py| Ok(vec![from_value(py, v)?]));
        match result.map(|r| to_value(&r)) {
            Some(Ok(value)) => value,
            Some(Err(e)) => {
                *callback.error.borrow_mut() = Some(e);
                v.clone()
            }
            None => v.clone(),
        }
    });
    let out = callback.finish(out)?;
    from_map(py, &out)
}

/// `m.Filter(fn)`.
#[pyfunction]
fn nested_map_filter<'py>(py: Python<'py>, tree: &Bound<'py, PyDict>, function: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let map = to_map(tree)?;
    let callback = Callback::new(function);
    let out = map.filter(|v| callback.truth(|py| Ok(vec![from_value(py, v)?])));
    let out = callback.finish(out)?;
    from_map(py, &out)
}

/// `m.FilterKeyVal(fn)`: `fn(key, value)`.
#[pyfunction]
fn nested_map_filter_key_val<'py>(py: Python<'py>, tree: &Bound<'py, PyDict>, function: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let map = to_map(tree)?;
    let callback = Callback::new(function);
    let out = map.filter_key_val(|k, v| callback.truth(|py| Ok(vec![PyString::new(py, k).into_any(), from_value(py, v)?])));
    let out = callback.finish(out)?;
    from_map(py, &out)
}

/// `m.IsCompatible(other)`.
#[pyfunction]
fn nested_map_is_compatible(tree: &Bound<'_, PyDict>, other: &Bound<'_, PyDict>) -> PyResult<bool> {
    Ok(to_map(tree)?.is_compatible(&to_map(other)?))
}

/// `m.GetItem(key)`.
#[pyfunction]
fn nested_map_get_item<'py>(py: Python<'py>, tree: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    let map = to_map(tree)?;
    let value = map.get_item(key).map_err(errors::core)?;
    from_value(py, value)
}

/// `m.Get(key, default=None)`: Rust `get_or_none` has no default, so only `default=None` is expressible.
#[pyfunction]
#[pyo3(signature = (tree, key, default=None))]
fn nested_map_get<'py>(py: Python<'py>, tree: &Bound<'py, PyDict>, key: &str, default: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    if default.is_some_and(|d| !d.is_none()) {
        return Err(errors::unsupported("NestedMap::get_or_none has no default value"));
    }
    let map = to_map(tree)?;
    match map.get_or_none(key) {
        Some(value) => from_value(py, value),
        None => Ok(py.None().into_bound(py)),
    }
}

/// `m.Set(key, value)`; returns the map after the call (also when it raised: Python's `Set`
/// may have created intermediate maps by then, and so may Rust's).
#[pyfunction]
fn nested_map_set<'py>(py: Python<'py>, tree: &Bound<'py, PyDict>, key: &str, value: &Bound<'py, PyAny>) -> PyResult<(Bound<'py, PyDict>, Option<PyErr>)> {
    let mut map = to_map(tree)?;
    let value = to_value(value)?;
    let error = map.set(key, value).err().map(errors::core);
    Ok((from_map(py, &map)?, error))
}

/// `m.DeepCopy()`.
#[pyfunction]
fn nested_map_deep_copy<'py>(py: Python<'py>, tree: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyDict>> {
    from_map(py, &to_map(tree)?.deep_copy())
}

/// `m.DebugString()`.
#[pyfunction]
fn nested_map_debug_string(tree: &Bound<'_, PyDict>) -> PyResult<String> {
    Ok(to_map(tree)?.debug_string())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(nested_map_from, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_check_key, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_flatten, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_flatten_items, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_pack, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_transform, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_filter, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_filter_key_val, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_is_compatible, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_get_item, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_get, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_set, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_deep_copy, m)?)?;
    m.add_function(wrap_pyfunction!(nested_map_debug_string, m)?)?;
    Ok(())
}

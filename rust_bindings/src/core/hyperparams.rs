//! `monolith/core/hyperparams.py` -> `monolith_core::hyperparams`.
//!
//! `HyperParams` holds one `monolith_core::hyperparams::Params`; its methods are the Rust
//! methods of the same name.  Values cross as Python values: `None`, `bool`, `int` (i64),
//! `float`, `str`, `list`, `dict` with `str` keys and `HyperParams` become the `ParamValue`
//! variant of that name; anything else (a tuple, an object, an int beyond i64) has no
//! `ParamValue` and raises `UnsupportedByPort`.  A nested `HyperParams` is copied into the
//! value (Rust owns its values; Python stores a reference), and `get` of a nested `Params`
//! returns a copy of it.

use std::collections::BTreeMap;

use monolith_core::hyperparams::{ParamValue, Params};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::errors;

/// One `monolith_core::hyperparams::Params`.
#[pyclass(name = "HyperParams", module = "monolith_parity_rs")]
#[derive(Clone)]
pub struct PyHyperParams {
    pub inner: Params,
}

/// A Python value as a `ParamValue`, or `UnsupportedByPort` when the enum has no variant for it.
pub fn to_param(value: &Bound<'_, PyAny>) -> PyResult<ParamValue> {
    if value.is_none() {
        return Ok(ParamValue::None);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(ParamValue::Bool(b.is_true()));
    }
    if value.is_exact_instance_of::<PyInt>() {
        return value
            .extract::<i64>()
            .map(ParamValue::Int)
            .map_err(|_| errors::unsupported(format!("int {value} does not fit ParamValue::Int (i64)")));
    }
    if value.is_exact_instance_of::<PyFloat>() {
        return Ok(ParamValue::Float(value.cast::<PyFloat>()?.value()));
    }
    if value.is_exact_instance_of::<PyString>() {
        return Ok(ParamValue::String(value.cast::<PyString>()?.to_str()?.to_owned()));
    }
    if value.is_exact_instance_of::<PyList>() {
        let list = value.cast::<PyList>()?;
        return Ok(ParamValue::List(list.iter().map(|v| to_param(&v)).collect::<PyResult<_>>()?));
    }
    if value.is_exact_instance_of::<PyDict>() {
        let mut map = BTreeMap::new();
        for (k, v) in value.cast::<PyDict>()?.iter() {
            if !k.is_exact_instance_of::<PyString>() {
                return Err(errors::unsupported(format!(
                    "ParamValue::Map keys are String; got a {} key",
                    k.get_type().name()?
                )));
            }
            map.insert(k.extract::<String>()?, to_param(&v)?);
        }
        return Ok(ParamValue::Map(map));
    }
    if let Ok(p) = value.cast::<PyHyperParams>() {
        return Ok(ParamValue::Params(Box::new(p.borrow().inner.clone())));
    }
    let kind = if value.is_instance_of::<PyTuple>() { "tuple (ParamValue has no tuple)" } else { "value" };
    Err(errors::unsupported(format!(
        "a {} {kind} has no monolith_core::hyperparams::ParamValue variant",
        value.get_type().name()?
    )))
}

/// A `ParamValue` as a Python value (the inverse of [`to_param`]).
pub fn from_param<'py>(py: Python<'py>, value: &ParamValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        ParamValue::None => py.None().into_bound(py),
        ParamValue::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        ParamValue::Int(i) => i.into_pyobject(py)?.into_any(),
        ParamValue::Float(f) => PyFloat::new(py, *f).into_any(),
        ParamValue::String(s) => PyString::new(py, s).into_any(),
        ParamValue::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(from_param(py, item)?)?;
            }
            list.into_any()
        }
        ParamValue::Map(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, from_param(py, v)?)?;
            }
            dict.into_any()
        }
        ParamValue::Params(p) => Bound::new(py, PyHyperParams { inner: p.as_ref().clone() })?.into_any(),
        ParamValue::External(v) => {
            return Err(errors::unsupported(format!("ParamValue::External({v:?}) has no Python value")))
        }
    })
}

#[pymethods]
impl PyHyperParams {
    #[new]
    fn new() -> Self {
        Self { inner: Params::new() }
    }

    fn define(&mut self, name: &str, default_value: &Bound<'_, PyAny>, description: &str) -> PyResult<()> {
        let value = to_param(default_value)?;
        self.inner.define(name, value, description).map_err(errors::core)
    }

    /// `Params::get_params_mut(path)?.define(...)`: Python's `p.get(path).define(...)`.
    fn define_in(&mut self, path: &str, name: &str, default_value: &Bound<'_, PyAny>, description: &str) -> PyResult<()> {
        let value = to_param(default_value)?;
        let nested = self.inner.get_params_mut(path).map_err(errors::core)?;
        nested.define(name, value, description).map_err(errors::core)
    }

    fn set(&mut self, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = to_param(value)?;
        self.inner.set(name, value).map_err(errors::core)
    }

    fn get<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let value = self.inner.get(name).map_err(errors::core)?;
        from_param(py, value)
    }

    fn delete(&mut self, name: &str) -> PyResult<()> {
        self.inner.delete(name).map_err(errors::core)
    }

    fn contains(&self, name: &str) -> bool {
        self.inner.contains(name)
    }

    fn len(&self) -> usize {
        self.inner.len()
    }

    fn freeze(&mut self) {
        self.inner.freeze()
    }

    fn is_immutable(&self) -> bool {
        self.inner.is_immutable()
    }

    fn keys(&self) -> Vec<String> {
        self.inner.keys()
    }

    fn copy(&self) -> Self {
        Self { inner: self.inner.copy() }
    }

    /// `iter_params()` as a list of `(name, value)` pairs, in the Rust iteration order.
    fn iter_params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for (name, value) in self.inner.iter_params() {
            out.append((name, from_param(py, value)?))?;
        }
        Ok(out)
    }

    /// `Params == Params` (Rust `PartialEq`).
    fn equals(&self, other: &Self) -> bool {
        self.inner == other.inner
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }
}

/// `hyperparams.Params()`: an empty `Params`.
#[pyfunction]
fn hyperparams_new() -> PyHyperParams {
    PyHyperParams::new()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyHyperParams>()?;
    m.add_function(wrap_pyfunction!(hyperparams_new, m)?)?;
    Ok(())
}

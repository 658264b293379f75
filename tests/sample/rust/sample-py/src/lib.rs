//! `sample_rust`: PyO3 bindings over `sample-core` for the parity sample pair.
//!
//! Same function names as the Python reference `sample_reference`, except
//! `crash`, which only the worker has (aborting would kill the test process).
//! Domain errors become Python exceptions (ValueError / OverflowError); Rust
//! panics are *not* caught here, so pyo3 raises `pyo3_runtime.PanicException`.
//!
//! `word_count` and `clamp` use the API facts of the real bindings
//! (rust_bindings/api-scan, docs/rust-bindings.md): `build.rs` reads
//! sample-core's sources for this build's features, so the baseline build has
//! no `word_count` (its cases are *rust unavailable*) and each build compiles
//! the `clamp` variant of its signature.  `__parity_api__` says so.

#![deny(unexpected_cfgs)]

use numpy::ndarray::{ArrayD, IxDyn};
use numpy::{IntoPyArray, PyArrayDyn, PyReadonlyArrayDyn};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyString};

use sample_core as core;

mod records;

fn to_py_err(e: core::Error) -> PyErr {
    match e.kind {
        core::ErrorKind::Value => PyValueError::new_err(e.message),
        core::ErrorKind::Overflow => PyOverflowError::new_err(e.message),
    }
}

/// Apply an elementwise f32 kernel keeping the input's shape.
fn map_f32<'py>(
    py: Python<'py>,
    xs: PyReadonlyArrayDyn<'py, f32>,
    f: impl Fn(&[f32]) -> Vec<f32>,
) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let view = xs.as_array();
    let shape = view.shape().to_vec();
    let out = match view.as_slice() {
        Some(s) => f(s),
        None => f(&view.iter().copied().collect::<Vec<f32>>()),
    };
    let arr = ArrayD::from_shape_vec(IxDyn(&shape), out)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(arr.into_pyarray(py))
}

#[pyfunction]
fn add(a: i64, b: i64) -> PyResult<i64> {
    core::add(a, b).map_err(to_py_err)
}

#[pyfunction]
fn add_i64(a: i64, b: i64) -> i64 {
    core::add_i64(a, b)
}

#[pyfunction]
fn scale<'py>(
    py: Python<'py>,
    xs: PyReadonlyArrayDyn<'py, f32>,
    factor: f64,
) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    map_f32(py, xs, |s| core::scale(s, factor))
}

#[pyfunction]
fn tenth<'py>(
    py: Python<'py>,
    xs: PyReadonlyArrayDyn<'py, f32>,
) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    map_f32(py, xs, core::tenth)
}

/// `relu(x @ w + b)` over float32 arrays (sample-core sums in f64: a few ULP off).
#[pyfunction]
fn dense_relu<'py>(
    py: Python<'py>,
    x: PyReadonlyArrayDyn<'py, f32>,
    w: PyReadonlyArrayDyn<'py, f32>,
    b: PyReadonlyArrayDyn<'py, f32>,
) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let owned = |a: &PyReadonlyArrayDyn<'py, f32>| -> (Vec<f32>, Vec<usize>) {
        let view = a.as_array();
        (view.iter().copied().collect(), view.shape().to_vec())
    };
    let ((xv, xs), (wv, ws), (bv, bs)) = (owned(&x), owned(&w), owned(&b));
    let (out, shape) = core::dense_relu(&xv, &xs, &wv, &ws, &bv, &bs).map_err(to_py_err)?;
    let arr = ArrayD::from_shape_vec(IxDyn(&shape), out)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(arr.into_pyarray(py))
}

#[pyfunction]
fn mean(xs: Vec<f64>) -> PyResult<f64> {
    core::mean(&xs).map_err(to_py_err)
}

#[pyfunction]
fn to_json(d: &Bound<'_, PyDict>) -> PyResult<String> {
    let mut items = Vec::with_capacity(d.len());
    for (k, v) in d.iter() {
        let key: String = k
            .cast::<PyString>()
            .map_err(|_| PyTypeError::new_err("to_json: keys must be str"))?
            .to_str()?
            .to_owned();
        let value = if v.is_instance_of::<PyBool>() {
            return Err(PyTypeError::new_err(
                "to_json: values must be int or str, not bool",
            ));
        } else if v.is_instance_of::<PyInt>() {
            core::JsonScalar::Int(v.extract::<i64>()?)
        } else if let Ok(s) = v.cast::<PyString>() {
            core::JsonScalar::Str(s.to_str()?.to_owned())
        } else {
            return Err(PyTypeError::new_err("to_json: values must be int or str"));
        };
        items.push((key, value));
    }
    Ok(core::to_json(&items))
}

#[pyfunction]
fn record<'py>(py: Python<'py>, name: &str, count: i64) -> PyResult<Bound<'py, PyBytes>> {
    // Python's protobuf raises ValueError for an int32 field out of range.
    let count = i32::try_from(count)
        .map_err(|_| PyValueError::new_err(format!("Value out of range: {}", count)))?;
    Ok(PyBytes::new(py, &core::record(name, count)))
}

#[pyfunction]
fn parse_port(s: &str) -> PyResult<i64> {
    core::parse_port(s).map_err(to_py_err)
}

/// Never returns for n < 0 (see sample-core); checks Python signals every
/// 10 ms while looping so that Ctrl-C / signal-based timeouts still work.
#[pyfunction]
fn countdown(py: Python<'_>, n: i64) -> PyResult<i64> {
    py.detach(|| core::countdown_with(n, || Python::attach(|py| py.check_signals())))
}

#[pyfunction]
fn normalize_name(s: &str) -> String {
    core::normalize_name(s)
}

#[pyfunction]
fn version() -> &'static str {
    core::version()
}

#[cfg(api_has = "sample_core::word_count")]
#[pyfunction]
fn word_count(s: &str) -> i64 {
    core::word_count(s)
}

#[cfg(api_sig = "sample_core::clamp -> i64")]
#[pyfunction]
fn clamp(x: i64, lo: i64, hi: i64) -> i64 {
    core::clamp(x, lo, hi)
}

#[cfg(api_sig = "sample_core::clamp -> Result")]
#[pyfunction]
fn clamp(x: i64, lo: i64, hi: i64) -> PyResult<i64> {
    core::clamp(x, lo, hi).map_err(to_py_err)
}

include!(concat!(env!("OUT_DIR"), "/parity_api.rs"));

#[pymodule]
fn sample_rust(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("REVISION", core::REVISION)?;
    m.add_function(wrap_pyfunction!(add, m)?)?;
    m.add_function(wrap_pyfunction!(add_i64, m)?)?;
    m.add_function(wrap_pyfunction!(scale, m)?)?;
    m.add_function(wrap_pyfunction!(tenth, m)?)?;
    m.add_function(wrap_pyfunction!(dense_relu, m)?)?;
    m.add_function(wrap_pyfunction!(mean, m)?)?;
    m.add_function(wrap_pyfunction!(to_json, m)?)?;
    m.add_function(wrap_pyfunction!(record, m)?)?;
    m.add_function(wrap_pyfunction!(parse_port, m)?)?;
    m.add_function(wrap_pyfunction!(countdown, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_name, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    #[cfg(api_has = "sample_core::word_count")]
    m.add_function(wrap_pyfunction!(word_count, m)?)?;
    #[cfg(any(api_sig = "sample_core::clamp -> i64", api_sig = "sample_core::clamp -> Result"))]
    m.add_function(wrap_pyfunction!(clamp, m)?)?;
    records::register(m)?;
    let api = m.py().import("json")?.call_method1("loads", (PARITY_API_JSON,))?;
    m.add("__parity_api__", api)?;
    Ok(())
}

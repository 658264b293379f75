//! `monolith/native_training/graph_meta.py` -> `monolith_training::native_training::graph_meta`.
//!
//! Python keeps one dict of metas per TensorFlow graph (`get_meta(key, MetaFactory)` returns the
//! stored object, creating it with the factory on first use; callers then mutate it).  The port
//! keeps typed values per `graph_id`: `get_meta_cloned` returns a copy, `update_meta` mutates in
//! place.  The wrappers store one of two value types, chosen by the factory's result: a list of
//! ints (`Vec<i64>`) or a str (`String`), so a key read back as the other type exercises the
//! port's type-mismatch path.  The factory is a Python callable, called by the port when it
//! decides to create the value.

use monolith_training::native_training::graph_meta as gm;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

#[derive(Clone)]
enum Made {
    Ints(Vec<i64>),
    Text(String),
}

fn make(factory: &Bound<'_, PyAny>) -> PyResult<Made> {
    let value = factory.call0()?;
    if value.is_instance_of::<PyString>() {
        Ok(Made::Text(value.extract()?))
    } else {
        value
            .extract::<Vec<i64>>()
            .map(Made::Ints)
            .map_err(|_| PyTypeError::new_err("the factory must return a list of ints or a str"))
    }
}

/// `graph_meta.get_meta(key, factory)` in graph `graph_id` -> a copy of the stored value.
/// `kind` is `"ints"` or `"text"`: the type the caller reads the key as.
#[pyfunction]
fn graph_meta_get_meta(py: Python<'_>, graph_id: &str, key: &str, kind: &str, factory: Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let mut failed: Option<PyErr> = None;
    let out = match kind {
        "ints" => {
            let v = gm::get_meta_cloned::<Vec<i64>>(graph_id, key, || match make(&factory) {
                Ok(Made::Ints(v)) => v,
                Ok(Made::Text(_)) => {
                    failed = Some(PyTypeError::new_err("factory returned a str for an ints key"));
                    Vec::new()
                }
                Err(e) => {
                    failed = Some(e);
                    Vec::new()
                }
            });
            v.into_pyobject(py)?.into_any().unbind()
        }
        "text" => {
            let v = gm::get_meta_cloned::<String>(graph_id, key, || match make(&factory) {
                Ok(Made::Text(v)) => v,
                Ok(Made::Ints(_)) => {
                    failed = Some(PyTypeError::new_err("factory returned a list for a text key"));
                    String::new()
                }
                Err(e) => {
                    failed = Some(e);
                    String::new()
                }
            });
            v.into_pyobject(py)?.into_any().unbind()
        }
        other => return Err(PyTypeError::new_err(format!("kind must be 'ints' or 'text', not {other:?}"))),
    };
    match failed {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// `graph_meta.get_meta(key, factory).append(item)` in graph `graph_id` (a list meta mutated in
/// place, as monolith's callers do) -> the list after the append.
#[pyfunction]
fn graph_meta_append(py: Python<'_>, graph_id: &str, key: &str, item: i64, factory: Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let mut failed: Option<PyErr> = None;
    let v = gm::update_meta::<Vec<i64>>(
        graph_id,
        key,
        || match make(&factory) {
            Ok(Made::Ints(v)) => v,
            Ok(Made::Text(_)) => {
                failed = Some(PyTypeError::new_err("factory returned a str for an ints key"));
                Vec::new()
            }
            Err(e) => {
                failed = Some(e);
                Vec::new()
            }
        },
        |v| v.push(item),
    );
    match failed {
        Some(e) => Err(e),
        None => Ok(v.into_pyobject(py)?.into_any().unbind()),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(graph_meta_get_meta, m)?)?;
    m.add_function(wrap_pyfunction!(graph_meta_append, m)?)?;
    Ok(())
}

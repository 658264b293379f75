//! `sample_rust.write_records` / `read_records`: TFRecord files (sample-core's `records`).

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::to_py_err;
use sample_core::records;

/// Write `records` (bytes) to `path`; `compression` is `""`, `"GZIP"` or `"ZLIB"`.
#[pyfunction]
#[pyo3(signature = (path, records, compression=""))]
fn write_records(path: &str, records: Vec<Vec<u8>>, compression: &str) -> PyResult<()> {
    records::write_records(path, &records, compression).map_err(to_py_err)
}

/// Every record of the file at `path`, as bytes.
#[pyfunction]
#[pyo3(signature = (path, compression=""))]
fn read_records<'py>(py: Python<'py>, path: &str, compression: &str) -> PyResult<Vec<Bound<'py, PyBytes>>> {
    let found = records::read_records(path, compression).map_err(to_py_err)?;
    Ok(found.iter().map(|r| PyBytes::new(py, r)).collect())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(write_records, m)?)?;
    m.add_function(wrap_pyfunction!(read_records, m)?)?;
    Ok(())
}

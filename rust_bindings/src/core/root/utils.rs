//! `monolith/utils.py` -> `monolith_core::utils` (`CopyFile`, `CopyRecursively`).

use pyo3::prelude::*;

use crate::errors;

/// `CopyFile(src, dst, overwrite=True, skip_nonexist=True, max_retries=5)`.
#[pyfunction]
#[pyo3(signature = (src, dst, overwrite=true, skip_nonexist=true, max_retries=5))]
fn copy_file(py: Python<'_>, src: &str, dst: &str, overwrite: bool, skip_nonexist: bool, max_retries: usize) -> PyResult<()> {
    py.detach(|| monolith_core::utils::copy_file(src, dst, overwrite, skip_nonexist, max_retries))
        .map_err(errors::core)
}

/// `CopyRecursively(src, dst, max_workers=1, skip_nonexist=True, max_retries=5)`.
#[pyfunction]
#[pyo3(signature = (src, dst, max_workers=1, skip_nonexist=true, max_retries=5))]
fn copy_recursively(py: Python<'_>, src: &str, dst: &str, max_workers: usize, skip_nonexist: bool, max_retries: usize) -> PyResult<()> {
    py.detach(|| monolith_core::utils::copy_recursively(src, dst, max_workers, skip_nonexist, max_retries))
        .map_err(errors::core)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(copy_file, m)?)?;
    m.add_function(wrap_pyfunction!(copy_recursively, m)?)?;
    Ok(())
}

//! `monolith/path_utils.py` -> `monolith_core::path_utils` (`find_main`, `get_libops_path`).
//!
//! The Rust `find_main` looks for the monolith base directory around its own source file
//! (`file!()`, as Python uses `__file__`), after the `MONOLITH_MAIN_DIR` override Python lacks.

use std::path::PathBuf;

use pyo3::prelude::*;

use crate::errors;

fn text(path: PathBuf) -> PyResult<String> {
    path.into_os_string()
        .into_string()
        .map_err(|p| errors::unsupported(format!("path {p:?} is not UTF-8")))
}

/// `find_main()` -> the monolith base directory.
#[pyfunction]
fn find_main() -> PyResult<String> {
    text(monolith_core::path_utils::find_main().map_err(errors::core)?)
}

/// `get_libops_path(lib_name)` -> `os.path.join(find_main(), lib_name)`.
#[pyfunction]
fn get_libops_path(lib_name: &str) -> PyResult<String> {
    text(monolith_core::path_utils::get_libops_path(lib_name).map_err(errors::core)?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(find_main, m)?)?;
    m.add_function(wrap_pyfunction!(get_libops_path, m)?)?;
    Ok(())
}

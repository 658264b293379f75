//! `monolith/utils.py` and `monolith/path_utils.py`: top-level monolith modules whose Rust side is
//! `monolith_core::utils` and `monolith_core::path_utils`.

use pyo3::prelude::*;

pub mod path_utils;
pub mod utils;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    path_utils::register(m)?;
    utils::register(m)?;
    Ok(())
}

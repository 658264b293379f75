//! Wrappers for `monolith/native_training/data/*.py` (crate `monolith-data`).

use pyo3::prelude::*;

pub mod feature_utils;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    feature_utils::register(m)?;
    Ok(())
}

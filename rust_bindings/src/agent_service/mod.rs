//! Wrappers for `monolith/agent_service/*.py` (Rust: crate `monolith-serving`).

use pyo3::prelude::*;

pub mod data_def;
pub mod utils;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    data_def::register(m)?;
    utils::register(m)?;
    Ok(())
}

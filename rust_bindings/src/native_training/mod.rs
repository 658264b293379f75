//! Wrappers for `monolith/native_training/*.py` (Rust: crate `monolith-training`; cargo feature
//! `native_training`).

use pyo3::prelude::*;

pub mod device_utils;
pub mod service_discovery;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    device_utils::register(m)?;
    service_discovery::register(m)?;
    Ok(())
}

//! `monolith/native_training/env_utils.py` -> `monolith_training::native_training::env_utils`.

use monolith_training::native_training::env_utils as eu;
use pyo3::prelude::*;

/// `env_utils.get_zk_auth_data()` -> `[("digest", auth)]` or None, from `ZK_AUTH` of this process.
#[pyfunction]
fn get_zk_auth_data() -> Option<Vec<(String, String)>> {
    eu::get_zk_auth_data()
}

/// `env_utils.generate_psm_from_uuid(s)`.
#[pyfunction]
fn generate_psm_from_uuid(s: &str) -> String {
    eu::generate_psm_from_uuid(s)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(get_zk_auth_data, m)?)?;
    m.add_function(wrap_pyfunction!(generate_psm_from_uuid, m)?)?;
    Ok(())
}

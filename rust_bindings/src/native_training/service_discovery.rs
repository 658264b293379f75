//! `monolith/native_training/service_discovery.py` -> `monolith_training::py_discovery`.
//!
//! The worked example of a function only some revisions have:
//! `MlpServiceDiscovery::query_all` exists on the branch, not on master.  The
//! wrapper carries the `api_has` fact; where the checkout lacks the method the
//! wrapper is not compiled, `__parity_api__` says why, and its cases get the
//! verdict `rust unavailable: monolith_training::py_discovery::MlpServiceDiscovery::query_all
//! not in this checkout`.

use pyo3::prelude::*;

/// `MLPServiceDiscovery().query_all()` -> `{role: {index: "host:port"}}`, from the `MLP_*`
/// environment of the calling process (read by `MlpServiceDiscovery::new`, as Python's `MLPEnv()`).
#[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::query_all")]
#[pyfunction]
fn mlp_service_discovery_query_all(
    py: Python<'_>,
) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    use monolith_training::py_discovery::MlpServiceDiscovery;
    use pyo3::types::PyDict;

    let all = MlpServiceDiscovery::new()
        .query_all()
        .map_err(crate::errors::discovery)?;
    let out = PyDict::new(py);
    for (role, replicas) in all {
        let inner = PyDict::new(py);
        for (index, addr) in replicas {
            inner.set_item(index, addr)?;
        }
        out.set_item(role, inner)?;
    }
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    #[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::query_all")]
    m.add_function(wrap_pyfunction!(mlp_service_discovery_query_all, m)?)?;
    let _ = m;
    Ok(())
}

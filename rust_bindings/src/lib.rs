//! `monolith_parity_rs`: PyO3 wrappers over monolith-rs's public APIs, for parity cases.
//!
//! One Rust module per wrapped Python module (`agent_service/data_def.rs`
//! wraps `monolith/agent_service/data_def.py`, ...).  Every function is
//! flat in the Python module and named `<struct>_<method>` or after the
//! Python function, so a case says `pyo3("model_meta_serialize")`.
//!
//! Wrappers only convert arguments and results; the behaviour under test is
//! monolith-rs's own.  Crate errors become the exceptions of [`errors`];
//! panics are left to PyO3, which raises `pyo3_runtime.PanicException`.

use pyo3::prelude::*;
use pyo3::types::PyDict;

mod agent_service;
mod convert;
mod errors;

/// Which checkout this extension was built from (set by the build, see docs/rust-bindings.md),
/// so a run can refuse an extension built from another revision.
#[pyfunction]
fn build_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let info = PyDict::new(py);
    info.set_item("monolith_root", option_env!("MONOLITH_PARITY_CHECKOUT"))?;
    info.set_item("revision", option_env!("MONOLITH_PARITY_REVISION"))?;
    info.set_item("bindings_version", env!("CARGO_PKG_VERSION"))?;
    Ok(info)
}

#[pymodule]
fn monolith_parity_rs(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(build_info, m)?)?;
    errors::register(m)?;
    agent_service::register(m)?;
    Ok(())
}

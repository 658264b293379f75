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
//!
//! Each package directory is compiled only with its cargo feature
//! (`bindings.toml` `[features]`), and a wrapper of an API that only some
//! revisions have carries `#[cfg(api_has = "...")]` / `#[cfg(api_sig = "...")]`,
//! decided by `build.rs` from the checkout's sources.  `__parity_api__` (the
//! build script's `parity_api.json`) tells the harness which wrappers are in
//! this build and why the others are not (docs/rust-bindings.md).

// A misspelt fact or feature in a cfg is an error, not a silently absent wrapper.
#![deny(unexpected_cfgs)]

use pyo3::prelude::*;
use pyo3::types::PyDict;

#[cfg(feature = "agent_service")]
mod agent_service;
mod convert;
#[cfg(feature = "core")]
mod core;
mod errors;
#[cfg(feature = "native_training")]
mod native_training;

include!(concat!(env!("OUT_DIR"), "/parity_api.rs"));

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
    #[cfg(feature = "agent_service")]
    agent_service::register(m)?;
    #[cfg(feature = "native_training")]
    native_training::register(m)?;
    #[cfg(feature = "core")]
    core::register(m)?;
    let api = m.py().import("json")?.call_method1("loads", (PARITY_API_JSON,))?;
    m.add("__parity_api__", api)?;
    Ok(())
}

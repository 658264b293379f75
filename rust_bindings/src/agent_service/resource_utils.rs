//! `monolith/agent_service/resource_utils.py` -> `monolith_serving::resource_utils`.
//!
//! Only the psutil-backed `*_v2` functions have a Rust port; they read live
//! values of this machine, so their cases compare with a documented tolerance.

use monolith_serving::resource_utils as r;
use pyo3::prelude::*;

/// `total_memory_v2()` -> bytes.
#[pyfunction]
fn total_memory_v2() -> u64 {
    r::total_memory_v2()
}

/// `cal_available_memory_v2()` -> bytes.
#[pyfunction]
fn cal_available_memory_v2() -> u64 {
    r::cal_available_memory_v2()
}

/// `cal_cpu_usage_v2()` -> percent (f32 in Rust, returned as a Python float).
#[pyfunction]
fn cal_cpu_usage_v2() -> f32 {
    r::cal_cpu_usage_v2()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(total_memory_v2, m)?)?;
    m.add_function(wrap_pyfunction!(cal_available_memory_v2, m)?)?;
    m.add_function(wrap_pyfunction!(cal_cpu_usage_v2, m)?)?;
    Ok(())
}

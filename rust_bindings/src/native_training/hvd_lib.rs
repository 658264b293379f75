//! `monolith/native_training/hvd_lib.py` -> `monolith_training::native_training::hvd_lib`.
//!
//! Python's `hvd_lib` picks `byteps.tensorflow` or `horovod.tensorflow` by `MONOLITH_WITH_BYTEPS`
//! and delegates `rank()` / `size()` to it; the port reads the environment of this process.

use monolith_training::native_training::hvd_lib as hvd;
use pyo3::prelude::*;

/// `hvd_lib.enable_bps` (a property of the lazily imported lib).
#[pyfunction]
fn hvd_enable_bps() -> bool {
    hvd::enable_bps()
}

/// `hvd_lib.rank()`.
#[pyfunction]
fn hvd_rank() -> i32 {
    hvd::rank()
}

/// `hvd_lib.size()`.
#[pyfunction]
fn hvd_size() -> i32 {
    hvd::size()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(hvd_enable_bps, m)?)?;
    m.add_function(wrap_pyfunction!(hvd_rank, m)?)?;
    m.add_function(wrap_pyfunction!(hvd_size, m)?)?;
    Ok(())
}

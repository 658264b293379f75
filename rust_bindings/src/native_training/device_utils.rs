//! `monolith/native_training/device_utils.py` -> `monolith_training::native_training::device_utils`.
//!
//! The worked example of a signature that differs between revisions: on master
//! `get_visible_gpus(local_rank, processes_per_gpu) -> String` asserts
//! `processes_per_gpu >= 1` (a panic, *rust panicked*), on the branch it returns
//! `Result<String, DeviceUtilsError>` (an error, raised as `DeviceUtilsError`).
//! One wrapper variant per signature, each under the `api_sig` fact that
//! describes it; the build compiles the one the checkout has.  A checkout
//! with a third signature compiles neither, and its cases get a harness error
//! that quotes the signature found (no false verdict, no build failure).

use monolith_training::native_training::device_utils as du;
use pyo3::prelude::*;

#[allow(unused_imports)]
use crate::errors;

/// `device_utils.get_visible_gpus(local_rank, processes_per_gpu=1)` -> str (revisions returning `String`).
#[cfg(api_sig = "monolith_training::native_training::device_utils::get_visible_gpus -> String")]
#[pyfunction]
#[pyo3(signature = (local_rank, processes_per_gpu=1))]
fn get_visible_gpus(local_rank: i32, processes_per_gpu: i32) -> String {
    du::get_visible_gpus(local_rank, processes_per_gpu)
}

/// `device_utils.get_visible_gpus(local_rank, processes_per_gpu=1)` -> str (revisions returning `Result`).
#[cfg(api_sig = "monolith_training::native_training::device_utils::get_visible_gpus -> Result")]
#[pyfunction]
#[pyo3(signature = (local_rank, processes_per_gpu=1))]
fn get_visible_gpus(local_rank: i32, processes_per_gpu: i32) -> PyResult<String> {
    du::get_visible_gpus(local_rank, processes_per_gpu).map_err(errors::device_utils)
}

/// `device_utils.enable_gpu_training()`.
#[pyfunction]
fn enable_gpu_training() {
    du::enable_gpu_training()
}

/// `device_utils.disable_gpu_training()`.
#[pyfunction]
fn disable_gpu_training() {
    du::disable_gpu_training()
}

/// `device_utils.is_gpu_training()`.
#[pyfunction]
fn is_gpu_training() -> bool {
    du::is_gpu_training()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(enable_gpu_training, m)?)?;
    m.add_function(wrap_pyfunction!(disable_gpu_training, m)?)?;
    m.add_function(wrap_pyfunction!(is_gpu_training, m)?)?;
    #[cfg(any(
        api_sig = "monolith_training::native_training::device_utils::get_visible_gpus -> String",
        api_sig = "monolith_training::native_training::device_utils::get_visible_gpus -> Result"
    ))]
    m.add_function(wrap_pyfunction!(get_visible_gpus, m)?)?;
    let _ = m;
    Ok(())
}

//! `monolith/native_training/logging_ops.py` -> `monolith_training::native_training::logging_ops`.

use monolith_training::native_training::logging_ops as l;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// `check_machine_health(machine_info(mem_limit, shared_name))`: the serialized MachineHealthResult.
#[pyfunction]
#[pyo3(signature = (mem_limit=None, shared_name=None))]
fn check_machine_health<'py>(py: Python<'py>, mem_limit: Option<i64>, shared_name: Option<String>) -> Bound<'py, PyBytes> {
    let info = l::machine_info(mem_limit, shared_name.as_deref());
    PyBytes::new(py, &l::check_machine_health(&info))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(check_machine_health, m)?)?;
    Ok(())
}

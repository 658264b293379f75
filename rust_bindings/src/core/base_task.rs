//! `monolith/core/base_task.py` (`BaseTask.params()`) -> `monolith_core::base_task::base_task_params`.

use pyo3::prelude::*;

use super::hyperparams::PyHyperParams;

/// `BaseTask.params()`: the default task params tree.
#[pyfunction]
fn base_task_params() -> PyHyperParams {
    PyHyperParams { inner: monolith_core::base_task::base_task_params() }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(base_task_params, m)?)?;
    Ok(())
}

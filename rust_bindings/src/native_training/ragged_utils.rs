//! `monolith/native_training/ragged_utils.py` -> `monolith_training::native_training::ragged_utils`.

use monolith_training::native_training::ragged_utils as r;
use pyo3::prelude::*;

use super::PortResult;

/// `fused_value_rowids(rt)` from the ragged tensor's row splits.
#[pyfunction]
fn fused_value_rowids(row_splits: Vec<usize>) -> PyResult<Vec<usize>> {
    r::fused_value_rowids(&row_splits).port()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fused_value_rowids, m)?)?;
    Ok(())
}

//! `monolith/native_training/ragged_utils.py` -> `monolith_training::native_training::ragged_utils`.
//!
//! The signature differs between revisions: `fused_value_rowids(row_splits) -> Vec<usize>` (bad
//! splits: an assertion or a subtraction overflow, *rust panicked*) or `-> Result<Vec<usize>,
//! RaggedUtilsError>` (raised as `RaggedUtilsError`).  One wrapper variant per signature.

use monolith_training::native_training::ragged_utils as r;
use pyo3::prelude::*;

#[allow(unused_imports)]
use crate::errors;

/// `fused_value_rowids(rt)` from the ragged tensor's row splits (revisions returning the ids).
#[cfg(api_sig = "monolith_training::native_training::ragged_utils::fused_value_rowids -> Vec")]
#[pyfunction]
fn fused_value_rowids(row_splits: Vec<usize>) -> Vec<usize> {
    r::fused_value_rowids(&row_splits)
}

/// `fused_value_rowids(rt)` from the ragged tensor's row splits (revisions returning `Result`).
#[cfg(api_sig = "monolith_training::native_training::ragged_utils::fused_value_rowids -> Result")]
#[pyfunction]
fn fused_value_rowids(row_splits: Vec<usize>) -> PyResult<Vec<usize>> {
    r::fused_value_rowids(&row_splits).map_err(errors::ragged_utils)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    #[cfg(any(
        api_sig = "monolith_training::native_training::ragged_utils::fused_value_rowids -> Vec",
        api_sig = "monolith_training::native_training::ragged_utils::fused_value_rowids -> Result"
    ))]
    m.add_function(wrap_pyfunction!(fused_value_rowids, m)?)?;
    let _ = m;
    Ok(())
}

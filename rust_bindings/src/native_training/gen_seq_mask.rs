//! `monolith/native_training/gen_seq_mask.py` -> `monolith_training::native_training::gen_seq_mask`.

use monolith_training::native_training::gen_seq_mask as g;
use pyo3::prelude::*;

use super::PortResult;

/// `gen_seq_mask(splits, max_seq_length)` for int64 row splits: the mask rows.
#[pyfunction]
fn gen_seq_mask_i64(splits: Vec<i64>, max_seq_length: usize) -> PyResult<Vec<Vec<i64>>> {
    g::gen_seq_mask_i64(&splits, max_seq_length).port()
}

/// The same for int32 row splits.
#[pyfunction]
fn gen_seq_mask_i32(splits: Vec<i32>, max_seq_length: usize) -> PyResult<Vec<Vec<i32>>> {
    g::gen_seq_mask_i32(&splits, max_seq_length).port()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(gen_seq_mask_i64, m)?)?;
    m.add_function(wrap_pyfunction!(gen_seq_mask_i32, m)?)?;
    Ok(())
}

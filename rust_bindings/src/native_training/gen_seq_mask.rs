//! `monolith/native_training/gen_seq_mask.py` -> `monolith_training::native_training::gen_seq_mask`.
//!
//! The signature differs between revisions: `gen_seq_mask_i64/_i32(row_splits, max_len) -> Vec<Vec<_>>`
//! (empty row splits: an assertion, *rust panicked*) or `-> Result<Vec<Vec<_>>, GenSeqMaskError>`
//! (raised as `GenSeqMaskError`).  One wrapper variant per signature, each under its fact.

use monolith_training::native_training::gen_seq_mask as g;
use pyo3::prelude::*;

#[allow(unused_imports)]
use crate::errors;

/// `gen_seq_mask(splits, max_seq_length)` for int64 row splits (revisions returning the mask).
#[cfg(api_sig = "monolith_training::native_training::gen_seq_mask::gen_seq_mask_i64 -> Vec")]
#[pyfunction]
fn gen_seq_mask_i64(splits: Vec<i64>, max_seq_length: usize) -> Vec<Vec<i64>> {
    g::gen_seq_mask_i64(&splits, max_seq_length)
}

/// `gen_seq_mask(splits, max_seq_length)` for int64 row splits (revisions returning `Result`).
#[cfg(api_sig = "monolith_training::native_training::gen_seq_mask::gen_seq_mask_i64 -> Result")]
#[pyfunction]
fn gen_seq_mask_i64(splits: Vec<i64>, max_seq_length: usize) -> PyResult<Vec<Vec<i64>>> {
    g::gen_seq_mask_i64(&splits, max_seq_length).map_err(errors::gen_seq_mask)
}

/// The same for int32 row splits (revisions returning the mask).
#[cfg(api_sig = "monolith_training::native_training::gen_seq_mask::gen_seq_mask_i32 -> Vec")]
#[pyfunction]
fn gen_seq_mask_i32(splits: Vec<i32>, max_seq_length: usize) -> Vec<Vec<i32>> {
    g::gen_seq_mask_i32(&splits, max_seq_length)
}

/// The same for int32 row splits (revisions returning `Result`).
#[cfg(api_sig = "monolith_training::native_training::gen_seq_mask::gen_seq_mask_i32 -> Result")]
#[pyfunction]
fn gen_seq_mask_i32(splits: Vec<i32>, max_seq_length: usize) -> PyResult<Vec<Vec<i32>>> {
    g::gen_seq_mask_i32(&splits, max_seq_length).map_err(errors::gen_seq_mask)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    #[cfg(any(
        api_sig = "monolith_training::native_training::gen_seq_mask::gen_seq_mask_i64 -> Vec",
        api_sig = "monolith_training::native_training::gen_seq_mask::gen_seq_mask_i64 -> Result"
    ))]
    m.add_function(wrap_pyfunction!(gen_seq_mask_i64, m)?)?;
    #[cfg(any(
        api_sig = "monolith_training::native_training::gen_seq_mask::gen_seq_mask_i32 -> Vec",
        api_sig = "monolith_training::native_training::gen_seq_mask::gen_seq_mask_i32 -> Result"
    ))]
    m.add_function(wrap_pyfunction!(gen_seq_mask_i32, m)?)?;
    let _ = m;
    Ok(())
}

//! `monolith/native_training/data/feature_utils.py` (`ExtractFid`) -> `monolith_data::feature_utils`.

use pyo3::prelude::*;

/// `extract_fid(fid, slot)` for each input fid.
#[pyfunction]
fn extract_fid(fids: Vec<i64>, slot: i64) -> Vec<i64> {
    fids.into_iter().map(|fid| monolith_data::feature_utils::extract_fid(fid, slot)).collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(extract_fid, m)?)?;
    Ok(())
}

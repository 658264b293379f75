//! `monolith/core/util.py` -> `monolith_core::util` (the string and file parts; the GCS and
//! TPU-cluster functions have no Rust counterpart).

use pyo3::prelude::*;

use crate::errors;

/// `get_bucket_name_and_relavite_path(gs_file_path)` -> `(bucket, relative_path)`.
#[pyfunction]
fn get_bucket_name_and_relavite_path(gs_file_path: &str) -> PyResult<(String, String)> {
    monolith_core::util::get_bucket_name_and_relavite_path(gs_file_path).map_err(errors::core)
}

/// `parse_example_number_meta_file(meta_file, seperator)` -> `[(file_name, count), ...]`.
///
/// Python never reads `seperator` (it splits every line on `","`, util.py), and the Rust
/// function has no such parameter: it is accepted and, as in Python, not used.
#[pyfunction]
#[pyo3(signature = (meta_file, seperator=","))]
fn parse_example_number_meta_file(meta_file: &str, seperator: &str) -> PyResult<Vec<(String, i64)>> {
    let _ = seperator;
    monolith_core::util::parse_example_number_meta_file(meta_file).map_err(errors::core)
}

/// `calculate_shard_skip_file_number(file_example_number, shard_num, completed_steps_number,
/// batch_size_per_core)` -> one count per shard.
#[pyfunction]
fn calculate_shard_skip_file_number(
    file_example_number: Vec<i64>,
    shard_num: usize,
    completed_steps_number: i64,
    batch_size_per_core: i64,
) -> Vec<i64> {
    monolith_core::util::calculate_shard_skip_file_number(
        &file_example_number,
        shard_num,
        completed_steps_number,
        batch_size_per_core,
    )
}

/// `range_dateset(dataset, root_path, start_date=None, end_date=None)` over the dataset's
/// strings: the Rust function filters an iterator of `&str` instead of a `tf.data.Dataset`.
#[pyfunction]
#[pyo3(signature = (paths, root_path, start_date=None, end_date=None))]
fn range_dateset(paths: Vec<String>, root_path: &str, start_date: Option<&str>, end_date: Option<&str>) -> Vec<String> {
    monolith_core::util::range_dateset(paths.iter().map(String::as_str), root_path, start_date, end_date)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(get_bucket_name_and_relavite_path, m)?)?;
    m.add_function(wrap_pyfunction!(parse_example_number_meta_file, m)?)?;
    m.add_function(wrap_pyfunction!(calculate_shard_skip_file_number, m)?)?;
    m.add_function(wrap_pyfunction!(range_dateset, m)?)?;
    Ok(())
}

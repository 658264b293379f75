//! `monolith/native_training/distributed_ps.py`'s id dedup, shard routing and gradient aggregation
//! -> `monolith_training::distributed_ps` (`dedup_ids`, `route_to_shards`, `aggregate_gradients`,
//! `get_shard_for_id`).  Same signatures on every revision so far.

use monolith_training::distributed_ps as dps;
use pyo3::prelude::*;

/// `dedup_ids(ids)` -> (unique ids in first-seen order, index of each id in them).
#[pyfunction]
fn distributed_ps_dedup_ids(ids: Vec<i64>) -> (Vec<i64>, Vec<usize>) {
    dps::dedup_ids(&ids)
}

/// `route_to_shards(ids, num_shards)` -> the ids of each shard, in input order.
#[pyfunction]
fn distributed_ps_route_to_shards(ids: Vec<i64>, num_shards: usize) -> Vec<Vec<i64>> {
    dps::route_to_shards(&ids, num_shards)
}

/// `aggregate_gradients(fids, gradients, dim_size)` -> (unique fids, summed flat gradients).
#[pyfunction]
fn distributed_ps_aggregate_gradients(fids: Vec<i64>, gradients: Vec<f32>, dim_size: usize) -> (Vec<i64>, Vec<f32>) {
    dps::aggregate_gradients(&fids, &gradients, dim_size)
}

/// `get_shard_for_id(fid, num_shards)` -> the shard index.
#[pyfunction]
fn distributed_ps_get_shard_for_id(fid: i64, num_shards: usize) -> usize {
    dps::get_shard_for_id(fid, num_shards)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(distributed_ps_dedup_ids, m)?)?;
    m.add_function(wrap_pyfunction!(distributed_ps_route_to_shards, m)?)?;
    m.add_function(wrap_pyfunction!(distributed_ps_aggregate_gradients, m)?)?;
    m.add_function(wrap_pyfunction!(distributed_ps_get_shard_for_id, m)?)?;
    Ok(())
}

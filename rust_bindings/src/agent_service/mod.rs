//! Wrappers for `monolith/agent_service/*.py` (Rust: crate `monolith-serving`).

use pyo3::prelude::*;

pub mod data_def;
pub mod utils;
pub mod zk_client;
pub mod backends;
pub mod resource_utils;
pub mod tfs_monitor;
pub mod tfs_client;
pub mod grpc_server;
pub mod mocked_tfserving;
pub mod zk_mirror;
pub mod replica_manager;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    data_def::register(m)?;
    utils::register(m)?;
    zk_client::register(m)?;
    backends::register(m)?;
    resource_utils::register(m)?;
    tfs_monitor::register(m)?;
    tfs_client::register(m)?;
    grpc_server::register(m)?;
    mocked_tfserving::register(m)?;
    zk_mirror::register(m)?;
    replica_manager::register(m)?;
    Ok(())
}

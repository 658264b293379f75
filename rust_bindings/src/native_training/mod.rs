//! Wrappers for `monolith/native_training/*.py` (Rust: crate `monolith-training`; cargo feature
//! `native_training`).

use pyo3::prelude::*;

pub mod consul;
pub mod device_utils;
pub mod distributed_ps;
pub mod env_utils;
pub mod file_ops;
pub mod gen_seq_mask;
pub mod graph_meta;
pub mod hvd_lib;
pub mod layers;
pub mod learning_rate_functions;
pub mod native_task_context;
pub mod ragged_utils;
#[cfg(api_has = "monolith_training::run_config::RunnerConfig")]
pub mod run_config;
pub mod runner_utils;
pub mod save_utils;
pub mod service_discovery;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    consul::register(m)?;
    device_utils::register(m)?;
    distributed_ps::register(m)?;
    env_utils::register(m)?;
    file_ops::register(m)?;
    gen_seq_mask::register(m)?;
    graph_meta::register(m)?;
    hvd_lib::register(m)?;
    layers::register(m)?;
    learning_rate_functions::register(m)?;
    native_task_context::register(m)?;
    ragged_utils::register(m)?;
    #[cfg(api_has = "monolith_training::run_config::RunnerConfig")]
    run_config::register(m)?;
    runner_utils::register(m)?;
    save_utils::register(m)?;
    service_discovery::register(m)?;
    Ok(())
}

//! Wrappers for `monolith/core/*.py` (Rust: crate `monolith-core`; cargo feature `core`), and for
//! the two top-level modules whose Rust side is monolith-core as well, `monolith/utils.py` and
//! `monolith/path_utils.py` (in `root/`).

use pyo3::prelude::*;

pub mod base_task;
pub mod hyperparams;
pub mod nested_map;
pub mod optimizers;
pub mod root;
pub mod util;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    base_task::register(m)?;
    hyperparams::register(m)?;
    nested_map::register(m)?;
    optimizers::register(m)?;
    root::register(m)?;
    util::register(m)?;
    Ok(())
}

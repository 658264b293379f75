//! `monolith/native_training/save_utils.py` -> `monolith_training::native_training::save_utils`.
//!
//! The `monolith_checkpoint` state file: read (`get_monolith_checkpoint_state`) and write
//! (`write_monolith_checkpoint_state`).  The state crosses the boundary as the serialized
//! `monolith.native_training.MonolithCheckpointState` (the checkout's own prost message), so a
//! case compares it with the reference's message, field presence included.

use std::path::Path;

use monolith_proto::monolith::native_training::MonolithCheckpointState;
use monolith_training::native_training::save_utils as su;
use prost::Message;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors;

/// `save_utils.get_monolith_checkpoint_state(checkpoint_dir, filename=None, remove_invalid_path=False)`
/// -> the serialized state, or None (no file, or a file that does not parse).
#[pyfunction]
#[pyo3(signature = (checkpoint_dir, filename=None, remove_invalid_path=false))]
fn get_monolith_checkpoint_state<'py>(
    py: Python<'py>,
    checkpoint_dir: &str,
    filename: Option<&str>,
    remove_invalid_path: bool,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let state = su::get_monolith_checkpoint_state(Path::new(checkpoint_dir), filename, remove_invalid_path)
        .map_err(errors::save_utils)?;
    Ok(state.map(|s| PyBytes::new(py, &s.encode_to_vec())))
}

/// `write_monolith_checkpoint_state(checkpoint_dir, state, overwrite)`: `state` is the serialized
/// message; returns the path written.
#[pyfunction]
#[pyo3(signature = (checkpoint_dir, state, overwrite=true))]
fn write_monolith_checkpoint_state(checkpoint_dir: &str, state: &[u8], overwrite: bool) -> PyResult<String> {
    let state = MonolithCheckpointState::decode(state)
        .map_err(|e| errors::unsupported(format!("not a serialized MonolithCheckpointState: {e}")))?;
    let path = su::write_monolith_checkpoint_state(Path::new(checkpoint_dir), &state, overwrite)
        .map_err(errors::save_utils)?;
    Ok(path.to_string_lossy().into_owned())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(get_monolith_checkpoint_state, m)?)?;
    m.add_function(wrap_pyfunction!(write_monolith_checkpoint_state, m)?)?;
    Ok(())
}

//! Wrappers for `monolith/native_training/layers/*.py` (Rust: crate `monolith-layers`; cargo feature
//! `native_training`, the Python package they belong to).
//!
//! A tensor crosses as `(shape, bytes)`: its float32 values little-endian in row-major order, so
//! both directions are bit for bit (no float parsing, no rounding through Python floats).  The
//! case side converts numpy arrays (`cases/native_training/layers/_support/wire.py`).

use monolith_layers::tensor::Tensor;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

pub mod advanced_activations;
pub mod dense;
pub mod mlp;
pub mod utils;

/// A tensor as it crosses the boundary: `(shape, little-endian float32 bytes)`.
pub type Wire<'py> = (Vec<usize>, Bound<'py, PyBytes>);

/// The tensor of `(shape, bytes)`; a `ValueError` when the byte count does not fit the shape
/// (a wire-format mistake of the case, not behaviour of the port).
pub fn tensor_from(shape: Vec<usize>, data: &[u8]) -> PyResult<Tensor> {
    let numel: usize = shape.iter().product();
    if data.len() != numel * 4 {
        return Err(PyValueError::new_err(format!(
            "tensor wire format: shape {shape:?} needs {} bytes of float32, got {}",
            numel * 4,
            data.len()
        )));
    }
    let values = data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok(Tensor::from_data(&shape, values))
}

/// `(shape, bytes)` of a tensor.
pub fn tensor_to<'py>(py: Python<'py>, tensor: &Tensor) -> Wire<'py> {
    let mut bytes = Vec::with_capacity(tensor.numel() * 4);
    for value in tensor.data() {
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    (tensor.shape().to_vec(), PyBytes::new(py, &bytes))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    advanced_activations::register(m)?;
    dense::register(m)?;
    mlp::register(m)?;
    utils::register(m)?;
    Ok(())
}

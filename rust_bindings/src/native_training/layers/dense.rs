//! `monolith/native_training/layers/dense.py` `Dense` -> `monolith_layers::dense::Dense`.
//!
//! The weights are injected: the layer is built from the Keras layer's kernel and bias
//! (`Dense::from_weights`, or `new_no_bias` and `weights_mut` without a bias), then given the
//! Python layer's kernel-norm flags, which re-derive the trainable norm from those weights as
//! Python's `build` does (`tf.linalg.norm(init_kernel, axis=0)`).

use monolith_layers::dense::Dense;
use monolith_layers::layer::Layer;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::{tensor_from, tensor_to, Wire};
use crate::errors;

/// The Rust layer holding `kernel` (and `bias`), configured with the Python layer's flags.
pub fn dense_with_weights(
    kernel_shape: Vec<usize>,
    kernel: &[u8],
    bias: Option<(Vec<usize>, &[u8])>,
    allow_kernel_norm: bool,
    kernel_norm_trainable: bool,
) -> PyResult<Dense> {
    let kernel = tensor_from(kernel_shape, kernel)?;
    let mut layer = match bias {
        Some((shape, data)) => Dense::from_weights(kernel, tensor_from(shape, data)?).map_err(errors::layers)?,
        None => {
            if kernel.ndim() != 2 {
                return Err(errors::unsupported(format!(
                    "a kernel without bias must be 2-D, got shape {:?}",
                    kernel.shape()
                )));
            }
            let mut layer = Dense::new_no_bias(kernel.shape()[0], kernel.shape()[1]);
            *layer.weights_mut() = kernel;
            layer
        }
    };
    if allow_kernel_norm {
        layer.enable_kernel_norm(kernel_norm_trainable);
    } else {
        layer.set_allow_kernel_norm(false);
    }
    Ok(layer)
}

/// `Dense(units, use_bias=..., allow_kernel_norm=..., kernel_norm_trainable=...)(x)` with the given weights.
#[pyfunction]
#[pyo3(signature = (x_shape, x, kernel_shape, kernel, bias=None, allow_kernel_norm=false,
                    kernel_norm_trainable=false))]
fn dense_forward<'py>(
    py: Python<'py>,
    x_shape: Vec<usize>,
    x: &[u8],
    kernel_shape: Vec<usize>,
    kernel: &[u8],
    bias: Option<(Vec<usize>, Vec<u8>)>,
    allow_kernel_norm: bool,
    kernel_norm_trainable: bool,
) -> PyResult<Wire<'py>> {
    let x = tensor_from(x_shape, x)?;
    let layer = dense_with_weights(
        kernel_shape,
        kernel,
        bias.as_ref().map(|(s, d)| (s.clone(), d.as_slice())),
        allow_kernel_norm,
        kernel_norm_trainable,
    )?;
    let y = layer.forward(&x).map_err(errors::layers)?;
    Ok(tensor_to(py, &y))
}

/// The configuration flags of `Dense::new(in_features, out_features)` (the Rust layer's defaults),
/// read from its serde form: the port has no getters for them.
#[pyfunction]
fn dense_default_flags<'py>(
    py: Python<'py>,
    in_features: usize,
    out_features: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let value = serde_json::to_value(Dense::new(in_features, out_features)).map_err(errors::serde_json)?;
    let flags = PyDict::new(py);
    for key in ["use_bias", "allow_kernel_norm", "kernel_norm_trainable"] {
        let flag = value.get(key).and_then(|v| v.as_bool()).ok_or_else(|| {
            errors::unsupported(format!("Dense serializes no boolean {key:?}: {value}"))
        })?;
        flags.set_item(key, flag)?;
    }
    Ok(flags)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dense_forward, m)?)?;
    m.add_function(wrap_pyfunction!(dense_default_flags, m)?)?;
    Ok(())
}

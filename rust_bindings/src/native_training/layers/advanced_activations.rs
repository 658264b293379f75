//! `monolith/native_training/layers/advanced_activations.py` -> `monolith_layers::activation`.
//!
//! One wrapper for every activation layer: the name is the Python one (`advanced_activations.get`'s
//! keys), the parameters are the Keras layer's, always given by the case (the Rust constructors have
//! no defaults of their own to compare).

use monolith_layers::activation::{
    Exponential, HardSigmoid, LeakyReLU, Linear, ReLU, Sigmoid, Sigmoid2, Softmax, Softplus,
    Softsign, Swish, Tanh, ThresholdedReLU, ELU, GELU, SELU,
};
use monolith_layers::layer::Layer;
use pyo3::prelude::*;

use super::{tensor_from, tensor_to, Wire};
use crate::errors;

fn required(name: &str, param: &str, value: Option<f32>) -> PyResult<f32> {
    value.ok_or_else(|| {
        pyo3::exceptions::PyTypeError::new_err(format!("activation {name:?} needs {param}="))
    })
}

/// `advanced_activations.get(name)` (or the layer class with these parameters) called on `x`.
#[pyfunction]
#[pyo3(signature = (name, shape, data, alpha=None, theta=None, max_value=None, negative_slope=None,
                    threshold=None, axis=None))]
#[allow(clippy::too_many_arguments)]
fn activation_forward<'py>(
    py: Python<'py>,
    name: &str,
    shape: Vec<usize>,
    data: &[u8],
    alpha: Option<f32>,
    theta: Option<f32>,
    max_value: Option<f32>,
    negative_slope: Option<f32>,
    threshold: Option<f32>,
    axis: Option<isize>,
) -> PyResult<Wire<'py>> {
    let x = tensor_from(shape, data)?;
    let layer: Box<dyn Layer> = match name.to_lowercase().as_str() {
        "relu" => Box::new(ReLU::with_params(
            max_value,
            negative_slope.unwrap_or(0.0),
            threshold.unwrap_or(0.0),
        )),
        "leakyrelu" => Box::new(LeakyReLU::new(required(name, "alpha", alpha)?)),
        "elu" => Box::new(ELU::new(required(name, "alpha", alpha)?)),
        "thresholdedrelu" => Box::new(ThresholdedReLU::new(required(name, "theta", theta)?)),
        "softmax" => Box::new(Softmax::with_axis(axis.unwrap_or(-1))),
        "sigmoid" => Box::new(Sigmoid::new()),
        "sigmoid2" => Box::new(Sigmoid2::new()),
        "tanh" => Box::new(Tanh::new()),
        "gelu" => Box::new(GELU::new()),
        "selu" => Box::new(SELU::new()),
        "softplus" => Box::new(Softplus::new()),
        "softsign" => Box::new(Softsign::new()),
        "swish" => Box::new(Swish::new()),
        "exponential" => Box::new(Exponential::new()),
        "hard_sigmoid" | "hardsigmoid" => Box::new(HardSigmoid::new()),
        "linear" => Box::new(Linear::new()),
        other => {
            return Err(errors::unsupported(format!(
                "activation {other:?} has no wrapper (monolith_layers::activation)"
            )))
        }
    };
    let y = layer.forward(&x).map_err(errors::layers)?;
    Ok(tensor_to(py, &y))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(activation_forward, m)?)?;
    Ok(())
}

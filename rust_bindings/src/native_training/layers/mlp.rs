//! `monolith/native_training/layers/mlp.py` `MLP` -> `monolith_layers::mlp::MLP`.
//!
//! The port has no weight setter on `MLPConfig`, so the binding builds the MLP from the config (the
//! Python layer's `output_dims`, per-layer activations and flags) and then puts the Keras layer's
//! kernels and biases into its dense layers (`dense_layers_mut`), re-deriving each trainable kernel
//! norm from the injected kernel as Python's `Dense.build` does.

use monolith_layers::layer::Layer;
use monolith_layers::mlp::{ActivationType, MLPConfig};
use pyo3::prelude::*;

use super::{tensor_from, tensor_to, Wire};
use crate::errors;

/// The `ActivationType` of a Python activation name (`None`: no activation after that layer).
fn activation_type(name: Option<&str>) -> PyResult<ActivationType> {
    Ok(match name.map(str::to_lowercase).as_deref() {
        None => ActivationType::None,
        Some("relu") => ActivationType::relu(),
        Some("sigmoid") => ActivationType::Sigmoid,
        Some("sigmoid2") => ActivationType::Sigmoid2,
        Some("tanh") => ActivationType::Tanh,
        Some("gelu") => ActivationType::GELU,
        Some("selu") => ActivationType::SELU,
        Some("softplus") => ActivationType::Softplus,
        Some("softsign") => ActivationType::Softsign,
        Some("swish") => ActivationType::Swish,
        Some("hard_sigmoid") | Some("hardsigmoid") => ActivationType::HardSigmoid,
        Some("linear") => ActivationType::Linear,
        Some("exponential") => ActivationType::Exponential,
        Some(other) => {
            return Err(errors::unsupported(format!(
                "MLP activation {other:?} has no parameterless ActivationType"
            )))
        }
    })
}

/// One dense layer's weights: `(kernel_shape, kernel, bias)`; `bias` is `None` when `use_bias=False`.
type DenseWeights = (Vec<usize>, Vec<u8>, Option<Vec<u8>>);

/// `MLP(output_dims, activations, use_weight_norm, use_learnable_weight_norm, use_bias)(x)` with the
/// given weights (one entry per layer, in order).
#[pyfunction]
#[pyo3(signature = (x_shape, x, weights, activations, use_weight_norm=true, use_learnable_weight_norm=true,
                    use_bias=true))]
fn mlp_forward<'py>(
    py: Python<'py>,
    x_shape: Vec<usize>,
    x: &[u8],
    weights: Vec<DenseWeights>,
    activations: Vec<Option<String>>,
    use_weight_norm: bool,
    use_learnable_weight_norm: bool,
    use_bias: bool,
) -> PyResult<Wire<'py>> {
    let x = tensor_from(x_shape, x)?;
    if weights.len() != activations.len() || weights.is_empty() {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "mlp_forward: {} weight entries for {} activations",
            weights.len(),
            activations.len()
        )));
    }
    let input_dim = weights[0].0.first().copied().unwrap_or(0);
    let mut config = MLPConfig::new(input_dim)
        .with_bias(use_bias)
        .with_weight_norm(use_weight_norm)
        .with_learnable_weight_norm(use_learnable_weight_norm);
    for ((shape, _, _), act) in weights.iter().zip(&activations) {
        config = config.add_layer(shape.get(1).copied().unwrap_or(0), activation_type(act.as_deref())?);
    }
    let mut mlp = config.build().map_err(errors::layers)?;
    for (dense, (shape, kernel, bias)) in mlp.dense_layers_mut().iter_mut().zip(weights) {
        let out = shape.get(1).copied().unwrap_or(0);
        *dense.weights_mut() = tensor_from(shape, &kernel)?;
        if let Some(bias) = bias {
            *dense.bias_mut() = tensor_from(vec![out], &bias)?;
        }
        if use_weight_norm {
            dense.enable_kernel_norm(use_learnable_weight_norm);
        }
    }
    let y = mlp.forward(&x).map_err(errors::layers)?;
    Ok(tensor_to(py, &y))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mlp_forward, m)?)?;
    Ok(())
}

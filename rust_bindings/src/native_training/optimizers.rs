//! `monolith/native_training/optimizers/{adamom,rmsprop}.py` -> `monolith_optimizer::{Adamom, MonolithRmsprop}`.
//!
//! Each wrapper runs N `apply_gradients` steps on one dense variable and returns, after every
//! step, the variable and the optimizer's slots, as the Python side reads them after each
//! `apply_gradients` call.

use monolith_optimizer::{Adamom, MonolithRmsprop, Optimizer, OptimizerConfig};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors;

#[pyfunction]
#[pyo3(signature = (var, grads, learning_rate, ada_decay, mom_decay, epsilon, weight_decay))]
#[allow(clippy::too_many_arguments)]
fn adamom_steps<'py>(py: Python<'py>, var: Vec<f32>, grads: Vec<Vec<f32>>, learning_rate: f32, ada_decay: f32,
                     mom_decay: f32, epsilon: f32, weight_decay: f32) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let config = OptimizerConfig::Adamom { learning_rate, ada_decay, mom_decay, epsilon, weight_decay };
    let mut optimizer = Adamom::new(config).map_err(|e| errors::unsupported(e.to_string()))?;
    let mut embedding = var;
    let mut steps = Vec::with_capacity(grads.len());
    for grad in &grads {
        optimizer.apply_gradients(&mut embedding, grad);
        let state = PyDict::new(py);
        state.set_item("var", embedding.clone())?;
        state.set_item("m", optimizer.first_moment().to_vec())?;
        state.set_item("v", optimizer.second_moment().to_vec())?;
        state.set_item("c", optimizer.c().to_vec())?;
        steps.push(state);
    }
    Ok(steps)
}

#[pyfunction]
#[pyo3(signature = (var, grads, learning_rate, beta1, beta2, epsilon, weight_decay, use_v2))]
#[allow(clippy::too_many_arguments)]
fn monolith_rmsprop_steps<'py>(py: Python<'py>, var: Vec<f32>, grads: Vec<Vec<f32>>, learning_rate: f32, beta1: f32,
                               beta2: f32, epsilon: f32, weight_decay: f32, use_v2: bool)
                               -> PyResult<Vec<Bound<'py, PyDict>>> {
    let config = OptimizerConfig::MonolithRmsprop { learning_rate, beta1, beta2, epsilon, weight_decay, use_v2 };
    let mut optimizer = MonolithRmsprop::new(config).map_err(|e| errors::unsupported(e.to_string()))?;
    let mut embedding = var;
    let mut steps = Vec::with_capacity(grads.len());
    for grad in &grads {
        optimizer.apply_gradients(&mut embedding, grad);
        let state = PyDict::new(py);
        state.set_item("var", embedding.clone())?;
        state.set_item("m", optimizer.m().to_vec())?;
        state.set_item("v", optimizer.v().to_vec())?;
        steps.push(state);
    }
    Ok(steps)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(adamom_steps, m)?)?;
    m.add_function(wrap_pyfunction!(monolith_rmsprop_steps, m)?)?;
    Ok(())
}

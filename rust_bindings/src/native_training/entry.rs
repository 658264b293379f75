//! `monolith/native_training/entry.py`'s hash-table optimizers and compressors ->
//! `monolith_optimizer::{Sgd, Adagrad, Momentum, Adam, Ftrl}` and `monolith_hash_table`'s compressors.
//!
//! `hash_table_optimizer_steps` runs N `apply_gradients` steps on one embedding and returns,
//! after each, the embedding and the optimizer's state arrays under the names of monolith's
//! `OptimizerDump` fields (adagrad `norm`, momentum `n`, adam `m` / `v`, ftrl `zero` / `norm`).

use std::collections::HashMap;

use monolith_hash_table::compressor::{Compressor, FixedR8Compressor, Fp16Compressor, NoCompression};
use monolith_optimizer::{Adagrad, Adam, Ftrl, Momentum, Optimizer, Sgd};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors;

fn param(params: &HashMap<String, f32>, name: &str) -> PyResult<f32> {
    params.get(name).copied().ok_or_else(|| errors::unsupported(format!("missing optimizer parameter {name}")))
}

#[pyfunction]
fn hash_table_optimizer_steps<'py>(py: Python<'py>, kind: &str, params: HashMap<String, f32>, var: Vec<f32>,
                                   grads: Vec<Vec<f32>>) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let mut embedding = var;
    let mut steps = Vec::with_capacity(grads.len());
    macro_rules! run {
        ($optimizer:expr, |$o:ident, $state:ident| $fill:block) => {{
            let mut $o = $optimizer;
            for grad in &grads {
                $o.apply_gradients(&mut embedding, grad);
                let $state = PyDict::new(py);
                $fill
                let step = PyDict::new(py);
                step.set_item("var", embedding.clone())?;
                step.set_item("state", $state)?;
                steps.push(step);
            }
        }};
    }
    let lr = param(&params, "learning_rate")?;
    match kind {
        "sgd" => run!(Sgd::with_learning_rate(lr), |o, _s| {}),
        "adagrad" => run!(Adagrad::with_params(lr, param(&params, "initial_accumulator_value")?,
                                               param(&params, "weight_decay_factor")?),
                          |o, s| { s.set_item("norm", o.accumulator().to_vec())?; }),
        "momentum" => run!(Momentum::with_params(lr, param(&params, "momentum")?,
                                                 param(&params, "weight_decay_factor")?,
                                                 param(&params, "use_nesterov")? != 0.0),
                           |o, s| { s.set_item("n", o.velocity().to_vec())?; }),
        "adam" => run!(Adam::with_params(lr, param(&params, "beta1")?, param(&params, "beta2")?,
                                         param(&params, "epsilon")?),
                       |o, s| { s.set_item("m", o.first_moment().to_vec())?;
                                s.set_item("v", o.second_moment().to_vec())?; }),
        "ftrl" => run!(Ftrl::with_params(lr, param(&params, "learning_rate_power")?, param(&params, "l1_reg")?,
                                         param(&params, "l2_reg")?),
                       |o, s| { s.set_item("zero", o.linear().to_vec())?;
                                s.set_item("norm", o.accumulator().to_vec())?; }),
        other => return Err(errors::unsupported(format!("no hash-table optimizer {other} in the port"))),
    }
    Ok(steps)
}

fn compressor(kind: &str) -> PyResult<Box<dyn Compressor>> {
    match kind {
        "fp32" => Ok(Box::new(NoCompression)),
        "fp16" => Ok(Box::new(Fp16Compressor)),
        "fixed_r8" => Ok(Box::new(FixedR8Compressor)),
        other => Err(errors::unsupported(format!("no float compressor {other} in the port"))),
    }
}

/// `Encode`: the compressed bytes of `values`.
#[pyfunction]
fn compressor_encode<'py>(py: Python<'py>, kind: &str, values: Vec<f32>) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(py, &compressor(kind)?.compress(&values)))
}

/// `Decode`: `dim` floats from compressed bytes.
#[pyfunction]
fn compressor_decode(kind: &str, data: Vec<u8>, dim: usize) -> PyResult<Vec<f32>> {
    Ok(compressor(kind)?.decompress(&data, dim))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(hash_table_optimizer_steps, m)?)?;
    m.add_function(wrap_pyfunction!(compressor_encode, m)?)?;
    m.add_function(wrap_pyfunction!(compressor_decode, m)?)?;
    Ok(())
}

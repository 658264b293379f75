//! `monolith/native_training/learning_rate_functions.py` ->
//! `monolith_training::native_training::learning_rate_functions`.
//!
//! Python's `PolynomialDecay(...)()` reads TensorFlow's global step; the Rust
//! schedule takes it as an argument (`LearningRateFunction::value(global_step)`).
//! The constructor arguments are Python's, in Python's order and with its
//! defaults; `str()` is Rust's `Display`.

use monolith_training::native_training::learning_rate_functions::{
    LearningRateFunction, PolynomialDecay,
};
use pyo3::prelude::*;

fn polynomial_decay(
    initial_learning_rate: f32,
    decay_steps: u64,
    end_learning_rate: f32,
    power: f32,
    cycle: bool,
    name: Option<String>,
) -> PolynomialDecay {
    let schedule = PolynomialDecay::new(initial_learning_rate, decay_steps)
        .with_end_learning_rate(end_learning_rate)
        .with_power(power)
        .with_cycle(cycle);
    match name {
        Some(name) => schedule.with_name(name),
        None => schedule,
    }
}

/// `PolynomialDecay(initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
/// cycle=False, name=None)()` at `global_step` -> float32 value.
#[pyfunction]
#[pyo3(signature = (initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=false, name=None, *, global_step))]
fn polynomial_decay_value(
    initial_learning_rate: f32,
    decay_steps: u64,
    end_learning_rate: f32,
    power: f32,
    cycle: bool,
    name: Option<String>,
    global_step: u64,
) -> f32 {
    polynomial_decay(initial_learning_rate, decay_steps, end_learning_rate, power, cycle, name)
        .value(global_step)
}

/// `str(PolynomialDecay(...))`.
#[pyfunction]
#[pyo3(signature = (initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=false, name=None))]
fn polynomial_decay_str(
    initial_learning_rate: f32,
    decay_steps: u64,
    end_learning_rate: f32,
    power: f32,
    cycle: bool,
    name: Option<String>,
) -> String {
    polynomial_decay(initial_learning_rate, decay_steps, end_learning_rate, power, cycle, name)
        .to_string()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(polynomial_decay_value, m)?)?;
    m.add_function(wrap_pyfunction!(polynomial_decay_str, m)?)?;
    Ok(())
}

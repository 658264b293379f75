//! `monolith/core/optimizers.py` (the `optimizers` name -> class dict) -> `monolith_core::optimizers::OptimizerName`.

use pyo3::prelude::*;

/// `OptimizerName::parse(name).as_key()`: the key the Rust registry recognises, or its error.
#[pyfunction]
fn optimizer_name_parse(name: &str) -> PyResult<&'static str> {
    monolith_core::optimizers::OptimizerName::parse(name)
        .map(|o| o.as_key())
        .map_err(crate::errors::core)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(optimizer_name_parse, m)?)?;
    Ok(())
}

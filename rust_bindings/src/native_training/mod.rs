//! Wrappers for `monolith/native_training/*.py` whose Python side runs monolith's C++ kernels
//! (crates `monolith-training`, `monolith-data`, `monolith-optimizer`, `monolith-hash-table`).
//!
//! Some functions return a plain value at one monolith-rs revision and a `Result` at another;
//! [`PortResult`] accepts both, so one wrapper builds against either and an `Err` becomes
//! `NativeTrainingError` (its `kind` is the error's variant, its message the error's `Display`).

use pyo3::create_exception;
use pyo3::prelude::*;

use crate::errors::MonolithError;

pub mod data;
pub mod entry;
pub mod gen_seq_mask;
pub mod logging_ops;
pub mod optimizers;
pub mod ragged_utils;

create_exception!(
    monolith_parity_rs,
    NativeTrainingError,
    MonolithError,
    "An error a monolith-rs native_training function returned (its variant is in `kind`)."
);

/// The value of a port function that returns either `T` or `Result<T, E>`, depending on the revision.
pub trait PortResult<T> {
    fn port(self) -> PyResult<T>;
}

impl<T, E: std::fmt::Display + std::fmt::Debug> PortResult<T> for Result<T, E> {
    fn port(self) -> PyResult<T> {
        self.map_err(|e| {
            let kind = format!("{e:?}")
                .split(|c: char| c == '(' || c == '{' || c == ' ')
                .next()
                .unwrap_or_default()
                .to_string();
            let err = NativeTrainingError::new_err(e.to_string());
            Python::attach(|py| {
                let _ = err.value(py).setattr("kind", kind);
            });
            err
        })
    }
}

macro_rules! plain_port {
    ($($t:ty),*) => {$(
        impl PortResult<$t> for $t {
            fn port(self) -> PyResult<$t> {
                Ok(self)
            }
        }
    )*};
}
plain_port!(Vec<Vec<i64>>, Vec<Vec<i32>>, Vec<usize>);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("NativeTrainingError", m.py().get_type::<NativeTrainingError>())?;
    gen_seq_mask::register(m)?;
    ragged_utils::register(m)?;
    logging_ops::register(m)?;
    optimizers::register(m)?;
    data::register(m)?;
    entry::register(m)?;
    Ok(())
}

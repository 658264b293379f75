//! Python exceptions for monolith-rs errors, with stable type names.
//!
//! Cases map error types by name (`errors={"JSONDecodeError": "SerdeJsonError"}`),
//! so each Rust error type gets one exception class named after it, all
//! deriving from `MonolithError`.  The enum variant is kept in the
//! exception's `kind` attribute (e.g. `"ConfigError"`).

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    monolith_parity_rs,
    MonolithError,
    PyException,
    "Base of every monolith-rs error raised by the bindings."
);
create_exception!(
    monolith_parity_rs,
    ServingError,
    MonolithError,
    "monolith_serving::ServingError."
);
create_exception!(
    monolith_parity_rs,
    SerdeJsonError,
    MonolithError,
    "serde_json::Error (JSON encode/decode)."
);
create_exception!(
    monolith_parity_rs,
    IoError,
    MonolithError,
    "std::io::Error."
);
create_exception!(
    monolith_parity_rs,
    DiscoveryError,
    MonolithError,
    "monolith_training::discovery::DiscoveryError."
);
create_exception!(
    monolith_parity_rs,
    DeviceUtilsError,
    MonolithError,
    "monolith_training::native_training::device_utils::DeviceUtilsError (only some revisions have it)."
);
create_exception!(
    monolith_parity_rs,
    UnsupportedByPort,
    MonolithError,
    "The input is valid for the Python reference but the Rust API cannot express it (a parameter or value it lacks)."
);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("MonolithError", py.get_type::<MonolithError>())?;
    m.add("ServingError", py.get_type::<ServingError>())?;
    m.add("SerdeJsonError", py.get_type::<SerdeJsonError>())?;
    m.add("IoError", py.get_type::<IoError>())?;
    m.add("DiscoveryError", py.get_type::<DiscoveryError>())?;
    m.add("DeviceUtilsError", py.get_type::<DeviceUtilsError>())?;
    m.add("UnsupportedByPort", py.get_type::<UnsupportedByPort>())?;
    Ok(())
}

/// The variant name of an error enum, from its `Debug` form (`ConfigError("x")` -> `ConfigError`).
fn variant(debug: &str) -> String {
    debug
        .split(|c: char| c == '(' || c == '{' || c == ' ')
        .next()
        .unwrap_or_default()
        .to_string()
}

fn with_kind(err: PyErr, kind: String) -> PyErr {
    Python::attach(|py| {
        // Setting an attribute on a fresh exception instance cannot fail in practice;
        // if it does, the error without `kind` is still the right error.
        let _ = err.value(py).setattr("kind", kind);
    });
    err
}

#[cfg(feature = "agent_service")]
pub fn serving(e: monolith_serving::ServingError) -> PyErr {
    let kind = variant(&format!("{e:?}"));
    with_kind(ServingError::new_err(e.to_string()), kind)
}

pub fn serde_json(e: serde_json::Error) -> PyErr {
    let kind = format!("{:?}", e.classify());
    with_kind(SerdeJsonError::new_err(e.to_string()), kind)
}

pub fn io(e: std::io::Error) -> PyErr {
    let kind = format!("{:?}", e.kind());
    with_kind(IoError::new_err(e.to_string()), kind)
}

/// Generic over the error type, so it compiles against revisions whose error type differs or is absent.
#[cfg(feature = "native_training")]
pub fn discovery<E: std::fmt::Debug + std::fmt::Display>(e: E) -> PyErr {
    let kind = variant(&format!("{e:?}"));
    with_kind(DiscoveryError::new_err(e.to_string()), kind)
}

#[cfg(feature = "native_training")]
pub fn device_utils<E: std::fmt::Debug + std::fmt::Display>(e: E) -> PyErr {
    let kind = variant(&format!("{e:?}"));
    with_kind(DeviceUtilsError::new_err(e.to_string()), kind)
}

pub fn unsupported(message: impl Into<String>) -> PyErr {
    UnsupportedByPort::new_err(message.into())
}

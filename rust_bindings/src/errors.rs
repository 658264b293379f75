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
    CoreError,
    MonolithError,
    "monolith_core::MonolithError (the variant in `kind`); its Py* variants raise the subclasses below."
);
create_exception!(monolith_parity_rs, CorePyValueError, CoreError, "monolith_core::MonolithError::PyValueError.");
create_exception!(monolith_parity_rs, CorePyTypeError, CoreError, "monolith_core::MonolithError::PyTypeError.");
create_exception!(
    monolith_parity_rs,
    CorePyAssertionError,
    CoreError,
    "monolith_core::MonolithError::PyAssertionError."
);
create_exception!(monolith_parity_rs, CorePyKeyError, CoreError, "monolith_core::MonolithError::PyKeyError.");
create_exception!(
    monolith_parity_rs,
    CorePyAttributeError,
    CoreError,
    "monolith_core::MonolithError::PyAttributeError."
);
create_exception!(monolith_parity_rs, CorePyLookupError, CoreError, "monolith_core::MonolithError::PyLookupError.");
create_exception!(
    monolith_parity_rs,
    SaveUtilsError,
    MonolithError,
    "monolith_training::native_training::save_utils::SaveUtilsError."
);
create_exception!(
    monolith_parity_rs,
    RunnerUtilsError,
    MonolithError,
    "monolith_training::runner_utils::RunnerUtilsError."
);
create_exception!(
    monolith_parity_rs,
    RunConfigError,
    MonolithError,
    "monolith_training::run_config::RunConfigError (only some revisions have it)."
);
create_exception!(
    monolith_parity_rs,
    ServiceDiscoveryError,
    MonolithError,
    "monolith_training::native_training::service_discovery::ServiceDiscoveryError."
);
create_exception!(
    monolith_parity_rs,
    ConsulError,
    MonolithError,
    "monolith_training::native_training::consul::ConsulError."
);
create_exception!(
    monolith_parity_rs,
    GenSeqMaskError,
    MonolithError,
    "monolith_training::native_training::gen_seq_mask::GenSeqMaskError (only some revisions have it)."
);
create_exception!(
    monolith_parity_rs,
    RaggedUtilsError,
    MonolithError,
    "monolith_training::native_training::ragged_utils::RaggedUtilsError (only some revisions have it)."
);
create_exception!(
    monolith_parity_rs,
    LayerError,
    MonolithError,
    "monolith_layers::LayerError."
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
    m.add("CoreError", py.get_type::<CoreError>())?;
    m.add("CorePyValueError", py.get_type::<CorePyValueError>())?;
    m.add("CorePyTypeError", py.get_type::<CorePyTypeError>())?;
    m.add("CorePyAssertionError", py.get_type::<CorePyAssertionError>())?;
    m.add("CorePyKeyError", py.get_type::<CorePyKeyError>())?;
    m.add("CorePyAttributeError", py.get_type::<CorePyAttributeError>())?;
    m.add("CorePyLookupError", py.get_type::<CorePyLookupError>())?;
    m.add("SaveUtilsError", py.get_type::<SaveUtilsError>())?;
    m.add("RunnerUtilsError", py.get_type::<RunnerUtilsError>())?;
    m.add("RunConfigError", py.get_type::<RunConfigError>())?;
    m.add("ServiceDiscoveryError", py.get_type::<ServiceDiscoveryError>())?;
    m.add("ConsulError", py.get_type::<ConsulError>())?;
    m.add("GenSeqMaskError", py.get_type::<GenSeqMaskError>())?;
    m.add("RaggedUtilsError", py.get_type::<RaggedUtilsError>())?;
    m.add("LayerError", py.get_type::<LayerError>())?;
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

/// `monolith_core::MonolithError`: the variants that mirror a Python exception (`PyValueError`, ...)
/// raise `CorePy<Name>` so cases map `ValueError` to exactly that variant; the others `CoreError`.
#[cfg(feature = "core")]
pub fn core(e: monolith_core::MonolithError) -> PyErr {
    use monolith_core::MonolithError as E;
    let kind = variant(&format!("{e:?}"));
    let message = e.to_string();
    let err = match e {
        E::PyValueError { .. } => CorePyValueError::new_err(message),
        E::PyTypeError { .. } => CorePyTypeError::new_err(message),
        E::PyAssertionError { .. } => CorePyAssertionError::new_err(message),
        E::PyKeyError { .. } => CorePyKeyError::new_err(message),
        E::PyAttributeError { .. } => CorePyAttributeError::new_err(message),
        E::PyLookupError { .. } => CorePyLookupError::new_err(message),
        _ => CoreError::new_err(message),
    };
    with_kind(err, kind)
}

/// The native_training errors below are generic over the error type, so each compiles against
/// revisions whose error enums differ (or lack a variant).
#[cfg(feature = "native_training")]
fn kinded<E: std::fmt::Debug + std::fmt::Display>(e: E, make: fn(String) -> PyErr) -> PyErr {
    let kind = variant(&format!("{e:?}"));
    with_kind(make(e.to_string()), kind)
}

#[cfg(feature = "native_training")]
pub fn save_utils<E: std::fmt::Debug + std::fmt::Display>(e: E) -> PyErr {
    kinded(e, SaveUtilsError::new_err)
}

#[cfg(feature = "native_training")]
pub fn runner_utils<E: std::fmt::Debug + std::fmt::Display>(e: E) -> PyErr {
    kinded(e, RunnerUtilsError::new_err)
}

#[cfg(feature = "native_training")]
#[allow(dead_code)] // only revisions with run_config.rs use it
pub fn run_config<E: std::fmt::Debug + std::fmt::Display>(e: E) -> PyErr {
    kinded(e, RunConfigError::new_err)
}

#[cfg(feature = "native_training")]
pub fn service_discovery<E: std::fmt::Debug + std::fmt::Display>(e: E) -> PyErr {
    kinded(e, ServiceDiscoveryError::new_err)
}

#[cfg(feature = "native_training")]
pub fn consul<E: std::fmt::Debug + std::fmt::Display>(e: E) -> PyErr {
    kinded(e, ConsulError::new_err)
}

#[cfg(feature = "native_training")]
#[allow(dead_code)] // only revisions whose gen_seq_mask returns Result use it
pub fn gen_seq_mask<E: std::fmt::Debug + std::fmt::Display>(e: E) -> PyErr {
    kinded(e, GenSeqMaskError::new_err)
}

#[cfg(feature = "native_training")]
#[allow(dead_code)] // only revisions whose fused_value_rowids returns Result use it
pub fn ragged_utils<E: std::fmt::Debug + std::fmt::Display>(e: E) -> PyErr {
    kinded(e, RaggedUtilsError::new_err)
}

#[cfg(feature = "native_training")]
pub fn layers<E: std::fmt::Debug + std::fmt::Display>(e: E) -> PyErr {
    let kind = variant(&format!("{e:?}"));
    with_kind(LayerError::new_err(e.to_string()), kind)
}

pub fn unsupported(message: impl Into<String>) -> PyErr {
    UnsupportedByPort::new_err(message.into())
}

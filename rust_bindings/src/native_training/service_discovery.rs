//! `monolith/native_training/service_discovery.py` -> `monolith_training::py_discovery`
//! (`TfConfigServiceDiscovery`, `MlpServiceDiscovery`) and
//! `monolith_training::native_training::service_discovery` (`ConsulServiceDiscovery`).
//!
//! The worked example of a function only some revisions have:
//! `MlpServiceDiscovery::query_all` exists on the branch, not on master.  The
//! wrapper carries the `api_has` fact; where the checkout lacks the method the
//! wrapper is not compiled, `__parity_api__` says why, and its cases get the
//! verdict `rust unavailable: monolith_training::py_discovery::MlpServiceDiscovery::query_all
//! not in this checkout`.
//!
//! Stateful discoveries are classes whose methods are the ones every revision has
//! (`register`, `deregister`, `query` of the `PyServiceDiscovery` / `ServiceDiscovery` traits);
//! what only some revisions have (`server_type`, `index`, `addr`, `query_all`, `deregister_all`,
//! `close`) are free functions taking the object, each under its fact, so a case that needs one
//! is *rust unavailable* where it is absent.  Queries return `{index: addr}` dicts.

use std::collections::HashMap;

use monolith_training::py_discovery::{MlpServiceDiscovery, PyServiceDiscovery, TfConfigServiceDiscovery};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors;

fn index_map<'py, I: IntoIterator<Item = (i32, String)>>(py: Python<'py>, entries: I) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for (index, addr) in entries {
        out.set_item(index, addr)?;
    }
    Ok(out)
}

fn named_maps<'py, M: IntoIterator<Item = (i32, String)>>(
    py: Python<'py>,
    all: impl IntoIterator<Item = (String, M)>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for (name, replicas) in all {
        out.set_item(name, index_map(py, replicas)?)?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------- TF_CONFIG
/// `TfConfigServiceDiscovery(json.loads(tf_config))`: constructed from the TF_CONFIG JSON text.
#[pyclass(name = "TfConfigServiceDiscovery", unsendable)]
struct PyTfConfig {
    inner: TfConfigServiceDiscovery,
}

#[pymethods]
impl PyTfConfig {
    #[new]
    fn new(tf_config: &str) -> PyResult<Self> {
        Ok(Self { inner: TfConfigServiceDiscovery::new(tf_config).map_err(errors::discovery)? })
    }

    fn register(&self, name: &str, index: i32, addr: &str) -> PyResult<()> {
        PyServiceDiscovery::register(&self.inner, name, index, addr).map_err(errors::discovery)
    }

    fn deregister(&self, name: &str, index: i32, addr: &str) -> PyResult<()> {
        PyServiceDiscovery::deregister(&self.inner, name, index, addr).map_err(errors::discovery)
    }

    fn query<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyDict>> {
        index_map(py, PyServiceDiscovery::query(&self.inner, name).map_err(errors::discovery)?)
    }

    /// The `server_type` property.
    fn server_type(&self) -> String {
        self.inner.server_type().to_string()
    }

    /// The `index` property.
    fn index(&self) -> usize {
        self.inner.index()
    }

    /// The `addr` property.
    fn addr(&self) -> PyResult<String> {
        self.inner.addr().map(str::to_string).map_err(errors::discovery)
    }
}

// ---------------------------------------------------------------------------------------- MLP
/// `MLPServiceDiscovery()`: reads the `MLP_*` environment of this process when constructed.
#[pyclass(name = "MlpServiceDiscovery", unsendable)]
struct PyMlp {
    inner: MlpServiceDiscovery,
}

#[pymethods]
impl PyMlp {
    #[new]
    fn new() -> Self {
        Self { inner: MlpServiceDiscovery::new() }
    }

    fn register(&self, name: &str, index: i32, addr: &str) -> PyResult<()> {
        PyServiceDiscovery::register(&self.inner, name, index, addr).map_err(errors::discovery)
    }

    fn deregister(&self, name: &str, index: i32, addr: &str) -> PyResult<()> {
        PyServiceDiscovery::deregister(&self.inner, name, index, addr).map_err(errors::discovery)
    }

    fn query<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyDict>> {
        index_map(py, PyServiceDiscovery::query(&self.inner, name).map_err(errors::discovery)?)
    }

    /// `close()` as the `PyServiceDiscovery` trait has it in this revision (a default no-op where
    /// `MlpServiceDiscovery` does not override it).
    fn close(&self) -> PyResult<()> {
        PyServiceDiscovery::close(&self.inner).map_err(errors::discovery)
    }
}

/// `MLPServiceDiscovery().query_all()` -> `{role: {index: "host:port"}}`, from the `MLP_*`
/// environment of the calling process (read by `MlpServiceDiscovery::new`, as Python's `MLPEnv()`).
#[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::query_all")]
#[pyfunction]
fn mlp_service_discovery_query_all(
    py: Python<'_>,
) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let all = MlpServiceDiscovery::new()
        .query_all()
        .map_err(crate::errors::discovery)?;
    named_maps(py, all)
}

/// `discovery.query_all()` on an existing `MlpServiceDiscovery` (its filters applied).
#[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::query_all")]
#[pyfunction]
fn mlp_sd_query_all<'py>(py: Python<'py>, discovery: PyRef<'py, PyMlp>) -> PyResult<Bound<'py, PyDict>> {
    named_maps(py, discovery.inner.query_all().map_err(errors::discovery)?)
}

/// The `server_type` property.
#[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::server_type")]
#[pyfunction]
fn mlp_sd_server_type(discovery: PyRef<'_, PyMlp>) -> Option<String> {
    discovery.inner.server_type()
}

/// The `index` property.
#[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::index")]
#[pyfunction]
fn mlp_sd_index(discovery: PyRef<'_, PyMlp>) -> usize {
    discovery.inner.index()
}

/// The `addr` attribute.
#[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::addr")]
#[pyfunction]
fn mlp_sd_addr(discovery: PyRef<'_, PyMlp>) -> Option<String> {
    discovery.inner.addr()
}

/// `discovery.deregister_all()`.
#[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::deregister_all")]
#[pyfunction]
fn mlp_sd_deregister_all(discovery: PyRef<'_, PyMlp>) {
    discovery.inner.deregister_all()
}

// ---------------------------------------------------------------------------------------- Consul
/// `ConsulServiceDiscovery(consul_id, retry_time_secs=3.0)` over monolith-rs's own Consul client
/// (`native_training::consul::Client`, which reads `CONSUL_HTTP_HOST` / `CONSUL_HTTP_PORT`).
#[pyclass(name = "ConsulServiceDiscovery", unsendable)]
struct PyConsul {
    inner: monolith_training::native_training::service_discovery::ConsulServiceDiscovery,
}

#[pymethods]
impl PyConsul {
    #[new]
    #[pyo3(signature = (consul_id, retry_time_secs=3.0))]
    fn new(consul_id: &str, retry_time_secs: f64) -> Self {
        use monolith_training::native_training::service_discovery::ConsulServiceDiscovery;
        Self { inner: ConsulServiceDiscovery::new(consul_id).with_retry_time_secs(retry_time_secs) }
    }

    fn register(&self, py: Python<'_>, name: &str, index: i32, addr: &str) -> PyResult<()> {
        use monolith_training::native_training::service_discovery::ServiceDiscovery;
        // Blocking HTTP to a server that may live in this very process: let it run.
        py.detach(|| self.inner.register(name, index, addr)).map_err(errors::service_discovery)
    }

    fn deregister(&self, py: Python<'_>, name: &str, index: i32, addr: &str) -> PyResult<()> {
        use monolith_training::native_training::service_discovery::ServiceDiscovery;
        py.detach(|| self.inner.deregister(name, index, addr)).map_err(errors::service_discovery)
    }

    fn query<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyDict>> {
        use monolith_training::native_training::service_discovery::ServiceDiscovery;
        let found = py.detach(|| self.inner.query(name)).map_err(errors::service_discovery)?;
        index_map(py, found)
    }

    fn query_all<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let all: HashMap<String, _> = py.detach(|| self.inner.query_all()).map_err(errors::service_discovery)?;
        named_maps(py, all)
    }

    fn close(&self) -> PyResult<()> {
        use monolith_training::native_training::service_discovery::ServiceDiscovery;
        self.inner.close().map_err(errors::service_discovery)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTfConfig>()?;
    m.add_class::<PyMlp>()?;
    m.add_class::<PyConsul>()?;
    #[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::query_all")]
    {
        m.add_function(wrap_pyfunction!(mlp_service_discovery_query_all, m)?)?;
        m.add_function(wrap_pyfunction!(mlp_sd_query_all, m)?)?;
    }
    #[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::server_type")]
    m.add_function(wrap_pyfunction!(mlp_sd_server_type, m)?)?;
    #[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::index")]
    m.add_function(wrap_pyfunction!(mlp_sd_index, m)?)?;
    #[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::addr")]
    m.add_function(wrap_pyfunction!(mlp_sd_addr, m)?)?;
    #[cfg(api_has = "monolith_training::py_discovery::MlpServiceDiscovery::deregister_all")]
    m.add_function(wrap_pyfunction!(mlp_sd_deregister_all, m)?)?;
    let _ = m;
    Ok(())
}

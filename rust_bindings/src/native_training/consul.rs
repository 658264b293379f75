//! `monolith/native_training/consul.py` (`Client`) -> `monolith_training::native_training::consul::Client`.
//!
//! The client reads `CONSUL_HTTP_HOST` / `TCE_HOST_IP` / `CONSUL_HTTP_PORT` when constructed, as
//! Python's does, and speaks HTTP to that agent.  Every call releases the GIL while it waits, so
//! the agent may be a server running in this very process (the cases' scripted Consul).  `lookup`
//! returns the parsed JSON entries (through Python's `json.loads` of serde_json's text).

use std::collections::HashMap;

use monolith_training::native_training::consul::Client;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors;

#[pyclass(name = "ConsulClient", unsendable)]
struct PyConsulClient {
    inner: Client,
}

#[pymethods]
impl PyConsulClient {
    #[new]
    fn new() -> Self {
        Self { inner: Client::new() }
    }

    /// `lookup(name, timeout=3, cachetime=0)`; seconds, as the Rust API takes them (whole seconds).
    #[pyo3(signature = (name, timeout=3, cachetime=0))]
    fn lookup<'py>(&self, py: Python<'py>, name: &str, timeout: u64, cachetime: u64) -> PyResult<Bound<'py, PyAny>> {
        let inner = &self.inner;
        let entries = py.detach(|| inner.lookup(name, timeout, cachetime)).map_err(errors::io)?;
        let text = serde_json::to_string(&entries).map_err(errors::serde_json)?;
        py.import("json")?.call_method1("loads", (text,))
    }

    /// `register(name, port, tags=None, check_script=None, host=None)`; tag values as text
    /// (Python formats each as `"%s:%s" % (k, v)`).
    #[pyo3(signature = (name, port, tags=None, check_script=None, host=None))]
    fn register(
        &self,
        py: Python<'_>,
        name: &str,
        port: u16,
        tags: Option<&Bound<'_, PyDict>>,
        check_script: Option<&str>,
        host: Option<&str>,
    ) -> PyResult<()> {
        let tags: Option<HashMap<String, String>> = tags.map(|t| t.extract()).transpose()?;
        let inner = &self.inner;
        py.detach(|| inner.register(name, port, tags.as_ref(), check_script, host))
            .map_err(errors::consul)
    }

    /// `deregister(name, port, host=None)`.
    #[pyo3(signature = (name, port, host=None))]
    fn deregister(&self, py: Python<'_>, name: &str, port: u16, host: Option<&str>) -> PyResult<()> {
        let inner = &self.inner;
        py.detach(|| inner.deregister(name, port, host)).map_err(errors::consul)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyConsulClient>()?;
    Ok(())
}

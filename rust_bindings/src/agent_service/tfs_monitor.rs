//! `monolith/agent_service/tfs_monitor.py` -> `monolith_serving::tfs_monitor`.
//!
//! Only the pure part is wrapped: `TFSMonitor(conf).gen_model_config(pms,
//! fix_dense_version)`.  The agent config crosses as a dict of the fields the
//! Rust monitor's `AgentConfig` has (`deploy_type` as the Python string);
//! publish metas as dicts of `PublishMeta` fields (as in data_def.rs).

use monolith_serving::data_def::PublishMeta;
use monolith_serving::tfs_monitor::{AgentConfig, DeployType, TfsMonitor};
use prost::Message;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::{convert, errors};

fn agent_config(conf: &Bound<'_, PyDict>) -> PyResult<AgentConfig> {
    let mut c = AgentConfig::for_test(DeployType::Mixed, 0, 0);
    for (k, v) in conf.iter() {
        let key: String = k.extract()?;
        match key.as_str() {
            "deploy_type" => {
                let d: String = v.extract()?;
                c.deploy_type = match d.as_str() {
                    "mixed" => DeployType::Mixed,
                    "entry" => DeployType::Entry,
                    "ps" => DeployType::Ps,
                    "dense" => DeployType::Dense,
                    other => {
                        return Err(errors::unsupported(format!(
                            "tfs_monitor::DeployType has no {other:?}"
                        )))
                    }
                }
            }
            "dense_alone" => c.dense_alone = v.extract()?,
            "tfs_entry_port" => c.tfs_entry_port = v.extract()?,
            "tfs_ps_port" => c.tfs_ps_port = v.extract()?,
            "tfs_dense_port" => c.tfs_dense_port = v.extract()?,
            other => {
                return Err(PyTypeError::new_err(format!(
                    "tfs_monitor::AgentConfig has no field {other:?}"
                )))
            }
        }
    }
    Ok(c)
}

/// `TFSMonitor(conf).gen_model_config(pms, fix_dense_version)` -> {service type: serialized
/// `tensorflow.serving.ModelServerConfig`}, keys in Python's order (entry, ps, dense).
#[pyfunction]
#[pyo3(signature = (conf, pms, fix_dense_version=false))]
fn tfs_monitor_gen_model_config<'py>(
    py: Python<'py>,
    conf: &Bound<'py, PyDict>,
    pms: Vec<Bound<'py, PyDict>>,
    fix_dense_version: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let monitor = TfsMonitor::new(agent_config(conf)?);
    let pms = pms
        .iter()
        .map(|d| convert::build::<PublishMeta>("PublishMeta", Some(d)))
        .collect::<PyResult<Vec<_>>>()?;
    let configs = monitor.gen_model_config(&pms, fix_dense_version);
    let out = PyDict::new(py);
    for key in ["entry", "ps", "dense"] {
        if let Some(c) = configs.get(key) {
            out.set_item(key, PyBytes::new(py, &c.encode_to_vec()))?;
        }
    }
    for (key, c) in configs.iter() {
        if !["entry", "ps", "dense"].contains(key) {
            out.set_item(*key, PyBytes::new(py, &c.encode_to_vec()))?;
        }
    }
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(tfs_monitor_gen_model_config, m)?)?;
    Ok(())
}

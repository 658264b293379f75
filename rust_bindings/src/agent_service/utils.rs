//! `monolith/agent_service/utils.py` -> `monolith_serving::utils`.
//!
//! Proto builders return the serialized message (bytes); compare them with
//! `compare.proto("<type>")`.  Python parameters the Rust function lacks are
//! accepted and, when given a non-default value, raise `UnsupportedByPort`,
//! so the gap is a verdict rather than a silently different call.

use std::collections::HashMap;
use std::path::Path;

use monolith_proto::tensorflow_serving::apis::model_version_status::State;
use monolith_proto::tensorflow_serving::error::Code;
use monolith_serving::utils::{self as u, DeployType, ZkPath};
use prost::Message;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors;

#[pyfunction]
fn normalize_regex(pattern_str: &str) -> String {
    u::normalize_regex(pattern_str)
}

/// `ZKPath(path)`: its attributes and properties as a dict (None where Python returns None).
#[pyfunction]
fn zk_path<'py>(py: Python<'py>, path: &str) -> PyResult<Bound<'py, PyDict>> {
    let zk = ZkPath::new(path);
    let out = PyDict::new(py);
    out.set_item("path", &zk.path)?;
    out.set_item("bzid", &zk.bzid)?;
    out.set_item("base_name", &zk.base_name)?;
    out.set_item("idc", &zk.idc)?;
    out.set_item("cluster", &zk.cluster)?;
    out.set_item("server_type", &zk.server_type)?;
    out.set_item("index", &zk.index)?;
    out.set_item("replica_id", &zk.replica_id)?;
    out.set_item("task", zk.task())?;
    out.set_item("location", zk.location())?;
    Ok(out)
}

#[pyfunction]
#[pyo3(signature = (path, idc, cluster))]
fn zk_path_ship_in(path: &str, idc: Option<&str>, cluster: Option<&str>) -> bool {
    ZkPath::new(path).ship_in(idc, cluster)
}

/// `DeployType(dtype).compat_server_type(server_type)`.
#[pyfunction]
#[pyo3(signature = (dtype, server_type=None))]
fn deploy_type_compat_server_type(
    dtype: &str,
    server_type: Option<&str>,
) -> PyResult<&'static str> {
    DeployType::parse(dtype)
        .and_then(|d| d.compat_server_type(server_type))
        .map_err(errors::serving)
}

/// `conf_parser(file_name, args)` starting from an empty `args`: key -> every value, keys sorted.
#[pyfunction]
fn conf_parser<'py>(py: Python<'py>, file_name: &str) -> PyResult<Bound<'py, PyDict>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    u::conf_parser(Path::new(file_name), &mut out).map_err(errors::io)?;
    let mut items: Vec<_> = out.into_iter().collect();
    items.sort();
    let dict = PyDict::new(py);
    for (key, values) in items {
        dict.set_item(key, values)?;
    }
    Ok(dict)
}

#[pyfunction]
fn replica_id_from_pod_name() -> i64 {
    u::replica_id_from_pod_name()
}

fn code(error_code: i32) -> PyResult<Code> {
    Code::try_from(error_code).map_err(|_| {
        errors::unsupported(format!(
            "error_code {error_code} is not a tensorflow.error.Code the port knows"
        ))
    })
}

/// `gen_model_spec(name, version, signature_name)` -> serialized `tensorflow.serving.ModelSpec`.
#[pyfunction]
#[pyo3(signature = (name, version=None, signature_name=None))]
fn gen_model_spec<'py>(
    py: Python<'py>,
    name: &str,
    version: Option<&Bound<'py, PyAny>>,
    signature_name: Option<&str>,
) -> PyResult<Bound<'py, PyBytes>> {
    let version = match version {
        None => None,
        Some(v) if v.is_instance_of::<pyo3::types::PyString>() => {
            return Err(errors::unsupported(
                "gen_model_spec: the Rust API has no version_label (a str version)",
            ))
        }
        Some(v) => Some(v.extract::<i64>()?),
    };
    Ok(PyBytes::new(
        py,
        &u::gen_model_spec(name, version, signature_name).encode_to_vec(),
    ))
}

/// `gen_model_config(...)` -> serialized `tensorflow.serving.ModelConfig` (Rust: latest policy only).
#[pyfunction]
#[pyo3(signature = (name, base_path, version_policy="latest", version_data=1, model_platform="tensorflow", version_labels=None))]
fn gen_model_config<'py>(
    py: Python<'py>,
    name: &str,
    base_path: &str,
    version_policy: &str,
    version_data: i64,
    model_platform: &str,
    version_labels: Option<HashMap<String, i64>>,
) -> PyResult<Bound<'py, PyBytes>> {
    if !version_policy.eq_ignore_ascii_case("latest") {
        return Err(errors::unsupported(format!(
            "gen_model_config: the Rust API only builds the 'latest' version policy, not {version_policy:?}"
        )));
    }
    if model_platform != "tensorflow" {
        return Err(errors::unsupported(format!(
            "gen_model_config: the Rust API always uses model_platform 'tensorflow', not {model_platform:?}"
        )));
    }
    let config = u::gen_model_config(name, base_path, version_data, version_labels);
    Ok(PyBytes::new(py, &config.encode_to_vec()))
}

/// `gen_status_proto(error_code, error_message)` -> serialized `tensorflow.serving.StatusProto`.
#[pyfunction]
#[pyo3(signature = (error_code=0, error_message=None))]
fn gen_status_proto<'py>(
    py: Python<'py>,
    error_code: i32,
    error_message: Option<&str>,
) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(
        py,
        &u::gen_status_proto(code(error_code)?, error_message).encode_to_vec(),
    ))
}

/// `gen_model_version_status(version, state, error_code, error_message)` -> serialized
/// `tensorflow.serving.ModelVersionStatus`.
#[pyfunction]
#[pyo3(signature = (version, state=0, error_code=0, error_message=None))]
fn gen_model_version_status<'py>(
    py: Python<'py>,
    version: i64,
    state: i32,
    error_code: i32,
    error_message: Option<&str>,
) -> PyResult<Bound<'py, PyBytes>> {
    let state = State::try_from(state).map_err(|_| {
        errors::unsupported(format!(
            "state {state} is not a ModelVersionStatus.State the port knows"
        ))
    })?;
    let status = u::gen_model_version_status(version, state, code(error_code)?, error_message);
    Ok(PyBytes::new(py, &status.encode_to_vec()))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(normalize_regex, m)?)?;
    m.add_function(wrap_pyfunction!(zk_path, m)?)?;
    m.add_function(wrap_pyfunction!(zk_path_ship_in, m)?)?;
    m.add_function(wrap_pyfunction!(deploy_type_compat_server_type, m)?)?;
    m.add_function(wrap_pyfunction!(conf_parser, m)?)?;
    m.add_function(wrap_pyfunction!(replica_id_from_pod_name, m)?)?;
    m.add_function(wrap_pyfunction!(gen_model_spec, m)?)?;
    m.add_function(wrap_pyfunction!(gen_model_config, m)?)?;
    m.add_function(wrap_pyfunction!(gen_status_proto, m)?)?;
    m.add_function(wrap_pyfunction!(gen_model_version_status, m)?)?;
    Ok(())
}

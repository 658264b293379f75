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
use monolith_serving::utils::{self as u, AgentConfig, DeployType, InstanceFormatter, ZkPath};
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

fn deploy_type_str(d: DeployType) -> &'static str {
    match d {
        DeployType::Mixed => "mixed",
        DeployType::Entry => "entry",
        DeployType::Ps => "ps",
        DeployType::Dense => "dense",
        DeployType::Unified => "unified",
    }
}

/// `AgentConfig.from_file(fname)`: the fields of the Rust `AgentConfig` as a dict
/// (`deploy_type` as its Python string, e.g. `"mixed"`), in struct order.
#[pyfunction]
fn agent_config_from_file<'py>(py: Python<'py>, fname: &str) -> PyResult<Bound<'py, PyDict>> {
    let c = AgentConfig::from_file(Path::new(fname)).map_err(errors::serving)?;
    let out = PyDict::new(py);
    out.set_item("bzid", &c.bzid)?;
    out.set_item("base_name", &c.base_name)?;
    out.set_item("base_path", &c.base_path)?;
    out.set_item("num_ps", c.num_ps)?;
    out.set_item("num_shard", c.num_shard)?;
    out.set_item("deploy_type", deploy_type_str(c.deploy_type))?;
    out.set_item("stand_alone_serving", c.stand_alone_serving)?;
    out.set_item("zk_servers", &c.zk_servers)?;
    out.set_item("dc_aware", c.dc_aware)?;
    out.set_item("agent_version", c.agent_version)?;
    out.set_item("agent_port", c.agent_port)?;
    out.set_item("layout_pattern", &c.layout_pattern)?;
    out.set_item("layout_filters", &c.layout_filters)?;
    out.set_item("tfs_port_archon", c.tfs_port_archon)?;
    out.set_item("tfs_port_grpc", c.tfs_port_grpc)?;
    out.set_item("tfs_port_http", c.tfs_port_http)?;
    Ok(out)
}

/// The environment-driven properties of `AgentConfig.from_file(fname)`:
/// `num_tce_shard`, `shard_id`, `replica_id`, `idc`, `cluster`, `location`,
/// `path_prefix`, `layout_path`, `container_cluster`, `container_id`.
#[pyfunction]
fn agent_config_properties<'py>(py: Python<'py>, fname: &str) -> PyResult<Bound<'py, PyDict>> {
    let c = AgentConfig::from_file(Path::new(fname)).map_err(errors::serving)?;
    let out = PyDict::new(py);
    out.set_item("num_tce_shard", AgentConfig::num_tce_shard())?;
    out.set_item("shard_id", AgentConfig::shard_id())?;
    out.set_item("replica_id", AgentConfig::replica_id())?;
    out.set_item("idc", AgentConfig::idc())?;
    out.set_item("cluster", AgentConfig::cluster())?;
    out.set_item("location", AgentConfig::location())?;
    out.set_item("path_prefix", c.path_prefix())?;
    out.set_item("layout_path", c.layout_path())?;
    out.set_item("container_cluster", c.container_cluster())?;
    out.set_item("container_id", c.container_id())?;
    Ok(out)
}

/// `AgentConfig.from_file(fname).get_cmd_and_port(binary, server_type, config_file)` -> (cmd, port).
#[pyfunction]
#[pyo3(signature = (fname, binary, server_type=None, config_file=None))]
fn agent_config_get_cmd_and_port(
    fname: &str,
    binary: &str,
    server_type: Option<&str>,
    config_file: Option<&str>,
) -> PyResult<(String, u16)> {
    let c = AgentConfig::from_file(Path::new(fname)).map_err(errors::serving)?;
    c.get_cmd_and_port(binary, server_type, config_file.map(Path::new))
        .map_err(errors::serving)
}

/// `InstanceFormater.from_<kind>(fname).to_tensor_proto(batch_size)` -> serialized
/// `tensorflow.TensorProto`; `kind` is `json`, `pb_text` or `dump`.
#[pyfunction]
fn instance_formatter_to_tensor_proto<'py>(
    py: Python<'py>,
    kind: &str,
    fname: &str,
    batch_size: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let path = Path::new(fname);
    let f = match kind {
        "json" => InstanceFormatter::from_json(path),
        "pb_text" => InstanceFormatter::from_pb_text(path),
        "dump" => InstanceFormatter::from_dump(path),
        other => {
            return Err(errors::unsupported(format!(
                "InstanceFormatter has no from_{other}"
            )))
        }
    }
    .map_err(errors::serving)?;
    Ok(PyBytes::new(py, &f.to_tensor_proto(batch_size).encode_to_vec()))
}

/// `get_local_ip()`.
#[pyfunction]
fn get_local_ip() -> String {
    u::get_local_ip()
}

/// `check_port_open(port)`.
#[pyfunction]
fn check_port_open(port: u16) -> bool {
    u::check_port_open(port)
}

/// `find_free_port()`.
#[pyfunction]
fn find_free_port() -> PyResult<u16> {
    u::find_free_port().map_err(errors::serving)
}

/// `write_to_tmp_file(content)` -> path of the file written.
#[pyfunction]
fn write_to_tmp_file(content: &[u8]) -> PyResult<String> {
    u::write_to_tmp_file(content)
        .map(|p| p.display().to_string())
        .map_err(errors::serving)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(agent_config_from_file, m)?)?;
    m.add_function(wrap_pyfunction!(agent_config_properties, m)?)?;
    m.add_function(wrap_pyfunction!(agent_config_get_cmd_and_port, m)?)?;
    m.add_function(wrap_pyfunction!(instance_formatter_to_tensor_proto, m)?)?;
    m.add_function(wrap_pyfunction!(get_local_ip, m)?)?;
    m.add_function(wrap_pyfunction!(check_port_open, m)?)?;
    m.add_function(wrap_pyfunction!(find_free_port, m)?)?;
    m.add_function(wrap_pyfunction!(write_to_tmp_file, m)?)?;
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

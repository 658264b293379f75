//! The fake TF Serving gRPC server of monolith-serving (`mocked_tfserving.rs`), started from Python.
//!
//! Wraps `monolith/agent_service/mocked_tfserving.py`'s `FakeTFServing` for live-protocol
//! parity cases (ModelService.GetModelStatus / HandleReloadConfigRequest,
//! PredictionService.GetModelMetadata).  Only argument conversion lives here.
//!
//! | Python | `monolith_parity_rs` | Rust |
//! |---|---|---|
//! | `FakeTFServing(model_name, base_path, num_versions, port).start()` | `fake_tfserving_start(model_name, base_path, num_versions=1, host="127.0.0.1", port=0) -> port` | `FakeTfServing::default_model_config`, `start_with_configs` |
//! | `FakeTFServing(model_config_file=<ModelServerConfig>, port).start()` | `fake_tfserving_start_with_config(config: bytes, host=..., port=0) -> port` (a serialized `tensorflow.serving.ModelServerConfig`) | `start_with_configs(model_config_list.config)` |
//! | `FakeTFServing.stop()` | `fake_tfserving_stop(port) -> bool` | `FakeTfServing::stop` |

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};

use monolith_proto::tensorflow_serving::apis as tfserving_apis;
use monolith_serving::FakeTfServing;
use prost::Message;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::agent_service::grpc_server::{free_port, runtime};
use crate::errors;

fn servers() -> &'static Mutex<HashMap<u16, FakeTfServing>> {
    static SERVERS: OnceLock<Mutex<HashMap<u16, FakeTfServing>>> = OnceLock::new();
    SERVERS.get_or_init(|| Mutex::new(HashMap::new()))
}

fn start(py: Python<'_>, configs: Vec<tfserving_apis::ModelConfig>, host: &str, port: u16) -> PyResult<u16> {
    let port = if port == 0 { free_port(host)? } else { port };
    let addr: SocketAddr = format!("{host}:{port}")
        .parse()
        .map_err(|e| PyValueError::new_err(format!("bad address {host}:{port}: {e}")))?;
    let mut server = FakeTfServing::new(addr);
    py.detach(|| runtime().block_on(server.start_with_configs(configs)))
        .map_err(errors::serving)?;
    servers().lock().unwrap().insert(port, server);
    Ok(port)
}

#[pyfunction]
#[pyo3(signature = (model_name, base_path, num_versions = 1, host = "127.0.0.1", port = 0))]
fn fake_tfserving_start(
    py: Python<'_>,
    model_name: &str,
    base_path: &str,
    num_versions: i64,
    host: &str,
    port: u16,
) -> PyResult<u16> {
    let config = FakeTfServing::default_model_config(model_name, base_path, num_versions);
    start(py, vec![config], host, port)
}

#[pyfunction]
#[pyo3(signature = (config, host = "127.0.0.1", port = 0))]
fn fake_tfserving_start_with_config(py: Python<'_>, config: &[u8], host: &str, port: u16) -> PyResult<u16> {
    let msc = tfserving_apis::ModelServerConfig::decode(config)
        .map_err(|e| PyValueError::new_err(format!("not a ModelServerConfig: {e}")))?;
    let configs = match msc.config {
        Some(tfserving_apis::model_server_config::Config::ModelConfigList(list)) => list.config,
        _ => Vec::new(),
    };
    start(py, configs, host, port)
}

#[pyfunction]
fn fake_tfserving_stop(py: Python<'_>, port: u16) -> bool {
    let server = servers().lock().unwrap().remove(&port);
    match server {
        Some(mut server) => {
            py.detach(|| runtime().block_on(server.stop()));
            true
        }
        None => false,
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fake_tfserving_start, m)?)?;
    m.add_function(wrap_pyfunction!(fake_tfserving_start_with_config, m)?)?;
    m.add_function(wrap_pyfunction!(fake_tfserving_stop, m)?)?;
    Ok(())
}

//! The AgentService gRPC server of monolith-serving (`grpc_agent.rs`), started from Python.
//!
//! Wraps `monolith/agent_service/agent_service.py`'s `AgentService` server for live-protocol
//! parity cases: the case starts the Rust server here, the Python one in-process, and sends
//! identical requests to both through the same Python gRPC stub.  Only argument conversion
//! lives here; the served behaviour is monolith-serving's `AgentServiceRealImpl`.
//!
//! | Python | `monolith_parity_rs` | Rust |
//! |---|---|---|
//! | `AgentService(...).start()` on a port | `agent_grpc_server_start(replicas, host="127.0.0.1", port=0) -> port` | `AgentServiceRealImpl::register_replica`, `AgentGrpcServer::serve` |
//! | `AgentService.stop()` | `agent_grpc_server_stop(port) -> bool` | `AgentGrpcServer::shutdown` |
//!
//! `replicas` is a list of `(server_type, address)`: the `ServerType` enum value (PS=0,
//! ENTRY=1, DENSE=2) and the replica address, registered in order.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Mutex, OnceLock};

use monolith_proto::monolith::serving::agent_service::ServerType;
use monolith_serving::grpc_agent::{AgentGrpcServer, AgentServiceRealImpl};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors;

/// One multi-threaded tokio runtime for every server this extension starts (it outlives them).
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("monolith-parity-grpc")
            .enable_all()
            .build()
            .expect("tokio runtime for parity gRPC servers")
    })
}

/// A free TCP port on `host` (bound, then released for the server to take).
pub(crate) fn free_port(host: &str) -> PyResult<u16> {
    let listener = TcpListener::bind((host, 0)).map_err(errors::io)?;
    Ok(listener.local_addr().map_err(errors::io)?.port())
}

fn servers() -> &'static Mutex<HashMap<u16, AgentGrpcServer>> {
    static SERVERS: OnceLock<Mutex<HashMap<u16, AgentGrpcServer>>> = OnceLock::new();
    SERVERS.get_or_init(|| Mutex::new(HashMap::new()))
}

#[pyfunction]
#[pyo3(signature = (replicas, host = "127.0.0.1", port = 0))]
fn agent_grpc_server_start(py: Python<'_>, replicas: Vec<(i32, String)>, host: &str, port: u16) -> PyResult<u16> {
    let svc = AgentServiceRealImpl::new();
    for (server_type, address) in replicas {
        let st = ServerType::try_from(server_type)
            .map_err(|_| PyValueError::new_err(format!("unknown ServerType value {server_type}")))?;
        svc.register_replica(st, address);
    }
    let port = if port == 0 { free_port(host)? } else { port };
    let addr: SocketAddr = format!("{host}:{port}")
        .parse()
        .map_err(|e| PyValueError::new_err(format!("bad address {host}:{port}: {e}")))?;
    let server = py
        .detach(|| runtime().block_on(AgentGrpcServer::serve(addr, svc)))
        .map_err(errors::serving)?;
    servers().lock().unwrap().insert(port, server);
    Ok(port)
}

#[pyfunction]
fn agent_grpc_server_stop(port: u16) -> bool {
    match servers().lock().unwrap().remove(&port) {
        Some(server) => {
            server.shutdown();
            true
        }
        None => false,
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(agent_grpc_server_start, m)?)?;
    m.add_function(wrap_pyfunction!(agent_grpc_server_stop, m)?)?;
    Ok(())
}

//! `monolith/agent_service/replica_manager.py` (`ReplicaWatcher`) ->
//! `monolith_serving::replica_manager::ReplicaWatcher`.
//!
//! `ReplicaWatcher(client, bzid, base_name, dc_aware, deploy_type, dense_alone,
//! use_archon, address_family)`: the Rust `WatcherConfig` holds exactly the
//! `AgentConfig` fields the watcher reads.  `server_type` is the `ServerType`
//! enum value (PS=0, ENTRY=1, DENSE=2, as in agent_service.proto).
//! `get_replicas_with_extra_info` returns `{address: (idc, cluster, replica_id)}`
//! (the `TargetExtraInfo` fields, `None` when unset).  Every ZooKeeper-touching
//! call runs without the GIL (see zk_client.rs).

use std::collections::HashMap;

use monolith_serving::data_def::AddressFamily;
use monolith_serving::grpc::ServerType;
use monolith_serving::replica_manager::{ReplicaUpdater, ReplicaWatcher, UpdaterConfig, WatcherConfig};
use monolith_serving::tfs_monitor::DeployType;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::Arc;

use super::zk_client::{zk_err, ZkClientRef};

fn server_type(v: i32) -> PyResult<ServerType> {
    match v {
        0 => Ok(ServerType::Ps),
        1 => Ok(ServerType::Entry),
        2 => Ok(ServerType::Dense),
        _ => Err(PyValueError::new_err(format!("unknown ServerType value {v}"))),
    }
}

fn deploy_type(s: &str) -> PyResult<DeployType> {
    match s {
        "mixed" => Ok(DeployType::Mixed),
        "entry" => Ok(DeployType::Entry),
        "ps" => Ok(DeployType::Ps),
        "dense" => Ok(DeployType::Dense),
        _ => Err(PyValueError::new_err(format!("unknown deploy_type {s:?}"))),
    }
}

#[pyclass(frozen, name = "ReplicaWatcher")]
pub struct PyReplicaWatcher {
    inner: Arc<ReplicaWatcher>,
}

#[pymethods]
impl PyReplicaWatcher {
    #[new]
    #[pyo3(signature = (client, bzid, base_name, dc_aware=false, deploy_type="mixed", dense_alone=false,
                        use_archon=false, address_family="ipv4"))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        client: &ZkClientRef,
        bzid: String,
        base_name: String,
        dc_aware: bool,
        deploy_type: &str,
        dense_alone: bool,
        use_archon: bool,
        address_family: &str,
    ) -> PyResult<Self> {
        let conf = WatcherConfig {
            bzid,
            base_name,
            dc_aware,
            deploy_type: self::deploy_type(deploy_type)?,
            dense_alone,
        };
        let family = match address_family {
            "ipv4" => AddressFamily::IPV4,
            "ipv6" => AddressFamily::IPV6,
            other => return Err(PyValueError::new_err(format!("unknown address family {other:?}"))),
        };
        Ok(Self {
            inner: Arc::new(ReplicaWatcher::new(client.inner.clone(), conf, use_archon, family)),
        })
    }

    fn watch_data(&self, py: Python<'_>) -> PyResult<()> {
        let w = self.inner.clone();
        py.detach(move || w.watch_data()).map_err(zk_err)
    }
    fn set_should_poll(&self, v: bool) {
        self.inner.set_should_poll(v)
    }
    fn stop(&self, py: Python<'_>) {
        let w = self.inner.clone();
        py.detach(move || w.stop())
    }
    #[pyo3(signature = (server_type, idc=None, cluster=None))]
    fn get_all_replicas(
        &self,
        server_type: i32,
        idc: Option<String>,
        cluster: Option<String>,
    ) -> PyResult<HashMap<String, Vec<String>>> {
        Ok(self.inner.get_all_replicas(
            self::server_type(server_type)?,
            idc.as_deref(),
            cluster.as_deref(),
        ))
    }
    #[pyo3(signature = (server_type, task, idc=None, cluster=None))]
    fn get_replicas(
        &self,
        server_type: i32,
        task: i32,
        idc: Option<String>,
        cluster: Option<String>,
    ) -> PyResult<Vec<String>> {
        Ok(self.inner.get_replicas(
            self::server_type(server_type)?,
            task,
            idc.as_deref(),
            cluster.as_deref(),
        ))
    }
    #[pyo3(signature = (server_type, task, replica, idc=None, cluster=None))]
    fn get_replica(
        &self,
        server_type: i32,
        task: i32,
        replica: i32,
        idc: Option<String>,
        cluster: Option<String>,
    ) -> PyResult<Option<Vec<String>>> {
        Ok(self.inner.get_replica(
            self::server_type(server_type)?,
            task,
            replica,
            idc.as_deref(),
            cluster.as_deref(),
        ))
    }
    #[pyo3(signature = (server_type, task, idc=None, cluster=None))]
    fn get_replicas_with_extra_info(
        &self,
        server_type: i32,
        task: i32,
        idc: Option<String>,
        cluster: Option<String>,
    ) -> PyResult<HashMap<String, (Option<String>, Option<String>, Option<i64>)>> {
        Ok(self
            .inner
            .get_replicas_with_extra_info(
                self::server_type(server_type)?,
                task,
                idc.as_deref(),
                cluster.as_deref(),
            )
            .into_iter()
            .map(|(k, v)| (k, (v.idc, v.cluster, v.replica_id)))
            .collect())
    }
}

/// `ReplicaUpdater(client, bzid, base_name, ...)`: the `UpdaterConfig` fields (the Python
/// `AgentConfig` fields `register()` reads; ports given explicitly, Python derives them from PORT*).
#[pyclass(frozen, name = "ReplicaUpdater")]
pub struct PyReplicaUpdater {
    inner: Arc<ReplicaUpdater>,
}

#[pymethods]
impl PyReplicaUpdater {
    #[new]
    #[pyo3(signature = (client, bzid, base_name, num_ps, num_shard, shard_id, replica_id, deploy_type="mixed",
                        dense_alone=false, ports=(0, 0, 0, 0, 0, 0), dc_aware=false, idc=None, cluster=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        client: &ZkClientRef,
        bzid: String,
        base_name: String,
        num_ps: i32,
        num_shard: i32,
        shard_id: i32,
        replica_id: i32,
        deploy_type: &str,
        dense_alone: bool,
        ports: (u16, u16, u16, u16, u16, u16),
        dc_aware: bool,
        idc: Option<String>,
        cluster: Option<String>,
    ) -> PyResult<Self> {
        let (entry, entry_archon, ps, ps_archon, dense, dense_archon) = ports;
        let conf = UpdaterConfig {
            bzid,
            base_name,
            base_path: String::new(),
            num_ps,
            num_shard,
            shard_id,
            replica_id,
            deploy_type: self::deploy_type(deploy_type)?,
            dense_alone,
            tfs_entry_port: entry,
            tfs_ps_port: ps,
            tfs_dense_port: dense,
            tfs_entry_archon_port: entry_archon,
            tfs_ps_archon_port: ps_archon,
            tfs_dense_archon_port: dense_archon,
            dc_aware,
            idc,
            cluster,
        };
        Ok(Self {
            inner: Arc::new(ReplicaUpdater::new(client.inner.clone(), conf)),
        })
    }

    fn register(&self, py: Python<'_>) {
        let u = self.inner.clone();
        py.detach(move || u.register())
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyReplicaWatcher>()?;
    m.add_class::<PyReplicaUpdater>()?;
    Ok(())
}

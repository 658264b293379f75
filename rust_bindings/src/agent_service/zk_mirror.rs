//! `monolith/agent_service/zk_mirror.py` (`ZKMirror`) -> `monolith_serving::zk_mirror::ZkMirror`.
//!
//! Shapes: `ResourceSpec` / `PublishMeta` / `ReplicaMeta` cross as the dict of
//! their fields (built like the dataclass: Rust `Default`, then the given
//! fields), and come back as the dict of their fields in struct order
//! (`convert::to_python`).  Events drained from the mirror's queue are
//! `(path, data bytes, etype int)`.  Every ZooKeeper-touching call runs without
//! the GIL (see zk_client.rs).

use std::collections::HashMap;

use monolith_serving::data_def::{PublishMeta, ReplicaMeta, ResourceSpec};
use monolith_serving::zk_mirror::ZkMirror;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use super::zk_client::{zk_err, ZkClientRef};
use crate::convert;

fn build_list<T: Default + serde::Serialize + serde::de::DeserializeOwned>(
    name: &str,
    items: &Bound<'_, PyList>,
) -> PyResult<Vec<T>> {
    let mut out = Vec::new();
    for it in items.iter() {
        let d = it.cast::<PyDict>().map_err(PyErr::from)?;
        out.push(convert::build::<T>(name, Some(d))?);
    }
    Ok(out)
}

fn replicas_map<'py>(
    py: Python<'py>,
    map: HashMap<String, Vec<ReplicaMeta>>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for (k, v) in map {
        out.set_item(k, convert::to_python(py, &v)?)?;
    }
    Ok(out)
}

#[pyclass(frozen, name = "ZkMirror")]
pub struct PyZkMirror {
    inner: ZkMirror,
}

#[pymethods]
impl PyZkMirror {
    /// `ZkMirror::new(client, bzid, tce_shard_id, num_tce_shard)`; `local_host` given ->
    /// `set_local_host_for_test(local_host)` (the Rust port's stand-in for Python's `get_local_ip()`).
    #[new]
    #[pyo3(signature = (client, bzid, tce_shard_id=-1, num_tce_shard=1, local_host=None))]
    fn new(
        client: &ZkClientRef,
        bzid: String,
        tce_shard_id: i32,
        num_tce_shard: i32,
        local_host: Option<String>,
    ) -> Self {
        let mut inner = ZkMirror::new(client.inner.clone(), bzid, tce_shard_id, num_tce_shard);
        if let Some(h) = local_host {
            inner.set_local_host_for_test(h);
        }
        Self { inner }
    }

    #[pyo3(signature = (is_client=false))]
    fn start(&self, py: Python<'_>, is_client: bool) -> PyResult<()> {
        let m = self.inner.clone();
        py.detach(move || m.start(is_client)).map_err(zk_err)
    }
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let m = self.inner.clone();
        py.detach(move || m.stop()).map_err(zk_err)
    }
    fn is_leader(&self) -> bool {
        self.inner.is_leader()
    }
    fn set_leader(&self) {
        self.inner.set_leader()
    }
    /// All queued events, oldest first: `[(path, data, etype int)]`.
    fn drain_events<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for e in self.inner.drain_events() {
            out.append((e.path, PyBytes::new(py, &e.data), e.etype as i32))?;
        }
        Ok(out)
    }
    fn ensure_path(&self, py: Python<'_>, path: String) -> PyResult<()> {
        let m = self.inner.clone();
        py.detach(move || m.ensure_path(&path)).map_err(zk_err)
    }
    #[pyo3(signature = (path, value=Vec::new(), ephemeral=false, makepath=true))]
    fn create(
        &self,
        py: Python<'_>,
        path: String,
        value: Vec<u8>,
        ephemeral: bool,
        makepath: bool,
    ) -> PyResult<()> {
        let m = self.inner.clone();
        py.detach(move || m.create(&path, value, ephemeral, makepath))
            .map_err(zk_err)
    }
    #[pyo3(signature = (path, value=Vec::new()))]
    fn set(&self, py: Python<'_>, path: String, value: Vec<u8>) -> PyResult<()> {
        let m = self.inner.clone();
        py.detach(move || m.set(&path, value)).map_err(zk_err)
    }
    fn exists(&self, py: Python<'_>, path: String) -> bool {
        let m = self.inner.clone();
        py.detach(move || m.exists(&path))
    }
    #[pyo3(signature = (path, recursive=true))]
    fn delete(&self, py: Python<'_>, path: String, recursive: bool) -> PyResult<()> {
        let m = self.inner.clone();
        py.detach(move || m.delete(&path, recursive)).map_err(zk_err)
    }
    /// Python `get(path)`: the mirrored (cached) bytes.
    fn get<'py>(&self, py: Python<'py>, path: String) -> Option<Bound<'py, PyBytes>> {
        self.inner.get_cached(&path).map(|b| PyBytes::new(py, &b))
    }
    fn tce_replica_id(&self) -> i32 {
        self.inner.tce_replica_id()
    }
    fn report_resource(&self, py: Python<'_>, resource: &Bound<'_, PyDict>) -> PyResult<()> {
        let r: ResourceSpec = convert::build("ResourceSpec", Some(resource))?;
        let m = self.inner.clone();
        py.detach(move || m.report_resource(&r)).map_err(zk_err)
    }
    fn resources<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::to_python(py, &self.inner.resources())
    }
    /// Python `publish_loadding(list)`.
    fn publish_loading(&self, py: Python<'_>, pms: &Bound<'_, PyList>) -> PyResult<()> {
        let pms: Vec<PublishMeta> = build_list("PublishMeta", pms)?;
        let m = self.inner.clone();
        py.detach(move || m.publish_loading(&pms)).map_err(zk_err)
    }
    fn expected_loading<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (k, v) in self.inner.expected_loading() {
            out.set_item(k, convert::to_python(py, &v)?)?;
        }
        Ok(out)
    }
    fn update_service(&self, py: Python<'_>, replicas: &Bound<'_, PyList>) -> PyResult<()> {
        let rms: Vec<ReplicaMeta> = build_list("ReplicaMeta", replicas)?;
        let m = self.inner.clone();
        py.detach(move || m.update_service(&rms)).map_err(zk_err)
    }
    fn local_replica_paths(&self) -> Vec<String> {
        let mut v: Vec<String> = self.inner.local_replica_paths().into_iter().collect();
        v.sort();
        v
    }
    fn get_all_replicas<'py>(
        &self,
        py: Python<'py>,
        server_type: String,
    ) -> PyResult<Bound<'py, PyDict>> {
        replicas_map(py, self.inner.get_all_replicas(&server_type))
    }
    fn get_model_replicas<'py>(
        &self,
        py: Python<'py>,
        model_name: String,
        server_type: String,
    ) -> PyResult<Bound<'py, PyDict>> {
        replicas_map(py, self.inner.get_model_replicas(&model_name, &server_type))
    }
    fn get_task_replicas<'py>(
        &self,
        py: Python<'py>,
        model_name: String,
        server_type: String,
        task: i32,
    ) -> PyResult<Bound<'py, PyAny>> {
        convert::to_python(py, &self.inner.get_task_replicas(&model_name, &server_type, task))
    }
    fn get_replica<'py>(
        &self,
        py: Python<'py>,
        model_name: String,
        server_type: String,
        task: i32,
        replica: i32,
    ) -> PyResult<Bound<'py, PyAny>> {
        convert::to_python(py, &self.inner.get_replica(&model_name, &server_type, task, replica))
    }
    fn watch_portal(&self, py: Python<'_>) -> PyResult<()> {
        let m = self.inner.clone();
        py.detach(move || m.watch_portal()).map_err(zk_err)
    }
    fn watch_publish(&self, py: Python<'_>) -> PyResult<()> {
        let m = self.inner.clone();
        py.detach(move || m.watch_publish()).map_err(zk_err)
    }
    fn watch_resource(&self, py: Python<'_>) -> PyResult<()> {
        let m = self.inner.clone();
        py.detach(move || m.watch_resource()).map_err(zk_err)
    }
    fn watch_service(&self, py: Python<'_>) -> PyResult<()> {
        let m = self.inner.clone();
        py.detach(move || m.watch_service()).map_err(zk_err)
    }
    #[getter]
    fn resource_path(&self) -> String {
        self.inner.resource_path.clone()
    }
    #[getter]
    fn portal_base_path(&self) -> String {
        self.inner.portal_base_path.clone()
    }
    #[getter]
    fn publish_base_path(&self) -> String {
        self.inner.publish_base_path.clone()
    }
    #[getter]
    fn service_base_path(&self) -> String {
        self.inner.service_base_path.clone()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyZkMirror>()?;
    Ok(())
}

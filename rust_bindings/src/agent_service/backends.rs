//! `monolith/agent_service/backends.py` (`ZKBackend`) -> `monolith_serving::backends::ZkBackend`,
//! and `agent_controller.py` -> `monolith_serving::agent_controller`.
//!
//! Shapes (the case's Python side normalises the reference to the same):
//! `SavedModel` = `(model_name, sub_graph)`, `Container` = `(ctx_cluster, ctx_id)`,
//! `SavedModelDeployConfig` / `ContainerServiceInfo` = dict of their fields in
//! struct order.  Every call runs without the GIL (see zk_client.rs).

use std::collections::HashSet;
use std::path::Path;

use monolith_serving::agent_controller;
use monolith_serving::backends::{
    Container, ContainerServiceInfo, SavedModel, SavedModelDeployConfig, ZkBackend,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::zk_client::{from_dict, zk_err, ZkClientRef};
use crate::convert;

type Pair = (String, String);

fn sm((m, s): Pair) -> SavedModel {
    SavedModel::new(m, s)
}

fn service_infos_py<'py>(
    py: Python<'py>,
    infos: &[ContainerServiceInfo],
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for i in infos {
        list.append(convert::to_python(py, i)?)?;
    }
    Ok(list)
}

#[pyclass(frozen, name = "ZkBackend")]
pub struct PyZkBackend {
    pub inner: ZkBackend,
}

#[pymethods]
impl PyZkBackend {
    #[new]
    fn new(bzid: String, client: &ZkClientRef) -> Self {
        Self {
            inner: ZkBackend::new(bzid, client.inner.clone()),
        }
    }

    fn start(&self, py: Python<'_>) -> PyResult<()> {
        let b = self.inner.clone();
        py.detach(move || b.start()).map_err(zk_err)
    }

    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let b = self.inner.clone();
        py.detach(move || b.stop()).map_err(zk_err)
    }

    fn set_lost_for_test(&self, lost: bool) {
        self.inner.set_lost_for_test(lost)
    }

    fn sync_available_saved_models(
        &self,
        py: Python<'_>,
        container: Pair,
        saved_models: Vec<Pair>,
    ) -> PyResult<()> {
        let b = self.inner.clone();
        let c = Container::new(container.0, container.1);
        let set: HashSet<SavedModel> = saved_models.into_iter().map(sm).collect();
        py.detach(move || b.sync_available_saved_models(&c, set))
            .map_err(zk_err)
    }

    /// `callback(list[((model, sub_graph), deploy_config dict)]) -> bool`.
    fn register_layout_callback(
        &self,
        py: Python<'_>,
        layout_path: String,
        callback: Py<PyAny>,
    ) -> PyResult<()> {
        let b = self.inner.clone();
        let cb = move |items: Vec<(SavedModel, SavedModelDeployConfig)>| -> bool {
            Python::attach(|py| {
                let run = || -> PyResult<bool> {
                    let list = PyList::empty(py);
                    for (m, cfg) in &items {
                        list.append((
                            (m.model_name.clone(), m.sub_graph.clone()),
                            convert::to_python(py, cfg)?,
                        ))?;
                    }
                    let r = callback.call1(py, (list,))?;
                    Ok(r.bind(py).is_truthy()?)
                };
                match run() {
                    Ok(v) => v,
                    Err(e) => {
                        e.print(py);
                        false
                    }
                }
            })
        };
        py.detach(move || b.register_layout_callback(&layout_path, cb))
            .map_err(zk_err)
    }

    fn get_service_map<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let map = self.inner.get_service_map();
        let out = PyDict::new(py);
        for (model, subs) in map {
            let d = PyDict::new(py);
            for (sub, infos) in subs {
                d.set_item(sub, service_infos_py(py, &infos)?)?;
            }
            out.set_item(model, d)?;
        }
        Ok(out)
    }

    #[pyo3(signature = (container, service_info=None))]
    fn report_service_info(
        &self,
        py: Python<'_>,
        container: Pair,
        service_info: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let info: ContainerServiceInfo = from_dict("ContainerServiceInfo", service_info)?;
        let c = Container::new(container.0, container.1);
        let b = self.inner.clone();
        py.detach(move || b.report_service_info(&c, &info))
            .map_err(zk_err)
    }

    fn get_service_info<'py>(
        &self,
        py: Python<'py>,
        container: Pair,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let c = Container::new(container.0, container.1);
        let b = self.inner.clone();
        let info = py.detach(move || b.get_service_info(&c)).map_err(zk_err)?;
        info.map(|i| convert::to_python(py, &i)).transpose()
    }

    fn list_saved_models(&self, py: Python<'_>, model_name: String) -> PyResult<Vec<Pair>> {
        let b = self.inner.clone();
        let v = py
            .detach(move || b.list_saved_models(&model_name))
            .map_err(zk_err)?;
        Ok(v.into_iter().map(|s| (s.model_name, s.sub_graph)).collect())
    }

    #[pyo3(signature = (saved_model, deploy_config=None))]
    fn decl_saved_model(
        &self,
        py: Python<'_>,
        saved_model: Pair,
        deploy_config: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let cfg: SavedModelDeployConfig = from_dict("SavedModelDeployConfig", deploy_config)?;
        let b = self.inner.clone();
        py.detach(move || b.decl_saved_model(&sm(saved_model), &cfg))
            .map_err(zk_err)
    }

    fn add_to_layout(&self, py: Python<'_>, layout: String, saved_model: Pair) -> PyResult<()> {
        let b = self.inner.clone();
        py.detach(move || b.add_to_layout(&layout, &sm(saved_model)))
            .map_err(zk_err)
    }

    fn remove_from_layout(&self, py: Python<'_>, layout: String, saved_model: Pair) -> PyResult<()> {
        let b = self.inner.clone();
        py.detach(move || b.remove_from_layout(&layout, &sm(saved_model)))
            .map_err(zk_err)
    }

    fn bzid_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let b = self.inner.clone();
        let v = py.detach(move || b.bzid_info()).map_err(zk_err)?;
        convert::to_python(py, &v)
    }

    fn subscribe_model(&self, py: Python<'_>, model_name: String) -> PyResult<()> {
        let b = self.inner.clone();
        py.detach(move || b.subscribe_model(&model_name))
            .map_err(zk_err)
    }

    fn get_sync_targets(&self, py: Python<'_>, sub_graph: String) -> PyResult<(String, Vec<String>)> {
        let b = self.inner.clone();
        py.detach(move || b.get_sync_targets(&sub_graph))
            .map_err(zk_err)
    }

    /// `agent_controller.declare_saved_model(bd, export_base, model_name, overwrite, arch)`.
    #[pyo3(signature = (export_base, model_name=None, overwrite=false, arch="entry_ps"))]
    fn declare_saved_model(
        &self,
        py: Python<'_>,
        export_base: String,
        model_name: Option<String>,
        overwrite: bool,
        arch: &str,
    ) -> PyResult<String> {
        let b = self.inner.clone();
        let arch = arch.to_string();
        py.detach(move || {
            agent_controller::declare_saved_model(
                &b,
                Path::new(&export_base),
                model_name.as_deref(),
                overwrite,
                &arch,
            )
        })
        .map_err(zk_err)
    }

    /// `agent_controller.map_model_to_layout(bd, model_pattern, layout_path, action)`.
    fn map_model_to_layout(
        &self,
        py: Python<'_>,
        model_pattern: String,
        layout_path: String,
        action: String,
    ) -> PyResult<()> {
        let b = self.inner.clone();
        py.detach(move || {
            agent_controller::map_model_to_layout(&b, &model_pattern, &layout_path, &action)
        })
        .map_err(zk_err)
    }
}

/// `agent_controller.find_model_name(exported_models_path)`.
#[pyfunction]
fn agent_controller_find_model_name(exported_models_path: String) -> Option<String> {
    agent_controller::find_model_name(Path::new(&exported_models_path))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyZkBackend>()?;
    m.add_function(wrap_pyfunction!(agent_controller_find_model_name, m)?)?;
    Ok(())
}

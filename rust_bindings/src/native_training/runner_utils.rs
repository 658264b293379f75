//! `monolith/native_training/runner_utils.py` -> `monolith_training::runner_utils`.
//!
//! * `copy_checkpoint_from_restore_dir` (every revision): what `RunnerConfig._copy_ckpt_file`
//!   does when a chief starts with `restore_dir`;
//! * `isabs`, `get_checkpoint_state_with_restore_override` (the patched
//!   `tf.train.get_checkpoint_state`), `get_discovery` / `monolith_discovery` over a
//!   `run_config::RunnerConfig`: only some revisions have them (`api_has` facts).
//!
//! A `CheckpointState` is returned as `{"model_checkpoint_path": str, "all_model_checkpoint_paths":
//! [str]}` (the Rust struct's two fields); a `RunnerConfig` is given as a dict of its fields over
//! `RunnerConfig::default()` (`run_config.rs`).

use std::path::Path;

use monolith_training::runner_utils as ru;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors;

fn state_dict<'py>(py: Python<'py>, state: &ru::CheckpointState) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("model_checkpoint_path", &state.model_checkpoint_path)?;
    out.set_item("all_model_checkpoint_paths", state.all_model_checkpoint_paths.clone())?;
    Ok(out)
}

/// `RunnerConfig(restore_dir=..., model_dir=..., restore_ckpt=...)._copy_ckpt_file()` on a chief.
#[pyfunction]
#[pyo3(signature = (restore_dir, model_dir, restore_ckpt=None))]
fn copy_checkpoint_from_restore_dir<'py>(
    py: Python<'py>,
    restore_dir: &str,
    model_dir: &str,
    restore_ckpt: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let state = ru::copy_checkpoint_from_restore_dir(Path::new(restore_dir), Path::new(model_dir), restore_ckpt)
        .map_err(errors::runner_utils)?;
    state_dict(py, &state)
}

/// `runner_utils.isabs(path)` (`os.path.isabs` patched so `hdfs:/...` is absolute).
#[cfg(api_has = "monolith_training::runner_utils::isabs")]
#[pyfunction]
fn runner_utils_isabs(path: &str) -> bool {
    ru::isabs(path)
}

/// `tf.train.get_checkpoint_state(checkpoint_dir, latest_filename)` as runner_utils patches it, with
/// the flags it reads passed explicitly: `restore_ckpt` (`FLAGS.restore_ckpt`) and `mode`
/// (`FLAGS.mode`: `"train"`, `"eval"` or `"infer"`, tf.estimator.ModeKeys' values).  Python reads
/// the file at most 6 times without sleeping: `max_retries=5`, `retry_interval_ms=0`.
#[cfg(api_has = "monolith_training::runner_utils::get_checkpoint_state_with_restore_override")]
#[pyfunction]
#[pyo3(signature = (checkpoint_dir, latest_filename=None, restore_ckpt=None, mode="train", max_retries=5, retry_interval_ms=0))]
fn get_checkpoint_state_with_restore_override<'py>(
    py: Python<'py>,
    checkpoint_dir: &str,
    latest_filename: Option<&str>,
    restore_ckpt: Option<&str>,
    mode: &str,
    max_retries: usize,
    retry_interval_ms: u64,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    let mode = match mode {
        "train" => ru::RunnerMode::Train,
        "eval" => ru::RunnerMode::Eval,
        "infer" => ru::RunnerMode::Predict,
        other => return Err(errors::unsupported(format!("RunnerMode has no mode {other:?}"))),
    };
    let state = ru::get_checkpoint_state_with_restore_override(
        Path::new(checkpoint_dir),
        latest_filename.unwrap_or("checkpoint"),
        restore_ckpt,
        mode,
        max_retries,
        std::time::Duration::from_millis(retry_interval_ms),
    )
    .map_err(errors::runner_utils)?;
    state.map(|s| state_dict(py, &s)).transpose()
}

/// The discovery `get_discovery` chose (held bare: Python's `get_discovery` does not close it) or
/// the one `monolith_discovery` yields (held in its guard: leaving the block closes it).
#[cfg(all(api_has = "monolith_training::run_config::RunnerConfig", api_has = "monolith_training::runner_utils::get_discovery"))]
enum Held {
    Bare(Option<ru::RunnerDiscovery>),
    Guard(ru::MonolithDiscoveryGuard),
}

#[cfg(all(api_has = "monolith_training::run_config::RunnerConfig", api_has = "monolith_training::runner_utils::get_discovery"))]
#[pyclass(name = "RunnerDiscovery", unsendable)]
struct PyRunnerDiscovery {
    held: Held,
}

#[cfg(all(api_has = "monolith_training::run_config::RunnerConfig", api_has = "monolith_training::runner_utils::get_discovery"))]
impl PyRunnerDiscovery {
    fn discovery(&self) -> Option<&ru::RunnerDiscovery> {
        match &self.held {
            Held::Bare(d) => d.as_ref(),
            Held::Guard(g) => g.discovery(),
        }
    }

    fn some(&self) -> PyResult<&ru::RunnerDiscovery> {
        self.discovery()
            .ok_or_else(|| errors::runner_utils(ru::RunnerUtilsError::LocalModeNoDiscovery))
    }
}

#[cfg(all(api_has = "monolith_training::run_config::RunnerConfig", api_has = "monolith_training::runner_utils::get_discovery"))]
#[pymethods]
impl PyRunnerDiscovery {
    /// `"tf_config"`, `"mlp"`, `"consul"`, `"zk"`, or None (local mode).
    fn kind(&self) -> Option<&'static str> {
        self.discovery().map(|d| d.kind())
    }

    /// `(deep_insight_name, zk_server)` of a ZK choice, else None.
    fn zk_config(&self) -> Option<(String, String)> {
        self.discovery()
            .and_then(|d| d.zk_config())
            .map(|(a, b)| (a.to_string(), b.to_string()))
    }

    /// `(server_type, index)` of a TF_CONFIG choice (what Python's get_discovery writes back into
    /// `runner_conf`), else None.
    fn tf_config_task(&self) -> Option<(String, usize)> {
        match self.discovery() {
            Some(ru::RunnerDiscovery::TfConfig(d)) => Some((d.server_type().to_string(), d.index())),
            _ => None,
        }
    }

    fn query<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (index, addr) in self.some()?.query(name).map_err(errors::runner_utils)? {
            out.set_item(index, addr)?;
        }
        Ok(out)
    }

    fn register(&self, name: &str, index: i32, addr: &str) -> PyResult<()> {
        self.some()?.register(name, index, addr).map_err(errors::runner_utils)
    }

    fn deregister(&self, name: &str, index: i32, addr: &str) -> PyResult<()> {
        self.some()?.deregister(name, index, addr).map_err(errors::runner_utils)
    }

    fn close(&mut self) -> PyResult<()> {
        match &mut self.held {
            Held::Bare(Some(d)) => d.close().map_err(errors::runner_utils),
            Held::Bare(None) => Ok(()),
            Held::Guard(g) => g.close().map_err(errors::runner_utils),
        }
    }
}

/// `runner_utils.get_discovery(runner_conf, psm)`: `runner_conf` is a dict of `RunnerConfig` fields.
#[cfg(all(api_has = "monolith_training::run_config::RunnerConfig", api_has = "monolith_training::runner_utils::get_discovery"))]
#[pyfunction]
#[pyo3(signature = (runner_conf, psm=None))]
fn runner_utils_get_discovery(runner_conf: &Bound<'_, PyDict>, psm: Option<&str>) -> PyResult<PyRunnerDiscovery> {
    let conf = super::run_config::runner_config_from(runner_conf)?;
    let discovery = ru::get_discovery(&conf, psm).map_err(errors::runner_utils)?;
    Ok(PyRunnerDiscovery { held: Held::Bare(discovery) })
}

/// `with runner_utils.monolith_discovery(runner_conf) as discovery:` -- the discovery it yields
/// (kind None in local mode); `close()` is what leaving the block does.
#[cfg(all(
    api_has = "monolith_training::run_config::RunnerConfig",
    api_has = "monolith_training::runner_utils::get_discovery",
    api_has = "monolith_training::runner_utils::monolith_discovery"
))]
#[pyfunction]
fn runner_utils_monolith_discovery(runner_conf: &Bound<'_, PyDict>) -> PyResult<PyRunnerDiscovery> {
    let conf = super::run_config::runner_config_from(runner_conf)?;
    let guard = ru::monolith_discovery(&conf, None).map_err(errors::runner_utils)?;
    Ok(PyRunnerDiscovery { held: Held::Guard(guard) })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(copy_checkpoint_from_restore_dir, m)?)?;
    #[cfg(api_has = "monolith_training::runner_utils::isabs")]
    m.add_function(wrap_pyfunction!(runner_utils_isabs, m)?)?;
    #[cfg(api_has = "monolith_training::runner_utils::get_checkpoint_state_with_restore_override")]
    m.add_function(wrap_pyfunction!(get_checkpoint_state_with_restore_override, m)?)?;
    #[cfg(all(api_has = "monolith_training::run_config::RunnerConfig", api_has = "monolith_training::runner_utils::get_discovery"))]
    {
        m.add_class::<PyRunnerDiscovery>()?;
        m.add_function(wrap_pyfunction!(runner_utils_get_discovery, m)?)?;
    }
    #[cfg(all(
        api_has = "monolith_training::run_config::RunnerConfig",
        api_has = "monolith_training::runner_utils::get_discovery",
        api_has = "monolith_training::runner_utils::monolith_discovery"
    ))]
    m.add_function(wrap_pyfunction!(runner_utils_monolith_discovery, m)?)?;
    Ok(())
}

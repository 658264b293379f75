//! `monolith/native_training/estimator.py` `RunConfig.to_runner_config` ->
//! `monolith_training::run_config::RunConfig::to_runner_config` (only some revisions have the module).
//!
//! Configs cross the boundary as dicts of their fields: a given dict is laid over the struct's
//! `Default` (a key the struct lacks raises `UnsupportedByPort`: a Python field the port cannot
//! express), and the merged `RunnerConfig` comes back as serde_json's text of the whole struct.
//! The module is compiled where `run_config::RunnerConfig` exists (its `mod` line in mod.rs).
//! `discovery_type` is the enum's discriminant on both ways (`ServiceDiscoveryType` declares the
//! same numbers as Python's `ServiceDiscoveryType`: PRIMUS=1, CONSUL=2, ZK=3, MLP=4).

use monolith_training::native_training::service_discovery::ServiceDiscoveryType;
use monolith_training::run_config::RunnerConfig;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::errors;

const DISCOVERY_TYPES: [ServiceDiscoveryType; 4] = [
    ServiceDiscoveryType::Primus,
    ServiceDiscoveryType::Consul,
    ServiceDiscoveryType::Zk,
    ServiceDiscoveryType::Mlp,
];

fn json_of(fields: &Bound<'_, PyDict>) -> PyResult<serde_json::Map<String, Value>> {
    let text: String = fields.py().import("json")?.call_method1("dumps", (fields,))?.extract()?;
    match serde_json::from_str(&text).map_err(errors::serde_json)? {
        Value::Object(map) => Ok(map),
        _ => unreachable!("json.dumps of a dict is an object"),
    }
}

/// `fields` laid over `T::default()`.
fn over_default<T: Serialize + DeserializeOwned + Default>(what: &str, fields: &Bound<'_, PyDict>) -> PyResult<T> {
    let mut value = serde_json::to_value(T::default()).map_err(errors::serde_json)?;
    let object = value.as_object_mut().expect("a config struct serializes to an object");
    for (key, given) in json_of(fields)? {
        if !object.contains_key(&key) {
            return Err(errors::unsupported(format!("{what} has no field {key:?}")));
        }
        let number = match (key.as_str(), &given) {
            ("discovery_type", Value::Number(n)) => Some(n.as_i64()),
            _ => None,
        };
        let given = match number {
            Some(n) => {
                let variant = DISCOVERY_TYPES
                    .iter()
                    .find(|v| Some(**v as i64) == n)
                    .ok_or_else(|| errors::unsupported(format!("ServiceDiscoveryType has no value {given}")))?;
                serde_json::to_value(variant).map_err(errors::serde_json)?
            }
            None => given,
        };
        object.insert(key, given);
    }
    serde_json::from_value(value).map_err(errors::serde_json)
}

pub(crate) fn runner_config_from(fields: &Bound<'_, PyDict>) -> PyResult<RunnerConfig> {
    over_default("RunnerConfig", fields)
}

fn runner_config_json(conf: &RunnerConfig) -> PyResult<String> {
    let mut value = serde_json::to_value(conf).map_err(errors::serde_json)?;
    value["discovery_type"] = Value::from(conf.discovery_type as i64);
    serde_json::to_string(&value).map_err(errors::serde_json)
}

/// `RunConfig(**run_config).to_runner_config()` with the command line's `RunnerConfig` as `base`
/// (None: `RunnerConfig::default()`) -> JSON text of the merged `RunnerConfig`.
#[cfg(api_has = "monolith_training::run_config::RunConfig::to_runner_config")]
#[pyfunction]
#[pyo3(signature = (run_config, base=None))]
fn run_config_to_runner_config(run_config: &Bound<'_, PyDict>, base: Option<&Bound<'_, PyDict>>) -> PyResult<String> {
    use monolith_training::run_config::RunConfig;

    let run_config: RunConfig = over_default("RunConfig", run_config)?;
    let base = base.map(runner_config_from).transpose()?;
    let merged = run_config.to_runner_config(base).map_err(errors::run_config)?;
    runner_config_json(&merged)
}

/// `RunnerConfig::default()` as JSON text (what a run without a command line starts from).
#[pyfunction]
fn runner_config_default() -> PyResult<String> {
    runner_config_json(&RunnerConfig::default())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    #[cfg(api_has = "monolith_training::run_config::RunConfig::to_runner_config")]
    m.add_function(wrap_pyfunction!(run_config_to_runner_config, m)?)?;
    m.add_function(wrap_pyfunction!(runner_config_default, m)?)?;
    Ok(())
}

//! `monolith/agent_service/data_def.py` -> `monolith_serving::data_def`.
//!
//! Python's dataclasses are passed as a dict of their fields (`fields`), built
//! like the dataclass: the Rust `Default`, then the given fields.  Methods
//! take that dict first: `model_meta_get_path(fields, base_path)`.
//! `serialize` returns bytes (as Python does); `deserialize` returns the
//! fields as a dict in struct order, with bytes fields as bytes.

use monolith_serving::data_def::{
    self as dd, Event, ModelMeta, PublishMeta, ReplicaMeta, ResourceSpec,
};
use prost::Message;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::{convert, errors};

/// `serialize` / `deserialize` wrappers for one JSON-on-ZK struct.
macro_rules! json_struct {
    ($ty:ty, $name:literal, $serialize:ident, $deserialize:ident) => {
        #[doc = concat!("`", $name, "(**fields).serialize()` -> bytes")]
        #[pyfunction]
        #[pyo3(signature = (fields=None))]
        fn $serialize<'py>(
            py: Python<'py>,
            fields: Option<&Bound<'py, PyDict>>,
        ) -> PyResult<Bound<'py, PyBytes>> {
            let value: $ty = convert::build($name, fields)?;
            Ok(PyBytes::new(py, &value.serialize()))
        }

        #[doc = concat!("`", $name, ".deserialize(data)` -> dict of its fields")]
        #[pyfunction]
        fn $deserialize<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
            let value = <$ty>::deserialize(data).map_err(errors::serde_json)?;
            convert::to_python(py, &value)
        }
    };
}

json_struct!(
    ModelMeta,
    "ModelMeta",
    model_meta_serialize,
    model_meta_deserialize
);
json_struct!(
    ResourceSpec,
    "ResourceSpec",
    resource_spec_serialize,
    resource_spec_deserialize
);
json_struct!(
    PublishMeta,
    "PublishMeta",
    publish_meta_serialize,
    publish_meta_deserialize
);
json_struct!(
    ReplicaMeta,
    "ReplicaMeta",
    replica_meta_serialize,
    replica_meta_deserialize
);

#[pyfunction]
#[pyo3(signature = (fields=None))]
fn event_serialize<'py>(
    py: Python<'py>,
    fields: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let value: Event = convert::build("Event", fields)?;
    Ok(PyBytes::new(py, &value.serialize()))
}

/// `Event.deserialize(data)`: `data` comes back as bytes, like the Python field.
#[pyfunction]
fn event_deserialize<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let value = Event::deserialize(data).map_err(errors::serde_json)?;
    let fields = convert::to_python(py, &value)?;
    fields.set_item("data", PyBytes::new(py, &value.data))?;
    Ok(fields)
}

#[pyfunction]
fn model_meta_get_path(fields: Option<&Bound<'_, PyDict>>, base_path: &str) -> PyResult<String> {
    Ok(convert::build::<ModelMeta>("ModelMeta", fields)?.get_path(base_path))
}

#[pyfunction]
fn resource_spec_get_path(fields: Option<&Bound<'_, PyDict>>, base_path: &str) -> PyResult<String> {
    Ok(convert::build::<ResourceSpec>("ResourceSpec", fields)?.get_path(base_path))
}

#[pyfunction]
fn publish_meta_get_path(fields: Option<&Bound<'_, PyDict>>, base_path: &str) -> PyResult<String> {
    Ok(convert::build::<PublishMeta>("PublishMeta", fields)?.get_path(base_path))
}

#[pyfunction]
#[pyo3(signature = (fields, bzid, sep="/"))]
fn replica_meta_get_path(
    fields: Option<&Bound<'_, PyDict>>,
    bzid: &str,
    sep: &str,
) -> PyResult<String> {
    Ok(convert::build::<ReplicaMeta>("ReplicaMeta", fields)?.get_path(bzid, sep))
}

/// `ReplicaMeta(**fields).get_address(use_archon, address_family)`; an unknown family
/// panics in Rust (an `assert!`), which PyO3 raises as PanicException.
#[pyfunction]
#[pyo3(signature = (fields, use_archon=false, address_family=dd::AddressFamily::IPV4))]
fn replica_meta_get_address(
    fields: Option<&Bound<'_, PyDict>>,
    use_archon: bool,
    address_family: &str,
) -> PyResult<Option<String>> {
    Ok(convert::build::<ReplicaMeta>("ReplicaMeta", fields)?
        .get_address(use_archon, address_family))
}

/// `EmptyStatus` (a `StatusProto()`), serialized.
#[pyfunction]
fn empty_status<'py>(py: Python<'py>) -> Bound<'py, PyBytes> {
    PyBytes::new(py, &dd::empty_status().encode_to_vec())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(model_meta_serialize, m)?)?;
    m.add_function(wrap_pyfunction!(model_meta_deserialize, m)?)?;
    m.add_function(wrap_pyfunction!(model_meta_get_path, m)?)?;
    m.add_function(wrap_pyfunction!(resource_spec_serialize, m)?)?;
    m.add_function(wrap_pyfunction!(resource_spec_deserialize, m)?)?;
    m.add_function(wrap_pyfunction!(resource_spec_get_path, m)?)?;
    m.add_function(wrap_pyfunction!(publish_meta_serialize, m)?)?;
    m.add_function(wrap_pyfunction!(publish_meta_deserialize, m)?)?;
    m.add_function(wrap_pyfunction!(publish_meta_get_path, m)?)?;
    m.add_function(wrap_pyfunction!(replica_meta_serialize, m)?)?;
    m.add_function(wrap_pyfunction!(replica_meta_deserialize, m)?)?;
    m.add_function(wrap_pyfunction!(replica_meta_get_path, m)?)?;
    m.add_function(wrap_pyfunction!(replica_meta_get_address, m)?)?;
    m.add_function(wrap_pyfunction!(event_serialize, m)?)?;
    m.add_function(wrap_pyfunction!(event_deserialize, m)?)?;
    m.add_function(wrap_pyfunction!(empty_status, m)?)?;
    Ok(())
}

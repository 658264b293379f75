//! `monolith/agent_service/tfs_client.py` -> `monolith_serving::tfs_client`.
//!
//! Python reads its framing options from absl flags (`FLAGS.lagrangex_header`,
//! `has_sort_id`, `kafka_dump`, `kafka_dump_prefix`); here they are keyword
//! arguments.  Where the Rust function takes no flags (`get_instance_proto`),
//! a non-default flag raises `UnsupportedByPort`.  Tensors and messages are
//! returned serialized.

use std::path::Path;

use monolith_serving::tfs_client::{self as t, FramedFileFlags};
use prost::Message;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors;

fn flags(lagrangex_header: bool, has_sort_id: bool, kafka_dump: bool, kafka_dump_prefix: bool) -> FramedFileFlags {
    FramedFileFlags {
        lagrangex_header,
        has_sort_id,
        kafka_dump,
        kafka_dump_prefix,
    }
}

/// `get_instance_proto(input_file, batch_size)` -> serialized `tensorflow.TensorProto`.
#[pyfunction]
#[pyo3(signature = (input_file=None, batch_size=256, lagrangex_header=false, has_sort_id=false, kafka_dump=false, kafka_dump_prefix=false))]
fn get_instance_proto<'py>(
    py: Python<'py>,
    input_file: Option<&str>,
    batch_size: usize,
    lagrangex_header: bool,
    has_sort_id: bool,
    kafka_dump: bool,
    kafka_dump_prefix: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    if lagrangex_header || has_sort_id || kafka_dump || kafka_dump_prefix {
        return Err(errors::unsupported(
            "get_instance_proto: the Rust API takes no framing flags (always reads unprefixed records)",
        ));
    }
    let tensor = t::get_instance_proto(input_file.map(Path::new), batch_size).map_err(errors::serving)?;
    Ok(PyBytes::new(py, &tensor.encode_to_vec()))
}

/// `get_example_batch_to_instance(input_file, file_type)` -> serialized `tensorflow.TensorProto`.
#[pyfunction]
#[pyo3(signature = (input_file, file_type, lagrangex_header=false, has_sort_id=false, kafka_dump=false, kafka_dump_prefix=false))]
fn get_example_batch_to_instance<'py>(
    py: Python<'py>,
    input_file: &str,
    file_type: &str,
    lagrangex_header: bool,
    has_sort_id: bool,
    kafka_dump: bool,
    kafka_dump_prefix: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let tensor = t::get_example_batch_to_instance(
        Path::new(input_file),
        file_type,
        flags(lagrangex_header, has_sort_id, kafka_dump, kafka_dump_prefix),
    )
    .map_err(errors::serving)?;
    Ok(PyBytes::new(py, &tensor.encode_to_vec()))
}

/// `read_data(open(path, 'rb'))` parsed as an `ExampleBatch` -> serialized `monolith.io.proto.ExampleBatch`.
#[pyfunction]
#[pyo3(signature = (path, lagrangex_header=false, has_sort_id=false, kafka_dump=false, kafka_dump_prefix=false))]
fn read_framed_example_batch_from_file<'py>(
    py: Python<'py>,
    path: &str,
    lagrangex_header: bool,
    has_sort_id: bool,
    kafka_dump: bool,
    kafka_dump_prefix: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let eb = t::read_framed_example_batch_from_file(
        Path::new(path),
        flags(lagrangex_header, has_sort_id, kafka_dump, kafka_dump_prefix),
    )
    .map_err(errors::serving)?;
    Ok(PyBytes::new(py, &eb.encode_to_vec()))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(get_instance_proto, m)?)?;
    m.add_function(wrap_pyfunction!(get_example_batch_to_instance, m)?)?;
    m.add_function(wrap_pyfunction!(read_framed_example_batch_from_file, m)?)?;
    Ok(())
}

//! `monolith/native_training/layers/utils.py` `merge_tensor_list` -> `monolith_layers::merge`.
//!
//! The signature differs between revisions: `-> MergeOutput` (a shape it cannot merge panics) or
//! `-> Result<MergeOutput, LayerError>`; one wrapper variant per signature, each under its fact.
//! The result is a tensor `(shape, bytes)` or a list of them, like Python's tensor or list.

#[allow(unused_imports)]
use monolith_layers::merge::{merge_tensor_list as merge, MergeOutput, MergeType};
use pyo3::prelude::*;
#[allow(unused_imports)]
use pyo3::types::PyList;

#[allow(unused_imports)]
use super::{tensor_from, tensor_to};
#[allow(unused_imports)]
use crate::errors;

#[allow(dead_code)]
fn merge_type(name: Option<&str>) -> PyResult<MergeType> {
    match name {
        Some("stack") => Ok(MergeType::Stack),
        Some("concat") => Ok(MergeType::Concat),
        None => Ok(MergeType::None),
        Some(other) => Err(errors::unsupported(format!("merge_type {other:?} is not a MergeType"))),
    }
}

#[allow(dead_code)]
fn tensors(list: Vec<(Vec<usize>, Vec<u8>)>) -> PyResult<Vec<monolith_layers::tensor::Tensor>> {
    list.into_iter().map(|(shape, data)| tensor_from(shape, &data)).collect()
}

#[allow(dead_code)]
fn output<'py>(py: Python<'py>, out: MergeOutput) -> PyResult<Bound<'py, PyAny>> {
    Ok(match out {
        MergeOutput::Tensor(t) => tensor_to(py, &t).into_pyobject(py)?.into_any(),
        MergeOutput::List(list) => {
            let items: Vec<_> = list.iter().map(|t| tensor_to(py, t)).collect();
            PyList::new(py, items)?.into_any()
        }
    })
}

/// `merge_tensor_list(tensor_list, merge_type, num_feature, axis, keep_list)` (revisions returning `MergeOutput`).
#[cfg(api_sig = "monolith_layers::merge::merge_tensor_list -> MergeOutput")]
#[pyfunction]
#[pyo3(signature = (tensor_list, merge_type=Some("concat"), num_feature=None, axis=1, keep_list=false))]
fn merge_tensor_list<'py>(
    py: Python<'py>,
    tensor_list: Vec<(Vec<usize>, Vec<u8>)>,
    merge_type: Option<&str>,
    num_feature: Option<usize>,
    axis: usize,
    keep_list: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = self::merge_type(merge_type)?;
    output(py, merge(tensors(tensor_list)?, kind, num_feature, axis, keep_list))
}

/// `merge_tensor_list(tensor_list, merge_type, num_feature, axis, keep_list)` (revisions returning `Result`).
#[cfg(api_sig = "monolith_layers::merge::merge_tensor_list -> Result")]
#[pyfunction]
#[pyo3(signature = (tensor_list, merge_type=Some("concat"), num_feature=None, axis=1, keep_list=false))]
fn merge_tensor_list<'py>(
    py: Python<'py>,
    tensor_list: Vec<(Vec<usize>, Vec<u8>)>,
    merge_type: Option<&str>,
    num_feature: Option<usize>,
    axis: usize,
    keep_list: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = self::merge_type(merge_type)?;
    let out = merge(tensors(tensor_list)?, kind, num_feature, axis, keep_list).map_err(errors::layers)?;
    output(py, out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    #[cfg(any(
        api_sig = "monolith_layers::merge::merge_tensor_list -> MergeOutput",
        api_sig = "monolith_layers::merge::merge_tensor_list -> Result"
    ))]
    m.add_function(wrap_pyfunction!(merge_tensor_list, m)?)?;
    let _ = m;
    Ok(())
}

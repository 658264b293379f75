//! `monolith/native_training/file_ops.py` (`WritableFile`) -> `monolith_training::file_ops::WritableFile`.

use monolith_training::file_ops::WritableFile;
use pyo3::prelude::*;

use crate::errors;

/// `WritableFile(filename)`: `append(content)`, `append_entry_dump(item_id, bias, embedding)`, `close()`.
#[pyclass(name = "WritableFile", unsendable)]
struct PyWritableFile {
    inner: WritableFile,
}

#[pymethods]
impl PyWritableFile {
    #[new]
    fn new(filename: &str) -> PyResult<Self> {
        Ok(Self { inner: WritableFile::new(filename).map_err(errors::io)? })
    }

    fn append(&self, content: &[u8]) -> PyResult<()> {
        self.inner.append(content).map_err(errors::io)
    }

    fn append_entry_dump(&self, item_id: Vec<i64>, bias: Vec<f32>, embedding: Vec<f32>) -> PyResult<()> {
        self.inner.append_entry_dump(&item_id, &bias, &embedding).map_err(errors::io)
    }

    fn close(&self) -> PyResult<()> {
        self.inner.close().map_err(errors::io)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyWritableFile>()?;
    Ok(())
}

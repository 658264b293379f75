//! `monolith/native_training/native_task_context.py` -> `monolith_training::native_task_context`.
//!
//! `with_ctx(ctx)` is a context manager in Python and a guard in Rust; the wrapper's
//! `NativeTaskContextScope` is that guard (`exit()` drops it, as leaving the `with` block does).
//! A context is a dict of the Rust struct's fields (`sync_backend`, which Python also carries, has
//! no Rust field: it is not part of these calls).

use monolith_training::native_task_context as ntc;
use pyo3::prelude::*;
use pyo3::types::PyDict;

fn ctx_dict<'py>(py: Python<'py>, ctx: &ntc::NativeTaskContext) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("num_ps", ctx.num_ps)?;
    out.set_item("ps_index", ctx.ps_index)?;
    out.set_item("num_workers", ctx.num_workers)?;
    out.set_item("worker_index", ctx.worker_index)?;
    out.set_item("model_name", &ctx.model_name)?;
    out.set_item("server_type", &ctx.server_type)?;
    Ok(out)
}

/// `native_task_context.get()` -> the context's fields.
#[pyfunction]
fn native_task_context_get(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    ctx_dict(py, &ntc::get())
}

/// An entered `with_ctx(...)` block; `exit()` leaves it.
#[pyclass(name = "NativeTaskContextScope", unsendable)]
struct Scope {
    guard: Option<ntc::NativeTaskContextGuard>,
}

#[pymethods]
impl Scope {
    fn exit(&mut self) {
        self.guard.take();
    }
}

/// Enter `with_ctx(NativeTaskContext(num_ps, ps_index, num_workers, worker_index, model_name, server_type))`.
#[pyfunction]
fn native_task_context_enter(
    num_ps: i32,
    ps_index: i32,
    num_workers: i32,
    worker_index: i32,
    model_name: String,
    server_type: String,
) -> Scope {
    let ctx = ntc::NativeTaskContext { num_ps, ps_index, num_workers, worker_index, model_name, server_type };
    Scope { guard: Some(ntc::with_ctx(ctx)) }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Scope>()?;
    m.add_function(wrap_pyfunction!(native_task_context_get, m)?)?;
    m.add_function(wrap_pyfunction!(native_task_context_enter, m)?)?;
    Ok(())
}

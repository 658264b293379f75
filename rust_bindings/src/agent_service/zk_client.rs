//! Clients behind monolith-serving's `ZkClient` trait, for `ZkBackend`, `ZkMirror`, ...
//!
//! * [`PyZkClient`]: the trait over a Python object (in practice
//!   `pytest_monolith_parity.services.kazoo_adapter.KazooAdapter`, a thin
//!   translation onto kazoo, the client the Python reference uses), so the Rust
//!   code under test talks to a REAL ZooKeeper server.  Chosen over the
//!   `zookeeper-client` crate because monolith-rs has no real `ZkClient` of its
//!   own to test: an async client wrapped here would be behaviour of ours (watch
//!   re-arming, ...), while kazoo's recipe is exactly what the reference runs.
//! * `FakeZkClient`: monolith-serving's own `FakeKazooClient`, as a Python class.
//!
//! GIL discipline (no deadlocks between kazoo's callback thread and Rust locks):
//! Rust code under test never runs with the GIL held (wrappers `detach`), every
//! trait method takes the GIL only for its one Python call, and watch callbacks
//! from kazoo release the GIL before entering Rust.
//!
//! `ChildrenWatchHandle` / `DataWatchHandle` have private fields and no public
//! constructor in monolith-serving, so a client outside the crate cannot make
//! one: handles are minted by registering a no-op watch on a private
//! `FakeKazooClient`, and whether the code under test stopped one is read from
//! its `Debug` form (`is_stopped` is crate-private).  A harness workaround for an
//! API gap of the port, reported.

use std::sync::Arc;

use monolith_serving::backends::{
    ChildrenWatchCallback, ChildrenWatchEventCallback, ChildrenWatchHandle, DataWatchCallback,
    DataWatchHandle, WatchEventType, WatchedEvent, ZkClient, ZkError, ZnodeStat,
};
use monolith_serving::FakeKazooClient;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::errors::MonolithError;

mod exc {
    use super::MonolithError;
    use pyo3::create_exception;
    create_exception!(
        monolith_parity_rs,
        ZkError,
        MonolithError,
        "monolith_serving::backends::ZkError (kind: NoNode, NodeExists, NotEmpty, Other)."
    );
}
use exc::ZkError as ZkErrorPy;

/// `ZkError` -> Python `ZkError` exception with `kind` = the variant.
pub fn zk_err(e: ZkError) -> PyErr {
    let kind = match &e {
        ZkError::NoNode(_) => "NoNode",
        ZkError::NodeExists(_) => "NodeExists",
        ZkError::NotEmpty(_) => "NotEmpty",
        ZkError::Other(_) => "Other",
    };
    let err = ZkErrorPy::new_err(e.to_string());
    Python::attach(|py| {
        let _ = err.value(py).setattr("kind", kind);
    });
    err
}

fn py_to_zk(py: Python<'_>, err: PyErr, path: &str) -> ZkError {
    let name = err
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    match name.as_str() {
        "NoNodeError" => ZkError::NoNode(path.to_string()),
        "NodeExistsError" => ZkError::NodeExists(path.to_string()),
        "NotEmptyError" => ZkError::NotEmpty(path.to_string()),
        _ => ZkError::Other(format!("{name}: {}", err.value(py))),
    }
}

fn event_from(ev: Option<(String, String)>) -> Option<WatchedEvent> {
    let (ty, path) = ev?;
    let event_type = match ty.as_str() {
        "CREATED" => WatchEventType::Created,
        "DELETED" => WatchEventType::Deleted,
        "CHANGED" => WatchEventType::Changed,
        _ => WatchEventType::Child,
    };
    Some(WatchedEvent { event_type, path })
}

pub fn event_to(ev: &Option<WatchedEvent>) -> Option<(String, String)> {
    ev.as_ref().map(|e| {
        let ty = match e.event_type {
            WatchEventType::Created => "CREATED",
            WatchEventType::Deleted => "DELETED",
            WatchEventType::Changed => "CHANGED",
            WatchEventType::Child => "CHILD",
        };
        (ty.to_string(), e.path.clone())
    })
}

fn handle_stopped<T: std::fmt::Debug>(h: &T) -> bool {
    format!("{h:?}").contains("stopped: true")
}

/// Mints watch handles (see the module docs).
struct HandleMint(FakeKazooClient);

impl HandleMint {
    fn new() -> Self {
        let fake = FakeKazooClient::new();
        fake.start().expect("FakeKazooClient::start");
        Self(fake)
    }
    fn children(&self) -> ChildrenWatchHandle {
        self.0
            .children_watch("/", Arc::new(|_| true))
            .expect("children_watch on a started fake")
    }
    fn data(&self) -> DataWatchHandle {
        self.0
            .data_watch("/", Arc::new(|_, _, _| true))
            .expect("data_watch on a started fake")
    }
}

#[pyclass(frozen)]
struct ChildrenTrampoline {
    cb: ChildrenWatchEventCallback,
    handle: ChildrenWatchHandle,
}

#[pymethods]
impl ChildrenTrampoline {
    #[pyo3(signature = (children, event=None))]
    fn __call__(
        &self,
        py: Python<'_>,
        children: Vec<String>,
        event: Option<(String, String)>,
    ) -> bool {
        if handle_stopped(&self.handle) {
            return false;
        }
        let cb = self.cb.clone();
        py.detach(move || cb(children, event_from(event)))
    }
}

type Stat = (i64, i64, i32, usize, usize);

#[pyclass(frozen)]
struct DataTrampoline {
    cb: DataWatchCallback,
    handle: DataWatchHandle,
}

#[pymethods]
impl DataTrampoline {
    #[pyo3(signature = (data, stat=None, event=None))]
    fn __call__(
        &self,
        py: Python<'_>,
        data: Option<Vec<u8>>,
        stat: Option<Stat>,
        event: Option<(String, String)>,
    ) -> bool {
        if handle_stopped(&self.handle) {
            return false;
        }
        let stat = stat
            .map(|(ctime, mtime, version, data_length, num_children)| ZnodeStat {
                ctime,
                mtime,
                version,
                data_length,
                num_children,
            })
            .unwrap_or_default();
        let cb = self.cb.clone();
        py.detach(move || cb(data, stat, event_from(event)))
    }
}

/// `ZkClient` over a Python object speaking the `KazooAdapter` protocol.
pub struct PyZkClient {
    obj: Py<PyAny>,
    mint: HandleMint,
}

impl PyZkClient {
    pub fn new(obj: Py<PyAny>) -> Self {
        Self {
            obj,
            mint: HandleMint::new(),
        }
    }

    fn call<T>(
        &self,
        path: &str,
        f: impl FnOnce(Python<'_>, &Bound<'_, PyAny>) -> PyResult<T>,
    ) -> Result<T, ZkError> {
        Python::attach(|py| {
            let obj = self.obj.bind(py);
            f(py, obj).map_err(|e| py_to_zk(py, e, path))
        })
    }
}

impl ZkClient for PyZkClient {
    fn start(&self) -> Result<(), ZkError> {
        self.call("", |_, o| o.call_method0("start").map(|_| ()))
    }
    fn stop(&self) -> Result<(), ZkError> {
        self.call("", |_, o| o.call_method0("stop").map(|_| ()))
    }
    fn ensure_path(&self, path: &str) -> Result<(), ZkError> {
        self.call(path, |_, o| o.call_method1("ensure_path", (path,)).map(|_| ()))
    }
    fn create(
        &self,
        path: &str,
        value: Vec<u8>,
        ephemeral: bool,
        makepath: bool,
    ) -> Result<(), ZkError> {
        self.call(path, |py, o| {
            o.call_method1(
                "create",
                (path, PyBytes::new(py, &value), ephemeral, makepath),
            )
            .map(|_| ())
        })
    }
    fn delete(&self, path: &str, recursive: bool) -> Result<(), ZkError> {
        self.call(path, |_, o| o.call_method1("delete", (path, recursive)).map(|_| ()))
    }
    fn set(&self, path: &str, value: Vec<u8>) -> Result<(), ZkError> {
        self.call(path, |py, o| {
            o.call_method1("set", (path, PyBytes::new(py, &value)))
                .map(|_| ())
        })
    }
    fn get(&self, path: &str) -> Result<Vec<u8>, ZkError> {
        self.call(path, |_, o| o.call_method1("get", (path,))?.extract::<Vec<u8>>())
    }
    fn exists(&self, path: &str) -> bool {
        self.call(path, |_, o| o.call_method1("exists", (path,))?.extract::<bool>())
            .unwrap_or(false)
    }
    fn get_children(&self, path: &str) -> Result<Vec<String>, ZkError> {
        self.call(path, |_, o| {
            o.call_method1("get_children", (path,))?
                .extract::<Vec<String>>()
        })
    }
    fn children_watch(
        &self,
        path: &str,
        callback: ChildrenWatchCallback,
    ) -> Result<ChildrenWatchHandle, ZkError> {
        let cb: ChildrenWatchEventCallback = Arc::new(move |children, _event| callback(children));
        self.children_watch_event(path, cb)
    }
    fn children_watch_event(
        &self,
        path: &str,
        callback: ChildrenWatchEventCallback,
    ) -> Result<ChildrenWatchHandle, ZkError> {
        let handle = self.mint.children();
        let tramp = ChildrenTrampoline {
            cb: callback,
            handle: handle.clone(),
        };
        self.call(path, |py, o| {
            o.call_method1("children_watch", (path, Py::new(py, tramp)?))
                .map(|_| ())
        })?;
        Ok(handle)
    }
    fn data_watch(
        &self,
        path: &str,
        callback: DataWatchCallback,
    ) -> Result<DataWatchHandle, ZkError> {
        let handle = self.mint.data();
        let tramp = DataTrampoline {
            cb: callback,
            handle: handle.clone(),
        };
        self.call(path, |py, o| {
            o.call_method1("data_watch", (path, Py::new(py, tramp)?))
                .map(|_| ())
        })?;
        Ok(handle)
    }
}

/// A Python-visible `Arc<dyn ZkClient>`: `ZkClientRef(adapter)` wraps a Python
/// object (`PyZkClient`); `ZkClientRef.fake()` is monolith-serving's `FakeKazooClient`.
/// Every method mirrors the trait (and the Python fake `mocked_zkclient.FakeKazooClient`).
#[pyclass(frozen, name = "ZkClient")]
pub struct ZkClientRef {
    pub inner: Arc<dyn ZkClient>,
}

#[pymethods]
impl ZkClientRef {
    #[new]
    fn py_new(adapter: Py<PyAny>) -> Self {
        Self {
            inner: Arc::new(PyZkClient::new(adapter)),
        }
    }

    /// monolith-serving's in-memory `FakeKazooClient`.
    #[staticmethod]
    fn fake() -> Self {
        Self {
            inner: Arc::new(FakeKazooClient::new()),
        }
    }

    fn start(&self, py: Python<'_>) -> PyResult<()> {
        let zk = self.inner.clone();
        py.detach(move || zk.start()).map_err(zk_err)
    }
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let zk = self.inner.clone();
        py.detach(move || zk.stop()).map_err(zk_err)
    }
    fn restart(&self, py: Python<'_>) -> PyResult<()> {
        let zk = self.inner.clone();
        py.detach(move || zk.restart()).map_err(zk_err)
    }
    fn ensure_path(&self, py: Python<'_>, path: String) -> PyResult<()> {
        let zk = self.inner.clone();
        py.detach(move || zk.ensure_path(&path)).map_err(zk_err)
    }
    #[pyo3(signature = (path, value=Vec::new(), ephemeral=false, makepath=false))]
    fn create(
        &self,
        py: Python<'_>,
        path: String,
        value: Vec<u8>,
        ephemeral: bool,
        makepath: bool,
    ) -> PyResult<()> {
        let zk = self.inner.clone();
        py.detach(move || zk.create(&path, value, ephemeral, makepath))
            .map_err(zk_err)
    }
    /// Python's fake defaults to `recursive=True`; so does this wrapper (the trait has no default).
    #[pyo3(signature = (path, recursive=true))]
    fn delete(&self, py: Python<'_>, path: String, recursive: bool) -> PyResult<()> {
        let zk = self.inner.clone();
        py.detach(move || zk.delete(&path, recursive)).map_err(zk_err)
    }
    fn set(&self, py: Python<'_>, path: String, value: Vec<u8>) -> PyResult<()> {
        let zk = self.inner.clone();
        py.detach(move || zk.set(&path, value)).map_err(zk_err)
    }
    fn get<'py>(&self, py: Python<'py>, path: String) -> PyResult<Bound<'py, PyBytes>> {
        let zk = self.inner.clone();
        let v = py.detach(move || zk.get(&path)).map_err(zk_err)?;
        Ok(PyBytes::new(py, &v))
    }
    fn exists(&self, py: Python<'_>, path: String) -> bool {
        let zk = self.inner.clone();
        py.detach(move || zk.exists(&path))
    }
    fn get_children(&self, py: Python<'_>, path: String) -> PyResult<Vec<String>> {
        let zk = self.inner.clone();
        py.detach(move || zk.get_children(&path)).map_err(zk_err)
    }
    /// `fn(children, event)`; `event` is `(type, path)` or None.  Returns a handle whose
    /// `stop()` stops the watch.
    fn children_watch(&self, py: Python<'_>, path: String, func: Py<PyAny>) -> PyResult<WatchHandle> {
        let zk = self.inner.clone();
        let cb: ChildrenWatchEventCallback = Arc::new(move |children, event| {
            Python::attach(|py| {
                let r = func.call1(py, (children, event_to(&event)));
                match r {
                    Ok(v) => v.bind(py).extract::<Option<bool>>().ok().flatten() != Some(false),
                    Err(e) => {
                        e.print(py);
                        true
                    }
                }
            })
        });
        let h = py
            .detach(move || zk.children_watch_event(&path, cb))
            .map_err(zk_err)?;
        Ok(WatchHandle {
            children: Some(h),
            data: None,
        })
    }
    /// `fn(data, stat, event)`; `stat` is `(ctime, mtime, version, data_length, num_children)`.
    fn data_watch(&self, py: Python<'_>, path: String, func: Py<PyAny>) -> PyResult<WatchHandle> {
        let zk = self.inner.clone();
        let cb: DataWatchCallback = Arc::new(move |data, stat, event| {
            Python::attach(|py| {
                let data = data.map(|d| PyBytes::new(py, &d).unbind());
                let st = (
                    stat.ctime,
                    stat.mtime,
                    stat.version,
                    stat.data_length,
                    stat.num_children,
                );
                match func.call1(py, (data, st, event_to(&event))) {
                    Ok(v) => v.bind(py).extract::<Option<bool>>().ok().flatten() != Some(false),
                    Err(e) => {
                        e.print(py);
                        true
                    }
                }
            })
        });
        let h = py.detach(move || zk.data_watch(&path, cb)).map_err(zk_err)?;
        Ok(WatchHandle {
            children: None,
            data: Some(h),
        })
    }

    /// Every node below `root` (excluded) as sorted `(path, data)` pairs, via the trait.
    #[pyo3(signature = (root="/"))]
    fn dump<'py>(&self, py: Python<'py>, root: &str) -> PyResult<Bound<'py, PyList>> {
        let zk = self.inner.clone();
        let root = root.to_string();
        let mut out: Vec<(String, Vec<u8>)> = py
            .detach(move || {
                let mut out = Vec::new();
                let mut stack = vec![root];
                while let Some(p) = stack.pop() {
                    for c in zk.get_children(&p)? {
                        let child = format!("{}/{}", p.trim_end_matches('/'), c);
                        out.push((child.clone(), zk.get(&child)?));
                        stack.push(child);
                    }
                }
                Ok::<_, ZkError>(out)
            })
            .map_err(zk_err)?;
        out.sort();
        let list = PyList::empty(py);
        for (p, d) in out {
            list.append((p, PyBytes::new(py, &d)))?;
        }
        Ok(list)
    }
}

#[pyclass(frozen)]
pub struct WatchHandle {
    children: Option<ChildrenWatchHandle>,
    data: Option<DataWatchHandle>,
}

#[pymethods]
impl WatchHandle {
    fn stop(&self) {
        if let Some(h) = &self.children {
            h.stop();
        }
        if let Some(h) = &self.data {
            h.stop();
        }
    }
}

/// Dict -> serde struct without `Default` (fields absent in the dict take serde's default).
pub fn from_dict<T: serde::de::DeserializeOwned>(
    type_name: &str,
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<T> {
    let value = match fields {
        Some(d) => crate::convert::to_json(d.as_any())?,
        None => serde_json::Value::Object(Default::default()),
    };
    serde_json::from_value(value).map_err(|e| {
        crate::errors::unsupported(format!("the Rust {type_name} cannot hold these fields: {e}"))
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ZkError", py.get_type::<ZkErrorPy>())?;
    m.add_class::<ZkClientRef>()?;
    m.add_class::<WatchHandle>()?;
    m.add_class::<ChildrenTrampoline>()?;
    m.add_class::<DataTrampoline>()?;
    Ok(())
}

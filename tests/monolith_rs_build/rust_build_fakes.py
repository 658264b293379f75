"""Fakes for the rust_build tests: a tiny monolith-rs workspace and a bindings crate over it.

The fake crates depend on nothing but pyo3, so a real cargo build of them
takes seconds once pyo3 is compiled (the tests share one target dir).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


PYO3 = '{ version = "0.30.1", features = ["abi3-py311"] }'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def make_checkout(root: Path, answer: int) -> Path:
    """``<root>/monolith-rs``: a workspace with monolith-core (``answer()``) and monolith-cli (prints it)."""
    rs = root / "monolith-rs"
    write(rs / "Cargo.toml", """
        [workspace]
        resolver = "2"
        members = ["crates/monolith-*"]

        [workspace.package]
        version = "0.1.0"
        edition = "2021"

        [workspace.dependencies]
        monolith-core = { path = "crates/monolith-core" }
        """)
    write(rs / "crates/monolith-core/Cargo.toml", """
        [package]
        name = "monolith-core"
        version.workspace = true
        edition.workspace = true
        """)
    set_answer(root, answer)
    write(rs / "crates/monolith-cli/Cargo.toml", """
        [package]
        name = "monolith-cli"
        version.workspace = true
        edition.workspace = true

        [[bin]]
        name = "monolith"
        path = "src/main.rs"

        [dependencies]
        monolith-core = { workspace = true }
        """)
    write(rs / "crates/monolith-cli/src/lib.rs", "pub fn banner() -> String { format!(\"answer {}\", monolith_core::answer()) }\n")
    write(rs / "crates/monolith-cli/src/main.rs", "fn main() { println!(\"{}\", monolith_cli::banner()); }\n")
    (root / "monolith").mkdir(exist_ok=True)
    (root / "idl").mkdir(exist_ok=True)
    return root


def set_answer(root: Path, answer: int) -> None:
    write(root / "monolith-rs/crates/monolith-core/src/lib.rs", f"pub fn answer() -> i64 {{ {answer} }}\n")


def make_bindings(directory: Path, body: str = "monolith_core::answer()") -> Path:
    write(directory / "bindings.toml", f"""
        [package]
        name = "monolith-parity-rs"
        version = "0.1.0"
        edition = "2021"
        publish = false

        [lib]
        name = "monolith_parity_rs"
        crate-type = ["cdylib"]

        [dependencies]
        monolith-core = {{ workspace = true }}
        pyo3 = {PYO3}

        [profile.release]
        panic = "unwind"
        """)
    set_bindings_body(directory, body)
    return directory


def set_bindings_body(directory: Path, body: str) -> None:
    write(directory / "src/lib.rs", f"""
        use pyo3::prelude::*;

        #[pyfunction]
        fn answer() -> i64 {{ {body} }}

        #[pymodule]
        fn monolith_parity_rs(m: &Bound<'_, PyModule>) -> PyResult<()> {{
            m.add_function(wrap_pyfunction!(answer, m)?)
        }}
        """)


def call_extension(python_path: Path) -> int:
    """``monolith_parity_rs.answer()`` in a fresh interpreter (an extension cannot be reloaded in-process)."""
    code = f"import sys; sys.path.insert(0, {str(python_path)!r}); import monolith_parity_rs as m; print(m.answer())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return int(out.stdout)


# --- API facts and package features --------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
API_SCAN = REPO / "rust_bindings" / "api-scan"


def make_api_checkout(root: Path, revision: str, shape_returns: str | None = None) -> Path:
    """A checkout with two packages' crates: monolith-core (differs by revision) and monolith-extra.

    ``revision="pr"`` adds ``monolith_core::only_on_pr`` and makes ``shape`` return ``Result``;
    ``shape_returns="Option"`` gives ``shape`` a third signature no wrapper handles.
    """
    rs = root / "monolith-rs"
    write(rs / "Cargo.toml", """
        [workspace]
        resolver = "2"
        members = ["crates/monolith-*"]

        [workspace.package]
        version = "0.1.0"
        edition = "2021"

        [workspace.dependencies]
        monolith-core = { path = "crates/monolith-core" }
        monolith-extra = { path = "crates/monolith-extra" }
        """)
    write(rs / "crates/monolith-core/Cargo.toml", """
        [package]
        name = "monolith-core"
        version.workspace = true
        edition.workspace = true

        [features]
        zk = []
        """)
    if revision == "pr":
        body = """
            pub mod api {
                pub fn only_on_pr() -> i64 { 7 }
                pub fn shape(x: i64) -> Result<i64, String> { if x < 0 { Err(format!("negative: {x}")) } else { Ok(x * 2) } }
                #[cfg(feature = "zk")]
                pub fn gated() -> i64 { 1 }
            }
            """
    else:
        body = """
            pub mod api {
                pub fn shape(x: i64) -> i64 { assert!(x >= 0, "negative"); x * 2 }
                #[cfg(test)]
                pub fn only_on_pr() -> i64 { 0 }
            }
            """
    if shape_returns == "Option":
        body = "pub mod api { pub fn shape(x: i64) -> Option<i64> { Some(x) } }\n"
    write(rs / "crates/monolith-core/src/lib.rs", body)
    write(rs / "crates/monolith-extra/Cargo.toml", """
        [package]
        name = "monolith-extra"
        version.workspace = true
        edition.workspace = true
        """)
    write(rs / "crates/monolith-extra/src/lib.rs", "pub fn extra() -> i64 { 99 }\n")
    (root / "monolith").mkdir(exist_ok=True)
    (root / "idl").mkdir(exist_ok=True)
    return root


def make_api_bindings(directory: Path) -> Path:
    """Bindings with two package features (`core`, `extra`), the real build.rs and api-scan, and API facts."""
    write(directory / "bindings.toml", f"""
        [package]
        name = "monolith-parity-rs"
        version = "0.1.0"
        edition = "2021"
        publish = false

        [lib]
        name = "monolith_parity_rs"
        crate-type = ["cdylib"]

        [features]
        core = ["dep:monolith-core"]
        extra = ["dep:monolith-extra"]

        [dependencies]
        monolith-core = {{ workspace = true, optional = true }}
        monolith-extra = {{ workspace = true, optional = true }}
        pyo3 = {PYO3}

        [build-dependencies]
        parity-api-scan = {{ path = "{API_SCAN}" }}

        [profile.release]
        panic = "unwind"
        """)
    (directory / "build.rs").write_text((REPO / "rust_bindings" / "build.rs").read_text())
    write(directory / "src/lib.rs", """
        #![deny(unexpected_cfgs)]
        use pyo3::prelude::*;

        #[cfg(feature = "core")]
        mod core;
        #[cfg(feature = "extra")]
        mod extra;

        include!(concat!(env!("OUT_DIR"), "/parity_api.rs"));

        #[pymodule]
        fn monolith_parity_rs(m: &Bound<'_, PyModule>) -> PyResult<()> {
            #[cfg(feature = "core")]
            core::register(m)?;
            #[cfg(feature = "extra")]
            extra::register(m)?;
            m.add("__parity_api__", m.py().import("json")?.call_method1("loads", (PARITY_API_JSON,))?)?;
            Ok(())
        }
        """)
    write(directory / "src/core/mod.rs", """
        use pyo3::prelude::*;

        #[cfg(api_has = "monolith_core::api::only_on_pr")]
        #[pyfunction]
        fn only_on_pr() -> i64 { monolith_core::api::only_on_pr() }

        #[cfg(api_sig = "monolith_core::api::shape -> i64")]
        #[pyfunction]
        fn shape(x: i64) -> i64 { monolith_core::api::shape(x) }

        #[cfg(api_sig = "monolith_core::api::shape -> Result")]
        #[pyfunction]
        fn shape(x: i64) -> PyResult<i64> {
            monolith_core::api::shape(x).map_err(pyo3::exceptions::PyValueError::new_err)
        }

        #[cfg(api_has = "monolith_core::api::gated")]
        #[pyfunction]
        fn gated() -> i64 { monolith_core::api::gated() }

        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            #[cfg(api_has = "monolith_core::api::only_on_pr")]
            m.add_function(wrap_pyfunction!(only_on_pr, m)?)?;
            #[cfg(any(api_sig = "monolith_core::api::shape -> i64", api_sig = "monolith_core::api::shape -> Result"))]
            m.add_function(wrap_pyfunction!(shape, m)?)?;
            #[cfg(api_has = "monolith_core::api::gated")]
            m.add_function(wrap_pyfunction!(gated, m)?)?;
            let _ = m;
            Ok(())
        }
        """)
    write(directory / "src/extra/mod.rs", """
        use pyo3::prelude::*;

        #[pyfunction]
        fn extra_answer() -> i64 { monolith_extra::extra() }

        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            m.add_function(wrap_pyfunction!(extra_answer, m)?)
        }
        """)
    return directory


def python_in(python_path: Path, code: str) -> str:
    """Run ``code`` (with ``m`` = the extension) in a fresh interpreter; its stdout."""
    script = f"import sys, json; sys.path.insert(0, {str(python_path)!r}); import monolith_parity_rs as m\n{code}"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()

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

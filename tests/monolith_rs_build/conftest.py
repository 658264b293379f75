"""Fixtures for the monolith_rs_build tests: real cargo builds of fake crates, one shared CARGO_TARGET_DIR.

Every test shares the target dir (across xdist workers too), so pyo3
compiles once per run and each build afterwards takes seconds.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from filelock import FileLock
from rust_build_fakes import make_bindings, make_checkout


@pytest.fixture(scope="session")
def shared_target(tmp_path_factory) -> Path:
    """One CARGO_TARGET_DIR for the whole run: the parent of per-worker basetemps under xdist."""
    if shutil.which("cargo") is None and not os.environ.get("CARGO"):
        pytest.fail("cargo is not installed: the Rust build pipeline cannot be tested (install a Rust toolchain)")
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    target = root / "rust-build-target"
    with FileLock(str(root / "rust-build-target.lock")):
        target.mkdir(exist_ok=True)
    return target


@pytest.fixture()
def fake(tmp_path, shared_target):
    """A fake checkout (answer 41), a fake bindings crate, a private cache and the shared target dir."""

    class Fake:
        checkout = make_checkout(tmp_path / "checkout", 41)
        bindings = make_bindings(tmp_path / "bindings")
        cache = tmp_path / "cache"
        target = shared_target

        def ensure(self, **kwargs):
            from pytest_monolith_parity.monolith_rs_build import ensure

            kwargs.setdefault("cache_dir", self.cache)
            kwargs.setdefault("bindings_dir", self.bindings)
            kwargs.setdefault("target_dir", self.target)
            return ensure(kwargs.pop("root", self.checkout), **kwargs)

    return Fake()

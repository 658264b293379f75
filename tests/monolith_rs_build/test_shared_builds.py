"""Builds shared between checkouts: sccache reuses identical compilations and never mixes the checkouts' crates.

Two fake checkouts whose crates have the same names and paths inside the
checkout but different contents are built, each into its own target
directory, through one private sccache server (its own directory and port):
each extension answers its own checkout's value, the second build's pyo3
compilations are cache hits, and its checkout crate is compiled, not taken
from the cache.  Marked slow: two cold builds of pyo3.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess

import pytest
from rust_build_fakes import call_extension, make_bindings, make_checkout

from pytest_monolith_parity.monolith_rs_build import compiler_cache, ensure

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def sccache(tmp_path, monkeypatch):
    program = shutil.which("sccache")
    if program is None:
        pytest.fail("sccache is not installed: `make setup` installs it (Debian package sccache)")
    env = {"SCCACHE_DIR": str(tmp_path / "sccache"), "SCCACHE_SERVER_PORT": str(free_port()),
           "SCCACHE_IDLE_TIMEOUT": "0"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("RUSTC_WRAPPER", "CARGO_BUILD_RUSTC_WRAPPER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CARGO_HOME", os.environ.get("CARGO_HOME", str(os.path.expanduser("~/.cargo"))))
    subprocess.run([program, "--start-server"], check=True, capture_output=True, timeout=60)

    def stats() -> dict:
        out = subprocess.run([program, "--show-stats", "--stats-format", "json"], capture_output=True, text=True,
                             timeout=60, check=True)
        return json.loads(out.stdout)["stats"]

    yield stats
    subprocess.run([program, "--stop-server"], capture_output=True, timeout=60)


def hits(stats: dict) -> int:
    return sum(stats["cache_hits"]["counts"].values())


def misses(stats: dict) -> int:
    return sum(stats["cache_misses"]["counts"].values())


def test_the_wrapper_is_chosen_and_the_users_wins(monkeypatch, tmp_path):
    monkeypatch.delenv("RUSTC_WRAPPER", raising=False)
    monkeypatch.delenv("CARGO_BUILD_RUSTC_WRAPPER", raising=False)
    monkeypatch.setenv("CARGO_HOME", str(tmp_path))
    env, line = compiler_cache.wrapper_env()
    assert env.get("RUSTC_WRAPPER", "").endswith("sccache") and "shared between checkouts" in line
    monkeypatch.setenv("RUSTC_WRAPPER", "")
    assert compiler_cache.wrapper_env() == ({}, "compiler cache: none (your configuration)")
    monkeypatch.delenv("RUSTC_WRAPPER")
    (tmp_path / "config.toml").write_text('[build]\nrustc-wrapper = "/opt/my-cache"\n')
    assert compiler_cache.wrapper_env() == ({}, "compiler cache: /opt/my-cache (your configuration)")


def test_two_checkouts_share_registry_compilations_and_never_their_own_crates(sccache, tmp_path):
    bindings = make_bindings(tmp_path / "bindings")
    first = make_checkout(tmp_path / "a" / "checkout", 41)
    second = make_checkout(tmp_path / "b" / "checkout", 7)  # same crate names, same layout, other content

    built_first = ensure(first, bindings_dir=bindings, cache_dir=tmp_path / "cache-a")
    after_first = sccache()
    built_second = ensure(second, bindings_dir=bindings, cache_dir=tmp_path / "cache-b")
    after_second = sccache()

    assert built_first.build_dir.parent != built_second.build_dir.parent
    assert (call_extension(built_first.python_path), call_extension(built_second.python_path)) == (41, 7)
    assert misses(after_first) > 0 and hits(after_first) == 0
    new_hits = hits(after_second) - hits(after_first)
    new_misses = misses(after_second) - misses(after_first)
    assert new_hits > 0, after_second  # pyo3 and its dependencies came from the cache
    assert new_misses >= 1, after_second  # monolith-core of the second checkout was compiled
    assert "sccache" in " ".join(built_second.describe())

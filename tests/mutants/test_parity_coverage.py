"""``mutants --parity-coverage`` on the sample pair: which public Rust functions the cases reach.

The sample's Rust side is built with ``-C instrument-coverage`` in a copy of
its own, each case file runs with its own profile, and ``llvm-cov`` (rustup's
llvm-tools) says which functions ran.  ``dense_relu`` has no case under
``cases/`` (its cases are tests/harness/test_sample_tensor.py), so it must be
reported as reached by no case; ``scale`` and ``to_json`` by their case files.
"""

from __future__ import annotations

import json
import subprocess
import sys

from sample_tree import _env, _project, cargo_slot


def test_a_function_no_case_calls_is_reported_unreached(tmp_path):
    project = _project(tmp_path)
    with cargo_slot():
        run = _coverage(project, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    _check(project, run)


def _coverage(project, tmp_path):
    return subprocess.run([sys.executable, "-m", "pytest_monolith_parity", "mutants", "cases/numeric.py",
                          "cases/text.py", "--parity-coverage", "--work-dir", str(tmp_path / "work"), "--out",
                          str(project / "out")], cwd=project, env=_env(), capture_output=True, text=True,
                         timeout=2400)


def _check(project, run):
    doc = json.loads((project / "out" / "coverage.json").read_text())
    lib = doc["files"]["sample-core/src/lib.rs"]
    assert "sample-core/src/lib.rs::dense_relu" in doc["unreached_public"]
    assert lib["functions"]["dense_relu"] == {"line": 119, "public": True, "reached_by": []}
    assert lib["functions"]["scale"]["reached_by"] == ["cases/numeric.py"]
    assert lib["functions"]["to_json"]["reached_by"] == ["cases/text.py"]
    assert "sample-core/src/lib.rs::scale" not in doc["unreached_public"]
    assert 0 < lib["lines"]["covered"] < lib["lines"]["total"]
    assert "RUST COVERAGE:" in run.stdout
    assert "## Rust functions no case reaches" in (project / "out" / "coverage.md").read_text()

"""Readable names everywhere, the environment panel's facts, and the index's performance column."""

from __future__ import annotations

import json
import socket
import subprocess

import pytest

from pytest_monolith_parity import case_modules, environment
from pytest_monolith_parity.html_report import render_html
from pytest_monolith_parity.inventory import index
from pytest_monolith_parity.loader import load_cases
from pytest_monolith_parity.records import call_name
from pytest_monolith_parity.report import build_report
from report_fixtures import parse, perf, record


def test_case_file_functions_are_named_by_their_file(tmp_path):
    (tmp_path / "cases" / "agent_service" / "_support").mkdir(parents=True)
    (tmp_path / "cases" / "agent_service" / "_support" / "zk_ops.py").write_text("def raw_op(x):\n    return x\n")
    case_file = tmp_path / "cases" / "agent_service" / "utils.py"
    case_file.write_text(
        "from pytest_monolith_parity import Case, example, driver, python_call\n"
        "from ._support.zk_ops import raw_op\n"
        "def fn(x):\n    return x\n"
        "Case(id='c', covers='monolith/agent_service/utils.py', python=python_call(fn), rust=driver(raw_op),"
        " examples=[example(1)])\n"
        "Case(id='i', covers='monolith/agent_service/utils.py', python=python_call(fn, isolated=True),"
        " rust=driver(raw_op), examples=[example(1)])\n")
    plain, isolated = load_cases(case_file, "cases/agent_service/utils.py")
    assert "_parity_cases" in plain.python.describe(), "the runner's own description is internal"
    assert call_name(plain.python.describe(), tmp_path) == "python cases/agent_service/utils.py:fn"
    assert call_name(plain.rust.describe(), tmp_path) == "rust driver cases/agent_service/_support/zk_ops.py:raw_op"
    assert call_name(isolated.python.describe(), tmp_path) == "python (isolated) cases/agent_service/utils.py:fn"
    assert call_name("pyo3 <rust_module>.scale", tmp_path, "sample_rust") == "pyo3 sample_rust.scale"


def test_internal_names_from_another_process_still_read_as_paths():
    text = "python _parity_cases.agent_service_1a2b3c4d5e.utils.fn and _parity_cases.agent_service_1a2b3c4d5e._support.zk_ops.raw_op"
    assert case_modules.readable(text) == "python agent_service/utils.py:fn and agent_service/_support/zk_ops.py:raw_op"
    assert case_modules.readable("python monolith.core.ops:add") == "python monolith.core.ops:add"
    report = build_report([record("monolith/core/ops.py", "a", "x", "match")])
    report["cases"][0]["python_call"] = "python _parity_cases.process_da2e644df4.version_offline_aware"
    page = render_html(json.loads(json.dumps(report)))
    assert "_parity_cases" not in page


@pytest.fixture()
def git_project(tmp_path):
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                       check=True, capture_output=True)
    (tmp_path / "a.txt").write_text("a")
    git("init", "-q", "-b", "main")
    git("add", "a.txt")
    git("commit", "-qm", "one")
    return tmp_path


def test_environment_states_versions_and_the_checkout_revision(git_project, tmp_path_factory):
    golden = tmp_path_factory.mktemp("golden")
    (golden / "MANIFEST.json").write_text(json.dumps({"format": 1, "files": {
        "a.json": {"sha256": "x", "reference_revision": "abc"}, "b.json": {"sha256": "y", "reference_revision": "abc"},
        "c.json": {"sha256": "z", "recorded": {"reference_revision": "def"}}}}))
    env = environment.collect(rootdir=git_project, monolith_root=None, golden_dir=golden, rust_revision="pr-1",
                              reference_revision="abc", environ={})
    head = subprocess.run(["git", "-C", str(git_project), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert env["checkout"] == {"path": str(git_project), "git": True, "revision": head, "branch": "main", "dirty": False,
                               "kind": "project (no monolith checkout configured)"}
    assert env["golden_revisions"] == {"abc": 2, "def": 1}
    import numpy
    assert env["libraries"]["numpy"] == numpy.__version__ and env["libraries"]["tensorflow"]
    assert env["python"].startswith("CPython 3.") and env["rustc"].startswith("rustc ") and env["cargo"].startswith("cargo ")
    assert socket.gethostname() not in json.dumps(env), "hostname-free"
    (git_project / "a.txt").write_text("changed")
    assert environment.git_checkout(git_project)["dirty"] is True
    plain = tmp_path_factory.mktemp("not-a-repo")
    assert environment.git_checkout(plain) == {"path": str(plain), "git": False, "revision": "unknown", "branch": None,
                                               "dirty": None}
    report = build_report([record("monolith/core/ops.py", "a", "x", "match")], environment=env)
    panel = parse(render_html(json.loads(json.dumps(report)))).find(id="environment")
    assert panel.find("code", data_checkout_revision=head).text() == head
    assert "2.15" in panel.find("dd", data_env="TensorFlow").text()


def test_index_shows_parity_and_the_rust_python_time_ratio(tmp_path):
    inventory = {"meta": {}, "files": {"monolith/core/ops.py": {"kind": "python", "lines": 3, "rust": {"status": "mapped"}},
                                       "monolith/core/other.py": {"kind": "python", "lines": 3,
                                                                  "rust": {"status": "unmapped"}}}}
    results = [record("monolith/core/ops.py", "add", "a", "match", perf=perf(0.004, 0.001)),
               record("monolith/core/ops.py", "add", "b", "match", perf=perf(0.001, 0.001)),
               record("monolith/core/ops.py", "add", "c", "mismatch")]
    index.build(inventory, results, tmp_path)
    text = (tmp_path / index.INDEX).read_text()
    row = next(line for line in text.splitlines() if line.startswith("| [`monolith/core/ops.py`]"))
    assert "| 2 match, 1 mismatch | 66.7 % | 0.5× (2 timed) |" in row, "geometric mean of 0.25 and 1"
    other = next(line for line in text.splitlines() if line.startswith("| [`monolith/core/other.py`]"))
    assert other.endswith("|  | — | — |")
    checklist = (tmp_path / "parity" / "monolith" / "core" / "ops.py.md").read_text()
    assert "## Performance" in checklist and "Rust / Python time: 0.5× (2 timed)" in checklist
    assert "| `add` | a | 4 ms ± 1 µs | 1 ms ± 1 µs | 0.25× |" in checklist

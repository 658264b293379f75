"""The mutants command on the sample pair's own crate: a handful of seeded mutants, the known killed/survived split.

cargo-mutants (the version `make setup` installs) lists the mutants of
tests/sample/rust/sample-core/src/lib.rs; the seeded, stratified sample is
applied to a private copy, rebuilt (worker and PyO3 module), and judged by
the sample's cases against the unmutated baseline.  Which of the sampled
mutants the cases kill is known (each entry below says why), so the split is
asserted exactly -- and a rerun resumes from the cache without building.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sample_tree import SAMPLE, _env, _project, cargo_slot

CASES = ["cases/numeric.py", "cases/text.py", "cases/messages.py"]
SEED = 3
SAMPLE_SIZE = 6


def _mutants(project: Path, work: Path, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest_monolith_parity", "mutants", *CASES, "--sample",
                           str(SAMPLE_SIZE), "--seed", str(SEED), "--work-dir", str(work), "--out",
                           str(project / "out"), *args], cwd=project, env=_env(), capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    if shutil.which("cargo-mutants") is None and not (Path.home() / ".cargo/bin/cargo-mutants").exists():
        pytest.fail("cargo-mutants is not installed: run `make setup`")
    tmp_path = tmp_path_factory.mktemp("mutants")
    project, work = _project(tmp_path), tmp_path / "work"
    with cargo_slot():
        first = _mutants(project, work)
    assert first.returncode == 0, first.stdout + first.stderr
    return project, work, first


#: cargo-mutants 27.1.0's mutants of sample-core/src/lib.rs, seed 3, in the sample's order, and why each ends so.
EXPECTED: dict[str, str] = {
    # dense_relu has no case under cases/ (its cases are tests/harness/test_sample_tensor.py): nothing notices
    "sample-core/src/lib.rs:144:28: replace * with + in dense_relu": "survived",
    "sample-core/src/lib.rs:144:32: replace + with - in dense_relu": "survived",
    # scale's cases compare bit for bit (compare.tensor(max_ulp=0)): x + factor is not x * factor
    "sample-core/src/lib.rs:96:30: replace * with + in scale": "killed",
    "sample-core/src/lib.rs:127:5: replace dense_relu -> Result<(Vec<f32>, [usize; 2])> with "
    "Ok((vec![-1.0], [0; 2]))": "survived",
    # Error has no Default: does not compile, and the next mutant in the seeded order takes its place
    "sample-core/src/lib.rs:51:9: replace Error::value -> Self with Default::default()": "unviable",
    "sample-core/src/lib.rs:107:26: replace / with % in tenth": "killed",
    "sample-core/src/lib.rs:181:5: replace to_json -> String with \"xyzzy\".into()": "killed",
}


def test_the_seeded_sample_has_the_known_killed_survived_split(sample_run):
    project, work, first = sample_run
    doc = json.loads((project / "out" / "mutants.json").read_text())
    statuses = {m["name"]: m["status"] for m in doc["mutants"]}
    assert statuses == EXPECTED, json.dumps(statuses, indent=1)
    assert doc["complete"] and doc["viable"] == SAMPLE_SIZE
    assert first.stdout.splitlines()[-2].startswith("MUTANTS: ")
    # every survivor is listed with its diff and the items that ran
    assert {m["name"] for m in doc["survivors"]} == {n for n, s in EXPECTED.items() if s == "survived"}
    assert all(m["diff"] and "cases_run" in m for m in doc["survivors"])
    # the user's tree is untouched: the copy, its build output and every mutation are in the work directory
    assert not (SAMPLE / "rust" / "target-worker").exists() and not (SAMPLE / "rust" / "target-py").exists()
    assert (work / "copy" / "target-worker" / "release" / "sample-worker").is_file()
    assert (work / "copy" / "sample-core" / "src" / "lib.rs").read_bytes() == (
        SAMPLE / "rust" / "sample-core" / "src" / "lib.rs").read_bytes()
    md = (project / "out" / "mutants.md").read_text()
    assert "## Per Rust file" in md and "sample-core/src/lib.rs" in md
    assert (project / "out" / "mutants.html").read_text().startswith("<!doctype html>")
    # the baseline's parity report carries the mutation fields the module table shows
    report = json.loads((project / "out" / "report" / "parity-report.json").read_text())
    mutation = report["modules"]["sample_reference/__init__.py"]["mutation"]
    assert mutation["total"] == sum(1 for m in doc["mutants"] if m["status"] != "unviable"
                                    and m["file"] == "sample-core/src/lib.rs")


def test_a_rerun_resumes_from_the_cache_without_building(sample_run):
    project, work, _ = sample_run
    before = json.loads((project / "out" / "mutants.json").read_text())
    again = _mutants(project, work, "--budget-minutes", "0.001", timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    doc = json.loads((project / "out" / "mutants.json").read_text())
    assert all(m.get("cached") for m in doc["mutants"])
    assert {m["key"]: m["status"] for m in doc["mutants"]} == {m["key"]: m["status"] for m in before["mutants"]}
    assert "baseline" in again.stdout and "cached" in again.stdout


def test_the_budget_stops_the_run_and_says_incomplete(sample_run):
    project, work, _ = sample_run
    again = _mutants(project, work, "--budget-minutes", "0.001", timeout=300)  # all cached: complete
    assert again.returncode == 0
    bigger = subprocess.run([sys.executable, "-m", "pytest_monolith_parity", "mutants", *CASES, "--sample",
                             str(SAMPLE_SIZE + 4), "--seed", str(SEED), "--work-dir", str(work), "--out",
                             str(project / "out-more"), "--budget-minutes", "0.001"], cwd=project, env=_env(),
                            capture_output=True, text=True, timeout=300)
    assert bigger.returncode == 3, bigger.stdout + bigger.stderr
    doc = json.loads((project / "out-more" / "mutants.json").read_text())
    assert not doc["complete"] and "budget" in doc["stopped"]
    assert "INCOMPLETE" in bigger.stdout

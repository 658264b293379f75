"""The gate on the sample pair's two Rust revisions (baseline worker vs "pr" worker)."""

import re
import shutil
import textwrap

import pytest

from sample_project import WORKER, WORKER_PR

REVISION_CASES = textwrap.dedent('''
    import numpy as np
    from pytest_monolith_parity import Case, compare, divergence, example, python_call, worker

    R = "sample_reference/__init__.py"
    # The PR fixes to_json's key order...
    Case(id="to_json_worker", covers=R, python=python_call("sample_reference:to_json"), rust=worker("to_json"),
         golden=False, compare=compare.json(key_order=True),
         examples=[example({"b": 1, "a": 2}, id="unsorted",
                           expect=divergence("keys come out sorted", message="root"))])
    # ... and breaks scale for factors that are not exact in float32.
    Case(id="scale_worker", covers=R, python=python_call("sample_reference:scale"), rust=worker("scale"),
         golden=False, compare=compare.tensor(max_ulp=0),
         examples=[example(np.array([3.0], np.float32), 1.1, id="inexact")])
''')


def without_expectation() -> str:
    bare = re.sub(r',\s*expect=divergence\("keys come out sorted", message="root"\)', "", REVISION_CASES)
    assert bare != REVISION_CASES
    return bare


@pytest.fixture()
def revisions(sample):
    if not WORKER_PR.exists():
        pytest.fail(f"the sample's PR worker is not built ({WORKER_PR}); run `make setup` first")
    sample.write_case_file("revisions.py", REVISION_CASES)
    return sample


def run_with(sample, worker, *args):
    return sample.run("-k", "revisions", "--rust-worker", str(worker), *args)


def test_unexpected_pass_fails_until_parity_fix(revisions):
    assert run_with(revisions, WORKER).ret == 0
    flipped = run_with(revisions, WORKER_PR, "-k", "to_json")
    assert flipped.ret == 1
    assert revisions.verdicts()["cases/revisions.py::to_json_worker[unsorted]"] == ("unexpected pass", "match")
    flipped.stdout.fnmatch_lines(["GATE: FAIL (0 failing, 1 unexpected pass, 0 harness error)"])
    fixed = run_with(revisions, WORKER_PR, "-k", "to_json", "--parity-fix")
    fixed.stdout.fnmatch_lines(["--parity-fix rewrote cases/revisions.py"])
    assert 'example({"b": 1, "a": 2}, id="unsorted")' in (revisions.root / "cases" / "revisions.py").read_text()
    again = run_with(revisions, WORKER_PR, "-k", "to_json")
    assert again.ret == 0
    again.stdout.fnmatch_lines(["GATE: PASS (0 failing, 0 unexpected pass, 0 harness error)"])


def test_baseline_reports_regressions_and_fixes_between_revisions(revisions):
    revisions.write_case_file("revisions.py", without_expectation())
    base = run_with(revisions, WORKER)
    assert base.ret == 1  # baseline revision: to_json mismatches
    baseline_report = revisions.root / "base-report.json"
    shutil.copy(revisions.root / "parity-report" / "parity-report.json", baseline_report)
    pr = run_with(revisions, WORKER_PR, "--parity-baseline", str(baseline_report), "--parity-revision", "pr-1")
    pr.stdout.fnmatch_lines(["GATE: FAIL vs baseline: 1 regression, 1 fixed, 0 new (0 failing), 0 still failing, "
                             "0 removed, 0 unexpected pass, 0 harness error"])
    assert pr.ret == 1
    gate = revisions.report()["gate"]
    assert gate["regressions"] == ["cases/revisions.py::scale_worker[inexact]"]
    assert gate["fixes"] == ["cases/revisions.py::to_json_worker[unsorted]"]
    assert revisions.report()["revision"] == "pr-1"


def test_old_failures_do_not_fail_the_gate(revisions):
    revisions.write_case_file("revisions.py", without_expectation())
    run_with(revisions, WORKER)
    baseline_report = revisions.root / "base-report.json"
    shutil.copy(revisions.root / "parity-report" / "parity-report.json", baseline_report)
    same = run_with(revisions, WORKER, "--parity-baseline", str(baseline_report))
    assert same.ret == 0  # to_json still mismatches, but it did on the base too
    same.stdout.fnmatch_lines(["GATE: PASS vs baseline: 0 regression, 0 fixed, 0 new (0 failing), 1 still failing*"])


def test_github_actions_outputs(revisions, monkeypatch, tmp_path):
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run_with(revisions, WORKER_PR)
    result.stdout.fnmatch_lines(["::error file=cases/revisions.py,line=1[0-9],title=parity mismatch%3A scale_worker::*"])
    assert "GATE: FAIL" in summary.read_text()
    assert (revisions.root / "parity-report" / "summary.md").read_text() == summary.read_text()


def test_missing_baseline_is_a_usage_error(revisions):
    result = run_with(revisions, WORKER, "--parity-baseline", "nope.json")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*baseline report nope.json does not exist*"])

"""A run that did not finish never says PASS, keeps the last complete reports and adds nothing to the trend."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

from sample_project import WORKER

#: Cases whose reference side stops the run in a way chosen by PARITY_TEST_STOP (unset: they just pass).
STOPPERS = textwrap.dedent('''
    import os, signal, time
    from pytest_monolith_parity import Case, example, pyo3

    def reference(x):
        how = os.environ.get("PARITY_TEST_STOP", "")
        if x == 2 and how == "interrupt":
            raise KeyboardInterrupt  # what Ctrl-C does to the call in progress
        if x == 2 and how == "kill-worker":
            os.kill(os.getpid(), signal.SIGKILL)  # the xdist worker dies mid-item
        if x == 2 and how == "block":
            open(os.environ["PARITY_TEST_MARKER"], "w").close()
            time.sleep(60)  # the test sends SIGINT now
        if x == 1 and how == "fail":
            return -1
        return x + 0

    Case(id="stopper", covers="sample_reference/__init__.py", python=reference,
         rust=pyo3("add", adapt=lambda x: (x, 0)), golden=False,
         examples=[example(i, id=f"n{i}") for i in range(1, 5)])
''')


def complete_run(sample):
    sample.write_case_file("stoppers.py", STOPPERS)
    first = sample.run("-k", "stopper")
    assert first.ret == 0, first.stdout.str()
    report_dir = sample.root / "parity-report"
    return {name: (report_dir / name).read_bytes() for name in
            ("parity-report.json", "parity-report.md", "parity-report.html", "summary.md", "history.jsonl")}


def assert_incomplete_and_nothing_overwritten(sample, result, before, ran, of):
    output = result.stdout.str()
    assert "GATE: PASS" not in output and result.ret != 0, output
    result.stdout.fnmatch_lines([f"GATE: INCOMPLETE ({ran} of {of} items ran)", "run incomplete: *"])
    report_dir = sample.root / "parity-report"
    assert {name: (report_dir / name).read_bytes() for name in before} == before  # history too: nothing appended
    partial = json.loads((report_dir / "parity-report.partial.json").read_text())
    assert partial["complete"] is False and partial["gate"]["passed"] is False
    assert partial["completeness"]["ran"] == ran and partial["completeness"]["collected"] == of
    assert partial["gate"]["line"] == f"GATE: INCOMPLETE ({ran} of {of} items ran)"
    line = f"GATE: INCOMPLETE ({ran} of {of} items ran)"
    for name in ("parity-report.partial.html", "parity-report.partial.md", "summary.partial.md"):
        text = (report_dir / name).read_text()
        assert line in text and "did not finish" in text, name  # every partial report says so, in words
        assert "GATE: PASS" not in text and "items pass" not in text, name
    return partial


def test_keyboard_interrupt_in_a_serial_run(sample, monkeypatch):
    before = complete_run(sample)
    monkeypatch.setenv("PARITY_TEST_STOP", "interrupt")
    result = sample.run("-k", "stopper")
    assert result.ret == 2  # pytest's own interrupted status
    partial = assert_incomplete_and_nothing_overwritten(sample, result, before, 1, 4)
    assert "interrupted (KeyboardInterrupt: Ctrl-C or SIGINT)" in partial["completeness"]["reasons"]
    monkeypatch.delenv("PARITY_TEST_STOP")
    again = sample.run("-k", "stopper")  # a finished run again: its reports replace the old ones, the stale partial ones go
    assert again.ret == 0 and not (sample.root / "parity-report" / "parity-report.partial.json").exists()
    assert len((sample.root / "parity-report" / "history.jsonl").read_text().splitlines()) == 2


def _blocked_run(sample, tmp_path, *args, select="stopper"):
    """Start a run whose reference blocks in stopper[n2]; return the process once it blocks."""
    marker = tmp_path / "blocked"
    env = dict(os.environ, PARITY_TEST_STOP="block", PARITY_TEST_MARKER=str(marker),
               MONOLITH_PARITY_RUST_WORKER=str(WORKER))
    env.pop("CI", None)
    process = subprocess.Popen([sys.executable, "-m", "pytest", "-m", "parity", "cases", "-k", select,
                                "--parity-hypothesis-profile", "ci", "-p", "no:cacheprovider", *args],
                               cwd=sample.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()[0].decode()
        time.sleep(0.1)
    time.sleep(1)
    return process


def test_sigint_to_an_xdist_update_golden_run(sample, tmp_path):
    before = complete_run(sample)
    golden_before = {p: p.read_bytes() for p in sample.golden().rglob("*.json")}
    process = _blocked_run(sample, tmp_path, "-n", "2", "--update-golden", select="stopper or add")
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole foreground process group
    output = process.communicate(timeout=120)[0].decode()
    assert process.returncode == 2, output
    assert "GATE: PASS" not in output and "GATE: INCOMPLETE (" in output, output
    report_dir = sample.root / "parity-report"
    assert {name: (report_dir / name).read_bytes() for name in before} == before
    assert json.loads((report_dir / "parity-report.partial.json").read_text())["complete"] is False
    assert {p: p.read_bytes() for p in sample.golden().rglob("*.json")} == golden_before  # no golden half-written


def test_maxfail_stop_is_incomplete(sample, monkeypatch):
    before = complete_run(sample)
    monkeypatch.setenv("PARITY_TEST_STOP", "fail")
    case_file = (sample.root / "cases" / "stoppers.py").read_text()
    result = sample.run("-x", "-k", "stopper", "--parity-fix")
    assert result.ret == 1  # pytest's status after -x: a failure
    partial = assert_incomplete_and_nothing_overwritten(sample, result, before, 1, 4)
    assert any("stopping after 1 failures" in reason for reason in partial["completeness"]["reasons"])
    result.stdout.fnmatch_lines(["--parity-fix did nothing: the run did not finish*"])
    assert (sample.root / "cases" / "stoppers.py").read_text() == case_file


def test_a_crashed_xdist_worker_makes_the_run_incomplete(sample, monkeypatch):
    before = complete_run(sample)
    monkeypatch.setenv("PARITY_TEST_STOP", "kill-worker")
    result = sample.run("-n", "2", "-k", "stopper")
    assert result.ret != 0
    partial = assert_incomplete_and_nothing_overwritten(sample, result, before, 3, 4)
    assert partial["completeness"]["crashed"] == ["cases/stoppers.py::stopper[n2]"]


SESSION_ERROR = textwrap.dedent('''
    def pytest_runtest_logfinish(nodeid, location):
        if nodeid.endswith("stopper[n2]"):
            raise RuntimeError("the session broke")
''')


def test_a_session_level_error_is_incomplete_and_still_says_so(sample):
    before = complete_run(sample)
    (sample.root / "conftest.py").write_text(SESSION_ERROR)
    result = sample.run("-k", "stopper")
    assert result.ret == 3  # pytest's internal error
    output = result.stdout.str()
    assert "GATE: PASS" not in output and "GATE: INCOMPLETE (" in output, output
    report_dir = sample.root / "parity-report"
    assert {name: (report_dir / name).read_bytes() for name in before} == before


def test_sigterm_to_a_serial_run_is_incomplete_and_says_terminated(sample, tmp_path):
    before = complete_run(sample)
    process = _blocked_run(sample, tmp_path)
    process.send_signal(signal.SIGTERM)  # a cancelled CI job, `timeout`: the pytest process only
    output = process.communicate(timeout=120)[0].decode()
    assert process.returncode == 2, output  # pytest's interrupted status, not death by signal
    assert "GATE: PASS" not in output and "GATE: INCOMPLETE (1 of 4 items ran)" in output, output
    report_dir = sample.root / "parity-report"
    assert {name: (report_dir / name).read_bytes() for name in before} == before
    partial = json.loads((report_dir / "parity-report.partial.json").read_text())
    assert partial["complete"] is False and "terminated (SIGTERM)" in partial["completeness"]["reasons"]


def test_sigterm_to_the_process_group_of_an_xdist_run(sample, tmp_path):
    before = complete_run(sample)
    process = _blocked_run(sample, tmp_path, "-n", "2")
    os.killpg(process.pid, signal.SIGTERM)  # the controller and its workers together
    output = process.communicate(timeout=120)[0].decode()
    assert process.returncode != 0 and process.returncode > 0, output  # it ended itself, it was not killed
    assert "GATE: PASS" not in output and "GATE: INCOMPLETE (" in output, output
    report_dir = sample.root / "parity-report"
    assert {name: (report_dir / name).read_bytes() for name in before} == before
    assert json.loads((report_dir / "parity-report.partial.json").read_text())["complete"] is False

"""The sample pair sharded three ways and merged: the same reports and gate as one unsharded run (timings aside)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

#: A case that fails (1 ULP apart, no recorded divergence), so the gate has something to judge.
FAILING_CASE = textwrap.dedent('''
    import numpy as np
    from pytest_monolith_parity import Case, compare, example, pyo3, python_call

    Case(id="tenth_unrecorded", covers="sample_reference/__init__.py", golden=False,
         python=python_call("sample_reference:tenth"), rust=pyo3("tenth"),
         examples=[example(np.array([9.0], np.float32), id="nine"), example(np.array([3.0], np.float32), id="three")],
         compare=compare.tensor(max_ulp=0))
''')

TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?(\+00:00| UTC)?")
SECONDS = re.compile(r'<span class="secs">[^<]*</span>|<dt>time</dt><dd>[^<]*</dd>|"seconds": [0-9.e-]+')


def without_timings(report: dict) -> dict:
    report = json.loads(json.dumps(report))
    report.pop("created")
    for case in report["cases"]:
        case["seconds"] = None
        for side in ("python", "rust"):
            if case.get(side):
                case[side]["seconds"] = None
    return report


def html_without_timings(text: str) -> str:
    return SECONDS.sub("<seconds>", TIME.sub("<time>", text))


def merge(sample, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest_monolith_parity", "merge-reports", *args],
                          cwd=sample.root, capture_output=True, text=True, timeout=300)


def run_whole(sample, keep_as: str, *args: str):
    """An unsharded run into the default report directory, kept as ``keep_as`` (the merge writes there next)."""
    result = sample.run("--parity-history", "history-whole.jsonl", *args)
    shutil.copytree(sample.root / "parity-report", sample.root / keep_as)
    shutil.rmtree(sample.root / "parity-report")
    return result


@pytest.fixture()
def sharded(sample):
    """The sample pair (plus one failing case) run unsharded, then as three shards balanced by that run."""
    sample.write_case_file("unrecorded.py", FAILING_CASE)
    whole = run_whole(sample, "whole")
    assert whole.ret == 1, whole.stdout.str()  # the failing case
    durations = sample.root / "durations.json"
    durations.write_bytes((sample.root / "whole" / "parity-report.json").read_bytes())
    shards = []
    for index, extra in ((1, ()), (2, ("-n", "2")), (3, ())):
        run = sample.run("--parity-shard", f"{index}/3", "--parity-durations", str(durations),
                         "--parity-report-dir", f"shard-{index}", *extra)
        assert run.ret in (0, 1), run.stdout.str()
        shards.append(run)
    return sample, whole, shards


def test_three_shards_merge_into_the_unsharded_run(sharded):
    sample, whole, shards = sharded
    # an incomplete set, or a report that is not a shard's, is never judged (and writes nothing)
    missing = merge(sample, "shard-1/parity-report.json", "shard-3/parity-report.json")
    assert missing.returncode == 2
    assert "shard(s) [2] of 3 missing" in missing.stderr and "GATE: not judged" in missing.stderr
    assert not (sample.root / "parity-report").exists()
    unsharded = merge(sample, "whole/parity-report.json")
    assert unsharded.returncode == 4 and "a run without --parity-shard" in unsharded.stderr
    done = merge(sample, "shard-1/parity-report.json", "shard-2/parity-report.json", "shard-3/parity-report.json",
                 "--parity-history", "history-merged.jsonl")
    assert done.returncode == whole.ret == 1, done.stdout + done.stderr
    reports = {name: json.loads((sample.root / name / "parity-report.json").read_text())
               for name in ("whole", "parity-report", "shard-1", "shard-2", "shard-3")}
    reports["merged"] = reports.pop("parity-report")
    blocks = [reports[f"shard-{i}"]["shard"] for i in (1, 2, 3)]
    selected = [nodeid for block in blocks for nodeid in block["selected"]]
    assert sorted(selected) == sorted(c["nodeid"] for c in reports["whole"]["cases"])  # each item exactly once
    assert all(block["selected"] for block in blocks) and all(block["durations"]["items"] == 30 for block in blocks)
    assert "shard" not in reports["merged"]
    assert without_timings(reports["merged"]) == without_timings(reports["whole"])
    assert reports["merged"]["gate"]["line"].startswith("GATE: FAIL (1 failing")
    for name in ("parity-report.md", "summary.md"):
        assert (sample.root / "parity-report" / name).read_text() == (sample.root / "whole" / name).read_text(), name
    assert html_without_timings((sample.root / "parity-report" / "parity-report.html").read_text()) == \
        html_without_timings((sample.root / "whole" / "parity-report.html").read_text())
    gate_line = reports["whole"]["gate"]["line"]
    assert gate_line in done.stdout and reports["whole"]["summary"] in done.stdout
    # the trend: one entry for the whole run, one for the merge, none for the shards
    entries = {name: (sample.root / name).read_text().splitlines()
               for name in ("history-whole.jsonl", "history-merged.jsonl")}
    assert len(entries["history-whole.jsonl"]) == len(entries["history-merged.jsonl"]) == 1
    assert json.loads(entries["history-whole.jsonl"][0])["counts"] == \
        json.loads(entries["history-merged.jsonl"][0])["counts"]
    assert not (sample.root / "parity-report" / "history.jsonl").exists()
    # a shard's replay file moves with its record, to where the unsharded run wrote it
    replay = next(c["replay"] for c in reports["merged"]["cases"] if c["nodeid"].endswith("add_i64[hypothesis]"))
    assert replay == f"pytest -m parity --parity-replay {sample.root / 'parity-report' / 'replays' / 'add_i64.json'}"
    assert (sample.root / "parity-report" / "replays" / "add_i64.json").is_file()


def test_the_merged_gate_against_a_baseline_is_the_unsharded_one(sharded):
    sample, _whole, _shards = sharded
    baseline = json.loads((sample.root / "whole" / "parity-report.json").read_text())
    for case in baseline["cases"]:
        if case["nodeid"].endswith("tenth_unrecorded[three]"):
            case["outcome"] = "mismatch"  # failed on the base: passes now (fixed)
        if case["nodeid"].endswith("tenth_unrecorded[nine]"):
            case["outcome"] = "match"  # passed on the base: fails now (a regression)
    baseline["cases"] = [c for c in baseline["cases"] if not c["nodeid"].endswith("mean[empty]")]  # new now
    baseline["cases"].append({**baseline["cases"][0], "nodeid": "cases/gone.py::gone[x]"})  # removed now
    (sample.root / "base.json").write_text(json.dumps(baseline))
    whole = run_whole(sample, "whole-gated", "--parity-baseline", "base.json")
    done = merge(sample, "shard-3/parity-report.json", "shard-1/parity-report.json", "shard-2/parity-report.json",
                 "--parity-baseline", "base.json", "--parity-history", "history-merged.jsonl")
    expected = json.loads((sample.root / "whole-gated" / "parity-report.json").read_text())["gate"]
    merged = json.loads((sample.root / "parity-report" / "parity-report.json").read_text())["gate"]
    assert merged == expected
    assert expected["line"] == ("GATE: FAIL vs baseline: 1 regression, 1 fixed, 1 new (0 failing), 0 still failing, "
                                "1 removed, 0 unexpected pass, 0 harness error")
    assert done.returncode == whole.ret == 1
    assert expected["line"] in done.stdout

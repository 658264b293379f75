"""The sample pair sharded three ways and merged: the same reports and gate as one unsharded run (timings aside)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest
from deepdiff import DeepDiff

#: A case that fails (1 ULP apart, no recorded divergence), so the gate has something to judge.
FAILING_CASE = textwrap.dedent('''
    import numpy as np
    from pytest_monolith_parity import Case, compare, example, pyo3, python_call

    Case(id="tenth_unrecorded", covers="sample_reference/__init__.py", golden=False,
         python=python_call("sample_reference:tenth"), rust=pyo3("tenth"),
         examples=[example(np.array([9.0], np.float32), id="nine"), example(np.array([3.0], np.float32), id="three")],
         compare=compare.tensor(max_ulp=0))
''')



#: Keys whose values are times or dates (report format 2): they differ between any two runs.
TIMING_KEYS = ("created", "date", "since")


def without_timings(report: dict) -> dict:
    """The report with every time taken out: durations, seconds, perf=True figures, dates (nothing else)."""
    def strip(value, in_perf=False):
        if isinstance(value, dict):
            return {key: (None if "seconds" in key or key in TIMING_KEYS
                          or (in_perf and isinstance(item, (int, float)) and not isinstance(item, bool))
                          else strip(item, in_perf or key == "perf"))
                    for key, item in value.items() if key != "durations"}
        if isinstance(value, list):
            return [strip(item, in_perf) for item in value]
        return value

    return strip(report)


def assert_renders_its_json(report_dir) -> None:
    """Each page of the directory is what its JSON report renders, with nothing else put in."""
    from pytest_monolith_parity.github import markdown_summary
    from pytest_monolith_parity.html_report import HTML_NAME, render_pages
    from pytest_monolith_parity.report import render_markdown

    report = json.loads((report_dir / "parity-report.json").read_text())
    assert (report_dir / "parity-report.md").read_text() == render_markdown(report)
    assert (report_dir / "summary.md").read_text() == markdown_summary(report, report["gate"]["line"])
    assert (report_dir / "parity-report.html").read_text() == render_pages(report)[HTML_NAME]


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
    # a report that is not a shard's is never judged (and writes nothing)
    unsharded = merge(sample, "whole/parity-report.json")
    assert unsharded.returncode == 4 and "a run without --parity-shard" in unsharded.stderr
    assert "GATE: not judged" in unsharded.stderr and not (sample.root / "parity-report").exists()
    # a missing shard (not given, or never written) makes the merged run incomplete: never a pass, no trend entry
    missing = merge(sample, "shard-1/parity-report.json", "shard-2/none.json", "shard-3/parity-report.json",
                    "--parity-history", "history-missing.jsonl")
    assert missing.returncode == 2, missing.stdout + missing.stderr
    ran = sum(len(json.loads((sample.root / f"shard-{i}" / "parity-report.json").read_text())["shard"]["selected"])
              for i in (1, 3))
    total = len(json.loads((sample.root / "whole" / "parity-report.json").read_text())["cases"])
    assert f"GATE: INCOMPLETE ({ran} of {total} items ran)" in missing.stdout and "GATE: PASS" not in missing.stdout
    assert "shard(s) [2] of 3 missing" in missing.stdout and "shard-2/none.json" in missing.stdout
    partial = json.loads((sample.root / "parity-report" / "parity-report.partial.json").read_text())
    assert partial["complete"] is False and partial["gate"]["passed"] is False
    assert partial["gate"]["line"] == f"GATE: INCOMPLETE ({ran} of {total} items ran)"
    assert not (sample.root / "parity-report" / "parity-report.json").exists()
    assert not (sample.root / "history-missing.jsonl").exists()
    shutil.rmtree(sample.root / "parity-report")
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
    assert DeepDiff(without_timings(reports["whole"]), without_timings(reports["merged"])) == {}
    assert reports["merged"]["gate"]["line"].startswith("GATE: FAIL (1 failing")
    # the Markdown, the summary and the HTML are renderings of the JSON alone: equal JSON (timings aside), equal pages
    for name in ("whole", "parity-report"):
        assert_renders_its_json(sample.root / name)
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


def test_an_interrupted_shard_makes_the_merged_run_incomplete(sample, monkeypatch):
    """A shard re-run that was interrupted leaves its older complete report beside a newer partial one: the
    merge takes the partial one, so a stale report never stands in for the shard's last run."""
    from test_interruption import STOPPERS

    sample.write_case_file("stoppers.py", STOPPERS)
    for index in (1, 2):
        run = sample.run("-k", "stopper", "--parity-shard", f"{index}/2", "--parity-report-dir", f"shard-{index}")
        assert run.ret == 0, run.stdout.str()
    blocks = {i: json.loads((sample.root / f"shard-{i}" / "parity-report.json").read_text())["shard"] for i in (1, 2)}
    assert all(block["durations"]["items"] == 0 for block in blocks.values())  # a shard's own report never balances
    stopped = next(i for i, block in blocks.items() if any(n.endswith("stopper[n2]") for n in block["selected"]))
    done = merge(sample, "shard-1/parity-report.json", "shard-2/parity-report.json")
    assert done.returncode == 0 and "GATE: PASS" in done.stdout, done.stdout + done.stderr
    shutil.rmtree(sample.root / "parity-report")
    monkeypatch.setenv("PARITY_TEST_STOP", "interrupt")
    again = sample.run("-k", "stopper", "--parity-shard", f"{stopped}/2", "--parity-report-dir", f"shard-{stopped}")
    assert again.ret == 2, again.stdout.str()
    monkeypatch.delenv("PARITY_TEST_STOP")
    assert (sample.root / f"shard-{stopped}" / "parity-report.partial.json").is_file()
    merged = merge(sample, "shard-1/parity-report.json", "shard-2/parity-report.json", "--parity-history", "h.jsonl")
    assert merged.returncode == 2, merged.stdout + merged.stderr
    assert "GATE: INCOMPLETE (" in merged.stdout and "GATE: PASS" not in merged.stdout
    assert f"shard {stopped} of 2 did not finish" in merged.stdout
    assert "interrupted (KeyboardInterrupt: Ctrl-C or SIGINT)" in merged.stdout
    partial = json.loads((sample.root / "parity-report" / "parity-report.partial.json").read_text())
    assert partial["complete"] is False and partial["gate"]["passed"] is False
    assert not (sample.root / "parity-report" / "parity-report.json").exists() and not (sample.root / "h.jsonl").exists()

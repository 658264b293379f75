"""Performance parity: perf=True cases are timed call by call, and a slower Rust side is reported (gating on request)."""

from __future__ import annotations

import json
import textwrap

import pytest

from pytest_monolith_parity import perf
from pytest_monolith_parity.arguments import Args
from pytest_monolith_parity.cases import Case, CaseDefinitionError, example
from pytest_monolith_parity.outcomes import SideKind, SideResult
from pytest_monolith_parity.runners.base import HarnessError, Runner
from pytest_monolith_parity.runners.python_side import InProcessPython


class Scripted(Runner):
    """A side whose calls take the given times (and end the given ways), in order."""

    def __init__(self, side: str, seconds: list[float], kinds: list[SideKind] | None = None, fail_at: int = -1):
        super().__init__()
        self.side, self.seconds, self.kinds, self.fail_at, self.calls = side, list(seconds), kinds, fail_at, 0

    def call(self, args, context):
        index = self.calls
        self.calls += 1
        if index == self.fail_at:
            raise HarnessError("the around= hook broke")
        kind = self.kinds[index] if self.kinds else SideKind.VALUE
        return SideResult(self.side, kind, value=1, error_type="E" if kind is SideKind.RAISED else "",
                          seconds=self.seconds[index % len(self.seconds)])

    def describe(self):
        return f"scripted {self.side}"


def first(side, kind=SideKind.VALUE):
    return SideResult(side, kind, error_type="E" if kind is SideKind.RAISED else "", message="m")


def test_medians_noise_and_ratio_of_alternating_calls():
    python = Scripted("python", [0.010, 0.011, 0.009, 0.010, 0.050])  # one outlier: the median ignores it
    rust = Scripted("rust", [0.002, 0.002, 0.003, 0.002, 0.002])
    timing = perf.measure(python, rust, Args(()), None, first("python"), first("rust"), calls=5)
    assert timing["python"] == {"calls": 5, "median": 0.010, "noise": pytest.approx(1.4826 * 0.001), "min": 0.009,
                                "max": 0.050}
    assert timing["rust"]["median"] == 0.002 and timing["rust"]["noise"] == 0.0
    assert timing["ratio"] == pytest.approx(0.2)
    assert python.calls == rust.calls == 5


def test_raising_sides_are_timed_but_crashes_and_changes_are_not():
    raised = [SideKind.RAISED] * 3
    timing = perf.measure(Scripted("python", [1e-3], raised), Scripted("rust", [2e-3], raised), Args(()), None,
                          first("python", SideKind.RAISED), first("rust", SideKind.RAISED), calls=3)
    assert timing["ratio"] == pytest.approx(2.0), "both sides raising is a behaviour with a speed too"
    crashed = perf.measure(Scripted("python", [1e-3]), Scripted("rust", [1e-3]), Args(()), None, first("python"),
                           first("rust", SideKind.CRASHED))
    assert crashed == {"skipped": "the rust side crashed on this input: nothing to time"}
    flaky = perf.measure(Scripted("python", [1e-3]), Scripted("rust", [1e-3], [SideKind.VALUE, SideKind.RAISED] * 5),
                         Args(()), None, first("python"), first("rust"), calls=5)
    assert flaky["skipped"].startswith("timing call 2 of the rust side ended differently from the verdict's call")
    broken = perf.measure(Scripted("python", [1e-3], fail_at=1), Scripted("rust", [1e-3]), Args(()), None,
                          first("python"), first("rust"))
    assert broken["skipped"] == "timing call 2 of the python side failed: the around= hook broke"


def test_a_spent_budget_stops_early_after_the_minimum(monkeypatch):
    monkeypatch.setattr(perf, "BUDGET_SECONDS", 0.5)
    python, rust = Scripted("python", [0.2]), Scripted("rust", [0.3])
    timing = perf.measure(python, rust, Args(()), None, first("python"), first("rust"), calls=20)
    assert timing["python"]["calls"] == timing["rust"]["calls"] == perf.MIN_CALLS
    assert timing["notes"] == ["stopped after 3 calls per side: the 0.5 s budget was spent"]


def test_case_perf_is_validated_when_declared():
    def make(**kw):
        return Case(id="c", covers="monolith/x.py", python=lambda: 1, rust=InProcessPython(lambda: 1), **kw)
    assert make(examples=[example()], perf=True).perf_calls == perf.DEFAULT_CALLS
    assert make(examples=[example()], perf=5).perf_calls == 5 and make(examples=[example()]).perf_calls == 0
    with pytest.raises(CaseDefinitionError, match=r"parity case 'c'.*`perf=` must be True, False or a number of timed "
                                                  r"calls per side \(at least 3"):
        make(examples=[example()], perf=2)
    from hypothesis import strategies as st
    with pytest.raises(CaseDefinitionError, match="`perf=True` times the explicit examples, and this case has none"):
        make(strategy=st.tuples(st.integers()), perf=True)


# -- end to end: a run records the timings, a slower Rust side is reported, and gates on request ----------

PROJECT = textwrap.dedent('''
    import os, time
    from pytest_monolith_parity import Case, example, python_call

    def reference(n):
        return n * 2

    def port(n):
        if os.environ.get("PARITY_TEST_SLOW_PORT"):  # this test's stand-in for a Rust change that got slower
            time.sleep(0.03)
        return n * 2

    Case(id="double", covers="monolith/core/double.py", python=reference, rust=python_call(port), perf=5,
         golden=False, examples=[example(3, id="three")])
''')


@pytest.fixture()
def perf_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("PARITY_TEST_SLOW_PORT", raising=False)
    pytester.makepyprojecttoml('[tool.monolith_parity]\ncases_dirs = ["cases"]\n')
    (pytester.path / "cases").mkdir()
    (pytester.path / "cases" / "double.py").write_text(PROJECT)
    return pytester


def run(pytester, *args):
    return pytester.runpytest_subprocess("-m", "parity", "cases", "-p", "no:cacheprovider", *args)


def test_slower_rust_is_reported_and_gates_only_when_asked(perf_project, monkeypatch):
    assert run(perf_project).ret == 0
    record = json.loads((perf_project.path / "parity-report" / "parity-report.json").read_text())["cases"][0]
    assert record["perf"]["python"]["calls"] == record["perf"]["rust"]["calls"] == 5
    rust, python = record["perf"]["rust"]["median"], record["perf"]["python"]["median"]
    # the ratio is of the unrounded medians; the JSON rounds each to 1 ns, so they agree within that rounding
    assert record["perf"]["ratio"] == pytest.approx(rust / python, rel=0.6e-9 / rust + 0.6e-9 / python + 1e-9)
    base = perf_project.path / "base.json"
    base.write_text((perf_project.path / "parity-report" / "parity-report.json").read_text())

    monkeypatch.setenv("PARITY_TEST_SLOW_PORT", "1")
    reported = run(perf_project, "--parity-baseline", str(base))
    assert reported.ret == 0, "slower is reported, not gating"
    reported.stdout.fnmatch_lines(["PERF: 1 timed item(s) got slower than the baseline*reported, not gating*",
                                   "  slower: cases/double.py::double?three? Rust *"])
    report = json.loads((perf_project.path / "parity-report" / "parity-report.json").read_text())
    assert [s["nodeid"] for s in report["changes"]["slower"]] == ["cases/double.py::double[three]"]
    assert report["perf"]["slower"] == report["changes"]["slower"] and report["perf"]["gate"] is False
    assert report["changes"]["slower"][0]["after"] >= 0.03

    gated = run(perf_project, "--parity-baseline", str(base), "--parity-perf-gate")
    assert gated.ret == 1
    gated.stdout.fnmatch_lines(["PERF: 1 timed item(s) got slower than the baseline*they fail the run*"])

    monkeypatch.delenv("PARITY_TEST_SLOW_PORT")
    assert run(perf_project, "--parity-baseline", str(base), "--parity-perf-gate").ret == 0, "as fast as before: passes"

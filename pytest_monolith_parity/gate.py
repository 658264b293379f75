"""The pull-request gate: what a run means compared with the base revision's run.

Without a baseline every case must pass (match, error agreement, or its
recorded divergence exactly).  With ``--parity-baseline report.json`` (the
base branch's JSON report) the run fails only on what the change made
worse: regressions (passed before, fails now), new cases that do not pass,
and known divergences that no longer happen (*unexpected pass*: the list of
known divergences must be updated in the same change, so it cannot rot).

A recorded divergence must carry a message prefix (``divergence(reason,
outcome=..., message="prefix")``): one without it would accept any message
of its class.  The gate lists such *loose records*; with
``--parity-strict-records`` (what CI runs) they fail it.

A run that did not finish is never judged here: see :mod:`completeness`.

*rust unavailable* (the checkout lacks the Rust function a case calls) is
neither a pass nor a failure: such items are counted and listed, and never
fail a run on their own.  Against a baseline they count by what changed: an
item unavailable on the base that runs now is *new* (failing if it does not
pass), one that ran on the base and is unavailable now is a *regression*
(the pull request removed a function the cases cover).

Exit codes of a parity run (pytest's own where they exist):

== ===================================================================
0  success: no failing case (or, with a baseline, nothing got worse)
1  parity failures or regressions (or loose records under --parity-strict-records)
2  interrupted: Ctrl-C, a case file failed collection, -x / --maxfail under
   pytest-xdist, or any run that did not finish (``GATE: INCOMPLETE``)
3  internal error (pytest's; the run is also incomplete)
4  usage error (bad option, bad setting, bad replay or baseline file, missing golden manifest)
5  nothing collected
6  harness error: a comparator, golden, runner or service could not decide,
   or the gate / a report could not be produced
== ===================================================================

An incomplete run keeps pytest's own non-zero status (1 after ``-x`` in a
serial run or a crashed xdist worker, 2 for an interrupt, 3 for an internal
error) and is never 0.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .outcomes import Outcome

EXIT_HARNESS_ERROR = 6


class BaselineError(ValueError):
    """The baseline report cannot be read."""


def load_baseline(path: Path) -> list[dict[str, Any]]:
    """The case records of a baseline report, validated (schema and format) before anything runs."""
    from .report import REPORT_FORMAT

    try:
        report = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline report {path} does not exist; produce it by running the base revision "
                            "with the same cases (its parity-report/parity-report.json)") from None
    except (OSError, ValueError) as error:
        raise BaselineError(f"baseline report {path} is not a parity JSON report ({error})") from None
    # format 2 only added figures to format 1's cases: a report of either serves as a baseline
    formats = tuple(sorted({1, REPORT_FORMAT}))
    problem = baseline_problem(report, formats)
    if problem:
        raise BaselineError(f"baseline report {path} is not a parity JSON report of format "
                            f"{' or '.join(map(str, formats))}: "
                            f"{problem}. Use the parity-report/parity-report.json of a finished run of the base "
                            "revision, made by this version of the harness")
    return list(report["cases"])


def baseline_problem(report: Any, expected_format: int | tuple[int, ...]) -> str:
    """What makes ``report`` unusable as a baseline (empty if nothing)."""
    if not isinstance(report, dict):
        return f"the document is a JSON {type(report).__name__}, not an object"
    formats = expected_format if isinstance(expected_format, tuple) else (expected_format,)
    if report.get("format") not in formats:
        return f"its format is {report.get('format')!r}"
    if report.get("complete") is False:
        return "it is the report of a run that did not finish"
    cases = report.get("cases")
    if not isinstance(cases, list):
        return "it has no list 'cases'"
    known = {o.value for o in Outcome}
    for index, case in enumerate(cases):
        if not isinstance(case, dict):
            return f"cases[{index}] is a {type(case).__name__}, not an object"
        if not isinstance(case.get("nodeid"), str) or not case["nodeid"]:
            return f"cases[{index}] has no 'nodeid' string"
        if case.get("outcome") not in known:
            return f"cases[{index}] ({case['nodeid']}) has outcome {case.get('outcome')!r}, not one of {sorted(known)}"
    return ""


def loose_records(current: Sequence[Mapping[str, Any]]) -> list[str]:
    """Items whose recorded divergence has no message prefix (it would accept any message of its class)."""
    return sorted(r["nodeid"] for r in current
                  if isinstance(r.get("expected_divergence"), Mapping) and not r["expected_divergence"].get("message"))


def _passed(record: Mapping[str, Any]) -> bool:
    return Outcome(record["outcome"]).passed


@dataclasses.dataclass
class GateResult:
    regressions: list[str] = dataclasses.field(default_factory=list)
    fixes: list[str] = dataclasses.field(default_factory=list)
    new_passing: list[str] = dataclasses.field(default_factory=list)
    new_failing: list[str] = dataclasses.field(default_factory=list)
    still_failing: list[str] = dataclasses.field(default_factory=list)
    removed: list[str] = dataclasses.field(default_factory=list)
    unexpected_passes: list[str] = dataclasses.field(default_factory=list)
    harness_errors: list[str] = dataclasses.field(default_factory=list)
    loose_records: list[str] = dataclasses.field(default_factory=list)
    strict_records: bool = False
    rust_unavailable: list[str] = dataclasses.field(default_factory=list)  # not run here, and not a regression
    #: failing or still failing because the Python reference cannot run here (and no golden stands in):
    #: never a pass, but named apart so the line agrees with the headline's "failing" and "unavailable"
    reference_unavailable: list[str] = dataclasses.field(default_factory=list)
    baseline: bool = False

    @property
    def passed(self) -> bool:
        if self.harness_errors or self.unexpected_passes:
            return False
        if self.strict_records and self.loose_records:
            return False
        if not self.baseline:
            return not self.still_failing and not self.new_failing
        return not self.regressions and not self.new_failing

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        loose = ""
        if self.loose_records:
            loose = f"; {len(self.loose_records)} recorded divergence(s) without a message prefix" + (
                " (--parity-strict-records)" if self.strict_records else " (a warning; --parity-strict-records fails)")
        unavailable = f", {len(self.rust_unavailable)} rust unavailable" if self.rust_unavailable else ""
        no_reference = (f" ({len(self.reference_unavailable)} of them reference unavailable)"
                        if self.reference_unavailable else "")
        if not self.baseline:
            failing = len(self.still_failing) + len(self.new_failing)
            return (f"GATE: {verdict} ({failing} failing{no_reference}, {len(self.unexpected_passes)} unexpected pass, "
                    f"{len(self.harness_errors)} harness error{unavailable}){loose}")
        return (f"GATE: {verdict} vs baseline: {len(self.regressions)} regression, {len(self.fixes)} fixed, "
                f"{len(self.new_passing) + len(self.new_failing)} new ({len(self.new_failing)} failing), "
                f"{len(self.still_failing)} still failing{no_reference}, {len(self.removed)} removed, "
                f"{len(self.unexpected_passes)} unexpected pass, {len(self.harness_errors)} harness error"
                f"{unavailable}{loose}")

    def exit_code(self) -> int:
        if self.harness_errors:
            return EXIT_HARNESS_ERROR
        return 0 if self.passed else 1

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["passed"] = self.passed
        data["line"] = self.line()
        return data


def evaluate(current: Sequence[Mapping[str, Any]], baseline: Sequence[Mapping[str, Any]] | None = None, *,
             strict_records: bool = False) -> GateResult:
    """Classify every case of the current run against the baseline (if any)."""
    result = GateResult(baseline=baseline is not None, strict_records=strict_records,
                        loose_records=loose_records(current))
    before = {r["nodeid"]: r for r in baseline or ()}
    for record in sorted(current, key=lambda r: r["nodeid"]):
        nodeid, now_passed = record["nodeid"], _passed(record)
        outcome = Outcome(record["outcome"])
        if outcome is Outcome.HARNESS_ERROR:
            result.harness_errors.append(nodeid)
        if outcome is Outcome.UNEXPECTED_PASS:
            result.unexpected_passes.append(nodeid)
            continue
        ran_before = nodeid in before and not Outcome(before[nodeid]["outcome"]).not_run
        if outcome.not_run:
            # it ran on the base and its Rust function is gone now: the pull request removed what a case covers
            (result.regressions if baseline is not None and ran_before else result.rust_unavailable).append(nodeid)
            continue
        if baseline is not None and not ran_before:  # a new case, or one whose function the base lacked
            (result.new_passing if now_passed else result.new_failing).append(nodeid)
            continue
        was_passed = _passed(before[nodeid]) if nodeid in before else now_passed
        if was_passed and not now_passed:
            (result.regressions if baseline is not None else result.still_failing).append(nodeid)
        elif not was_passed and now_passed:
            result.fixes.append(nodeid)
        elif not now_passed:
            result.still_failing.append(nodeid)
            if outcome is Outcome.REFERENCE_UNAVAILABLE:
                result.reference_unavailable.append(nodeid)
    current_ids = {r["nodeid"] for r in current}
    result.removed = sorted(set(before) - current_ids)
    return result

"""The pull-request gate: what a run means compared with the base revision's run.

Without a baseline every case must pass (match, error agreement, or its
recorded divergence exactly).  With ``--parity-baseline report.json`` (the
base branch's JSON report) the run fails only on what the change made
worse: regressions (passed before, fails now), new cases that do not pass,
and known divergences that no longer happen (*unexpected pass*: the list of
known divergences must be updated in the same change, so it cannot rot).

*rust unavailable* (the checkout lacks the Rust function a case calls) is
neither a pass nor a failure: such items are counted and listed, and never
fail a run on their own.  Against a baseline they count by what changed: an
item unavailable on the base that runs now is *new* (failing if it does not
pass), one that ran on the base and is unavailable now is a *regression*
(the pull request removed a function the cases cover).

Exit codes of a parity run (pytest's own where they exist):

== ===================================================================
0  success: no failing case (or, with a baseline, nothing got worse)
1  parity failures or regressions
2  interrupted, e.g. a case file failed collection (bad case)
4  usage error (bad option, bad setting, bad replay or baseline file)
5  nothing collected
6  harness error: a comparator, golden or runner could not decide
== ===================================================================
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
    try:
        report = json.loads(Path(path).read_text("utf-8"))
        return list(report["cases"])
    except FileNotFoundError:
        raise BaselineError(f"baseline report {path} does not exist; produce it by running the base revision "
                            "with the same cases (its parity-report/parity-report.json)") from None
    except (ValueError, KeyError, TypeError) as error:
        raise BaselineError(f"baseline report {path} is not a parity JSON report ({error})") from None


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
    rust_unavailable: list[str] = dataclasses.field(default_factory=list)  # not run here, and not a regression
    baseline: bool = False

    @property
    def passed(self) -> bool:
        if self.harness_errors or self.unexpected_passes:
            return False
        if not self.baseline:
            return not self.still_failing and not self.new_failing
        return not self.regressions and not self.new_failing

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        unavailable = f", {len(self.rust_unavailable)} rust unavailable" if self.rust_unavailable else ""
        if not self.baseline:
            failing = len(self.still_failing) + len(self.new_failing)
            return (f"GATE: {verdict} ({failing} failing, {len(self.unexpected_passes)} unexpected pass, "
                    f"{len(self.harness_errors)} harness error{unavailable})")
        return (f"GATE: {verdict} vs baseline: {len(self.regressions)} regression, {len(self.fixes)} fixed, "
                f"{len(self.new_passing) + len(self.new_failing)} new ({len(self.new_failing)} failing), "
                f"{len(self.still_failing)} still failing, {len(self.removed)} removed, "
                f"{len(self.unexpected_passes)} unexpected pass, {len(self.harness_errors)} harness error"
                f"{unavailable}")

    def exit_code(self) -> int:
        if self.harness_errors:
            return EXIT_HARNESS_ERROR
        return 0 if self.passed else 1

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["passed"] = self.passed
        data["line"] = self.line()
        return data


def evaluate(current: Sequence[Mapping[str, Any]], baseline: Sequence[Mapping[str, Any]] | None = None) -> GateResult:
    """Classify every case of the current run against the baseline (if any)."""
    result = GateResult(baseline=baseline is not None)
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
    current_ids = {r["nodeid"] for r in current}
    result.removed = sorted(set(before) - current_ids)
    return result

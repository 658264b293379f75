"""Performance parity: how long the Python and the Rust call take, for cases that opt in with ``perf=True``.

Speed is why ports to Rust happen, so a file is only done when its
performance regressions are known.  A case with ``perf=True`` (or
``perf=<calls>``) has each explicit example timed after its verdict: both
sides are called again, alternately (so a change in machine load hits both),
and each side's time is the **median** of its calls with a **noise** estimate
(1.4826 x the median absolute deviation, a robust standard deviation).  What
is timed is the call alone, as the runner measures it
(:attr:`~pytest_monolith_parity.outcomes.SideResult.seconds`): not the
comparison, the goldens or the reports.  For in-process calls that is the
function call; for a worker, an isolated call or a command line it is the
round trip to that process, which is part of calling it.

Against a baseline, a case is **slower** when its Rust median grew by at least
:data:`SLOWER_RATIO` and :data:`SLOWER_MIN_SECONDS` and by more than
:data:`NOISE_SIGMAS` times the combined noise of both runs.  That is reported;
it fails the run only with ``--parity-perf-gate``.

Pytest-free; the record's ``perf`` field is plain JSON.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Mapping, Sequence
from typing import Any

from .arguments import Args
from .cases import PERF_DEFAULT_CALLS as DEFAULT_CALLS
from .cases import PERF_MIN_CALLS as MIN_CALLS
from .figures import timed
from .outcomes import SideKind, SideResult
from .runners.base import HarnessError, Runner, RunContext, RunnerConfigError

#: A side stops early (after MIN_CALLS) once its timed calls took this long in total.
BUDGET_SECONDS = 3.0
#: A case is slower than the baseline when its Rust time grew by this factor ...
SLOWER_RATIO = 1.5
#: ... and by at least this much ...
SLOWER_MIN_SECONDS = 0.005
#: ... and by more than this many combined noise estimates of both runs.
NOISE_SIGMAS = 3.0

_TIMED_KINDS = (SideKind.VALUE, SideKind.RAISED)
_ENDED = {SideKind.VALUE: "returned", SideKind.RAISED: "raised", SideKind.PANICKED: "panicked",
          SideKind.CRASHED: "crashed", SideKind.TIMEOUT: "timed out", SideKind.UNAVAILABLE: "was unavailable"}


def summarize(samples: Sequence[float]) -> dict[str, Any]:
    """Median, noise (1.4826 x MAD), min, max and count of one side's call times, in seconds."""
    median = statistics.median(samples)
    mad = statistics.median(abs(s - median) for s in samples)
    return {"calls": len(samples), "median": median, "noise": 1.4826 * mad, "min": min(samples),
            "max": max(samples)}


def _ended_like(first: SideResult, again: SideResult) -> bool:
    return first.kind is again.kind and first.error_type == again.error_type


def measure(python: Runner, rust: Runner, args: Args, context: RunContext, first_python: SideResult,
            first_rust: SideResult, calls: int = DEFAULT_CALLS) -> dict[str, Any]:
    """Time both sides on ``args`` (see the module docstring); ``first_*`` are the verdict's calls.

    Returns the record's ``perf`` field: ``{"python": summary, "rust": summary, "ratio": rust/python,
    "seconds": wall time spent timing, "notes": [...]}``, or ``{"skipped": reason}`` when a side did not
    end in a value or an exception (a crash or a timeout says nothing about speed).
    """
    for side, first in (("python", first_python), ("rust", first_rust)):
        if first.kind not in _TIMED_KINDS:
            return {"skipped": f"the {side} side {_ENDED[first.kind]} on this input: nothing to time"}
    started = time.perf_counter()
    samples: dict[str, list[float]] = {"python": [], "rust": []}
    spent = {"python": 0.0, "rust": 0.0}
    notes: list[str] = []
    runners = (("python", python, first_python), ("rust", rust, first_rust))
    for index in range(calls):
        if index >= MIN_CALLS and all(spent[side] >= BUDGET_SECONDS for side in spent):
            notes.append(f"stopped after {index} calls per side: the {BUDGET_SECONDS:g} s budget was spent")
            break
        for side, runner, first in runners:
            if index >= MIN_CALLS and spent[side] >= BUDGET_SECONDS:
                continue
            try:
                result = runner.run(args, context)
            except (HarnessError, RunnerConfigError) as error:
                return {"skipped": f"timing call {index + 1} of the {side} side failed: {error}",
                        "seconds": time.perf_counter() - started}
            if not _ended_like(first, result):
                return {"skipped": f"timing call {index + 1} of the {side} side ended differently from the verdict's "
                                   f"call ({result.headline()}): the call is not repeatable",
                        "seconds": time.perf_counter() - started}
            samples[side].append(result.seconds)
            spent[side] += result.seconds
    python_summary, rust_summary = summarize(samples["python"]), summarize(samples["rust"])
    return {"python": python_summary, "rust": rust_summary,
            "ratio": ratio(python_summary["median"], rust_summary["median"]),
            "seconds": time.perf_counter() - started, "notes": notes}


def ratio(python_seconds: float | None, rust_seconds: float | None) -> float | None:
    """Rust time / Python time (below 1: Rust is faster); None when either is missing or Python took no time."""
    if not isinstance(python_seconds, (int, float)) or not isinstance(rust_seconds, (int, float)):
        return None
    return rust_seconds / python_seconds if python_seconds > 0 else None


def slower(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """How much slower the Rust side got from ``before`` to ``after`` (two ``perf`` fields), if beyond the noise."""
    if not timed(before) or not timed(after):
        return None
    old, new = before["rust"], after["rust"]
    grown = new["median"] - old["median"]
    noise = math.hypot(old.get("noise", 0.0), new.get("noise", 0.0))
    if old["median"] <= 0 or new["median"] < SLOWER_RATIO * old["median"] or grown < SLOWER_MIN_SECONDS:
        return None
    if grown <= NOISE_SIGMAS * noise:
        return None
    return {"before": old["median"], "after": new["median"], "factor": new["median"] / old["median"],
            "grown": grown, "noise": noise}

"""Apply a declared expected divergence to a raw verdict, strictly.

The list of known divergences must never go stale: a case expected to
diverge that now agrees is an *unexpected pass* (a failure), and one that
diverges differently than recorded is a *divergence changed* (a failure).
"""

from __future__ import annotations

from .cases import Divergence
from .outcomes import Outcome, Verdict

_NOT_APPLICABLE = {Outcome.HARNESS_ERROR, Outcome.REFERENCE_UNAVAILABLE}


def apply_expectation(verdict: Verdict, expected: Divergence | None) -> Verdict:
    if expected is None or verdict.raw in _NOT_APPLICABLE:
        return verdict
    verdict.raw_message = verdict.message
    if verdict.raw in (Outcome.MATCH, Outcome.ERROR_AGREEMENT):
        verdict.outcome = Outcome.UNEXPECTED_PASS
        verdict.message = (f"expected divergence no longer happens (the sides now agree): {expected.reason}. "
                           "Remove the expectation from the case (or run --parity-fix after review).")
        return verdict
    if verdict.raw is expected.outcome and verdict.message.startswith(expected.message):
        verdict.outcome = Outcome.EXPECTED_DIVERGENCE
        verdict.notes.append(f"expected: {expected.reason}")
        return verdict
    verdict.outcome = Outcome.DIVERGENCE_CHANGED
    recorded = f"{expected.outcome.value}" + (f" starting {expected.message!r}" if expected.message else "")
    verdict.message = (f"the divergence changed: recorded {recorded}, observed {verdict.raw.value}: "
                       f"{verdict.message}")
    return verdict

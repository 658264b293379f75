"""What one side did, and what the comparison of both sides means.

Runners turn every way a call can end -- a value, an exception, a Rust
panic, a dead process, a timeout, a missing reference -- into a plain
:class:`SideResult`.  Everything here is made of strings and builtins so it
pickles across pytest-xdist workers and serialises into JSON reports.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any


class ReferenceUnavailable(Exception):
    """The Python reference cannot run here, for a static reason: a custom op, a package, a proto, a program.

    Raise it (or let the reference environment's stand-ins raise it) with a
    reason that names what is missing; the case is then reported as
    *reference unavailable* and its golden, if any, stands in.  Never raise it
    for something that failed at run time (a service that died, a connection
    that dropped): that is a harness error (see ``services/health.py``), and
    a golden must not stand in for a reference that merely failed.
    """


#: How a subprocess says *reference unavailable*: this exit status, and a stderr line starting with the marker
#: followed by the reason (``python -m pytest_monolith_parity.reference.run`` does this for entry points).
UNAVAILABLE_EXIT = 69  # EX_UNAVAILABLE in sysexits.h
UNAVAILABLE_MARKER = "monolith-parity: reference unavailable: "


class SideKind(str, enum.Enum):
    """How a call on one side ended."""

    VALUE = "value"
    RAISED = "raised"
    PANICKED = "panicked"
    CRASHED = "crashed"
    TIMEOUT = "timeout"
    UNAVAILABLE = "unavailable"


@dataclasses.dataclass
class SideResult:
    """The result of calling one side once."""

    side: str  # "python", "rust" or "golden"
    kind: SideKind
    value: Any = None
    error_type: str = ""
    message: str = ""
    detail: str = ""  # traceback, stderr tail, signal name: whatever helps a person
    seconds: float = 0.0
    notes: list[str] = dataclasses.field(default_factory=list)  # how the call ran (into the record's notes)

    @property
    def failed(self) -> bool:
        return self.kind is not SideKind.VALUE

    def headline(self) -> str:
        """One line: what happened on this side."""
        if self.kind is SideKind.VALUE:
            return f"{self.side} returned a value"
        if self.kind is SideKind.RAISED:
            return f"{self.side} raised {self.error_type}: {self.message}"
        if self.kind is SideKind.PANICKED:
            return f"{self.side} panicked: {self.message}"
        if self.kind is SideKind.CRASHED:
            return f"{self.side} process crashed: {self.message}"
        if self.kind is SideKind.TIMEOUT:
            return f"{self.side} timed out: {self.message}"
        return f"{self.side} unavailable: {self.message}"

    def to_json(self) -> dict:
        return {
            "side": self.side,
            "kind": self.kind.value,
            "error_type": self.error_type,
            "message": self.message,
            "detail": self.detail,
            "seconds": round(self.seconds, 6),
        }


class Outcome(str, enum.Enum):
    """The verdict classes, in the order the summary line prints them."""

    MATCH = "match"
    ERROR_AGREEMENT = "error agreement"
    MISMATCH = "mismatch"
    DIFFERENT_ERRORS = "different errors"
    PYTHON_RAISED = "python raised"
    RUST_RAISED = "rust raised"
    RUST_PANICKED = "rust panicked"
    CRASHED = "process crashed"
    TIMEOUT = "timeout"
    REFERENCE_DRIFTED = "reference drifted"
    GOLDEN_MISSING = "golden missing"
    EXPECTED_DIVERGENCE = "expected divergence"
    UNEXPECTED_PASS = "unexpected pass"
    DIVERGENCE_CHANGED = "divergence changed"
    REFERENCE_UNAVAILABLE = "reference unavailable"
    RUST_UNAVAILABLE = "rust unavailable"  # the Rust function the case calls is not in this checkout
    HARNESS_ERROR = "harness error"

    @property
    def passed(self) -> bool:
        """Whether this outcome lets a gated run succeed."""
        return self in _PASSING

    @property
    def not_run(self) -> bool:
        """The Rust side was not called because this checkout does not have it: neither a pass nor a failure
        (the gate counts it against the baseline, see gate.py)."""
        return self is Outcome.RUST_UNAVAILABLE

    @property
    def is_divergence(self) -> bool:
        """Raw classes that describe a real difference between the sides."""
        return self in _DIVERGENCES


_PASSING = frozenset({Outcome.MATCH, Outcome.ERROR_AGREEMENT, Outcome.EXPECTED_DIVERGENCE})
_DIVERGENCES = frozenset(
    {
        Outcome.MISMATCH,
        Outcome.DIFFERENT_ERRORS,
        Outcome.PYTHON_RAISED,
        Outcome.RUST_RAISED,
        Outcome.RUST_PANICKED,
        Outcome.CRASHED,
        Outcome.TIMEOUT,
    }
)


@dataclasses.dataclass
class Verdict:
    """The classified result of one case on one input.

    ``raw`` is what the sides did (match, mismatch, rust panicked, ...);
    ``outcome`` is the final class after golden checks and expected
    divergences are applied (e.g. a raw mismatch that was expected becomes
    ``EXPECTED_DIVERGENCE``; a raw match that was expected to diverge
    becomes ``UNEXPECTED_PASS``).
    """

    outcome: Outcome
    raw: Outcome
    message: str = ""
    diff: str = ""
    metrics: dict[str, float] = dataclasses.field(default_factory=dict)
    against: str = "python"  # what the Rust side was compared with: "python" or "golden"
    notes: list[str] = dataclasses.field(default_factory=list)
    raw_message: str = ""  # the message before an expectation rewrote it (what the sides actually did)

    def to_json(self) -> dict:
        return {
            "outcome": self.outcome.value,
            "raw": self.raw.value,
            "message": self.message,
            "raw_message": self.raw_message or self.message,
            "diff": self.diff,
            "metrics": self.metrics,
            "against": self.against,
            "notes": self.notes,
        }

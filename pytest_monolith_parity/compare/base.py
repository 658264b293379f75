"""The one interface every comparator implements.

A comparator answers a single question -- do the reference output and the
Rust output agree under this contract? -- and, when they do not, says exactly
where and by how much.  Comparators never raise for a *difference*; they
raise :class:`ComparatorConfigError` for a bad *specification* (so a case
fails at collection, naming itself) and :class:`ComparatorInputError` for a
value they cannot interpret at all (so the verdict becomes a harness error,
never a silent match).
"""

from __future__ import annotations

import abc
import dataclasses
from typing import Any, ClassVar


class ComparatorConfigError(ValueError):
    """A comparison spec is invalid (negative tolerance, unknown mode, ...).

    Raised from a comparator's constructor so that the case declaring it
    fails at collection with the message, the case id and the file.
    """


class ComparatorInputError(TypeError):
    """A value handed to a comparator cannot be compared by it at all."""


@dataclasses.dataclass(frozen=True)
class Difference:
    """One place where the sides differ.

    ``path`` locates the place inside the value (``features[3].value[7]``,
    ``[2, 5]`` for an array index, ``records[12]`` for a TFRecord, ``""``
    for the value as a whole); ``message`` says how they differ, reference
    first (``12 != 13``, ``1.0 != 1.0000001 (abs 1.2e-07, rel 1.2e-07, 1 ulp)``).
    """

    path: str
    message: str

    def render(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclasses.dataclass
class Comparison:
    """The outcome of one comparison.

    ``metrics`` carries numeric observations the reports aggregate, using
    these keys when they apply: ``max_abs``, ``max_rel``, ``max_ulp``,
    ``mismatched`` and ``total`` (element counts).  ``summary`` is a one-line
    headline such as ``3 / 1000 elements differ (0.3%)``.
    """

    equal: bool
    differences: list[Difference] = dataclasses.field(default_factory=list)
    metrics: dict[str, float] = dataclasses.field(default_factory=dict)
    summary: str = ""

    @classmethod
    def same(cls, **metrics: float) -> "Comparison":
        return cls(equal=True, metrics=dict(metrics))

    @classmethod
    def differ(cls, *differences: Difference, summary: str = "", **metrics: float) -> "Comparison":
        return cls(equal=False, differences=list(differences), summary=summary, metrics=dict(metrics))

    def render(self, limit: int = 20) -> str:
        """A human-readable report: the headline, then up to ``limit`` differences."""
        if self.equal:
            return "equal"
        lines = [self.summary] if self.summary else []
        shown = self.differences[:limit]
        lines.extend(d.render() for d in shown)
        hidden = len(self.differences) - len(shown)
        if hidden > 0:
            lines.append(f"... and {hidden} more difference(s)")
        return "\n".join(lines) if lines else "values differ"


class Comparator(abc.ABC):
    """Compares a reference value (``expected``) with a Rust value (``actual``).

    ``expected`` comes from the Python reference or a golden file; ``actual``
    from the Rust side.  Implementations are small, pytest-free, and
    configured entirely through their constructor.
    """

    #: Short registry name used in reports and case specs, e.g. ``"tensor"``.
    name: ClassVar[str] = "comparator"

    @abc.abstractmethod
    def compare(self, expected: Any, actual: Any) -> Comparison:
        """Compare and return a :class:`Comparison`; never raise for a difference."""

    def describe(self) -> str:
        """A one-line description of the contract, shown in reports."""
        return self.name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


def join_path(prefix: str, path: str, sep: str = ".") -> str:
    """Nest a child comparison's ``path`` under ``prefix``.

    Index-like paths (``[3]``, ``["k"]``) attach directly, names with ``sep``:
    ``join_path("features", "[3].value")`` is ``features[3].value``.
    """
    if not prefix:
        return path
    if not path:
        return prefix
    if path.startswith("[") and sep == ".":
        return prefix + path
    return f"{prefix}{sep}{path}"


def nest(comparison: Comparison, prefix: str, sep: str = ".") -> list[Difference]:
    """The differences of a child comparison, re-rooted under ``prefix``.

    A child that says "not equal" without listing a difference still yields one,
    so nesting can never turn a mismatch into a match.
    """
    found = [Difference(join_path(prefix, d.path, sep), d.message) for d in comparison.differences]
    if not comparison.equal and not found:
        found.append(Difference(prefix, comparison.summary or "values differ"))
    return found

"""The figures every report leads with, computed from outcome counts: parity %, known gaps, failing, unavailable.

A porting engineer's first question is how close the port is to parity, not
whether the gate passed: an expected divergence lets a gated run succeed, but
it is a known gap in the port, not parity.  So every report (HTML, Markdown,
the step summary, the trend, the generated index) states the same figures,
from the same four families of outcomes:

* **agree** -- ``match`` and ``error agreement``: the items at parity;
* **known gap** -- ``expected divergence``: a recorded, reviewed difference;
* **unavailable** -- a side could not run here (``reference unavailable``,
  ``rust unavailable``): not executed, so outside the percentage;
* **failing** -- everything else, including any outcome this version does not
  know (a newer harness's report is never read as better than it is).

``executed`` is every item but the unavailable ones, and ``parity_pct`` is
``agree / executed`` as a percentage.  Plain strings and builtins only: the
figures are read from JSON reports and history lines as much as from records.

The performance figures of several items timed with ``perf=True`` (see
:mod:`perf`) are here too, for the same readers: how many were timed, the
sums of their Python and Rust medians, and the geometric mean of their
Rust / Python ratios.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from .outcomes import Outcome

AGREE = "agree"
KNOWN_GAP = "known gap"
UNAVAILABLE = "unavailable"
FAILING = "failing"
FAMILIES = (AGREE, KNOWN_GAP, UNAVAILABLE, FAILING)


def family(outcome: str) -> str:
    """The family of an outcome name, from :class:`Outcome`'s own properties; an unknown name is failing."""
    try:
        known = Outcome(str(outcome))
    except ValueError:
        return FAILING
    if known is Outcome.EXPECTED_DIVERGENCE:
        return KNOWN_GAP
    if known is Outcome.REFERENCE_UNAVAILABLE or known.not_run:  # a side could not run here
        return UNAVAILABLE
    return AGREE if known.passed else FAILING


def passed(outcome: str) -> bool:
    """Whether an outcome lets a gated run succeed (``Outcome.passed``); an unknown name does not."""
    try:
        return Outcome(outcome).passed
    except ValueError:
        return False


def parity_pct(agree: int, executed: int) -> float | None:
    """``agree / executed`` in percent, one decimal; never 100.0 short of full parity, never 0.0 above none."""
    if executed <= 0:
        return None
    value = round(100.0 * agree / executed, 1)
    if value >= 100.0 and agree < executed:
        return 99.9
    if value <= 0.0 < agree:
        return 0.1
    return value


def figures(counts: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of a set of items from its outcome counts (outcome name -> items)."""
    by_family = dict.fromkeys(FAMILIES, 0)
    items = 0
    for outcome, count in counts.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            continue
        by_family[family(outcome)] += count
        items += count
    executed = items - by_family[UNAVAILABLE]
    return {
        "items": items,
        "executed": executed,
        "match": int(counts.get(Outcome.MATCH.value, 0) or 0),
        "error_agreement": int(counts.get(Outcome.ERROR_AGREEMENT.value, 0) or 0),
        "agree": by_family[AGREE],
        "known_gaps": by_family[KNOWN_GAP],
        "failing": by_family[FAILING],
        "unavailable": by_family[UNAVAILABLE],
        "gap": executed - by_family[AGREE],
        "parity_pct": parity_pct(by_family[AGREE], executed),
    }


def figures_of(outcomes: Iterable[str]) -> dict[str, Any]:
    """:func:`figures` of a list of outcome names."""
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[str(outcome)] = counts.get(str(outcome), 0) + 1
    return figures(counts)


def format_pct(value: Any) -> str:
    """``87.5 %``; ``—`` when nothing executed."""
    return "—" if not isinstance(value, (int, float)) or isinstance(value, bool) else f"{value:.1f} %"


def format_ratio(value: Any) -> str:
    """A Rust / Python time ratio: ``0.25×``, ``1.2×``, ``53×``, ``11000×``; ``—`` for none."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0 or not math.isfinite(value):
        return "—"
    return f"{value:.0f}×" if value >= 10 else f"{value:.2g}×"


def format_seconds(value: Any) -> str:
    """A duration for people: ``850 µs``, ``12.3 ms``, ``4.2 s``; ``—`` for none."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "—"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.3g} ms"
    return f"{value:.3g} s"


def headline(data: Mapping[str, Any]) -> str:
    """One line: ``parity 87.5 % (420 of 480 executed items agree) · 40 known gaps · 3 failing · 12 unavailable``."""
    executed = data.get("executed", 0)
    return (f"parity {format_pct(data.get('parity_pct'))} ({data.get('agree', 0)} of {executed} executed "
            f"item{'s' if executed != 1 else ''} agree{'s' if executed == 1 else ''}) · {data.get('known_gaps', 0)} "
            f"known gap{'s' if data.get('known_gaps') != 1 else ''} · {data.get('failing', 0)} failing · "
            f"{data.get('unavailable', 0)} unavailable")


# -- performance figures --------------------------------------------------

def timed(perf: Mapping[str, Any] | None) -> bool:
    """Whether a record's ``perf`` field holds timings (not None, not skipped)."""
    return bool(perf) and "rust" in perf and "python" in perf


def geometric_mean(values: Iterable[float]) -> float | None:
    positive = [v for v in values if isinstance(v, (int, float)) and v > 0 and math.isfinite(v)]
    if not positive:
        return None
    return math.exp(sum(math.log(v) for v in positive) / len(positive))


def perf_figures(perfs: Iterable[Mapping[str, Any] | None]) -> dict[str, Any] | None:
    """Figures of several timed items: their count, summed medians per side and the geometric mean of their ratios."""
    timed_items = [p for p in perfs if timed(p)]
    if not timed_items:
        return None
    python_seconds = sum(p["python"]["median"] for p in timed_items)
    rust_seconds = sum(p["rust"]["median"] for p in timed_items)
    return {"items": len(timed_items), "python_seconds": python_seconds, "rust_seconds": rust_seconds,
            "ratio": geometric_mean(p.get("ratio") for p in timed_items)}

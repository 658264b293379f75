"""What changed against a baseline run: the section a pull request's reader looks at first.

Given the base revision's JSON report, every item that changed is listed with
its verdict and message before and after, in the gate's own terms (see
:func:`gate.evaluate`): **regressions** (passed on the base, fail now, or
ran on the base and are *rust unavailable* now),
**unexpected passes** (a recorded divergence no longer happens), **new**
items (or items whose Rust function the base lacked), **fixes** (failed on the base, pass now), **removed** items, and
items whose verdict **changed** without crossing between passing and
failing (a mismatch that now panics, a match that became a recorded
divergence).  Per file, parity before and after; and, for cases timed with
``perf=True``, the ones whose Rust side got **slower** beyond its noise
(:func:`perf.slower`).  Pytest-free; plain JSON.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .figures import figures, passed
from .outcomes import Outcome
from .perf import slower

MESSAGE_LIMIT = 400
#: The groups of the section, in the order a reader wants them.
GROUPS = ("regressions", "unexpected_passes", "new", "fixes", "removed", "changed")


class BaselineDocumentError(ValueError):
    """The baseline report cannot be read (the gate's loader says the same, earlier)."""


def load_baseline_document(path: Path) -> dict[str, Any]:
    """The whole baseline JSON report (its cases and what it says about its run)."""
    try:
        document = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise BaselineDocumentError(f"baseline report {path} cannot be read ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("cases"), list):
        raise BaselineDocumentError(f"baseline report {path} has no `cases` list; is it a parity-report.json?")
    document.setdefault("source", str(path))
    return document


def _not_run(outcome: Any) -> bool:
    """The Rust side was not called because the checkout lacks it (``Outcome.not_run``); an unknown name ran."""
    try:
        return Outcome(str(outcome)).not_run
    except ValueError:
        return False


def _verdict(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    message = str(record.get("message") or "")
    return {"outcome": str(record.get("outcome")), "raw": str(record.get("raw") or record.get("outcome")),
            "message": message if len(message) <= MESSAGE_LIMIT else message[: MESSAGE_LIMIT - 1] + "…"}


def _entry(nodeid: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    source = after if after is not None else before
    return {"nodeid": nodeid, "covers": str((source or {}).get("covers")), "before": _verdict(before),
            "after": _verdict(after)}


def _module_figures(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for record in records:
        counts[str(record.get("covers"))][str(record.get("outcome"))] += 1
    return {covers: figures(counter) for covers, counter in counts.items()}


def _baseline_facts(baseline: Mapping[str, Any]) -> dict[str, Any]:
    checkout = ((baseline.get("environment") or {}).get("checkout") or {})
    totals = baseline.get("totals")
    if not isinstance(totals, Mapping):
        totals = collections.Counter(str(r.get("outcome")) for r in baseline.get("cases") or [])
    return {"source": baseline.get("source"), "created": baseline.get("created"), "revision": baseline.get("revision"),
            "checkout_revision": checkout.get("revision"), "summary": baseline.get("summary"),
            "parity": baseline.get("parity") if isinstance(baseline.get("parity"), Mapping) else figures(totals)}


def build(current: Sequence[Mapping[str, Any]], baseline: Mapping[str, Any]) -> dict[str, Any]:
    """The changes of ``current`` (records) against ``baseline`` (a JSON report document)."""
    before = {str(r.get("nodeid")): r for r in baseline.get("cases") or []}
    now = {str(r.get("nodeid")): r for r in current}
    groups: dict[str, list[dict[str, Any]]] = {name: [] for name in GROUPS}
    slower_items = []
    for nodeid in sorted(now):
        record, old = now[nodeid], before.get(nodeid)
        outcome = str(record.get("outcome"))
        if old is None or (_not_run(old.get("outcome")) and not _not_run(outcome)):
            groups["new"].append(_entry(nodeid, old, record))  # a new case, or one whose function the base lacked
            continue
        was = passed(str(old.get("outcome")))
        if outcome == Outcome.UNEXPECTED_PASS.value and str(old.get("outcome")) != outcome:
            groups["unexpected_passes"].append(_entry(nodeid, old, record))
        elif _not_run(outcome) and not _not_run(old.get("outcome")):
            groups["regressions"].append(_entry(nodeid, old, record))  # it ran on the base; its function is gone
        elif was and not passed(outcome):
            groups["regressions"].append(_entry(nodeid, old, record))
        elif not was and passed(outcome):
            groups["fixes"].append(_entry(nodeid, old, record))
        elif str(old.get("outcome")) != outcome:
            groups["changed"].append(_entry(nodeid, old, record))
        grown = slower(old.get("perf"), record.get("perf"))
        if grown is not None:
            slower_items.append({"nodeid": nodeid, "covers": str(record.get("covers")), **grown})
    groups["removed"] = [_entry(nodeid, before[nodeid], None) for nodeid in sorted(set(before) - set(now))]
    old_files, new_files = _module_figures(list(before.values())), _module_figures(current)
    files = []
    for covers in sorted(set(old_files) | set(new_files)):
        old_fig, new_fig = old_files.get(covers), new_files.get(covers)
        keys = ("parity_pct", "agree", "known_gaps", "failing", "unavailable", "items")
        if old_fig is None or new_fig is None or any(old_fig[k] != new_fig[k] for k in keys):
            files.append({"covers": covers, "before": old_fig, "after": new_fig})
    slower_items.sort(key=lambda s: -s["factor"])
    return {"baseline": _baseline_facts(baseline), **groups,
            "counts": {name: len(groups[name]) for name in GROUPS} | {"slower": len(slower_items)},
            "files": files, "slower": slower_items}

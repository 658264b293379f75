"""What the trend file says about a run: parity % over whole runs, and each case's verdict over time.

Read from the entries of :mod:`history` (oldest first, this run's entry
last):

* **trend** -- per whole run (a run of every case; subsets and replays would
  read as collapses of the port), its date, revision, outcome counts and the
  figures of :mod:`figures`, parity % first;
* **per case** -- for every item of this run: its verdict **since** when
  (the first run of the unbroken streak that ends with this run), how many
  runs that streak has, in how many runs the item was seen, how often its
  verdict **flipped**, and whether it is **flaky**: its verdict changed
  between two runs of the same revision, or came back to a verdict it had
  left (A -> B -> A).  Entries written before history lines carried verdicts
  (``verdicts``) say nothing about single cases and are skipped for this.

Pytest-free; plain JSON.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from .figures import figures

TREND_LIMIT = 200


def is_whole_run(entry: Mapping[str, Any]) -> bool:
    """Whether a history entry is a run of every case (entries without ``selection`` predate it and were)."""
    return str(entry.get("selection") or "whole") == "whole"


def trend(entries: Sequence[Mapping[str, Any]], limit: int = TREND_LIMIT) -> list[dict[str, Any]]:
    """The last ``limit`` whole runs: date, revision, counts and figures."""
    runs = [e for e in entries if is_whole_run(e)][-limit:]
    return [{"date": e.get("date"), "revision": e.get("revision"), "counts": dict(e.get("counts") or {}),
             "figures": figures(e.get("counts") or {})} for e in runs]


@dataclasses.dataclass
class _Streak:
    verdict: str
    since: Any
    since_revision: Any
    revision: Any
    runs: int = 1
    seen: int = 1
    flips: int = 0
    previous: str | None = None
    left: set[str] = dataclasses.field(default_factory=set)
    flaky_why: str = ""

    def observe(self, outcome: str, date: Any, revision: Any) -> None:
        self.seen += 1
        if outcome == self.verdict:
            self.runs += 1
        else:
            self.flips += 1
            if not self.flaky_why and revision is not None and revision == self.revision:
                self.flaky_why = f"{self.verdict} -> {outcome} on the same revision {revision}"
            if not self.flaky_why and outcome in self.left:
                self.flaky_why = f"came back to {outcome} after {self.verdict}"
            self.left.add(self.verdict)
            self.previous, self.verdict, self.since, self.since_revision, self.runs = (
                self.verdict, outcome, date, revision, 1)
        self.revision = revision

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "since": self.since, "since_revision": self.since_revision,
                "runs": self.runs, "seen": self.seen, "flips": self.flips, "previous": self.previous,
                "flaky": bool(self.flaky_why), "flaky_why": self.flaky_why}


def _verdicts(entry: Mapping[str, Any]) -> dict[str, str] | None:
    """nodeid -> outcome of one history entry (its ``verdicts`` groups node ids by outcome), if it has them."""
    grouped = entry.get("verdicts")
    if not isinstance(grouped, Mapping):
        return None
    return {str(nodeid): str(outcome) for outcome, nodeids in grouped.items() if isinstance(nodeids, list)
            for nodeid in nodeids}


def per_case(entries: Sequence[Mapping[str, Any]], nodeids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The verdict history of each of ``nodeids`` across ``entries`` (see the module docstring)."""
    wanted = set(nodeids)
    streaks: dict[str, _Streak] = {}
    for entry in entries:
        verdicts = _verdicts(entry)
        if verdicts is None:
            continue
        date, revision = entry.get("date"), entry.get("revision")
        for nodeid, outcome in verdicts.items():
            if nodeid not in wanted:
                continue
            streak = streaks.get(nodeid)
            if streak is None:
                streaks[nodeid] = _Streak(outcome, date, revision, revision)
            else:
                streak.observe(outcome, date, revision)
    return {nodeid: streaks[nodeid].to_json() for nodeid in sorted(streaks)}


def build(entries: Sequence[Mapping[str, Any]], records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The report's ``history``: the trend, every item's verdict history, and the flaky items."""
    cases = per_case(entries, [str(r.get("nodeid")) for r in records])
    return {"runs": len(entries), "whole_runs": sum(1 for e in entries if is_whole_run(e)),
            "with_verdicts": sum(1 for e in entries if isinstance(e.get("verdicts"), Mapping)),
            "trend": trend(entries), "cases": cases,
            "flaky": sorted(nodeid for nodeid, data in cases.items() if data["flaky"])}

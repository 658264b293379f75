"""Killed or survived: a mutant's parity run against the unmutated baseline run, item by item.

The gate's comparison, made strict: an item whose verdict (``outcome``), raw
class or message changed, or that is missing from the mutant's run, kills
the mutant.  A recorded divergence that still holds with a different message
is a *changed* item here -- the reason records must carry a message prefix:
a record without one absorbs a mutant that replaces a value by 0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: The fields of a record whose change means the port's behaviour changed.
JUDGED_FIELDS = ("outcome", "raw", "raw_message", "message")

KILLED, SURVIVED, UNVIABLE, TIMEOUT = "killed", "survived", "unviable", "timeout"
STATUSES = (KILLED, SURVIVED, UNVIABLE, TIMEOUT)


@dataclasses.dataclass
class Judgement:
    status: str  # killed or survived
    changed: list[dict[str, Any]]  # the items that killed it: nodeid, before, after

    @property
    def killed(self) -> bool:
        return self.status == KILLED


def _view(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {field: record.get(field) for field in JUDGED_FIELDS}


def judge(baseline: Sequence[Mapping[str, Any]], mutant_run: Sequence[Mapping[str, Any]],
          nodeids: Iterable[str]) -> Judgement:
    """Compare the items ``nodeids`` of the two runs; any difference kills."""
    before = {r["nodeid"]: r for r in baseline}
    after = {r["nodeid"]: r for r in mutant_run}
    changed = []
    for nodeid in sorted(set(nodeids)):
        old, new = _view(before.get(nodeid)), _view(after.get(nodeid))
        if old != new:
            changed.append({"nodeid": nodeid, "before": old, "after": new})
    return Judgement(KILLED if changed else SURVIVED, changed)


def unstable_items(first: Sequence[Mapping[str, Any]], second: Sequence[Mapping[str, Any]]) -> list[str]:
    """Items whose judged fields differ between two runs of the *same* tree: they cannot judge a mutant."""
    return [c["nodeid"] for c in judge(first, second, [r["nodeid"] for r in first] +
                                       [r["nodeid"] for r in second]).changed]

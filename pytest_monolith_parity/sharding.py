"""Shards of one run for CI matrices: ``--parity-shard K/N`` runs the K-th of N time-balanced parts of the items.

The partition is a pure function of the collected node ids and of a
durations report (a previous run's JSON report: each case record's
``seconds``), so every shard -- and every pytest-xdist worker inside one --
computes the same one, and the N shards together run every item exactly
once.  Items are dealt longest first to the shard with the least time so far
(ties: the lower shard); an item without a recorded duration counts as the
median of the recorded ones (1 s when none is recorded), so new items spread
evenly.  Nothing here imports pytest.

Each shard's report carries a ``shard`` block (:func:`ShardSelection.to_json`):
its index and count, a digest of every collected node id and of the durations
used, and the node ids it selected.  ``merge-reports`` (:mod:`.merge`) checks
those blocks before it merges: the same collection, the same durations, every
shard once, no item twice, none missing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: Seconds assumed for every item when the durations report records none.
DEFAULT_SECONDS = 1.0


class ShardError(ValueError):
    """The shard or its durations report cannot be used; the message says why and how to fix it."""


def parse(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)`` (already validated by the setting's parser)."""
    index, _, count = text.partition("/")
    return int(index), int(count)


def digest(items: Sequence[str] | Mapping[str, float]) -> str:
    data = sorted(items.items()) if isinstance(items, Mapping) else sorted(items)
    return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode("utf-8")).hexdigest()


def load_durations(path: Path | None, *, required: bool) -> dict[str, float]:
    """Node id -> seconds from a JSON report; ``{}`` when ``path`` is absent and not ``required``."""
    if path is None or not path.is_file():
        if required:
            raise ShardError(f"the durations report {path} does not exist; pass the JSON report of an earlier run "
                             "(its parity-report/parity-report.json) to --parity-durations, or leave the option out "
                             "to shard without durations")
        return {}
    try:
        report = json.loads(path.read_text("utf-8"))
        cases = report["cases"]
        if not required and isinstance(report.get("shard"), Mapping):
            return {}  # the default report is a shard's own: its durations cover its items only, not the run's
        return {str(c["nodeid"]): float(c["seconds"]) for c in cases
                if isinstance(c, Mapping) and isinstance(c.get("seconds"), (int, float)) and c["seconds"] >= 0}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ShardError(f"the durations report {path} is not a parity JSON report ({error}); pass a "
                         "parity-report/parity-report.json to --parity-durations") from None


def partition(nodeids: Sequence[str], durations: Mapping[str, float], count: int) -> list[list[str]]:
    """The items of each of ``count`` shards (see the module docstring), each in collection order."""
    known = [durations[n] for n in nodeids if n in durations]
    fallback = statistics.median(known) if known else DEFAULT_SECONDS
    weight = {n: durations.get(n, fallback) for n in nodeids}
    loads = [0.0] * count
    shard_of: dict[str, int] = {}
    for nodeid in sorted(set(nodeids), key=lambda n: (-weight[n], n)):
        target = min(range(count), key=lambda i: (loads[i], i))
        shard_of[nodeid] = target
        loads[target] += weight[nodeid]
    shards: list[list[str]] = [[] for _ in range(count)]
    for nodeid in nodeids:
        shards[shard_of[nodeid]].append(nodeid)
    return shards


@dataclasses.dataclass
class ShardSelection:
    """One shard of one collection."""

    index: int
    count: int
    collected: list[str]
    selected: list[str]
    durations_source: str | None
    durations: dict[str, float]

    @property
    def estimated_seconds(self) -> float:
        known = [self.durations[n] for n in self.collected if n in self.durations]
        fallback = statistics.median(known) if known else DEFAULT_SECONDS
        return sum(self.durations.get(n, fallback) for n in self.selected)

    def to_json(self) -> dict[str, Any]:
        used = {n: self.durations[n] for n in self.collected if n in self.durations}
        return {
            "index": self.index,
            "count": self.count,
            "collected": len(self.collected),
            "collected_digest": digest(self.collected),
            "durations": {"source": self.durations_source, "digest": digest(used), "items": len(used)},
            "estimated_seconds": round(self.estimated_seconds, 3),
            "selected": list(self.selected),
        }


def select(nodeids: Sequence[str], shard: str, durations_path: Path | None, *, explicit: bool) -> ShardSelection:
    """The shard ``"K/N"`` of ``nodeids``; ``explicit``: the durations report was named (then it must exist)."""
    if len(set(nodeids)) != len(nodeids):
        duplicates = sorted({n for n in nodeids if list(nodeids).count(n) > 1})
        raise ShardError(f"node ids collected twice cannot be sharded: {duplicates[:5]}")
    index, count = parse(shard)
    durations = load_durations(durations_path, required=explicit)
    shards = partition(list(nodeids), durations, count)
    return ShardSelection(index=index, count=count, collected=list(nodeids), selected=shards[index - 1],
                          durations_source=str(durations_path) if durations else None, durations=durations)

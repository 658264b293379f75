"""``merge-reports``: the reports of N shards (``--parity-shard K/N``) as the one run they split.

    python -m pytest_monolith_parity merge-reports shard-1/parity-report.json shard-2/... \\
        [--parity-baseline base/parity-report.json] [--parity-report-dir merged]

The merged case records go through the same :meth:`ParitySession.publish`
as an unsharded run's, so the JSON, Markdown and HTML reports, the step
summary, the trend entry (one, for the whole run) and the gate are the ones
the unsharded run would have produced.  Before anything is written the shard
set is checked (:func:`check_shards`): every report is a shard of the same
collection and durations, every shard is there once, no item ran twice, none
is missing, and every shard finished.  A set that fails the check is never
judged: ``merge-reports`` says which shard is wrong and exits 2.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .config import Settings
from .gate import load_baseline
from .session import ParitySession
from .sharding import digest

#: Exit status when the shard set is incomplete or inconsistent (pytest's "interrupted": not a verdict).
EXIT_INCOMPLETE = 2


class MergeError(Exception):
    """A report cannot be merged; ``status`` is the exit status (4: bad input, 2: an incomplete shard set)."""

    def __init__(self, message: str, status: int = EXIT_INCOMPLETE):
        super().__init__(message)
        self.status = status


@dataclasses.dataclass
class Shard:
    path: Path
    report: dict[str, Any]

    @property
    def block(self) -> dict[str, Any]:
        return self.report["shard"]


def read_shard(path: Path) -> Shard:
    try:
        report = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise MergeError(f"{path} does not exist: that shard wrote no report (did its run fail before the end? "
                         "its log says why); re-run that shard", EXIT_INCOMPLETE) from None
    except (OSError, ValueError) as error:
        raise MergeError(f"{path} is not a parity JSON report ({error})", 4) from None
    if not isinstance(report, dict) or not isinstance(report.get("cases"), list):
        raise MergeError(f"{path} is not a parity JSON report (no list 'cases')", 4)
    block = report.get("shard")
    if not isinstance(block, dict) or not {"index", "count", "collected_digest", "selected"} <= set(block):
        raise MergeError(f"{path} is the report of a run without --parity-shard; merge-reports merges the "
                         "shards of one sharded run (each run with --parity-shard K/N)", 4)
    if report.get("complete") is False:
        raise MergeError(f"{path} is the report of shard {block['index']}/{block['count']}, which did not finish; "
                         "re-run that shard", EXIT_INCOMPLETE)
    return Shard(Path(path), report)


def check_shards(shards: Sequence[Shard]) -> None:
    """Raise MergeError unless the shards are exactly the N parts of one collection."""
    first = shards[0].block
    count = first["count"]
    for shard in shards[1:]:
        for key, what in (("count", "shard count"), ("collected_digest", "collected items"),
                          ("collected", "collected items")):
            if shard.block.get(key) != first.get(key):
                raise MergeError(f"{shard.path} and {shards[0].path} are shards of different runs (their {what} "
                                 "differ): every shard must run the same cases, options and harness version")
        if (shard.block.get("durations") or {}).get("digest") != (first.get("durations") or {}).get("digest"):
            raise MergeError(f"{shard.path} and {shards[0].path} were balanced with different durations reports, so "
                             "their partitions do not fit together: give every shard the same --parity-durations")
    indexes = sorted(shard.block["index"] for shard in shards)
    missing = sorted(set(range(1, count + 1)) - set(indexes))
    twice = sorted({i for i in indexes if indexes.count(i) > 1})
    if twice:
        raise MergeError(f"shard(s) {twice} of {count} given more than once")
    if missing:
        raise MergeError(f"shard(s) {missing} of {count} missing: pass the reports of all {count} shards")
    seen: dict[str, Path] = {}
    for shard in shards:
        selected = set(shard.block["selected"])
        for nodeid in shard.block["selected"]:
            if nodeid in seen:
                raise MergeError(f"{nodeid} ran in two shards ({seen[nodeid]} and {shard.path})")
            seen[nodeid] = shard.path
        strays = [c["nodeid"] for c in shard.report["cases"] if c.get("nodeid") not in selected]
        if strays:
            raise MergeError(f"{shard.path} has records of items its shard did not select: {strays[:3]}", 4)
    if digest(list(seen)) != first["collected_digest"]:
        raise MergeError("the shards' selections do not add up to the collected items; every shard must run with "
                         "the same options and the same --parity-durations")


def _agreed(shards: Sequence[Shard], key: str) -> Any:
    """A value every shard's report has alike (the reference revision, the probe, unused goldens)."""
    values = [shard.report.get(key) for shard in shards]
    if any(value != values[0] for value in values[1:]):
        raise MergeError(f"the shards disagree on {key!r} ({values[0]!r} vs "
                         f"{next(v for v in values if v != values[0])!r}): they did not run the same checkout")
    return values[0]


REPLAY_COMMAND = "pytest -m parity --parity-replay "


def _with_replay_moved(record: dict[str, Any], shard: Shard, report_dir: Path) -> dict[str, Any]:
    """A shard's replay file (``<its report dir>/replays/<case>.json``) copied where the merged run's reports go.

    So the record's replay command names the same file an unsharded run would have written.
    """
    replay = record.get("replay") or ""
    if not replay.startswith(REPLAY_COMMAND):
        return record
    name = Path(replay[len(REPLAY_COMMAND):]).name
    source = shard.path.parent / "replays" / name
    if not source.is_file():
        return record
    from .files import atomic_write

    target = report_dir / "replays" / name
    atomic_write(target, source.read_bytes())
    return {**record, "replay": f"{REPLAY_COMMAND}{target}"}


def merge(paths: Sequence[Path], settings: Settings, *, baseline_path: str | None = None) -> ParitySession:
    """Check and merge the shards' reports; write the merged reports as ``settings`` say; return the session."""
    if not paths:
        raise MergeError("no reports given: pass the JSON report of every shard", 4)
    shards = [read_shard(Path(p)) for p in paths]
    check_shards(shards)
    golden = _agreed(shards, "golden") or {}
    baseline = load_baseline(Path(baseline_path)) if baseline_path else None
    if settings.revision is None:
        settings.revision = _agreed(shards, "revision")
    settings.reference_revision = _agreed(shards, "reference_revision")
    session = ParitySession(settings, baseline=baseline)
    session.records = [_with_replay_moved(case, shard, settings.report_path) for shard in shards
                       for case in shard.report["cases"]]
    session.changed_goldens = list(golden.get("changed") or [])
    session.unused_goldens = list(golden.get("unused") or [])
    session.other_failures = sum(int(shard.block.get("other_failures", 0)) for shard in shards)
    if session.records:
        session.publish(_agreed(shards, "probe"))
    return session

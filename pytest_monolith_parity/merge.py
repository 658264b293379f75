"""``merge-reports``: the reports of N shards (``--parity-shard K/N``) as the one run they split.

    python -m pytest_monolith_parity merge-reports shard-1/parity-report.json shard-2/... \\
        [--parity-baseline base/parity-report.json] [--parity-report-dir merged]

The merged case records go through the same :meth:`ParitySession.publish`
as an unsharded run's, so the JSON, Markdown and HTML reports, the step
summary, the trend entry (one, for the whole run) and the gate are the ones
the unsharded run would have produced.  Before anything is written the shard
set is checked (:func:`check_shards`): every report is a shard of the same
collection and durations, no shard is given twice and no item ran twice;
a report that fails that check is bad input, never judged (exit 4).

A shard that is missing (its report not given, or never written) or that did
not finish (its ``parity-report.partial.json``, or one newer than its
complete report) makes the merged run *incomplete*, exactly as an interrupted
unsharded run: ``GATE: INCOMPLETE (n of m items ran)`` with the reasons,
partial reports only, nothing in the trend, exit 2 -- never a pass.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .completeness import Completeness
from .config import Settings
from .gate import load_baseline
from .session import ParitySession
from .sharding import digest

#: Exit status when the shard set is incomplete (pytest's "interrupted": not a verdict); 4: bad input.
EXIT_INCOMPLETE = 2
EXIT_BAD_INPUT = 4
#: The report an unfinished run writes beside its last complete one (session.PARTIAL_NAMES).
PARTIAL_JSON = "parity-report.partial.json"


class MergeError(Exception):
    """The reports cannot be merged at all; ``status`` is the exit status (4: bad input)."""

    def __init__(self, message: str, status: int = EXIT_BAD_INPUT):
        super().__init__(message)
        self.status = status


@dataclasses.dataclass
class Shard:
    path: Path
    report: dict[str, Any]

    @property
    def block(self) -> dict[str, Any]:
        return self.report["shard"]

    @property
    def finished(self) -> bool:
        return self.report.get("complete") is not False

    def why_unfinished(self) -> str:
        reasons = (self.report.get("completeness") or {}).get("reasons") or ["it did not finish"]
        return (f"shard {self.block['index']} of {self.block['count']} did not finish ({self.path}): "
                + "; ".join(reasons))


def _load(path: Path) -> dict[str, Any]:
    try:
        report = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise MergeError(f"{path} is not a parity JSON report ({error})") from None
    if not isinstance(report, dict) or not isinstance(report.get("cases"), list):
        raise MergeError(f"{path} is not a parity JSON report (no list 'cases')")
    block = report.get("shard")
    if not isinstance(block, dict) or not {"index", "count", "collected_digest", "selected"} <= set(block):
        raise MergeError(f"{path} is the report of a run without --parity-shard; merge-reports merges the "
                         "shards of one sharded run (each run with --parity-shard K/N)")
    return report


def read_shard(path: Path) -> Shard | None:
    """The shard's latest report; ``None`` when it wrote none (a missing shard).

    When the shard's last run did not finish, its report directory holds a
    ``parity-report.partial.json`` newer than (or instead of) the complete
    report: that one is the shard's, so a stale complete report of an earlier
    run never stands in for an interrupted one.
    """
    path = Path(path)
    partial = path if path.name == PARTIAL_JSON else path.with_name(PARTIAL_JSON)
    if partial != path and partial.is_file() and (not path.is_file() or _created(partial) > _created(path)):
        path = partial
    if not path.is_file():
        return None
    return Shard(path, _load(path))


def _created(path: Path) -> str:
    try:
        return str(json.loads(path.read_text("utf-8")).get("created") or "")
    except (OSError, ValueError):
        return ""


def check_shards(shards: Sequence[Shard]) -> list[int]:
    """Raise MergeError unless the shards are parts of one collection; return the missing shard indexes."""
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
    twice = sorted({i for i in indexes if indexes.count(i) > 1})
    if twice:
        raise MergeError(f"shard(s) {twice} of {count} given more than once")
    missing = sorted(set(range(1, count + 1)) - set(indexes))
    seen: dict[str, Path] = {}
    for shard in shards:
        selected = set(shard.block["selected"])
        for nodeid in shard.block["selected"]:
            if nodeid in seen:
                raise MergeError(f"{nodeid} ran in two shards ({seen[nodeid]} and {shard.path})")
            seen[nodeid] = shard.path
        strays = [c["nodeid"] for c in shard.report["cases"] if c.get("nodeid") not in selected]
        if strays:
            raise MergeError(f"{shard.path} has records of items its shard did not select: {strays[:3]}")
    if not missing and digest(list(seen)) != first["collected_digest"]:
        raise MergeError("the shards' selections do not add up to the collected items; every shard must run with "
                         "the same options and the same --parity-durations")
    return missing


def merged_completeness(shards: Sequence[Shard], missing: Sequence[int], absent: Sequence[Path]) -> Completeness:
    """How much of the unsharded run the shards ran: complete only when every shard is there and finished."""
    first = shards[0].block
    completeness = Completeness(collected=int(first["collected"]))
    reasons: list[str] = []
    if missing:
        reasons.append(f"shard(s) {list(missing)} of {first['count']} missing: no report of theirs was given"
                       + (f" ({', '.join(map(str, absent))} do(es) not exist: that shard wrote no report; its log "
                          "says why)" if absent else "") + "; re-run them and merge again")
    for shard in shards:
        own = shard.report.get("completeness") or {}
        completeness.crashed += [n for n in own.get("crashed") or [] if n not in completeness.crashed]
        completeness.collection_errors += [n for n in own.get("collection_errors") or []
                                           if n not in completeness.collection_errors]
        if shard.finished:
            completeness.finished.update(shard.block["selected"])
        else:
            completeness.finished.update(c["nodeid"] for c in shard.report["cases"] if c.get("nodeid"))
            reasons.append(shard.why_unfinished())
    completeness.shards = reasons
    return completeness


def _agreed(shards: Sequence[Shard], key: str, default: Any = None) -> Any:
    """A value every shard's report has alike (the reference revision, the probe, unused goldens)."""
    values = [shard.report.get(key, default) for shard in shards]
    if any(value != values[0] for value in values[1:]):
        raise MergeError(f"the shards disagree on {key!r} ({values[0]!r} vs "
                         f"{next(v for v in values if v != values[0])!r}): they did not run the same checkout "
                         "with the same harness and libraries")
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


def _run_selection(shards: Sequence[Shard]) -> str:
    """What the unsharded run covered (every shard computed it alike: ``whole`` unless -k, -m... deselected)."""
    values = {str(shard.block.get("run_selection") or "whole") for shard in shards}
    if len(values) > 1:
        raise MergeError(f"the shards disagree on what the run covered ({sorted(values)}): they ran with different "
                         "options")
    return values.pop()


def merge(paths: Sequence[Path], settings: Settings, *, baseline_path: str | None = None,
          perf_gate: bool = False) -> ParitySession:
    """Check and merge the shards' reports; write the merged reports as ``settings`` say; return the session."""
    if not paths:
        raise MergeError("no reports given: pass the JSON report of every shard")
    read = [(Path(p), read_shard(Path(p))) for p in paths]
    shards = [shard for _, shard in read if shard is not None]
    absent = [path for path, shard in read if shard is None]
    if not shards:
        raise MergeError(f"none of the reports exists ({', '.join(map(str, absent))}): no shard wrote a report; "
                         "their logs say why", EXIT_INCOMPLETE)
    missing = check_shards(shards)
    completeness = merged_completeness(shards, missing, absent)
    finished = [shard for shard in shards if shard.finished]
    golden = (_agreed(finished, "golden") if finished else None) or {}
    baseline = load_baseline(Path(baseline_path)) if baseline_path else None
    if settings.revision is None:
        settings.revision = _agreed(shards, "revision")
    settings.reference_revision = _agreed(shards, "reference_revision")
    settings.hypothesis_profile = _agreed(shards, "hypothesis_profile", settings.hypothesis_profile)
    session = ParitySession(settings, baseline=baseline)
    session.baseline_path = Path(baseline_path) if baseline_path else None
    session.perf_gate = perf_gate
    session.completeness = completeness
    session.selection = _run_selection(shards)
    session.environment = _agreed(shards, "environment")
    session.records = [_with_replay_moved(case, shard, settings.report_path) for shard in shards
                       for case in shard.report["cases"]]
    session.changed_goldens = list(golden.get("changed") or [])
    session.unused_goldens = list(golden.get("unused") or []) if completeness.complete else []
    session.other_failures = sum(int(shard.block.get("other_failures", 0)) for shard in shards)
    if session.records or not completeness.complete:
        session.publish(_agreed(shards, "probe"))
    return session

"""The trend file: one JSON line per parity run, so reports can show how the port moves.

Format (JSON Lines, UTF-8, one object per line, appended, never rewritten)::

    {"date": "2026-11-29T09:49:54+00:00", "revision": "3f2c9e1", "counts": {"match": 16, "mismatch": 2},
     "selection": "whole"}

* ``date`` -- when the run's report was created (the report's ``created``,
  ISO 8601 in UTC), or the time of the append when the report has none;
* ``revision`` -- the Rust revision the run tested (``null`` when unknown);
* ``counts`` -- the report's ``totals``: outcome string -> number of items
  (only outcomes that occurred; an absent outcome means 0);
* ``selection`` -- what the run covered: ``whole`` (every case of the case
  directories), ``subset`` (some files, ``-k`` / ``-m`` deselected cases) or
  ``replay`` (``--parity-replay``); the report's ``selection``.  A line written
  before this field existed reads as ``whole``.  :func:`read_history` returns
  whole runs only unless asked for others, so a subset never looks like a
  collapse of the port.  A run that did not finish appends nothing.
* ``verdicts`` -- outcome string -> the node ids of the items that ended so,
  sorted (absent in lines written before it existed), so the report can say
  per case since when it has its verdict and whether it flips
  (:mod:`case_history`).

:func:`append_history` writes a whole line with one ``write`` on a file opened
for appending, under a file lock, so concurrent runs never interleave and a
crash leaves at most one torn last line.  :func:`read_history` skips a torn or
malformed line with a :class:`HistoryWarning` that names the file and line,
so a broken trend file never breaks a report.  Pytest-free.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from filelock import FileLock

HISTORY_NAME = "history.jsonl"


class HistoryWarning(UserWarning):
    """A line of the trend file was skipped (torn by an interrupted append, or not a run entry)."""


def history_entry(report: Mapping[str, Any], revision: str | None = None) -> dict[str, Any]:
    """The line :func:`append_history` writes for ``report`` (``revision`` overrides the report's own)."""
    date = report.get("created") or _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    if revision is None:
        revision = report.get("revision")
    counts = {str(outcome): int(count) for outcome, count in sorted((report.get("totals") or {}).items())}
    verdicts: dict[str, list[str]] = {}
    for case in report.get("cases") or []:
        verdicts.setdefault(str(case.get("outcome")), []).append(str(case.get("nodeid")))
    return {"date": str(date), "revision": None if revision is None else str(revision), "counts": counts,
            "selection": str(report.get("selection") or "whole"),
            "verdicts": {outcome: sorted(nodeids) for outcome, nodeids in sorted(verdicts.items())}}


def append_history(path: str | os.PathLike[str], report: Mapping[str, Any], revision: str | None = None) -> dict[str, Any]:
    """Append one line for ``report`` to the trend file at ``path`` (created with its directory); return it.

    The line is written with a single ``os.write`` on an ``O_APPEND`` descriptor while holding
    ``<path>.lock``.  If the file ends in a torn line (an earlier append was killed mid-write), a
    newline is written first, in the same write, so the new entry stays a line of its own.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = history_entry(report, revision)
    line = (json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
    with FileLock(str(path) + ".lock", timeout=60):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size:
                with open(path, "rb") as existing:
                    existing.seek(size - 1)
                    if existing.read(1) != b"\n":
                        line = b"\n" + line
            written = os.write(fd, line)
            if written != len(line):  # a full disk; say so rather than leave a silent partial line
                raise OSError(f"{path}: wrote {written} of {len(line)} bytes of a history entry")
            os.fsync(fd)
        finally:
            os.close(fd)
    return entry


#: Fields an entry may carry besides date, revision and counts; read_history keeps them.
_OPTIONAL = ("verdicts", "selection")


def _valid(entry: Any) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("counts"), dict):
        return False
    return all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in entry["counts"].items())


SELECTIONS = ("whole", "subset", "replay")


def read_history(path: str | os.PathLike[str], selections: tuple[str, ...] | None = ("whole",)) -> list[dict[str, Any]]:
    """The entries of the trend file, oldest first (``[]`` when it does not exist).

    Only entries whose ``selection`` is in ``selections`` (default: whole runs;
    ``None``: every entry).  A line that is not a complete JSON entry is skipped
    with a :class:`HistoryWarning`: the last line is called torn (an interrupted
    append), any other malformed.  Blank lines are ignored.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    lines = data.split(b"\n")
    last = max((i for i, raw in enumerate(lines) if raw.strip()), default=-1)
    entries: list[dict[str, Any]] = []
    for index, raw in enumerate(lines):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            entry = None
        if not _valid(entry):
            what = ("torn last line (an interrupted append)" if index == last and not data.endswith(b"\n")
                    else "malformed line")
            warnings.warn(HistoryWarning(f"{path}:{index + 1}: skipped a {what}: {raw[:80]!r}"), stacklevel=2)
            continue
        selection = entry.get("selection") or "whole"
        if selections is not None and selection not in selections:
            continue
        entries.append({"date": entry.get("date"), "revision": entry.get("revision"), "counts": entry["counts"],
                        "selection": selection, **{key: entry[key] for key in _OPTIONAL if key in entry}})
    return entries
